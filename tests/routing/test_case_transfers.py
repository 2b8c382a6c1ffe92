"""Issue 8, points 1-4: transfers beside a parallel referral (行刑衔接 / 反向衔接), Order 310's approval as a
gate, 反向衔接 from a declined criminal referral, and the complaint following its referrals end to end.

Each point has a test at the service level (routing's services called in a real DB world) and one
through the API (bearer tokens), and asserts the whole effect: states, links, clocks, notices, timeline.
"""
import pytest
from sqlalchemy import func, select

from core.errors import Conflict, NotFound, ValidationFailed
from intake.enums import Track
from routing.enums import ReturnReason
from tests.routing.case_support import (add_user, clocks, events, in_plain_chinese, notices, outbox_mark, referral,
                                        complaint as complaint_row, service, states, supplements, told, uid,
                                        zh_timeline)
from tests.routing.support import (CUSTOMER_LIST, accepted, acknowledge_and_accept, create_referrals, evidence_ids,
                                   item, ok, referral_transition, step)
from tests.core.test_translations import compiled  # noqa: F401
from tests.paging import every



@pytest.fixture(autouse=True)
def _catalogue(compiled):  # noqa: F811  (the Chinese .mo the timeline's words come from)
    return compiled


PROPOSAL = "查明违法所得逾50万元，涉嫌犯罪。"
TRANSFER = "涉嫌侵犯商业秘密罪，依第310号令移送公安机关。"


def parallel(world, files=2):
    """An accepted complaint referred to the market regulator (with the first file) and to the police (none)."""
    complaint = accepted(world, CUSTOMER_LIST, files=files)
    shared = evidence_ids(world, complaint["id"])
    amr, police = ok(create_referrals(world, complaint["id"], item(world, "amr_city", "administrative", shared[:1]),
                                      item(world, "police", "criminal")), 201)
    return complaint, shared, amr, police


def referral_count(app, complaint_id):
    from core.extensions import db
    from routing.models import Referral

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Referral)
                                 .where(Referral.complaint_id == uid(complaint_id)))


# --- 1. 行刑衔接 beside a parallel criminal referral ----------------------------------------------------

def test_1_service_a_transfer_attaches_to_the_police_referral_already_open(app, world):
    from routing import services, steps

    complaint, shared, amr, police = parallel(world)
    acknowledge_and_accept(world, amr["id"], "amr_city")
    ok(referral_transition(world.api("police"), police["id"], "acknowledge", officer_name="郑刚"))
    with service(app, world, "amr_city") as officer:
        steps.take_step(officer, referral(amr["id"]), "report_suspected_crime", PROPOSAL)
    with service(app, world, "amr_city_head") as head:
        steps.take_step(head, referral(amr["id"]), "approve_transfer")
    mark = outbox_mark(app)
    with service(app, world, "amr_city") as officer:
        result = services.transition_referral(officer, referral(amr["id"]), {"trigger": "transfer", "reason": TRANSFER})
        result_id = result.id

    # no 409, no second police referral: the transfer became supplementary material of the open one
    assert str(result_id) == police["id"]
    assert referral_count(app, complaint["id"]) == 2
    assert states(app, complaint["id"]) == ("in_progress", {"Y01": "transferred", "Y02": "acknowledged"})
    assert supplements(app, police["id"]) == [("transfer", amr["id"], "admin_to_criminal", [shared[0]])]
    with app.app_context():
        attached = referral(police["id"])
        assert attached.parent_id is None  # its own link is untouched; the transfer is linked by the supplement
        assert [str(e.id) for e in attached.shared_evidence] == [shared[0]]
        assert attached.transfers == [] and referral(amr["id"]).transfers[0].state.value == "sent"
    # the police are told; the centre and the enterprise too
    told(app, mark, "referral.transfer_attached", world.org("police"))
    told(app, mark, "referral.transferred", world.org("centre"), world.org("enterprise"))
    assert notices(app, mark, "referral.received") == []  # nothing new was sent
    # the market regulator's clocks end (T2 met by the hand-over); the police's decision clock (T4) starts
    # again from the receipt of the transferred case (Order 310 art. 8: three days from receipt)
    amr_clocks = clocks(app, "referral", amr["id"])
    assert amr_clocks["T1"] == [("met", False)] and amr_clocks["T2"] == [("met", False)]
    assert all(state == "met" for rows in amr_clocks.values() for state, _ in rows), amr_clocks
    assert clocks(app, "referral", police["id"])["T4"] == [("cancelled", False), ("open", False)]
    texts = zh_timeline(app, complaint["id"])
    assert any("上海市市场监督管理局" in t and "上海市公安局经济犯罪侦查总队" in t for t in texts), texts[-6:]
    in_plain_chinese(texts)


def test_1_api_a_transfer_attaches_to_the_police_and_a_transfer_back_to_the_market_regulator(app, world):
    complaint, shared, amr, police = parallel(world)
    cid = complaint["id"]
    acknowledge_and_accept(world, amr["id"], "amr_city")
    acknowledge_and_accept(world, police["id"], "police", case_number="沪公经立〔2026〕5号")
    ok(step(world.api("amr_city"), amr["id"], "report_suspected_crime", PROPOSAL))
    ok(step(world.api("amr_city_head"), amr["id"], "approve_transfer"))
    mark = outbox_mark(app)
    attached = ok(referral_transition(world.api("amr_city"), amr["id"], "transfer", reason=TRANSFER))
    assert (attached["id"], attached["state"], attached["parent_id"]) == (police["id"], "accepted", None)
    assert [e["id"] for e in attached["shared_evidence"]] == [shared[0]]
    assert referral_count(app, cid) == 2
    assert supplements(app, police["id"]) == [("transfer", amr["id"], "admin_to_criminal", [shared[0]])]
    told(app, mark, "referral.transfer_attached", world.org("police"))
    # the police can download the administrative file; the transferring agency still follows the case
    assert world.api("police").get(f"/api/v1/referrals/{police['id']}/evidence/{shared[0]}").status_code == 200
    assert ok(world.api("amr_city").get(f"/api/v1/referrals/{police['id']}"))["state"] == "accepted"
    assert ok(world.api("clerk").get(f"/api/v1/referrals/{amr['id']}"))["state"] == "transferred"
    assert states(app, cid)[0] == "in_progress"

    # 反向衔接 the other way round: the police transfer back while the market regulator holds a referral
    other = accepted(world, CUSTOMER_LIST)
    back_amr, back_police = ok(create_referrals(world, other["id"], item(world, "amr_city", "administrative"),
                                                item(world, "police", "criminal")), 201)
    ok(referral_transition(world.api("amr_city"), back_amr["id"], "acknowledge", officer_name="刘洋"))
    acknowledge_and_accept(world, back_police["id"], "police")
    mark = outbox_mark(app)
    back = ok(referral_transition(world.api("police"), back_police["id"], "transfer",
                                  reason="未达刑事追诉标准，移送行政处理。"))
    assert back["id"] == back_amr["id"] and back["state"] == "acknowledged"
    assert supplements(app, back_amr["id"]) == [("transfer", back_police["id"], "criminal_to_admin", [])]
    assert referral_count(app, other["id"]) == 2
    told(app, mark, "referral.transfer_attached", world.org("amr_city"))
    assert states(app, other["id"]) == ("in_progress", {"Y01": "acknowledged", "Y02": "transferred"})
    # the regulator's verification period starts again from the receipt of the transferred material
    assert clocks(app, "referral", back_amr["id"])["A1"] == [("cancelled", False), ("open", False)]


# --- 2. Order 310's approval is a gate --------------------------------------------------------------

def test_2_service_the_head_decides_and_only_an_approval_lets_the_case_go_to_the_police(app, world):
    from routing import services, steps

    complaint = accepted(world, CUSTOMER_LIST)
    cid = complaint["id"]
    rid = ok(create_referrals(world, cid, item(world, "amr_city", "administrative")), 201)[0]["id"]
    acknowledge_and_accept(world, rid, "amr_city")
    add_user(app, world, "putuo_head", "agency_head", "amr_putuo")

    # no transfer without the head's decision
    with pytest.raises(ValidationFailed) as refused, service(app, world, "amr_city") as officer:
        services.transition_referral(officer, referral(rid), {"trigger": "transfer", "reason": TRANSFER})
    assert "trigger" in refused.value.errors
    with pytest.raises(ValidationFailed), service(app, world, "amr_city") as officer:
        steps.take_step(officer, referral(rid), "report_suspected_crime", "  ")  # reasons are required
    mark = outbox_mark(app)
    with service(app, world, "amr_city") as officer:
        steps.take_step(officer, referral(rid), "report_suspected_crime", PROPOSAL)
    assert clocks(app, "referral", rid)["T1"] == [("open", False)] and "T2" not in clocks(app, "referral", rid)
    told(app, mark, "referral.transfer_proposed", world.org("amr_city"))
    with service(app, world, "amr_city_head") as head:
        waiting = steps.pending_transfer_decisions(head)
        assert [(str(p.referral_id), p.reason, p.state.value) for p in waiting] == [(rid, PROPOSAL, "pending")]
    with service(app, world, "putuo_head") as other_head:
        assert steps.pending_transfer_decisions(other_head) == []
        with pytest.raises(NotFound):  # another agency's head does not even see the referral
            steps.take_step(other_head, referral(rid), "approve_transfer")
    with pytest.raises(Conflict), service(app, world, "amr_city") as officer:  # the officer cannot approve
        steps.take_step(officer, referral(rid), "approve_transfer")
    with pytest.raises(ValidationFailed), service(app, world, "amr_city") as officer:
        services.transition_referral(officer, referral(rid), {"trigger": "transfer", "reason": TRANSFER})

    mark = outbox_mark(app)
    with service(app, world, "amr_city_head") as head:
        steps.take_step(head, referral(rid), "approve_transfer")
        assert steps.pending_transfer_decisions(head) == []
    assert clocks(app, "referral", rid)["T1"] == [("met", False)]
    assert clocks(app, "referral", rid)["T2"] == [("open", False)]  # 24 hours to hand over
    told(app, mark, "referral.transfer_decided", world.org("amr_city"))
    with app.app_context():
        proposal = referral(rid).approved_transfer
        assert proposal.decided_by_id == world.users["amr_city_head"]["id"] and proposal.decided_at is not None

    mark = outbox_mark(app)
    with service(app, world, "amr_city") as officer:
        child_id = services.transition_referral(officer, referral(rid), {"trigger": "transfer", "reason": TRANSFER}).id
    assert clocks(app, "referral", rid)["T2"] == [("met", False)]
    with app.app_context():
        child = referral(child_id)
        assert (str(child.parent_id), child.link_kind.value, child.track, child.agency_id, child.state.value) == (
            rid, "admin_to_criminal", Track.criminal, world.orgs["police"], "sent")
        assert referral(rid).transfers[0].state.value == "sent" and referral(rid).transfers[0].sent_at is not None
    told(app, mark, "referral.received", world.org("police"))
    assert clocks(app, "referral", child_id)["Q4"] == [("open", False)]
    # a case was open at the regulator: the complaint stays in progress while the police take it over
    assert states(app, cid) == ("in_progress", {"Y01": "transferred", "Y02": "sent"})


def test_2_service_a_refusal_closes_the_gate(app, world):
    from routing import services, steps

    complaint = accepted(world, CUSTOMER_LIST)
    rid = ok(create_referrals(world, complaint["id"], item(world, "amr_city", "administrative")), 201)[0]["id"]
    acknowledge_and_accept(world, rid, "amr_city")
    with service(app, world, "amr_city") as officer:
        steps.take_step(officer, referral(rid), "report_suspected_crime", PROPOSAL)
    with pytest.raises(ValidationFailed), service(app, world, "amr_city_head") as head:
        steps.take_step(head, referral(rid), "refuse_transfer", "")
    with service(app, world, "amr_city_head") as head:
        steps.take_step(head, referral(rid), "refuse_transfer", "证据尚不足以证明涉嫌犯罪。")
    assert clocks(app, "referral", rid)["T1"] == [("met", False)] and "T2" not in clocks(app, "referral", rid)
    with pytest.raises(ValidationFailed), service(app, world, "amr_city") as officer:
        services.transition_referral(officer, referral(rid), {"trigger": "transfer", "reason": TRANSFER})
    assert states(app, complaint["id"]) == ("in_progress", {"Y01": "accepted"})


def test_2_api_proposal_approval_and_hand_over_with_the_attacks(app, world):
    complaint = accepted(world, CUSTOMER_LIST)
    cid = complaint["id"]
    rid = ok(create_referrals(world, cid, item(world, "amr_city", "administrative")), 201)[0]["id"]
    acknowledge_and_accept(world, rid, "amr_city")
    officer, head = world.api("amr_city"), world.api("amr_city_head")
    other_head = world.api(add_user(app, world, "putuo_head", "agency_head", "amr_putuo"))

    assert referral_transition(officer, rid, "transfer", reason=TRANSFER).status_code == 422
    proposed = ok(step(officer, rid, "report_suspected_crime", PROPOSAL))
    assert "approve_transfer" not in proposed["allowed_steps"] and "transfer" not in proposed["allowed_triggers"]
    assert set(ok(head.get(f"/api/v1/referrals/{rid}"))["allowed_steps"]) >= {"approve_transfer", "refuse_transfer"}
    assert step(officer, rid, "approve_transfer").status_code == 409  # an officer cannot approve their own proposal
    assert step(other_head, rid, "approve_transfer").status_code == 404  # another agency's head
    assert other_head.get(f"/api/v1/referrals/{rid}").status_code == 404
    assert step(officer, rid, "report_suspected_crime", "再次报告").status_code == 409  # one proposal at a time
    assert clocks(app, "referral", rid)["T1"] == [("open", False)]

    approved = ok(step(head, rid, "approve_transfer"))
    assert "approve_transfer" not in approved["allowed_steps"]
    assert step(head, rid, "approve_transfer").status_code == 409  # decided once
    assert clocks(app, "referral", rid)["T1"] == [("met", False)] and clocks(app, "referral", rid)["T2"] == [
        ("open", False)]
    assert "transfer" in ok(officer.get(f"/api/v1/referrals/{rid}"))["allowed_triggers"]
    child = ok(referral_transition(officer, rid, "transfer", reason=TRANSFER))
    assert (child["parent_id"], child["link_kind"], child["agency"]["id"]) == (rid, "admin_to_criminal",
                                                                               world.org("police"))
    assert clocks(app, "referral", rid)["T2"] == [("met", False)]
    assert referral_transition(officer, rid, "transfer", reason=TRANSFER).status_code == 409  # once
    # the steps are internal: the enterprise reads the transfer, not the deliberation
    enterprise_rows = [e["kind"] for e in every(world.api("enterprise"), f"/api/v1/complaints/{cid}/timeline")]
    assert "step" not in enterprise_rows and "step" in [
        e["kind"] for e in every(world.api("clerk"), f"/api/v1/complaints/{cid}/timeline")]


def test_2_api_a_head_cannot_approve_their_own_proposal(app, world):
    complaint = accepted(world, CUSTOMER_LIST)
    rid = ok(create_referrals(world, complaint["id"], item(world, "amr_city", "administrative")), 201)[0]["id"]
    acknowledge_and_accept(world, rid, "amr_city")
    head = world.api("amr_city_head")
    ok(step(head, rid, "report_suspected_crime", PROPOSAL))
    assert step(head, rid, "approve_transfer").status_code == 409


@pytest.mark.postgres_only
def test_2_api_two_approvals_at_once_one_wins(app, world):
    from core.extensions import db
    from deadlines.models import Deadline
    from intake.models import ComplaintEvent
    from tests.conftest import ApiClient
    from tests.threads import run_together

    complaint = accepted(world, CUSTOMER_LIST)
    rid = ok(create_referrals(world, complaint["id"], item(world, "amr_city", "administrative")), 201)[0]["id"]
    acknowledge_and_accept(world, rid, "amr_city")
    ok(step(world.api("amr_city"), rid, "report_suspected_crime", PROPOSAL))
    token = world.api("amr_city_head").token
    clients = [ApiClient(app.test_client(), token) for _ in range(2)]
    results = [None, None]

    def approve(who, barrier):
        barrier.wait(timeout=30)
        response = step(clients[who], rid, "approve_transfer")
        results[who] = response.status_code

    run_together(approve, (0, 1))
    # the loser read the version the winner moved on (412), or read after the winner's commit (409: no step left)
    assert sorted(results) in ([200, 409], [200, 412]), results
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Deadline).where(
            Deadline.subject_id == uid(rid), Deadline.rule_code == "T2")) == 1
        assert db.session.scalar(select(func.count()).select_from(ComplaintEvent).where(
            ComplaintEvent.referral_id == uid(rid), ComplaintEvent.trigger == "approve_transfer")) == 1


# --- 3. 反向衔接 from a declined criminal referral ----------------------------------------------------

def test_3_service_the_police_send_a_declined_case_to_the_market_regulator(app, world):
    from routing import services

    complaint = accepted(world, files=1)
    shared = evidence_ids(world, complaint["id"])
    rid = ok(create_referrals(world, complaint["id"], item(world, "police", "criminal", shared)), 201)[0]["id"]
    ok(referral_transition(world.api("police"), rid, "acknowledge", officer_name="郑刚"))
    with service(app, world, "police") as police:
        services.transition_referral(police, referral(rid), {"trigger": "decline", "reason": "不构成犯罪。"})
    assert states(app, complaint["id"])[0] == "accepted"  # back with the centre for now
    with pytest.raises(ValidationFailed), service(app, world, "police") as police:  # reasons are required
        services.transition_referral(police, referral(rid), {"trigger": "transfer", "reason": ""})
    mark = outbox_mark(app)
    with service(app, world, "police") as police:
        child_id = services.transition_referral(police, referral(rid), {
            "trigger": "transfer", "reason": "不构成犯罪，但存在侵犯商业秘密的行政违法行为。",
            "to_agency_id": world.orgs["amr_city"]}).id
    with app.app_context():
        child = referral(child_id)
        assert (str(child.parent_id), child.link_kind.value, child.track, child.agency_id, child.state.value) == (
            rid, "criminal_to_admin", Track.administrative, world.orgs["amr_city"], "sent")
        assert child.message == "不构成犯罪，但存在侵犯商业秘密的行政违法行为。"
        assert [str(e.id) for e in child.shared_evidence] == shared
    # no longer waiting for the centre: the market regulator has it
    assert states(app, complaint["id"]) == ("referred", {"Y01": "transferred", "Y02": "sent"})
    told(app, mark, "referral.received", world.org("amr_city"))
    told(app, mark, "referral.transferred", world.org("centre"), world.org("enterprise"))
    assert clocks(app, "complaint", complaint["id"]).get("Q5", [])[-1:] == [("met", False)]
    texts = zh_timeline(app, complaint["id"])
    transfer_row = texts[-3]
    assert "上海市公安局经济犯罪侦查总队" in transfer_row and "上海市市场监督管理局" in transfer_row, texts[-3:]
    in_plain_chinese(texts)


def test_3_service_the_timeline_says_no_crime_but_an_administrative_violation(app, world):
    from flask_babel import force_locale
    from routing.machines import referral_machine
    from routing.enums import ReferralState

    complaint = accepted(world)
    rid = ok(create_referrals(world, complaint["id"], item(world, "police", "criminal")), 201)[0]["id"]
    police = world.api("police")
    ok(referral_transition(police, rid, "acknowledge", officer_name="郑刚"))
    ok(referral_transition(police, rid, "decline", reason="不构成犯罪。"))
    ok(referral_transition(police, rid, "transfer", reason="存在行政违法行为。", to_agency_id=world.org("amr_city")))
    row = next(t for e, t in zip(events(app, complaint["id"], public_only=True), zh_timeline(app, complaint["id"]))
               if e.trigger == "transfer")
    with app.test_request_context(), force_locale("zh"):
        expected = str(referral_machine.text("transfer", ReferralState.declined)) % {
            "agency": "上海市公安局经济犯罪侦查总队", "to_agency": "上海市市场监督管理局"}
    assert row == expected


def test_3_api_the_police_send_a_declined_case_to_the_market_regulator(app, world):
    complaint = accepted(world)
    cid = complaint["id"]
    rid = ok(create_referrals(world, cid, item(world, "police", "criminal")), 201)[0]["id"]
    police = world.api("police")
    ok(referral_transition(police, rid, "acknowledge", officer_name="郑刚"))
    declined = ok(referral_transition(police, rid, "decline", reason="不构成犯罪。"))
    assert "transfer" in declined["allowed_triggers"]
    # only the police transfer their own declined case; the enterprise, the centre, another agency cannot
    assert referral_transition(world.api("clerk"), rid, "transfer", reason="x").status_code == 409
    assert referral_transition(world.api("police_pudong"), rid, "transfer", reason="x").status_code == 404
    assert referral_transition(police, rid, "transfer", reason="x",
                               to_agency_id=world.org("court")).status_code == 422
    child = ok(referral_transition(police, rid, "transfer", reason="存在行政违法行为。", to_agency_id=world.org("amr_city")))
    assert (child["parent_id"], child["link_kind"], child["track"], child["state"]) == (
        rid, "criminal_to_admin", "administrative", "sent")
    assert ok(world.api("amr_city").get("/api/v1/referrals?pending=true"))["items"][0]["id"] == child["id"]
    assert ok(world.api("clerk").get(f"/api/v1/complaints/{cid}"))["state"] == "referred"
    last = every(world.api("enterprise"), f"/api/v1/complaints/{cid}/timeline")
    assert ("transfer", "transferred") in [(e["trigger"], e["to_state"]) for e in last]


# --- 4. the complaint follows its referrals, end to end ----------------------------------------------

def test_4_service_after_a_transfer_the_complaint_is_not_stuck(app, world):
    from routing import services, steps

    complaint = accepted(world, CUSTOMER_LIST)
    cid = complaint["id"]
    rid = ok(create_referrals(world, cid, item(world, "amr_city", "administrative")), 201)[0]["id"]
    acknowledge_and_accept(world, rid, "amr_city")
    with service(app, world, "amr_city") as officer:
        steps.take_step(officer, referral(rid), "report_suspected_crime", PROPOSAL)
    with service(app, world, "amr_city_head") as head:
        steps.take_step(head, referral(rid), "approve_transfer")
    with service(app, world, "amr_city") as officer:
        child_id = str(services.transition_referral(officer, referral(rid), {"trigger": "transfer",
                                                                            "reason": TRANSFER}).id)
    # the regulator had opened a case: the complaint stays in progress while the police take it over
    assert states(app, cid)[0] == "in_progress"
    with service(app, world, "police") as police:
        services.transition_referral(police, referral(child_id), {"trigger": "acknowledge", "officer_name": "郑刚"})
        services.transition_referral(police, referral(child_id), {"trigger": "accept", "case_number": "沪公立1号"})
    assert states(app, cid)[0] == "in_progress"
    mark = outbox_mark(app)
    with service(app, world, "police") as police:
        services.transition_referral(police, referral(child_id), {
            "trigger": "conclude", "outcome": {"result": "sent_for_prosecution"}})
    assert states(app, cid) == ("concluded", {"Y01": "transferred", "Y02": "concluded"})
    told(app, mark, "complaint.concluded", world.org("enterprise"))
    told(app, mark, "referral.concluded", world.org("centre"), world.org("enterprise"), world.org("amr_city"))


def test_4_service_declined_and_returned_leave_the_complaint_waiting_for_the_centre(app, world):
    from routing import services

    complaint = accepted(world)
    cid = complaint["id"]
    police_ref, amr_ref = ok(create_referrals(world, cid, item(world, "police", "criminal"),
                                              item(world, "amr_city", "administrative")), 201)
    with service(app, world, "police") as police:
        services.transition_referral(police, referral(police_ref["id"]), {"trigger": "acknowledge",
                                                                          "officer_name": "郑刚"})
        services.transition_referral(police, referral(police_ref["id"]), {"trigger": "decline",
                                                                          "reason": "证据不足。"})
    assert states(app, cid)[0] == "referred"
    mark = outbox_mark(app)
    with service(app, world, "amr_city") as amr:
        services.transition_referral(amr, referral(amr_ref["id"]), {
            "trigger": "return", "return_reason": ReturnReason.wrong_jurisdiction, "reason": "应由区局管辖。"})
    assert states(app, cid) == ("accepted", {"Y01": "declined", "Y02": "returned"})
    told(app, mark, "complaint.reopened", world.org("centre"), world.org("enterprise"))
    assert clocks(app, "complaint", cid)["Q5"] == [("open", False)]
    with app.app_context():
        assert complaint_row(cid).resolution is None


def test_4_api_declined_and_returned_wait_for_re_routing_and_a_transfer_does_not_stick(app, world):
    complaint = accepted(world)
    cid = complaint["id"]
    police_ref, amr_ref = ok(create_referrals(world, cid, item(world, "police", "criminal"),
                                              item(world, "amr_city", "administrative")), 201)
    ok(referral_transition(world.api("police"), police_ref["id"], "acknowledge", officer_name="郑刚"))
    ok(referral_transition(world.api("police"), police_ref["id"], "decline", reason="证据不足。"))
    ok(referral_transition(world.api("amr_city"), amr_ref["id"], "return", return_reason="missing_material",
                           reason="缺少保密措施证据。"))
    shown = ok(world.api("clerk").get(f"/api/v1/complaints/{cid}"))
    assert shown["state"] == "accepted"  # never concluded: the centre re-routes
    rows = every(world.api("enterprise"), f"/api/v1/complaints/{cid}/timeline")
    assert (rows[-1]["trigger"], rows[-1]["to_state"]) == ("reopen", "accepted")
    texts = zh_timeline(app, cid)
    assert "移送" in texts[-1] or "中心" in texts[-1], texts[-1]
    in_plain_chinese(texts)
    # the reasons are shown to the centre
    listed = {r["id"]: r for r in every(world.api("clerk"), f"/api/v1/complaints/{cid}/referrals")}
    assert listed[police_ref["id"]]["decline_reason"] == "证据不足。"
    assert (listed[amr_ref["id"]]["return_reason"], listed[amr_ref["id"]]["return_message"]) == (
        "missing_material", "缺少保密措施证据。")


def test_4_api_after_a_transfer_the_complaint_follows_the_police_to_the_end(app, world):
    complaint = accepted(world, CUSTOMER_LIST)
    cid = complaint["id"]
    rid = ok(create_referrals(world, cid, item(world, "amr_city", "administrative")), 201)[0]["id"]
    acknowledge_and_accept(world, rid, "amr_city")
    ok(step(world.api("amr_city"), rid, "report_suspected_crime", PROPOSAL))
    ok(step(world.api("amr_city_head"), rid, "approve_transfer"))
    child = ok(referral_transition(world.api("amr_city"), rid, "transfer", reason=TRANSFER))
    clerk = world.api("clerk")
    assert ok(clerk.get(f"/api/v1/complaints/{cid}"))["state"] == "in_progress"
    acknowledge_and_accept(world, child["id"], "police")
    assert ok(clerk.get(f"/api/v1/complaints/{cid}"))["state"] == "in_progress"
    ok(referral_transition(world.api("police"), child["id"], "conclude", outcome={"result": "sent_for_prosecution"}))
    assert ok(clerk.get(f"/api/v1/complaints/{cid}"))["state"] == "concluded"
    rows = [(e["kind"], e["trigger"], e["to_state"]) for e in every(world.api("enterprise"),
                                                                    f"/api/v1/complaints/{cid}/timeline")]
    assert rows[-1] == ("transition", "conclude", "concluded")
    assert ("transition", "refer", "referred") not in rows[rows.index(("referral", "transfer", "transferred")):]
