"""A supervisor filters the dashboard in a real browser and exports a table as XLSX: the file opens with openpyxl
and holds the numbers the page shows (tests/supervision/dashboard_world.py's hand-counted world)."""
import io

import openpyxl
import pytest

from tests.e2e.test_enterprise_journey import browser, live_server  # noqa: F401
from tests.e2e.test_enterprise_journey import watch  # noqa: F401
from tests.e2e.test_routing_journeys import sign_in  # noqa: F401
from tests.supervision.dashboard_world import build

pytestmark = pytest.mark.e2e


@pytest.fixture
def dashboard_world(app, create_user):
    return build(app, create_user)


def _page_rows(page, key):
    rows = []
    for row in page.get_by_test_id(f"table-{key}").locator("tbody tr").all():
        rows.append([cell.inner_text().strip() for cell in row.locator("th, td").all()])
    return rows


def test_supervisor_filters_and_exports_xlsx(dashboard_world, sign_in, watch):  # noqa: F811
    from playwright.sync_api import expect

    page = sign_in(dashboard_world["supervisor"])
    page.get_by_test_id("nav-dashboard").click()
    expect(page.locator("h1")).to_have_text("仪表盘")
    page.select_option("#field-period", "custom")
    page.fill("#field-from", "2026-11-01")
    page.fill("#field-to", "2026-11-30")
    page.select_option("#field-district", "pudong")
    page.get_by_test_id("apply-filters").click()
    table = page.get_by_test_id("table-by_state")
    expect(table).to_be_visible()
    expect(page.get_by_test_id("chart-by-state")).to_be_visible()
    shown = {row[0]: row for row in _page_rows(page, "by_state")}
    # the enterprise of Pudong: c1 referred, c2 in progress, c5 closed, c6 concluded
    assert {label: int(row[1]) for label, row in shown.items() if row[1] != "0"} == {
        "已移送": 1, "办理中": 1, "已关闭": 1, "已办结": 1}
    with page.expect_download() as info:
        page.get_by_test_id("export-by_state-xlsx").click()
    download = info.value
    assert download.suggested_filename == "by_state-2026-11-01-2026-11-30.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    values = list(book.active.iter_rows(values_only=True))
    headers = [h.inner_text().strip() for h in page.get_by_test_id("table-by_state").locator("thead th").all()]
    assert list(values[0]) == headers and headers[0] == "状态"
    assert len(values) - 1 == len(shown)
    for label, count, share in values[1:]:
        row = shown[label]
        assert count == int(row[1])
        assert row[2] == ("—" if share is None else f"{share * 100:.1f}%")
    assert not watch.outside and not watch.console_errors
