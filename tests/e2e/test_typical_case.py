"""A typical case in a real browser (chromium driven by Playwright): a supervisor drafts it from a concluded
complaint (the anonymised preview shows no name, credit code or amount), saves it; a second supervisor
approves it; anyone, without signing in, finds it on the public page by industry and reads it in Chinese and
English. The complaint is concluded over the API (tests/publication/support.py); no sleeps."""
import re
from urllib.parse import urlsplit

import pytest

from tests.e2e.test_enterprise_journey import browser, live_server  # noqa: F401
from tests.e2e.test_enterprise_journey import watch  # noqa: F401
from tests.e2e.test_routing_journeys import assert_clean, sign_in  # noqa: F401
from tests.publication.support import concluded, make_world

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(app, client):
    return make_world(app, client, code_base=6_300_000)


def test_a_supervisor_drafts_another_approves_and_the_public_reads_it(app, world, sign_in, browser, live_server,  # noqa: F811
                                                                       watch):  # noqa: F811
    from playwright.sync_api import expect

    complaint = concluded(world)
    author = sign_in(world.users["supervisor"])
    author.get_by_test_id("nav-typical-cases").click()
    author.get_by_test_id(f"draft-{complaint['reference']}").click()
    preview = author.get_by_test_id("preview")
    expect(preview).to_contain_text("Company A")  # the supervisors read English (tests/routing/conftest.py)
    for secret in ("上海鲜达供应链管理有限公司", "鲜达", "91310107MA1G8B0KLP", "13912345678", "赵某"):
        expect(preview).not_to_contain_text(secret)
    author.fill("#field-title_zh", "前员工带走客户名单案")
    author.fill("#field-title_en", "A sales manager takes the customer list")
    author.select_option("#field-industry", "fashion_consumer_goods")
    author.locator('[data-testid="draft-form"] button[type=submit]').click()
    expect(author.get_by_test_id("case-state")).to_contain_text("Draft")
    expect(author.get_by_test_id("approve")).to_have_count(0)  # not by the one who drafted it
    case_url = author.url

    approver = sign_in(world.users["supervisor2"])
    approver.goto(case_url)
    approver.get_by_test_id("approve").click()
    expect(approver.get_by_test_id("case-state")).to_contain_text("Published")

    context = browser.new_context(base_url=live_server, locale="zh-CN")
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname == "127.0.0.1"
                  else route.abort())
    public = context.new_page()
    public.goto("/cases")
    public.select_option("#field-industry", "fashion_consumer_goods")
    public.locator('[data-testid="case-search"] button[type=submit]').click()
    public.get_by_role("link", name="前员工带走客户名单案").click()
    expect(public.get_by_test_id("case-text")).to_contain_text("前员工带走客户名单案")
    expect(public.get_by_test_id("case-industry")).to_have_text("时尚消费品")
    public.get_by_role("link", name="English").click()
    expect(public.get_by_test_id("case-text")).to_contain_text("A sales manager takes the customer list")
    expect(public).to_have_url(re.compile(r"/cases/[0-9a-f-]+\?lang=en$"))
    context.close()
    assert_clean(watch)
