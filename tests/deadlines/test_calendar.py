"""The official calendar and the arithmetic of due times, on the 2026 calendar (make-up days included).

Each expected value is justified against the 2026 notice (DOMAIN.md): days off 1/1–3, 2/15–23,
4/4–6, 5/1–5, 6/19–21, 9/25–27, 10/1–7; make-up working days Sun 1/4, Sat 2/14, Sat 2/28, Sat 5/9,
Sun 9/20, Sat 10/10.
"""
import datetime as dt

import pytest
from sqlalchemy import delete, event, func, select, text

from core.timeutil import SHANGHAI

D = dt.date


def days(first, last):
    out, day = [], first
    while day <= last:
        out.append(day)
        day += dt.timedelta(days=1)
    return out


DOMAIN_2026_DAYS_OFF = (days(D(2026, 1, 1), D(2026, 1, 3)) + days(D(2026, 2, 15), D(2026, 2, 23))
                        + days(D(2026, 4, 4), D(2026, 4, 6)) + days(D(2026, 5, 1), D(2026, 5, 5))
                        + days(D(2026, 6, 19), D(2026, 6, 21)) + days(D(2026, 9, 25), D(2026, 9, 27))
                        + days(D(2026, 10, 1), D(2026, 10, 7)))
DOMAIN_2026_WORKDAYS = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]


def local(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def end_of(day):
    """23:59:59 Shanghai time of that day, as UTC (the due time of a day-based period)."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI).astimezone(dt.UTC)


def reset_calendar(app, seed=True):
    """The calendar is reference data kept across tests: put it back as the session seeded it."""
    from core.extensions import db
    from deadlines.calendar import CalendarDay, CalendarYear
    from deadlines.calendar_cli import seed_calendar

    with app.app_context():
        db.session.execute(delete(CalendarDay))
        db.session.execute(delete(CalendarYear))
        if seed:
            seed_calendar()
        else:
            from deadlines.calendar import bump_version

            bump_version()
        db.session.commit()


def calendar_version(app):
    from deadlines.calendar import current_version

    with app.app_context():
        return current_version()


@pytest.fixture
def restore_calendar(app):
    """Tests that change the calendar put it back afterwards (other tests rely on the seeded calendar)."""
    before = calendar_version(app)
    yield
    if calendar_version(app) != before:
        reset_calendar(app)


@pytest.fixture
def seeded(app, restore_calendar):
    from core.extensions import db
    from deadlines import calendar

    with app.app_context():
        loaded, kept = calendar.seed()
        db.session.commit()
        assert {2025, 2026} <= set(loaded + kept)
    with app.app_context():
        yield calendar


def test_the_2026_seed_equals_the_published_notice(seeded):
    from core.extensions import db
    from deadlines.calendar import CalendarDay, CalendarYear, DayKind

    rows = db.session.scalars(select(CalendarDay).where(CalendarDay.year == 2026)).all()
    assert sorted(r.date for r in rows if r.kind is DayKind.day_off) == DOMAIN_2026_DAYS_OFF
    assert sorted(r.date for r in rows if r.kind is DayKind.workday) == DOMAIN_2026_WORKDAYS
    assert all(d.weekday() >= 5 for d in DOMAIN_2026_WORKDAYS)
    names = {r.date: r.name for r in rows}
    assert names[D(2026, 2, 15)] == "春节" and names[D(2026, 2, 14)] == "春节调休"
    assert names[D(2026, 10, 4)] == "国庆节" and names[D(2026, 10, 10)] == "国庆节调休"
    assert db.session.get(CalendarYear, 2026).source.startswith("holidays ")


def test_the_2025_seed_follows_its_notice(seeded):
    from core.extensions import db
    from deadlines.calendar import CalendarDay, DayKind

    # 国办发明电〔2024〕12号: 1/1; 1/28–2/4; 4/4–6; 5/1–5; 5/31–6/2; 10/1–8;
    # make-up Sun 1/26, Sat 2/8, Sun 4/27, Sun 9/28, Sat 10/11
    rows = db.session.scalars(select(CalendarDay).where(CalendarDay.year == 2025)).all()
    assert sorted(r.date for r in rows if r.kind is DayKind.day_off) == (
        [D(2025, 1, 1)] + days(D(2025, 1, 28), D(2025, 2, 4)) + days(D(2025, 4, 4), D(2025, 4, 6))
        + days(D(2025, 5, 1), D(2025, 5, 5)) + days(D(2025, 5, 31), D(2025, 6, 2))
        + days(D(2025, 10, 1), D(2025, 10, 8)))
    assert sorted(r.date for r in rows if r.kind is DayKind.workday) == [
        D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)]


def test_seeding_is_idempotent_and_bumps_the_version_only_when_something_changes(app, runner, restore_calendar):
    from core.extensions import db
    from deadlines.calendar import CalendarDay, CalendarYear, current_version

    reset_calendar(app, seed=False)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CalendarYear)) == 0
        empty_version = current_version()
    result = runner.invoke(args=["calendar", "seed"])
    assert result.exit_code == 0, result.output
    assert "loaded the official calendar of 2025" in result.output
    assert "loaded the official calendar of 2026" in result.output
    with app.app_context():
        count, version = db.session.scalar(select(func.count()).select_from(CalendarDay)), current_version()
    assert count > 50 and version > empty_version

    result = runner.invoke(args=["calendar", "seed"])
    assert result.exit_code == 0, result.output
    assert "kept (already official): 2025, 2026" in result.output and "loaded" not in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CalendarDay)) == count
        assert current_version() == version


# --- working days ----------------------------------------------------------------------------------

WORKING_DAY_CASES = [
    # Fri 2/13 + 1: Sat 2/14 is a make-up working day, so it is the first working day after the start.
    (local(2026, 2, 13, 10, 0), 1, D(2026, 2, 14), []),
    # Fri 2/13 + 2: Sat 2/14 (1), 2/15–2/23 off (nine days skipped), Tue 2/24 (2).
    (local(2026, 2, 13, 10, 0), 2, D(2026, 2, 24), days(D(2026, 2, 15), D(2026, 2, 23))),
    # Wed 9/30 + 1: 10/1–10/7 off; Thu 10/8 is the first working day.
    (local(2026, 9, 30, 9, 0), 1, D(2026, 10, 8), days(D(2026, 10, 1), D(2026, 10, 7))),
    # Fri 10/9 + 1: Sat 10/10 is a make-up working day.
    (local(2026, 10, 9, 9, 0), 1, D(2026, 10, 10), []),
    # Fri 10/9 + 2: Sat 10/10 (1), Sun 10/11 rest, Mon 10/12 (2).
    (local(2026, 10, 9, 9, 0), 2, D(2026, 10, 12), [D(2026, 10, 11)]),
    # Fri 9/18 + 1: Sat 9/19 is an ordinary rest day, Sun 9/20 a make-up working day.
    (local(2026, 9, 18, 9, 0), 1, D(2026, 9, 20), [D(2026, 9, 19)]),
    # Thu 9/24 + 3: 9/25–27 off (中秋), Mon 9/28 (1), Tue 9/29 (2), Wed 9/30 (3).
    (local(2026, 9, 24, 9, 0), 3, D(2026, 9, 30), days(D(2026, 9, 25), D(2026, 9, 27))),
    # Tue 12/30/2025 + 2: Wed 12/31 (1); 1/1–1/3/2026 off; Sun 1/4 is a make-up working day (2).
    (local(2025, 12, 30, 9, 0), 2, D(2026, 1, 4), days(D(2026, 1, 1), D(2026, 1, 3))),
    # Fri 11/20 + 15 (A1): 11/23–27, 11/30–12/4, 12/7–11 are the fifteen; six weekend days skipped.
    (local(2026, 11, 20, 9, 0), 15, D(2026, 12, 11),
     [D(2026, 11, 21), D(2026, 11, 22), D(2026, 11, 28), D(2026, 11, 29), D(2026, 12, 5), D(2026, 12, 6)]),
    # 0 working days: the end of the start day itself.
    (local(2026, 2, 13, 10, 0), 0, D(2026, 2, 13), []),
]


def test_working_days_on_the_2026_calendar(seeded):
    for start, amount, due, skipped in WORKING_DAY_CASES:
        result = seeded.compute_due(start, amount, "working_days")
        case = f"{start} + {amount} working days"
        assert result.due_at == end_of(due), case
        assert result.due_at.tzinfo is not None and result.due_at.utcoffset() == dt.timedelta(0), case
        assert result.skipped == skipped, case
        assert result.provisional is False, case
        assert result.calendar_version == seeded.current_version() >= 1, case


def test_the_start_day_is_not_counted_and_is_the_shanghai_date(seeded):
    # Mon 11/23 at 00:00:01 and at 23:59: either way the first working day after it is Tue 11/24.
    assert seeded.compute_due(local(2026, 11, 23, 0, 0, 1), 1, "working_days").due_at == end_of(D(2026, 11, 24))
    assert seeded.compute_due(local(2026, 11, 23, 23, 59), 1, "working_days").due_at == end_of(D(2026, 11, 24))
    # 17:00 UTC on Mon 11/23 is 01:00 on Tue 11/24 in Shanghai: the start day is the Tuesday, so Wed 11/25.
    start = dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.UTC)
    assert seeded.compute_due(start, 1, "working_days").due_at == end_of(D(2026, 11, 25))
    # and the due time is 23:59:59 in Shanghai, i.e. 15:59:59 UTC
    assert end_of(D(2026, 11, 25)) == dt.datetime(2026, 11, 25, 15, 59, 59, tzinfo=dt.UTC)


# --- calendar days and hours -----------------------------------------------------------------------

CALENDAR_DAY_CASES = [
    # Sat 9/26 + 3: 9/27 (1), 9/28 (2), Tue 9/29 (3), a working day: no move.
    (local(2026, 9, 26, 9, 0), 3, D(2026, 9, 29), []),
    # Mon 9/28 + 3 = Thu 10/1, a day off: moves past 10/1–10/7 to Thu 10/8.
    (local(2026, 9, 28, 9, 0), 3, D(2026, 10, 8), days(D(2026, 10, 1), D(2026, 10, 7))),
    # Wed 9/30 + 7 = Wed 10/7, the last day off: moves to Thu 10/8.
    (local(2026, 9, 30, 9, 0), 7, D(2026, 10, 8), [D(2026, 10, 7)]),
    # Wed 10/7 + 3 = Sat 10/10, a make-up working day: it stays.
    (local(2026, 10, 7, 9, 0), 3, D(2026, 10, 10), []),
    # Thu 11/26 + 3 = Sun 11/29, an ordinary rest day: moves to Mon 11/30.
    (local(2026, 11, 26, 9, 0), 3, D(2026, 11, 30), [D(2026, 11, 29)]),
    # (Tue 11/3 + 90 (A2) = Mon 2/1/2027: 2027 has no official calendar, so that Due is provisional, below.)
]


def test_calendar_days_move_a_last_rest_day_to_the_next_working_day(seeded):
    for start, amount, due, skipped in CALENDAR_DAY_CASES:
        result = seeded.compute_due(start, amount, "days")
        assert (result.due_at, result.skipped, result.provisional) == (end_of(due), skipped, False), (start, amount)


def test_hours_are_exact_across_midnight_and_holidays(seeded):
    start = local(2026, 2, 13, 22, 30)  # Friday evening
    result = seeded.compute_due(start, 24, "hours")
    assert result.due_at == dt.datetime(2026, 2, 14, 14, 30, tzinfo=dt.UTC)  # Sat 22:30 in Shanghai
    assert (result.skipped, result.provisional) == ([], False)
    # into the National Day week: hours do not care about rest days
    result = seeded.compute_due(local(2026, 9, 30, 20, 0), 48, "hours")
    assert result.due_at.astimezone(SHANGHAI) == local(2026, 10, 2, 20, 0)
    # 2 hours across midnight
    assert seeded.compute_due(local(2026, 3, 2, 23, 0), 2, "hours").due_at == local(2026, 3, 3, 1, 0)


def test_bad_arguments_are_refused(seeded):
    with pytest.raises(ValueError):
        seeded.compute_due(dt.datetime(2026, 3, 2, 9, 0), 1, "working_days")  # naive
    with pytest.raises(ValueError):
        seeded.compute_due(local(2026, 3, 2, 9, 0), 1, "weeks")
    with pytest.raises(ValueError):
        seeded.compute_due(local(2026, 3, 2, 9, 0), -1, "days")


# --- helpers used by pauses and reminders ----------------------------------------------------------

def test_working_days_between_and_before(seeded):
    # after Fri 2/13 up to Tue 2/24: Sat 2/14 (make-up) and Tue 2/24; 2/15–23 are off
    assert seeded.working_days_between(local(2026, 2, 13, 10, 0), local(2026, 2, 24, 8, 0)) == 2
    assert seeded.working_days_between(local(2026, 2, 13, 10, 0), local(2026, 2, 13, 18, 0)) == 0
    assert seeded.working_days_between(local(2026, 2, 24, 10, 0), local(2026, 2, 13, 18, 0)) == 0
    # the whole National Day week and the weekend after: 10/8, 10/9, 10/10 (make-up), 10/12
    assert seeded.working_days_between(local(2026, 9, 30, 10, 0), local(2026, 10, 12, 10, 0)) == 4
    # one working day before Thu 10/8 23:59:59 is Wed 9/30 23:59:59; before Mon 10/12 it is Sat 10/10
    assert seeded.working_days_before(end_of(D(2026, 10, 8)), 1) == end_of(D(2026, 9, 30))
    assert seeded.working_days_before(end_of(D(2026, 10, 12)), 1) == end_of(D(2026, 10, 10))
    assert seeded.to_local_date(dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.UTC)) == D(2026, 11, 24)


def test_is_rest_day(seeded):
    assert seeded.is_rest_day(D(2026, 2, 14)) == (False, False)  # make-up Saturday
    assert seeded.is_rest_day(D(2026, 2, 16)) == (True, False)  # Spring Festival
    assert seeded.is_rest_day(D(2026, 3, 7)) == (True, False)  # an ordinary Saturday
    assert seeded.is_rest_day(D(2026, 3, 9)) == (False, False)  # an ordinary Monday
    assert seeded.is_rest_day(D(2028, 1, 26)) == (True, True)  # Spring Festival 2028: statutory, provisional
    assert seeded.is_rest_day(D(2028, 1, 24)) == (False, True)
    assert seeded.earliest_year() == 2025


# --- years with no official calendar ---------------------------------------------------------------

def test_a_deadline_into_an_unpublished_year_is_provisional(seeded):
    # Tue 11/3/2026 + 90 days = Mon 2/1/2027: a working day even provisionally, but 2027 is not published.
    result = seeded.compute_due(local(2026, 11, 3, 9, 0), 90, "days")
    assert result.due_at == end_of(D(2027, 2, 1)) and result.provisional is True
    # Mon 1/24/2028 + 1 working day: the eve (1/25) and Spring Festival (1/26–28) are statutory, then the
    # weekend; Mon 1/31 is the first working day. No make-up days are guessed.
    result = seeded.compute_due(local(2028, 1, 24, 9, 0), 1, "working_days")
    assert result.due_at == end_of(D(2028, 1, 31))
    assert result.skipped == days(D(2028, 1, 25), D(2028, 1, 30))
    assert result.provisional is True
    # Fri 9/29/2028 + 1 working day: Sat, Sun 10/1, Mon 10/2 and Tue 10/3 (中秋 and 国庆) are rest days;
    # the holidays package's guessed "observed" 10/4 is not a statutory holiday, so Wed 10/4 is the day.
    result = seeded.compute_due(local(2028, 9, 29, 9, 0), 1, "working_days")
    assert result.due_at == end_of(D(2028, 10, 4))
    assert result.skipped == days(D(2028, 9, 30), D(2028, 10, 3))
    assert result.provisional is True
    # a deadline that stays inside 2026 consults no provisional day
    assert seeded.compute_due(local(2026, 12, 28, 9, 0), 3, "working_days").provisional is False
    # ... but one that crosses into 2027 does: Mon 12/28 + 4: 12/29, 12/30, 12/31 (3); Fri 1/1/2027 is
    # New Year's Day (statutory), 1/2–3 the weekend; Mon 1/4/2027 (4).
    result = seeded.compute_due(local(2026, 12, 28, 9, 0), 4, "working_days")
    assert result.due_at == end_of(D(2027, 1, 4)) and result.provisional is True


def test_the_snapshot_is_cached_per_version_and_sees_changes_of_other_processes(seeded):
    from core.extensions import db

    statements = []

    def count(*args, **kwargs):
        statements.append(args[2])

    seeded.compute_due(local(2026, 2, 13, 10, 0), 1, "working_days")  # loads the days of this version
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        db.session.commit()
        for i in range(200):
            seeded.compute_due(local(2026, 2, 13, 10, 0), 20 + i % 5, "working_days")
        assert len(statements) <= 1  # one version check for the whole transaction
        db.session.commit()
        statements.clear()
        seeded.compute_due(local(2026, 2, 13, 10, 0), 1, "working_days")
        assert len(statements) == 1  # a new transaction checks the version; the days stay cached
    finally:
        event.remove(db.engine, "before_cursor_execute", count)

    # another process makes Fri 3/13/2026 a day off and bumps the version
    before = seeded.current_version()
    db.session.commit()
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO calendar_days (date, year, kind, name) VALUES ('2026-03-13', 2026, "
                          "'day_off', 'test')"))
        conn.execute(text("UPDATE calendar_version SET version = version + 1, token = 'other-process'"))
    result = seeded.compute_due(local(2026, 3, 12, 10, 0), 1, "working_days")
    assert result.due_at == end_of(D(2026, 3, 16)) and result.calendar_version == before + 1


def test_an_edit_rolled_back_is_never_used(seeded, app):
    from core.extensions import db

    version = seeded.current_version()
    seeded.set_day(None, D(2026, 3, 13), "day_off", "试验")
    assert seeded.compute_due(local(2026, 3, 12, 10, 0), 1, "working_days").due_at == end_of(D(2026, 3, 16))
    db.session.rollback()
    result = seeded.compute_due(local(2026, 3, 12, 10, 0), 1, "working_days")
    assert result.due_at == end_of(D(2026, 3, 13)) and result.calendar_version == version
