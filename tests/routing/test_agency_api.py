"""The agency side over the API: acknowledge, accept, decline, return, notes, outcomes, transfers, supervision,
and the complaint's state following its referrals."""
import decimal
import json
import uuid

import pytest

from core.extensions import db
from routing.models import Referral
from tests.evidence.support import timeline
from tests.routing.support import (CUSTOMER_LIST, accepted, acknowledge_and_accept, approve_transfer,
                                   complaint_state, complaint_transition, create_referrals, evidence_ids, item, ok,
                                   refer, referral_transition, refused, snapshot)
from tests.paging import every


def test_acknowledge_accept_conclude_an_administrative_referral(app, world):
    complaint = accepted(world, CUSTOMER_LIST)
    referral = refer(world, complaint["id"], "amr_city", "administrative", evidence_ids(world, complaint["id"]))
    cid, rid = complaint["id"], referral["id"]
    amr = world.api("amr_city")
    assert complaint_state(world, cid) == "referred"

    listed = ok(amr.get("/api/v1/referrals?pending=true"))
    assert [(r["id"], r["allowed_triggers"]) for r in listed["items"]] == [(rid, ["acknowledge", "return"])]

    refused(app, amr, cid, rid, "acknowledge", 422, "officer_name")
    refused(app, amr, cid, rid, "acknowledge", 422, "officer_name", officer_name="  ")
    acknowledged = ok(referral_transition(amr, rid, "acknowledge", officer_name="刘洋"))
    assert (acknowledged["state"], acknowledged["acknowledged_by_name"]) == ("acknowledged", "刘洋")
    assert acknowledged["allowed_triggers"] == ["accept", "decline", "return"]
    assert complaint_state(world, cid) == "referred"

    refused(app, amr, cid, rid, "accept", 422, "case_number")
    opened = ok(referral_transition(amr, rid, "accept", case_number="沪市监稽立〔2026〕17号"))
    assert (opened["state"], opened["agency_case_number"]) == ("accepted", "沪市监稽立〔2026〕17号")
    assert complaint_state(world, cid) == "in_progress"

    penalty = {"result": "penalty_decision", "decision_number": "沪市监罚〔2026〕88号"}
    refused(app, amr, cid, rid, "conclude", 422, "outcome")
    refused(app, amr, cid, rid, "conclude", 422, "outcome.result", outcome={})
    refused(app, amr, cid, rid, "conclude", 422, "outcome.result", outcome={"result": "prosecuted"})
    refused(app, amr, cid, rid, "conclude", 422, "outcome.decision_number", outcome={"result": "penalty_decision"})
    refused(app, amr, cid, rid, "conclude", 422, "outcome.fine_amount", outcome={**penalty, "fine_amount": "-1.00"})
    refused(app, amr, cid, rid, "conclude", 422, "outcome.confiscation_amount",
            outcome={**penalty, "confiscation_amount": -500})
    refused(app, amr, cid, rid, "conclude", 422, "outcome.fine_amount", outcome={**penalty, "fine_amount": "abc"})
    refused(app, amr, cid, rid, "conclude", 422, "outcome.damages_amount",
            outcome={**penalty, "damages_amount": "100.00"})  # not an administrative outcome

    # a JSON number with a fraction is kept exact (never a float), as is a decimal string
    raw = json.dumps({"trigger": "conclude", "outcome": {**penalty, "summary": "责令停止违法行为，罚款并没收违法所得。",
                                                         "confiscation_amount": "9876543.21"}})
    raw = raw.replace('"outcome": {', '"outcome": {"fine_amount": 123456.78, ')
    url = f"/api/v1/referrals/{rid}/transitions"
    response = amr.client.post(url, data=raw, content_type="application/json",
                               headers=amr.headers({"If-Match": amr.etag(url)}))
    concluded = ok(response)
    assert concluded["state"] == "concluded" and concluded["allowed_triggers"] == []
    assert concluded["outcome"]["fine_amount"] == "123456.78"
    assert concluded["outcome"]["confiscation_amount"] == "9876543.21"
    assert concluded["outcome"]["decision_number"] == "沪市监罚〔2026〕88号"
    with app.app_context():
        row = db.session.get(Referral, uuid.UUID(rid))
        assert row.fine_amount == decimal.Decimal("123456.78")
        assert row.confiscation_amount == decimal.Decimal("9876543.21")
        assert row.damages_amount is None
    assert complaint_state(world, cid) == "concluded"

    # the enterprise sees the outcome
    seen = ok(world.api("enterprise").get(f"/api/v1/referrals/{rid}"))
    assert seen["outcome"]["result"] == "penalty_decision" and seen["state"] == "concluded"
    steps = [(e["kind"], e["trigger"], e["to_state"]) for e in timeline(world.api("enterprise"), cid)]
    assert steps[-5:] == [("referral", "acknowledge", "acknowledged"), ("referral", "accept", "accepted"),
                          ("transition", "start", "in_progress"), ("referral", "conclude", "concluded"),
                          ("transition", "conclude", "concluded")]


@pytest.mark.parametrize("agency, track, outcome, bad", [
    ("police", "criminal", {"result": "sent_for_prosecution", "prosecution_office": "上海市人民检察院第三分院",
                            "summary": "移送审查起诉"},
     {"result": "sent_for_prosecution", "fine_amount": "100.00"}),
    ("police", "criminal", {"result": "case_withdrawn", "summary": "撤销案件"}, {"result": "prosecuted"}),
    ("police", "criminal", {"result": "case_withdrawn", "summary": "撤销案件"}, {"result": "case_withdrawn"}),
    ("court", "civil", {"result": "judgment", "judgment_number": "（2026）沪73民初12号", "damages_amount": "1500000.00"},
     {"result": "judgment", "damages_amount": "-0.01"}),
    ("court", "civil", {"result": "mediation"}, {"result": "withdrawn"}),
])
def test_outcomes_per_track(app, world, agency, track, outcome, bad):
    complaint = accepted(world)
    referral = refer(world, complaint["id"], agency, track)
    acknowledge_and_accept(world, referral["id"], agency)
    refused(app, world.api(agency), complaint["id"], referral["id"], "conclude", 422, outcome=bad)
    concluded = ok(referral_transition(world.api(agency), referral["id"], "conclude", outcome=outcome))
    assert concluded["state"] == "concluded"
    assert {k: v for k, v in concluded["outcome"].items() if v is not None} == outcome
    if "damages_amount" in outcome:
        with app.app_context():
            row = db.session.get(Referral, uuid.UUID(referral["id"]))
            assert row.damages_amount == decimal.Decimal(outcome["damages_amount"])


def test_decline_needs_a_reason(app, world):
    complaint = accepted(world)
    referral = refer(world, complaint["id"], "police", "criminal")
    police = world.api("police")
    ok(referral_transition(police, referral["id"], "acknowledge", officer_name="郑刚"))
    refused(app, police, complaint["id"], referral["id"], "decline", 422, "reason")
    refused(app, police, complaint["id"], referral["id"], "decline", 422, "reason", reason="   ")
    declined = ok(referral_transition(police, referral["id"], "decline", reason="现有证据不足以证明损失达到立案标准。"))
    assert (declined["state"], declined["decline_reason"]) == ("declined", "现有证据不足以证明损失达到立案标准。")
    assert declined["allowed_triggers"] == ["transfer"]  # 反向衔接: no crime, but a violation
    # nothing open any more, and the decline waits for the centre (re-route, supervision or conclude)
    assert complaint_state(world, complaint["id"]) == "accepted"


def test_returned_referrals_send_the_complaint_back_to_the_centre_for_rerouting(app, world):
    complaint = accepted(world, CUSTOMER_LIST)
    cid = complaint["id"]
    first, second = ok(create_referrals(world, cid, item(world, "amr_putuo", "administrative"),
                                        item(world, "police", "criminal")), 201)
    putuo, police = world.api("amr_putuo"), world.api("police")

    refused(app, putuo, cid, first["id"], "return", 422, "return_reason", reason="不属本局管辖。")
    refused(app, putuo, cid, first["id"], "return", 422, "reason", return_reason="wrong_jurisdiction")
    refused(app, putuo, cid, first["id"], "return", 422, "return_reason", return_reason="bored", reason="x")
    returned = ok(referral_transition(putuo, first["id"], "return", return_reason="wrong_jurisdiction",
                                      reason="依第126号令应由市局管辖。"))  # straight from sent
    assert (returned["state"], returned["return_reason"], returned["return_message"]) == (
        "returned", "wrong_jurisdiction", "依第126号令应由市局管辖。")
    assert complaint_state(world, cid) == "referred"  # the police referral is still open

    ok(referral_transition(police, second["id"], "acknowledge", officer_name="郑刚"))
    ok(referral_transition(police, second["id"], "return", return_reason="missing_material", reason="缺少损失鉴定。"))
    assert complaint_state(world, cid) == "accepted"  # every referral came back: the centre re-routes

    rerouted = refer(world, cid, "amr_city", "administrative")
    assert rerouted["state"] == "sent" and rerouted["letter_number"].endswith("-Y03")
    assert complaint_state(world, cid) == "referred"
    # the agency that returned it may get it again later: only an *active* referral is unique
    again = refer(world, cid, "amr_putuo", "administrative")
    assert again["agency"]["id"] == world.org("amr_putuo")


def test_notes_public_and_internal(app, world):
    complaint = accepted(world)
    referral = refer(world, complaint["id"], "police", "criminal")
    rid, cid = referral["id"], complaint["id"]
    police, enterprise, clerk = world.api("police"), world.api("enterprise"), world.api("clerk")
    acknowledge_and_accept(world, rid, "police")

    internal_text = "内部：拟对李某住所搜查，勿外传。"
    public_text = "已调取涉案服务器日志。"
    assert police.post(f"/api/v1/referrals/{rid}/notes", json={"text": internal_text}).status_code == 201
    public = ok(police.post(f"/api/v1/referrals/{rid}/notes", json={"text": public_text, "public": True}), 201)
    assert public["public"] is True and public["text"] == public_text

    assert [n["text"] for n in every(enterprise, f"/api/v1/referrals/{rid}/notes")] == [public_text]
    assert [n["text"] for n in every(clerk, f"/api/v1/referrals/{rid}/notes")] == [internal_text, public_text]
    assert [n["text"] for n in every(police, f"/api/v1/referrals/{rid}/notes")] == [internal_text, public_text]

    enterprise_view = json.dumps(timeline(enterprise, cid), ensure_ascii=False)
    assert public_text in enterprise_view and internal_text not in enterprise_view
    assert internal_text in json.dumps(timeline(clerk, cid), ensure_ascii=False)

    # nobody else writes notes, and notes need text
    before = snapshot(app, cid)
    for who in ("clerk", "enterprise", "police_pudong", "court"):
        response = world.api(who).post(f"/api/v1/referrals/{rid}/notes", json={"text": "x"})
        assert response.status_code == 404, (who, response.get_json())
    assert police.post(f"/api/v1/referrals/{rid}/notes", json={"text": ""}).status_code == 422
    assert police.post(f"/api/v1/referrals/{rid}/notes", json={"text": "   "}).status_code == 422
    assert world.api("court").get(f"/api/v1/referrals/{rid}/notes").status_code == 404
    assert snapshot(app, cid) == before

    ok(referral_transition(police, rid, "conclude", outcome={"result": "sent_for_prosecution"}))
    assert police.post(f"/api/v1/referrals/{rid}/notes", json={"text": "迟到的记录"}).status_code == 409


def test_an_administrative_case_that_turns_criminal_is_transferred_to_public_security(app, world):
    complaint = accepted(world, CUSTOMER_LIST, files=2)
    shared = evidence_ids(world, complaint["id"])
    referral = refer(world, complaint["id"], "amr_city", "administrative", shared[:1])
    amr = world.api("amr_city")
    acknowledge_and_accept(world, referral["id"], "amr_city")
    # Order 310: no transfer without the head's approval
    refused(app, amr, complaint["id"], referral["id"], "transfer", 422, "trigger", reason="涉嫌犯罪。")
    approve_transfer(world, referral["id"])

    refused(app, amr, complaint["id"], referral["id"], "transfer", 422, "reason")
    refused(app, amr, complaint["id"], referral["id"], "transfer", 422, "to_agency_id", reason="涉嫌犯罪。",
            to_agency_id=world.org("court"))
    child = ok(referral_transition(amr, referral["id"], "transfer", reason="查明违法所得逾50万元，涉嫌犯罪。",
                                   to_agency_id=world.org("police")))
    assert (child["parent_id"], child["link_kind"], child["track"], child["state"]) == (
        referral["id"], "admin_to_criminal", "criminal", "sent")
    assert child["agency"]["id"] == world.org("police")
    assert [e["id"] for e in child["shared_evidence"]] == shared[:1]
    assert ok(world.api("clerk").get(f"/api/v1/referrals/{referral['id']}"))["state"] == "transferred"

    police = world.api("police")
    assert [r["id"] for r in ok(police.get("/api/v1/referrals?pending=true"))["items"]] == [child["id"]]
    assert police.get(f"/api/v1/referrals/{child['id']}/evidence/{shared[0]}").status_code == 200
    assert police.get(f"/api/v1/referrals/{child['id']}/evidence/{shared[1]}").status_code == 404
    assert police.get(f"/api/v1/referrals/{referral['id']}").status_code == 404  # the parent is not its
    assert complaint_state(world, complaint["id"]) in ("referred", "in_progress")


def test_a_transfer_without_a_target_goes_to_the_public_security_of_the_directory(world):
    complaint = accepted(world, CUSTOMER_LIST)
    referral = refer(world, complaint["id"], "amr_city", "administrative")
    acknowledge_and_accept(world, referral["id"], "amr_city")
    approve_transfer(world, referral["id"])
    child = ok(referral_transition(world.api("amr_city"), referral["id"], "transfer", reason="涉嫌犯罪。"))
    assert child["link_kind"] == "admin_to_criminal"
    assert child["agency"]["kind"] == "public_security"


def test_a_criminal_case_without_prosecution_returns_to_the_administrative_track(app, world):
    complaint = accepted(world)
    referral = refer(world, complaint["id"], "police", "criminal")
    acknowledge_and_accept(world, referral["id"], "police")
    child = ok(referral_transition(world.api("police"), referral["id"], "transfer",
                                   reason="未达刑事追诉标准，移送行政处理。", to_agency_id=world.org("amr_city")))
    assert (child["parent_id"], child["link_kind"], child["track"], child["agency"]["id"]) == (
        referral["id"], "criminal_to_admin", "administrative", world.org("amr_city"))
    ok(referral_transition(world.api("amr_city"), child["id"], "acknowledge", officer_name="刘洋"))
    assert ok(world.api("amr_city").get(f"/api/v1/referrals/{child['id']}"))["state"] == "acknowledged"


def test_a_declined_criminal_referral_goes_to_the_procuratorate_for_filing_supervision(app, world):
    complaint = accepted(world)
    cid = complaint["id"]
    referral = refer(world, cid, "police", "criminal")
    police, clerk = world.api("police"), world.api("clerk")
    ok(referral_transition(police, referral["id"], "acknowledge", officer_name="郑刚"))
    ok(referral_transition(police, referral["id"], "decline", reason="不符合立案标准。"))
    assert complaint_state(world, cid) == "accepted"  # back with the centre, which may ask for supervision

    body = refused(app, police, cid, referral["id"], "request_supervision", 409, reason="x")
    assert body["allowed_triggers"] == ["transfer"]
    assert ok(clerk.get(f"/api/v1/referrals/{referral['id']}"))["allowed_triggers"] == ["request_supervision"]
    refused(app, clerk, cid, referral["id"], "request_supervision", 422, "reason")
    child = ok(referral_transition(clerk, referral["id"], "request_supervision",
                                   reason="损失已有审计报告证明逾100万元，申请立案监督。"))
    assert (child["parent_id"], child["link_kind"], child["track"], child["agency"]["id"]) == (
        referral["id"], "filing_supervision", "criminal", world.org("procuratorate"))
    assert ok(clerk.get(f"/api/v1/referrals/{referral['id']}"))["state"] == "supervision_requested"
    # a referral is open again, so the complaint is referred again, not concluded
    assert complaint_state(world, cid) == "referred"

    procuratorate = world.api("procuratorate")
    acknowledge_and_accept(world, child["id"], "procuratorate")
    assert complaint_state(world, cid) == "in_progress"
    refused(app, procuratorate, cid, child["id"], "conclude", 422, "outcome.result", outcome={"result": "prosecuted"})
    ok(referral_transition(procuratorate, child["id"], "conclude",
                           outcome={"result": "non_filing_upheld", "summary": "公安机关不立案理由成立。"}))
    assert complaint_state(world, cid) == "concluded"


def test_the_complaint_follows_its_referrals(app, world):
    complaint = accepted(world)
    cid = complaint["id"]
    police_ref, court_ref = ok(create_referrals(world, cid, item(world, "police", "criminal"),
                                                item(world, "court", "civil")), 201)
    police, court = world.api("police"), world.api("court")
    assert complaint_state(world, cid) == "referred"
    ok(referral_transition(police, police_ref["id"], "acknowledge", officer_name="郑刚"))
    assert complaint_state(world, cid) == "referred"
    ok(referral_transition(police, police_ref["id"], "accept", case_number="沪公经立〔2026〕88号"))
    assert complaint_state(world, cid) == "in_progress"
    ok(referral_transition(court, court_ref["id"], "acknowledge", officer_name="何平"))
    ok(referral_transition(court, court_ref["id"], "decline", reason="原告主体资格待补正。"))
    assert complaint_state(world, cid) == "in_progress"  # the criminal case is still open
    ok(referral_transition(police, police_ref["id"], "conclude", outcome={"result": "sent_for_prosecution"}))
    # the court's decline waits for the centre: re-route it, or conclude with guidance — never concluded by itself
    assert complaint_state(world, cid) == "accepted"
    last = timeline(world.api("enterprise"), cid)[-1]
    assert (last["trigger"], last["to_state"]) == ("reopen", "accepted")
    clerk = world.api("clerk")
    assert complaint_transition(clerk, cid, "resolve").status_code == 422  # the guidance given is required
    resolved = ok(complaint_transition(clerk, cid, "resolve", message="已指导企业补正原告主体资格后另行起诉。"))
    assert resolved["state"] == "concluded"
    # the enterprise is told, in its timeline
    last = timeline(world.api("enterprise"), cid)[-1]
    assert (last["trigger"], last["to_state"]) == ("resolve", "concluded")
    # the centre closes it
    closed = ok(world.api("clerk").post(f"/api/v1/complaints/{cid}/transitions", json={"trigger": "close"}))
    assert closed["state"] == "closed"
