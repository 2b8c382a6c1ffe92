"""The enterprise's complaint page after submission (issue 8, points 5 and 6): evidence added while the
complaint is open, listed as added later with its Shanghai time; a withdrawal says which open referrals end."""
import datetime as dt
import io
import re
import uuid

from sqlalchemy import select

from core.timeutil import SHANGHAI

from tests.agencies.web import Browser, field_errors
from tests.evidence.support import confirm, pdf_bytes
from tests.routing.conftest import world  # noqa: F401  (the routing tests' small Shanghai)
from tests.routing.case_support import notices, outbox_mark, told
from tests.routing.support import (DUE_DATE, accepted, complaint_state, complaint_transition, evidence_ids, ok,
                                   refer, submit)


def _created_at(app, name) -> dt.datetime:
    from core.extensions import db
    from evidence.models import EvidenceFile

    with app.app_context():
        return db.session.scalar(select(EvidenceFile.created_at).where(EvidenceFile.display_name == name))


def _upload(browser, detail, name, status=302):
    return browser.submit(detail, f"{detail}/evidence", status=status,
                          files={"file": [(io.BytesIO(pdf_bytes(name.encode())), name)]})


def _referral_states(app, complaint_id):
    from core.extensions import db
    from routing.models import Referral

    with app.app_context():
        return sorted(r.state.value for r in db.session.scalars(
            select(Referral).where(Referral.complaint_id == uuid.UUID(str(complaint_id)))))


def test_the_enterprise_adds_evidence_after_submission_listed_as_added_later(app, world):
    complaint = submit(world)
    cid, detail = complaint["id"], f"/complaints/{complaint['id']}"
    ok(complaint_transition(world.api("clerk"), cid, "claim"))
    ok(complaint_transition(world.api("clerk"), cid, "accept", message="受理。"))
    enterprise = Browser(app, world.users["enterprise"])
    html = enterprise.get(detail)
    assert 'data-testid="evidence-input"' in html and 'data-testid="added-later"' not in html

    mark = outbox_mark(app)
    _upload(enterprise, detail, "新发现的聊天记录.pdf")
    told(app, mark, "complaint.evidence_added", world.org("centre"))  # the centre is told, nobody else
    assert [event for event, _orgs in notices(app, mark)] == ["complaint.evidence_added"]
    html = enterprise.get(detail)
    [later] = re.findall(r'<mark data-testid="added-later">([^<]*)</mark>', html)
    stored = _created_at(app, "新发现的聊天记录.pdf")
    assert later == "Added later, " + stored.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")  # stored UTC, shown in Shanghai time
    row = html.split("新发现的聊天记录.pdf")[1].split("</tr>")[0]
    assert 'data-testid="added-later"' in row
    assert len(evidence_ids(world, cid)) == 2
    # the centre sees it as added later too, and can send it on
    assert 'data-testid="added-later"' in Browser(app, world.users["clerk"]).get(f"/centre/complaints/{cid}")

    # no file: the field error on the same page
    response = enterprise.submit(detail, f"{detail}/evidence", status=422)
    assert field_errors(response.get_data(as_text=True), "file") == ["Choose at least one file."]

    # another enterprise: 404
    other = Browser(app, world.users["other_enterprise"])
    token = re.search(r'name="csrf_token" value="([^"]+)"', other.get("/complaints/")).group(1)
    response = other.client.post(f"{detail}/evidence", content_type="multipart/form-data",
                                 data={"csrf_token": token, "file": [(io.BytesIO(pdf_bytes(b"x")), "x.pdf")]})
    assert response.status_code == 404


def test_no_evidence_once_the_complaint_has_ended(app, world):
    complaint = submit(world)
    cid, detail = complaint["id"], f"/complaints/{complaint['id']}"
    enterprise = Browser(app, world.users["enterprise"])
    form = enterprise.form(detail, f"{detail}/evidence")
    ok(world.api("enterprise").post(f"/api/v1/complaints/{cid}/withdraw", json={"reason": "已和解。"}))
    assert 'data-testid="evidence-input"' not in enterprise.get(detail)
    response = enterprise.client.post(f"{detail}/evidence", content_type="multipart/form-data",
                                      data={**form.fields, "file": [(io.BytesIO(pdf_bytes(b"late")), "late.pdf")]})
    assert response.status_code == 409
    assert field_errors(response.get_data(as_text=True), "file") == [
        "Evidence can be added only to a draft or while the complaint is open."]
    assert len(evidence_ids(world, cid)) == 1


def test_the_withdraw_confirmation_says_the_open_referrals_end(app, world):
    complaint = accepted(world)
    cid, detail = complaint["id"], f"/complaints/{complaint['id']}"
    enterprise = Browser(app, world.users["enterprise"])
    assert 'data-testid="withdraw-ends-referrals"' not in enterprise.get(detail)
    refer(world, cid, "police", "criminal")
    refer(world, cid, "court", "civil")
    html = enterprise.get(detail)
    warning = html.split('data-testid="withdraw-ends-referrals">')[1].split("</div>")[0]
    assert "Withdrawing ends these open referrals" in warning
    assert "上海市公安局经济犯罪侦查总队" in warning and "上海知识产权法院" in warning

    asked = enterprise.submit(detail, f"{detail}/withdraw", status=200, reason="双方已和解。")
    assert _referral_states(app, cid) == ["sent", "sent"]  # nothing changes before the confirmation
    page = asked.get_data(as_text=True)
    assert "上海市公安局经济犯罪侦查总队" in page and "上海知识产权法院" in page and "双方已和解。" in page
    confirm(enterprise.client, asked)
    assert _referral_states(app, cid) == ["withdrawn", "withdrawn"]
    html = enterprise.get(detail)
    assert 'data-testid="withdraw-ends-referrals"' not in html
    assert html.count('data-testid="referral-state">Withdrawn with the complaint<') == 2


def _form_html(html, action):
    return html.split(f'action="{action}"')[1].split("</form>")[0]


def test_an_upload_error_appears_under_its_own_form_only(app, world):
    """While supplements are asked for, the page has two forms with a file input: each error stays with its form."""
    complaint = submit(world)
    cid, detail = complaint["id"], f"/complaints/{complaint['id']}"
    clerk = world.api("clerk")
    ok(complaint_transition(clerk, cid, "claim"))
    ok(complaint_transition(clerk, cid, "request_info", message="请补充保密协议。", due_date=DUE_DATE))
    enterprise = Browser(app, world.users["enterprise"])

    evidence_error = enterprise.submit(detail, f"{detail}/evidence", status=422,
                                       files={"file": [(io.BytesIO(b""), "blank.pdf")]}).get_data(as_text=True)
    assert evidence_error.count('data-field="file"') == 1
    assert field_errors(_form_html(evidence_error, f"{detail}/evidence"), "file") == [
        "The file “blank.pdf” is empty (0 bytes): choose the file again, or another one."]
    assert 'data-field="file"' not in _form_html(evidence_error, f"{detail}/supplements")

    supplement_error = enterprise.submit(detail, f"{detail}/supplements", status=415, text="附保密协议。",
                                         files={"file": [(io.BytesIO(b"MZ\x90\x00"), "agreement.pdf")]})
    html = supplement_error.get_data(as_text=True)
    assert html.count('data-field="file"') == 1
    assert field_errors(_form_html(html, f"{detail}/supplements"), "file") == ["This type of file is not accepted."]
    assert "附保密协议。" in _form_html(html, f"{detail}/supplements")  # the answer typed is kept
    assert complaint_state(world, cid) == "awaiting_info" and len(evidence_ids(world, cid)) == 1
