"""A hand-counted November 2026 for the league tables, the assessment and the bulletin.

Two centres (甲中心 C1, 乙中心 C2), two agencies (甲市场监管局 A1, 乙公安分局 A2). Rows are written directly
(the records as the machines leave them), so each figure can be counted by hand:

complaints submitted in November: k1 C1 concluded, k2 C1 referred, k3 C1 withdrawn, k4 C2 concluded;
k5 C1 submitted in October (concluded, rated in November).
deadlines (due in November unless said): d1 k1 Q1 C1 met on time; d2 k2 Q1 C1 met late; d3 k3 Q1 C1
breached; d4 k4 Q1 C2 met on time; d5 k5 Q2 C1 due in October (outside); d6 k1 Q2 C1 cancelled (left out);
d7 k2 A1 A1 met on time; d8 k2 Q4 A2 open, past due at "now" (5 December).
referrals created in November: r1 k2→A1 accepted; r2 k2→A2 sent; r3 k1→A1 concluded; r4 k4→A2 returned.
ratings given in November: s1 k1 C1 satisfied; s4 k4 C2 dissatisfied; s5 k5 C1 basically satisfied.

By hand:            on time   reply   conclusion   rework   satisfaction
  C1                1/3       2/3     1/2          0/3      2/2
  C2                1/1       1/1     1/1          1/1      0/1
  A1                1/1       2/2     1/2          0/2      1/1
  A2                0/1       1/2     0/2          1/2      0/1
"""
import datetime as dt
from types import SimpleNamespace

from core.timeutil import SHANGHAI

NOW = dt.datetime(2026, 12, 5, 10, 0, tzinfo=SHANGHAI).astimezone(dt.timezone.utc)


def at(month, day, hour=10):
    return dt.datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI).astimezone(dt.timezone.utc)


def build(app, create_org, create_user):
    from accounts.models import User
    from core.extensions import db
    from deadlines.models import Deadline, DeadlineState, Unit
    from intake.enums import ComplaintState, Track
    from intake.models import Complaint
    from routing.enums import ReferralState, ReturnReason
    from routing.models import Referral
    from supervision.models import Rating, SatisfactionRating

    o = SimpleNamespace()
    o.c1 = create_org(kind="rights_center", name="甲中心", district="pudong")
    o.c2 = create_org(kind="rights_center", name="乙中心", district="xuhui")
    o.a1 = create_org(kind="market_regulation", name="甲市场监管局", district="pudong")
    o.a2 = create_org(kind="public_security", name="乙公安分局", district="xuhui")
    o.enterprise = create_user("enterprise_user")
    o.clerk = create_user("clerk", org_id=o.c1)
    o.clerk2 = create_user("clerk", org_id=o.c2)
    o.officer = create_user("agency_officer", org_id=o.a1)
    o.officer2 = create_user("agency_officer", org_id=o.a2)
    o.supervisor = create_user("supervisor")
    o.admin = create_user("admin")
    with app.app_context():
        author = db.session.get(User, o.enterprise["id"])

        def complaint(ref, centre, state, submitted):
            c = Complaint(reference=ref, state=state, enterprise_id=author.organisation_id, created_by_id=author.id,
                          centre_id=centre, submitted_at=submitted, secret_description="秘密", infringing_acts=[],
                          withdrawal_reason="撤回" if state is ComplaintState.withdrawn else None)
            db.session.add(c)
            db.session.flush()
            return c.id

        o.k1 = complaint("SH-2026-0001", o.c1, ComplaintState.concluded, at(11, 2))
        o.k2 = complaint("SH-2026-0002", o.c1, ComplaintState.referred, at(11, 9))
        o.k3 = complaint("SH-2026-0003", o.c1, ComplaintState.withdrawn, at(11, 11))
        o.k4 = complaint("SH-2026-0004", o.c2, ComplaintState.concluded, at(11, 4))
        o.k5 = complaint("SH-2026-0005", o.c1, ComplaintState.concluded, at(10, 8))

        def deadline(complaint_id, org, code, due, state, closed=None, breached=None, subject="complaint"):
            d = Deadline(subject_type=subject, subject_id=complaint_id, complaint_id=complaint_id,
                         responsible_org_id=org, rule_code=code, rule_version=1, amount=1, unit=Unit.working_days,
                         state=state, started_at=due - dt.timedelta(days=1), due_at=due, calendar_version=1,
                         closed_at=closed, breached_at=breached)
            db.session.add(d)
            db.session.flush()
            return d.id

        o.d1 = deadline(o.k1, o.c1, "Q1", at(11, 3), DeadlineState.met, closed=at(11, 2, 15))
        o.d2 = deadline(o.k2, o.c1, "Q1", at(11, 10), DeadlineState.met, closed=at(11, 11))
        o.d3 = deadline(o.k3, o.c1, "Q1", at(11, 12), DeadlineState.breached, breached=at(11, 12))
        o.d4 = deadline(o.k4, o.c2, "Q1", at(11, 5), DeadlineState.met, closed=at(11, 5, 9))
        o.d5 = deadline(o.k5, o.c1, "Q2", at(10, 20), DeadlineState.met, closed=at(10, 19))
        o.d6 = deadline(o.k1, o.c1, "Q2", at(11, 20), DeadlineState.cancelled, closed=at(11, 3))
        o.d7 = deadline(o.k2, o.a1, "A1", at(11, 25), DeadlineState.met, closed=at(11, 24), subject="referral")
        o.d8 = deadline(o.k2, o.a2, "Q4", at(11, 28), DeadlineState.open, subject="referral")

        def referral(complaint_id, agency, state, created, number, **extra):
            r = Referral(complaint_id=complaint_id, agency_id=agency, track=Track.administrative, state=state,
                         sent_by_id=o.clerk["id"], letter_number=number, created_at=created, **extra)
            db.session.add(r)
            db.session.flush()
            return r.id

        ack = {"acknowledged_by_name": "签收人", "acknowledged_at": at(11, 16)}
        o.r1 = referral(o.k2, o.a1, ReferralState.accepted, at(11, 15), "YS-2026-0001", agency_case_number="案1", **ack)
        o.r2 = referral(o.k2, o.a2, ReferralState.sent, at(11, 20), "YS-2026-0002")
        o.r3 = referral(o.k1, o.a1, ReferralState.concluded, at(11, 5), "YS-2026-0003", agency_case_number="案3",
                        outcome={"kind": "penalty"}, **ack)
        o.r4 = referral(o.k4, o.a2, ReferralState.returned, at(11, 6), "YS-2026-0004",
                        return_reason=ReturnReason.wrong_jurisdiction, **ack)

        def rating(complaint_id, centre, value, when):
            s = SatisfactionRating(complaint_id=complaint_id, centre_id=centre, rating=value,
                                   rated_by_id=author.id, rated_at=when)
            db.session.add(s)
            db.session.flush()
            return s.id

        o.s1 = rating(o.k1, o.c1, Rating.satisfied, at(11, 20))
        o.s4 = rating(o.k4, o.c2, Rating.dissatisfied, at(11, 21))
        o.s5 = rating(o.k5, o.c1, Rating.basically_satisfied, at(11, 10))
        db.session.commit()
    return o
