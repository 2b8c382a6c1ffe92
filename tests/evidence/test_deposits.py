"""The deposit log (evidence/deposits.py): leaves at upload, the sequencer, signed checkpoints, proofs,
certificates, public verification, `flask deposits verify` and its corruption probes."""
import base64
import copy
import hashlib
import secrets

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select, update

from evidence import checkpoints, merkle
from evidence.models import DepositCheckpoint, DepositLeaf, EvidenceFile
from tests.evidence.support import count, new_draft, pdf_bytes, rows, upload, web_login
from tests.pdfcheck import fonts, text as pdf_text


@pytest.fixture
def user(create_user, rights_centre):
    return create_user()


@pytest.fixture
def api(api_login, user):
    return api_login(user)


@pytest.fixture
def draft(api):
    return new_draft(api)


def store(api, complaint_id, n=1, tag="a") -> list[dict]:
    stored = []
    for start in range(0, n, 5):  # a few files per upload (MAX_FILES_PER_UPLOAD)
        files = [(pdf_bytes(f"{tag}{i}-{secrets.token_hex(4)}".encode()), f"file-{tag}{i}.pdf")
                 for i in range(start, min(n, start + 5))]
        response = upload(api, complaint_id, *files)
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        stored += body if isinstance(body, list) else body["items"]
    return stored


def take(runner) -> str:
    result = runner.invoke(args=["deposits", "checkpoint"])
    assert result.exit_code == 0, result.output
    return result.output


def certificate(api, complaint_id, evidence_id) -> dict:
    response = api.get(f"/api/v1/complaints/{complaint_id}/evidence/{evidence_id}/certificate")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def public_raw(app) -> bytes:
    from core import signing

    with app.app_context():
        return signing.public_key_raw()


def proof_dict(cert: dict) -> dict:
    return {**cert["inclusion"], "leaf_data": cert["leaf_data"]}


def check(app, proof, key=None) -> bool:
    from evidence import deposits

    with app.app_context():
        return deposits.check_inclusion(proof, key)


# --- leaves, the sequencer, checkpoints ----------------------------------------------------------------

def test_an_upload_is_deposited_and_the_next_checkpoint_covers_it(app, api, draft, runner):
    [stored] = store(api, draft["id"])
    [leaf] = rows(app, DepositLeaf)
    assert (leaf.kind, leaf.subject, leaf.sha256, leaf.size) == ("evidence", f"evidence:{stored['id']}",
                                                                 stored["sha256"], stored["size"])
    assert leaf.leaf_index is None  # no position until the sequencer runs
    pending = certificate(api, draft["id"], stored["id"])
    assert pending["inclusion"]["pending"] is True and pending["inclusion"]["proof"] == []

    output = take(runner)
    assert "new checkpoint: size 1" in output
    cert = certificate(api, draft["id"], stored["id"])
    inclusion = cert["inclusion"]
    assert inclusion["pending"] is False and (inclusion["index"], inclusion["tree_size"]) == (0, 1)
    assert inclusion["leaf_hash"] == hashlib.sha256(b"\x00" + cert["leaf_data"].encode()).hexdigest()
    assert inclusion["root_hash"] == inclusion["leaf_hash"]  # a tree of one leaf
    assert check(app, proof_dict(cert))
    assert "unchanged, latest checkpoint: size 1" in take(runner)  # nothing new: no second checkpoint
    assert count(app, DepositCheckpoint) == 1


def test_indexes_are_dense_in_id_order_and_every_checkpoint_is_kept(app, api, draft, runner):
    store(api, draft["id"], 3)
    take(runner)
    store(api, draft["id"], 2, tag="b")
    take(runner)
    leaves = sorted(rows(app, DepositLeaf), key=lambda leaf: leaf.id)
    assert [leaf.leaf_index for leaf in leaves] == [0, 1, 2, 3, 4]
    sizes = [c.size for c in sorted(rows(app, DepositCheckpoint), key=lambda c: c.id)]
    assert sizes == [3, 5]
    hashes = [bytes.fromhex(leaf.leaf_hash) for leaf in leaves]
    for checkpoint in rows(app, DepositCheckpoint):
        assert checkpoint.root_hash == merkle.root(hashes[:checkpoint.size]).hex()


def test_the_checkpoint_is_a_c2sp_signed_note(app, api, draft, runner):
    store(api, draft["id"], 2)
    take(runner)
    [row] = rows(app, DepositCheckpoint)
    origin = app.config["DEPOSIT_LOG_ORIGIN"]
    body, signature_line = row.note.split("\n\n")
    lines = body.split("\n")
    assert lines[:3] == [origin, "2", base64.b64encode(bytes.fromhex(row.root_hash)).decode()]
    assert lines[3].startswith("time ") and lines[3].endswith("Z")
    assert signature_line.startswith(f"\u2014 {origin} ") and signature_line.endswith("\n")
    raw = base64.b64decode(signature_line.split(" ")[2])
    key = public_raw(app)
    assert raw[:4] == hashlib.sha256(origin.encode() + b"\n\x01" + key).digest()[:4]  # the C2SP key id
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    Ed25519PublicKey.from_public_bytes(key).verify(raw[4:], (body + "\n").encode())  # raises if not
    with app.app_context():
        parsed = checkpoints.verify(row.note, key)
    assert parsed is not None and parsed.size == 2 and parsed.time == lines[3][5:]


def test_a_checkpoint_by_another_key_or_altered_fails(app, api, draft, runner):
    store(api, draft["id"])
    take(runner)
    [row] = rows(app, DepositCheckpoint)
    key = public_raw(app)
    other = Ed25519PrivateKey.generate()
    other_raw = other.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    with app.app_context():
        assert checkpoints.verify(row.note, key) is not None
        assert checkpoints.verify(row.note, other_raw) is None  # another key does not verify it
        body = row.note.split("\n\n")[0] + "\n"
        name = app.config["DEPOSIT_LOG_ORIGIN"]
        forged = body + "\n\u2014 " + name + " " + base64.b64encode(
            checkpoints.key_id(name, key) + other.sign(body.encode())).decode() + "\n"
        assert checkpoints.verify(forged, key) is None  # signed by another key under our key's id
        lines = row.note.split("\n")
        for k in range(3):  # any line of the body changed
            changed = list(lines)
            changed[k] = changed[k] + "0" if k != 2 else base64.b64encode(b"\x01" * 32).decode()
            assert checkpoints.verify("\n".join(changed), key) is None
        assert checkpoints.verify(row.note.replace("\n\n", "\n"), key) is None
        assert checkpoints.verify(row.note + "x", key) is None


# --- the corruption probes, on a certificate's proof ------------------------------------------------------

def _flip_hex(value: str, bit: int) -> str:
    raw = bytearray(bytes.fromhex(value))
    raw[bit // 8] ^= 1 << (bit % 8)
    return raw.hex()


def test_every_corruption_of_a_certificate_fails_verification(app, api, draft, runner):
    evidence = store(api, draft["id"], 11)
    take(runner)
    target = evidence[5]
    good = proof_dict(certificate(api, draft["id"], target["id"]))
    assert check(app, good) and len(good["proof"]) == 4
    probes = []
    for bit in range(0, 8 * len(good["leaf_data"].encode()), 7):  # a flipped bit in the leaf's data
        data = bytearray(good["leaf_data"].encode())
        data[bit // 8] ^= 1 << (bit % 8)
        probes.append({**good, "leaf_data": data.decode("utf-8", "replace")})
    for k in range(len(good["proof"])):  # a flipped bit in any proof element
        for bit in (0, 77, 255):
            proof = list(good["proof"])
            proof[k] = _flip_hex(proof[k], bit)
            probes.append({**good, "proof": proof})
    probes += [{**good, "index": i} for i in (0, 4, 6, 10, 11, -1)]  # a wrong index
    probes += [{**good, "tree_size": s} for s in (10, 12, 16)]  # a size the checkpoint does not sign
    probes += [{**good, "proof": good["proof"][:-1]}, {**good, "proof": good["proof"][1:]},  # truncated
               {**good, "proof": good["proof"] + [good["proof"][0]]},  # padded
               {**good, "proof": ["00" * 32] + good["proof"]},
               {**good, "proof": good["proof"][::-1]}]
    # the checkpoint: its root swapped for another tree's, its body altered, no signature, another key
    store(api, draft["id"], 1, tag="z")
    take(runner)
    later = rows(app, DepositCheckpoint, DepositCheckpoint.size == 12)[0].note
    probes.append({**good, "checkpoint": later})  # the proof is for 11 leaves
    body, sig = good["checkpoint"].split("\n\n")
    root_line = body.split("\n")[2]
    other_root = base64.b64encode(bytes.fromhex(_flip_hex(base64.b64decode(root_line).hex(), 3))).decode()
    probes.append({**good, "checkpoint": good["checkpoint"].replace(root_line, other_root)})
    probes.append({**good, "checkpoint": body + "\n"})
    other = Ed25519PrivateKey.generate()
    name = app.config["DEPOSIT_LOG_ORIGIN"]
    resigned = body + "\n\n\u2014 " + name + " " + base64.b64encode(
        checkpoints.key_id(name, public_raw(app)) + other.sign((body + "\n").encode())).decode() + "\n"
    probes.append({**good, "checkpoint": resigned})
    for probe in probes:
        assert not check(app, probe), probe
    other_raw = other.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert not check(app, good, other_raw)  # checked against another key
    assert check(app, copy.deepcopy(good))  # the original still verifies


# --- consistency proofs ---------------------------------------------------------------------------------

def test_consistency_between_any_two_checkpoints(app, api, draft, runner, anonymous_api):
    sizes = []
    for n in (1, 2, 4, 3):
        store(api, draft["id"], n, tag=f"c{n}")
        take(runner)
        sizes.append(count(app, DepositLeaf))
    assert sizes == [1, 3, 7, 10]
    notes = {c.size: c for c in rows(app, DepositCheckpoint)}
    for first in sizes:
        for second in sizes:
            if first > second:
                continue
            response = anonymous_api.get(f"/api/v1/deposits/consistency?first={first}&second={second}")
            assert response.status_code == 200, response.get_json()
            body = response.get_json()
            proof = [bytes.fromhex(h) for h in body["proof"]]
            assert merkle.verify_consistency(first, second, bytes.fromhex(notes[first].root_hash),
                                             bytes.fromhex(notes[second].root_hash), proof)
            assert body["second"]["note"] == notes[second].note
    assert anonymous_api.get("/api/v1/deposits/consistency?first=7&second=3").status_code == 422
    refused = anonymous_api.get("/api/v1/deposits/consistency?first=2&second=99")
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"first", "second"}


# --- public verification -----------------------------------------------------------------------------------

def test_the_public_api_verifies_a_digest_or_a_file(app, api, draft, runner, anonymous_api, client):
    content = pdf_bytes(b"the exhibit")
    response = upload(api, draft["id"], (content, "exhibit.pdf"))
    assert response.status_code == 201
    digest = hashlib.sha256(content).hexdigest()
    pending = anonymous_api.post("/api/v1/deposits/verify", json={"sha256": digest.upper()}).get_json()
    assert pending["found"] is True and pending["leaves"][0]["inclusion"]["pending"] is True
    assert pending["leaves"][0]["verified"] is False
    take(runner)
    found = anonymous_api.post("/api/v1/deposits/verify", json={"sha256": digest}).get_json()
    [leaf] = found["leaves"]
    assert found["found"] and leaf["verified"] and leaf["kind"] == "evidence" and leaf["size"] == len(content)
    assert "reference" not in leaf and "subject" not in leaf  # nothing of the complaint, publicly
    uploaded = client.post("/api/v1/deposits/verify/upload", data={"file": (__import__("io").BytesIO(content), "x.pdf")},
                           content_type="multipart/form-data")
    assert uploaded.status_code == 200 and uploaded.get_json()["leaves"][0]["verified"]
    absent = anonymous_api.post("/api/v1/deposits/verify", json={"sha256": "ab" * 32}).get_json()
    assert absent == {"sha256": "ab" * 32, "found": False, "leaves": []}
    for wrong in ("ab" * 31, "zz" * 32, "ab" * 33, ""):
        refused = anonymous_api.post("/api/v1/deposits/verify", json={"sha256": wrong})
        assert refused.status_code == 422 and "sha256" in refused.get_json()["errors"]
    log = anonymous_api.get("/api/v1/deposits").get_json()
    assert log["latest"]["size"] == 1 and base64.b64decode(log["public_key"]) == public_raw(app)
    listed = anonymous_api.get("/api/v1/deposits/checkpoints").get_json()
    assert [c["size"] for c in listed["items"]] == [1]


def test_the_public_pages_show_the_key_the_history_and_verify(app, api, draft, runner, client):
    content = pdf_bytes(b"page exhibit")
    upload(api, draft["id"], (content, "exhibit.pdf"))
    take(runner)
    page = client.get("/deposits").get_data(as_text=True)
    assert "BEGIN PUBLIC KEY" in page and 'data-testid="checkpoint"' in page
    assert 'data-testid="take-checkpoint"' not in page  # anonymous: no button
    note = client.get("/deposits/checkpoints/1")
    assert note.status_code == 200 and note.mimetype == "text/plain"
    assert client.get("/deposits/checkpoints/2").status_code == 404
    from tests.evidence.support import csrf_token

    token = csrf_token(client, "/deposits/verify")
    by_file = client.post("/deposits/verify", data={"csrf_token": token, "file": (__import__("io").BytesIO(content), "e.pdf")},
                          content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-testid="verified"' in by_file
    by_digest = client.post("/deposits/verify", data={"csrf_token": token, "sha256": hashlib.sha256(content).hexdigest()})
    assert 'data-testid="verified"' in by_digest.get_data(as_text=True)
    not_found = client.post("/deposits/verify", data={"csrf_token": token, "sha256": "0" * 64}).get_data(as_text=True)
    assert 'data-testid="not-found"' in not_found
    refused = client.post("/deposits/verify", data={"csrf_token": token, "sha256": "xyz"})
    assert refused.status_code == 422 and 'data-testid="error-summary"' in refused.get_data(as_text=True)
    empty = client.post("/deposits/verify", data={"csrf_token": token})
    assert empty.status_code == 422 and 'href="#field-sha256"' in empty.get_data(as_text=True)


def test_admins_and_supervisors_take_a_checkpoint_on_demand(app, api, draft, create_user):
    store(api, draft["id"])
    for role, allowed in (("admin", True), ("supervisor", True), ("clerk", False)):
        client = web_login(app, create_user(role))
        page = client.get("/deposits").get_data(as_text=True)
        assert ('data-testid="take-checkpoint"' in page) is allowed
        from tests.evidence.support import csrf_token

        response = client.post("/deposits/checkpoints", data={"csrf_token": csrf_token(client, "/deposits")})
        assert response.status_code == (302 if allowed else 404)
    assert [c.size for c in rows(app, DepositCheckpoint)] == [1]


# --- certificates ------------------------------------------------------------------------------------------

def test_the_certificate_page_and_its_chinese_pdf(app, api, draft, runner, user, create_user):
    [stored] = store(api, draft["id"])
    take(runner)
    client = web_login(app, user)
    url = f"/complaints/{draft['id']}/evidence/{stored['id']}/certificate"
    page = client.get(url)
    assert page.status_code == 200 and stored["sha256"] in page.get_data(as_text=True)
    assert 'data-testid="cert-checkpoint"' in page.get_data(as_text=True)
    pdf = client.get(url + ".pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert all(embedded for _name, embedded in fonts(pdf.data))
    words = pdf_text(pdf.data)
    assert "存证证书" in words and stored["sha256"] in words and "RFC 9162" in words
    other = web_login(app, create_user())  # another enterprise: the same 404 as a missing file
    assert other.get(url).status_code == 404 and other.get(url + ".pdf").status_code == 404


def test_certificate_pdf_for_the_case_file(app, api, draft, runner):
    [stored] = store(api, draft["id"])
    take(runner)
    from core.extensions import db
    from evidence.deposits import certificate_pdf, inclusion, leaf_of

    with app.app_context():
        evidence = db.session.get(EvidenceFile, __import__("uuid").UUID(stored["id"]))
        assert pdf_text(certificate_pdf(evidence)).count(stored["sha256"]) >= 1
        answer = inclusion(leaf_of("evidence", evidence.id))
        assert answer["index"] == 0 and answer["tree_size"] == 1 and answer["checkpoint"].startswith(
            app.config["DEPOSIT_LOG_ORIGIN"])


# --- `flask deposits verify` ----------------------------------------------------------------------------------

def verify(runner):
    return runner.invoke(args=["deposits", "verify"])


def test_the_whole_log_verifies_and_each_inconsistency_is_named(app, api, draft, runner):
    from core.extensions import db

    evidence = store(api, draft["id"], 4)
    take(runner)
    result = verify(runner)
    assert result.exit_code == 0 and "consistent" in result.output, result.output

    with app.app_context():  # a leaf's digest changed after the fact
        db.session.execute(update(DepositLeaf).where(DepositLeaf.leaf_index == 2).values(sha256="0" * 64))
        db.session.commit()
    result = verify(runner)
    assert result.exit_code == 1 and "leaf 2" in result.output, result.output


def test_verify_names_a_rewritten_checkpoint(app, api, draft, runner):
    from core.extensions import db

    store(api, draft["id"], 3)
    take(runner)
    with app.app_context():
        db.session.execute(update(DepositCheckpoint).values(root_hash="1" * 64))
        db.session.commit()
    result = verify(runner)
    assert result.exit_code == 1 and "checkpoint of size 3" in result.output, result.output


def test_verify_names_a_damaged_stored_file_and_a_file_without_a_leaf(app, api, draft, runner):
    from pathlib import Path

    from core.extensions import db

    evidence = store(api, draft["id"], 2)
    take(runner)
    with app.app_context():
        row = db.session.get(EvidenceFile, __import__("uuid").UUID(evidence[1]["id"]))
        path = next(p for p in Path(app.config["EVIDENCE_DIR"]).rglob("*") if p.is_file() and row.storage_key in p.name)
    data = bytearray(path.read_bytes())
    data[-5] ^= 1
    path.write_bytes(bytes(data))
    result = verify(runner)
    assert result.exit_code == 1 and evidence[1]["id"] in result.output, result.output
    path.write_bytes(bytes(data[:-5]) + bytes([data[-5] ^ 1]) + bytes(data[-4:]))
    assert verify(runner).exit_code == 0

    with app.app_context():  # a file stored before the log: no leaf until the backfill
        db.session.execute(DepositLeaf.__table__.insert().values(
            kind="case_file", subject="case_file:x", sha256="2" * 64, size=1))
        db.session.commit()
    assert verify(runner).exit_code == 0  # an entry waiting for the sequencer is no inconsistency


@pytest.mark.postgres_only
def test_concurrent_deposits_and_checkpoints_give_dense_indexes_and_consistent_checkpoints(app, runner):
    """Eight writers at once, each depositing and checkpointing in its own transaction: the counter row's
    SELECT ... FOR UPDATE makes them take turns, so no index is given twice or skipped."""
    from core.extensions import db
    from evidence import deposits
    from tests.threads import run_together

    def work(n, barrier):
        with app.app_context():
            deposits.deposit("case_file", f"t{n}", hashlib.sha256(str(n).encode()).hexdigest(), n)
            db.session.flush()
            barrier.wait()
            deposits.take_checkpoint()
            db.session.commit()
            db.session.remove()

    run_together(work, list(range(8)))
    leaves = rows(app, DepositLeaf)
    assert sorted(leaf.leaf_index for leaf in leaves) == list(range(8))
    assert max(c.size for c in rows(app, DepositCheckpoint)) == 8
    result = runner.invoke(args=["deposits", "verify"])
    assert result.exit_code == 0, result.output


def test_a_rolled_back_checkpoint_leaves_nothing_in_the_cached_tree(app):
    """The per-process tree never keeps the indexes of a transaction that rolls back, and notices a database
    that no longer holds what it cached."""
    from core.extensions import db
    from evidence import deposits

    with app.app_context():
        for n in range(300):
            deposits.deposit("case_file", f"r{n}", hashlib.sha256(b"r%d" % n).hexdigest(), n)
        deposits.take_checkpoint()
        db.session.commit()
        deposits.tree(300)  # cached now
        deposits.deposit("case_file", "rolled-back", "11" * 32, 1)
        doomed, _ = deposits.take_checkpoint()
        assert doomed.size == 301 and deposits.inclusion(deposits.leaf_of("case_file", "r0"), doomed)["tree_size"] == 301
        db.session.rollback()
        deposits.deposit("case_file", "kept", "22" * 32, 2)
        kept, new = deposits.take_checkpoint()
        db.session.commit()
        assert new and kept.size == 301
        for subject in ("r0", "r299", "kept"):
            assert deposits.check_inclusion(deposits.inclusion(deposits.leaf_of("case_file", subject)))
        assert kept.root_hash == merkle.root(deposits.leaf_hashes(301)).hex()
