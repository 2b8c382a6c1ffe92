"""The referral letter: the centre's acceptance time, full SHA-256 digests, the centre's contact person, and a
PDF that embeds its font (a TrueType subset, FontFile2) with extractable text; no font, no PDF, a clear 503."""
import datetime as dt
import logging
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests import pdfcheck
from tests.routing.support import complaint_transition, evidence_ids, ok, refer, submit

SH = ZoneInfo("Asia/Shanghai")


def _sha256s(app, referral_id):
    from core.extensions import db
    from routing.models import Referral

    with app.app_context():
        return [e.sha256 for e in db.session.get(Referral, uuid.UUID(referral_id)).shared_evidence]


def _referred(world, files=2):
    """Submitted on Monday at 09:00, accepted on Tuesday at 10:30 (Shanghai), then referred with its files."""
    for who in ("enterprise", "clerk"):
        world.api(who)  # signed in now: the tokens outlive the trip into the past
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=SH), tick=False):
        complaint = submit(world, files=files)
    with time_machine.travel(dt.datetime(2026, 11, 3, 10, 30, tzinfo=SH), tick=False):
        clerk = world.api("clerk")
        ok(complaint_transition(clerk, complaint["id"], "claim"))
        ok(complaint_transition(clerk, complaint["id"], "accept", message="受理。"))
    with time_machine.travel(dt.datetime(2026, 11, 3, 15, 0, tzinfo=SH), tick=False):
        referral = refer(world, complaint["id"], "amr_city", "administrative", evidence_ids(world, complaint["id"]))
    return complaint, referral


def test_the_letter_states_the_acceptance_time_full_digests_and_the_centres_contact(app, world):
    complaint, referral = _referred(world)
    html = ok_html(world.api("clerk").get(f"/api/v1/referrals/{referral['id']}/letter"))
    assert "本中心于2026-11-03 10:30受理" in html  # accepted, not submitted (2026-11-02 09:00)
    assert "2026-11-02 09:00" not in html
    digests = _sha256s(app, referral["id"])
    assert len(digests) == 2 and all(len(d) == 64 for d in digests)
    for digest in digests:
        assert digest in html  # the whole digest, not a prefix with an ellipsis
    assert "…" not in html
    assert "联系人：联系人，联系电话：13800000000" in html  # the centre organisation's contact person and phone
    assert "上海市商业秘密保护维权中心" in html


def ok_html(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_the_pdf_embeds_its_truetype_font_and_its_text_can_be_extracted(app, world):
    complaint, referral = _referred(world)
    response = world.api("clerk").get(f"/api/v1/referrals/{referral['id']}/letter.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert b"STSong-Light" not in response.data  # the old CID font, named but never embedded
    used = pdfcheck.fonts(response.data)
    assert used and all(embedded for _name, embedded in used), used
    text = pdfcheck.text(response.data)
    assert "商业秘密案件移送函" in text
    assert complaint["reference"] in text and "2026-11-03 10:30" in text
    assert "联系人" in text
    for digest in _sha256s(app, referral["id"]):
        assert digest in text


@pytest.mark.config(PDF_FONT_PATH="/nonexistent/fonts/missing.ttf")
def test_without_its_font_the_pdf_is_a_clear_503_logged_and_the_html_letter_still_works(app, world, caplog):
    _complaint, referral = _referred(world, files=1)
    api = world.api("clerk")
    with caplog.at_level(logging.ERROR):
        response = api.get(f"/api/v1/referrals/{referral['id']}/letter.pdf")
    assert response.status_code == 503
    assert response.get_json()["code"] == "pdf_font_missing"
    assert "font" in response.get_json()["message"]
    assert any("/nonexistent/fonts/missing.ttf" in r.getMessage() for r in caplog.records)
    assert api.get(f"/api/v1/referrals/{referral['id']}/letter").status_code == 200
