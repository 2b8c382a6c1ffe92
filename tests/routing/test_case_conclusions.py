"""Issue 8, points 7, 8, 10 and 13: consultations with effect (minutes make referrals whoever convened; the
conclusion is recorded on the complaint and closes the consultation's clocks), outcomes per agency kind in
plain words, guidance-only resolution without a referral, key-case supervision as a cycle."""
import datetime as dt

import pytest
from flask_babel import force_locale

from accounts.enums import OrgKind
from core.errors import Conflict, NotFound, ValidationFailed
from intake.enums import Track
from routing.outcomes import BY_RESULT, DECISIONS
from tests.core.test_translations import compiled  # noqa: F401
from tests.routing.case_support import (clocks, complaint as complaint_row, events, in_plain_chinese, notices,
                                        outbox_mark, referral, running_clocks, service, states, told, uid,
                                        zh_timeline)
from tests.routing.support import (CUSTOMER_LIST, PATENT_APPLICATION, accepted, acknowledge_and_accept,
                                   complaint_transition, create_referrals, example, item, ok, referral_transition,
                                   step)
from tests.paging import every

MINUTES = "与会各方认为涉案工艺构成商业秘密，损失逾250万元。"
CONCLUSION = "由公安机关立案侦查，市场监管部门同步调查。"


@pytest.fixture(autouse=True)
def _catalogue(compiled):  # noqa: F811
    return compiled


def due_in(days=3):
    return dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=days)


def plain(app, result) -> str:
    with app.test_request_context(), force_locale("zh"):
        return str(BY_RESULT[result].plain)


# --- 7. consultations with effect -------------------------------------------------------------------

@pytest.mark.parametrize("convener", ["clerk", "supervisor"])
def test_7_service_minutes_make_referrals_whoever_convened_and_close_the_clocks(app, world, convener):
    from routing import services

    complaint = accepted(world, PATENT_APPLICATION)
    cid = complaint["id"]
    with service(app, world, convener) as actor:
        kid = str(services.convene(actor, complaint_row(cid), {
            "agency_ids": [world.orgs["police"], world.orgs["amr_city"]], "questions": ["是否已达立案标准？"],
            "opinion_due_at": due_in()}).id)
    assert [s for s, _ in clocks(app, "consultation", kid)["C1"]] == ["open", "open"]
    with service(app, world, "police") as police:
        services.submit_opinion(police, services.get_visible_consultation(police, kid), "已达立案标准。")
    assert sorted(s for s, _ in clocks(app, "consultation", kid)["C1"]) == ["met", "open"]
    with pytest.raises(ValidationFailed), service(app, world, convener) as actor:
        services.transition_consultation(actor, services.get_visible_consultation(actor, kid),
                                         {"trigger": "record_minutes", "minutes": MINUTES, "conclusion": " "})
    mark = outbox_mark(app)
    with service(app, world, convener) as actor:
        services.transition_consultation(actor, services.get_visible_consultation(actor, kid), {
            "trigger": "record_minutes", "minutes": MINUTES, "conclusion": CONCLUSION,
            "referrals": [{"agency_id": world.orgs["police"], "track": Track.criminal},
                          {"agency_id": world.orgs["amr_city"], "track": Track.administrative}]})
    # the minutes' referrals exist, sent like any other, and the complaint follows them
    assert states(app, cid) == ("referred", {"Y01": "sent", "Y02": "sent"})
    told(app, mark, "referral.received", world.org("police"))
    told(app, mark, "referral.received", world.org("amr_city"))
    # the conclusion closes the consultation's clocks and is recorded on the complaint, for the enterprise too
    assert sorted(s for s, _ in clocks(app, "consultation", kid)["C1"]) == ["met", "met"]
    assert ("consultation", "C1") not in running_clocks(app, cid)
    public = [(e.kind, e.trigger, e.reason) for e in events(app, cid, public_only=True)]
    assert ("consultation", "conclusion", CONCLUSION) in public
    texts = zh_timeline(app, cid)
    in_plain_chinese(texts)
    with service(app, world, convener) as actor:
        closed = services.transition_consultation(actor, services.get_visible_consultation(actor, kid),
                                                  {"trigger": "close"})
        assert (closed.state.value, closed.minutes, closed.conclusion) == ("closed", MINUTES, CONCLUSION)


def test_7_api_minutes_with_referrals_by_a_supervisor_and_the_conclusion_on_the_timeline(app, world):
    complaint = accepted(world, PATENT_APPLICATION)
    cid = complaint["id"]
    supervisor = world.api("supervisor")
    consultation = ok(supervisor.post(f"/api/v1/complaints/{cid}/consultations", json={
        "questions": ["由哪一途径牵头？"], "agency_ids": [world.org("police"), world.org("procuratorate")],
        "opinion_due_at": due_in().isoformat()}), 201)
    kid = consultation["id"]
    assert "record_minutes" in consultation["allowed_triggers"]
    ok(world.api("police").post(f"/api/v1/consultations/{kid}/opinions", json={"opinion": "建议公安牵头。"}))
    # neither another centre's clerk nor an invited agency records the minutes
    body = {"trigger": "record_minutes", "minutes": MINUTES, "conclusion": CONCLUSION,
            "referrals": [item(world, "police", "criminal")]}
    assert world.api("other_clerk").post(f"/api/v1/consultations/{kid}/transitions", json=body).status_code == 404
    assert world.api("police").post(f"/api/v1/consultations/{kid}/transitions", json=body).status_code == 409
    mark = outbox_mark(app)
    minuted = ok(supervisor.post(f"/api/v1/consultations/{kid}/transitions", json=body))
    assert (minuted["state"], minuted["minutes"], minuted["conclusion"]) == ("minuted", MINUTES, CONCLUSION)
    [made] = every(world.api("clerk"), f"/api/v1/complaints/{cid}/referrals")
    assert (made["agency"]["id"], made["track"], made["state"]) == (world.org("police"), "criminal", "sent")
    told(app, mark, "referral.received", world.org("police"))
    assert ok(world.api("clerk").get(f"/api/v1/complaints/{cid}"))["state"] == "referred"
    assert {s for s, _ in clocks(app, "consultation", kid)["C1"]} == {"met"}
    seen = every(world.api("enterprise"), f"/api/v1/complaints/{cid}/timeline")
    assert ("conclusion", CONCLUSION) in [(e["trigger"], e["reason"]) for e in seen]
    assert "opinion" not in [e["trigger"] for e in seen]  # the written opinions stay internal
    in_plain_chinese(zh_timeline(app, cid))
    assert ok(supervisor.post(f"/api/v1/consultations/{kid}/transitions", json={"trigger": "close"}))["state"] == \
        "closed"


# --- 8. outcomes per agency, not per track ------------------------------------------------------------

def test_8_service_each_agency_kind_concludes_with_its_own_decisions(app, world):
    from routing import services
    from routing.outcomes import decisions_for

    complaint = accepted(world)
    cid = complaint["id"]
    amr, police, court, procuratorate = ok(create_referrals(
        world, cid, item(world, "amr_city", "administrative"), item(world, "police", "criminal"),
        item(world, "court", "civil"), item(world, "procuratorate", "criminal")), 201)
    for rid, who in ((amr["id"], "amr_city"), (police["id"], "police"), (court["id"], "court")):
        acknowledge_and_accept(world, rid, who)
    with app.app_context():
        offered = {who: [d.result for d in decisions_for(referral(rid))]
                   for rid, who in ((amr["id"], "amr"), (police["id"], "police"), (court["id"], "court"),
                                    (procuratorate["id"], "procuratorate"))}
    assert offered["procuratorate"] == ["prosecuted", "not_prosecuted"]  # where it receives the case
    assert offered["amr"] == ["penalty_decision", "no_penalty", "no_violation_found", "closed_other"]
    assert offered["police"] == ["sent_for_prosecution", "case_withdrawn"]  # not the procuratorate's or court's
    assert offered["court"] == [d.result for d in DECISIONS[OrgKind.court]]
    for result in ("prosecuted", "judgment", "not_prosecuted"):
        with pytest.raises(ValidationFailed) as refused, service(app, world, "police") as officer:
            services.transition_referral(officer, referral(police["id"]), {"trigger": "conclude",
                                                                           "outcome": {"result": result}})
        assert "outcome.result" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused, service(app, world, "amr_city") as officer:
        services.transition_referral(officer, referral(amr["id"]), {"trigger": "conclude",
                                                                    "outcome": {"result": "penalty_decision"}})
    assert "outcome.decision_number" in refused.value.errors
    mark = outbox_mark(app)
    with service(app, world, "amr_city") as officer:
        services.transition_referral(officer, referral(amr["id"]), {"trigger": "conclude", "outcome": {
            "result": "penalty_decision", "decision_number": "沪市监罚〔2026〕9号", "fine_amount": 500000}})
    with service(app, world, "police") as officer:
        services.transition_referral(officer, referral(police["id"]), {"trigger": "conclude", "outcome": {
            "result": "sent_for_prosecution", "prosecution_office": "上海市人民检察院第三分院"}})
    told(app, mark, "referral.concluded", world.org("centre"), world.org("enterprise"))
    with app.app_context():
        assert str(referral(amr["id"]).fine_amount) == "500000.00"
    texts = zh_timeline(app, cid)
    assert any(plain(app, "penalty_decision") in t for t in texts), texts[-4:]
    assert any(plain(app, "sent_for_prosecution") in t for t in texts), texts[-4:]
    in_plain_chinese(texts)
    assert states(app, cid)[0] == "in_progress"  # the court's case is still open


def test_8_api_filing_supervision_decisions_of_the_procuratorate_and_the_police(app, world):
    complaint = accepted(world)
    cid = complaint["id"]
    rid = ok(create_referrals(world, cid, item(world, "police", "criminal")), 201)[0]["id"]
    police, procuratorate = world.api("police"), world.api("procuratorate")
    ok(referral_transition(police, rid, "acknowledge", officer_name="郑刚"))
    ok(referral_transition(police, rid, "decline", reason="不构成犯罪。"))  # not filed, with reasons
    sid = ok(referral_transition(world.api("clerk"), rid, "request_supervision", reason="损失已逾100万元。"))["id"]
    ok(referral_transition(procuratorate, sid, "acknowledge", officer_name="陈检"))
    assert clocks(app, "referral", rid)["P1"] == [("open", False)]  # asked for the police's reasons (7 days)
    ok(referral_transition(procuratorate, sid, "accept", case_number="沪检立监〔2026〕1号"))
    ok(step(police, rid, "explain_non_filing", "损失计算依据不足。"))
    assert clocks(app, "referral", rid)["P1"] == [("met", False)]
    assert step(police, sid, "notify_to_file", "x").status_code == 404  # the police do not notify themselves
    ok(step(procuratorate, sid, "notify_to_file", "理由不成立，通知立案。"))
    assert clocks(app, "referral", rid)["P2"] == [("open", False)]
    assert step(procuratorate, sid, "notify_to_file", "再通知").status_code == 409
    filed = ok(referral_transition(police, rid, "file_after_notice", case_number="沪公经立〔2026〕9号"))
    assert filed["state"] == "accepted" and clocks(app, "referral", rid)["P2"] == [("met", False)]
    # the procuratorate's own decisions on supervision: not a prosecution
    assert referral_transition(procuratorate, sid, "conclude",
                               outcome={"result": "prosecuted"}).status_code == 422
    ok(referral_transition(procuratorate, sid, "conclude", outcome={"result": "filed_after_notice"}))
    assert referral_transition(police, rid, "conclude", outcome={"result": "judgment",
                                                                 "judgment_number": "1"}).status_code == 422
    ok(referral_transition(police, rid, "conclude", outcome={"result": "case_withdrawn", "summary": "撤销案件。"}))
    assert ok(world.api("clerk").get(f"/api/v1/complaints/{cid}"))["state"] == "concluded"
    texts = zh_timeline(app, cid)
    assert any(plain(app, "filed_after_notice") in t for t in texts), texts[-5:]
    assert any(plain(app, "case_withdrawn") in t for t in texts), texts[-5:]
    in_plain_chinese(texts)


# --- 10. guidance-only resolution ------------------------------------------------------------------

def test_10_service_the_centre_concludes_with_guidance_and_no_referral(app, world):
    from routing import services

    complaint = accepted(world, example(CUSTOMER_LIST, remedies=["guidance_only"]))
    cid = complaint["id"]
    with pytest.raises(ValidationFailed), service(app, world, "clerk") as clerk:
        services.triage(clerk, complaint_row(cid), {"trigger": "resolve", "message": "  "})
    mark = outbox_mark(app)
    with service(app, world, "clerk") as clerk:
        services.triage(clerk, complaint_row(cid), {"trigger": "resolve", "message": "已指导企业完善保密措施并固定证据。"})
    with app.app_context():
        row = complaint_row(cid)
        assert (row.state.value, row.resolution) == ("concluded", "已指导企业完善保密措施并固定证据。")
    assert states(app, cid) == ("concluded", {})
    assert running_clocks(app, cid) == []
    told(app, mark, "complaint.resolved", world.org("enterprise"))
    texts = zh_timeline(app, cid)
    assert "已指导企业完善保密措施并固定证据。" in texts[-1], texts[-1]
    in_plain_chinese(texts)
    with pytest.raises(Conflict), service(app, world, "clerk") as clerk:  # nothing is referred afterwards
        services.create_referrals(clerk, complaint_row(cid), [{"agency_id": world.orgs["amr_city"],
                                                               "track": Track.administrative}])
    with service(app, world, "clerk") as clerk:
        assert services.transition_complaint(complaint_row(cid), "close", clerk).dest.value == "closed"


def test_10_api_guidance_only_and_not_while_something_is_open(app, world):
    complaint = accepted(world, example(CUSTOMER_LIST, remedies=["guidance_only"]))
    cid = complaint["id"]
    clerk = world.api("clerk")
    assert complaint_transition(world.api("other_clerk"), cid, "resolve", message="x").status_code == 404
    assert world.api("enterprise").post(f"/api/v1/complaints/{cid}/transitions",
                                        json={"trigger": "resolve", "message": "x"}).status_code in (403, 409)
    # not while a referral is open
    other = accepted(world)
    ok(create_referrals(world, other["id"], item(world, "amr_city", "administrative")), 201)
    assert complaint_transition(clerk, other["id"], "resolve", message="x").status_code == 409
    resolved = ok(complaint_transition(clerk, cid, "resolve", message="已指导企业向法院起诉。"))
    assert resolved["state"] == "concluded"
    rows = every(world.api("enterprise"), f"/api/v1/complaints/{cid}/timeline")
    assert (rows[-1]["trigger"], rows[-1]["to_state"], rows[-1]["reason"]) == ("resolve", "concluded",
                                                                                "已指导企业向法院起诉。")
    assert every(clerk, f"/api/v1/complaints/{cid}/referrals") == []
    assert complaint_transition(clerk, cid, "resolve", message="再次").status_code == 409


# --- 13. key-case supervision as a cycle -------------------------------------------------------------

def test_13_service_supervise_report_report_lift(app, world):
    from routing import supervision

    first, second = accepted(world), accepted(world)
    with service(app, world, "supervisor") as supervisor:
        supervision.supervise(supervisor, complaint_row(first["id"]), "请每周报告进展。")
    with service(app, world, "supervisor") as supervisor:
        supervision.supervise(supervisor, complaint_row(second["id"]), "重点督办。")
        with pytest.raises(Conflict):
            supervision.supervise(supervisor, complaint_row(second["id"]), "再次督办。")
    with service(app, world, "other_clerk") as other, pytest.raises(NotFound):
        supervision.report_on_supervision(other, complaint_row(first["id"]), "x")
    mark = outbox_mark(app)
    for text in ("第一次报告：已移送公安。", "第二次报告：公安已立案。"):
        with service(app, world, "clerk") as clerk:
            supervision.report_on_supervision(clerk, complaint_row(first["id"]), text)
    told(app, mark, "complaint.supervision_reported", world.org("supervisor_office"))
    with service(app, world, "supervisor") as supervisor:
        found = supervision.readable_supervision(supervisor, complaint_row(first["id"]))
        sid = found.id
        assert [r.text for r in found.reports] == ["第一次报告：已移送公安。", "第二次报告：公安已立案。"]
        assert found.next_report_due_at is not None
        found = supervision.list_supervisions(supervisor, active=True)
        items, total = found.items, found.total
        assert total == 2 and [i.complaint_id for i in items] == [uid(second["id"]), uid(first["id"])]  # by due
    assert [s for s, _ in clocks(app, "supervision", sid)["S1"]] == ["met", "met", "open"]  # a new period each
    mark = outbox_mark(app)
    with service(app, world, "supervisor") as supervisor:
        supervision.lift_supervision(supervisor, complaint_row(first["id"]), "已立案侦查，解除督办。")
    assert [s for s, _ in clocks(app, "supervision", sid)["S1"]] == ["met", "met", "cancelled"]
    told(app, mark, "complaint.supervision_lifted", world.org("centre"))
    with app.app_context():
        assert complaint_row(first["id"]).key_case is False
    with service(app, world, "clerk") as clerk, pytest.raises(Conflict):
        supervision.report_on_supervision(clerk, complaint_row(first["id"]), "解除后的报告")


def test_13_api_the_cycle_and_the_list_by_next_report_due(app, world):
    complaint = accepted(world)
    cid = complaint["id"]
    url = f"/api/v1/complaints/{cid}/supervision"
    supervisor, clerk = world.api("supervisor"), world.api("clerk")
    assert world.api("amr_city").post(url, json={"instructions": "x"}).status_code == 404
    created = ok(supervisor.post(url, json={"instructions": "请按期报告。"}), 201)
    assert created["active"] and created["next_report_due_at"]
    assert world.api("other_clerk").post(f"{url}/reports", json={"text": "x"}).status_code == 404
    first_due = created["next_report_due_at"]
    ok(clerk.post(f"{url}/reports", json={"text": "第一次报告。"}))
    ok(supervisor.post(f"{url}/instructions", json={"instructions": "补充调查损失。"}))
    shown = ok(clerk.post(f"{url}/reports", json={"text": "第二次报告。"}))
    assert [r["text"] for r in shown["reports"]] == ["第一次报告。", "第二次报告。"]
    assert shown["next_report_due_at"] and shown["next_report_due_at"] >= first_due
    listed = ok(supervisor.get("/api/v1/supervisions?active=true"))
    assert [i["complaint_id"] for i in listed["items"]] == [cid]
    assert ok(world.api("other_clerk").get("/api/v1/supervisions"))["items"] == []
    lifted = ok(supervisor.post(f"{url}/lift", json={"closing_note": "已结案，解除督办。"}))
    assert (lifted["active"], lifted["closing_note"], lifted["next_report_due_at"]) == (False, "已结案，解除督办。", None)
    assert clerk.post(f"{url}/reports", json={"text": "迟到的报告"}).status_code == 409
    assert supervisor.post(f"{url}/lift", json={"closing_note": "再解除"}).status_code == 409
    assert ok(supervisor.get("/api/v1/supervisions?active=true"))["items"] == []
    with app.app_context():
        assert complaint_row(cid).key_case is False
    # the enterprise reads none of it; the centre's timeline tells each step in Chinese
    assert "supervision" not in [e["kind"] for e in every(world.api("enterprise"),
                                                          f"/api/v1/complaints/{cid}/timeline")]
    in_plain_chinese(zh_timeline(app, cid, public_only=False))
    assert notices(app, 0, "complaint.supervised")
