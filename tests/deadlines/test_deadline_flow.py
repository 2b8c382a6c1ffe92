"""Transitions open, meet, pause and resume deadlines in their own transaction (DOMAIN.md's table)."""
import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from tests.core.test_translations import compiled  # noqa: F401  (the .mo the pages use)
from tests.routing.conftest import world  # noqa: F401  (the fixture)
from tests.routing.support import (complaint_transition, evidence_ids, ok, refer, referral_transition, submit)
from tests.paging import every

SH = ZoneInfo("Asia/Shanghai")

# the tests move the clock over weeks: tokens must outlive that
pytestmark = pytest.mark.config(API_TOKEN_LIFETIME_SECONDS=365 * 86400)


def local(*args):
    return dt.datetime(*args, tzinfo=SH)


def end_of(day):
    return dt.datetime.combine(day, dt.time(23, 59, 59), SH).astimezone(dt.UTC)


def deadlines(app, complaint_id, **filters):
    from core.extensions import db
    from deadlines.models import Deadline

    with app.app_context():
        query = select(Deadline).where(Deadline.complaint_id == uuid.UUID(complaint_id)).order_by(Deadline.id)
        for key, value in filters.items():
            query = query.where(getattr(Deadline, key) == value)
        rows = db.session.scalars(query).all()
        return {d.rule_code: d for d in rows} if rows else {}


def queue_due(world, complaint_id):
    items = ok(world.api("clerk").get("/api/v1/queue"))["items"]
    due = next(i["centre_due_at"] for i in items if i["id"] == complaint_id)
    return dt.datetime.fromisoformat(due) if due else None


def pending_levels(app, deadline_id):
    from core.extensions import db
    from deadlines.models import DeadlineEvent

    with app.app_context():
        return sorted(db.session.scalars(select(DeadlineEvent.level).where(
            DeadlineEvent.deadline_id == deadline_id, DeadlineEvent.done_at.is_(None))))


def test_the_centres_clock_opens_at_submission_pauses_for_supplements_and_is_met(app, world):
    with time_machine.travel(local(2026, 11, 30, 9, 0), tick=False):  # a Monday
        complaint = submit(world)
    found = deadlines(app, complaint["id"])
    assert set(found) == {"Q1", "Q2"}
    assert found["Q1"].due_at == end_of(dt.date(2026, 12, 1))  # 1 working day, the start day not counted
    assert found["Q2"].due_at == end_of(dt.date(2026, 12, 7))  # 5 working days: 1, 2, 3, 4 and 7 December
    assert found["Q1"].responsible_org_id == found["Q2"].responsible_org_id == world.orgs["centre"]
    assert found["Q1"].calendar_version >= 1 and not found["Q1"].provisional
    assert queue_due(world, complaint["id"]) == found["Q1"].due_at  # the queue sorts by the centre's due time

    clerk = world.api("clerk")
    with time_machine.travel(local(2026, 12, 1, 10, 0), tick=False):
        ok(complaint_transition(clerk, complaint["id"], "claim"))
        ok(complaint_transition(clerk, complaint["id"], "request_info", message="请补充离职交接记录。",
                                due_date="2026-12-16"))
    found = deadlines(app, complaint["id"])
    assert found["Q1"].state.value == "met"
    assert found["Q2"].paused_at is not None and pending_levels(app, found["Q2"].id) == []
    assert found["Q3"].responsible_org_id == world.orgs["enterprise"]
    assert found["Q3"].due_at == end_of(dt.date(2026, 12, 16))  # 15 calendar days, a Wednesday

    with time_machine.travel(local(2026, 12, 8, 10, 0), tick=False):
        ok(world.api("enterprise").post(f"/api/v1/complaints/{complaint['id']}/supplements",
                                        json={"text": "已上传交接记录。"}))
    found = deadlines(app, complaint["id"])
    assert found["Q3"].state.value == "met"
    assert found["Q2"].paused_at is None
    # paused for the working days 2, 3, 4, 7 and 8 December: the due time moves 5 working days on
    assert found["Q2"].due_at == end_of(dt.date(2026, 12, 14))
    assert found["Q2"].paused_intervals and pending_levels(app, found["Q2"].id)
    assert queue_due(world, complaint["id"]) == found["Q2"].due_at

    with time_machine.travel(local(2026, 12, 9, 10, 0), tick=False):
        ok(complaint_transition(clerk, complaint["id"], "accept"))
    found = deadlines(app, complaint["id"])
    assert found["Q2"].state.value == "met" and pending_levels(app, found["Q2"].id) == []


def test_a_referral_opens_acknowledgement_then_the_agencys_decision_clock(app, world):
    with time_machine.travel(local(2026, 11, 30, 9, 0), tick=False):
        complaint = submit(world)
        clerk = world.api("clerk")
        ok(complaint_transition(clerk, complaint["id"], "claim"))
        ok(complaint_transition(clerk, complaint["id"], "accept"))
        referral = refer(world, complaint["id"], "amr_city", "administrative",
                         evidence_ids(world, complaint["id"]))
    q4 = deadlines(app, complaint["id"], subject_type="referral")["Q4"]
    assert q4.responsible_org_id == world.orgs["amr_city"] and q4.due_at == end_of(dt.date(2026, 12, 1))

    officer = world.api("amr_city")
    with time_machine.travel(local(2026, 12, 1, 9, 0), tick=False):
        ok(referral_transition(officer, referral["id"], "acknowledge", officer_name="刘洋"))
    found = deadlines(app, complaint["id"], subject_type="referral")
    assert found["Q4"].state.value == "met"
    a1 = found["A1"]
    # 15 working days from Tuesday 1 December: 2–4, 7–11, 14–18, 21–22 December
    assert a1.due_at == end_of(dt.date(2026, 12, 22))

    # an appraisal stops the verification clock; its working days are added back
    with time_machine.travel(local(2026, 12, 2, 9, 0), tick=False):
        ok(officer.post(f"/api/v1/referrals/{referral['id']}/appraisal", json={"action": "requested",
                                                                               "note": "委托司法鉴定"}))
        again = officer.post(f"/api/v1/referrals/{referral['id']}/appraisal", json={"action": "requested"})
        assert again.status_code == 409
    with time_machine.travel(local(2026, 12, 4, 9, 0), tick=False):  # 3 and 4 December paused
        ok(officer.post(f"/api/v1/referrals/{referral['id']}/appraisal", json={"action": "returned"}))
    a1 = deadlines(app, complaint["id"], subject_type="referral")["A1"]
    assert a1.due_at == end_of(dt.date(2026, 12, 24))

    # the one extension (+15 working days): the officer asks with a reason, the agency's head approves
    url = f"/api/v1/deadlines/{a1.public_id}/extension-requests"
    decide = f"/api/v1/deadlines/{a1.public_id}/extension-decision"
    with time_machine.travel(local(2026, 12, 4, 10, 0), tick=False):
        asked = {"reason": "案情复杂，需进一步核查", "requested_due_at": end_of(dt.date(2027, 1, 15)).isoformat()}
        assert world.api("supervisor").post(url, json=asked).status_code == 404  # not a centre's clock
        ok(officer.post(url, json=asked), 201)
        assert officer.post(decide, json={"decision": "approve"}).status_code == 404  # not the head
        extended = ok(world.api("amr_city_head").post(decide, json={"decision": "approve"}))
        assert extended["state"] == "approved"
        assert officer.post(url, json=asked).status_code == 409  # the rule's one extension is used
    a1 = deadlines(app, complaint["id"], subject_type="referral")["A1"]
    assert a1.due_at == end_of(dt.date(2027, 1, 15)) and a1.extension_reason == "案情复杂，需进一步核查"

    with time_machine.travel(local(2026, 12, 10, 9, 0), tick=False):
        ok(referral_transition(officer, referral["id"], "accept", case_number="沪市监案〔2026〕7号"))
    found = deadlines(app, complaint["id"], subject_type="referral")
    assert found["A1"].state.value == "met"
    assert found["A2"].due_at == end_of(dt.date(2027, 3, 10))  # 90 calendar days, a working Wednesday


def test_withdrawal_cancels_the_running_deadlines_and_their_pending_reminders(app, world):
    complaint = submit(world)
    ok(world.api("enterprise").post(f"/api/v1/complaints/{complaint['id']}/withdraw", json={"reason": "已和解"}))
    found = deadlines(app, complaint["id"])
    assert {d.state.value for d in found.values()} == {"cancelled"}
    assert all(pending_levels(app, d.id) == [] for d in found.values())


def test_each_invited_agency_has_its_own_opinion_clock(app, world):
    complaint = submit(world)
    clerk = world.api("clerk")
    ok(complaint_transition(clerk, complaint["id"], "claim"))
    consultation = ok(clerk.post(f"/api/v1/complaints/{complaint['id']}/consultations", json={
        "questions": ["是否构成商业秘密？"], "agency_ids": [world.org("amr_city"), world.org("police")],
        "opinion_due_at": "2026-12-31T10:00:00+08:00", "due_reason": "年底前集中会商。"}), 201)
    ok(world.api("police").post(f"/api/v1/consultations/{consultation['id']}/opinions", json={"opinion": "已达立案标准。"}))
    c1 = {d.responsible_org_id: d for d in _all(app, complaint["id"]) if d.rule_code == "C1"}
    assert c1[world.orgs["police"]].state.value == "met"
    assert c1[world.orgs["amr_city"]].state.value == "open"


def _all(app, complaint_id):
    from core.extensions import db
    from deadlines.models import Deadline

    with app.app_context():
        return db.session.scalars(select(Deadline).where(Deadline.complaint_id == uuid.UUID(complaint_id))).all()


@pytest.mark.parametrize("body, field", [
    ({"amount": -1, "unit": "working_days"}, "amount"),
    ({"amount": 99999, "unit": "working_days"}, "amount"),
    ({"amount": 5, "unit": "weeks"}, "unit"),
    ({"amount": 5, "unit": "days", "reminders": [{"percent": 150}]}, "reminders"),
    ({"amount": 5, "unit": "days", "escalation": [{"level": 1, "after_working_days": -2, "notify": "responsible"}]},
     "escalation"),
    ({"amount": 5, "unit": "days", "extension_amount": 0}, "extension_amount"),
])
def test_absurd_rules_are_refused_and_nothing_changes(app, world, body, field):
    admin = world.api("admin")
    before = {r["code"]: r for r in every(admin, "/api/v1/admin/deadline-rules")}["Q2"]
    response = admin.put("/api/v1/admin/deadline-rules/Q2", json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    after = {r["code"]: r for r in every(admin, "/api/v1/admin/deadline-rules")}["Q2"]
    assert after == before


def test_a_rule_change_applies_to_new_deadlines_not_old_ones(app, world):
    from core.extensions import db
    from deadlines.models import DeadlineRule

    with time_machine.travel(local(2026, 11, 30, 9, 0), tick=False):
        first = submit(world)
        assert world.api("clerk").put("/api/v1/admin/deadline-rules/Q1", json={"amount": 3, "unit": "working_days"}
                                      ).status_code == 404
        changed = ok(world.api("admin").put("/api/v1/admin/deadline-rules/Q1", json={
            "amount": 3, "unit": "working_days", "reminders": [{"percent": 50}],
            "escalation": [{"level": 1, "after_working_days": 0, "notify": "responsible"}]}))
        second = submit(world)
    try:
        assert changed["version"] == 2
        assert deadlines(app, first["id"])["Q1"].due_at == end_of(dt.date(2026, 12, 1))
        new = deadlines(app, second["id"])["Q1"]
        assert new.due_at == end_of(dt.date(2026, 12, 3)) and new.rule_version == 2
    finally:  # the rules are reference data kept across tests: put Q1 back
        from deadlines.rules_seed import DEFAULT_RULES

        with app.app_context():
            rule = db.session.get(DeadlineRule, "Q1")
            code, step, amount, unit, reminders, ladder, extension, source, status = DEFAULT_RULES[0]
            rule.amount, rule.unit, rule.reminders, rule.escalation, rule.version = amount, unit, reminders, ladder, 1
            db.session.commit()


def test_the_queue_filters_complaints_whose_centre_deadline_has_passed(app, world):
    with time_machine.travel(local(2026, 11, 30, 9, 0), tick=False):
        late = submit(world)
    with time_machine.travel(local(2026, 12, 3, 9, 0), tick=False):  # Q1 of the first ran out on 1 December
        fresh = submit(world)
        clerk = world.api("clerk")
        overdue = [i["id"] for i in ok(clerk.get("/api/v1/queue?overdue=true"))["items"]]
        in_time = [i["id"] for i in ok(clerk.get("/api/v1/queue?overdue=false"))["items"]]
        assert (overdue, in_time) == ([late["id"]], [fresh["id"]])
        assert clerk.get("/api/v1/queue?overdue=maybe").status_code == 422


def test_loading_a_years_calendar_recomputes_provisional_deadlines(app, world):
    """A deadline reaching into a year with no published calendar is provisional until it is loaded."""
    from core.extensions import db
    from deadlines import calendar

    with time_machine.travel(local(2026, 12, 28, 9, 0), tick=False):  # Q2 reaches into 2027
        complaint = submit(world)
    q2 = deadlines(app, complaint["id"])["Q2"]
    assert q2.provisional
    with app.app_context():
        try:
            # provisionally: 29, 30, 31 December, 1 January off (statutory), 4 and 5 January
            assert q2.due_at == end_of(dt.date(2027, 1, 5))
            calendar.load_year(calendar.parse_year_file({
                "year": 2027, "source": "test notice",
                "days_off": [{"from": "2027-01-01", "to": "2027-01-04", "name": "元旦"}], "workdays": []}))
            db.session.commit()
            reloaded = deadlines(app, complaint["id"])["Q2"]
            assert not reloaded.provisional
            assert reloaded.due_at == end_of(dt.date(2027, 1, 6))  # 4 January is now off as well
        finally:
            from deadlines.calendar import CalendarYear, bump_version

            db.session.rollback()
            row = db.session.get(CalendarYear, 2027)
            if row is not None:
                db.session.delete(row)
                bump_version()
                db.session.commit()


def test_the_agency_inbox_puts_the_most_urgent_referral_first(app, world):
    clerk, police = world.api("clerk"), world.api("police")
    with time_machine.travel(local(2026, 11, 30, 9, 0), tick=False):
        first = submit(world)
        for complaint in (first,):
            ok(complaint_transition(clerk, complaint["id"], "claim"))
            ok(complaint_transition(clerk, complaint["id"], "accept"))
        older = refer(world, first["id"], "police", "criminal")["id"]
    with time_machine.travel(local(2026, 12, 1, 9, 0), tick=False):
        second = submit(world)
        ok(complaint_transition(clerk, second["id"], "claim"))
        ok(complaint_transition(clerk, second["id"], "accept"))
        newer = refer(world, second["id"], "police", "criminal")["id"]
        # the newer referral is acknowledged: its next clock (T4, 3 days) runs after the older one's Q4
        ok(referral_transition(police, newer, "acknowledge", officer_name="郑刚"))
        items = ok(police.get("/api/v1/referrals?pending=true"))["items"]
    assert [i["id"] for i in items] == [older, newer]
    due = {i["id"]: dt.datetime.fromisoformat(i["agency_due_at"]) for i in items}
    assert due[older] == end_of(dt.date(2026, 12, 1)) and due[newer] == end_of(dt.date(2026, 12, 4))


def test_an_administrators_day_off_moves_the_running_deadlines_and_the_queue(app, world):
    """An extra day off in an official year: the deadlines that count it and the queue's order follow."""
    from core.extensions import db
    from deadlines import calendar

    with time_machine.travel(local(2026, 11, 30, 9, 0), tick=False):
        complaint = submit(world)
    assert deadlines(app, complaint["id"])["Q2"].due_at == end_of(dt.date(2026, 12, 7))
    with app.app_context():
        try:
            calendar.set_day(None, dt.date(2026, 12, 2), "day_off", "临时休息日")
            db.session.commit()
            found = deadlines(app, complaint["id"])
            # 1, 3, 4, 7 and 8 December now: the day off is skipped
            assert found["Q2"].due_at == end_of(dt.date(2026, 12, 8))
            assert found["Q1"].due_at == end_of(dt.date(2026, 12, 1))  # before the day: unchanged
            assert queue_due(world, complaint["id"]) == found["Q1"].due_at
        finally:
            db.session.rollback()
            calendar.remove_day(None, dt.date(2026, 12, 2))
            db.session.commit()
    assert deadlines(app, complaint["id"])["Q2"].due_at == end_of(dt.date(2026, 12, 7))


# --- what each person sees (issue 9): rows by name, paused and extended in words, internal clocks hidden -----

INTERNAL_CODES = {"S1", "C1", "T1", "T2", "T5", "P1", "P2"}


def _deadline_rows(html) -> list[str]:
    import re

    rows = re.findall(r'<tr class="[^"]*" data-testid="deadline-row">(.*?)</tr>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def _timeline_texts(html) -> str:
    return html.split('data-testid="timeline"')[1].split("</table>")[0]


def test_the_enterprise_sees_its_public_clocks_by_name_and_never_an_internal_clock_or_entry(app, world, compiled):
    from tests.agencies.web import Browser
    from tests.routing.support import accepted

    complaint = accepted(world)
    cid = complaint["id"]
    referral = refer(world, cid, "amr_city", "administrative")
    amr, head = world.api("amr_city"), world.api("amr_city_head")
    ok(referral_transition(amr, referral["id"], "acknowledge", officer_name="刘洋"))
    a1 = deadlines(app, cid)["A1"]
    # A1 extended (the officer asks, the head approves), then paused by an appraisal
    asked = ok(amr.post(f"/api/v1/deadlines/{a1.public_id}/extension-requests", json={
        "reason": "案情复杂。", "requested_due_at": (a1.due_at + dt.timedelta(days=10)).isoformat()}), 201)
    ok(head.post(f"/api/v1/deadlines/{a1.public_id}/extension-decision",
                 json={"decision": "approve", "request_id": asked["id"]}))
    ok(amr.post(f"/api/v1/referrals/{referral['id']}/appraisal", json={"action": "requested", "note": "送检。"}))
    ok(amr.post(f"/api/v1/referrals/{referral['id']}/notes", json={"text": "内部：拟约谈。", "public": False}), 201)
    ok(amr.post(f"/api/v1/referrals/{referral['id']}/notes", json={"text": "已调取证据。", "public": True}), 201)
    # internal clocks: a consultation's opinions (C1) and a key case's reports (S1)
    consultation = ok(world.api("clerk").post(f"/api/v1/complaints/{cid}/consultations", json={
        "questions": ["是否构成商业秘密？"], "agency_ids": [world.org("police")],
        "opinion_due_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()}), 201)
    ok(world.api("police").post(f"/api/v1/consultations/{consultation['id']}/opinions", json={"opinion": "意见：已达立案标准。"}))
    ok(world.api("supervisor").post(f"/api/v1/complaints/{cid}/supervision", json={"instructions": "督办：加快办理。"}), 201)
    assert INTERNAL_CODES & set(deadlines(app, cid)) == {"S1", "C1"}

    # the enterprise's page: its public clocks only, each naming who must act, in words
    html = Browser(app, world.users["enterprise"]).get(f"/complaints/{cid}")
    rows = _deadline_rows(html)
    assert len(rows) == 4, rows  # Q1, Q2, Q4, A1
    assert not any("opinion" in r or "key case" in r for r in rows), rows
    a1_row = next(r for r in rows if r.startswith("Market regulator decides whether to open a case"))
    assert "上海市市场监督管理局" in a1_row and a1_row.endswith("Paused (extended)"), a1_row
    assert "Running · paused" not in html and "A1 ·" not in html
    zh_rows = _deadline_rows(Browser(app, world.users["enterprise"]).get(f"/complaints/{cid}?lang=zh"))
    assert any(r.endswith("已暂停（已延长）") for r in zh_rows), zh_rows
    timeline = _timeline_texts(html)
    for secret in ("内部：拟约谈。", "意见：已达立案标准。", "督办：加快办理。", "送检。"):
        assert secret not in html, secret
    assert "已调取证据。" in html and "A consultation of the agencies was convened." in timeline
    # the API gives the enterprise the same: no internal clock, no internal row
    api = world.api("enterprise")
    codes = {d["rule_code"] for d in every(api, f"/api/v1/complaints/{cid}/deadlines")}
    assert codes == {"Q1", "Q2", "Q4", "A1"}
    rows_api = every(api, f"/api/v1/complaints/{cid}/timeline")
    assert {e["kind"] for e in rows_api} & {"supervision", "step", "appraisal", "routing_decision"} == set()
    assert not any(e["kind"] == "consultation" and e["trigger"] == "opinion" for e in rows_api)
    assert "内部：拟约谈。" not in str(rows_api)

    # the clerk reads every clock, each naming the agency and what it is about
    clerk_rows = _deadline_rows(Browser(app, world.users["clerk"]).get(f"/centre/complaints/{cid}"))
    assert any(r.startswith("Consulted agency submits its opinion 上海市公安局经济犯罪侦查总队 (consultation)")
               for r in clerk_rows), clerk_rows
    assert any(r.startswith("Centre reports on the key case 上海市商业秘密保护维权中心 (key-case supervision)")
               for r in clerk_rows), clerk_rows
    assert {c for c in every(world.api("clerk"), f"/api/v1/complaints/{cid}/deadlines")
            for c in [c["rule_code"]]} >= {"S1", "C1"}


def test_an_internal_deadline_and_entry_are_decided_by_the_named_predicates():
    from types import SimpleNamespace

    from accounts.enums import Role
    from deadlines.access import deadline_visible_to
    from intake.presenters import entry_visible_to

    enterprise, clerk = SimpleNamespace(role=Role.enterprise_user), SimpleNamespace(role=Role.clerk)
    for code, subject in (("S1", "supervision"), ("C1", "consultation"), ("T1", "referral"), ("P2", "referral")):
        d = SimpleNamespace(rule_code=code, subject_type=subject)
        assert not deadline_visible_to(d, enterprise) and deadline_visible_to(d, clerk), code
    assert deadline_visible_to(SimpleNamespace(rule_code="A1", subject_type="referral"), enterprise)

    def entry(kind, trigger=None, public=True):
        return SimpleNamespace(kind=kind, trigger=trigger, public=public)

    for hidden in (entry("note", public=False), entry("supervision", "supervise", public=True),
                   entry("consultation", "opinion"), entry("consultation", "request_opinions"),
                   entry("step", "report_suspected_crime"), entry("routing_decision")):
        assert not entry_visible_to(hidden, enterprise) and entry_visible_to(hidden, clerk), hidden
    for shown in (entry("note"), entry("consultation", "convene"), entry("consultation", "conclusion"),
                  entry("referral", "accept")):
        assert entry_visible_to(shown, enterprise), shown
