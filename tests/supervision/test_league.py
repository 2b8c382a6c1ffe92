"""League tables against the hand-counted November (tests/supervision/assessment_world.py)."""
from decimal import Decimal

import pytest

from tests.supervision import assessment_world
from tests.supervision.assessment_world import NOW


@pytest.fixture
def world(app, create_org, create_user):
    return assessment_world.build(app, create_org, create_user)


def _rows(app, group, **config):
    from supervision.indicators import Group
    from supervision.league import league_table, month_period

    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        app.config.update(config)
        table = league_table(Group(group), month_period("2026-11"), now=NOW)
        return {row["organisation"]: row for row in table.rows}, table


def test_centres_league_is_hand_counted_and_marks_the_floor_in_words(app, world):
    rows, table = _rows(app, "centre")
    c1, c2 = rows["甲中心"], rows["乙中心"]
    assert (c1["on_time_rate_counted"], c1["on_time_rate"]) == (3, Decimal("0.3333"))
    assert (c1["reply_rate_counted"], c1["reply_rate"]) == (3, Decimal("0.6667"))
    assert (c1["satisfaction_rate_counted"], c1["satisfaction_rate"]) == (2, Decimal("1.0000"))
    assert (c2["on_time_rate"], c2["reply_rate"], c2["satisfaction_rate"]) == (Decimal(1), Decimal(1), Decimal(0))
    assert (c2["rank"], c1["rank"]) == (1, 2)
    assert c1["below_floor"] and "below the On-time rate floor of 92%" in c1["marks"]
    assert "Satisfaction" not in c1["marks"]
    assert c2["below_floor"] and c2["marks"] == "below the Satisfaction rate floor of 85%"
    assert table.key == "league_centre_2026_11"


def test_agencies_league_is_hand_counted(app, world):
    rows, _table = _rows(app, "agency")
    a1, a2 = rows["甲市场监管局"], rows["乙公安分局"]
    assert (a1["on_time_rate"], a1["reply_rate"], a1["satisfaction_rate"]) == (Decimal(1), Decimal(1), Decimal(1))
    assert (a2["on_time_rate"], a2["reply_rate"], a2["satisfaction_rate"]) == (Decimal(0), Decimal("0.5"), Decimal(0))
    assert (a1["reply_rate_counted"], a2["reply_rate_counted"]) == (2, 2)
    assert (a1["rank"], a2["rank"], a1["below_floor"]) == (1, 2, False)


def test_floors_are_configuration(app, world):
    rows, _table = _rows(app, "centre", LEAGUE_FLOORS="on_time_rate=0.30,reply_rate=0.70")
    assert rows["甲中心"]["marks"] == "below the Reply rate floor of 70%"
    assert rows["乙中心"]["below_floor"] is False


def test_an_organisation_with_nothing_counted_is_listed_last_without_rates(app, world, create_org):
    create_org(kind="rights_center", name="丙中心")
    rows, _table = _rows(app, "centre")
    assert rows["丙中心"]["rank"] == 3 and rows["丙中心"]["on_time_rate"] is None and not rows["丙中心"]["below_floor"]


def test_another_month_counts_nothing_of_november(app, world):
    from supervision.indicators import Group
    from supervision.league import league_table, month_period

    with app.test_request_context():
        table = league_table(Group.centre, month_period("2026-10"), now=NOW)
    october = {row["organisation"]: row for row in table.rows}
    assert october["甲中心"]["on_time_rate_counted"] == 1  # d5 only
    assert october["甲中心"]["reply_rate_counted"] == 1  # k5


def test_periods():
    import datetime as dt

    from supervision.league import month_period, quarter_period

    assert month_period("2026-12").end == dt.date(2027, 1, 1)
    assert quarter_period("2026-Q4").start == dt.date(2026, 10, 1) and quarter_period("2026-Q1").end == dt.date(2026, 4, 1)
    assert month_period("2026-13") is None and month_period("x") is None and quarter_period("2026-Q5") is None


def test_floors_that_cannot_be_read_are_refused():
    from supervision.indicators import Method
    from supervision.league import parse_floors

    assert parse_floors("on_time_rate=0.9") == {Method.on_time_rate: Decimal("0.9")}
    for bad in ("on_time_rate", "on_time_rate=ninety", "conclusion_rate=0.5", "reply_rate=1.5"):
        with pytest.raises(RuntimeError):
            parse_floors(bad)
