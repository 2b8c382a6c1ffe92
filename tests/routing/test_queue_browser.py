"""The queue's layout in a real browser (Debian's chromium driven by Playwright): at a 1280-pixel desk no
cell wraps and nothing overflows; on a 390-pixel phone the table becomes stacked rows and the page does not
scroll sideways. The queue holds long enterprise and infringer names, key cases, holders and every urgency."""
import datetime as dt
import re
import uuid

import pytest

from tests.e2e.test_enterprise_journey import browser, live_server, watch  # noqa: F401
from tests.e2e.test_routing_journeys import assert_clean, sign_in  # noqa: F401
from tests.routing.support import insert_complaints

pytestmark = pytest.mark.e2e

LONG_NAME = "上海澄川智能科技股份有限公司浦东新区张江高科技园区分公司"
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
FITS = "(() => { const box = document.querySelector('div.queue-table'); return box.scrollWidth <= box.clientWidth; })()"
# every body cell of the queue on one line: its height is one line of text plus its padding
CELL_LINES = """() => [...document.querySelectorAll('table.queue tbody td')].map(td => {
  const style = getComputedStyle(td);
  const inner = td.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  return inner / parseFloat(style.lineHeight);
})"""


@pytest.fixture
def busy_queue(app, world):
    from core.extensions import db
    from intake.models import Complaint

    ids = insert_complaints(app, world, 12, "triaging", enterprises=3, infringers=3)
    now = dt.datetime.now(dt.UTC)
    dues = [now - dt.timedelta(hours=3), now + dt.timedelta(hours=4), now + dt.timedelta(days=4), None]
    with app.app_context():
        for i, cid in enumerate(ids):
            complaint = db.session.get(Complaint, uuid.UUID(cid))
            complaint.reference = f"SM-2026-{i + 1:06d}"
            complaint.enterprise.name = LONG_NAME if i % 3 == 0 else complaint.enterprise.name
            complaint.key_case = i % 5 == 0
            complaint.centre_due_at = dues[i % 4]
            complaint.claimed_by_id = uuid.UUID(str(world.users["clerk" if i % 2 else "clerk2"]["id"]))
            for infringer in complaint.infringers:
                infringer.name = f"上海某某新材料科技有限公司第{infringer.position + 1}分公司"
        db.session.commit()
    return ids


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_queue_fits_a_desk_and_a_phone(app, world, busy_queue, sign_in, watch, language):  # noqa: F811
    from playwright.sync_api import expect

    from accounts.models import User
    from core.extensions import db

    with app.app_context():
        db.session.get(User, uuid.UUID(str(world.users["clerk"]["id"]))).language = language
        db.session.commit()

    page = sign_in(world.users["clerk"])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/centre/queue")
    page.screenshot(path=f"/tmp/queue-1280-{language}.png", full_page=True)
    assert page.get_by_test_id("queue-row").count() == 12
    assert page.evaluate(NO_OVERFLOW), page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert page.evaluate(FITS), "%s" % page.evaluate(
        "[...document.querySelectorAll('table.queue thead th')].map(th => th.getBoundingClientRect().width)"
        ".concat([document.querySelector('div.queue-table').scrollWidth, document.querySelector('div.queue-table').clientWidth])")
    lines = page.evaluate(CELL_LINES)
    assert len(lines) == 12 * 7 and max(lines) < 1.5, lines  # no cell wraps at 1280 px
    assert page.locator("table.queue thead").is_visible()
    assert page.get_by_test_id("urgency").first.inner_text().strip()  # a word beside the colour

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/centre/queue")
    page.screenshot(path=f"/tmp/queue-390-{language}.png", full_page=True)
    assert page.evaluate(NO_OVERFLOW), page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert not page.locator("table.queue thead").is_visible()  # stacked rows, each cell labelled
    first = page.get_by_test_id("queue-row").first.bounding_box()
    second = page.get_by_test_id("queue-row").nth(1).bounding_box()
    assert first["width"] <= 390 and second["y"] >= first["y"] + first["height"]
    label = page.evaluate("getComputedStyle(document.querySelector('table.queue tbody td'), '::before').content")
    assert label.strip('"')
    page.get_by_test_id("tab-all").click()
    expect(page).to_have_url(re.compile(r"include_closed=true"))
    expect(page.get_by_test_id("tab-all")).to_have_attribute("aria-current", "page")
    assert page.evaluate(NO_OVERFLOW), page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert_clean(watch)

