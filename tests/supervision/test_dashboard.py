"""The dashboard's figures against the hand-counted world of dashboard_world.py, per viewer and filter."""
import time_machine
import pytest

from tests.supervision.dashboard_world import NOW, PERIOD, build, rows, tables


@pytest.fixture
def world(app, create_user):
    return build(app, create_user)


@pytest.fixture
def dashboard(world, api_login):
    def get(who, expect=200, base=PERIOD, **query):
        with time_machine.travel(NOW, tick=False):
            api = api_login(world[who])
            response = api.get("/api/v1/dashboard", query_string={**base, **query})
        assert response.status_code == expect, response.get_json()
        return response.get_json()
    return get


def test_city_wide_counts(dashboard):
    body = dashboard("supervisor")
    assert body["scope"] == "city" and body["period"] == {"preset": "custom", "start": "2026-11-01", "end": "2026-11-30"}
    t = tables(body)
    states = rows(t["by_state"])
    assert {k: v["count"] for k, v in states.items() if v["count"]} == {
        "Referred": 1, "In progress": 1, "Concluded": 2, "Being triaged": 1, "Closed": 1}
    assert states["Concluded"]["share"] == "0.3333"
    assert {k: v["count"] for k, v in rows(t["by_enterprise_district"]).items()} == {"Pudong New Area": 4, "Minhang": 2}
    assert {k: v["count"] for k, v in rows(t["by_infringer_district"]).items()} == {
        "Pudong New Area": 1, "Minhang": 2, "Unknown or outside Shanghai": 1}
    assert {k: v["count"] for k, v in rows(t["by_centre"]).items()} == {"浦东维权中心": 4, "闵行维权中心": 2}
    agencies = rows(t["by_agency"])
    assert {k: (v["count"], v["open"], v["concluded"]) for k, v in agencies.items()} == {
        "浦东市场监管局": (1, 0, 1), "浦东公安分局": (1, 1, 0), "浦东法院": (1, 0, 1)}
    assert {k: v["count"] for k, v in rows(t["by_track"]).items()} == {"Administrative": 1, "Criminal": 1, "Civil": 1}
    acts = {k: v["count"] for k, v in rows(t["by_act"]).items() if v["count"]}
    assert acts == {"Acquisition by theft": 2, "Acquisition by bribery": 1, "Acquisition by fraud": 1}


def test_funnel_and_weeks(dashboard):
    t = tables(dashboard("supervisor"))
    assert [(r["label"], r["count"]) for r in t["funnel"]["rows"]] == [
        ("Submitted", 6), ("Accepted", 4), ("Referred", 3), ("Decided by an agency", 3), ("Concluded", 2)]
    assert rows(t["funnel"])["Accepted"]["share"] == "0.6667"
    weeks = {r["label"]: r["count"] for r in t["intake_weekly"]["rows"]}
    # Monday 26 October holds 1 November; 30 November 01:00 Shanghai is 29 November in UTC
    assert weeks == {"2026-10-26": 0, "2026-11-02": 2, "2026-11-09": 2, "2026-11-16": 1, "2026-11-23": 0,
                     "2026-11-30": 1}
    months = rows(t["trends_monthly"])
    assert months["2026-11-01"] == {"label": "2026-11-01", "count": 6, "referred": 3, "concluded": 2}


def test_outcomes(dashboard):
    t = tables(dashboard("supervisor"))
    summary = rows(t["outcomes_summary"])
    assert summary["Administrative penalties"] == {"label": "Administrative penalties", "count": 1,
                                                   "fines": "50000.00", "confiscations": "1000.00", "damages": None}
    assert summary["Criminal cases filed"]["count"] == 1
    assert summary["Civil results"]["count"] == 1 and summary["Civil results"]["damages"] == "200000.00"
    assert summary["Concluded with guidance only"]["count"] == 1
    results = rows(t["outcomes_by_result"])
    assert set(results) == {"Administrative penalty decision", "Judgment"}
    assert results["Judgment"]["damages"] == "200000.00"


def test_quick_protection_per_rule(dashboard):
    t = tables(dashboard("supervisor"))
    q = {r["label"].split()[0]: r for r in t["quick_protection"]["rows"]}
    assert set(q) == {"Q1", "Q4", "A1"}  # c7's are October's; the cancelled Q2 counts nowhere
    assert (q["Q1"]["count"], q["Q1"]["on_time"], q["Q1"]["late"], q["Q1"]["running"]) == (4, 2, 1, 1)
    assert q["Q1"]["on_time_rate"] == "0.6667"
    assert (q["Q1"]["median_hours"], q["Q1"]["p90_hours"]) == ("20.0", "40.0")  # nearest rank of 10, 20, 40
    assert q["Q4"]["paused"] == "1.0000" and q["Q4"]["median_hours"] == "5.0" and q["Q4"]["on_time_rate"] == "1.0000"
    assert q["A1"]["extended"] == "1.0000" and q["A1"]["late"] == 1 and q["A1"]["on_time_rate"] == "0.0000"
    assert q["A1"]["median_hours"] is None


def test_open_and_overdue_now(dashboard):
    t = tables(dashboard("supervisor"))
    now = {k: v["count"] for k, v in rows(t["now"]).items()}
    # open: c1, c2, c4 and October's c7; running: c5's Q1 (in time), c1's A1 and c7's Q2 (both overdue)
    assert now == {"Open complaints": 4, "Open referrals": 1, "Running deadlines": 3, "Overdue deadlines": 2}
    overdue = rows(t["overdue_by_organisation"])
    assert {k: (v["count"], v["overdue"]) for k, v in overdue.items()} == {
        "浦东市场监管局": (1, 1), "浦东维权中心": (1, 1), "闵行维权中心": (1, 0)}


def test_a_centre_sees_its_own(dashboard, world):
    body = dashboard("clerk_a")
    assert body["scope"] == "centre" and body["organisation_id"] == str(world["centre_a"])
    t = tables(body)
    assert sum(r["count"] for r in t["by_state"]["rows"]) == 4
    assert set(rows(t["by_centre"])) == {"浦东维权中心"}
    assert dashboard("clerk_a", centre=str(world["centre_a"]))["tables"] == body["tables"]
    dashboard("clerk_a", expect=404, centre=str(world["centre_b"]))


def test_an_agency_sees_its_referrals(dashboard, world):
    t = tables(dashboard("officer_m"))
    assert sum(r["count"] for r in t["by_state"]["rows"]) == 1  # c1 only
    assert set(rows(t["by_agency"])) == {"浦东市场监管局"}
    q = {r["label"].split()[0]: r for r in t["quick_protection"]["rows"]}
    assert set(q) == {"Q4", "A1"}  # its own clocks only
    assert rows(t["now"])["Overdue deadlines"]["count"] == 1
    dashboard("officer_m", expect=404, agency=str(world["agency_p"]))


def test_two_filters(dashboard, world):
    t = tables(dashboard("supervisor", agency=str(world["agency_p"]), district="pudong"))
    assert sum(r["count"] for r in t["by_state"]["rows"]) == 1  # c2
    assert {k: v["count"] for k, v in rows(t["by_track"]).items()} == {"Administrative": 0, "Criminal": 1, "Civil": 0}
    assert rows(t["outcomes_summary"])["Concluded with guidance only"]["count"] == 0
    t = tables(dashboard("supervisor", track="civil", centre=str(world["centre_a"])))
    assert sum(r["count"] for r in t["by_state"]["rows"]) == 1  # c6


@pytest.mark.parametrize("who", ["enterprise", "admin"])
def test_others_have_no_dashboard(dashboard, who):
    dashboard(who, expect=404)


@pytest.mark.parametrize("query, field", [
    ({"period": "custom", "from": None, "to": "2026-11-30"}, "from"),
    ({"period": "custom", "from": "2026-11-30", "to": "2026-11-01"}, "to"),
    ({"period": "custom", "from": "1999-01-01", "to": "2026-11-01"}, "from"),
    ({"period": "custom", "from": "2015-01-01", "to": "2026-11-01"}, "to"),
    ({"period": "decade"}, "period"),
    ({"track": "maritime"}, "track"),
])
def test_bad_filters_are_field_errors(dashboard, query, field):
    query = {k: v for k, v in {**PERIOD, **query}.items() if v is not None}
    body = dashboard("supervisor", expect=422, base={}, **query)
    assert list(body["errors"]) == [field]


def test_a_centre_filter_must_name_a_centre(dashboard, world):
    body = dashboard("supervisor", expect=422, centre=str(world["agency_m"]))
    assert "centre" in body["errors"]
    body = dashboard("supervisor", expect=422, agency=str(world["centre_a"]))
    assert "agency" in body["errors"]


def test_presets_run_to_today(app, world, api_login):
    with time_machine.travel(NOW, tick=False):
        api = api_login(world["supervisor"])
        for preset, start in (("month", "2026-12-01"), ("quarter", "2026-10-01"), ("year", "2026-01-01")):
            body = api.get("/api/v1/dashboard", query_string={"period": preset}).get_json()
            assert body["period"] == {"preset": preset, "start": start, "end": "2026-12-04"}
        year = tables(api.get("/api/v1/dashboard", query_string={"period": "year"}).get_json())
    assert sum(r["count"] for r in year["by_state"]["rows"]) == 7  # October's c7 too
