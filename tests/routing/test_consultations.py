"""Consultations (会商) end to end: convene, opinions, request_opinions, minutes (with referrals), close."""
import datetime as dt
import json

from tests.evidence.support import timeline
from tests.routing.support import (PATENT_APPLICATION, accepted, complaint_transition, item, ok, snapshot, submit)
from tests.paging import every

MEETING = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC).isoformat()  # 10:00 in Shanghai
# within C1's five working days from now: the convener's due time is the clock
DUE = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(microsecond=0).isoformat()
QUESTIONS = ["涉案工艺是否构成商业秘密？", "是否已达到刑事立案标准？", "由哪一途径牵头处理？"]


def convene(world, complaint_id, agencies=("amr_city", "police", "procuratorate"), who="clerk", **changes):
    body = {"questions": QUESTIONS, "agency_ids": [world.org(a) for a in agencies], "meeting_at": MEETING,
            "opinion_due_at": DUE, **changes}
    return world.api(who).post(f"/api/v1/complaints/{complaint_id}/consultations", json=body)


def transition(world, consultation_id, trigger, who="clerk", headers=None, **body):
    return world.api(who).post(f"/api/v1/consultations/{consultation_id}/transitions",
                               json={"trigger": trigger, **body}, headers=headers)


def test_a_consultation_end_to_end(app, world):
    complaint = accepted(world, PATENT_APPLICATION)
    cid = complaint["id"]
    consultation = ok(convene(world, cid), 201)
    kid = consultation["id"]
    assert consultation["state"] == "convened"
    assert consultation["questions"] == QUESTIONS
    assert [i["agency"]["id"] for i in consultation["invitations"]] == [
        world.org("amr_city"), world.org("police"), world.org("procuratorate")]
    assert consultation["allowed_triggers"] == ["request_opinions", "record_minutes"]
    assert dt.datetime.fromisoformat(consultation["meeting_at"]) == dt.datetime.fromisoformat(MEETING)
    assert dt.datetime.fromisoformat(consultation["opinion_due_at"]) == dt.datetime.fromisoformat(DUE)

    # invited agencies see it and give opinions; others get 404
    police = world.api("police")
    assert [c["id"] for c in every(police, "/api/v1/consultations")] == [kid]
    assert ok(police.get(f"/api/v1/consultations/{kid}"))["allowed_triggers"] == []
    before = snapshot(app, cid)
    for outsider in ("court", "police_pudong", "other_clerk"):
        api = world.api(outsider)
        assert api.get(f"/api/v1/consultations/{kid}").status_code == 404, outsider
        assert api.post(f"/api/v1/consultations/{kid}/opinions", json={"opinion": "我方意见"}).status_code == 404
        assert transition(world, kid, "request_opinions", who=outsider).status_code == 404, outsider
        assert every(api, "/api/v1/consultations") == []
    # the clerk convenes, but does not give opinions; an empty opinion is refused
    assert world.api("clerk").post(f"/api/v1/consultations/{kid}/opinions", json={"opinion": "x"}).status_code == 404
    assert police.post(f"/api/v1/consultations/{kid}/opinions", json={"opinion": ""}).status_code == 422
    assert police.post(f"/api/v1/consultations/{kid}/opinions", json={"opinion": "  "}).status_code == 422
    # an agency does not run the consultation's triggers
    assert transition(world, kid, "request_opinions", who="police").status_code == 409
    assert snapshot(app, cid) == before

    ok(police.post(f"/api/v1/consultations/{kid}/opinions", json={"opinion": "损失逾250万元，已达立案标准，建议公安牵头。"}))
    requested = ok(transition(world, kid, "request_opinions"))
    assert requested["state"] == "opinions_due"
    after = ok(world.api("amr_city").post(f"/api/v1/consultations/{kid}/opinions",
                                         json={"opinion": "专利申请问题建议同时请知识产权局研判。"}))
    assert [i["opinion"] for i in after["invitations"]] == [
        "专利申请问题建议同时请知识产权局研判。", "损失逾250万元，已达立案标准，建议公安牵头。", None]

    # minutes and a conclusion are both required
    before = snapshot(app, cid)
    for body in ({}, {"minutes": "纪要"}, {"conclusion": "结论"}, {"minutes": " ", "conclusion": "结论"}):
        response = transition(world, kid, "record_minutes", **body)
        assert response.status_code == 422, (body, response.get_json())
        missing = {"minutes", "conclusion"} - {k for k, v in body.items() if v.strip()}
        assert missing <= set(response.get_json()["errors"]), response.get_json()
    assert snapshot(app, cid) == before

    minuted = ok(transition(world, kid, "record_minutes", minutes="三方会商纪要：……",
                            conclusion="由公安机关立案侦查，同时提起民事诉讼。",
                            referrals=[item(world, "police", "criminal"), item(world, "court", "civil")]))
    assert (minuted["state"], minuted["conclusion"]) == ("minuted", "由公安机关立案侦查，同时提起民事诉讼。")
    referrals = every(world.api("clerk"), f"/api/v1/complaints/{cid}/referrals")
    assert sorted((r["agency"]["id"], r["track"]) for r in referrals) == sorted(
        [(world.org("police"), "criminal"), (world.org("court"), "civil")])
    assert ok(world.api("clerk").get(f"/api/v1/complaints/{cid}"))["state"] == "referred"
    # no more opinions once minuted
    late = world.api("procuratorate").post(f"/api/v1/consultations/{kid}/opinions", json={"opinion": "迟到"})
    assert late.status_code == 409

    closed = ok(transition(world, kid, "close"))
    assert closed["state"] == "closed" and closed["allowed_triggers"] == []
    assert transition(world, kid, "close").status_code == 409

    events = [(e["kind"], e["trigger"], e["to_state"]) for e in timeline(world.api("clerk"), cid)
              if e["kind"] == "consultation"]
    assert events == [("consultation", "convene", "convened"), ("consultation", "opinion", None),
                      ("consultation", "request_opinions", "opinions_due"), ("consultation", "opinion", None),
                      ("consultation", "record_minutes", "minuted"), ("consultation", "conclusion", None),
                      ("consultation", "close", "closed")]
    # the enterprise sees that a consultation took place, not the agencies' written opinions
    enterprise_view = timeline(world.api("enterprise"), cid)
    # (intake.presenters.entry_visible_to: requests for opinions, the minutes and the closing are internal)
    assert [e["trigger"] for e in enterprise_view if e["kind"] == "consultation"] == ["convene", "conclusion"]
    assert "建议公安牵头" not in json.dumps(enterprise_view, ensure_ascii=False)
    # nor through the consultation itself, which carries the opinions
    enterprise = world.api("enterprise")
    assert enterprise.get(f"/api/v1/consultations/{kid}").status_code == 404
    assert every(enterprise, "/api/v1/consultations") == []


def test_convening_needs_questions_invited_agencies_and_an_opinion_due_date(app, world):
    complaint = submit(world, files=0)
    cid = complaint["id"]
    ok(complaint_transition(world.api("clerk"), cid, "claim"))  # a consultation may come before acceptance
    before = snapshot(app, cid)
    for changes, field in (({"questions": []}, "questions"), ({"agency_ids": []}, "agency_ids"),
                           ({"opinion_due_at": None}, "opinion_due_at"),
                           ({"opinion_due_at": "2026-12-01T10:00:00"}, "opinion_due_at"),  # no time zone
                           ({"agency_ids": [world.org("enterprise")]}, "agency_ids"),  # not an agency
                           ({"agency_ids": [world.org("centre")]}, "agency_ids")):
        response = convene(world, cid, **changes)
        assert response.status_code == 422 and field in response.get_json()["errors"], (changes, response.get_json())
    assert convene(world, cid, who="enterprise").status_code == 404
    assert convene(world, cid, who="police").status_code == 404
    assert convene(world, cid, who="other_clerk").status_code == 404
    assert snapshot(app, cid) == before
    assert ok(convene(world, cid), 201)["state"] == "convened"


def test_minutes_whose_referrals_fail_leave_nothing_behind(app, world):
    """record_minutes and its referrals are one transaction: a refused referral undoes the minutes."""
    complaint = accepted(world)
    cid = complaint["id"]
    kid = ok(convene(world, cid), 201)["id"]
    before = snapshot(app, cid)
    wrong_kind = transition(world, kid, "record_minutes", minutes="纪要", conclusion="移送法院。",
                            referrals=[item(world, "court", "criminal")])
    assert wrong_kind.status_code == 422 and "referrals.0.agency_id" in wrong_kind.get_json()["errors"]
    assert snapshot(app, cid) == before
    twice = transition(world, kid, "record_minutes", minutes="纪要", conclusion="移送公安。",
                       referrals=[item(world, "police", "criminal"), item(world, "police", "criminal")])
    assert twice.status_code == 409
    assert snapshot(app, cid) == before
    assert ok(world.api("clerk").get(f"/api/v1/consultations/{kid}"))["state"] == "convened"


def test_a_supervisor_may_convene_and_run_it(app, world):
    complaint = accepted(world)
    consultation = ok(convene(world, complaint["id"], who="supervisor", agencies=("amr_city",)), 201)
    kid = consultation["id"]
    assert consultation["allowed_triggers"] == ["request_opinions", "record_minutes"]
    # the convener's organisation runs it: the centre's clerk does not
    assert transition(world, kid, "request_opinions", who="clerk").status_code == 409
    assert ok(transition(world, kid, "request_opinions", who="supervisor"))["state"] == "opinions_due"
