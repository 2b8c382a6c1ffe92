"""The assessment: hand-counted scores under the default scheme, versions, and a snapshot that neither a new
scheme version nor a changed record rewrites."""
import datetime as dt
from decimal import Decimal

import pytest

from tests.supervision import assessment_world
from tests.supervision.assessment_world import NOW


@pytest.fixture
def world(app, create_org, create_user):
    return assessment_world.build(app, create_org, create_user)


def _user(key):
    from accounts.models import User
    from core.extensions import db

    return db.session.get(User, key["id"])


def _take(world, period="2026-11", kind="month"):
    from supervision.assessment import take_snapshot
    from supervision.assessment_models import PeriodKind

    return take_snapshot(_user(world.supervisor), PeriodKind(kind), period, now=NOW)


def _by_name(snapshot, group):
    return {r["name"]: r for r in snapshot.results[group]}


def test_default_scheme_scores_are_hand_counted(app, world):
    from core.extensions import db

    with app.test_request_context():
        snapshot = _take(world)
        db.session.commit()
        centres = _by_name(snapshot, "centre")
        c1 = {i["method"]: i for i in centres["甲中心"]["indicators"]}
        # on time 1/3: 0.3333/0.92*40 = 14.49; reply 2/3: 0.6667/0.95*15 = 10.53; conclusion 1/2: 0.625*15 = 9.38;
        # rework 0/3 within 10%: 10; satisfaction 2/2: 20 → 64.40
        assert [(c1[m]["hits"], c1[m]["counted"], c1[m]["points"]) for m in (
            "on_time_rate", "reply_rate", "conclusion_rate", "rework_after_returns", "satisfaction_rate")] == [
            (1, 3, "14.49"), (2, 3, "10.53"), (1, 2, "9.38"), (0, 3, "10.00"), (2, 2, "20.00")]
        assert centres["甲中心"]["score"] == "64.40"
        # C2: 40 + 15 + 15 + rework 1/1 (0) + satisfaction 0/1 (0) = 70.00, first
        assert centres["乙中心"]["score"] == "70.00" and centres["乙中心"]["rank"] == 1
        agencies = _by_name(snapshot, "agency")
        # A1: 40 + 15 + conclusion 1/2 9.38 + 10 + 20 = 94.38; A2: 0 + 0.5/0.95*15 7.89 + 0 + rework 1/2 → 0.5/0.9*10
        # 5.56 + 0 = 13.45
        assert agencies["甲市场监管局"]["score"] == "94.38" and agencies["甲市场监管局"]["rank"] == 1
        assert agencies["乙公安分局"]["score"] == "13.45"
        # the records each indicator counted
        assert sorted(r["id"] for r in c1["on_time_rate"]["records"]) == sorted([world.d1, world.d2, world.d3])
        assert {r["id"]: r["hit"] for r in c1["on_time_rate"]["records"]}[world.d1] is True
        assert sorted(r["id"] for r in c1["satisfaction_rate"]["records"]) == sorted([world.s1, world.s5])


def test_a_snapshot_does_not_change_after_the_scheme_or_a_record_does(app, world):
    from core.extensions import db
    from deadlines.models import Deadline
    from supervision.assessment import save_scheme
    from supervision.assessment_models import AssessmentSnapshot

    with app.test_request_context():
        first = _take(world)
        db.session.commit()
        frozen = (first.id, first.scheme_version, first.indicators, first.results)
        save_scheme(_user(world.admin), [{"method": "on_time_rate", "weight": 100, "target": Decimal("0.5")}], "只看准时率")
        late = db.session.get(Deadline, world.d2)
        late.closed_at = late.due_at - dt.timedelta(hours=1)  # the late reply, corrected afterwards
        db.session.commit()
        db.session.expire_all()
        again = db.session.get(AssessmentSnapshot, frozen[0])
        assert (again.id, again.scheme_version, again.indicators, again.results) == frozen
        assert _by_name(again, "centre")["甲中心"]["score"] == "64.40"
        # the same period under the new version is a new snapshot, with the new scheme and the current records
        second = _take(world)
        db.session.commit()
        assert second.scheme_version == 2 and second.id != first.id
        c1 = _by_name(second, "centre")["甲中心"]
        assert [i["method"] for i in c1["indicators"]] == ["on_time_rate"]
        assert c1["indicators"][0]["hits"] == 2 and c1["score"] == "100.00"  # 0.6667 over a target of 50%


def test_a_period_is_assessed_once_per_version_and_only_when_it_has_ended(app, world):
    from core.errors import ValidationFailed

    with app.test_request_context():
        _take(world)
        with pytest.raises(ValidationFailed) as taken:
            _take(world)
        assert "period" in taken.value.errors
        with pytest.raises(ValidationFailed):
            _take(world, "2026-12")  # still running on 5 December
        with pytest.raises(ValidationFailed):
            _take(world, "2026-Q5", "quarter")
        quarter = _take(world, "2026-Q3", "quarter")
        assert quarter.period_start == dt.date(2026, 7, 1)


def test_scheme_versions_and_their_rules(app, world):
    from core.errors import NotFound, ValidationFailed
    from supervision.assessment import current_scheme, save_scheme, scheme_versions

    with app.test_request_context():
        assert current_scheme() is None
        with pytest.raises(ValidationFailed):
            save_scheme(_user(world.admin), [{"method": "reply_rate", "weight": 60, "target": "0.9"}], None)
        with pytest.raises(NotFound):
            save_scheme(_user(world.supervisor), [{"method": "reply_rate", "weight": 100, "target": "0.9"}], None)
        save_scheme(_user(world.admin), [{"method": "reply_rate", "weight": 100, "target": "0.9"},
                                         {"method": "conclusion_rate", "weight": 0, "target": "0.8"}], None)
        save_scheme(_user(world.admin), [{"method": "reply_rate", "weight": 50, "target": "0.9"},
                                         {"method": "conclusion_rate", "weight": 50, "target": "0.8"}], "加权")
        assert [s.version for s in scheme_versions()] == [2, 1]
        assert scheme_versions()[1].indicators == [{"method": "reply_rate", "weight": 100, "target": "0.9"}]


def test_only_supervisors_take_and_read_snapshots(app, world):
    from core.errors import NotFound
    from supervision.assessment import get_snapshot, take_snapshot
    from supervision.assessment_models import PeriodKind

    with app.test_request_context():
        snapshot = _take(world)
        for who in (world.clerk, world.officer, world.admin, world.enterprise):
            with pytest.raises(NotFound):
                take_snapshot(_user(who), PeriodKind.month, "2026-10", now=NOW)
            with pytest.raises(NotFound):
                get_snapshot(_user(who), snapshot.id)
        assert get_snapshot(_user(world.supervisor), snapshot.id) is snapshot
