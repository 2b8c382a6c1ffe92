"""The calculator (API and page) and the administrator's calendar page."""
import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from tests.accounts.web import csrf_token, field_errors, web_login
from tests.core.test_translations import compiled  # noqa: F401 (a fixture: the .mo of the .po)
from tests.deadlines.test_calendar import reset_calendar, restore_calendar  # noqa: F401 (a fixture)


@pytest.fixture
def seeded(app, runner, restore_calendar):
    result = runner.invoke(args=["calendar", "seed"])
    assert result.exit_code == 0, result.output


def version(app):
    from deadlines.calendar import current_version

    with app.app_context():
        return current_version()


def day_count(app):
    from core.extensions import db
    from deadlines.calendar import CalendarDay

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CalendarDay))


# --- the API ---------------------------------------------------------------------------------------

def test_the_calculator_answers_due_time_provisional_and_skipped_days(seeded, app, create_user, api_login):
    api = api_login(create_user("enterprise_user"))  # any signed-in user
    # Wed 9/30/2026 + 1 working day: 10/1–10/7 are off, Thu 10/8 is the first working day
    response = api.get("/api/v1/calendar/due?start=2026-09-30T09:00:00%2B08:00&amount=1&unit=working_days")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["start"] == "2026-09-30T01:00:00+00:00"
    assert body["due_at"] == "2026-10-08T15:59:59+00:00"
    assert body["due_at_local"] == "2026-10-08T23:59:59+08:00"
    assert body["provisional"] is False
    assert body["skipped"] == [f"2026-10-0{d}" for d in range(1, 8)]
    assert body["calendar_version"] == version(app)
    assert response.headers["Cache-Control"] == "no-store"

    # Fri 2/13 + 1: the make-up Saturday; a start without an offset is Shanghai time
    body = api.get("/api/v1/calendar/due?start=2026-02-13T10:00&amount=1&unit=working_days").get_json()
    assert (body["due_at_local"], body["skipped"]) == ("2026-02-14T23:59:59+08:00", [])
    # calendar days, hours
    body = api.get("/api/v1/calendar/due?start=2026-09-28T09:00:00Z&amount=3&unit=days").get_json()
    assert body["due_at_local"] == "2026-10-08T23:59:59+08:00" and len(body["skipped"]) == 7
    body = api.get("/api/v1/calendar/due?start=2026-02-13T22:30:00%2B08:00&amount=24&unit=hours").get_json()
    assert body["due_at"] == "2026-02-14T14:30:00+00:00" and body["skipped"] == []
    # into 2028, which has no official calendar
    body = api.get("/api/v1/calendar/due?start=2028-01-24T09:00:00%2B08:00&amount=1&unit=working_days").get_json()
    assert body["provisional"] is True and body["due_at_local"] == "2028-01-31T23:59:59+08:00"


BAD_QUERIES = [
    ("start=yesterday&amount=1&unit=days", "start"),
    ("start=2026-02-30T09:00:00Z&amount=1&unit=days", "start"),
    ("amount=1&unit=days", "start"),
    ("start=2026-02-13T09:00:00Z&amount=-1&unit=days", "amount"),
    ("start=2026-02-13T09:00:00Z&amount=3651&unit=working_days", "amount"),
    ("start=2026-02-13T09:00:00Z&amount=1.5&unit=days", "amount"),
    ("start=2026-02-13T09:00:00Z&amount=lots&unit=days", "amount"),
    ("start=2026-02-13T09:00:00Z&amount=1&unit=weeks", "unit"),
    ("start=2026-02-13T09:00:00Z&amount=1", "unit"),
    ("start=2024-12-31T09:00:00%2B08:00&amount=1&unit=days", "start"),  # before the calendar's first year
    ("start=2099-01-05T09:00:00Z&amount=1&unit=days", "start"),  # absurdly far
]


def test_the_calculator_refuses_bad_requests_with_field_errors(seeded, create_user, api_login):
    api = api_login(create_user("clerk"))
    for query, field in BAD_QUERIES:
        response = api.get(f"/api/v1/calendar/due?{query}")
        assert response.status_code == 422, (query, response.get_json())
        body = response.get_json()
        assert body["code"] == "validation_error" and list(body["errors"]) == [field], (query, body)


def test_the_calculator_errors_speak_chinese_and_name_the_first_year(compiled, seeded, create_user, api_login):
    api = api_login(create_user("clerk"), language="zh")
    body = api.get("/api/v1/calendar/due?start=2024-12-31T09:00:00Z&amount=1&unit=days").get_json()
    assert body["errors"]["start"] == ["官方日历自2025年起，请输入该年或之后的起算时间。"]
    api.language = "en"
    body = api.get("/api/v1/calendar/due?start=2024-12-31T09:00:00Z&amount=1&unit=days").get_json()
    assert body["errors"]["start"] == ["The official calendar starts in 2025: enter a start in or after that year."]


def test_the_calculator_refuses_when_no_calendar_is_loaded(app, create_user, api_login):
    reset_calendar(app, seed=False)
    api = api_login(create_user("clerk"))
    try:
        response = api.get("/api/v1/calendar/due?start=2026-02-13T09:00:00Z&amount=1&unit=days")
        assert response.status_code == 422 and list(response.get_json()["errors"]) == ["start"]
    finally:
        reset_calendar(app)


def test_the_calculator_needs_a_token(seeded, anonymous_api):
    response = anonymous_api.get("/api/v1/calendar/due?start=2026-02-13T09:00:00Z&amount=1&unit=days")
    assert response.status_code == 401


# --- the calculator page ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["clerk", "agency_officer"])
def test_the_calculator_page(compiled, seeded, client, create_user, role):
    assert web_login(client, create_user(role, language="zh")).status_code == 302
    page = client.get("/calendar/due")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "期限计算" in html

    page = client.get("/calendar/due?start=2026-02-13T10:00&amount=2&unit=working_days")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Fri 2/13 + 2: Sat 2/14 (make-up), 2/15–23 off, Tue 2/24
    assert re.search(r'data-testid="due-at">2026-02-24 23:59:59<', html)
    assert "2026-02-15" in html and "2026-02-23" in html and "春节" in html
    assert 'data-testid="official"' in html

    page = client.get("/calendar/due?start=2028-01-24T09:00&amount=1&unit=working_days")
    assert 'data-testid="provisional"' in page.get_data(as_text=True)

    page = client.get("/calendar/due?start=2026-02-13T10:00&amount=-3&unit=weeks")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert field_errors(html, "amount") and field_errors(html, "unit")


def test_who_gets_the_calculator_page(seeded, app, create_user):
    assert app.test_client().get("/calendar/due").status_code == 302  # to the sign-in page
    for role, status in (("supervisor", 200), ("admin", 200), ("enterprise_user", 404)):
        client = app.test_client()
        web_login(client, create_user(role))
        assert client.get("/calendar/due?start=2026-02-13T10:00&amount=1&unit=days").status_code == status, role


# --- the administrator's page ----------------------------------------------------------------------

def test_the_admin_lists_years_and_edits_days(compiled, seeded, app, client, create_user):
    web_login(client, create_user("admin", language="zh"))
    page = client.get("/admin/calendar?year=2026")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2025" in html and "2026" in html and 'data-date="2026-02-14" data-kind="workday"' in html
    assert "调休" in html and "官方日历" in html and "名称" in html

    before_version, before_count = version(app), day_count(app)
    token = csrf_token(client, "/admin/calendar")
    response = client.post("/admin/calendar/days", data={"csrf_token": token, "date": "2026-12-31",
                                                         "kind": "day_off", "name": "试验休息日"})
    assert response.status_code == 302
    assert (version(app), day_count(app)) == (before_version + 1, before_count + 1)
    from deadlines import calendar

    with app.app_context():
        # Wed 12/30 + 1 working day: Thu 12/31 is now a day off, then Fri 1/1/2027 (provisional New Year)
        due = calendar.compute_due(dt.datetime(2026, 12, 30, 9, tzinfo=dt.UTC), 1, "working_days")
        assert due.skipped[0] == dt.date(2026, 12, 31) and due.calendar_version == before_version + 1
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert 'data-date="2026-12-31" data-kind="day_off"' in page

    # removing asks first (a page without JavaScript) and changes nothing until confirmed
    response = client.post("/admin/calendar/days/2026-12-31/remove", data={"csrf_token": token})
    assert response.status_code == 200 and 'data-testid="confirm"' in response.get_data(as_text=True)
    assert "试验休息日" in response.get_data(as_text=True)
    assert (version(app), day_count(app)) == (before_version + 1, before_count + 1)
    response = client.post("/admin/calendar/days/2026-12-31/remove", data={"csrf_token": token, "confirmed": "yes"})
    assert response.status_code == 302
    assert (version(app), day_count(app)) == (before_version + 2, before_count)
    assert client.post("/admin/calendar/days/2026-12-31/remove", data={"csrf_token": token}).status_code == 404


BAD_EDITS = [
    ({"date": "2026-03-04", "kind": "workday"}, "kind"),  # a Wednesday cannot be a make-up working day
    ({"date": "2027-03-06", "kind": "day_off"}, "date"),  # 2027 has no official calendar
    ({"date": "2026-02-30", "kind": "day_off"}, "date"),
    ({"date": "2026-03-07", "kind": "holiday"}, "kind"),
    ({"date": "2026-03-09", "kind": "day_off", "name": "x" * 101}, "name"),
    ({"date": "2026-03-09", "kind": "day_off", "name": "调休\u202e日"}, "name"),  # a text-direction override
]


def test_bad_edits_are_refused_and_nothing_is_saved(seeded, app, client, create_user):
    web_login(client, create_user("admin"))
    before = (version(app), day_count(app))
    token = csrf_token(client, "/admin/calendar")
    for form, field in BAD_EDITS:
        response = client.post("/admin/calendar/days", data={"csrf_token": token, **form})
        assert response.status_code == 422, form
        assert field_errors(response.get_data(as_text=True), field), form
        assert (version(app), day_count(app)) == before, form


def test_only_administrators_see_the_calendar_page(seeded, app, create_user):
    before = (version(app), day_count(app))
    for role in ("clerk", "supervisor", "agency_officer", "enterprise_user"):
        client = app.test_client()
        web_login(client, create_user(role))
        assert client.get("/admin/calendar").status_code == 404, role
        token = csrf_token(client, "/account")
        response = client.post("/admin/calendar/days", data={"csrf_token": token, "date": "2026-12-31",
                                                             "kind": "day_off"})
        assert response.status_code == 404, role
        assert client.post("/admin/calendar/days/2026-02-14/remove", data={"csrf_token": token}).status_code == 404
    assert (version(app), day_count(app)) == before


# --- loading a year from a file on the page ----------------------------------------------------------

def _year_file(year=2027, **changes):
    import json

    data = {"year": year, "source": f"国务院办公厅关于{year}年部分节假日安排的通知",
            "days_off": [{"date": f"{year}-01-01", "name": "元旦"},
                         {"from": f"{year}-02-06", "to": f"{year}-02-12", "name": "春节"}],
            "workdays": [{"date": f"{year}-02-14", "name": "春节调休"}]}
    data.update(changes)
    return json.dumps(data, ensure_ascii=False).encode()


def _upload(client, token, content, filename="2027.json", **form):
    import io

    return client.post("/admin/calendar/import", data={"csrf_token": token, "file": (io.BytesIO(content), filename),
                                                       **form}, content_type="multipart/form-data")


def test_the_admin_loads_next_years_file_on_the_page(compiled, seeded, app, client, create_user):
    from deadlines import calendar

    web_login(client, create_user("admin", language="zh"))
    with app.app_context():
        assert 2027 not in calendar.official_years()
    token = csrf_token(client, "/admin/calendar")
    before = version(app)
    response = _upload(client, token, _year_file())
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert 2027 in calendar.official_years()
        days = {d.date.isoformat(): d.kind.value for d in calendar.year_days(2027)}
    assert days["2027-02-14"] == "workday" and days["2027-02-06"] == "day_off" and len(days) == 9
    assert version(app) == before + 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2027" in page and 'data-date="2027-02-14" data-kind="workday"' in page

    # the same year again: only when asked to replace it
    response = _upload(client, token, _year_file(workdays=[]))
    assert response.status_code == 422 and field_errors(response.get_data(as_text=True), "replace")
    assert version(app) == before + 1
    assert _upload(client, token, _year_file(workdays=[]), replace="yes").status_code == 302
    with app.app_context():
        assert len(calendar.year_days(2027)) == 8


BAD_FILES = [
    b"",  # empty
    b"\xff\xfe not utf-8",
    b'{"year": 2027,',  # not JSON
    b"[" * 100_000 + b"]" * 100_000,  # nested beyond any parser's recursion
    _year_file(days_off=[{"date": "2027-02-30"}]),  # not a real date
    _year_file(workdays=[{"date": "2027-03-03"}]),  # a Wednesday
    _year_file(year=2099),
    _year_file(days_off=[{"date": "2026-12-31"}]),  # outside the year
    _year_file(extra="x"),
    b" " * (300 * 1024),  # too large for a calendar
]


@pytest.mark.parametrize("content", BAD_FILES, ids=range(len(BAD_FILES)))
def test_a_bad_file_loads_nothing_and_says_why_under_the_field(seeded, app, client, create_user, content):
    web_login(client, create_user("admin"))
    token = csrf_token(client, "/admin/calendar")
    before = (version(app), day_count(app))
    response = _upload(client, token, content)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_errors(html, "file") and 'data-testid="error-summary"' in html
    assert (version(app), day_count(app)) == before


def test_an_upload_without_a_file_and_by_others(seeded, app, client, create_user):
    web_login(client, create_user("admin"))
    token = csrf_token(client, "/admin/calendar")
    response = client.post("/admin/calendar/import", data={"csrf_token": token})
    assert response.status_code == 422 and field_errors(response.get_data(as_text=True), "file")
    before = (version(app), day_count(app))
    for role in ("clerk", "supervisor", "enterprise_user"):
        other = app.test_client()
        web_login(other, create_user(role))
        assert _upload(other, csrf_token(other, "/account"), _year_file()).status_code == 404, role
    assert (version(app), day_count(app)) == before


# --- the provisional-year warning ----------------------------------------------------------------------

def _running_deadline(app, due_at, provisional=True, closed=False):
    import uuid

    from core.extensions import db
    from deadlines.models import Deadline, DeadlineState, Unit

    with app.app_context():
        db.session.add(Deadline(
            subject_type="complaint", subject_id=uuid.uuid4(), complaint_id=uuid.uuid4(),
            responsible_org_id=uuid.uuid4(), rule_code="Q2", rule_version=1, amount=5, unit=Unit.working_days,
            started_at=due_at - dt.timedelta(days=7), due_at=due_at, provisional=provisional, calendar_version=1,
            state=DeadlineState.met if closed else DeadlineState.open, closed_at=due_at if closed else None))
        db.session.commit()


def test_staff_pages_warn_while_a_deadline_runs_on_a_provisional_year(seeded, app, create_user):
    clients = {}
    for role in ("clerk", "supervisor", "agency_officer", "admin", "enterprise_user"):
        clients[role] = app.test_client()
        web_login(clients[role], create_user(role))

    def warned(role, url="/account"):
        return 'data-testid="provisional-warning"' in clients[role].get(url).get_data(as_text=True)

    assert not any(warned(role) for role in clients)
    _running_deadline(app, dt.datetime(2027, 1, 5, 15, 59, 59, tzinfo=dt.UTC), closed=True)  # closed: no warning
    _running_deadline(app, dt.datetime(2026, 12, 20, tzinfo=dt.UTC), provisional=False)
    assert not any(warned(role) for role in clients)
    _running_deadline(app, dt.datetime(2027, 1, 5, 15, 59, 59, tzinfo=dt.UTC))
    for role in ("clerk", "supervisor", "agency_officer", "admin"):
        assert warned(role), role
    assert not warned("enterprise_user")
    html = clients["admin"].get("/calendar/due").get_data(as_text=True)
    assert "2027" in html.split('data-testid="provisional-warning"')[1].split("</p>")[0]
    assert 'href="/admin/calendar"' in html.split('data-testid="provisional-warning"')[1].split("</p>")[0]
    assert app.test_client().get("/login").status_code == 200  # anonymous pages render without it

    # loading the year ends the warning (the deadline is recomputed on the official calendar)
    token = csrf_token(clients["admin"], "/admin/calendar")
    assert _upload(clients["admin"], token, _year_file()).status_code == 302
    assert not warned("clerk")


def test_the_warning_costs_one_query_per_page(seeded, app, client, create_user):
    from sqlalchemy import event

    from core.extensions import db

    web_login(client, create_user("clerk"))
    _running_deadline(app, dt.datetime(2027, 1, 5, tzinfo=dt.UTC))
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get("/calendar/due")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert sum("deadlines" in s and "max(" in s.lower() for s in statements) == 1


def test_a_bad_file_is_explained_in_the_administrator_s_language(seeded, app, client, create_user):
    web_login(client, create_user("admin", language="zh"))
    token = csrf_token(client, "/admin/calendar")
    response = _upload(client, token, _year_file(workdays=[{"date": "2027-03-03"}], days_off=[{"date": "2027-02-30"}]))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "workdays：2027-03-03 是星期三；调休工作日应为星期六或星期日" in html
    assert "days_off[0].date：&#39;2027-02-30&#39; 不是真实存在的日期" in html
    assert "is not a real date" not in html
