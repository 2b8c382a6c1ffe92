"""Signed receipts at every hand-over: the submission, the referral delivered, first opened by its agency (once),
acknowledged; each a canonical JSON document signed with the platform's Ed25519 key, logged in the deposit log,
downloadable by those it concerns only (404 for others), and verifiable offline by routing.verify_receipt."""
import base64
import hashlib
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.paging import every
from tests.routing.support import accepted, evidence_ids, ok, refer, referral_transition

ROOT = Path(__file__).resolve().parents[2]


def _referred(world):
    complaint = accepted(world, files=2)
    referral = refer(world, complaint["id"], "amr_city", "administrative", evidence_ids(world, complaint["id"]))
    return complaint, referral


def _kinds(api, url):
    return [r["kind"] for r in every(api, url)]


def _download(api, receipt) -> bytes:
    response = api.client.get(receipt["download_url"], headers=api.headers())
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json"
    return response.get_data()


def _public_pem(app) -> bytes:
    from core import signing

    with app.test_request_context():
        return signing.public_key_pem().encode()


def _verify_offline(tmp_path, document: bytes, pem: bytes):
    (tmp_path / "receipt.json").write_bytes(document)
    (tmp_path / "key.pem").write_bytes(pem)
    return subprocess.run([sys.executable, "-m", "routing.verify_receipt", str(tmp_path / "receipt.json"),
                           str(tmp_path / "key.pem")], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_every_hand_over_of_a_referral_gets_one_signed_receipt(app, world):
    complaint, referral = _referred(world)
    clerk, agency = world.api("clerk"), world.api("amr_city")
    url = f"/api/v1/referrals/{referral['id']}/receipts"
    assert _kinds(clerk, url) == ["delivered"]
    ok(agency.get(f"/api/v1/referrals/{referral['id']}"))
    ok(agency.get(f"/api/v1/referrals/{referral['id']}"))  # opened once, however often it is read
    assert _kinds(clerk, url) == ["delivered", "opened"]
    ok(referral_transition(agency, referral["id"], "acknowledge", officer_name="郑刚"))
    assert _kinds(clerk, url) == ["delivered", "opened", "acknowledged"]
    assert _kinds(agency, url) == ["delivered", "opened", "acknowledged"]
    # the complaint's list: the clerk sees the submission's and every hand-over's
    assert _kinds(clerk, f"/api/v1/complaints/{complaint['id']}/receipts") == [
        "submitted", "delivered", "opened", "acknowledged"]


def test_the_clerk_reading_the_referral_is_no_first_opening(app, world):
    _complaint, referral = _referred(world)
    clerk, supervisor = world.api("clerk"), world.api("supervisor")
    ok(clerk.get(f"/api/v1/referrals/{referral['id']}"))
    ok(supervisor.get(f"/api/v1/referrals/{referral['id']}"))
    assert _kinds(clerk, f"/api/v1/referrals/{referral['id']}/receipts") == ["delivered"]


def test_a_receipt_says_who_what_and_when_with_the_letters_and_files_digests(app, world):
    from core.extensions import db
    from routing.letters import letter_data
    from routing.models import Referral
    from routing.receipts import digest

    _complaint, referral = _referred(world)
    clerk = world.api("clerk")
    receipt = every(clerk, f"/api/v1/referrals/{referral['id']}/receipts")[0]
    document = json.loads(_download(clerk, receipt))
    assert document["event"] == "referral.delivered"
    assert document["who"]["user"]["id"] == str(world.users["clerk"]["id"])
    assert document["to"]["id"] == world.org("amr_city")
    assert document["what"]["referral"]["letter_number"] == referral["letter_number"]
    with app.app_context():
        row = db.session.get(Referral, uuid.UUID(referral["id"]))
        assert document["what"]["letter"]["sha256"] == digest(letter_data(row))
        shared = sorted(e.sha256 for e in row.shared_evidence)
    assert sorted(f["sha256"] for f in document["what"]["files"]) == shared and len(shared) == 2
    assert document["issued_at"].endswith("Z") and document["key"] and document["signature"]


def test_receipts_are_in_the_deposit_log_with_their_files_digest(app, world):
    from sqlalchemy import select

    from core.extensions import db
    from evidence.models import DepositLeaf

    complaint, _referral = _referred(world)
    clerk = world.api("clerk")
    for receipt in every(clerk, f"/api/v1/complaints/{complaint['id']}/receipts"):
        body = _download(clerk, receipt)
        assert hashlib.sha256(body).hexdigest() == receipt["sha256"]
        with app.app_context():
            leaf = db.session.scalar(select(DepositLeaf).where(DepositLeaf.subject == f"receipt:{receipt['id']}"))
            assert leaf is not None and leaf.sha256 == receipt["sha256"] and leaf.size == len(body)
            assert str(leaf.complaint_id) == complaint["id"] and leaf.reference == complaint["reference"]


def test_a_receipt_verifies_offline_and_any_change_or_another_key_fails(app, world, tmp_path):
    complaint, _referral = _referred(world)
    clerk = world.api("clerk")
    receipt = every(clerk, f"/api/v1/complaints/{complaint['id']}/receipts")[0]
    body, pem = _download(clerk, receipt), _public_pem(app)
    result = _verify_offline(tmp_path, body, pem)
    assert result.returncode == 0 and "VALID: complaint.submitted" in result.stdout, result
    tampered = body.replace(complaint["reference"].encode(), b"SM-1999-000001", 1)
    assert tampered != body
    assert _verify_offline(tmp_path, tampered, pem).returncode == 1
    other = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    assert _verify_offline(tmp_path, body, other).returncode == 1
    data = json.loads(body)
    data["signature"] = base64.b64encode(bytes(64)).decode()
    assert _verify_offline(tmp_path, json.dumps(data, ensure_ascii=False).encode(), pem).returncode == 1


def test_the_verifier_needs_no_app_and_takes_the_raw_key_too(app, world, tmp_path):
    from routing import verify_receipt
    from routing.receipts import verify_document

    complaint, _referral = _referred(world)
    clerk = world.api("clerk")
    body = _download(clerk, every(clerk, f"/api/v1/complaints/{complaint['id']}/receipts")[0])
    key = verify_receipt.load_public_key(_public_pem(app))
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert verify_receipt.check(body, verify_receipt.load_public_key(raw.hex().encode()))["event"]
    assert verify_receipt.check(body, verify_receipt.load_public_key(base64.b64encode(raw)))["event"]
    with app.app_context():
        assert verify_document(body) and not verify_document(body[:-3] + b"x\"}")
    with pytest.raises(ValueError):
        verify_receipt.check(body.replace(b'"event":"', b'"event":"x', 1), key)


def test_who_may_list_and_download_which_receipts(app, world):
    complaint, referral = _referred(world)
    ok(world.api("amr_city").get(f"/api/v1/referrals/{referral['id']}"))
    clerk = world.api("clerk")
    all_receipts = every(clerk, f"/api/v1/complaints/{complaint['id']}/receipts")
    submission = next(r for r in all_receipts if r["kind"] == "submitted")
    delivered = next(r for r in all_receipts if r["kind"] == "delivered")
    # the enterprise: its submission receipt only
    enterprise = world.api("enterprise")
    assert _kinds(enterprise, f"/api/v1/complaints/{complaint['id']}/receipts") == ["submitted"]
    _download(enterprise, submission)
    assert enterprise.client.get(delivered["download_url"], headers=enterprise.headers()).status_code == 404
    assert enterprise.get(f"/api/v1/referrals/{referral['id']}/receipts").status_code == 404
    # the referral's agency: its referral's, never the submission receipt nor the complaint's list
    agency = world.api("amr_city")
    _download(agency, delivered)
    assert agency.client.get(submission["download_url"], headers=agency.headers()).status_code == 404
    assert agency.get(f"/api/v1/complaints/{complaint['id']}/receipts").status_code == 404
    # everyone else: 404, the same as for a receipt that does not exist
    for who in ("other_clerk", "police", "other_enterprise", "supervisor", "admin"):
        api = world.api(who)
        for receipt in (submission, delivered):
            assert api.client.get(receipt["download_url"], headers=api.headers()).status_code == 404, who
        assert api.get(f"/api/v1/referrals/{referral['id']}/receipts").status_code == 404, who
        assert api.get(f"/api/v1/complaints/{complaint['id']}/receipts").status_code == 404, who
    for missing in (str(uuid.uuid4()), "not-an-id"):
        assert clerk.client.get(f"/api/v1/receipts/{missing}", headers=clerk.headers()).status_code == 404
    assert world.client.get(delivered["download_url"]).status_code == 401


def test_two_first_openings_at_once_leave_one_receipt(app, world):
    from sqlalchemy import func, select

    from core.extensions import db
    from routing import receipts
    from routing.models import Referral
    from accounts.models import User

    _complaint, referral = _referred(world)
    with app.app_context():
        row = db.session.get(Referral, uuid.UUID(referral["id"]))
        officer = db.session.get(User, world.users["amr_city"]["id"])
        assert receipts.opened_by(row, officer) is not None
        assert receipts.opened_by(row, officer) is None
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(receipts.Receipt).where(
            receipts.Receipt.referral_id == row.id, receipts.Receipt.kind == "opened")) == 1


def test_the_pages_list_the_receipts_to_those_they_concern_and_the_agency_page_is_a_first_opening(app, world):
    from tests.evidence.support import web_login

    complaint, referral = _referred(world)
    clerk = world.api("clerk")
    agency_page = web_login(app, world.users["amr_city"])
    html = agency_page.get(f"/agency/referrals/{referral['id']}").get_data(as_text=True)
    assert _kinds(clerk, f"/api/v1/referrals/{referral['id']}/receipts") == ["delivered", "opened"]
    assert 'data-testid="receipt-delivered"' in html and 'data-testid="receipt-submitted"' not in html
    receipt = every(clerk, f"/api/v1/referrals/{referral['id']}/receipts")[0]
    page_download = agency_page.get(f"/receipts/{receipt['id']}.json")
    assert page_download.status_code == 200 and page_download.get_data() == _download(clerk, receipt)
    triage = web_login(app, world.users["clerk"]).get(f"/centre/complaints/{complaint['id']}").get_data(as_text=True)
    for kind in ("submitted", "delivered", "opened"):
        assert f'data-testid="receipt-{kind}"' in triage, kind
    enterprise = web_login(app, world.users["enterprise"])
    detail = enterprise.get(f"/complaints/{complaint['id']}").get_data(as_text=True)
    assert 'data-testid="receipt-submitted"' in detail and 'data-testid="receipt-delivered"' not in detail
    assert enterprise.get(f"/receipts/{receipt['id']}.json").status_code == 404


@pytest.mark.skipif(not all(__import__("shutil").which(t) for t in ("jq", "openssl")), reason="needs jq and openssl")
def test_the_documented_openssl_steps_verify_a_receipt(app, world, tmp_path):
    """routing/verify_receipt.py's docstring: jq makes the signed bytes, OpenSSL 3 checks the Ed25519 signature."""
    complaint, _referral = _referred(world)
    clerk = world.api("clerk")
    for receipt in every(clerk, f"/api/v1/complaints/{complaint['id']}/receipts"):
        (tmp_path / "receipt.json").write_bytes(_download(clerk, receipt))
        (tmp_path / "public_key.pem").write_bytes(_public_pem(app))
        script = ("jq -cS 'del(.signature)' receipt.json | tr -d '\\n' > signed.bin && "
                  "jq -r .signature receipt.json | base64 -d > signature.bin && "
                  "openssl pkeyutl -verify -pubin -inkey public_key.pem -rawin -in signed.bin -sigfile signature.bin")
        result = subprocess.run(["sh", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and "Signature Verified Successfully" in result.stdout, (receipt["kind"], result)


@pytest.mark.postgres_only
def test_an_officer_and_the_head_opening_it_at_the_same_moment_leave_one_receipt(app, world):
    """PostgreSQL: two first reads by the referral's agency race; the unique index keeps one receipt and one
    deposit-log leaf, and neither read fails."""
    from sqlalchemy import func, select

    from core.extensions import db
    from evidence.models import DepositLeaf
    from routing.receipts import Receipt
    from tests.conftest import ApiClient
    from tests.threads import run_together

    referrals = [_referred(world)[1]["id"] for _ in range(5)]
    clients = [ApiClient(app.test_client(), world.api(key).token) for key in ("amr_city", "amr_city_head")]
    statuses = []

    def read(who, barrier):
        for referral_id in referrals:
            barrier.wait(timeout=30)
            statuses.append(clients[who].get(f"/api/v1/referrals/{referral_id}").status_code)

    run_together(read, (0, 1))
    assert statuses == [200] * 10
    with app.app_context():
        for referral_id in referrals:
            opened = db.session.scalars(select(Receipt.id).where(Receipt.referral_id == uuid.UUID(referral_id),
                                                                 Receipt.kind == "opened")).all()
            assert len(opened) == 1
            assert db.session.scalar(select(func.count()).select_from(DepositLeaf).where(
                DepositLeaf.subject == f"receipt:{opened[0]}")) == 1
