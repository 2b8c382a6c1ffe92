"""The league, assessment and scheme pages and the API, as a supervisor and an administrator would use them."""
import io

import pytest
import time_machine
from openpyxl import load_workbook

from tests.accounts.web import csrf_token, field_errors, web_login
from tests.supervision import assessment_world
from tests.supervision.assessment_world import NOW


@pytest.fixture
def world(app, create_org, create_user):
    return assessment_world.build(app, create_org, create_user)


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_league_page_and_its_exports_hold_the_same_numbers(client, world, at_now):
    web_login(client, world.supervisor)
    page = client.get("/supervision/league?month=2026-11")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "甲中心" in html and "33.3%" in html and "below the On-time rate floor of 92%" in html
    xlsx = client.get("/supervision/league?month=2026-11&group=centre&format=xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert float(rows["甲中心"][3]) == pytest.approx(0.3333) and rows["甲中心"][2] == 3
    csv = client.get("/supervision/league?month=2026-11&group=agency&format=csv").data.decode("utf-8-sig")
    assert "乙公安分局" in csv and "0.5" in csv


def test_a_bad_month_is_a_field_error(client, world, at_now):
    web_login(client, world.supervisor)
    page = client.get("/supervision/league?month=2026-13")
    assert page.status_code == 422 and field_errors(page.get_data(as_text=True), "month")


def test_take_a_snapshot_rank_breakdown_and_records(client, world, at_now):
    web_login(client, world.supervisor)
    token = csrf_token(client, "/supervision/assessment")
    refused = client.post("/supervision/assessment/snapshots",
                          data={"csrf_token": token, "period_kind": "month", "period": "2026-12"})
    assert refused.status_code == 422 and field_errors(refused.get_data(as_text=True), "period")
    taken = client.post("/supervision/assessment/snapshots",
                        data={"csrf_token": token, "period_kind": "month", "period": "2026-11"})
    assert taken.status_code == 302
    url = taken.headers["Location"]
    ranking = client.get(url).get_data(as_text=True)
    assert "64.40" in ranking and "94.38" in ranking
    breakdown = client.get(f"{url}?org={world.c1}", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "64.40" in breakdown and "SH-2026-0003" in breakdown and "Q1" in breakdown
    assert f'href="/centre/complaints/{world.k3}"' in breakdown  # each record leads to its complaint
    assert client.get(f"{url}?org=00000000-0000-0000-0000-000000000000").status_code == 404
    xlsx = client.get(f"{url}?group=agency&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["甲市场监管局", "乙公安分局"]


def test_the_admin_saves_a_scheme_version_and_a_wrong_sum_saves_nothing(client, world, at_now):
    web_login(client, world.admin)
    token = csrf_token(client, "/supervision/assessment/scheme")
    form = {"csrf_token": token, "note": "侧重准时率"}
    for method, weight in (("on_time_rate", 60), ("reply_rate", 10), ("conclusion_rate", 10),
                           ("rework_after_returns", 10), ("satisfaction_rate", 20)):
        form[f"weight_{method}"], form[f"target_{method}"] = str(weight), "90"
    refused = client.post("/supervision/assessment/scheme", data=form)
    assert refused.status_code == 422 and field_errors(refused.get_data(as_text=True), "weight_on_time_rate")
    form["weight_on_time_rate"] = "50"
    saved = client.post("/supervision/assessment/scheme", data=form)
    assert saved.status_code == 302
    page = client.get("/supervision/assessment/scheme").get_data(as_text=True)
    assert page.count('data-testid="scheme-version"') == 1 and "侧重准时率" in page


def test_the_api_serves_the_league_and_the_frozen_snapshot(app, client, world, api_login, at_now):
    api = api_login(world.supervisor)
    league = api.get("/api/v1/league-tables?month=2026-11&group=agency").get_json()
    assert [(r["organisation"], r["reply_rate"]) for r in league["items"]] == [("甲市场监管局", "1.0000"),
                                                                              ("乙公安分局", "0.5000")]
    web_login(client, world.supervisor)
    token = csrf_token(client, "/supervision/assessment")
    client.post("/supervision/assessment/snapshots", data={"csrf_token": token, "period_kind": "month",
                                                           "period": "2026-11"})
    listed = api.get("/api/v1/assessment/snapshots").get_json()
    assert listed["total"] == 1
    snapshot = api.get(f"/api/v1/assessment/snapshots/{listed['items'][0]['id']}").get_json()
    assert snapshot["period"] == "2026-11" and snapshot["centres"][1]["score"] == "64.40"
    for who in (world.clerk, world.officer, world.admin, world.enterprise):
        other = api_login(who)
        assert other.get("/api/v1/league-tables").status_code == 404
        assert other.get(f"/api/v1/assessment/snapshots/{listed['items'][0]['id']}").status_code == 404
