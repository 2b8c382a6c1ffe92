"""The civil track as civil procedure has it (issue 8, point 9): a civil suit is filed by the enterprise.
The centre guides it to file (a filing guide, not a 移送函) or asks the court for pre-suit mediation; the
court records complete materials (V1 runs from then), registers the suit with its case number, records
the mediation's result, and rules on preservation (V2 is met by the ruling)."""
import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from tests.conftest import ApiClient
from tests.routing.support import (accepted, acknowledge_and_accept, complaint_state, create_referrals, item, ok,
                                   referral_transition, refused, snapshot)

SH = ZoneInfo("Asia/Shanghai")


def local(*args):
    return dt.datetime(*args, tzinfo=SH)


def clocks(app, referral_id, code):
    """The deadlines of rule ``code`` on the referral, oldest first."""
    from core.extensions import db
    from deadlines.models import Deadline

    with app.app_context():
        return db.session.scalars(select(Deadline).where(
            Deadline.subject_type == "referral", Deadline.subject_id == uuid.UUID(referral_id),
            Deadline.rule_code == code).order_by(Deadline.id)).all()


def outbox_events(app, complaint_id):
    from core.extensions import db
    from core.outbox import OutboxEvent

    with app.app_context():
        return [e.event for e in db.session.scalars(select(OutboxEvent).where(
            OutboxEvent.subject_id == uuid.UUID(complaint_id)).order_by(OutboxEvent.id))]


def plain_timeline(app, complaint_id):
    """The enterprise's timeline in plain (English) words, as its pages show it."""
    from core.extensions import db
    from intake.models import ComplaintEvent
    from flask_babel import force_locale

    from routing.presenters import event_text

    with app.test_request_context(), force_locale("en"):
        rows = db.session.scalars(select(ComplaintEvent).where(
            ComplaintEvent.complaint_id == uuid.UUID(complaint_id), ComplaintEvent.public.is_(True))
            .order_by(ComplaintEvent.id)).all()
        return [event_text(r) for r in rows]


def letter(world, referral_id, who="clerk"):
    response = world.api(who).get(f"/api/v1/referrals/{referral_id}/letter")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def civil_referral(world, route, complaint=None):
    complaint = complaint or accepted(world)
    referral = ok(create_referrals(world, complaint["id"], item(world, "court", "civil", civil_route=route)), 201)[0]
    return complaint, referral


# --- the route: required for a court, refused for the others -------------------------------------------

def test_the_civil_route_is_required_for_a_court_and_refused_for_any_other_agency(app, world):
    complaint = accepted(world)
    cid = complaint["id"]
    before = snapshot(app, cid)
    for items, field in (([item(world, "court", "civil", civil_route=None)], "referrals.0.civil_route"),
                         ([item(world, "police", "criminal"), {**item(world, "amr_city", "administrative"),
                                                               "civil_route": "file_suit"}],
                          "referrals.1.civil_route"),
                         ([item(world, "court", "civil", civil_route="arbitration")], "referrals.0.civil_route")):
        response = create_referrals(world, cid, *items)
        assert response.status_code == 422, response.get_json()
        assert field in response.get_json()["errors"], response.get_json()
        assert snapshot(app, cid) == before  # nothing sent, not even the valid ones


@pytest.mark.config(API_TOKEN_LIFETIME_SECONDS=365 * 86400)  # the clock moves over days
def test_guide_to_file_suit_the_filing_guide_then_complete_materials_start_v1_and_registration_needs_a_case_number(
        app, world):
    with time_machine.travel(local(2026, 12, 1, 9, 0), tick=False):  # a Tuesday
        complaint, referral = civil_referral(world, "file_suit")
        cid, rid = complaint["id"], referral["id"]
        assert referral["civil_route"] == "file_suit"
        # the court is told of the enterprise's coming suit, not of a referral
        assert "civil.filing_guided" in outbox_events(app, cid) and "referral.received" not in outbox_events(app, cid)
        html = letter(world, rid)
        assert "起诉指引" in html and "起诉所需材料" in html and "民事起诉状" in html
        assert "移送" not in html  # neither the title nor the text: a civil suit is not referred
        pdf = world.api("court").get(f"/api/v1/referrals/{rid}/letter.pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

        court = world.api("court")
        acknowledged = ok(referral_transition(court, rid, "acknowledge", officer_name="何平"))
        assert clocks(app, rid, "V1") == [] and clocks(app, rid, "V2") == []  # neither runs from receipt
        assert "materials_complete" in acknowledged["allowed_triggers"]
        assert "mediation_succeeded" not in acknowledged["allowed_triggers"]

    with time_machine.travel(local(2026, 12, 2, 10, 0), tick=False):
        done = ok(referral_transition(court, rid, "materials_complete"))
        assert done["state"] == "acknowledged" and done["materials_complete_at"].startswith("2026-12-02T02:00")
    (v1,) = clocks(app, rid, "V1")
    assert v1.state.value == "open" and v1.responsible_org_id == world.orgs["court"]
    assert v1.due_at == local(2026, 12, 9, 23, 59, 59).astimezone(dt.UTC)  # 7 days from complete materials

    # the court asked for a corrected statement of claim; complete again on the 4th: V1 starts again
    with time_machine.travel(local(2026, 12, 4, 10, 0), tick=False):
        ok(referral_transition(court, rid, "materials_complete"))
    first, second = clocks(app, rid, "V1")
    assert first.state.value == "cancelled" and second.state.value == "open"
    assert second.due_at == local(2026, 12, 11, 23, 59, 59).astimezone(dt.UTC)

    with time_machine.travel(local(2026, 12, 7, 10, 0), tick=False):
        refused(app, court, cid, rid, "accept", 422, "case_number")
        refused(app, court, cid, rid, "accept", 422, "case_number", case_number="  ")
        refused(app, court, cid, rid, "accept", 422, "case_number", case_number="（2026）沪73民初" + "1" * 100)
        registered = ok(referral_transition(court, rid, "accept", case_number="（2026）沪73民初88号"))
    assert (registered["state"], registered["agency_case_number"]) == ("accepted", "（2026）沪73民初88号")
    assert clocks(app, rid, "V1")[-1].state.value == "met"
    assert complaint_state(world, cid) == "in_progress"
    texts = plain_timeline(app, cid)
    assert ("The centre prepared a filing package and guided the enterprise to file its suit at 上海知识产权法院."
            in texts)
    assert "上海知识产权法院 registered the enterprise's suit (case number （2026）沪73民初88号)." in texts
    assert not any("Referred to 上海知识产权法院" in t for t in texts)
    assert "The centre sent the civil dispute to the court (a filing guide or pre-suit mediation)." in texts
    assert "The centre referred the complaint to the competent agencies." not in texts


def test_pre_suit_mediation_that_succeeds_ends_the_matter_with_a_mediation_agreement(app, world):
    complaint, referral = civil_referral(world, "pre_suit_mediation")
    cid, rid = complaint["id"], referral["id"]
    assert "civil.mediation_referred" in outbox_events(app, cid)
    html = letter(world, rid)
    assert "诉前调解" in html and "诉调对接" in html and "移送" not in html
    court = world.api("court")
    acknowledged = ok(referral_transition(court, rid, "acknowledge", officer_name="何平"))
    # no suit to register or to complete while the dispute is in mediation
    assert {"mediation_succeeded", "mediation_failed"} <= set(acknowledged["allowed_triggers"])
    assert not {"accept", "materials_complete"} & set(acknowledged["allowed_triggers"])
    refused(app, court, cid, rid, "accept", 422, "trigger", case_number="（2026）沪73民初1号")
    refused(app, court, cid, rid, "materials_complete", 422, "trigger")
    refused(app, court, cid, rid, "mediation_succeeded", 422, "case_number")

    done = ok(referral_transition(court, rid, "mediation_succeeded", case_number="（2026）沪73民诉前调12号",
                                  reason="双方达成调解协议，被告赔偿80万元。"))
    assert (done["state"], done["outcome"]["result"], done["agency_case_number"]) == (
        "concluded", "mediation", "（2026）沪73民诉前调12号")
    assert complaint_state(world, cid) == "concluded"
    assert "civil.concluded" in outbox_events(app, cid)
    texts = plain_timeline(app, cid)
    assert "The centre asked 上海知识产权法院 to take the dispute into pre-suit mediation (court-annexed mediation)." in texts
    assert "The pre-suit mediation at 上海知识产权法院 succeeded: the parties reached a mediation agreement." in texts


def test_a_failed_mediation_lets_the_enterprise_file_suit_on_the_same_referral(app, world):
    complaint, referral = civil_referral(world, "pre_suit_mediation")
    cid, rid = complaint["id"], referral["id"]
    court = world.api("court")
    ok(referral_transition(court, rid, "acknowledge", officer_name="何平"))
    refused(app, court, cid, rid, "mediation_failed", 422, "reason")
    failed = ok(referral_transition(court, rid, "mediation_failed", reason="被告拒绝调解。"))
    assert (failed["state"], failed["civil_route"]) == ("acknowledged", "file_suit")
    assert failed["mediation_failed_at"] is not None
    assert {"materials_complete", "accept"} <= set(failed["allowed_triggers"])
    assert not {"mediation_succeeded", "mediation_failed"} & set(failed["allowed_triggers"])
    assert "civil.mediation_failed" in outbox_events(app, cid)

    ok(referral_transition(court, rid, "materials_complete"))
    assert [d.state.value for d in clocks(app, rid, "V1")] == ["open"]
    ok(referral_transition(court, rid, "accept", case_number="（2026）沪73民初99号"))
    assert [d.state.value for d in clocks(app, rid, "V1")] == ["met"]
    concluded = ok(referral_transition(court, rid, "conclude", outcome={"result": "withdrawal"}))
    assert concluded["state"] == "concluded"
    texts = plain_timeline(app, cid)
    assert any(t.startswith("The pre-suit mediation at 上海知识产权法院 did not succeed") for t in texts)
    assert "The civil case at 上海知识产权法院 has ended. The enterprise withdrew its suit." in texts


@pytest.mark.config(API_TOKEN_LIFETIME_SECONDS=365 * 86400)
def test_a_preservation_application_opens_v2_and_the_ruling_meets_it(app, world):
    from deadlines.sweep import sweep

    with time_machine.travel(local(2026, 12, 1, 9, 0), tick=False):
        complaint, referral = civil_referral(world, "file_suit")  # the enterprise also seeks an injunction
        cid, rid = complaint["id"], referral["id"]
        court = world.api("court")
        acknowledged = ok(referral_transition(court, rid, "acknowledge", officer_name="何平"))
        assert clocks(app, rid, "V2") == []  # the wish is not an application
        assert "apply_preservation" in acknowledged["allowed_triggers"]
        assert "rule_on_preservation" not in acknowledged["allowed_triggers"]
        refused(app, court, cid, rid, "rule_on_preservation", 422, "trigger", preservation_ruling="granted", reason="x")
        refused(app, court, cid, rid, "apply_preservation", 422, "preservation_kind")
        refused(app, court, cid, rid, "apply_preservation", 422, "preservation_kind", preservation_kind="assets")

    with time_machine.travel(local(2026, 12, 1, 15, 0), tick=False):
        applied = ok(referral_transition(court, rid, "apply_preservation", preservation_kind="conduct",
                                         reason="请求责令被告停止使用涉案源代码。"))
    (v2,) = clocks(app, rid, "V2")
    assert v2.state.value == "open" and v2.due_at == local(2026, 12, 3, 15, 0).astimezone(dt.UTC)  # 48 hours
    assert [p["kind"] for p in applied["preservations"]] == ["conduct"] and applied["preservations"][0]["ruling"] is None
    assert "apply_preservation" not in applied["allowed_triggers"]  # one application waits at a time
    refused(app, court, cid, rid, "apply_preservation", 422, "trigger", preservation_kind="evidence")

    with time_machine.travel(local(2026, 12, 2, 11, 0), tick=False):
        refused(app, court, cid, rid, "rule_on_preservation", 422, "preservation_ruling", reason="情况紧急。")
        refused(app, court, cid, rid, "rule_on_preservation", 422, "reason", preservation_ruling="granted")
        ruled = ok(referral_transition(court, rid, "rule_on_preservation", preservation_ruling="granted",
                                       reason="情况紧急，不立即停止将使申请人的合法权益受到难以弥补的损害。"))
    assert ruled["preservations"][0]["ruling"] == "granted"
    assert ruled["preservations"][0]["ruling_reasons"].startswith("情况紧急")
    (v2,) = clocks(app, rid, "V2")
    assert v2.state.value == "met"

    with app.app_context():  # two days after the due time: the sweep has nothing to breach
        sweep(now=local(2026, 12, 5, 15, 0).astimezone(dt.UTC))
    (v2,) = clocks(app, rid, "V2")
    assert v2.state.value == "met" and v2.breached_at is None
    assert "deadline.breached" not in outbox_events(app, cid)
    assert "civil.preservation_ruled" in outbox_events(app, cid)
    assert "上海知识产权法院 granted the application for preservation." in plain_timeline(app, cid)

    # a second application after the ruling (property, during the suit), refused: its own V2, met too
    with time_machine.travel(local(2026, 12, 7, 10, 0), tick=False):
        ok(referral_transition(court, rid, "materials_complete"))
        ok(referral_transition(court, rid, "accept", case_number="（2026）沪73民初100号"))
        ok(referral_transition(court, rid, "apply_preservation", preservation_kind="property"))
        last = ok(referral_transition(court, rid, "rule_on_preservation", preservation_ruling="refused",
                                      reason="申请人未提供担保。"))
    assert [p["ruling"] for p in last["preservations"]] == ["granted", "refused"]
    assert [d.state.value for d in clocks(app, rid, "V2")] == ["met", "met"]


def test_only_the_courts_own_staff_record_its_actions(app, world):
    """Another court (or any other agency) does not see the referral: 404; the centre may not act: 409."""
    from accounts import services
    from accounts.enums import District, OrgKind, Role
    from accounts.services import issue_api_token
    from core.extensions import db
    from tests.conftest import PASSWORD

    complaint, referral = civil_referral(world, "file_suit")
    cid, rid = complaint["id"], referral["id"]
    acknowledge_and_accept(world, rid, "court", "（2026）沪73民初5号")
    with app.app_context():
        other = services.create_organisation(name="上海市浦东新区人民法院", kind=OrgKind.court, district=District.pudong, credit_code=None,
                                             contact_person="联系人", phone="13800000000", email="pd@court.example")
        user = services.create_user(organisation=other, email="officer@pd-court.example", name="浦东法院 用户",
                                    password=PASSWORD, role=Role.agency_officer, language="en")
        raw, _token = issue_api_token(user)
        db.session.commit()
    other_court = ApiClient(world.client, raw)
    for api in (other_court, world.api("police")):
        for trigger, body in (("apply_preservation", {"preservation_kind": "evidence"}), ("materials_complete", {}),
                              ("conclude", {"outcome": {"result": "judgment", "judgment_number": "x"}})):
            refused(app, api, cid, rid, trigger, 404, **body)
        assert api.get(f"/api/v1/referrals/{rid}").status_code == 404
    refused(app, world.api("clerk"), cid, rid, "apply_preservation", 409, preservation_kind="evidence")
    refused(app, world.api("enterprise"), cid, rid, "apply_preservation", 409, preservation_kind="evidence")


def test_the_services_with_their_field_errors(app, world):
    """The same rules at the service level: routing.referrals.create_referrals and transition_referral."""

    from accounts.models import User
    from core.errors import ValidationFailed
    from core.extensions import db
    from deadlines import services as deadlines
    from intake.models import Complaint
    from routing import referrals
    from routing.enums import CivilRoute, PreservationKind, PreservationRuling, ReferralState

    complaint = accepted(world)
    with app.test_request_context():
        clerk = db.session.get(User, world.users["clerk"]["id"])
        officer = db.session.get(User, world.users["court"]["id"])
        row = db.session.get(Complaint, uuid.UUID(complaint["id"]))
        court = uuid.UUID(world.org("court"))
        with pytest.raises(ValidationFailed) as missing:
            referrals.create_referrals(clerk, row, [{"agency_id": court, "track": _civil()}])
        assert list(missing.value.errors) == ["referrals.0.civil_route"]
        db.session.rollback()
        with pytest.raises(ValidationFailed) as extra:
            referrals.create_referrals(clerk, row, [{"agency_id": uuid.UUID(world.org("police")), "track": _criminal(),
                                                     "civil_route": CivilRoute.file_suit}])
        assert list(extra.value.errors) == ["referrals.0.civil_route"]
        db.session.rollback()

        (referral,) = referrals.create_referrals(clerk, row, [{"agency_id": court, "track": _civil(),
                                                               "civil_route": CivilRoute.pre_suit_mediation}])
        db.session.commit()

        def fire(trigger, **data):
            result = referrals.transition_referral(officer, referral, {"trigger": trigger, **data})
            db.session.commit()
            return result

        fire("acknowledge", officer_name="何平")
        fire("mediation_failed", reason="调解不成。")
        assert referral.civil_route is CivilRoute.file_suit and referral.state is ReferralState.acknowledged
        fire("materials_complete")
        assert referral.materials_complete_at is not None
        assert [d.rule_code for d in deadlines.running("referral", referral.id)] == ["V1"]
        with pytest.raises(ValidationFailed) as no_number:
            fire("accept")
        assert list(no_number.value.errors) == ["case_number"]
        db.session.rollback()
        fire("apply_preservation", preservation_kind=PreservationKind.evidence)
        assert sorted(d.rule_code for d in deadlines.running("referral", referral.id)) == ["V1", "V2"]
        fire("rule_on_preservation", preservation_ruling=PreservationRuling.refused, reason="证据不存在灭失风险。")
        assert [d.rule_code for d in deadlines.running("referral", referral.id)] == ["V1"]
        assert referral.preservations[0].ruling is PreservationRuling.refused
        fire("accept", case_number="（2026）沪73民初7号")
        assert referral.state is ReferralState.accepted and deadlines.running("referral", referral.id) == []


def _civil():
    from intake.enums import Track

    return Track.civil


def _criminal():
    from intake.enums import Track

    return Track.criminal


def test_the_courts_page_shows_exactly_the_civil_forms_allowed_and_records_through_them(app, world):
    from core.extensions import db
    from routing.models import Referral
    from tests.agencies.web import Browser, field_errors, ids_of

    complaint, referral = civil_referral(world, "pre_suit_mediation")
    page = f"/agency/referrals/{referral['id']}"
    action = f"{page}/transitions"
    court = Browser(app, world.users["court"])
    html = court.get(page)
    assert "Filing guide or mediation letter" in html and "Referral letter" not in html
    assert "The civil dispute" in html and "Sent to the court" in html and "The referral" not in html
    court.submit(page, action, "acknowledge", officer_name="何平")
    html = court.get(page)
    assert set(ids_of(html, "action-")) == {"action-mediation_succeeded", "action-mediation_failed",
                                            "action-apply_preservation", "action-decline", "action-return"}
    html = court.submit(page, action, "mediation_failed", status=422).get_data(as_text=True)
    assert field_errors(html, "reason")
    court.submit(page, action, "mediation_failed", reason="被告拒绝调解。")
    html = court.get(page)
    assert {"action-materials_complete", "action-accept"} <= set(ids_of(html, "action-"))
    assert "action-mediation_failed" not in ids_of(html, "action-")
    html = court.submit(page, action, "apply_preservation", status=422).get_data(as_text=True)
    assert field_errors(html, "preservation_kind")
    court.submit(page, action, "apply_preservation", preservation_kind="evidence")
    html = court.get(page)
    assert "action-rule_on_preservation" in ids_of(html, "action-") and "action-apply_preservation" not in ids_of(html, "action-")
    court.submit(page, action, "rule_on_preservation", preservation_ruling="granted", reason="证据可能灭失。")
    with app.app_context():
        row = db.session.get(Referral, uuid.UUID(referral["id"]))
        assert [(p.kind.value, p.ruling.value) for p in row.preservations] == [("evidence", "granted")]

    # the clerk's form: the route is asked of a court row; without it nothing is sent
    other = accepted(world)
    clerk = Browser(app, world.users["clerk"])
    triage = f"/centre/complaints/{other['id']}"
    form = clerk.form(triage, f"{triage}/referrals")
    assert "referrals-1-civil_route" in form.fields  # the suggested civil row
    response = clerk.submit(triage, f"{triage}/referrals", status=422, **{"referrals-0-agency_id": "",
                                                                         "referrals-1-civil_route": ""})
    assert field_errors(response.get_data(as_text=True), "referrals.1.civil_route")
    clerk.submit(triage, f"{triage}/referrals", **{"referrals-0-agency_id": "", "referrals-1-civil_route": "file_suit"})
    with app.app_context():
        routes = [r.civil_route.value for r in db.session.scalars(select(Referral).where(
            Referral.complaint_id == uuid.UUID(other["id"])))]
    assert routes == ["file_suit"]


@pytest.mark.parametrize("outcome, words", [
    ({"result": "judgment", "judgment_number": "（2026）沪73民初3号", "damages_amount": "500000.00"},
     "The court gave judgment."),
    ({"result": "mediation"}, "The dispute was settled by a mediation agreement."),
    ({"result": "withdrawal"}, "The enterprise withdrew its suit."),
    ({"result": "dismissed"}, "The court dismissed the claim."),
])
def test_each_court_outcome_is_told_to_the_enterprise_in_plain_words(app, world, outcome, words):
    complaint, referral = civil_referral(world, "file_suit")
    acknowledge_and_accept(world, referral["id"], "court", "（2026）沪73民初3号")
    ok(referral_transition(world.api("court"), referral["id"], "conclude", outcome=outcome))
    assert f"The civil case at 上海知识产权法院 has ended. {words}" in plain_timeline(app, complaint["id"])
