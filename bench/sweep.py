"""One deadline sweep at scale, against its floor (not a test).

    .venv/bin/python bench/sweep.py [--deadlines 100000] [--overdue 50000] [--batch 1000] [--database-url URL]

N open deadlines of which M are past due. Times one sweep (which records a breach per overdue
deadline exactly once and queues its outbox row) and the floor: one SQL UPDATE marking the same rows
plus one INSERT ... SELECT of the same outbox rows (run first, rolled back). Prints seconds,
microseconds per breached deadline, the ratio floor/sweep (target: the sweep at least 30% of the
floor's speed), and the sweep's peak Python memory (tracemalloc) at M and at M/5, to show it stays
flat in the number of deadlines (it works in batches).
"""
import argparse
import datetime as dt
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

# the repository root instead of bench/ (whose queue.py would shadow the standard library's queue)
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.common import scratch_database  # noqa: E402


def fill(app, total, overdue, now):
    from accounts import services as accounts
    from accounts.enums import District, OrgKind
    from core.extensions import db
    from deadlines.models import Deadline, DeadlineEvent

    with app.app_context():
        db.create_all()
        agency = accounts.create_organisation(name="agency", kind=OrgKind.market_regulation,
                                              district=District.municipal)
        db.session.commit()
        rows, checkpoints = [], []
        for i in range(1, total + 1):
            late = i <= overdue
            due = now - dt.timedelta(hours=1) if late else now + dt.timedelta(days=10)
            rows.append(dict(id=i, public_id=uuid.uuid4(), subject_type="referral", subject_id=uuid.uuid4(),
                             complaint_id=uuid.uuid4(), responsible_org_id=agency.id, rule_code="Q4",
                             rule_version=1, amount=1, unit="working_days", reminders=[], escalation=[],
                             state="open", started_at=due - dt.timedelta(days=1), due_at=due, provisional=False,
                             calendar_version=1, paused_intervals=[]))
            checkpoints.append(dict(deadline_id=i, level="breach", at=due, event="deadline.breached", audience=None))
            if len(rows) == 10_000:
                db.session.execute(Deadline.__table__.insert(), rows)
                db.session.execute(DeadlineEvent.__table__.insert(), checkpoints)
                rows, checkpoints = [], []
        if rows:
            db.session.execute(Deadline.__table__.insert(), rows)
            db.session.execute(DeadlineEvent.__table__.insert(), checkpoints)
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()


FLOOR_UPDATE = """UPDATE deadlines SET state = 'breached', breached_at = due_at
WHERE due_at <= :now AND state = 'open' AND closed_at IS NULL AND paused_at IS NULL"""
FLOOR_INSERT = """INSERT INTO outbox_events (event, organisation_ids, user_ids, params, subject_type, subject_id,
created_at) SELECT 'deadline.breached', '[]', '[]', '{}', subject_type, subject_id, :now FROM deadlines
WHERE state = 'breached'"""


def floor(app, now):
    """The same durable work at its cheapest: one UPDATE, one INSERT … SELECT, one commit."""
    from core.extensions import db

    with app.app_context():
        t0 = time.perf_counter()
        db.session.execute(db.text(FLOOR_UPDATE), {"now": now})
        inserted = db.session.execute(db.text(FLOOR_INSERT), {"now": now}).rowcount
        db.session.commit()
        elapsed = time.perf_counter() - t0
        db.engine.dispose()
        return elapsed, inserted


def run_sweep(app, now, batch, trace=False):
    from core.extensions import db
    from deadlines.sweep import sweep

    with app.app_context():
        if trace:
            tracemalloc.start()
        t0 = time.perf_counter()
        counts = sweep(now=now, batch_size=batch)
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] if trace else None
        if trace:
            tracemalloc.stop()
        db.engine.dispose()
        return elapsed, counts, peak


def make_app(url):
    from app import create_app

    return create_app({"DATABASE_URL": url, "APP_ENV": "testing"})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deadlines", type=int, default=100_000)
    parser.add_argument("--overdue", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    with scratch_database(args.database_url) as url:  # the floor gets its own copy of the same data
        app = make_app(url)
        fill(app, args.deadlines, args.overdue, now)
        floor_s, floor_rows = floor(app, now)
    with scratch_database(args.database_url) as url:
        app = make_app(url)
        fill(app, args.deadlines, args.overdue, now)
        sweep_s, counts, _ = run_sweep(app, now, args.batch)
        dialect = url.split(":")[0]
        print(f"database: {dialect}; {args.deadlines} open deadlines, {args.overdue} past due; batch {args.batch}")
        breaches = counts["deadline.breached"]
        print(f"sweep : {sweep_s:7.2f} s  {sweep_s / max(breaches, 1) * 1e6:7.1f} us/breach  "
              f"({breaches} breaches, {counts['batches']} batches)")
        print(f"floor : {floor_s:7.2f} s  {floor_s / max(floor_rows, 1) * 1e6:7.1f} us/row  ({floor_rows} rows)")
        print(f"sweep speed / floor speed: {floor_s / sweep_s:.0%}  (target >= 30%)")
        second_s, again, _ = run_sweep(app, now, args.batch)
        print(f"second sweep at the same time: {again['deadline.breached']} breaches, {second_s * 1000:.0f} ms (idempotent)")

    peaks = []
    for overdue in (args.overdue // 5, args.overdue):
        with scratch_database(args.database_url) as url:
            app = make_app(url)
            fill(app, overdue * 2, overdue, now)
            _s, counts, peak = run_sweep(app, now, args.batch, trace=True)
            peaks.append((overdue, peak))
    for overdue, peak in peaks:
        print(f"peak Python memory, {overdue:>6} overdue: {peak / 1e6:6.1f} MB")
    print(f"memory ratio ({peaks[1][0]} vs {peaks[0][0]} overdue): {peaks[1][1] / peaks[0][1]:.2f}x (flat ~ 1x)")


if __name__ == "__main__":
    main()
