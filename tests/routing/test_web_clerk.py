"""The centre's pages: the queue, the triage page and its forms, referrals, consultations, access, CSRF.

Each test signs in through the login form and posts the page's own forms (tests/agencies/web.py),
then checks the rows in the database.
"""
import datetime as dt
import io
import re
import uuid

from sqlalchemy import select

from tests.accounts.web import csrf_token
from tests.agencies.web import Browser, confirm, field_errors, forms_of, ids_of
from tests.evidence.support import files_under, pdf_bytes
from tests.routing.support import (CUSTOMER_LIST, DUE_DATE, accepted, complaint_transition,
                                   evidence_ids, ok, refer, referral_transition, submit)


def _complaint(app, complaint_id):
    from core.extensions import db
    from intake.models import Complaint

    with app.app_context():
        complaint = db.session.get(Complaint, uuid.UUID(str(complaint_id)))
        db.session.expunge(complaint)
        return complaint


def _referrals(app, complaint_id):
    """(agency name, track, state, evidence names, message, link kind) of each referral, in letter order."""
    from core.extensions import db
    from routing.models import Referral

    with app.app_context():
        referrals = db.session.scalars(select(Referral).where(Referral.complaint_id == uuid.UUID(str(complaint_id)))
                                       .order_by(Referral.letter_number)).all()
        return [(r.agency.name, r.track.value, r.state.value, sorted(e.display_name for e in r.shared_evidence),
                 r.message, r.link_kind.value if r.link_kind else None) for r in referrals]


def _events(app, complaint_id):
    from core.extensions import db
    from intake.models import ComplaintEvent

    with app.app_context():
        events = db.session.scalars(select(ComplaintEvent).where(
            ComplaintEvent.complaint_id == uuid.UUID(str(complaint_id))).order_by(ComplaintEvent.id)).all()
        return [(e.kind, e.trigger, e.reason, e.payload) for e in events]


def triage_url(complaint_id):
    return f"/centre/complaints/{complaint_id}"


# --- from submitted to referred ----------------------------------------------------------------------

def test_a_clerk_takes_a_complaint_from_submitted_to_referred_in_the_ui(app, world):
    complaint = submit(world)
    cid, page = complaint["id"], triage_url(complaint["id"])
    clerk = Browser(app, world.users["clerk"])

    assert clerk.client.get("/").headers["Location"].endswith("/centre/queue")
    queue = clerk.get("/centre/queue")
    assert complaint["reference"] in queue and f'href="{page}"' in queue
    assert 'data-testid="nav-queue"' in queue

    html = clerk.get(page)
    assert ids_of(html, "action-") == ["action-claim"]
    assert "exhibit-0.pdf" in html and 'data-testid="referral-form"' not in html
    clerk.submit(page, f"{page}/transitions", "claim")
    assert _complaint(app, cid).state.value == "triaging"
    assert set(ids_of(clerk.get(page), "action-")) == {"action-accept", "action-request_info", "action-reject"}

    clerk.submit(page, f"{page}/transitions", "accept", message="经审查，予以受理。")
    assert _complaint(app, cid).state.value == "accepted"

    # the suggestion with its explanations, and a referral form pre-filled from it
    html = clerk.get(page)
    assert 'data-rule="criminal_amount"' in html and 'data-rule="civil_remedy"' in html
    assert "criminal filing threshold of 300,000 RMB" in html
    form = clerk.form(page, f"{page}/referrals")
    files = evidence_ids(world, cid)
    row = {k: v for k, v in form.fields.items() if k.startswith("referrals-")}
    assert (row["referrals-0-track"], row["referrals-0-agency_id"]) == ("criminal", world.org("police_pudong"))
    assert (row["referrals-1-track"], row["referrals-1-agency_id"]) == ("civil", world.org("court"))
    assert form.fields["referrals-0-evidence_ids"] == files and form.fields["referrals-1-evidence_ids"] == files
    assert form.fields["referrals-2-agency_id"] == "" and form.fields["referrals-2-evidence_ids"] == []

    # the clerk takes the municipal police instead of the district's, and adds a covering note
    assert "referrals-1-civil_route" in form.fields and "referrals-0-civil_route" not in form.fields  # a court's only
    clerk.submit(page, f"{page}/referrals", **{"referrals-0-agency_id": world.org("police"),
                                               "referrals-0-message": "请依法审查立案。",
                                               "referrals-1-civil_route": "file_suit"})
    assert _complaint(app, cid).state.value == "referred"
    assert _referrals(app, cid) == [
        ("上海市公安局经济犯罪侦查总队", "criminal", "sent", ["exhibit-0.pdf"], "请依法审查立案。", None),
        ("上海知识产权法院", "civil", "sent", ["exhibit-0.pdf"], None, None),
    ]
    refer_event = next(p for kind, trigger, _r, p in _events(app, cid) if kind == "routing_decision")
    assert [s["track"] for s in refer_event["suggestion"]] == ["criminal", "civil"]
    assert refer_event["decision"] == [{"agency": "上海市公安局经济犯罪侦查总队", "track": "criminal"},
                                       {"agency": "上海知识产权法院", "track": "civil"}]

    html = clerk.get(page)
    assert html.count('data-testid="referral-state">Sent<') == 2
    assert "Referred to 上海市公安局经济犯罪侦查总队 (Criminal track)." in html  # the timeline in plain words
    letter_links = re.findall(r'href="(/referrals/[^"]+/letter(?:\.pdf)?)"', html)
    assert len(letter_links) == 4
    letter = clerk.client.get(letter_links[0])
    assert letter.status_code == 200 and "商业秘密案件移送函" in letter.get_data(as_text=True)
    assert f"{complaint['reference']}-Y01" in letter.get_data(as_text=True)
    pdf = clerk.client.get(letter_links[1])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    download = clerk.client.get(f"/complaints/{cid}/evidence/{files[0]}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-1.4\nexhibit 0")

    # the form stays for further referrals while the complaint is referred, cleared: neither the agencies
    # just referred nor the suggestion of a track just referred (the district police) is pre-selected
    assert 'data-testid="referral-form"' in html
    form = clerk.form(page, f"{page}/referrals")
    assert [v for k, v in form.fields.items() if k.endswith("-agency_id")] == ["", ""]
    assert not any(v for k, v in form.fields.items() if k.endswith("-evidence_ids"))
    # one timeline row per event: the referral decision says it once per referral (no routing-decision row,
    # no "the centre referred the complaint" restating them)
    rows = re.findall(r'<tr data-testid="timeline-row">(.*?)</tr>', html, re.S)
    assert len(rows) == len(set(rows))
    assert sum("Referred to" in r or "referred the complaint" in r or "routing decision" in r for r in rows) == 1


def test_a_referral_row_with_an_agency_of_the_wrong_track_is_422_and_nothing_is_sent(app, world):
    complaint = accepted(world)
    page = triage_url(complaint["id"])
    clerk = Browser(app, world.users["clerk"])
    response = clerk.submit(page, f"{page}/referrals", status=422, **{
        "referrals-2-track": "administrative", "referrals-2-agency_id": world.org("court")})
    html = response.get_data(as_text=True)
    assert field_errors(html, "referrals.2.agency_id") == ["This agency does not handle the chosen track."]
    assert 'data-testid="failure"' in html
    # the long form's summary at the top names the row and the field as the clerk reads them, linking to it
    summary = html.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert 'href="#field-referrals-2-agency_id">Referral 3: Agency</a>' in summary
    assert 'id="field-referrals-2-agency_id"' in html
    # what the clerk chose is still there, to correct
    form = [f for f in forms_of(html) if f.action == f"{page}/referrals"][0]
    assert form.fields["referrals-2-track"] == "administrative"
    assert _referrals(app, complaint["id"]) == [] and _complaint(app, complaint["id"]).state.value == "accepted"

    response = clerk.submit(page, f"{page}/referrals", status=422, **{
        "referrals-0-agency_id": "", "referrals-1-agency_id": ""})
    assert 'data-testid="failure"' in response.get_data(as_text=True)
    assert _referrals(app, complaint["id"]) == []


# --- supplements, refusals, conflicts ----------------------------------------------------------------

def test_supplements_requested_in_the_ui_and_answered_by_the_enterprise(app, world):
    complaint = submit(world)
    cid, page = complaint["id"], triage_url(complaint["id"])
    ok(complaint_transition(world.api("clerk"), cid, "claim"))
    clerk = Browser(app, world.users["clerk"])

    response = clerk.submit(page, f"{page}/transitions", "request_info", status=422, message="请补充保密协议。")
    assert field_errors(response.get_data(as_text=True), "due_date")
    assert _complaint(app, cid).state.value == "triaging"

    clerk.submit(page, f"{page}/transitions", "request_info", message="请补充保密协议。", due_date=DUE_DATE)
    assert _complaint(app, cid).state.value == "awaiting_info"

    enterprise = Browser(app, world.users["enterprise"])
    detail = f"/complaints/{cid}"
    html = enterprise.get(detail)
    assert "请补充保密协议。" in html and DUE_DATE in html

    # no text: 422, and the file sent with it is not kept
    on_disk = files_under(app.config["EVIDENCE_DIR"])
    response = enterprise.submit(detail, f"{detail}/supplements", status=422, text=" ",
                                 files={"file": [(io.BytesIO(pdf_bytes(b"nda")), "nda.pdf")]})
    assert field_errors(response.get_data(as_text=True), "text")
    assert files_under(app.config["EVIDENCE_DIR"]) == on_disk
    assert _complaint(app, cid).state.value == "awaiting_info"

    enterprise.submit(detail, f"{detail}/supplements", text="附上保密协议。",
                      files={"file": [(io.BytesIO(pdf_bytes(b"nda")), "nda.pdf")]})
    assert _complaint(app, cid).state.value == "triaging"
    assert len(evidence_ids(world, cid)) == 2
    assert ("transition", "supply_info", "附上保密协议。") in [e[:3] for e in _events(app, cid)]
    html = clerk.get(page)
    assert "nda.pdf" in html and "Supplementary information provided." in html


def test_reject_needs_a_reason_code_and_a_message(app, world):
    complaint = submit(world)
    cid, page = complaint["id"], triage_url(complaint["id"])
    ok(complaint_transition(world.api("clerk"), cid, "claim"))
    clerk = Browser(app, world.users["clerk"])

    html = clerk.submit(page, f"{page}/transitions", "reject", status=422, message="不属于商业秘密。").get_data(as_text=True)
    assert field_errors(html, "reason_code") == ["Choose why the complaint is not accepted."]
    html = clerk.submit(page, f"{page}/transitions", "reject", status=422,
                        reason_code="not_trade_secret").get_data(as_text=True)
    assert field_errors(html, "message") == ["Give a reason."]
    html = clerk.submit(page, f"{page}/transitions", "reject", status=422, reason_code="no_such_reason",
                        message="x").get_data(as_text=True)
    assert field_errors(html, "reason_code")
    assert _complaint(app, cid).state.value == "triaging"

    clerk.submit(page, f"{page}/transitions", "reject", reason_code="not_trade_secret", message="不属于商业秘密。")
    assert _complaint(app, cid).state.value == "rejected"
    reject = [p for kind, trigger, _r, p in _events(app, cid) if trigger == "reject"]
    assert reject == [{"reason_code": "not_trade_secret"}]
    # closing is irreversible: asked on a page of its own first (no JavaScript), nothing changed before
    asked = clerk.submit(page, f"{page}/transitions", "close", status=200)
    assert 'data-testid="confirm-cancel"' in asked.get_data(as_text=True)
    assert _complaint(app, cid).state.value == "rejected"
    confirm(clerk, asked)
    assert _complaint(app, cid).state.value == "closed"


def test_a_refused_action_is_409_with_the_actions_allowed_now(app, world):
    complaint = submit(world)
    cid, page = complaint["id"], triage_url(complaint["id"])
    clerk = Browser(app, world.users["clerk"])
    claim = clerk.form(page, f"{page}/transitions", "claim")

    # another clerk of the centre claims it first: the page's form is stale
    ok(complaint_transition(world.api("clerk2"), cid, "claim"))
    response = clerk.client.post(f"{page}/transitions", data=claim.fields)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else changed this record" in html
    assert 'data-testid="state">Being triaged<' in html  # the page shows the current state

    # the same trigger without a version: not possible in this state, and the page says what is
    response = clerk.client.post(f"{page}/transitions", data={**claim.fields, "version": ""})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "This action is not possible in the current state." in html
    allowed = html.split('data-testid="allowed-now">')[1].split("<")[0]
    assert allowed == "Request supplements, Accept the complaint, Do not accept the complaint"
    assert _complaint(app, cid).claimed_by_id == world.users["clerk2"]["id"]


def test_a_declined_criminal_referral_goes_to_filing_supervision_from_the_triage_page(app, world):
    complaint = accepted(world)
    cid, page = complaint["id"], triage_url(complaint["id"])
    referral = refer(world, cid, "police", "criminal", evidence_ids(world, cid))
    police = world.api("police")
    ok(referral_transition(police, referral["id"], "acknowledge", officer_name="郑刚"))
    ok(referral_transition(police, referral["id"], "decline", reason="证据不足，不予立案。"))

    clerk = Browser(app, world.users["clerk"])
    action = f"/centre/referrals/{referral['id']}/transitions"
    html = clerk.submit(page, action, "request_supervision", status=422).get_data(as_text=True)
    assert field_errors(html, "reason") == ["Give a reason."]
    clerk.submit(page, action, "request_supervision", reason="损失已达立案标准，请求立案监督。")
    assert _referrals(app, cid) == [
        ("上海市公安局经济犯罪侦查总队", "criminal", "supervision_requested", ["exhibit-0.pdf"], None, None),
        ("上海市人民检察院", "criminal", "sent", ["exhibit-0.pdf"], "损失已达立案标准，请求立案监督。",
         "filing_supervision"),
    ]
    html = clerk.get(page)
    assert 'data-testid="request-supervision"' not in html
    assert "Filing supervision by the procuratorate" in html


# --- consultations -----------------------------------------------------------------------------------

def test_a_consultation_runs_end_to_end_in_the_ui(app, world):
    from core.extensions import db
    from routing.models import Consultation

    complaint = accepted(world)
    cid, page = complaint["id"], triage_url(complaint["id"])
    clerk = Browser(app, world.users["clerk"])
    # days ahead of today in Shanghai, as a person types them in the form
    shanghai_today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    meeting_day, due_day = shanghai_today + dt.timedelta(days=12), shanghai_today + dt.timedelta(days=17)

    response = clerk.submit(page, f"{page}/consultations", status=422, questions="是否构成商业秘密？",
                            agency_ids=[world.org("police")])
    assert field_errors(response.get_data(as_text=True), "opinion_due_at")
    response = clerk.submit(page, f"{page}/consultations", questions="是否构成商业秘密？\n\n是否达到刑事立案标准？\n",
                            agency_ids=[world.org("police"), world.org("court")],
                            meeting_at=f"{meeting_day}T09:30", opinion_due_at=f"{due_day}T17:00",
                            due_reason="需等待外部鉴定意见。")
    url = response.headers["Location"]
    consultation_id = url.rsplit("/", 1)[1]
    with app.app_context():
        consultation = db.session.get(Consultation, uuid.UUID(consultation_id))
        assert consultation.questions == ["是否构成商业秘密？", "是否达到刑事立案标准？"]
        # Shanghai time in the form, aware UTC in the database
        assert consultation.opinion_due_at == dt.datetime.combine(due_day, dt.time(9, 0), tzinfo=dt.UTC)
        assert consultation.meeting_at == dt.datetime.combine(meeting_day, dt.time(1, 30), tzinfo=dt.UTC)
        assert sorted(i.agency.name for i in consultation.invitations) == ["上海市公安局经济犯罪侦查总队", "上海知识产权法院"]
    html = clerk.get(url)
    assert f"{due_day} 17:00" in html and "是否达到刑事立案标准？" in html
    assert set(ids_of(html, "action-")) == {"action-request_opinions", "action-record_minutes"}
    assert 'data-testid="submit-opinion"' not in html  # the centre is not invited
    clerk.submit(url, f"{url}/transitions", "request_opinions")

    police = Browser(app, world.users["police"])
    inbox = police.get("/agency/inbox")
    assert f'href="{url}"' in inbox
    response = police.submit(url, f"{url}/opinions", status=422)
    assert field_errors(response.get_data(as_text=True), "opinion")
    police.submit(url, f"{url}/opinions", opinion="已达到刑事立案标准，建议由公安机关立案侦查。")
    html = police.get(url)
    assert "已达到刑事立案标准，建议由公安机关立案侦查。" in html and ids_of(html, "action-") == []
    court = Browser(app, world.users["court"])
    court.submit(url, f"{url}/opinions", opinion="可同步提起民事诉讼并申请行为保全。")

    response = clerk.submit(url, f"{url}/transitions", "record_minutes", status=422, minutes="会商纪要……")
    assert field_errors(response.get_data(as_text=True), "conclusion")
    assert 'href="#field-conclusion">Conclusion</a>' in response.get_data(as_text=True)  # the error summary
    clerk.submit(url, f"{url}/transitions", "record_minutes", minutes="会商纪要：各方意见一致。",
                 conclusion="刑事优先，民事同步。")
    # closing is irreversible: a page of its own asks first, nothing changed before
    asked = clerk.submit(url, f"{url}/transitions", "close", status=200)
    with app.app_context():
        assert db.session.get(Consultation, uuid.UUID(consultation_id)).state.value == "minuted"
    confirm(clerk, asked)
    with app.app_context():
        consultation = db.session.get(Consultation, uuid.UUID(consultation_id))
        assert consultation.state.value == "closed" and consultation.conclusion == "刑事优先，民事同步。"
        assert sorted(i.opinion for i in consultation.invitations) == [
            "可同步提起民事诉讼并申请行为保全。", "已达到刑事立案标准，建议由公安机关立案侦查。"]
    # too late for opinions now
    response = police.client.post(f"{url}/opinions", data={"csrf_token": csrf_token(police.client, "/account"),
                                                          "opinion": "补充意见"})
    assert response.status_code == 409
    triggers = [trigger for kind, trigger, _r, _p in _events(app, cid) if kind == "consultation"]
    assert triggers == ["convene", "request_opinions", "opinion", "opinion", "record_minutes", "conclusion", "close"]
    html = clerk.get(page)
    assert f'href="{url}"' in html and "A consultation of the agencies was convened." in html

    # neither an agency not invited, nor another centre, nor the enterprise opens it
    for key in ("amr_city", "other_clerk", "enterprise"):
        Browser(app, world.users[key]).get(url, status=404)


# --- the queue ---------------------------------------------------------------------------------------

def test_the_queue_filters_and_pages(app, world):
    from core.extensions import db
    from intake.models import Complaint

    first = submit(world, files=0)
    second = submit(world, CUSTOMER_LIST, files=0)
    submit(world, who="other_enterprise", files=0)  # goes to the other centre
    ok(complaint_transition(world.api("clerk"), second["id"], "claim"))
    with app.app_context():
        db.session.get(Complaint, uuid.UUID(first["id"])).key_case = True
        db.session.commit()
    clerk = Browser(app, world.users["clerk"])

    def references(url):
        html = clerk.get(url)
        return [r for r in (first["reference"], second["reference"]) if r in html], html

    assert references("/centre/queue")[0] == [first["reference"], second["reference"]]
    assert references("/centre/queue?infringer=鲜达")[0] == [second["reference"]]
    assert references("/centre/queue?state=triaging&track=&district=")[0] == [second["reference"]]
    assert references("/centre/queue?state=submitted&state=triaging")[0] == [first["reference"], second["reference"]]
    assert references("/centre/queue?key_case=true")[0] == [first["reference"]]
    assert references("/centre/queue?district=xuhui")[0] == []
    found, html = references("/centre/queue?per_page=1&infringer=某")
    assert found == [first["reference"]]  # key cases first
    next_link = html.split('data-testid="next-page"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert "infringer=" in next_link and "page=2" in next_link
    assert references(next_link)[0] == [second["reference"]]

    response = clerk.client.get("/centre/queue?district=atlantis")
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "district") == ["Not a valid choice."]


# --- access ------------------------------------------------------------------------------------------

def test_another_centre_and_other_roles_get_404(app, world):
    complaint = accepted(world)
    cid, page = complaint["id"], triage_url(complaint["id"])
    referral = refer(world, cid, "police", "criminal")
    before = _complaint(app, cid).version

    other = Browser(app, world.users["other_clerk"])
    token = csrf_token(other.client, "/account")
    assert complaint["reference"] not in other.get("/centre/queue")
    other.get(page, status=404)
    other.get(f"/referrals/{referral['id']}/letter", status=404)
    other.get(f"/referrals/{referral['id']}/letter.pdf", status=404)
    for action, data in ((f"{page}/transitions", {"trigger": "close"}),
                         (f"{page}/transitions", {"trigger": "close", "confirmed": "yes"}),
                         (f"{page}/supervision/lift", {"closing_note": "冒名", "confirmed": "yes"}),
                         (f"{page}/referrals", {"referrals-0-track": "civil",
                                                "referrals-0-agency_id": world.org("court")}),
                         (f"{page}/consultations", {"questions": "?", "agency_ids": world.org("court"),
                                                    "opinion_due_at": "2026-12-20T17:00"}),
                         (f"/centre/referrals/{referral['id']}/transitions", {"trigger": "request_supervision"})):
        assert other.client.post(action, data={"csrf_token": token, **data}).status_code == 404, action
    assert _complaint(app, cid).version == before and len(_referrals(app, cid)) == 1

    enterprise = Browser(app, world.users["enterprise"])
    enterprise.get("/centre/queue", status=404)
    enterprise.get(page, status=404)
    officer = Browser(app, world.users["police"])
    officer.get("/centre/queue", status=404)
    officer.get(page, status=404)
    # the supervisor reads the triage page, without the clerk's actions
    supervisor = Browser(app, world.users["supervisor"])
    html = supervisor.get(page)
    assert ids_of(html, "action-") == [] and 'data-testid="referral-form"' not in html


def test_forms_without_a_csrf_token_are_400_and_change_nothing(app, world):
    complaint = submit(world)
    cid, page = complaint["id"], triage_url(complaint["id"])
    clerk = Browser(app, world.users["clerk"])
    for action, data in ((f"{page}/transitions", {"trigger": "claim"}),
                         (f"{page}/referrals", {"referrals-0-track": "civil",
                                                "referrals-0-agency_id": world.org("court")}),
                         (f"{page}/consultations", {"questions": "?", "agency_ids": world.org("court"),
                                                    "opinion_due_at": "2026-12-20T17:00"})):
        response = clerk.client.post(action, data=data)
        assert response.status_code == 400, action
        assert "CSRF" in response.get_data(as_text=True) or "csrf" in response.get_data(as_text=True).lower()
    assert _complaint(app, cid).state.value == "submitted"
    assert [e[1] for e in _events(app, cid)] == [None, None, "submit"]


# --- after a return or decline: re-routing, supplements, further evidence, guidance (issue 8) ---------

def _return(world, referral_id, officer, reason="wrong_jurisdiction", message="不属本局管辖，请转有管辖权的机关。"):
    ok(referral_transition(world.api(officer), referral_id, "return", return_reason=reason, reason=message))


def _withdraw(world, complaint_id):
    ok(world.api("enterprise").post(f"/api/v1/complaints/{complaint_id}/withdraw", json={"reason": "已和解。"}))


def _outbox(app, event):
    from core.extensions import db
    from core.outbox import OutboxEvent

    with app.app_context():
        return [(e.organisation_ids, e.params) for e in db.session.scalars(
            select(OutboxEvent).where(OutboxEvent.event == event).order_by(OutboxEvent.id))]


def _outsider_posts(app, world, action, fields) -> int:
    """The status another centre's clerk gets posting this form (with a CSRF token of their own session)."""
    outsider = Browser(app, world.users["other_clerk"])
    return outsider.client.post(action, data={**fields, "csrf_token": csrf_token(outsider.client, "/centre/queue")}
                                ).status_code


def _running(app, complaint_id, code):
    from core.extensions import db
    from deadlines.models import Deadline, DeadlineState

    with app.app_context():
        return db.session.scalars(select(Deadline).where(
            Deadline.subject_type == "complaint", Deadline.subject_id == uuid.UUID(str(complaint_id)),
            Deadline.rule_code == code, Deadline.state == DeadlineState.open)).all()


def test_a_returned_referral_shows_its_reason_and_is_rerouted_to_a_new_referral_linked_to_it(app, world):
    complaint = accepted(world, CUSTOMER_LIST)
    cid, page = complaint["id"], triage_url(complaint["id"])
    returned = refer(world, cid, "amr_putuo", "administrative", evidence_ids(world, cid))
    clerk = Browser(app, world.users["clerk"])
    reroute = f"/centre/referrals/{returned['id']}/reroute"
    assert f'action="{reroute}"' not in clerk.get(page)  # still open: nothing to re-route

    _return(world, returned["id"], "amr_putuo")
    assert _complaint(app, cid).state.value == "accepted"  # back with the centre
    html = clerk.get(page)
    came_back = html.split('data-testid="came-back">')[1].split("</blockquote>")[0]
    assert "Wrong jurisdiction" in came_back and "不属本局管辖，请转有管辖权的机关。" in came_back
    form = clerk.form(page, reroute)
    assert form.fields["track"] == "administrative" and form.fields["evidence_ids"] == evidence_ids(world, cid)
    assert world.org("amr_putuo") not in html.split(f'action="{reroute}"')[1].split("</form>")[0]

    # field errors on the same page, nothing sent
    html = clerk.submit(page, reroute, status=422).get_data(as_text=True)
    assert field_errors(html, "agency_id") and '<details open data-testid="reroute">' in html
    html = clerk.submit(page, reroute, status=422, agency_id=world.org("court")).get_data(as_text=True)
    assert field_errors(html, "agency_id") == ["This agency does not handle the chosen track."]
    assert len(_referrals(app, cid)) == 1

    clerk.submit(page, reroute, agency_id=world.org("amr_city"), message="请贵局依法处理。")
    assert _referrals(app, cid) == [
        ("上海市普陀区市场监督管理局", "administrative", "returned", ["exhibit-0.pdf"], None, None),
        ("上海市市场监督管理局", "administrative", "sent", ["exhibit-0.pdf"], "请贵局依法处理。", "reroute"),
    ]
    assert _complaint(app, cid).state.value == "referred"
    html = clerk.get(page)
    assert f'action="{reroute}"' not in html  # followed up once
    assert 'data-testid="followed-by"' in html and "Re-routed after a return" in html
    number = complaint["reference"] + "-Y01"
    assert f"(after {number})" in html

    # the old form again: the service refuses a second follow-up, on the same page
    stale = clerk.client.post(reroute, data={**form.fields, "agency_id": world.org("amr_city")})
    assert stale.status_code == 409 and "Someone else changed this record" in stale.get_data(as_text=True)
    html = clerk.client.post(reroute, data={**form.fields, "agency_id": world.org("amr_city"), "version": ""})
    assert html.status_code == 422
    assert field_errors(html.get_data(as_text=True), "reroute_of") == ["This referral has already been followed up."]

    # another centre's clerk: 404; a withdrawn complaint: 409 with the banner
    assert _outsider_posts(app, world, reroute, form.fields) == 404


def test_rerouting_to_a_court_asks_how_the_court_takes_up_the_dispute(app, world):
    complaint = accepted(world, CUSTOMER_LIST)
    cid, page = complaint["id"], triage_url(complaint["id"])
    returned = refer(world, cid, "amr_putuo", "administrative")
    _return(world, returned["id"], "amr_putuo")
    clerk = Browser(app, world.users["clerk"])
    reroute = f"/centre/referrals/{returned['id']}/reroute"
    html = clerk.submit(page, reroute, status=422, track="civil", agency_id=world.org("court")).get_data(as_text=True)
    assert field_errors(html, "civil_route") and len(_referrals(app, cid)) == 1
    clerk.submit(page, reroute, track="civil", agency_id=world.org("court"), civil_route="pre_suit_mediation")
    from core.extensions import db
    from routing.models import Referral

    with app.app_context():
        made = db.session.scalar(select(Referral).where(Referral.complaint_id == uuid.UUID(cid),
                                                        Referral.parent_id == uuid.UUID(returned["id"])))
        assert (made.civil_route.value, made.link_kind.value) == ("pre_suit_mediation", "reroute")


def test_rerouting_a_withdrawn_complaint_is_409_on_the_page(app, world):
    complaint = accepted(world, CUSTOMER_LIST)
    cid, page = complaint["id"], triage_url(complaint["id"])
    returned = refer(world, cid, "amr_putuo", "administrative")
    _return(world, returned["id"], "amr_putuo")
    clerk = Browser(app, world.users["clerk"])
    reroute = f"/centre/referrals/{returned['id']}/reroute"
    form = clerk.form(page, reroute)
    _withdraw(world, cid)
    response = clerk.client.post(reroute, data={**form.fields, "agency_id": world.org("amr_city")})
    assert response.status_code == 409
    assert 'data-testid="failure"' in response.get_data(as_text=True)
    assert len(_referrals(app, cid)) == 1
    assert f'action="{reroute}"' not in clerk.get(page)


def test_the_clerk_asks_for_supplements_after_acceptance_and_the_centre_clock_pauses(app, world):
    complaint = accepted(world, CUSTOMER_LIST)
    cid, page = complaint["id"], triage_url(complaint["id"])
    returned = refer(world, cid, "amr_putuo", "administrative")
    _return(world, returned["id"], "amr_putuo", reason="missing_material", message="缺少客户名单导出记录。")
    [q5] = _running(app, cid, "Q5")  # the centre's re-routing clock runs
    assert q5.paused_at is None
    clerk = Browser(app, world.users["clerk"])
    action = f"{page}/transitions"

    html = clerk.submit(page, action, "request_info", status=422, message="请补充导出记录。").get_data(as_text=True)
    assert field_errors(html, "due_date") == ["Give the date by which the enterprise should answer."]
    html = clerk.submit(page, action, "request_info", status=422, due_date=DUE_DATE).get_data(as_text=True)
    assert field_errors(html, "message") == ["Give a reason."]

    clerk.submit(page, action, "request_info", message="请补充CRM导出记录。", due_date=DUE_DATE)
    assert _complaint(app, cid).state.value == "accepted" and _complaint(app, cid).supplement_requested_at
    [q5] = _running(app, cid, "Q5")
    assert q5.paused_at is not None
    html = clerk.get(page)
    assert 'data-testid="supplement-pending"' in html
    assert 'data-testid="action-request_info"' not in html  # one open request at a time (the guard's state part)
    assert _outbox(app, "complaint.info_requested")[-1][0] == [world.org("enterprise")]

    enterprise = Browser(app, world.users["enterprise"])
    detail = f"/complaints/{cid}"
    assert "请补充CRM导出记录。" in enterprise.get(detail)
    enterprise.submit(detail, f"{detail}/supplements", text="附上导出记录。",
                      files={"file": [(io.BytesIO(pdf_bytes(b"crm export")), "导出记录.pdf")]})
    assert _complaint(app, cid).supplement_requested_at is None
    [q5] = _running(app, cid, "Q5")
    assert q5.paused_at is None
    assert 'data-testid="action-request_info"' in clerk.get(page)

    # wrong state: a rejected complaint has no request for supplements (409), another centre 404
    other = submit(world)
    ok(complaint_transition(world.api("clerk"), other["id"], "claim"))
    form = clerk.form(triage_url(other["id"]), f"{triage_url(other['id'])}/transitions", "request_info")
    ok(complaint_transition(world.api("clerk"), other["id"], "reject", reason_code="not_trade_secret", message="否"))
    response = clerk.client.post(f"{triage_url(other['id'])}/transitions",
                                 data={**form.fields, "message": "x", "due_date": DUE_DATE, "version": ""})
    assert response.status_code == 409
    assert _outsider_posts(app, world, action, {**form.fields, "message": "x", "due_date": DUE_DATE}) == 404


def test_further_evidence_goes_to_a_referral_already_sent_and_the_agency_downloads_it(app, world):
    complaint = accepted(world, files=2)
    cid, page = complaint["id"], triage_url(complaint["id"])
    first, second = evidence_ids(world, cid)
    referral = refer(world, cid, "police", "criminal", [first])
    clerk = Browser(app, world.users["clerk"])
    action = f"/centre/referrals/{referral['id']}/evidence"
    form = clerk.form(page, action)
    html = clerk.get(page).split(f'action="{action}"')[1].split("</form>")[0]
    assert second in html and first not in html  # only the files not yet sent

    response = clerk.submit(page, action, status=422, evidence_ids=[second])
    assert field_errors(response.get_data(as_text=True), "confirm") == ["Tick the box to confirm."]
    response = clerk.submit(page, action, status=422, confirm="yes")
    assert field_errors(response.get_data(as_text=True), "evidence_ids") == ["Choose the evidence to send."]
    assert _referrals(app, cid)[0][3] == ["exhibit-0.pdf"]

    clerk.submit(page, action, evidence_ids=[second], reason="补充证据：离职交接清单。", confirm="yes")
    assert _referrals(app, cid)[0][3] == ["exhibit-0.pdf", "exhibit-1.pdf"]
    assert _outbox(app, "referral.supplemented")[-1][0] == [world.org("police")]
    assert f'action="{action}"' not in clerk.get(page)  # every file is with the agency now

    police = Browser(app, world.users["police"])
    html = police.get(f"/agency/referrals/{referral['id']}")
    supplements = html.split('data-testid="supplements"')[1].split("</article>")[0]
    assert "Further evidence from the centre" in supplements and "补充证据：离职交接清单。" in supplements
    link = re.search(r'href="([^"]+)" data-testid="supplement-evidence-link">exhibit-1.pdf<', supplements).group(1)
    download = police.client.get(link)
    assert download.status_code == 200 and download.data.startswith(b"%PDF-1.4\nexhibit 1")

    # another centre's clerk: 404; once withdrawn: 409
    assert _outsider_posts(app, world, action, {**form.fields, "evidence_ids": [second], "confirm": "yes"}) == 404
    _withdraw(world, cid)
    response = clerk.client.post(action, data={**form.fields, "evidence_ids": [second], "confirm": "yes",
                                               "version": ""})
    assert response.status_code == 409 and 'data-testid="failure"' in response.get_data(as_text=True)


def test_the_centre_concludes_a_complaint_with_guidance_only_when_nothing_is_open(app, world):
    complaint = accepted(world, CUSTOMER_LIST)
    cid, page = complaint["id"], triage_url(complaint["id"])
    clerk = Browser(app, world.users["clerk"])
    action = f"{page}/resolve"
    assert 'data-testid="action-resolve"' in clerk.get(page)
    form = clerk.form(page, action)

    html = clerk.submit(page, action, status=422).get_data(as_text=True)
    assert field_errors(html, "message") and field_errors(html, "confirm") == ["Tick the box to confirm."]
    html = clerk.submit(page, action, status=422, message="建议先行与对方协商。").get_data(as_text=True)
    assert field_errors(html, "confirm") and _complaint(app, cid).state.value == "accepted"

    # another centre: 404
    assert _outsider_posts(app, world, action, {**form.fields, "message": "x", "confirm": "yes"}) == 404

    clerk.submit(page, action, message="已指导企业完善保密措施并与对方协商。", confirm="yes")
    stored = _complaint(app, cid)
    assert stored.state.value == "concluded" and stored.resolution == "已指导企业完善保密措施并与对方协商。"
    assert _referrals(app, cid) == []
    html = clerk.get(page)
    assert 'data-testid="action-resolve"' not in html
    assert "The centre concluded the complaint with guidance" in html
    assert _outbox(app, "complaint.resolved")[-1][0] == [world.org("enterprise")]
    # the same form again: not possible in this state
    response = clerk.client.post(action, data={**form.fields, "message": "x", "confirm": "yes", "version": ""})
    assert response.status_code == 409 and 'data-testid="failure"' in response.get_data(as_text=True)


def test_guidance_is_not_offered_while_a_referral_is_open(app, world):
    complaint = accepted(world, CUSTOMER_LIST)
    cid, page = complaint["id"], triage_url(complaint["id"])
    clerk = Browser(app, world.users["clerk"])
    form = clerk.form(page, f"{page}/resolve")
    referral = refer(world, cid, "amr_putuo", "administrative")
    assert 'data-testid="action-resolve"' not in clerk.get(page)
    _return(world, referral["id"], "amr_putuo")
    assert 'data-testid="action-resolve"' in clerk.get(page)  # back with the centre, nothing open
    ok(create_referrals_api(world, cid), 201)
    response = clerk.client.post(f"{page}/resolve", data={**form.fields, "message": "x", "confirm": "yes",
                                                          "version": ""})
    assert response.status_code in (409, 422)
    assert _complaint(app, cid).state.value == "referred"


def create_referrals_api(world, cid):
    from tests.routing.support import create_referrals, item

    return create_referrals(world, cid, item(world, "amr_city", "administrative"))


def test_the_minutes_refer_the_complaint_from_the_web_form_whoever_convened(app, world):
    """Issue 8 point 7: the minutes' form decides referrals (here a supervisor convened); a bad row is a field
    error of that row and nothing is written."""
    from core.extensions import db
    from routing.models import Consultation, Referral

    complaint = accepted(world)
    cid = complaint["id"]
    due = (dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3)).isoformat()
    made = ok(world.api("supervisor").post(f"/api/v1/complaints/{cid}/consultations", json={
        "questions": ["由哪一途径牵头？"], "agency_ids": [world.org("police")], "opinion_due_at": due}), 201)
    url = f"/consultations/{made['id']}"
    supervisor = Browser(app, world.users["supervisor"])
    html = supervisor.get(url)
    assert html.count('data-testid="referral-row"') == 2
    minutes = {"minutes": "会商纪要：由公安机关牵头。", "conclusion": "移送公安机关。"}
    # a court chosen for the criminal track: the row's own field error, no referral, no minutes
    response = supervisor.submit(url, f"{url}/transitions", "record_minutes", status=422, **minutes,
                                 **{"referrals-0-track": "criminal", "referrals-0-agency_id": world.org("court")})
    assert field_errors(response.get_data(as_text=True), "referrals.0.agency_id")
    with app.app_context():
        assert db.session.scalar(select(Referral.id).where(Referral.complaint_id == uuid.UUID(cid))) is None
        assert db.session.get(Consultation, uuid.UUID(made["id"])).state.value == "convened"
    supervisor.submit(url, f"{url}/transitions", "record_minutes", **minutes,
                      **{"referrals-0-track": "criminal", "referrals-0-agency_id": world.org("police"),
                         "referrals-0-evidence_ids": evidence_ids(world, cid)})
    with app.app_context():
        [referral] = db.session.scalars(select(Referral).where(Referral.complaint_id == uuid.UUID(cid))).all()
        assert (str(referral.agency_id), referral.track.value, referral.state.value) == (
            world.org("police"), "criminal", "sent")
        assert db.session.get(Consultation, uuid.UUID(made["id"])).state.value == "minuted"
    assert 'data-testid="referral-row"' not in supervisor.get(url)  # minuted: no form any more
