"""Issue 8, point 6: returns and re-routing. A returned or declined referral puts the complaint back to the
centre with the reason shown; the clerk asks the enterprise for supplements after acceptance (the centre's
re-routing clock Q5 pauses while Q3 runs), sends further evidence to a referral already sent (the agency is
told and can download it), and re-refers, the new referral linked to the returned one (``reroute``)."""
import datetime as dt

import pytest

from core.errors import ValidationFailed
from intake.enums import Track
from routing.enums import ReturnReason
from tests.core.test_translations import compiled  # noqa: F401
from tests.evidence.support import pdf_bytes, upload
from tests.routing.case_support import (clocks, complaint as complaint_row, events, in_plain_chinese, outbox_mark,
                                        referral, service, states, supplements, told, uid, zh_timeline)
from tests.routing.support import (accepted, complaint_transition, create_referrals, evidence_ids, item, ok,
                                   referral_transition)
from tests.paging import every

REPLY_BY = dt.date.today() + dt.timedelta(days=10)


@pytest.fixture(autouse=True)
def _catalogue(compiled):  # noqa: F811
    return compiled


def came_back(world, files=2):
    """Referred to the Putuo regulator (with the first file) and the police; Putuo returns it, the police decline."""
    complaint = accepted(world, files=files)
    cid = complaint["id"]
    shared = evidence_ids(world, cid)
    putuo, police = ok(create_referrals(world, cid, item(world, "amr_putuo", "administrative", shared[:1]),
                                        item(world, "police", "criminal")), 201)
    ok(referral_transition(world.api("amr_putuo"), putuo["id"], "return", return_reason="wrong_jurisdiction",
                           reason="依第126号令应由市局管辖。"))
    ok(referral_transition(world.api("police"), police["id"], "acknowledge", officer_name="郑刚"))
    return cid, shared, putuo["id"], police["id"]


def test_6_service_return_supplements_further_evidence_and_reroute(app, world):
    from routing import services

    cid, shared, putuo_id, police_id = came_back(world)
    assert states(app, cid)[0] == "referred"  # the police referral is still open
    mark = outbox_mark(app)
    with service(app, world, "police") as police:
        services.transition_referral(police, referral(police_id), {"trigger": "decline", "reason": "尚未达到立案标准。"})
    # back to the centre, with the reasons
    assert states(app, cid) == ("accepted", {"Y01": "returned", "Y02": "declined"})
    told(app, mark, "complaint.reopened", world.org("centre"), world.org("enterprise"))
    assert clocks(app, "complaint", cid)["Q5"] == [("open", False)]
    with app.app_context():
        assert (referral(putuo_id).return_reason, referral(putuo_id).return_message) == (
            ReturnReason.wrong_jurisdiction, "依第126号令应由市局管辖。")
        assert referral(police_id).decline_reason == "尚未达到立案标准。"
    rows = [(e.trigger, e.reason) for e in events(app, cid, public_only=True)]
    assert ("return", "依第126号令应由市局管辖。") in rows and ("decline", "尚未达到立案标准。") in rows

    # supplements after acceptance: the state stays, Q5 pauses while the enterprise has until its date (Q3)
    mark = outbox_mark(app)
    with pytest.raises(ValidationFailed), service(app, world, "clerk") as clerk:
        services.triage(clerk, complaint_row(cid), {"trigger": "request_info", "message": "请补充损失证明。"})
    with service(app, world, "clerk") as clerk:
        services.triage(clerk, complaint_row(cid), {"trigger": "request_info", "message": "请补充损失证明。",
                                                    "due_date": REPLY_BY})
    with app.app_context():
        assert complaint_row(cid).state.value == "accepted" and complaint_row(cid).supplement_requested_at
    assert clocks(app, "complaint", cid)["Q5"] == [("open", True)]
    assert clocks(app, "complaint", cid)["Q3"] == [("open", False)]
    told(app, mark, "complaint.info_requested", world.org("enterprise"))
    mark = outbox_mark(app)
    with service(app, world, "enterprise") as enterprise:
        services.supply_info(enterprise, complaint_row(cid), "已上传审计报告。")
    assert clocks(app, "complaint", cid)["Q5"] == [("open", False)]  # running again
    assert clocks(app, "complaint", cid)["Q3"] == [("met", False)]
    told(app, mark, "complaint.info_supplied", world.org("centre"))
    with app.app_context():
        assert complaint_row(cid).supplement_requested_at is None

    # re-routing: the new referral is linked to the returned one; a referral is followed up once
    with pytest.raises(ValidationFailed) as not_open, service(app, world, "clerk") as clerk:
        services.create_referrals(clerk, complaint_row(cid), [{"agency_id": world.orgs["amr_city"],
                                                               "track": Track.administrative,
                                                               "reroute_of": uid(cid)}])
    assert "referrals.0.reroute_of" in not_open.value.errors
    mark = outbox_mark(app)
    with service(app, world, "clerk") as clerk:
        [new] = services.create_referrals(clerk, complaint_row(cid), [{
            "agency_id": world.orgs["amr_city"], "track": Track.administrative, "evidence_ids": [uid(shared[0])],
            "reroute_of": uid(putuo_id), "message": "退回后改送市局。"}])
        new_id = str(new.id)
    with app.app_context():
        new = referral(new_id)
        assert (str(new.parent_id), new.link_kind.value, new.agency_id, new.state.value) == (
            putuo_id, "reroute", world.orgs["amr_city"], "sent")
    assert states(app, cid) == ("referred", {"Y01": "returned", "Y02": "declined", "Y03": "sent"})
    assert clocks(app, "complaint", cid)["Q5"] == [("met", False)]
    told(app, mark, "referral.received", world.org("amr_city"))
    decision = [e for e in events(app, cid) if e.kind == "routing_decision"][-1]
    assert decision.payload["rerouted"] == [putuo_id]
    with pytest.raises(ValidationFailed), service(app, world, "clerk") as clerk:
        services.create_referrals(clerk, complaint_row(cid), [{"agency_id": world.orgs["amr_putuo"],
                                                               "track": Track.administrative,
                                                               "reroute_of": uid(putuo_id)}])

    # further evidence to the referral already sent: the agency is told and can download it
    mark = outbox_mark(app)
    with pytest.raises(ValidationFailed), service(app, world, "clerk") as clerk:  # already shared
        services.transition_referral(clerk, referral(new_id), {"trigger": "supplement",
                                                               "evidence_ids": [uid(shared[0])]})
    with service(app, world, "clerk") as clerk:
        services.transition_referral(clerk, referral(new_id), {"trigger": "supplement",
                                                               "evidence_ids": [uid(shared[1])]})
    assert supplements(app, new_id) == [("evidence", None, None, [shared[1]])]
    told(app, mark, "referral.supplemented", world.org("amr_city"))
    with service(app, world, "amr_city") as amr:
        assert str(services.shared_evidence_for(amr, referral(new_id), shared[1]).id) == shared[1]
    assert states(app, cid)[1]["Y03"] == "sent"  # the referral's state does not move
    texts = zh_timeline(app, cid)
    assert any("上海市市场监督管理局" in t for t in texts[-3:]), texts[-3:]
    in_plain_chinese(texts)


def test_6_api_return_and_decline_come_back_with_reasons_supplements_pause_the_centre(app, world):
    cid, shared, putuo_id, police_id = came_back(world)
    ok(referral_transition(world.api("police"), police_id, "decline", reason="尚未达到立案标准。"))
    clerk, enterprise = world.api("clerk"), world.api("enterprise")
    assert ok(clerk.get(f"/api/v1/complaints/{cid}"))["state"] == "accepted"
    listed = {r["id"]: r for r in every(clerk, f"/api/v1/complaints/{cid}/referrals")}
    assert (listed[putuo_id]["return_reason"], listed[putuo_id]["return_message"]) == (
        "wrong_jurisdiction", "依第126号令应由市局管辖。")
    assert listed[police_id]["decline_reason"] == "尚未达到立案标准。"
    assert listed[police_id]["allowed_triggers"] == ["request_supervision"]
    seen = every(enterprise, f"/api/v1/complaints/{cid}/timeline")
    assert ("return", "依第126号令应由市局管辖。") in [(e["trigger"], e["reason"]) for e in seen]
    in_plain_chinese(zh_timeline(app, cid))

    mark = outbox_mark(app)
    assert complaint_transition(clerk, cid, "request_info", message="请补充。").status_code == 422  # a date
    asked = ok(complaint_transition(clerk, cid, "request_info", message="请补充损失证明。", due_date=REPLY_BY.isoformat()))
    assert asked["state"] == "accepted"
    assert complaint_transition(clerk, cid, "request_info", message="再补充。",
                                due_date=REPLY_BY.isoformat()).status_code == 422  # one request at a time
    told(app, mark, "complaint.info_requested", world.org("enterprise"))
    assert clocks(app, "complaint", cid)["Q5"] == [("open", True)]
    assert world.api("other_enterprise").post(f"/api/v1/complaints/{cid}/supplements",
                                              json={"text": "x"}).status_code == 404
    ok(enterprise.post(f"/api/v1/complaints/{cid}/supplements", json={"text": "已补充审计报告。"}))
    assert enterprise.post(f"/api/v1/complaints/{cid}/supplements", json={"text": "再来"}).status_code == 422
    assert clocks(app, "complaint", cid)["Q5"] == [("open", False)]
    assert clocks(app, "complaint", cid)["Q3"] == [("met", False)]

    rerouted = ok(create_referrals(world, cid, item(world, "amr_city", "administrative", shared)), 201)[0]
    assert rerouted["state"] == "sent"
    assert ok(clerk.get(f"/api/v1/complaints/{cid}"))["state"] == "referred"
    assert world.api("amr_city").get(f"/api/v1/referrals/{rerouted['id']}/evidence/{shared[1]}").status_code == 200


def test_6_api_a_reroute_is_linked_to_the_returned_referral(app, world):
    cid, shared, putuo_id, police_id = came_back(world)
    body = {**item(world, "amr_city", "administrative"), "reroute_of": putuo_id}
    rerouted = ok(world.api("clerk").post(f"/api/v1/complaints/{cid}/referrals", json={"referrals": [body]}), 201)[0]
    assert (rerouted["parent_id"], rerouted["link_kind"]) == (putuo_id, "reroute")


def test_6_api_further_evidence_reaches_a_referral_already_sent(app, world):
    complaint = accepted(world, files=2)
    cid = complaint["id"]
    shared = evidence_ids(world, cid)
    rid = ok(create_referrals(world, cid, item(world, "amr_city", "administrative", shared[:1])), 201)[0]["id"]
    mark = outbox_mark(app)
    sent = ok(referral_transition(world.api("clerk"), rid, "supplement", evidence_ids=shared[1:]))
    assert [e["id"] for e in sent["shared_evidence"]] == shared
    told(app, mark, "referral.supplemented", world.org("amr_city"))
    assert world.api("amr_city").get(f"/api/v1/referrals/{rid}/evidence/{shared[1]}").status_code == 200


def test_6_api_the_enterprise_adds_evidence_after_submission(app, world):
    complaint = accepted(world)
    cid = complaint["id"]
    response = upload(world.api("enterprise"), cid, (pdf_bytes(b"later"), "later.pdf"))
    assert response.status_code == 201, response.get_json()
    listed = every(world.api("clerk"), f"/api/v1/complaints/{cid}/evidence")
    assert listed[-1]["display_name"] == "later.pdf" and listed[-1]["created_at"]
