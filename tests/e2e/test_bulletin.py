"""A supervisor, in a real browser, reads the league table, issues November's bulletin and downloads its PDF:
the PDF holds the organisations and the figures the page shows (the hand-counted November of
tests/supervision/assessment_world.py)."""
import re

import pytest

from tests.e2e.test_enterprise_journey import browser, live_server  # noqa: F401
from tests.e2e.test_enterprise_journey import watch  # noqa: F401
from tests.e2e.test_routing_journeys import assert_clean, sign_in  # noqa: F401
from tests.pdfcheck import text
from tests.supervision import assessment_world

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(app, create_org, create_user):
    return assessment_world.build(app, create_org, create_user)


def test_a_supervisor_issues_and_downloads_the_bulletin(app, world, sign_in, watch):  # noqa: F811
    from playwright.sync_api import expect

    page = sign_in(world.supervisor)
    page.get_by_test_id("nav-league").click()
    page.fill('input[name="month"]', "2026-11")
    page.get_by_test_id("league-filter").locator("button[type=submit]").click()
    centres = page.get_by_test_id("league").first
    expect(centres.get_by_test_id("league-row").first).to_contain_text("乙中心")
    expect(centres).to_contain_text("33.3%")  # 甲中心: 1 of 3 deadlines on time, below the floor

    page.get_by_test_id("nav-bulletins").click()
    page.fill('input[name="month"]', "2026-11")
    page.get_by_test_id("issue").click()
    expect(page).to_have_url(re.compile(r"/supervision/bulletins/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("overdue")).to_contain_text("乙公安分局")
    expect(page.get_by_test_id("commendations")).to_contain_text("甲市场监管局")

    with page.expect_download() as download:
        page.get_by_test_id("bulletin-pdf").click()
    pdf = download.value
    assert pdf.suggested_filename == "bulletin-2026-11.pdf"
    body = text(open(pdf.path(), "rb").read())
    for shown in ("甲中心", "乙中心", "甲市场监管局", "乙公安分局", "2026-11", "33.3%"):
        assert shown in body, shown
    assert_clean(watch)
