"""Cost of the state machine on loaded rows (not a test).

    .venv/bin/python bench/state_machine.py [--complaints 10000] [--rounds 5] [--database-url URL]

Loads N complaints with the ORM, (a) as they are and (b) asking each for the triggers a clerk may
fire now. One Machine per entity class means (b) adds only a table lookup per row. Target: (b)
costs at most 3x (a).
"""
import argparse
import gc
import sys
import time
from pathlib import Path

# the repository root instead of bench/ (whose queue.py would shadow the standard library's queue)
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.common import scratch_database  # noqa: E402
from bench.queue import fill  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complaints", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from sqlalchemy import select

    from accounts.models import User
    from app import create_app
    from core.extensions import db
    from intake.models import Complaint
    from routing.machines import complaint_machine

    with scratch_database(args.database_url) as url:
        app = create_app({"DATABASE_URL": url, "APP_ENV": "testing", "ARGON2_TIME_COST": 1,
                          "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1})
        fill(app, args.complaints)
        with app.app_context():
            clerk = db.session.scalar(select(User).where(User.email == "clerk@bench.example"))
            db.session.expunge(clerk)

            def load():
                db.session.remove()  # a fresh session: every row is built anew, as in a request
                gc.collect()
                return db.session.scalars(select(Complaint)).all()

            def plain():
                return len(load())

            def with_machine():
                return sum(len(complaint_machine.allowed_triggers(c, clerk)) for c in load())

            best = {}
            for name, fn in (("load only", plain), ("load + allowed triggers", with_machine)):
                fn()  # warm up
                timings = []
                for _ in range(args.rounds):
                    t0 = time.perf_counter()
                    fn()
                    timings.append(time.perf_counter() - t0)
                best[name] = min(timings)
            print(f"database: {db.engine.dialect.name}, {args.complaints} complaints, best of {args.rounds}")
            for name, seconds in best.items():
                print(f"{name:<26} {seconds * 1000:8.1f} ms  {seconds / args.complaints * 1e6:6.1f} us/row")
            ratio = best["load + allowed triggers"] / best["load only"]
            print(f"ratio (with machine / without): {ratio:.2f}x  (target <= 3x)")
            db.engine.dispose()


if __name__ == "__main__":
    main()
