"""`flask calendar load FILE`: a new year's notice; bad files are refused with clear errors and nothing saved."""
import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import func, select

from core.timeutil import SHANGHAI
from tests.deadlines.test_calendar import restore_calendar  # noqa: F401 (a fixture)

GOOD_2027 = {
    "year": 2027,
    "source": "国务院办公厅关于2027年部分节假日安排的通知",
    "days_off": [{"date": "2027-01-01", "name": "元旦"}, {"from": "2027-02-05", "to": "2027-02-13", "name": "春节"}],
    "workdays": [{"date": "2027-02-14", "name": "春节调休"}],  # a Sunday
}

# A hypothetical 2028 notice: Spring Festival Tue 1/25 – Tue 2/1 with make-up Sun 1/23; National Day and
# Mid-Autumn Sun 10/1 – Sat 10/7 with make-up Sat 9/30.
NOTICE_2028 = {
    "year": 2028,
    "source": "国务院办公厅关于2028年部分节假日安排的通知",
    "days_off": [{"from": "2028-01-25", "to": "2028-02-01", "name": "春节"},
                 {"from": "2028-10-01", "to": "2028-10-07", "name": "国庆节、中秋节"}],
    "workdays": [{"date": "2028-01-23", "name": "春节调休"}, {"date": "2028-09-30", "name": "国庆节调休"}],
}


def local(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def end_of(day):
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI).astimezone(dt.UTC)


def write(tmp_path, content, name="calendar.json"):
    path = tmp_path / name
    if isinstance(content, (bytes, str)):
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    else:
        path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return str(path)


def state(app):
    """(years, days, version): what a refused file must leave unchanged."""
    from core.extensions import db
    from deadlines.calendar import CalendarDay, CalendarYear, current_version

    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(CalendarYear)),
                db.session.scalar(select(func.count()).select_from(CalendarDay)), current_version())


def test_load_a_new_year_then_replace_it(app, runner, tmp_path, restore_calendar):
    from core.extensions import db
    from deadlines.calendar import CalendarDay, CalendarYear, DayKind

    assert runner.invoke(args=["calendar", "seed"]).exit_code == 0
    years, count, version = state(app)

    result = runner.invoke(args=["calendar", "load", write(tmp_path, GOOD_2027)])
    assert result.exit_code == 0, result.output
    assert "loaded the official calendar of 2027: 10 day(s) off, 1 make-up working day(s)" in result.output
    assert state(app) == (years + 1, count + 11, version + 1)
    with app.app_context():
        row = db.session.get(CalendarYear, 2027)
        assert row.source == GOOD_2027["source"] and row.loaded_by_id is None
        day = db.session.get(CalendarDay, dt.date(2027, 2, 14))
        assert (day.kind, day.name, day.year) == (DayKind.workday, "春节调休", 2027)
        assert db.session.get(CalendarDay, dt.date(2027, 2, 9)).name == "春节"

    changed = {**GOOD_2027, "days_off": [{"date": "2027-01-01", "name": "元旦"}], "workdays": []}
    result = runner.invoke(args=["calendar", "load", write(tmp_path, changed)])
    assert result.exit_code == 0, result.output
    assert "replaced the official calendar of 2027 (11 listed day(s) before)" in result.output
    assert state(app) == (years + 1, count + 1, version + 2)

    result = runner.invoke(args=["calendar", "show", "2027"])
    assert result.exit_code == 0 and "2027-01-01" in result.output and "元旦" in result.output
    assert runner.invoke(args=["calendar", "show", "2031"]).exit_code == 1


def bad(**changes):
    return {**GOOD_2027, **changes}


BAD_FILES = [
    ('{"year": 2027, "days_off": [', "is not valid JSON"),
    (b"\xff\xfe{}", "is not UTF-8 text"),
    ([2027], "the file must hold one JSON object"),
    (bad(days_off=[{"date": "2027-02-30"}]), "days_off[0].date: '2027-02-30' is not a real date"),
    (bad(days_off=[{"date": "27-1-1"}]), "days_off[0].date: '27-1-1' is not a date written YYYY-MM-DD"),
    (bad(days_off=[{"date": 20270101}]), "is not a date written YYYY-MM-DD"),
    (bad(days_off=[{"date": "2028-01-01"}]), "days_off[0]: 2028-01-01 is outside the year 2027"),
    (bad(days_off=[{"from": "2026-12-31", "to": "2027-01-02"}]), "2026-12-31 is outside the year 2027"),
    (bad(workdays=[{"date": "2027-02-07"}]), "2027-02-07 is both a day off and a make-up working day"),
    (bad(workdays=[{"date": "2027-03-03"}]), "workdays: 2027-03-03 is a Wednesday; a make-up working day is a "
                                             "Saturday or Sunday"),
    (bad(days_off=[{"from": "2027-03-05", "to": "2027-03-01"}]), '"from" 2027-03-05 is after "to" 2027-03-01'),
    (bad(days_off=[{"date": "2027-01-01"}, {"from": "2026-12-30", "to": "2027-01-01"}]), "outside the year 2027"),
    (bad(days_off=[{"date": "2027-01-01"}, {"date": "2027-01-01"}]), "2027-01-01 is listed twice in days_off"),
    (bad(days_off=[{"date": "2027-01-01", "from": "2027-01-01", "to": "2027-01-02"}]), "not both"),
    (bad(days_off=[{"name": "元旦"}]), 'days_off[0]: missing "date"'),
    (bad(workdays=[{"from": "2027-02-13", "to": "2027-02-14"}]), "workdays[0]: unknown field(s) from, to"),
    (bad(year=1999), "year: 1999 is not between 2000 and"),
    (bad(year=2100), "year: 2100 is not between 2000 and"),
    (bad(year="2027"), "year: a whole number"),
    (bad(source=""), "source: the notice the calendar comes from"),
    (bad(days_off=[]), "days_off: a year has at least one day off"),
    (bad(extra=1), "unknown field(s): extra"),
]


@pytest.mark.parametrize("content, message", [c for c in BAD_FILES if not isinstance(c[0], (str, bytes))])
def test_bad_content_is_refused_with_a_clear_reason(content, message):
    from deadlines.calendar import CalendarFileError, parse_year_file

    with pytest.raises(CalendarFileError) as failure:
        parse_year_file(content)
    assert any(message in problem for problem in failure.value.problems), failure.value.problems


def test_bad_files_are_refused_and_nothing_is_saved(app, runner, tmp_path, restore_calendar):
    """Through the command, on the database: each refused file leaves every row and the version as they were."""
    before = state(app)
    for content, message in BAD_FILES:
        result = runner.invoke(args=["calendar", "load", write(tmp_path, content)])
        assert result.exit_code == 1, message
        assert "nothing was saved" in result.output
        assert message in result.output, result.output
        assert state(app) == before, message


def test_a_bad_file_does_not_touch_a_loaded_year(app, runner, tmp_path, restore_calendar):
    assert runner.invoke(args=["calendar", "load", write(tmp_path, GOOD_2027)]).exit_code == 0
    before = state(app)
    result = runner.invoke(args=["calendar", "load", write(tmp_path, bad(workdays=[{"date": "2027-01-05"}]))])
    assert result.exit_code == 1
    assert state(app) == before
    assert runner.invoke(args=["calendar", "load", str(tmp_path / "missing.json")]).exit_code != 0


def test_every_problem_is_listed(app, runner, tmp_path, restore_calendar):
    content = bad(days_off=[{"date": "2027-02-30"}, {"from": "2027-03-05", "to": "2027-03-01"}],
                  workdays=[{"date": "2027-03-03"}])
    result = runner.invoke(args=["calendar", "load", write(tmp_path, content)])
    assert result.exit_code == 1
    assert "2027-02-30" in result.output and "2027-03-05" in result.output and "2027-03-03" in result.output


def test_loading_a_year_makes_its_deadlines_official(app, runner, tmp_path, restore_calendar):
    from core.extensions import db
    from deadlines import calendar

    assert runner.invoke(args=["calendar", "seed"]).exit_code == 0
    with app.app_context():
        # Mon 1/24/2028 + 1 working day, provisionally: 1/25 (eve) and 1/26–28 statutory, then the weekend
        before = calendar.compute_due(local(2028, 1, 24, 9, 0), 1, "working_days")
        assert before.due_at == end_of(dt.date(2028, 1, 31)) and before.provisional
        # Fri 9/29/2028 + 1: provisionally Sat 9/30 to Tue 10/3 are rest days, so Wed 10/4
        assert calendar.compute_due(local(2028, 9, 29, 9, 0), 1, "working_days").due_at == end_of(dt.date(2028, 10, 4))

    result = runner.invoke(args=["calendar", "load", write(tmp_path, NOTICE_2028)])
    assert result.exit_code == 0, result.output

    with app.app_context():
        # the notice: 1/25–2/1 off, so Wed 2/2; no longer provisional, and on the new version
        after = calendar.compute_due(local(2028, 1, 24, 9, 0), 1, "working_days")
        assert after.due_at == end_of(dt.date(2028, 2, 2)) and not after.provisional
        assert after.calendar_version == before.calendar_version + 1
        # Sat 9/30/2028 is a make-up working day in the notice
        due = calendar.compute_due(local(2028, 9, 29, 9, 0), 1, "working_days")
        assert (due.due_at, due.skipped, due.provisional) == (end_of(dt.date(2028, 9, 30)), [], False)
        db.session.rollback()


def test_loading_a_year_recomputes_the_provisional_deadlines(app, runner, tmp_path, restore_calendar):
    from core.extensions import db
    from deadlines import services
    from deadlines.models import Deadline
    from deadlines.rules_seed import seed_rules

    assert runner.invoke(args=["calendar", "seed"]).exit_code == 0
    with app.app_context():
        seed_rules()  # idempotent: the rules are reference data already
        deadline = services.open_deadline("Q1", subject_type="complaint", subject_id=uuid.uuid4(),
                                          complaint_id=uuid.uuid4(), responsible_org_id=uuid.uuid4(),
                                          start=local(2028, 1, 24, 9, 0))
        db.session.commit()
        deadline_id = deadline.id
        assert deadline.provisional and deadline.due_at == end_of(dt.date(2028, 1, 31))

    result = runner.invoke(args=["calendar", "load", write(tmp_path, NOTICE_2028)])
    assert result.exit_code == 0, result.output
    assert "1 provisional deadline(s) recomputed" in result.output

    with app.app_context():
        deadline = db.session.get(Deadline, deadline_id)
        assert not deadline.provisional and deadline.due_at == end_of(dt.date(2028, 2, 2))
        assert deadline.calendar_version == state(app)[2]
