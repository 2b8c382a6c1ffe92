"""The submission receipt (受理回执): what was filed (each file's name, size and full SHA-256), when, the centre and
its contact, the response targets with their due times in Shanghai time; printable HTML (Chinese by default,
English on request) and a PDF in Chinese that embeds its font. Only the enterprise that filed it and its centre's
clerks may read it, and only once it is submitted."""
import datetime as dt
import html as html_lib
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from tests import pdfcheck
from tests.agencies.web import Browser
from tests.routing.conftest import world  # noqa: F401
from tests.routing.support import SOURCE_CODE, complaint_transition, evidence_ids, ok, refer, submit

SH = ZoneInfo("Asia/Shanghai")


def _files(app, complaint_id):
    from core.extensions import db
    from evidence.models import EvidenceFile

    with app.app_context():
        return [(e.display_name, e.size, e.sha256) for e in db.session.scalars(
            select(EvidenceFile).where(EvidenceFile.complaint_id == uuid.UUID(complaint_id))
            .order_by(EvidenceFile.display_name))]


def _running(app, complaint_id):
    """{rule code: due time in Shanghai} of the complaint's running deadlines."""
    from core.extensions import db
    from core.timeutil import format_local
    from deadlines.models import Deadline

    with app.app_context():
        return {d.rule_code: format_local(d.due_at) for d in db.session.scalars(
            select(Deadline).where(Deadline.complaint_id == uuid.UUID(complaint_id))) if d.is_running}


def _submitted(world, files=2):
    world.api("enterprise")  # signed in now: the token outlives the trip into the past
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 15, tzinfo=SH), tick=False):  # a Monday
        return submit(world, files=files)


def _no_token(response):
    """The page without its CSRF token (signed with a timestamp: it changes from second to second)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))


def _text(html):
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_enterprise_reads_its_receipt_in_chinese_with_files_digests_centre_and_targets(app, world):
    complaint = _submitted(world)
    cid = complaint["id"]
    browser = Browser(app, world.users["enterprise"])
    html = browser.get(f"/complaints/{cid}/receipt?lang=zh")
    text = _text(html)
    assert "受理回执" in text
    assert complaint["reference"] in text and "2026-11-02 09:15" in text
    files = _files(app, cid)
    assert len(files) == 2
    for name, size, digest in files:
        assert name in text and f"{size:,} 字节" in text
        assert digest in text  # the whole digest
    assert SOURCE_CODE["secret_description"] in text and "李某" in text and "¥1,200,000.00" in text
    assert "上海市商业秘密保护维权中心" in text and "联系人" in text and "13800000000" in text
    running = _running(app, cid)
    assert {"Q1", "Q2"} <= set(running)
    targets = re.findall(r'data-testid="receipt-target"><td>([^<]*)</td><td>([^<]*)</td>', html)
    assert {due for _label, due in targets} == set(running.values())
    assert {"维权中心首次响应", "维权中心作出审查决定"} <= {label for label, _due in targets}  # labels, not rule codes
    assert "（" in text or "：" in text  # Chinese punctuation in the Chinese page


def test_the_receipt_page_speaks_english_on_request(app, world):
    complaint = _submitted(world, files=1)
    text = _text(Browser(app, world.users["enterprise"]).get(f"/complaints/{complaint['id']}/receipt?lang=en"))
    assert "Submission receipt" in text and "What was filed" in text and "Response targets" in text
    assert "Centre's first response" in text
    assert "bytes" in text


def test_the_receipt_pdf_is_in_chinese_embeds_its_font_and_its_text_can_be_extracted(app, world):
    complaint = _submitted(world)
    browser = Browser(app, world.users["enterprise"])
    response = browser.client.get(f"/complaints/{complaint['id']}/receipt.pdf?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    used = pdfcheck.fonts(response.data)
    assert used and all(embedded for _name, embedded in used), used
    text = pdfcheck.text(response.data)
    assert "商业秘密侵权投诉受理回执" in text and complaint["reference"] in text  # Chinese, whatever the page's language
    assert "2026-11-02 09:15" in text
    for name, size, digest in _files(app, complaint["id"]):
        assert name in text and f"{size:,}字节" in text and digest in text
    assert "上海市商业秘密保护维权中心" in text and "13800000000" in text
    for due in _running(app, complaint["id"]).values():
        assert due in text


def test_the_centres_clerk_reads_it_too_and_the_triage_page_links_to_it(app, world):
    complaint = _submitted(world, files=1)
    clerk = Browser(app, world.users["clerk"])
    assert complaint["reference"] in clerk.get(f"/complaints/{complaint['id']}/receipt")
    assert clerk.client.get(f"/complaints/{complaint['id']}/receipt.pdf").status_code == 200
    triage = clerk.get(f"/centre/complaints/{complaint['id']}")
    assert f'href="/complaints/{complaint["id"]}/receipt"' in triage


def test_the_enterprise_page_links_to_the_receipt_only_once_submitted(app, world):
    browser = Browser(app, world.users["enterprise"])
    draft = ok(world.api("enterprise").post("/api/v1/complaints", json=SOURCE_CODE), 201)
    page = browser.get(f"/complaints/{draft['id']}")
    assert 'data-testid="receipt-link"' not in page
    response = browser.client.get(f"/complaints/{draft['id']}/receipt?lang=en")
    assert response.status_code == 404
    assert "issued when the complaint is submitted" in response.get_data(as_text=True)
    assert browser.client.get(f"/complaints/{draft['id']}/receipt.pdf").status_code == 404
    ok(world.api("enterprise").post(f"/api/v1/complaints/{draft['id']}/submit"))
    page = browser.get(f"/complaints/{draft['id']}")
    assert f'href="/complaints/{draft["id"]}/receipt"' in page


@pytest.mark.parametrize("who", ["other_enterprise", "other_clerk", "amr_city", "supervisor", "admin"])
def test_anyone_else_gets_404(app, world, who):
    complaint = _submitted(world, files=1)
    cid = complaint["id"]
    ok(complaint_transition(world.api("clerk"), cid, "claim"))
    ok(complaint_transition(world.api("clerk"), cid, "accept", message="受理。"))
    refer(world, cid, "amr_city", "administrative", evidence_ids(world, cid))  # the agency holds a referral
    browser = Browser(app, world.users[who])
    missing = browser.client.get(f"/complaints/{uuid.uuid4()}/receipt")
    for url in (f"/complaints/{cid}/receipt", f"/complaints/{cid}/receipt.pdf"):
        response = browser.client.get(url)
        assert response.status_code == 404
        assert _no_token(response) == _no_token(missing)  # nothing about the complaint
        assert complaint["reference"] not in response.get_data(as_text=True)


@pytest.mark.config(PDF_FONT_PATH="/nonexistent/fonts/missing.ttc")
def test_without_its_font_the_receipt_pdf_is_a_clear_503_page_and_the_printable_page_still_works(app, world):
    complaint = _submitted(world, files=1)
    browser = Browser(app, world.users["enterprise"])
    response = browser.client.get(f"/complaints/{complaint['id']}/receipt.pdf?lang=en")
    assert response.status_code == 503
    assert "the font it needs is not installed" in _text(response.get_data(as_text=True))
    assert "Traceback" not in response.get_data(as_text=True)
    assert complaint["reference"] in browser.get(f"/complaints/{complaint['id']}/receipt")
