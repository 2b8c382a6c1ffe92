"""The multi-agency journeys of issue 8 in a real browser (Debian's chromium driven by Playwright):

(a) a transfer beside a parallel referral: the market regulator's officer reports a suspected crime, the
    agency head approves on the referral page, the officer transfers, and the police's existing referral
    shows the administrative file as supplementary material;
(b) a withdrawal with open referrals: the enterprise is told which referrals end, and the agency's page
    shows its referral withdrawn with nothing left to do;
(c) a return and a re-routing: the agency returns the referral (wrong jurisdiction), the clerk reads the
    reason and re-routes, and the new referral says it is linked to the returned one.

The complaint is brought to the point each journey starts from over the API (tests/routing/support.py);
each journey's own steps are clicks in the browser, each person in a browser context of their own,
signed in through the login form (staff with their authenticator code, tests/totp.py). No sleeps:
Playwright's expectations wait.
"""
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.test_enterprise_journey import browser, live_server  # noqa: F401
from tests.e2e.test_enterprise_journey import watch  # noqa: F401
from tests.routing.conftest import world  # noqa: F401
from tests.routing.support import CUSTOMER_LIST, accepted, evidence_ids, ok, refer, referral_transition

pytestmark = pytest.mark.e2e

TRANSFER_REASONS = "查明违法所得逾50万元，涉嫌侵犯商业秘密罪，依法移送公安机关。"


@pytest.fixture
def sign_in(browser, live_server, watch):  # noqa: F811
    """``sign_in(user)``: a fresh browser context for that person, signed in through the forms; requests
    may only go to the live server and the console is watched, as in the enterprise's journey."""
    from playwright.sync_api import expect

    from tests.totp import next_code

    contexts = []

    def only_loopback(route):
        if urlsplit(route.request.url).hostname != "127.0.0.1":
            watch.outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def open_as(user):
        context = browser.new_context(base_url=live_server, accept_downloads=True, locale="zh-CN")
        context.set_default_timeout(15_000)
        context.route("**/*", only_loopback)
        contexts.append(context)
        page = context.new_page()
        documents = {}
        page.on("response", lambda r: documents.__setitem__(r.url, r.status)
                if r.request.resource_type == "document" else None)

        def on_console(msg):
            if msg.type != "error" and "Content Security Policy" not in msg.text:
                return
            if msg.text.startswith("Failed to load resource") and documents.get(msg.location.get("url")) in (
                    409, 422):
                return  # a refused form re-rendered with its errors: its status, expected
            watch.console_errors.append(f"{msg.type}: {msg.text} ({msg.location.get('url')})")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: watch.console_errors.append(f"pageerror: {exc}"))
        page.goto("/login")
        page.fill('input[name="email"]', user["email"])
        page.fill('input[name="password"]', user["password"])
        page.locator("main form button[type=submit]").click()
        if user.get("totp_secret"):
            expect(page).to_have_url(re.compile(r"/login/mfa$"))
            page.fill('input[name="code"]', next_code(user))
            page.locator("main form button[type=submit]").click()
        expect(page.get_by_test_id("whoami")).to_be_visible()
        return page

    yield open_as
    for context in contexts:
        context.close()


def section_of(page, referral_id):
    """A referral's section on the centre's triage page."""
    return page.locator(f'[data-testid="referral"][data-referral-id="{referral_id}"]')


def open_details(page, testid):
    """Open the <details> holding the button ``testid`` (no JavaScript: a click on its summary)."""
    page.locator("main details", has=page.get_by_test_id(testid)).locator("summary").click()


def assert_clean(watch):  # noqa: F811
    assert watch.outside == [], f"the browser tried to leave 127.0.0.1: {watch.outside}"
    assert watch.console_errors == [], f"console errors (CSP violations included): {watch.console_errors}"


# --- (a) a transfer beside a parallel referral ------------------------------------------------------

def test_a_transfer_attaches_to_the_polices_parallel_referral(app, world, sign_in, watch):  # noqa: F811
    from playwright.sync_api import expect

    complaint = accepted(world, files=2)
    cid = complaint["id"]
    first, second = evidence_ids(world, cid)
    # the routing suggestion proposed both tracks: the police hold the file's first exhibit, the
    # market regulator both (and opened a case)
    police_referral = refer(world, cid, "police", "criminal", [first])
    amr_referral = refer(world, cid, "amr_city", "administrative", [first, second])
    ok(referral_transition(world.api("amr_city"), amr_referral["id"], "acknowledge", officer_name="刘洋"))
    ok(referral_transition(world.api("amr_city"), amr_referral["id"], "accept", case_number="沪市监案〔2026〕9号"))
    amr_page = f"/agency/referrals/{amr_referral['id']}"

    # the officer reports a suspected crime, with reasons (Order 310: the head decides within 3 days)
    officer = sign_in(world.users["amr_city"])
    officer.goto(amr_page)
    expect(officer.get_by_test_id("action-transfer")).to_have_count(0)  # not before the head's approval
    open_details(officer, "step-report_suspected_crime")
    officer.get_by_test_id("step-report_suspected_crime").click()
    expect(officer.locator('small.error[data-field="reason"]')).to_be_visible()  # the reasons are required
    officer.locator("main details[open] textarea[name=reason]").fill(TRANSFER_REASONS)
    officer.get_by_test_id("step-report_suspected_crime").click()
    expect(officer).to_have_url(re.compile(re.escape(amr_page) + "$"))
    expect(officer.get_by_test_id("step-report_suspected_crime")).to_have_count(0)  # proposed once
    expect(officer.get_by_test_id("step-approve_transfer")).to_have_count(0)  # the head's decision

    # the agency head approves on the referral page
    head = sign_in(world.users["amr_city_head"])
    head.goto(amr_page)
    open_details(head, "step-approve_transfer")
    head.get_by_test_id("step-approve_transfer").click()
    expect(head.get_by_test_id("step-approve_transfer")).to_have_count(0)

    # now the officer may transfer: to the police, who already hold the matter
    officer.reload()
    open_details(officer, "action-transfer")
    officer.locator("main details[open] textarea[name=reason]").fill(TRANSFER_REASONS)
    officer.locator("main details[open] select[name=to_agency_id]").select_option(world.org("police"))
    officer.get_by_test_id("action-transfer").click()
    expect(officer.get_by_test_id("state")).to_have_text("Transferred")
    expect(officer.get_by_test_id("actions")).to_have_count(0)

    # the police's existing referral shows the administrative file as supplementary material
    police = sign_in(world.users["police"])
    police.goto(f"/agency/referrals/{police_referral['id']}")
    expect(police.get_by_test_id("letter-number")).to_have_text(police_referral["letter_number"])
    supplement = police.get_by_test_id("supplement")
    expect(supplement).to_have_count(1)
    expect(supplement).to_contain_text("A transfer from another agency")
    expect(supplement).to_contain_text("上海市市场监督管理局")
    expect(supplement).to_contain_text(amr_referral["letter_number"])
    expect(supplement).to_contain_text("Administrative to criminal transfer")
    expect(police.get_by_test_id("supplement-message")).to_have_text(TRANSFER_REASONS)
    link = police.get_by_test_id("supplement-evidence-link")
    expect(link).to_have_text("exhibit-1.pdf")  # the file the police did not have
    with police.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "exhibit-1.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF-1.4\nexhibit 1")
    # and the file is now among the evidence shared with the police
    expect(police.get_by_test_id("shared-evidence").get_by_test_id("evidence-link")).to_have_count(2)

    # one referral to the police, not two (the transfer attached, 行刑衔接 beside the parallel referral)
    clerk = sign_in(world.users["clerk"])
    clerk.goto(f"/centre/complaints/{cid}")
    expect(clerk.get_by_test_id("referral")).to_have_count(2)
    expect(section_of(clerk, amr_referral["id"]).get_by_test_id("referral-state")).to_have_text("Transferred")
    expect(section_of(clerk, police_referral["id"]).get_by_test_id("referral-state")).to_have_text("Sent")
    assert_clean(watch)


# --- (b) a withdrawal with open referrals -----------------------------------------------------------

def test_a_withdrawal_ends_the_open_referrals(app, world, sign_in, watch):  # noqa: F811
    from playwright.sync_api import expect

    complaint = accepted(world)
    cid = complaint["id"]
    police_referral = refer(world, cid, "police", "criminal", evidence_ids(world, cid))
    court_referral = refer(world, cid, "court", "civil")
    ok(referral_transition(world.api("police"), police_referral["id"], "acknowledge", officer_name="郑刚"))

    # the enterprise withdraws; the confirmation says which referrals end
    enterprise = sign_in(world.users["enterprise"])
    enterprise.goto(f"/complaints/{cid}")
    open_details(enterprise, "withdraw")
    warning = enterprise.get_by_test_id("withdraw-ends-referrals")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Withdrawing ends these open referrals")
    expect(warning.locator("li")).to_have_count(2)
    expect(warning).to_contain_text("上海市公安局经济犯罪侦查总队")
    expect(warning).to_contain_text("上海知识产权法院")
    enterprise.fill('textarea[name="reason"]', "双方已达成和解。")
    enterprise.get_by_test_id("withdraw").click()
    expect(enterprise.get_by_test_id("confirm")).to_contain_text("上海知识产权法院")  # a second step first
    enterprise.get_by_test_id("confirm-button").click()
    expect(enterprise.get_by_test_id("state")).to_have_text("Withdrawn")
    expect(enterprise.get_by_test_id("referral-state")).to_have_text(
        ["Withdrawn with the complaint", "Withdrawn with the complaint"])
    expect(enterprise.get_by_test_id("withdraw")).to_have_count(0)

    # the police's page: withdrawn, ended, no action of any kind
    police = sign_in(world.users["police"])
    police.goto(f"/agency/referrals/{police_referral['id']}")
    expect(police.get_by_test_id("state")).to_have_text("Withdrawn with the complaint")
    expect(police.get_by_test_id("referral-ended")).to_be_visible()
    expect(police.get_by_test_id("actions")).to_have_count(0)
    expect(police.locator("main form")).to_have_count(0)  # no trigger, no step, no note
    expect(police.locator("main button")).to_have_count(0)
    # the inbox lists it with the closed referrals, nothing waits for the police
    police.goto("/agency/inbox")
    expect(police.get_by_test_id("inbox-row")).to_have_count(0)
    expect(police.get_by_test_id("closed")).to_contain_text(police_referral["letter_number"])

    court = sign_in(world.users["court"])
    court.goto(f"/agency/referrals/{court_referral['id']}")
    expect(court.get_by_test_id("referral-ended")).to_be_visible()
    expect(court.locator("main form")).to_have_count(0)
    assert_clean(watch)


# --- (c) a return followed by re-routing ----------------------------------------------------------

def test_a_returned_referral_is_rerouted_and_the_new_one_is_linked_to_it(app, world, sign_in, watch):  # noqa: F811
    from playwright.sync_api import expect

    complaint = accepted(world, CUSTOMER_LIST)
    cid = complaint["id"]
    returned = refer(world, cid, "amr_putuo", "administrative", evidence_ids(world, cid))

    # the district regulator returns it: wrong jurisdiction
    putuo = sign_in(world.users["amr_putuo"])
    putuo.goto(f"/agency/referrals/{returned['id']}")
    open_details(putuo, "action-return")
    putuo.locator("main details[open] select[name=return_reason]").select_option("wrong_jurisdiction")
    putuo.locator("main details[open] textarea[name=reason]").fill("涉案企业注册地不在本区，请转市局处理。")
    putuo.get_by_test_id("action-return").click()
    expect(putuo.get_by_test_id("state")).to_have_text("Returned to the centre")
    expect(putuo.get_by_test_id("actions")).to_have_count(0)

    # the clerk reads the reason and re-routes to the municipal regulator
    clerk = sign_in(world.users["clerk"])
    clerk.goto(f"/centre/complaints/{cid}")
    expect(clerk.get_by_test_id("state")).to_have_text("Accepted")  # back with the centre
    came_back = section_of(clerk, returned["id"]).get_by_test_id("came-back")
    expect(came_back).to_be_visible()
    expect(came_back.get_by_test_id("return-reason")).to_have_text("Wrong jurisdiction")
    expect(came_back).to_contain_text("涉案企业注册地不在本区，请转市局处理。")
    section = section_of(clerk, returned["id"])
    section.locator("details[data-testid=reroute] summary").click()
    section.get_by_test_id("action-reroute").click()  # no agency chosen: the field error, same page
    section = section_of(clerk, returned["id"])
    expect(section.locator('small.error[data-field="agency_id"]')).to_be_visible()
    section.get_by_test_id("reroute-agency").select_option(world.org("amr_city"))
    section.locator("textarea[name=message]").fill("普陀区局退回，请市局依法处理。")
    section.get_by_test_id("action-reroute").click()

    expect(clerk.get_by_test_id("referral")).to_have_count(2)
    expect(clerk.get_by_test_id("state")).to_have_text("Referred")
    old, new = clerk.get_by_test_id("referral").nth(0), clerk.get_by_test_id("referral").nth(1)
    expect(old.get_by_test_id("followed-by")).to_contain_text(f"{complaint['reference']}-Y02")
    expect(old.get_by_test_id("action-reroute")).to_have_count(0)  # followed up once
    expect(new).to_contain_text("上海市市场监督管理局")
    expect(new).to_contain_text(f"Re-routed after a return (after {returned['letter_number']})")
    expect(new.get_by_test_id("referral-state")).to_have_text("Sent")

    # the municipal regulator's page says where the referral comes from
    city = sign_in(world.users["amr_city"])
    city.goto("/agency/inbox")
    city.get_by_test_id("inbox-row").get_by_role("link", name=f"{complaint['reference']}-Y02").click()
    expect(city.locator("main")).to_contain_text(f"Re-routed after a return (after {returned['letter_number']})")
    expect(city.get_by_test_id("action-acknowledge")).to_be_visible()
    assert_clean(watch)


# --- (d) a conclusion asked for confirmation, the amounts read and shown one way -------------------------

def test_a_conclusion_is_confirmed_on_a_page_of_its_own_and_the_enterprise_reads_the_amount(
        app, world, sign_in, watch):  # noqa: F811
    from playwright.sync_api import expect

    complaint = accepted(world, CUSTOMER_LIST)
    cid = complaint["id"]
    referral = refer(world, cid, "amr_city", "administrative")
    ok(referral_transition(world.api("amr_city"), referral["id"], "acknowledge", officer_name="刘洋"))
    ok(referral_transition(world.api("amr_city"), referral["id"], "accept", case_number="沪市监案〔2026〕7号"))
    ok(world.api("supervisor").post(f"/api/v1/complaints/{cid}/supervision", json={"instructions": "督办"}), 201)

    officer = sign_in(world.users["amr_city"])
    officer.goto(f"/agency/referrals/{referral['id']}")
    open_details(officer, "action-conclude")
    form = officer.locator("main details[open] form")
    form.locator("select[name=outcome-result]").select_option("penalty_decision")
    form.locator("input[name=outcome-decision_number]").fill("沪市监罚〔2026〕12号")
    form.locator("input[name=outcome-fine_amount]").fill("5万")
    officer.get_by_test_id("action-conclude").click()
    # the second step, without JavaScript: what will be recorded; nothing changed yet
    expect(officer.get_by_test_id("confirm")).to_contain_text("¥50,000.00")
    officer.get_by_test_id("confirm-button").click()
    expect(officer.get_by_test_id("state")).to_have_text("Concluded")
    expect(officer.get_by_test_id("outcome-fine_amount")).to_have_text("¥50,000.00")

    enterprise = sign_in(world.users["enterprise"])
    enterprise.goto(f"/complaints/{cid}")
    expect(enterprise.get_by_test_id("outcome-fine_amount")).to_have_text("¥50,000.00")
    expect(enterprise.get_by_test_id("deadlines")).not_to_contain_text("key case")  # S1 is internal
    assert_clean(watch)
