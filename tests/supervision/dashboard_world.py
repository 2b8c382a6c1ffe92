"""A hand-counted world for the dashboard's tests: rows written straight into the tables (as the records
would stand after the platform's own services), so each figure can be counted on paper.

November 2026 (Shanghai) is the period; "now" is 2026-12-04 10:00 Shanghai. Complaints c1..c6 are the
cohort, c7 was received in October, c8 is a draft. See each test for the counts.
"""
import datetime as dt
import decimal
import uuid

from tests.conftest import make_credit_code

NOW = dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC)
PERIOD = {"period": "custom", "from": "2026-11-01", "to": "2026-11-30"}


def at(day, hour=2, month=11):
    """An instant in UTC (2 o'clock UTC is 10 o'clock in Shanghai)."""
    return dt.datetime(2026, month, day, hour, 0, tzinfo=dt.UTC)


def build(app, create_user):
    from accounts import services as accounts
    from accounts.enums import District, OrgKind
    from core.extensions import db
    from deadlines.models import Deadline
    from intake.models import Complaint, Infringer
    from routing.models import Referral

    with app.app_context():
        def org(name, kind, district="municipal", code=None):
            o = accounts.create_organisation(name=name, kind=OrgKind(kind), district=District(district),
                                             credit_code=code)
            return o.id

        w = {}
        w["centre_a"] = org("浦东维权中心", "rights_center")
        w["centre_b"] = org("闵行维权中心", "rights_center")
        w["agency_m"] = org("浦东市场监管局", "market_regulation")
        w["agency_p"] = org("浦东公安分局", "public_security")
        w["agency_c"] = org("浦东法院", "court")
        w["e1"] = org("企业甲", "enterprise", "pudong", make_credit_code(901))
        w["e2"] = org("企业乙", "enterprise", "minhang", make_credit_code(902))
        db.session.commit()
    users = {
        "supervisor": create_user("supervisor", language="zh"),
        "clerk_a": create_user("clerk", org_id=w["centre_a"]),
        "clerk_b": create_user("clerk", org_id=w["centre_b"]),
        "officer_m": create_user("agency_officer", org_id=w["agency_m"]),
        "officer_p": create_user("agency_officer", org_id=w["agency_p"]),
        "enterprise": create_user("enterprise_user", org_id=w["e1"]),
        "admin": create_user("admin"),
    }
    w.update(users)
    owner = users["enterprise"]["id"]
    with app.app_context():
        complaints, infringers, referrals, deadlines = [], [], [], []

        def complaint(key, centre, enterprise, state, submitted, acts=(), **extra):
            cid = uuid.uuid4()
            w[key] = cid
            complaints.append(dict(
                id=cid, reference=None if state == "draft" else f"SM-2026-{len(complaints) + 1:06d}", state=state,
                version=1, enterprise_id=w[enterprise], created_by_id=owner,
                centre_id=w[centre] if centre else None, secret_category="technical", infringing_acts=list(acts),
                remedies=[], preferred_tracks=[], key_case=False, created_at=submitted or at(1),
                updated_at=submitted or at(1), submitted_at=submitted, **extra))
            return cid

        def infringer(cid, position, district):
            infringers.append(dict(id=uuid.uuid4(), complaint_id=cid, position=position, kind="competitor",
                                   name="某公司", district=district))

        def referral(cid, agency, track, state, n, **extra):
            rid = uuid.uuid4()
            referrals.append(dict(id=rid, complaint_id=cid, agency_id=w[agency], track=track, state=state, version=1,
                                  sent_by_id=owner, letter_number=f"L-{n}", created_at=at(5), updated_at=at(5),
                                  acknowledged_by_name="张三", acknowledged_at=at(6),
                                  agency_case_number=extra.pop("agency_case_number", f"案-{n}"), **extra))
            return rid

        def deadline(cid, code, org, started, due, state="open", closed=None, breached=None, **extra):
            deadlines.append(dict(public_id=uuid.uuid4(), subject_type="complaint", subject_id=cid, complaint_id=cid,
                                  responsible_org_id=w[org], rule_code=code, rule_version=1, amount=1,
                                  unit="working_days", reminders=[], escalation=[], state=state, started_at=started,
                                  due_at=due, calendar_version=1, paused_intervals=extra.pop("paused", []),
                                  closed_at=closed, breached_at=breached, **extra))

        c1 = complaint("c1", "centre_a", "e1", "referred", at(2), ["theft", "bribery"])
        infringer(c1, 0, "minhang")
        referral(c1, "agency_m", "administrative", "concluded", 1, decided_at=at(10), concluded_at=at(25),
                 outcome={"result": "penalty_decision", "decision_number": "沪市监罚〔2026〕1号"},
                 fine_amount=decimal.Decimal("50000.00"), confiscation_amount=decimal.Decimal("1000.00"))
        c2 = complaint("c2", "centre_a", "e1", "in_progress", at(3), ["theft"])
        infringer(c2, 0, "pudong")
        infringer(c2, 1, "minhang")
        referral(c2, "agency_p", "criminal", "accepted", 2, decided_at=at(12), agency_case_number="沪公刑〔2026〕2号")
        complaint("c3", "centre_a", "e2", "concluded", at(10), resolution="给予维权指导。")
        c4 = complaint("c4", "centre_b", "e2", "triaging", at(11), ["fraud"])
        infringer(c4, 0, None)
        c5 = complaint("c5", "centre_b", "e1", "closed", at(20))
        # 1 o'clock on Monday 30 November in Shanghai: still November, and the week of the 30th
        c6 = complaint("c6", "centre_a", "e1", "concluded", dt.datetime(2026, 11, 29, 17, 0, tzinfo=dt.UTC))
        referral(c6, "agency_c", "civil", "concluded", 3, decided_at=at(30), concluded_at=at(30),
                 outcome={"result": "judgment", "judgment_number": "（2026）沪0115民初1号"},
                 damages_amount=decimal.Decimal("200000.00"))
        c7 = complaint("c7", "centre_a", "e1", "accepted", at(15, month=10))
        complaint("c8", None, "e1", "draft", None)

        hours = dt.timedelta(hours=1)
        deadline(c1, "Q1", "centre_a", at(2), at(3), "met", closed=at(2) + 10 * hours)
        deadline(c2, "Q1", "centre_a", at(3), at(4), "met", closed=at(3) + 20 * hours)
        deadline(c4, "Q1", "centre_b", at(11), at(12), "met", closed=at(11) + 40 * hours, breached=at(12))
        deadline(c5, "Q1", "centre_b", at(20), at(10, month=12))  # still running, in time
        deadline(c1, "Q4", "agency_m", at(5), at(6), "met", closed=at(5) + 5 * hours,
                 paused=[["2026-11-05T03:00:00+00:00", "2026-11-05T04:00:00+00:00"]])
        deadline(c1, "A1", "agency_m", at(6), at(20), "breached", breached=at(20), extended_by_amount=15)
        deadline(c7, "Q1", "centre_a", at(15, month=10), at(16, month=10), "met", closed=at(15, month=10) + 100 * hours)
        deadline(c7, "Q2", "centre_a", at(16, month=10), at(1), "breached", breached=at(1))  # overdue now
        deadline(c2, "Q2", "centre_a", at(3), at(4), "cancelled", closed=at(3) + hours)  # never counted

        for model, records in ((Complaint, complaints), (Infringer, infringers), (Referral, referrals),
                               (Deadline, deadlines)):
            for record in records:  # one by one: the rows name different columns
                db.session.execute(model.__table__.insert(), record)
        db.session.commit()
    return w


def rows(table_json) -> dict:
    """An API table's rows by their first column."""
    first = table_json["columns"][0]["key"]
    return {row[first]: row for row in table_json["rows"]}


def tables(body) -> dict:
    return {t["key"]: t for t in body["tables"]}
