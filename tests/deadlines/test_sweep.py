"""The sweep: reminders, breaches and escalation levels, each recorded once and queued in the outbox —
with one process, with four processes at once (PostgreSQL), and after a sweep killed half-way."""
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from tests.routing.conftest import world  # noqa: F401  (the fixture)
from tests.routing.support import submit

SH = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.config(API_TOKEN_LIFETIME_SECONDS=365 * 86400)


def run_sweep(app, now):
    from deadlines.sweep import sweep

    with app.app_context():
        return sweep(now=now)


def outbox(app):
    from core.extensions import db
    from core.outbox import OutboxEvent

    with app.app_context():
        return [(o.event, o.params["rule"], o.params["level"], o.audience, [str(uuid.UUID(i)) for i in o.organisation_ids])
                for o in db.session.scalars(select(OutboxEvent).where(OutboxEvent.event.like("deadline.%"))
                                            .order_by(OutboxEvent.id))]


def q1(app, complaint_id):
    from core.extensions import db
    from deadlines.models import Deadline

    with app.app_context():
        return db.session.scalar(select(Deadline).where(Deadline.complaint_id == uuid.UUID(complaint_id),
                                                        Deadline.rule_code == "Q1"))


def test_reminder_breach_and_escalation_levels_each_happen_once(app, world):
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, 0, tzinfo=SH), tick=False):  # Monday
        complaint = submit(world)
    centre = world.org("centre")
    # Q1 runs from Monday 09:00 to Tuesday 23:59:59: its 50% reminder falls on Tuesday 04:29:59
    assert run_sweep(app, dt.datetime(2026, 12, 1, 4, 0, tzinfo=SH))["events"] == 0
    assert run_sweep(app, dt.datetime(2026, 12, 1, 5, 0, tzinfo=SH))["deadline.reminder"] == 1
    assert outbox(app) == [("deadline.reminder", "Q1", "reminder-1", None, [centre])]
    assert q1(app, complaint["id"]).state.value == "open"

    after_due = dt.datetime(2026, 12, 2, 0, 30, tzinfo=SH)
    counts = run_sweep(app, after_due)
    assert (counts["deadline.breached"], counts["deadline.escalated"]) == (1, 1)
    assert q1(app, complaint["id"]).state.value == "breached"
    assert run_sweep(app, after_due)["events"] == 0  # idempotent
    # two more working days (Wednesday, Thursday): the supervisor office is told
    counts = run_sweep(app, dt.datetime(2026, 12, 4, 0, 30, tzinfo=SH))
    assert counts["deadline.escalated"] == 1
    q1_rows = [row for row in outbox(app) if row[1] == "Q1"]
    assert q1_rows == [
        ("deadline.reminder", "Q1", "reminder-1", None, [centre]),
        ("deadline.breached", "Q1", "breach", None, [centre]),
        ("deadline.escalated", "Q1", "escalation-1", None, [centre]),
        ("deadline.escalated", "Q1", "escalation-2", "supervisors", [centre]),
    ]


def test_a_met_deadline_is_never_reminded_again(app, world):
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, 0, tzinfo=SH), tick=False):
        complaint = submit(world)
        world.api("clerk").post(f"/api/v1/complaints/{complaint['id']}/transitions", json={"trigger": "claim"})
    run_sweep(app, dt.datetime(2026, 12, 20, tzinfo=SH))
    assert [row for row in outbox(app) if row[1] == "Q1"] == []
    assert q1(app, complaint["id"]).state.value == "met"


# --- several processes, and a process killed half-way (PostgreSQL) -----------------------------------

CHILD = """
import json, sys, datetime as dt
from app import create_app
url, now, batch, kill_after = sys.argv[1], dt.datetime.fromisoformat(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
app = create_app({"DATABASE_URL": url, "APP_ENV": "testing"})
def hold(batch_number):
    if batch_number == kill_after:
        print("half-way", flush=True)
        sys.stdin.read()  # wait here, inside the open transaction, for SIGKILL
with app.app_context():
    from deadlines.sweep import sweep
    print(json.dumps(sweep(now=now, batch_size=batch, after_mark=hold)), flush=True)
"""


def overdue_deadlines(app, n, now):
    """n deadlines past due, each with a breach and a first escalation level pending."""
    from core.extensions import db
    from deadlines.models import Deadline, DeadlineEvent

    org = uuid.uuid4()
    due = now - dt.timedelta(hours=1)
    with app.app_context():
        start = (db.session.scalar(select(func.max(Deadline.id))) or 0) + 1
        db.session.execute(Deadline.__table__.insert(), [dict(
            id=start + i, public_id=uuid.uuid4(), subject_type="referral", subject_id=uuid.uuid4(),
            complaint_id=uuid.uuid4(), responsible_org_id=org, rule_code="Q4", rule_version=1, amount=1,
            unit="working_days", reminders=[], escalation=[], state="open", started_at=due - dt.timedelta(days=1),
            due_at=due, provisional=False, calendar_version=1, paused_intervals=[]) for i in range(n)])
        db.session.execute(DeadlineEvent.__table__.insert(), [dict(
            deadline_id=start + i, level=level, at=due, event=event, audience=None)
            for i in range(n) for level, event in (("breach", "deadline.breached"),
                                                   ("escalation-1", "deadline.escalated"))])
        db.session.commit()


def recorded(app):
    from core.extensions import db
    from core.outbox import OutboxEvent
    from deadlines.models import Deadline, DeadlineEvent

    with app.app_context():
        done = db.session.scalar(select(func.count()).select_from(DeadlineEvent).where(DeadlineEvent.done_at.isnot(None)))
        queued = db.session.scalar(select(func.count()).select_from(OutboxEvent))  # only the sweep's here
        distinct = db.session.scalar(select(func.count()).select_from(
            select(OutboxEvent.subject_id, OutboxEvent.event).distinct().subquery()))
        breached = db.session.scalar(select(func.count()).select_from(Deadline).where(Deadline.state == "breached"))
        return {"done": done, "queued": queued, "distinct": distinct, "breached": breached}


def child(app, now, batch, kill_after=0):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, app.config["SQLALCHEMY_DATABASE_URI"], now.isoformat(), str(batch),
         str(kill_after)], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


@pytest.mark.postgres_only
def test_four_scheduler_processes_record_every_breach_once(app):
    now = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
    overdue_deadlines(app, 1000, now)
    processes = [child(app, now, batch=25) for _ in range(4)]
    results = []
    for process in processes:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert sum(r["deadline.breached"] for r in results) == 1000
    assert sum(r["deadline.escalated"] for r in results) == 1000
    assert recorded(app) == {"done": 2000, "queued": 2000, "distinct": 2000, "breached": 1000}


@pytest.mark.postgres_only
def test_a_sweep_killed_half_way_leaves_nothing_half_done(app):
    now = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
    overdue_deadlines(app, 1000, now)
    process = child(app, now, batch=100, kill_after=3)
    assert process.stdout.readline().strip() == "half-way"  # batch 3 marked, not committed
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert recorded(app)["done"] == 200  # the two committed batches, nothing of the third
    assert recorded(app)["queued"] == 200
    run_sweep(app, now)  # restarted
    assert recorded(app) == {"done": 2000, "queued": 2000, "distinct": 2000, "breached": 1000}


def test_expanded_deadline_notices_say_when_the_deadline_was_due(app, world):
    from core.extensions import db
    from notifications.models import Notification
    from notifications.worker import expand_outbox

    with time_machine.travel(dt.datetime(2026, 11, 30, 9, 0, tzinfo=SH), tick=False):
        complaint = submit(world)
    run_sweep(app, dt.datetime(2026, 12, 2, 0, 30, tzinfo=SH))
    with app.app_context():
        expand_outbox()
        breached = [n for n in db.session.scalars(select(Notification)) if n.event == "deadline.breached"]
        assert breached and all(n.params["reference"] == complaint["reference"] for n in breached)
        assert {n.params["due_at"][:10] for n in breached} == {"2026-12-01"}  # Q1: Tuesday 23:59:59 Shanghai
