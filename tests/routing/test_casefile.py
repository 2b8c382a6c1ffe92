"""The case file (卷宗): one streamed ZIP of a complaint's whole file for a clerk of its centre or a supervisor
(everyone else 404), with a signed manifest of every entry's SHA-256 (in the deposit log), audited; the evidence
decrypted; a damaged evidence file a 410 before anything is sent; memory flat whatever the evidence's size."""
import hashlib
import io
import json
import os
import tracemalloc
import uuid
import zipfile

from sqlalchemy import select

from tests.evidence.support import pdf_bytes, upload
from tests.routing.support import (PATENT_APPLICATION, accepted, acknowledge_and_accept, evidence_ids, ok, refer,
                                   submit)
from tests.routing.test_consultations import convene


def _case(world):
    """A complaint with two exhibits, referred (acknowledged and accepted) and consulted on."""
    complaint = accepted(world, files=2)
    referral = refer(world, complaint["id"], "amr_city", "administrative", evidence_ids(world, complaint["id"]))
    acknowledge_and_accept(world, referral["id"], "amr_city")
    ok(convene(world, complaint["id"]), 201)
    return complaint, referral


def _zip(api, complaint_id, status=200):
    response = api.client.get(f"/api/v1/complaints/{complaint_id}/case-file", headers=api.headers())
    assert response.status_code == status, (response.status_code, response.get_data()[:300])
    if status != 200:
        return response
    assert response.mimetype == "application/zip"
    assert response.is_streamed
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def test_the_clerk_downloads_the_whole_file_with_a_signed_manifest(app, world):
    from routing.receipts import verify_document

    complaint, referral = _case(world)
    archive = _zip(world.api("clerk"), complaint["id"])
    names = archive.namelist()
    assert archive.testzip() is None
    assert {"00-案件摘要.pdf", "01-时间线.txt", "01-timeline.json", "02-处理结果.json", "manifest.json",
            f"移送函/{referral['letter_number']}.pdf", "会商纪要/1.txt"} <= set(names)
    assert sorted(n.split("-")[0] for n in names if n.startswith("回执/")) == [
        "回执/acknowledged", "回执/delivered", "回执/opened", "回执/submitted"]
    evidence = [n for n in names if n.startswith("证据/")]
    assert evidence == ["证据/001-exhibit-0.pdf", "证据/002-exhibit-1.pdf"]
    assert archive.read(evidence[0]) == pdf_bytes(b"exhibit 0")  # decrypted
    assert archive.read("00-案件摘要.pdf").startswith(b"%PDF")
    timeline = archive.read("01-时间线.txt").decode("utf-8")
    assert f"已提交维权中心（编号 {complaint['reference']}）。" in timeline and "已签收移送" in timeline
    assert json.loads(archive.read("02-处理结果.json"))[0]["case_number"] == "沪立〔2026〕1号"
    manifest_bytes = archive.read("manifest.json")
    manifest = json.loads(manifest_bytes)
    with app.app_context():
        assert verify_document(manifest_bytes)
    assert manifest["event"] == "case_file.manifest" and manifest["what"]["complaint"]["reference"] == complaint["reference"]
    listed = {f["name"]: f for f in manifest["what"]["files"]}
    assert set(listed) == set(names) - {"manifest.json"}
    for name in listed:
        body = archive.read(name)
        assert hashlib.sha256(body).hexdigest() == listed[name]["sha256"] and len(body) == listed[name]["size"], name


def test_each_download_is_audited_and_its_manifest_deposited(app, world):
    from core.audit import AuditEntry
    from core.extensions import db
    from evidence.models import DepositLeaf

    complaint, _referral = _case(world)
    archive = _zip(world.api("supervisor"), complaint["id"])
    manifest_bytes = archive.read("manifest.json")
    manifest = json.loads(manifest_bytes)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case_file.downloaded"))
        assert entry.subject_id == complaint["id"] and entry.actor_id == world.users["supervisor"]["id"]
        assert entry.details["manifest"] == manifest["id"] and entry.details["evidence"] == 2
        leaf = db.session.scalar(select(DepositLeaf).where(DepositLeaf.subject == f"case_file:{manifest['id']}"))
        assert leaf.kind == "case_file" and leaf.sha256 == hashlib.sha256(manifest_bytes).hexdigest()


def test_only_the_centres_clerks_and_the_supervisors_get_it(app, world):
    complaint, _referral = _case(world)
    for who in ("enterprise", "other_enterprise", "other_clerk", "amr_city", "amr_city_head", "police", "admin"):
        _zip(world.api(who), complaint["id"], 404)
        api = world.api(who)
        assert api.client.get(f"/api/v1/complaints/{uuid.uuid4()}/case-file", headers=api.headers()).status_code == 404
    _zip(world.api("clerk2"), complaint["id"])
    assert world.client.get(f"/api/v1/complaints/{complaint['id']}/case-file").status_code == 401
    draft = world.api("enterprise").post("/api/v1/complaints", json=PATENT_APPLICATION).get_json()
    _zip(world.api("supervisor"), draft["id"], 404)


def test_a_damaged_evidence_file_is_a_410_and_nothing_is_sent(app, world):
    from core.audit import AuditEntry
    from core.extensions import db
    from evidence.models import EvidenceFile
    from evidence.vault import path_for

    complaint, _referral = _case(world)
    with app.app_context():
        stored = db.session.scalars(select(EvidenceFile).where(
            EvidenceFile.complaint_id == uuid.UUID(complaint["id"]))).all()[-1]
        path = path_for(stored.storage_key)
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01
    path.write_bytes(bytes(data))
    response = _zip(world.api("clerk"), complaint["id"], 410)
    assert response.get_json()["code"] == "evidence_damaged"
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case_file.downloaded")) is None
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "evidence.download_failed")) is not None


class _Pseudorandom(io.RawIOBase):
    """``size`` bytes that deflate cannot shrink, read in pieces: a large evidence file without a large buffer."""

    def __init__(self, size):
        self.left, self.counter = size, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left, 1 << 20)
        out = bytearray()
        while len(out) < n:
            out += hashlib.shake_256(self.counter.to_bytes(8, "big")).digest(65536)
            self.counter += 1
        buffer[:n] = out[:n]
        self.left -= n
        return n


def large_evidence(app, complaint_id, uploader_id, size):
    """A stored evidence file of ``size`` bytes (through the vault, streamed from a generator)."""
    from accounts.models import User
    from core.extensions import db
    from evidence.models import EvidenceFile
    from evidence.vault import store

    with app.app_context():
        source = io.BufferedReader(_Pseudorandom(size))
        head = source.read(4096)
        blob = store(head, source, size + 1)
        db.session.add(EvidenceFile(complaint_id=uuid.UUID(complaint_id), uploaded_by=db.session.get(User, uploader_id),
                                    display_name="large.bin", media_type="application/octet-stream", size=blob.size,
                                    sha256=blob.sha256, storage_key=blob.storage_key, wrapped_key=blob.wrapped_key))
        db.session.commit()
        return blob.sha256


def peaks(app, complaint_id, actor_id):
    """(bytes of ZIP streamed, tracemalloc's peak while building the case file — the evidence's first pass
    and the PDFs —, its peak while streaming the ZIP)."""
    from accounts.models import User
    from core.extensions import db
    from intake.models import Complaint
    from routing import casefile

    with app.test_request_context():
        actor = db.session.get(User, actor_id)
        complaint = db.session.get(Complaint, uuid.UUID(complaint_id))
        for _piece in casefile.stream(casefile.build(actor, complaint)):
            pass  # once untraced: the PDF font loaded and cached, as in a running server
        tracemalloc.start()
        try:
            built = casefile.build(actor, complaint)
            build_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
            total = sum(len(piece) for piece in casefile.stream(built))
            stream_peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        db.session.rollback()
    return total, build_peak, stream_peak


def test_memory_stays_flat_for_a_large_evidence_file(app, world):
    """tracemalloc's peaks while building and streaming a case file with a large evidence file (64 MiB here,
    CASEFILE_TEST_MB to change; bench/casefile.py does 500 MB) against the same with a 1 MiB file: building
    costs the same (the PDFs' font work, not the file), streaming holds a chunk or two."""
    size = int(os.environ.get("CASEFILE_TEST_MB", "64")) * 1024 * 1024
    small, large = submit(world, files=0), submit(world, files=0)
    large_evidence(app, small["id"], world.users["enterprise"]["id"], 1024 * 1024)
    large_evidence(app, large["id"], world.users["enterprise"]["id"], size)
    _total, small_build, _small_stream = peaks(app, small["id"], world.users["clerk"]["id"])
    total, build, stream = peaks(app, large["id"], world.users["clerk"]["id"])
    assert total > size  # the file is in it (deflate cannot shrink it)
    assert build - small_build < 2 * 1024 * 1024, (build, small_build)
    assert stream < 2 * 1024 * 1024, stream


def test_the_triage_page_offers_the_download_exactly_to_those_who_may(app, world):
    from tests.evidence.support import web_login

    complaint, _referral = _case(world)
    for who, shown in (("clerk", True), ("supervisor", True), ("other_clerk", None)):
        client = web_login(app, world.users[who])
        page = client.get(f"/centre/complaints/{complaint['id']}")
        if shown is None:
            assert page.status_code == 404
            assert client.get(f"/complaints/{complaint['id']}/case-file.zip").status_code == 404
            continue
        assert ('data-testid="case-file-download"' in page.get_data(as_text=True)) is shown, who
        download = client.get(f"/complaints/{complaint['id']}/case-file.zip")
        assert download.status_code == 200 and download.mimetype == "application/zip"
        assert "manifest.json" in zipfile.ZipFile(io.BytesIO(download.get_data())).namelist()
    enterprise = web_login(app, world.users["enterprise"])
    assert 'case-file-download' not in enterprise.get(f"/complaints/{complaint['id']}").get_data(as_text=True)
    assert enterprise.get(f"/complaints/{complaint['id']}/case-file.zip").status_code == 404
