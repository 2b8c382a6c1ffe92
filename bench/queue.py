"""The centre's queue at scale: p50/p95 of the first page and of filtered pages (not a test).

    .venv/bin/python bench/queue.py [--complaints 100000] [--requests 200] [--database-url URL]

Fills a scratch database with complaints spread over two centres (with infringers and referrals),
then times GET /api/v1/queue in-process through the Flask test client, as a clerk. Target: p95 under
50 ms on SQLite and on PostgreSQL.
"""
import argparse
import datetime as dt
import random
import sys
import time
import uuid
from pathlib import Path

# the repository root instead of bench/ (whose queue.py would shadow the standard library's queue)
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.common import percentile, scratch_database  # noqa: E402

STATES = ["submitted", "triaging", "awaiting_info", "accepted", "referred", "in_progress", "concluded", "closed",
          "rejected", "withdrawn"]
DISTRICTS = ["pudong", "minhang", "jingan", "putuo", "xuhui", "jinshan", "songjiang", "jiading"]
TRACKS = ["administrative", "criminal", "civil"]


def fill(app, n_complaints):
    from accounts import services as accounts
    from accounts.enums import District, OrgKind, Role
    from core.extensions import db
    from intake.models import Complaint, ComplaintEvent, Infringer
    from routing.models import Referral

    rng = random.Random(42)
    with app.app_context():
        db.create_all()
        centres = [accounts.create_organisation(name=f"centre-{i}", kind=OrgKind.rights_center,
                                                district=District.municipal) for i in range(2)]
        agencies = [accounts.create_organisation(name=f"agency-{t}", kind=kind, district=District.municipal)
                    for t, kind in zip(TRACKS, [OrgKind.market_regulation, OrgKind.public_security, OrgKind.court])]
        from tests.conftest import make_credit_code

        enterprises = [accounts.create_organisation(name=f"enterprise-{i}", kind=OrgKind.enterprise,
                                                    district=District(rng.choice(DISTRICTS)),
                                                    credit_code=make_credit_code(i + 1)) for i in range(300)]
        user = accounts.create_user(organisation=enterprises[0], email="owner@bench.example", name="owner",
                                    password="bench-password", role=Role.enterprise_user)
        accounts.create_user(organisation=centres[0], email="clerk@bench.example", name="clerk",
                             password="bench-password", role=Role.clerk)
        db.session.commit()
        start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        names = ["上海锐驰自动化有限公司", "李某", "赵某", "上海鲜达供应链管理有限公司", "江苏某材料公司", "王某"]
        batch = 5000
        for offset in range(0, n_complaints, batch):
            complaints, infringers, referrals, events = [], [], [], []
            for i in range(offset, min(offset + batch, n_complaints)):
                cid = uuid.uuid4()
                state = rng.choice(STATES)
                submitted = start + dt.timedelta(minutes=i * 3)
                complaints.append(dict(
                    id=cid, reference=f"SM-2026-{i + 1:06d}", state=state, version=1,
                    enterprise_id=rng.choice(enterprises).id, created_by_id=user.id,
                    centre_id=centres[i % 2].id, secret_category="technical", infringing_acts=[], remedies=[],
                    preferred_tracks=[], key_case=rng.random() < 0.02, created_at=submitted, updated_at=submitted,
                    submitted_at=submitted, withdrawal_reason="x" if state == "withdrawn" else None))
                for position in range(rng.choice([1, 1, 2])):
                    infringers.append(dict(complaint_id=cid, position=position, kind="competitor",
                                           name=rng.choice(names), district=rng.choice(DISTRICTS)))
                if state in ("referred", "in_progress", "concluded", "closed"):
                    track = rng.randrange(3)
                    referrals.append(dict(id=uuid.uuid4(), complaint_id=cid, agency_id=agencies[track].id,
                                          track=TRACKS[track], state="sent", version=1, sent_by_id=user.id,
                                          letter_number=f"SM-2026-{i + 1:06d}-Y01", created_at=submitted,
                                          updated_at=submitted))
                events.append(dict(complaint_id=cid, at=submitted, kind="transition", trigger="submit",
                                   from_state="draft", to_state="submitted", payload={}, public=True))
            db.session.execute(Complaint.__table__.insert(), complaints)
            db.session.execute(Infringer.__table__.insert(), infringers)
            if referrals:
                db.session.execute(Referral.__table__.insert(), referrals)
            db.session.execute(ComplaintEvent.__table__.insert(), events)
            db.session.commit()
        if db.engine.dialect.name == "postgresql":  # as autovacuum leaves a settled database
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(db.text("VACUUM ANALYZE"))
        else:
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()


def measure(client, headers, url, requests):
    timings = []
    for _ in range(requests):
        t0 = time.perf_counter()
        response = client.get(url, headers=headers)
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.get_json()
    return timings, response.get_json()["total"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from app import create_app

    with scratch_database(args.database_url) as url:
        app = create_app({"DATABASE_URL": url, "APP_ENV": "testing", "ARGON2_TIME_COST": 1,
                          "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1})
        t0 = time.perf_counter()
        fill(app, args.complaints)
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}, {args.complaints} complaints "
              f"(filled in {time.perf_counter() - t0:.0f} s)")
        client = app.test_client()
        with app.app_context():  # staff sign in with a second step: a token as the login would issue it
            from accounts.models import User
            from accounts.services import issue_api_token
            from core.extensions import db

            token, _row = issue_api_token(db.session.scalar(db.select(User).where(User.email == "clerk@bench.example")))
            db.session.commit()
        headers = {"Authorization": f"Bearer {token}"}
        cases = [
            ("first page", "/api/v1/queue"),
            ("state filter", "/api/v1/queue?state=triaging&state=submitted"),
            ("district + state", "/api/v1/queue?state=triaging&district=minhang"),
            ("track filter", "/api/v1/queue?track=criminal"),
            ("infringer search", "/api/v1/queue?infringer=锐驰&state=accepted"),
            ("key cases", "/api/v1/queue?key_case=true"),
            ("page 50", "/api/v1/queue?page=50"),
            ("sort received", "/api/v1/queue?sort=received&desc=true"),
            ("sort reference", "/api/v1/queue?sort=reference"),
            ("sort enterprise", "/api/v1/queue?sort=enterprise"),
            ("unassigned", "/api/v1/queue?holder=unassigned"),
            ("closed too", "/api/v1/queue?include_closed=true&q=sm-2026"),
        ]
        print(f"{'case':<18} {'total':>7} {'p50 ms':>8} {'p95 ms':>8}")
        for name, url_ in cases:
            measure(client, headers, url_, 5)  # warm up
            timings, total = measure(client, headers, url_, args.requests)
            print(f"{name:<18} {total:>7} {percentile(timings, 50):>8.1f} {percentile(timings, 95):>8.1f}")
        with app.app_context():  # the page's state tabs: one GROUP BY under the same filters
            from accounts.models import User
            from core.extensions import db
            from routing.queue import state_counts

            clerk = db.session.scalar(db.select(User).where(User.email == "clerk@bench.example"))
            timings = []
            for _ in range(args.requests):
                t0 = time.perf_counter()
                state_counts(clerk)
                timings.append((time.perf_counter() - t0) * 1000)
            print(f"{'state tabs':<18} {'':>7} {percentile(timings, 50):>8.1f} {percentile(timings, 95):>8.1f}")
            db.engine.dispose()


if __name__ == "__main__":
    main()
