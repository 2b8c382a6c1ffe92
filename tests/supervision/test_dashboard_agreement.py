"""The faster forms of the dashboard's statements answer exactly what their direct forms answer: on the
hand-counted world and on the benchmark's random data, for every filter combination the bench times.

The direct forms are written here as the dashboard first had them: EXISTS per complaint for the funnel and
the agency/track filters, row numbers over a window for the percentiles."""
import dataclasses
import datetime as dt
import uuid

import pytest
from sqlalchemy import and_, case, exists, func, or_, select

from accounts.enums import District
from intake.enums import Track
from tests.supervision.dashboard_world import build


def _direct_funnel(f):
    from intake.enums import ComplaintState
    from intake.models import Complaint
    from routing.models import Referral
    from supervision.dashboard import ACCEPTED_OR_LATER, _complaint_conditions, _referral_conditions

    referral = _referral_conditions(f)
    referred = exists().where(Referral.complaint_id == Complaint.id, *referral)
    decided = exists().where(Referral.complaint_id == Complaint.id, Referral.decided_at.is_not(None), *referral)
    accepted = or_(Complaint.state.in_(ACCEPTED_OR_LATER), Complaint.resolution.is_not(None), referred)
    concluded = or_(Complaint.state == ComplaintState.concluded,
                    and_(Complaint.state == ComplaintState.closed, or_(Complaint.resolution.is_not(None), referred)))
    conditions = _complaint_conditions(dataclasses.replace(f, agency_id=None, track=None))
    if referral:
        conditions.append(referred)

    def count(condition):
        return func.sum(case((condition, 1), else_=0))

    from core.extensions import db
    row = db.session.execute(select(func.count(), count(accepted), count(referred), count(decided), count(concluded))
                             .where(*conditions)).one()
    return [int(n or 0) for n in row]


def _direct_cohort(f):
    """The cohort's size with the agency/track filter as a correlated EXISTS."""
    from core.extensions import db
    from intake.models import Complaint
    from routing.models import Referral
    from supervision.dashboard import _complaint_conditions, _referral_conditions

    conditions = _complaint_conditions(dataclasses.replace(f, agency_id=None, track=None))
    referral = _referral_conditions(f)
    if referral:
        conditions.append(exists().where(Referral.complaint_id == Complaint.id, *referral))
    return db.session.scalar(select(func.count()).where(*conditions))


def _agree(app, cases):
    from core.extensions import db
    from supervision import dashboard

    with app.app_context():
        dashboard._no_jit()
        for f in cases:
            assert [r["count"] for r in dashboard.funnel(f).table.rows] == _direct_funnel(f), f
            assert sum(r["count"] for r in dashboard.by_state(f).table.rows) == _direct_cohort(f), f
            assert dashboard._times_to_meet(f) == dashboard._times_to_meet(f, ranked=True), f
        db.session.rollback()


def _filters(start, end, **kw):
    from supervision.filters import Filters, Scope

    return Filters(preset="custom", start=start, end=end, scope=Scope(), **kw)


def test_the_hand_counted_world_agrees(app, create_user):
    w = build(app, create_user)
    november = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    everything = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    cases = [_filters(*november), _filters(*everything)]
    for period in (november, everything):
        cases += [_filters(*period, centre_id=w["centre_a"]), _filters(*period, agency_id=w["agency_p"]),
                  _filters(*period, track=Track.civil), _filters(*period, district=District.pudong),
                  _filters(*period, centre_id=w["centre_a"], agency_id=w["agency_m"]),
                  _filters(*period, district=District.minhang, track=Track.administrative)]
    _agree(app, cases)


@pytest.mark.parametrize("n", [317, 1000])
def test_random_data_agrees(app, n):
    from bench.dashboard import fill

    now = dt.datetime.now(dt.UTC)
    ids = fill(app, n, now)
    centre, agency = uuid.UUID(ids["centre"]), uuid.UUID(ids["agency"])
    today = now.date()
    two_years, this_month = (today - dt.timedelta(days=731), today), (today.replace(day=1), today)
    cases = []
    for period in (two_years, this_month, (today - dt.timedelta(days=100), today - dt.timedelta(days=40))):
        cases += [_filters(*period), _filters(*period, district=District.pudong, track=Track.criminal),
                  _filters(*period, centre_id=centre, agency_id=agency), _filters(*period, track=Track.civil),
                  _filters(*period, agency_id=agency)]
    _agree(app, cases)
