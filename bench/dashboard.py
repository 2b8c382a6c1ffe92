"""The dashboard at scale: p50/p95 of GET /api/v1/dashboard with all filters off and with two on (not a test).

    .venv/bin/python bench/dashboard.py [--complaints 100000] [--requests 50] [--database-url URL]

Fills a scratch database with complaints received over the last two years (spread over four centres, 300
enterprises in eight districts), each with one or two infringers, a first-response deadline (Q1), and for
those past triage a referral to one of six agencies with its acknowledgement (Q4) and decision (A1/T4/V1)
clocks, outcomes with amounts for the concluded ones. Then times the API in-process through the Flask test
client as a supervisor. Target: p95 under 200 ms at 100,000 complaints (SQLite and PostgreSQL), under 1 s at
1,000,000 (PostgreSQL).
"""
import argparse
import datetime as dt
import decimal
import random
import sys
import time
import uuid
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.common import percentile, scratch_database  # noqa: E402

STATES = ["submitted", "triaging", "awaiting_info", "accepted", "referred", "in_progress", "concluded", "closed",
          "rejected", "withdrawn"]
DISTRICTS = ["pudong", "minhang", "jingan", "putuo", "xuhui", "jinshan", "songjiang", "jiading"]
ACTS = ["theft", "bribery", "fraud", "electronic_intrusion", "breach_of_confidentiality_duty", "patent_application"]
AGENCIES = [("market_regulation", "administrative", "A1"), ("market_regulation", "administrative", "A1"),
            ("public_security", "criminal", "T4"), ("public_security", "criminal", "T4"), ("court", "civil", "V1"),
            ("court", "civil", "V1")]
OUTCOMES = {"administrative": "penalty_decision", "criminal": "sent_for_prosecution", "civil": "judgment"}


def fill(app, n_complaints, now):
    from accounts import services as accounts
    from accounts.enums import District, OrgKind, Role
    from core.extensions import db
    from deadlines.models import Deadline
    from intake.models import Complaint, Infringer
    from routing.models import Referral
    from tests.conftest import make_credit_code

    rng = random.Random(11)
    with app.app_context():
        db.create_all()
        centres = [accounts.create_organisation(name=f"centre-{i}", kind=OrgKind.rights_center,
                                                district=District.municipal) for i in range(4)]
        agencies = [accounts.create_organisation(name=f"agency-{i}", kind=OrgKind(kind), district=District.municipal)
                    for i, (kind, _t, _r) in enumerate(AGENCIES)]
        enterprises = [accounts.create_organisation(name=f"enterprise-{i}", kind=OrgKind.enterprise,
                                                    district=District(DISTRICTS[i % len(DISTRICTS)]),
                                                    credit_code=make_credit_code(i + 1)) for i in range(300)]
        office = accounts.create_organisation(name="office", kind=OrgKind.supervisor_office, district=District.municipal)
        user = accounts.create_user(organisation=enterprises[0], email="owner@bench.example", name="owner",
                                    password="bench-password", role=Role.enterprise_user)
        accounts.create_user(organisation=office, email="supervisor@bench.example", name="supervisor",
                             password="bench-password", role=Role.supervisor)
        db.session.commit()
        start = now - dt.timedelta(days=730)
        spacing = 730 * 86400 / n_complaints
        batch = 10_000
        hour = dt.timedelta(hours=1)
        for offset in range(0, n_complaints, batch):
            complaints, infringers, referrals, deadlines = [], [], [], []
            for i in range(offset, min(offset + batch, n_complaints)):
                cid = uuid.uuid4()
                state = rng.choice(STATES)
                submitted = start + dt.timedelta(seconds=i * spacing)
                centre = centres[i % 4]
                complaints.append(dict(
                    id=cid, reference=f"SM-{i + 1:08d}", state=state, version=1,
                    enterprise_id=enterprises[rng.randrange(300)].id, created_by_id=user.id, centre_id=centre.id,
                    secret_category="technical", infringing_acts=rng.sample(ACTS, rng.choice([1, 1, 2])),
                    remedies=[], preferred_tracks=[], key_case=False, created_at=submitted, updated_at=submitted,
                    submitted_at=submitted, withdrawal_reason="x" if state == "withdrawn" else None,
                    resolution="指导" if state == "concluded" and rng.random() < 0.2 else None))
                for position in range(rng.choice([1, 1, 2])):
                    infringers.append(dict(id=uuid.uuid4(), complaint_id=cid, position=position, kind="competitor",
                                           name="某公司", district=rng.choice(DISTRICTS + [None])))
                late = rng.random() < 0.1
                met = submitted + (30 if late else rng.randrange(1, 20)) * hour
                deadlines.append(dict(
                    public_id=uuid.uuid4(), subject_type="complaint", subject_id=cid, complaint_id=cid,
                    responsible_org_id=centre.id, rule_code="Q1", rule_version=1, amount=1, unit="working_days",
                    reminders=[], escalation=[], state="met", started_at=submitted, due_at=submitted + 24 * hour,
                    calendar_version=1, paused_intervals=[], closed_at=met,
                    breached_at=submitted + 24 * hour if late else None, extended_by_amount=None))
                if state in ("referred", "in_progress", "concluded", "closed"):
                    a = rng.randrange(len(AGENCIES))
                    _kind, track, rule = AGENCIES[a]
                    rid = uuid.uuid4()
                    done = state in ("concluded", "closed")
                    sent = submitted + 48 * hour
                    referrals.append(dict(
                        id=rid, complaint_id=cid, agency_id=agencies[a].id, track=track,
                        state="concluded" if done else "accepted", version=1, sent_by_id=user.id,
                        letter_number=f"L-{i + 1:08d}", created_at=sent, updated_at=sent, acknowledged_by_name="张三",
                        acknowledged_at=sent + 5 * hour, agency_case_number=f"案-{i}", decided_at=sent + 100 * hour,
                        concluded_at=sent + 900 * hour if done else None,
                        outcome={"result": OUTCOMES[track]} if done else None,
                        fine_amount=decimal.Decimal("50000.00") if done and track == "administrative" else None,
                        damages_amount=decimal.Decimal("120000.00") if done and track == "civil" else None))
                    for code, hours, open_ in (("Q4", 5, False), (rule, 100, not done and rng.random() < 0.3)):
                        deadlines.append(dict(
                            public_id=uuid.uuid4(), subject_type="referral", subject_id=rid, complaint_id=cid,
                            responsible_org_id=agencies[a].id, rule_code=code, rule_version=1, amount=1,
                            unit="working_days", reminders=[], escalation=[], state="open" if open_ else "met",
                            started_at=sent, due_at=sent + 120 * hour, calendar_version=1,
                            paused_intervals=[["x", "y"]] if rng.random() < 0.1 else [],
                            closed_at=None if open_ else sent + hours * hour, breached_at=None,
                            extended_by_amount=15 if rng.random() < 0.05 else None))
            db.session.execute(Complaint.__table__.insert(), complaints)
            db.session.execute(Infringer.__table__.insert(), infringers)
            if referrals:
                db.session.execute(Referral.__table__.insert(), referrals)
            db.session.execute(Deadline.__table__.insert(), deadlines)
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(db.text("VACUUM ANALYZE"))
        else:
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        return {"centre": str(centres[1].id), "agency": str(agencies[2].id)}


def measure(client, headers, query, requests):
    timings = []
    for _ in range(requests):
        t0 = time.perf_counter()
        response = client.get("/api/v1/dashboard", query_string=query, headers=headers)
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.get_json()
    tables = {t["key"]: t for t in response.get_json()["tables"]}
    return timings, sum(row["count"] for row in tables["by_state"]["rows"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from app import create_app

    now = dt.datetime.now(dt.UTC)
    with scratch_database(args.database_url) as url:
        app = create_app({"DATABASE_URL": url, "APP_ENV": "testing", "ARGON2_TIME_COST": 1,
                          "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1})
        t0 = time.perf_counter()
        ids = fill(app, args.complaints, now)
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}, {args.complaints} complaints "
              f"(filled in {time.perf_counter() - t0:.0f} s)")
        client = app.test_client()
        with app.app_context():
            from accounts.models import User
            from accounts.services import issue_api_token
            from core.extensions import db

            token, _row = issue_api_token(db.session.scalar(db.select(User).where(User.email == "supervisor@bench.example")))
            db.session.commit()
        headers = {"Authorization": f"Bearer {token}"}
        two_years = {"period": "custom", "from": (now - dt.timedelta(days=731)).date().isoformat(),
                     "to": now.date().isoformat()}
        cases = [
            ("all off: two years", two_years),
            ("all off: this year", {"period": "year"}),
            ("all off: this month", {"period": "month"}),
            ("district + track", {**two_years, "district": "pudong", "track": "criminal"}),
            ("centre + agency", {**two_years, "centre": ids["centre"], "agency": ids["agency"]}),
        ]
        print(f"{'case':<22} {'cohort':>8} {'p50 ms':>8} {'p95 ms':>8}")
        for name, query in cases:
            measure(client, headers, query, 2)  # warm up
            timings, cohort = measure(client, headers, query, args.requests)
            print(f"{name:<22} {cohort:>8} {percentile(timings, 50):>8.1f} {percentile(timings, 95):>8.1f}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
