"""The dashboard page: filters, charts beside their tables, exports with the page's numbers, sections of other
parts, 404 for those without a dashboard."""
import csv
import io
import re

import openpyxl
import pytest
import time_machine

from tests.accounts.web import web_login
from tests.supervision.dashboard_world import NOW, PERIOD, build


@pytest.fixture
def world(app, create_user):
    return build(app, create_user)


@pytest.fixture
def page(world, client):
    def get(who, expect=200, **query):
        with time_machine.travel(NOW, tick=False):
            web_login(client, world[who])
            response = client.get("/supervision/dashboard", query_string={"lang": "en", **PERIOD, **query})
        assert response.status_code == expect, response.get_data(as_text=True)[:2000]
        return response
    return get


def cells(html, key):
    """The rows of a table on the page: its header cell then each number cell, as text."""
    table = re.search(rf'<table data-testid="table-{key}".*?</table>', html, re.S).group(0)
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        found.append([re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)])
    return found


def test_the_page_shows_charts_and_tables(page):
    html = page("supervisor").get_data(as_text=True)
    for key in ("now", "by_state", "funnel", "intake_weekly", "trends_monthly", "quick_protection", "by_act",
                "outcomes_summary", "overdue_by_organisation"):
        assert f'data-testid="table-{key}"' in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') >= 10
    assert ["Referred", "1", "16.7%"] in cells(html, "by_state")
    assert ["Q1 Centre&#39;s first response", "4", "2", "1", "1", "66.7%", "20.0", "40.0", "0.0%", "0.0%"] in \
        cells(html, "quick_protection")
    assert ["Administrative penalties", "1", "50,000.00", "1,000.00", "—"] in cells(html, "outcomes_summary")
    assert "script" not in re.sub(r"<script[^>]*src=", "", html.split("<main", 1)[1]).lower().split("</main>")[0]


def test_csv_and_xlsx_hold_the_page_numbers(page):
    html = page("supervisor").get_data(as_text=True)
    shown = cells(html, "by_state")
    body = page("supervisor", table="by_state", format="csv").data
    assert body.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert lines[0] == ["State", "Complaints", "Share"]
    assert [[r[0], r[1]] for r in lines[1:]] == [[r[0], r[1]] for r in shown]
    response = page("supervisor", table="quick_protection", format="xlsx")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="quick_protection-2026-11-01')
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    q1 = next(r for r in values if str(r[0]).startswith("Q1"))
    assert q1[1:6] == (4, 2, 1, 1, pytest.approx(0.6667))
    assert sheet.cell(row=2, column=6).number_format == "0.0%"


def test_zh_by_default(world, client):
    with time_machine.travel(NOW, tick=False):
        web_login(client, world["supervisor"])
        client.get("/?lang=zh")
        html = client.get("/supervision/dashboard", query_string=PERIOD).get_data(as_text=True)
    assert "仪表盘" in html


def test_bad_filters_show_an_error_summary(page, world):
    html = page("supervisor", expect=422, period="custom", to="2026-10-01").get_data(as_text=True)
    assert 'data-testid="error-summary"' in html and 'href="#field-to"' in html
    assert 'data-testid="table-by_state"' not in html
    page("supervisor", expect=422, format="pdf")
    page("supervisor", expect=404, table="nothing", format="csv")


def test_scope_on_the_page(page, world):
    html = page("clerk_a").get_data(as_text=True)
    assert 'name="centre"' not in html  # its own centre only: no choice to make
    assert sum(int(r[1]) for r in cells(html, "by_state")) == 4
    page("clerk_a", expect=404, centre=str(world["centre_b"]))
    page("officer_p", expect=404, agency=str(world["agency_m"]))
    page("enterprise", expect=404)
    page("admin", expect=404)


def test_nav_link_for_the_roles_with_a_dashboard(world, client):
    for who, shown in (("supervisor", True), ("clerk_a", True), ("officer_m", True), ("enterprise", False)):
        client.post("/logout")
        client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
        web_login(client, world[who])
        html = client.get("/account").get_data(as_text=True)
        assert ('data-testid="nav-dashboard"' in html) is shown, who


def test_registered_sections_follow(page, world, api_login):
    from supervision import dashboard
    from supervision.tables import Column, Table

    def provider(filters, viewer):
        if viewer.role.value != "supervisor":
            return None
        return [Table("extra_counts", "Extra", [Column("label", "Name"), Column("count", "N", "int")],
                      [{"label": str(filters.start), "count": 7}])]

    dashboard.register_section("extra", "Extra section", provider)
    try:
        html = page("supervisor").get_data(as_text=True)
        assert 'data-testid="section-extra"' in html and ["2026-11-01", "7"] in cells(html, "extra_counts")
        assert b"2026-11-01,7" in page("supervisor", table="extra_counts", format="csv").data
        assert 'data-testid="section-extra"' not in page("clerk_a").get_data(as_text=True)
        with time_machine.travel(NOW, tick=False):
            api = api_login(world["supervisor"])
            keys = [t["key"] for t in api.get("/api/v1/dashboard", query_string=PERIOD).get_json()["tables"]]
        assert keys[-1] == "extra_counts"
    finally:
        dashboard.SECTIONS.pop("extra")
