"""Issue 8, point 5: withdrawal while referrals are open. Each open referral ends as withdrawn, every clock of
it stops, its agency is told, and no agency action is possible afterwards (every referral, step, note and
consultation action answers 409); referrals that had already ended keep their state."""
import datetime as dt

import pytest

from core.errors import Conflict
from deadlines.models import Deadline  # noqa: F401  (the rows read by case_support.clocks)
from routing.enums import ReturnReason
from routing.machines import consultation_machine, referral_machine
from routing.steps import STEPS
from tests.core.test_translations import compiled  # noqa: F401
from tests.routing.case_support import (clocks, complaint as complaint_row, in_plain_chinese, notices, outbox_mark,
                                        referral, running_clocks, service, states, told, zh_timeline)
from tests.routing.support import (accepted, acknowledge_and_accept, create_referrals, item, ok, referral_transition,
                                   snapshot, step)
from tests.paging import every

REASON = "已与对方达成和解。"
BODIES = {  # a request each trigger would accept were the complaint still open
    "acknowledge": {"officer_name": "郑刚"}, "accept": {"case_number": "沪立1号"}, "decline": {"reason": "x"},
    "return": {"return_reason": "other", "reason": "x"}, "conclude": {"outcome": {"result": "case_withdrawn",
                                                                                 "summary": "x"}},
    "transfer": {"reason": "x"}, "request_supervision": {"reason": "x"}, "file_after_notice": {"case_number": "1"},
    "supplement": {"evidence_ids": []},
    # a court's civil procedure
    "mediation_succeeded": {"case_number": "1"}, "mediation_failed": {"reason": "x"},
    "apply_preservation": {"preservation_kind": "property"},
    "rule_on_preservation": {"preservation_ruling": "granted", "reason": "x"},
}


@pytest.fixture(autouse=True)
def _catalogue(compiled):  # noqa: F811
    return compiled


def due_in(days=3):
    return dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=days)


def many_referrals(world):
    """Referrals in every open state (sent, acknowledged, accepted), one ended (declined), and a consultation."""
    complaint = accepted(world)
    cid = complaint["id"]
    amr, police, court, pudong = ok(create_referrals(
        world, cid, item(world, "amr_city", "administrative"), item(world, "police", "criminal"),
        item(world, "court", "civil"), item(world, "police_pudong", "criminal")), 201)
    acknowledge_and_accept(world, amr["id"], "amr_city")
    ok(referral_transition(world.api("police"), police["id"], "acknowledge", officer_name="郑刚"))
    ok(referral_transition(world.api("police_pudong"), pudong["id"], "acknowledge", officer_name="王强"))
    ok(referral_transition(world.api("police_pudong"), pudong["id"], "decline", reason="不属本局管辖。"))
    consultation = ok(world.api("clerk").post(f"/api/v1/complaints/{cid}/consultations", json={
        "questions": ["是否构成商业秘密？"], "agency_ids": [world.org("amr_city"), world.org("procuratorate")],
        "opinion_due_at": due_in().isoformat()}), 201)
    return cid, {"amr_city": amr["id"], "police": police["id"], "court": court["id"],
                 "police_pudong": pudong["id"]}, consultation["id"]


def assert_withdrawn(app, world, cid, refs, kid, mark):
    assert states(app, cid) == ("withdrawn", {"Y01": "withdrawn", "Y02": "withdrawn", "Y03": "withdrawn",
                                              "Y04": "declined"})
    assert running_clocks(app, cid) == []  # every clock of the complaint and of each open referral stopped
    for agency in ("amr_city", "police", "court"):
        rows = clocks(app, "referral", refs[agency])
        assert rows and all(state in ("met", "cancelled") for r in rows.values() for state, _ in r), (agency, rows)
        told(app, mark, "referral.withdrawn", world.org(agency))
    assert clocks(app, "referral", refs["amr_city"])["A2"] == [("cancelled", False)]
    assert clocks(app, "referral", refs["police"])["T4"] == [("cancelled", False)]
    assert clocks(app, "referral", refs["court"])["Q4"] == [("cancelled", False)]
    assert [n for n in notices(app, mark, "referral.withdrawn")
            if world.org("police_pudong") in n[1]] == []  # the ended one is not told again
    assert set(clocks(app, "consultation", kid)["C1"]) == {("cancelled", False)}
    told(app, mark, "consultation.cancelled", world.org("amr_city"), world.org("procuratorate"))
    told(app, mark, "complaint.withdrawn", world.org("centre"))
    texts = zh_timeline(app, cid)
    assert sum("撤回" in t for t in texts[-5:]) >= 3, texts[-5:]  # the complaint and each open referral
    in_plain_chinese(texts)
    with app.app_context():
        assert complaint_row(cid).withdrawal_reason == REASON


def test_5_service_withdrawal_ends_every_open_referral_and_nothing_more_can_be_done(app, world):
    from routing import services, steps
    from routing.consultations import get_visible_consultation

    cid, refs, kid = many_referrals(world)
    mark = outbox_mark(app)
    with service(app, world, "enterprise") as enterprise:
        services.withdraw_complaint(enterprise, complaint_row(cid), REASON)
    assert_withdrawn(app, world, cid, refs, kid, mark)

    before = snapshot(app, cid)
    for who in ("amr_city", "amr_city_head", "police", "court", "police_pudong", "clerk"):
        rid = refs.get(who, refs["amr_city"] if who in ("amr_city_head", "clerk") else None)
        for trigger in referral_machine.triggers:
            with pytest.raises(Conflict), service(app, world, who) as actor:
                services.transition_referral(actor, referral(rid), {"trigger": trigger, **BODIES.get(trigger, {})})
        if who != "clerk":
            for name in STEPS:
                with pytest.raises(Conflict), service(app, world, who) as actor:
                    steps.take_step(actor, referral(rid), name, "x")
            with pytest.raises(Conflict), service(app, world, who) as actor:
                services.add_note(actor, referral(rid), "迟到的记录", False)
            with service(app, world, who) as actor:
                assert services.referral_triggers(referral(rid), actor) == []
                assert steps.allowed_steps(referral(rid), actor) == []
    with pytest.raises(Conflict), service(app, world, "clerk") as clerk:  # filing supervision of the decline
        services.transition_referral(clerk, referral(refs["police_pudong"]),
                                     {"trigger": "request_supervision", "reason": "x"})
    with pytest.raises(Conflict), service(app, world, "clerk") as clerk:
        services.create_referrals(clerk, complaint_row(cid), [{"agency_id": world.orgs["amr_putuo"],
                                                                "track": referral(refs["amr_city"]).track}])
    with pytest.raises(Conflict), service(app, world, "amr_city") as amr:
        services.submit_opinion(amr, get_visible_consultation(amr, kid), "意见")
    for trigger in consultation_machine.triggers:
        with pytest.raises(Conflict), service(app, world, "clerk") as clerk:
            services.transition_consultation(clerk, get_visible_consultation(clerk, kid), {
                "trigger": trigger, "minutes": "纪要", "conclusion": "结论"})
    with pytest.raises(Conflict), service(app, world, "clerk") as clerk:
        services.convene(clerk, complaint_row(cid), {"agency_ids": [world.orgs["police"]], "questions": ["?"],
                                                     "opinion_due_at": due_in()})
    assert snapshot(app, cid) == before


def test_5_api_after_withdrawal_every_referral_and_consultation_action_answers_409(app, world):
    cid, refs, kid = many_referrals(world)
    mark = outbox_mark(app)
    assert world.api("enterprise").post(f"/api/v1/complaints/{cid}/withdraw", json={"reason": ""}).status_code == 422
    withdrawn = ok(world.api("enterprise").post(f"/api/v1/complaints/{cid}/withdraw", json={"reason": REASON}))
    assert withdrawn["state"] == "withdrawn"
    assert_withdrawn(app, world, cid, refs, kid, mark)

    before = snapshot(app, cid)
    for who, rid in [*refs.items(), ("amr_city_head", refs["amr_city"]), ("clerk", refs["police"]),
                     ("clerk", refs["police_pudong"])]:
        api = world.api(who)
        shown = ok(api.get(f"/api/v1/referrals/{rid}"))
        assert shown["allowed_steps"] in ([], None), (who, shown)  # allowed_triggers: the test below
        for trigger in referral_machine.user_triggers:  # routing's own (withdraw) is no request: 422 on trigger
            response = referral_transition(api, rid, trigger, **BODIES.get(trigger, {}))
            assert response.status_code == 409, (who, trigger, response.get_json())
        if who != "clerk":
            for name in STEPS:
                assert step(api, rid, name, "x").status_code == 409, (who, name)
            assert api.post(f"/api/v1/referrals/{rid}/notes", json={"text": "迟到的记录"}).status_code == 409
    clerk = world.api("clerk")
    assert create_referrals(world, cid, item(world, "amr_putuo", "administrative")).status_code == 409
    assert world.api("amr_city").post(f"/api/v1/consultations/{kid}/opinions",
                                      json={"opinion": "意见"}).status_code == 409
    for trigger in consultation_machine.user_triggers:  # each with the fields it takes
        fields = {"minutes": "纪要", "conclusion": "结论"} if trigger == "record_minutes" else {}
        response = clerk.post(f"/api/v1/consultations/{kid}/transitions", json={"trigger": trigger, **fields})
        assert response.status_code == 409, (trigger, response.get_json())
    assert ok(clerk.get(f"/api/v1/consultations/{kid}"))["state"] == "cancelled"
    assert clerk.post(f"/api/v1/complaints/{cid}/consultations", json={
        "questions": ["?"], "agency_ids": [world.org("police")], "opinion_due_at": due_in().isoformat()}
    ).status_code == 409
    assert world.api("enterprise").post(f"/api/v1/complaints/{cid}/withdraw",
                                        json={"reason": REASON}).status_code == 409
    assert snapshot(app, cid) == before
    # the agencies still read what happened (withdrawn, with the complaint), nothing is pending for them
    assert ok(world.api("court").get("/api/v1/referrals?pending=true"))["items"] == []
    assert ok(world.api("court").get(f"/api/v1/referrals/{refs['court']}"))["state"] == "withdrawn"


def test_5_service_a_referral_that_was_returned_stays_returned(app, world):
    from routing import services

    complaint = accepted(world)
    cid = complaint["id"]
    first, second = ok(create_referrals(world, cid, item(world, "amr_putuo", "administrative"),
                                        item(world, "police", "criminal")), 201)
    with service(app, world, "amr_putuo") as putuo:
        services.transition_referral(putuo, referral(first["id"]), {
            "trigger": "return", "return_reason": ReturnReason.wrong_jurisdiction, "reason": "应由市局管辖。"})
    mark = outbox_mark(app)
    with service(app, world, "enterprise") as enterprise:
        services.withdraw_complaint(enterprise, complaint_row(cid), REASON)
    assert states(app, cid) == ("withdrawn", {"Y01": "returned", "Y02": "withdrawn"})
    assert [orgs for _, orgs in notices(app, mark, "referral.withdrawn")] == [frozenset({world.org("police")})]
    assert running_clocks(app, cid) == []


def test_5_api_after_withdrawal_no_referral_or_consultation_lists_a_trigger(app, world):
    cid, refs, kid = many_referrals(world)
    ok(world.api("enterprise").post(f"/api/v1/complaints/{cid}/withdraw", json={"reason": REASON}))
    for who, rid in [*refs.items(), ("clerk", refs["police_pudong"])]:
        assert ok(world.api(who).get(f"/api/v1/referrals/{rid}"))["allowed_triggers"] == [], who
        listed = every(world.api(who), f"/api/v1/complaints/{cid}/referrals") if who == "clerk" else []
        assert all(r["allowed_triggers"] == [] for r in listed), listed
