"""In Chromium, in Chinese: the enterprise's first user edits its contact details, invites a colleague, sees
the invitation pending; the colleague opens the e-mailed link, chooses a name and a password, signs in and
finds no colleagues page of its own."""
import os
import re

import pytest

from tests.accounts.test_colleagues import invitation_links
from tests.e2e.test_enterprise_journey import CJK, browser, field_error, live_server, page, watch  # noqa: F401

pytestmark = pytest.mark.e2e

SHOTS = os.environ.get("ACCOUNT_SCREENSHOTS")  # a folder to keep the pages' screenshots in, if set


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def sign_in(page, email, password):
    page.goto("/login")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', password)
    page.locator("main form button[type=submit]").click()


def test_the_first_user_invites_a_colleague_in_the_browser(app, page, watch, create_user, browser,  # noqa: F811
                                                         live_server):  # noqa: F811
    from playwright.sync_api import expect

    first = create_user(role="enterprise_user", language="zh")
    sign_in(page, first["email"], first["password"])
    page.goto("/account")
    expect(page.get_by_test_id("account-actions")).to_be_visible()
    shot(page, "account")

    # contact details: a bad phone first (a summary at the top, the field marked), then a good one
    page.get_by_test_id("contact-details").click()
    page.fill('input[name="name"]', "王敏")
    page.fill('input[name="phone"]', "请打电话")
    page.get_by_test_id("save-details").click()
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    expect(page.locator('input[name="phone"]')).to_have_attribute("aria-invalid", "true")
    assert "：" in page.get_by_test_id("error-summary").inner_text()
    shot(page, "details-error")
    page.fill('input[name="phone"]', "021-6388 0000")
    page.get_by_test_id("save-details").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.locator("main")).to_contain_text("021-6388 0000")

    # invite: an address with an account is a field error, a new one is pending
    page.get_by_test_id("colleagues-link").click()
    page.fill('input[name="email"]', first["email"])
    page.get_by_test_id("invite").click()
    expect(field_error(page, "email")).to_be_visible()
    page.fill('input[name="email"]', " Li.Lei@Example.com ")
    page.get_by_test_id("invite").click()
    expect(page.get_by_test_id("invitation")).to_have_count(1)
    expect(page.get_by_test_id("invitation")).to_contain_text("li.lei@example.com")
    assert CJK.search(page.locator("main h1").inner_text())
    shot(page, "colleagues")

    # the colleague, in a browser of its own
    (link,) = invitation_links(app)
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    other = context.new_page()
    other.goto(link)
    expect(other.get_by_test_id("invited-email")).to_have_text("li.lei@example.com")
    other.fill('input[name="name"]', "李雷")
    other.fill('input[name="password"]', "short")
    other.get_by_test_id("accept-invitation").click()
    expect(field_error(other, "password")).to_be_visible()
    shot(other, "invitation-error")
    other.fill('input[name="password"]', "li-lei-passphrase-2026")
    other.get_by_test_id("accept-invitation").click()
    expect(other).to_have_url(re.compile(r"/login$"))
    sign_in(other, "li.lei@example.com", "li-lei-passphrase-2026")
    other.goto("/account")
    expect(other.get_by_test_id("account-actions")).to_be_visible()
    expect(other.get_by_test_id("colleagues-link")).to_have_count(0)
    context.close()

    page.reload()
    expect(page.get_by_test_id("colleagues")).to_contain_text("李雷")
    expect(page.get_by_test_id("no-invitations")).to_be_visible()
    assert watch.outside == [] and watch.console_errors == []
