"""A tour of every page, in a real browser (Debian's chromium driven by Playwright): each role signs in
through the login form and visits every page it is shown (the pages and the world of tests/pages/world.py:
discovered from the URL map, one object per page and role), in Chinese and in English, at 1280 px.

On each page: the status is 200, there is an <h1>, nothing overflows sideways; a full-page screenshot
of each is saved under ``<SCREENSHOT_DIR or a pytest temporary folder>/<locale>/<role>/<page>.png`` (the
folder is printed at the end). Chinese needs a CJK font (`make browser` installs fonts-noto-cjk): without
one chromium draws boxes, and the tour fails saying so. SQLite only: the pages' text is scanned on every
database by tests/pages/test_page_text.py.
"""
import os
import re
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.test_enterprise_journey import browser  # noqa: F401
from tests.pages import world as pages

pytestmark = pytest.mark.e2e

WIDTH = 1280


def cjk_fonts():
    try:
        return subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:  # no fontconfig at all
        return ""


@pytest.fixture(scope="module")
def tour(database_urls, tmp_path_factory):
    """(world, {role: [Page]}, base URL, screenshot folder): the world served for real on a free port."""
    from werkzeug.serving import make_server

    if not cjk_fonts().strip():
        pytest.fail("No CJK font is installed (fc-list :lang=zh is empty): headless chromium would draw Chinese as "
                    "boxes. `make browser` installs fonts-noto-cjk (apt-get install fonts-noto-cjk).")
    app, world = pages.make_world("sqlite", database_urls["sqlite"], tmp_path_factory)
    shown = {}
    for page in pages.shown_pages(world, pages.signed_in_clients(world), per_rule=1):
        shown.setdefault(page.role, []).append(page)
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path_factory.mktemp("tour"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="tour-server", daemon=True)
    thread.start()
    try:
        yield world, shown, f"http://127.0.0.1:{server.server_port}", folder
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        pages.drop(app)


def file_name(rule):
    return re.sub(r"[^a-z0-9]+", "_", rule.lower()).strip("_") or "index"


def sign_in(page, user, second_step=True):
    """Through the login form; with ``second_step=False`` it stops at the code of the authenticator."""
    from playwright.sync_api import expect

    from tests.totp import next_code

    page.goto("/login")
    page.fill('input[name="email"]', user["email"])
    page.fill('input[name="password"]', user["password"])
    page.locator("main form button[type=submit]").click()
    if not second_step:
        expect(page).to_have_url(re.compile(r"/login/mfa$"))
        return
    if user.get("totp_secret"):
        expect(page).to_have_url(re.compile(r"/login/mfa$"))
        page.fill('input[name="code"]', next_code(user))
        page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("whoami")).to_be_visible()


@pytest.mark.parametrize("role", list(pages.ROLES))
def test_every_page_of_each_role_in_chinese_and_english(tour, browser, role, capsys):  # noqa: F811
    world, shown, base_url, folder = tour
    assert shown.get(role), f"{role} is shown no page"
    context = browser.new_context(base_url=base_url, locale="zh-CN", viewport={"width": WIDTH, "height": 900})
    context.set_default_timeout(15_000)
    outside = []

    def only_loopback(route):
        if urlsplit(route.request.url).hostname != "127.0.0.1":
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", only_loopback)
    problems, saved = [], []
    try:
        page = context.new_page()
        if pages.ROLES[role]:
            sign_in(page, world.users[pages.ROLES[role]], second_step=role not in pages.SECOND_STEP)
        for locale in pages.LOCALES:
            for visit in shown[role]:
                response = page.goto(pages.with_locale(visit.url, locale))
                where = f"{visit.rule} ({visit.url}) [{locale}]"
                if response is None or response.status != 200:
                    problems.append(f"{where}: status {response and response.status}")
                    continue
                if page.locator("h1").count() == 0:
                    problems.append(f"{where}: no <h1>")
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if overflow > 0:
                    problems.append(f"{where}: {overflow} px wider than the {WIDTH} px window")
                path = folder / locale / role.replace(":", "-") / f"{file_name(visit.rule)}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(path), full_page=True)
                saved.append(path)
    finally:
        context.close()
    with capsys.disabled():
        print(f"\n{role}: {len(saved)} screenshots under {folder}")
    assert not outside, f"the browser tried to leave 127.0.0.1: {outside}"
    assert not problems, f"{role}:\n" + "\n".join(problems)
