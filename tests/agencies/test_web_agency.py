"""The agency portal: the inbox, the referral page and its actions, notes, shared evidence, access, CSRF.

Each officer signs in through the login form and posts the page's own forms (tests/agencies/web.py).
"""
import decimal
import re
import uuid

from sqlalchemy import select

from tests.accounts.web import csrf_token
from tests.agencies.web import Browser, confirm, confirm_form, field_errors, ids_of
from tests.routing.support import CUSTOMER_LIST, accepted, approve_transfer, evidence_ids, ok, refer, referral_transition


def _referral(app, referral_id):
    from core.extensions import db
    from routing.models import Referral

    with app.app_context():
        referral = db.session.get(Referral, uuid.UUID(str(referral_id)))
        db.session.expunge(referral)
        return referral


def _complaint_state(app, complaint_id):
    from core.extensions import db
    from intake.models import Complaint

    with app.app_context():
        return db.session.get(Complaint, uuid.UUID(str(complaint_id))).state.value


def _notes(app, referral_id):
    from core.extensions import db
    from routing.models import ReferralNote

    with app.app_context():
        notes = db.session.scalars(select(ReferralNote).where(ReferralNote.referral_id == uuid.UUID(str(referral_id)))
                                   .order_by(ReferralNote.id))
        return [(n.text, n.public) for n in notes]


def _downloads(app, evidence_id):
    from core.audit import AuditEntry
    from core.extensions import db

    with app.app_context():
        return db.session.scalars(select(AuditEntry.actor_id).where(
            AuditEntry.action == "evidence.downloaded", AuditEntry.subject_id == str(evidence_id))).all()


def test_an_officer_acknowledges_accepts_and_concludes_in_the_portal(app, world):
    complaint = accepted(world)
    cid = complaint["id"]
    files = evidence_ids(world, cid)
    referral = refer(world, cid, "police", "criminal", files)
    page = f"/agency/referrals/{referral['id']}"
    action = f"{page}/transitions"

    police = Browser(app, world.users["police"])
    assert police.client.get("/").headers["Location"].endswith("/agency/inbox")
    inbox = police.get("/agency/inbox")
    assert 'data-testid="nav-inbox"' in inbox
    pending = inbox.split('data-testid="pending"')[1].split("</article>")[0]
    assert f'href="{page}"' in pending and complaint["reference"] in pending

    html = police.get(page)
    assert set(ids_of(html, "action-")) == {"action-acknowledge", "action-return"}
    assert "exhibit-0.pdf" in html and complaint["facts"] in html
    acknowledge = police.form(page, action, "acknowledge")
    assert acknowledge.fields["officer_name"] == "police 用户"  # pre-filled with the officer's name (the world fixture's)
    police.submit(page, action, "acknowledge", officer_name="郑刚")
    assert _referral(app, referral["id"]).acknowledged_by_name == "郑刚"

    html = police.submit(page, action, "accept", status=422).get_data(as_text=True)
    assert field_errors(html, "case_number") == ["This field is required for this action."]
    police.submit(page, action, "accept", case_number="沪公经立字〔2026〕88号")
    assert _referral(app, referral["id"]).agency_case_number == "沪公经立字〔2026〕88号"
    assert _complaint_state(app, cid) == "in_progress"

    police.submit(page, f"{page}/notes", text="已调取涉案服务器日志。", public="on")
    police.submit(page, f"{page}/notes", text="内部：拟对李某采取强制措施。")
    assert _notes(app, referral["id"]) == [("已调取涉案服务器日志。", True), ("内部：拟对李某采取强制措施。", False)]

    download = police.client.get(f"{page}/evidence/{files[0]}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-1.4\nexhibit 0")
    assert _downloads(app, files[0]) == [world.users["police"]["id"]]

    html = police.submit(page, action, "conclude", status=422).get_data(as_text=True)
    assert field_errors(html, "outcome.result")
    # the police's own decisions: no prosecution or judgment (the procuratorate's and the court's)
    options = html.split('name="outcome-result"')[1].split("</select>")[0]
    assert "sent_for_prosecution" in options and "case_withdrawn" in options and '"prosecuted"' not in options
    # the error names the choices by their labels, never their codes
    assert field_errors(html, "outcome.result") == [
        "Choose one of: Sent to the procuratorate for prosecution, Case withdrawn."]
    # concluding is irreversible: a page of its own asks to confirm (no JavaScript), nothing changed before
    asked = police.submit(page, action, "conclude", status=200, **{"outcome-result": "sent_for_prosecution",
                                                                   "outcome-prosecution_office": "上海市人民检察院第三分院",
                                                                   "outcome-summary": "移送审查起诉。"})
    question = asked.get_data(as_text=True)
    assert "Outcome: Sent to the procuratorate for prosecution" in question and "上海市人民检察院第三分院" in question
    assert f'href="{page}"' in question  # cancel goes back to the referral
    assert _referral(app, referral["id"]).state.value == "accepted"
    confirm(police, asked)
    concluded = _referral(app, referral["id"])
    assert concluded.state.value == "concluded"
    assert concluded.outcome == {"result": "sent_for_prosecution", "prosecution_office": "上海市人民检察院第三分院",
                                 "summary": "移送审查起诉。"}
    assert _complaint_state(app, cid) == "concluded"
    html = police.get(page)
    assert ids_of(html, "action-") == [] and 'data-testid="add-note"' not in html
    inbox = police.get("/agency/inbox")
    assert f'href="{page}"' in inbox.split('data-testid="closed"')[1]

    # the enterprise sees the outcome and the public note, never the internal one
    enterprise = Browser(app, world.users["enterprise"])
    html = enterprise.get(f"/complaints/{cid}")
    assert "Sent to the procuratorate for prosecution" in html and "移送审查起诉。" in html and "已调取涉案服务器日志。" in html
    assert "拟对李某采取强制措施" not in html
    assert "上海市公安局经济犯罪侦查总队 opened a case." in html


def test_an_administrative_penalty_needs_its_decision_number_and_keeps_the_amounts(app, world):
    complaint = accepted(world, CUSTOMER_LIST)
    referral = refer(world, complaint["id"], "amr_city", "administrative")
    ok(referral_transition(world.api("amr_city"), referral["id"], "acknowledge", officer_name="刘洋"))
    ok(referral_transition(world.api("amr_city"), referral["id"], "accept", case_number="沪市监案〔2026〕7号"))
    page = f"/agency/referrals/{referral['id']}"
    amr = Browser(app, world.users["amr_city"])
    form = amr.form(page, f"{page}/transitions", "conclude")
    assert {"outcome-decision_number", "outcome-fine_amount", "outcome-confiscation_amount"} <= set(form.fields)
    assert "outcome-court_case_number" not in form.fields

    html = amr.submit(page, f"{page}/transitions", "conclude", status=422, **{
        "outcome-result": "penalty_decision", "outcome-fine_amount": "-5"}).get_data(as_text=True)
    assert field_errors(html, "outcome.fine_amount") == [
        "An amount in yuan, e.g. 680,000 or 68万, with at most two decimals."]  # core.money's message
    html = amr.submit(page, f"{page}/transitions", "conclude", status=422, **{
        "outcome-result": "penalty_decision", "outcome-fine_amount": "50000"}).get_data(as_text=True)
    assert field_errors(html, "outcome.decision_number") == ["Give the number of the penalty decision."]
    assert _referral(app, referral["id"]).state.value == "accepted"

    # amounts as people write them (core.money), or the message that says what is expected
    html = amr.submit(page, f"{page}/transitions", "conclude", status=422, **{
        "outcome-result": "penalty_decision", "outcome-decision_number": "沪市监罚〔2026〕12号",
        "outcome-fine_amount": "5万块"}).get_data(as_text=True)
    assert field_errors(html, "outcome.fine_amount") == [
        "An amount in yuan, e.g. 680,000 or 68万, with at most two decimals."]
    assert _referral(app, referral["id"]).state.value == "accepted"
    # the long form's summary at the top: each field by its label, linking to it
    summary = html.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert 'href="#field-outcome-fine_amount">Fine (RMB)</a>' in summary and 'id="field-outcome-fine_amount"' in html

    asked = amr.submit(page, f"{page}/transitions", "conclude", status=200, **{
        "outcome-result": "penalty_decision", "outcome-decision_number": "沪市监罚〔2026〕12号",
        "outcome-fine_amount": "5万", "outcome-confiscation_amount": "12,000.50"})
    assert "Fine (RMB): ¥50,000.00" in asked.get_data(as_text=True)
    assert _referral(app, referral["id"]).state.value == "accepted"
    confirm(amr, asked)
    concluded = _referral(app, referral["id"])
    assert concluded.fine_amount == decimal.Decimal("50000.00")
    assert concluded.confiscation_amount == decimal.Decimal("12000.50")
    html = amr.get(page)
    assert "沪市监罚〔2026〕12号" in html
    # shown one way: ¥50,000.00 (core.money's filter), never the stored decimal string
    assert re.findall(r'data-testid="outcome-(\w+_amount)">([^<]*)<', html) == [
        ("fine_amount", "¥50,000.00"), ("confiscation_amount", "¥12,000.50")]


def test_a_refused_action_is_409_with_the_actions_allowed_now(app, world):
    complaint = accepted(world)
    referral = refer(world, complaint["id"], "police", "criminal")
    page = f"/agency/referrals/{referral['id']}"
    police = Browser(app, world.users["police"])
    response = police.client.post(f"{page}/transitions", data={"csrf_token": csrf_token(police.client, page),
                                                               "trigger": "accept", "case_number": "X-1"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert html.split('data-testid="allowed-now">')[1].split("<")[0] == "Acknowledge receipt, Return to the centre"
    assert _referral(app, referral["id"]).state.value == "sent"

    # a stale form: the referral was acknowledged meanwhile through the API
    acknowledge = police.form(page, f"{page}/transitions", "acknowledge")
    ok(referral_transition(world.api("police"), referral["id"], "acknowledge", officer_name="郑刚"))
    response = police.client.post(f"{page}/transitions", data={**acknowledge.fields, "officer_name": "另一人"})
    assert response.status_code == 409
    assert _referral(app, referral["id"]).acknowledged_by_name == "郑刚"


def test_a_return_sends_the_complaint_back_to_the_centre_for_rerouting(app, world):
    complaint = accepted(world, CUSTOMER_LIST)
    referral = refer(world, complaint["id"], "amr_putuo", "administrative")
    page = f"/agency/referrals/{referral['id']}"
    putuo = Browser(app, world.users["amr_putuo"])
    html = putuo.submit(page, f"{page}/transitions", "return", status=422, reason="应由市局管辖。").get_data(as_text=True)
    assert field_errors(html, "return_reason")
    putuo.submit(page, f"{page}/transitions", "return", return_reason="wrong_jurisdiction", reason="应由市局管辖。")
    assert _referral(app, referral["id"]).return_reason.value == "wrong_jurisdiction"
    assert _complaint_state(app, complaint["id"]) == "accepted"
    clerk_page = Browser(app, world.users["clerk"]).get(f"/centre/complaints/{complaint['id']}")
    assert "Wrong jurisdiction" in clerk_page and 'data-testid="referral-form"' in clerk_page


def test_an_administrative_case_is_transferred_to_public_security(app, world):
    complaint = accepted(world, CUSTOMER_LIST)
    referral = refer(world, complaint["id"], "amr_city", "administrative", evidence_ids(world, complaint["id"]))
    ok(referral_transition(world.api("amr_city"), referral["id"], "acknowledge", officer_name="刘洋"))
    ok(referral_transition(world.api("amr_city"), referral["id"], "accept", case_number="沪市监案〔2026〕8号"))
    page = f"/agency/referrals/{referral['id']}"
    amr = Browser(app, world.users["amr_city"])
    assert 'data-testid="action-transfer"' not in amr.get(page)  # Order 310: not before the head approves
    approve_transfer(world, referral["id"])
    form = amr.form(page, f"{page}/transitions", "transfer")
    assert form.fields["to_agency_id"] == ""  # automatic, or one of the public-security bureaus
    amr.submit(page, f"{page}/transitions", "transfer", reason="涉嫌犯罪，移送公安。", to_agency_id=world.org("police"))
    assert _referral(app, referral["id"]).state.value == "transferred"

    police = Browser(app, world.users["police"])
    inbox = police.get("/agency/inbox")
    new_id = inbox.split('data-testid="inbox-row"')[1].split('href="/agency/referrals/')[1].split('"')[0]
    child = _referral(app, new_id)
    assert child.parent_id == uuid.UUID(referral["id"])
    assert (child.link_kind.value, child.track.value) == ("admin_to_criminal", "criminal")
    assert "Administrative to criminal transfer" in police.get(f"/agency/referrals/{new_id}")


def test_another_agency_gets_404_and_changes_nothing(app, world):
    complaint = accepted(world)
    files = evidence_ids(world, complaint["id"])
    referral = refer(world, complaint["id"], "police", "criminal", files)
    page = f"/agency/referrals/{referral['id']}"

    other = Browser(app, world.users["police_pudong"])
    assert f'href="{page}"' not in other.get("/agency/inbox")
    for url in (page, f"{page}/evidence/{files[0]}", f"/referrals/{referral['id']}/letter",
                f"/referrals/{referral['id']}/letter.pdf", f"/agency/referrals/{uuid.uuid4()}",
                "/agency/referrals/nope"):
        other.get(url, status=404)
    token = csrf_token(other.client, "/agency/inbox")
    for action, data in ((f"{page}/transitions", {"trigger": "acknowledge", "officer_name": "冒名"}),
                         (f"{page}/notes", {"text": "冒名的记录"}),
                         # neither the confirmation page nor the confirmed conclusion of another's referral
                         (f"{page}/transitions", {"trigger": "conclude", "outcome-result": "case_withdrawn",
                                                  "outcome-summary": "冒名"}),
                         (f"{page}/transitions", {"trigger": "conclude", "outcome-result": "case_withdrawn",
                                                  "outcome-summary": "冒名", "confirmed": "yes"})):
        response = other.client.post(action, data={"csrf_token": token, **data})
        assert response.status_code == 404 and 'data-testid="confirm"' not in response.get_data(as_text=True)
    assert _referral(app, referral["id"]).state.value == "sent" and _notes(app, referral["id"]) == []
    assert _downloads(app, files[0]) == []

    # the portal is the agencies': a clerk or an enterprise gets 404 too
    Browser(app, world.users["clerk"]).get("/agency/inbox", status=404)
    Browser(app, world.users["clerk"]).get(page, status=404)
    Browser(app, world.users["enterprise"]).get(page, status=404)


def test_portal_forms_without_a_csrf_token_are_400(app, world):
    complaint = accepted(world)
    referral = refer(world, complaint["id"], "police", "criminal")
    page = f"/agency/referrals/{referral['id']}"
    police = Browser(app, world.users["police"])
    response = police.client.post(f"{page}/transitions", data={"trigger": "acknowledge", "officer_name": "郑刚"})
    assert response.status_code == 400
    assert police.client.post(f"{page}/notes", data={"text": "x"}).status_code == 400
    assert _referral(app, referral["id"]).state.value == "sent" and _notes(app, referral["id"]) == []


def test_the_agency_head_approves_a_transfer_in_the_portal(app, world, create_user):
    """The steps of Order 310 are forms too: the officer reports, the head approves (T1 met, T2 opens)."""
    from tests.routing.support import complaint_transition, ok, refer, referral_transition, submit

    head = create_user("agency_head", org_id=world.orgs["amr_city"])
    clerk, amr = world.api("clerk"), world.api("amr_city")
    complaint = submit(world)
    ok(complaint_transition(clerk, complaint["id"], "claim"))
    ok(complaint_transition(clerk, complaint["id"], "accept"))
    referral = refer(world, complaint["id"], "amr_city", "administrative")["id"]
    ok(referral_transition(amr, referral, "acknowledge", officer_name="刘洋"))
    ok(referral_transition(amr, referral, "accept", case_number="1"))
    ok(amr.post(f"/api/v1/referrals/{referral}/steps", json={"step": "report_suspected_crime", "reason": "疑似犯罪"}))

    browser = Browser(app, head)
    page = f"/agency/referrals/{referral}"
    html = browser.get(page)
    assert 'data-testid="step-approve_transfer"' in html and 'data-testid="step-refuse_transfer"' in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = browser.client.post(f"/agency/referrals/{referral}/steps",
                                   data={"csrf_token": token, "step": "approve_transfer", "reason": ""})
    assert response.status_code == 302
    assert 'data-testid="step-approve_transfer"' not in browser.get(page)
