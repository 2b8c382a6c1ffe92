"""The cost of matching one new complaint against N submitted ones (not a test).

    .venv/bin/python bench/clues.py [--complaints 100000] [--runs 300] [--database-url URL]

Fills N submitted complaints with their match keys (two or three each: organisations drawn from a pool of
N/3 companies written in their variants, credit codes for some, a former employee with the organisation;
so most infringers have several complaints), then, R times, submits one more complaint through the ORM (the
flush listener writes its keys) and asks for its related complaints (supervision/clues.related_ids), each
rolled back. Prints p50/p95/max of (a) the keys written and matched (flush + lookup), (b) the lookup alone,
the number of complaints the lookup found, and the query plan of the lookup (an index search, no scan).
"""
import argparse
import datetime as dt
import random
import sys
import time
import uuid
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.common import percentile, scratch_database  # noqa: E402

SUFFIXES = ["有限公司", "有限责任公司", "股份有限公司", "有限公司北京分公司", "有限公司（上海办事处）"]


def company(n):
    return f"上海测{n:06d}科技"


def fill(app, total):
    from accounts import services as accounts
    from accounts.enums import District, OrgKind, Role
    from core.extensions import db
    from intake.models import Complaint
    from supervision.clue_models import ClueKey
    from supervision.clues import keys_for
    from types import SimpleNamespace as NS
    from intake.enums import InfringerKind as K

    rng = random.Random(7)
    with app.app_context():
        db.create_all()
        centre = accounts.create_organisation(name="中心", kind=OrgKind.rights_center, district=District.municipal)
        enterprise = accounts.create_organisation(name="企业", kind=OrgKind.enterprise, district=District.pudong,
                                                  credit_code="91310115MA1K000001")
        db.session.flush()
        user = accounts.create_user(organisation=enterprise, email="e@bench.example", name="e",
                                    password="correct horse battery staple 7", role=Role.enterprise_user)
        db.session.commit()
        pool = max(total // 3, 1)
        now = dt.datetime.now(dt.UTC)
        complaints, keys = [], []
        for i in range(total):
            cid = uuid.uuid4()
            n = rng.randrange(pool)
            infringers = [NS(kind=K.competitor, name=company(n) + rng.choice(SUFFIXES),
                             credit_code=f"9131{n:014d}" if n % 2 else None),
                          NS(kind=K.former_employee, name=f"员工{rng.randrange(pool)}", credit_code=None)]
            complaints.append(dict(id=cid, reference=f"B{i:09d}", state="submitted", version=1,
                                   enterprise_id=enterprise.id, created_by_id=user.id, centre_id=centre.id,
                                   submitted_at=now, created_at=now, updated_at=now))
            for kind, key, label in keys_for(NS(infringers=infringers, enterprise=None)):
                keys.append(dict(complaint_id=cid, kind=kind, key=key, label=label))
            if len(complaints) == 10_000:
                db.session.execute(Complaint.__table__.insert(), complaints)
                db.session.execute(ClueKey.__table__.insert(), keys)
                complaints, keys = [], []
        if complaints:
            db.session.execute(Complaint.__table__.insert(), complaints)
            db.session.execute(ClueKey.__table__.insert(), keys)
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        return enterprise.id, user.id, centre.id, pool


def measure(app, ids, pool, runs):
    from core.extensions import db
    from intake.enums import ComplaintState, InfringerKind as K
    from intake.models import Complaint, Infringer
    from supervision import clues

    enterprise_id, user_id, centre_id = ids
    rng = random.Random(11)
    both, lookup, found = [], [], []
    with app.app_context():
        for i in range(runs):
            n = rng.randrange(pool)
            complaint = Complaint(reference=f"N{i:09d}", state=ComplaintState.draft, enterprise_id=enterprise_id,
                                  created_by_id=user_id, centre_id=centre_id, infringing_acts=[], remedies=[],
                                  preferred_tracks=[])
            complaint.infringers = [
                Infringer(position=0, kind=K.competitor, name=company(n) + rng.choice(SUFFIXES),
                          credit_code=f"9131{n:014d}" if n % 2 else None),
                Infringer(position=1, kind=K.former_employee, name=f"员工{rng.randrange(pool)}")]
            db.session.add(complaint)
            db.session.flush()  # the draft and its infringers: not timed
            t0 = time.perf_counter()
            complaint.state = ComplaintState.submitted
            complaint.submitted_at = dt.datetime.now(dt.UTC)
            db.session.flush()  # the listener writes the keys
            t1 = time.perf_counter()
            related = clues.related_ids(complaint.id)
            t2 = time.perf_counter()
            both.append(t2 - t0)
            lookup.append(t2 - t1)
            found.append(len(related))
            db.session.rollback()
        plan = explain(db)
    return both, lookup, found, plan


def explain(db):
    from sqlalchemy import Uuid, bindparam, select

    from supervision.clue_models import ClueKey

    complaint_id = db.session.scalar(select(ClueKey.complaint_id).limit(1))
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    query = db.text(prefix + "SELECT DISTINCT other.complaint_id FROM clue_keys AS mine JOIN clue_keys AS other "
                    "ON other.kind = mine.kind AND other.key = mine.key WHERE mine.complaint_id = :c "
                    "AND other.complaint_id != :c").bindparams(bindparam("c", type_=Uuid))
    return [str(row[-1]) for row in db.session.execute(query, {"c": complaint_id}).all()]


def ms(values, p):
    return f"{percentile(values, p) * 1000:.2f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    from app import create_app

    with scratch_database(args.database_url) as url:
        app = create_app({"DATABASE_URL": url, "APP_ENV": "testing"})
        t0 = time.perf_counter()
        *ids, pool = fill(app, args.complaints)
        filled = time.perf_counter() - t0
        both, lookup, found, plan = measure(app, ids, pool, args.runs)
        with app.app_context():
            from core.extensions import db

            db.engine.dispose()
    print(f"database: {url.split(':')[0]}; {args.complaints} complaints with their keys filled in {filled:.1f} s")
    print(f"matching one new complaint ({args.runs} runs): keys written + matched p50 {ms(both, 50)}, "
          f"p95 {ms(both, 95)}, max {ms(both, 100)}")
    print(f"  the lookup alone: p50 {ms(lookup, 50)}, p95 {ms(lookup, 95)}, max {ms(lookup, 100)}; "
          f"related complaints found: median {sorted(found)[len(found) // 2]}, max {max(found)}")
    print("  plan of the lookup:")
    for line in plan:
        print(f"    {line}")


if __name__ == "__main__":
    main()
