"""Due times a person sets are the clocks that run (issue 8, points 7 and 12): the reply date the
enterprise is told is Q3 (the end of that day in Shanghai), refused in the past; the convener's opinion
due time is C1, in the future and at most the rule's period unless the convener gives a reason."""
import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.routing.support import accepted, complaint_transition, ok, submit
from tests.paging import every

SH = ZoneInfo("Asia/Shanghai")


def clocks(app, subject_id, code):
    from core.extensions import db
    from deadlines.models import Deadline

    with app.app_context():
        rows = db.session.scalars(select(Deadline).where(Deadline.subject_id == uuid.UUID(str(subject_id)),
                                                         Deadline.rule_code == code).order_by(Deadline.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def end_of(day):
    return dt.datetime.combine(day, dt.time(23, 59, 59), SH).astimezone(dt.UTC)


def today():
    return dt.datetime.now(SH).date()


# --- service level -----------------------------------------------------------------------------------

def test_check_due_refuses_the_past_and_beyond_the_rule_without_a_reason(app):
    from core.models import utcnow
    from deadlines import services

    with app.app_context():
        now = utcnow()
        limit = services.rule_limit("C1", now)
        assert services.check_due("C1", now - dt.timedelta(minutes=1), field="opinion_due_at").keys() == {"opinion_due_at"}
        assert services.check_due("C1", limit, field="x") == {}
        assert services.check_due("C1", limit + dt.timedelta(seconds=1), field="x").keys() == {"x"}
        assert services.check_due("C1", limit + dt.timedelta(days=30), reason="等待鉴定", field="x") == {}
        assert services.check_due("C1", None, field="x").keys() == {"x"}


def test_open_deadline_with_a_due_time_keeps_it_and_pauses_still_move_it(app):
    from core.errors import ValidationFailed
    from core.extensions import db
    from core.models import utcnow
    from deadlines import services

    ids = dict(subject_type="consultation", subject_id=uuid.uuid4(), complaint_id=uuid.uuid4(),
               responsible_org_id=uuid.uuid4())
    with app.app_context():
        start = utcnow()
        wanted = start + dt.timedelta(days=2)
        deadline = services.open_deadline("C1", **ids, start=start, due_at=wanted)
        assert deadline.due_at == wanted and deadline.fixed_due_at == wanted
        with pytest.raises(ValidationFailed) as refused:
            services.open_deadline("C1", **{**ids, "subject_id": uuid.uuid4()}, start=start,
                                   due_at=start - dt.timedelta(hours=1), field="opinion_due_at")
        assert "opinion_due_at" in refused.value.errors
        db.session.rollback()


# --- Q3: the reply date told to the enterprise ----------------------------------------------------

def test_a_reply_date_in_the_past_or_today_is_a_field_error(app, world):
    complaint = submit(world)
    clerk = world.api("clerk")
    ok(complaint_transition(clerk, complaint["id"], "claim"))
    for day in (today() - dt.timedelta(days=1), today()):
        response = complaint_transition(clerk, complaint["id"], "request_info", message="请补充。",
                                        due_date=day.isoformat())
        assert response.status_code == 422 and "due_date" in response.get_json()["errors"], response.get_json()
    assert clocks(app, complaint["id"], "Q3") == []


def test_the_told_reply_date_is_the_q3_clock_before_and_after_acceptance(app, world):
    complaint = submit(world)
    clerk = world.api("clerk")
    ok(complaint_transition(clerk, complaint["id"], "claim"))
    told = today() + dt.timedelta(days=20)  # beyond Q3's own 15 days: the date told is what runs
    ok(complaint_transition(clerk, complaint["id"], "request_info", message="请补充离职交接记录。",
                            due_date=told.isoformat()))
    (q3,) = clocks(app, complaint["id"], "Q3")
    assert q3.due_at == end_of(told) and q3.fixed_due_at == end_of(told)
    ok(world.api("enterprise").post(f"/api/v1/complaints/{complaint['id']}/supplements", json={"text": "已补充。"}))
    ok(complaint_transition(clerk, complaint["id"], "accept"))
    told_again = today() + dt.timedelta(days=3)
    ok(complaint_transition(clerk, complaint["id"], "request_info", message="请补充授权书。",
                            due_date=told_again.isoformat()))
    assert clocks(app, complaint["id"], "Q3")[-1].due_at == end_of(told_again)
    listed = every(clerk, f"/api/v1/complaints/{complaint['id']}/deadlines")
    assert [dt.datetime.fromisoformat(d["due_at"]) for d in listed if d["rule_code"] == "Q3"][-1] == end_of(told_again)


# --- C1: the convener's opinion due time -------------------------------------------------------------

def convene(world, cid, **body):
    return world.api("clerk").post(f"/api/v1/complaints/{cid}/consultations", json={
        "questions": ["是否构成商业秘密？"], "agency_ids": [world.org("police"), world.org("amr_city")], **body})


def test_the_opinion_due_time_is_the_c1_clock(app, world):
    cid = accepted(world)["id"]
    due = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).replace(microsecond=0)
    consultation = ok(convene(world, cid, opinion_due_at=due.isoformat()), 201)
    c1 = clocks(app, consultation["id"], "C1")
    assert len(c1) == 2 and {d.due_at for d in c1} == {due}
    assert dt.datetime.fromisoformat(consultation["opinion_due_at"]) == due


def test_an_opinion_due_time_in_the_past_or_beyond_the_rule_without_a_reason_is_refused(app, world):
    cid = accepted(world)["id"]
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    far = (dt.datetime.now(dt.UTC) + dt.timedelta(days=40)).replace(microsecond=0)
    for body in ({"opinion_due_at": past}, {"opinion_due_at": past, "due_reason": "理由"},
                 {"opinion_due_at": far.isoformat()}, {"opinion_due_at": far.isoformat(), "due_reason": "  "}):
        response = convene(world, cid, **body)
        assert response.status_code == 422 and "opinion_due_at" in response.get_json()["errors"], body
    consultation = ok(convene(world, cid, opinion_due_at=far.isoformat(), due_reason="需等待司法鉴定结论。"), 201)
    c1 = clocks(app, consultation["id"], "C1")
    assert {d.due_at for d in c1} == {far} and {d.due_reason for d in c1} == {"需等待司法鉴定结论。"}
