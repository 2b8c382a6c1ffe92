"""The enterprise's whole journey in a real browser (Debian's chromium driven by Playwright).

The app is served for real by werkzeug on a free loopback port, on each database. The browser
must never leave 127.0.0.1 and its console must stay free of errors (CSP violations included).
"""
import datetime as dt
import os
import re
import threading
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.accounts.registration import confirmation_path

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOT = "/tmp/e2e-detail.png"
CJK = re.compile(r"[\u4e00-\u9fff]")
ROOT = Path(__file__).resolve().parents[2]

GOOD_CODE = "91310115MA1H7GQ5XY"
BAD_CODE = "91310115MA1H7GQ5XZ"  # the check character is wrong
PASSWORD = "a-long-password-2026"
EVIDENCE = (b"%PDF-1.4\n% exhibit 1: the parameter table seen at the trade fair\n" + bytes(range(256)) * 40
            + b"\n%%EOF\n")


def compile_catalogues():
    """What `make translations` does, so the journey sees Chinese when pytest is run by hand too."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=po_path.parent.parent.name)
        tmp = mo_path.with_suffix(f".mo.{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=True)
        os.replace(tmp, mo_path)  # atomic: a parallel run never reads half a catalogue


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (make browser installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    compile_catalogues()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app, free_port):
    """The app served by werkzeug in a thread; stopped before the app fixture empties the tables."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", free_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{free_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def watch():
    """What the browser did wrong: requests beyond 127.0.0.1, console errors (CSP violations included)."""
    return SimpleNamespace(outside=[], console_errors=[])


@pytest.fixture
def page(browser, live_server, watch):
    """A fresh browser context whose requests may only go to the live server, console watched."""
    context = browser.new_context(base_url=live_server, accept_downloads=True, locale="zh-CN")
    context.set_default_timeout(15_000)

    def only_loopback(route):
        url = route.request.url
        if urlsplit(url).hostname != "127.0.0.1":
            watch.outside.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", only_loopback)
    page = context.new_page()
    documents = {}  # url -> status of the pages loaded (not their subresources)

    def on_response(response):
        if response.request.resource_type == "document":
            documents[response.url] = response.status

    def on_console(msg):
        if msg.type != "error" and "Content Security Policy" not in msg.text:
            return
        # A form answered 422 shows its field errors: Chrome logs that page's status, which is
        # expected. A failed stylesheet, script or image is not.
        if msg.text.startswith("Failed to load resource") and documents.get(msg.location.get("url")) == 422:
            return
        watch.console_errors.append(f"{msg.type}: {msg.text} ({msg.location.get('url')})")

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: watch.console_errors.append(f"pageerror: {exc}"))
    yield page
    context.close()


def field_error(page, name):
    return page.locator(f'small.error[data-field="{name}"]')


def main_button(page):
    return page.locator("main form button[type=submit]")


def test_enterprise_journey(app, page, watch, live_server, rights_centre):
    from playwright.sync_api import expect

    # --- home page, Chinese by default -------------------------------------------------------
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    heading = page.locator("main h1")
    expect(heading).to_be_visible()
    assert CJK.search(heading.inner_text()), f"the home page heading is not Chinese: {heading.inner_text()!r}"

    # --- registration: a wrong credit code first, then a valid one -------------------------
    page.click('main a[href="/register"]')
    expect(page).to_have_url(f"{live_server}/register")
    page.fill('input[name="name"]', "上海澄川智能科技有限公司")
    page.fill('input[name="credit_code"]', BAD_CODE)
    page.select_option('select[name="district"]', "pudong")
    page.fill('input[name="contact_person"]', "王敏")
    page.fill('input[name="phone"]', "13800000001")
    page.fill('input[name="email"]', "legal@chengchuan.example")
    page.fill('input[name="password"]', PASSWORD)
    main_button(page).click()
    expect(field_error(page, "credit_code")).to_be_visible()
    expect(page.locator('input[name="credit_code"]')).to_have_attribute("aria-invalid", "true")
    expect(page.locator("small.error")).to_have_count(1)  # only the code is wrong
    expect(page.locator('input[name="name"]')).to_have_value("上海澄川智能科技有限公司")  # kept
    page.fill('input[name="credit_code"]', GOOD_CODE)
    page.fill('input[name="password"]', PASSWORD)  # never echoed back
    main_button(page).click()

    # --- the confirmation link of the e-mail, then signing in ---------------------------------
    expect(page.get_by_test_id("register-sent")).to_be_visible()
    page.goto(confirmation_path(app, "legal@chengchuan.example"))
    page.get_by_test_id("confirm-registration").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.fill('input[name="email"]', "legal@chengchuan.example")
    page.fill('input[name="password"]', PASSWORD)
    main_button(page).click()

    # --- "my complaints" -------------------------------------------------------------------
    page.goto("/complaints/")
    expect(page).to_have_url(f"{live_server}/complaints/")
    expect(page.get_by_test_id("whoami")).to_be_visible()
    assert CJK.search(page.locator("main h1").inner_text())

    # --- an incomplete draft -----------------------------------------------------------------
    page.get_by_test_id("new-complaint").click()
    expect(page.locator('input[name="contact_name"]')).to_have_value("王敏")  # the enterprise's contact
    page.select_option('select[name="secret_category"]', "technical")
    page.fill('textarea[name="secret_description"]', "工业机械臂运动控制固件的源代码及调参参数表。")
    page.get_by_test_id("save-draft").click()
    expect(page).to_have_url(re.compile(r"/complaints/[0-9a-f-]{36}$"))
    complaint_url = page.url
    complaint_id = complaint_url.rsplit("/", 1)[1]
    expect(page.get_by_test_id("state")).to_have_text(CJK)
    expect(page.get_by_test_id("edit")).to_be_visible()

    # --- evidence through the file input -------------------------------------------------------
    page.get_by_test_id("evidence-input").set_input_files(
        files=[{"name": "展会参数表.pdf", "mimeType": "application/pdf", "buffer": EVIDENCE}])
    page.get_by_test_id("upload").click()
    expect(page).to_have_url(complaint_url)
    expect(page.get_by_test_id("evidence-link")).to_have_text("展会参数表.pdf")

    # --- submitting the incomplete draft: every missing field at once ------------------------
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("submit-refused")).to_be_visible()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("li")).to_have_count(8)
    summary.locator('a[href="#field-facts"]').click()  # each line leads to its field
    expect(page).to_have_url(re.compile(r"#field-facts$"))
    expect(page.get_by_test_id("save-and-submit")).to_be_visible()  # the edit form can submit too
    for name in ("confidentiality_measures", "commercial_value", "infringers", "infringing_acts",
                 "discovered_on", "remedies", "preferred_tracks", "facts"):
        expect(field_error(page, name)).to_be_visible()
    for name in ("secret_category", "secret_description", "contact_name"):
        expect(field_error(page, name)).to_have_count(0)
    expect(page.locator('textarea[name="secret_description"]')).to_have_value(
        "工业机械臂运动控制固件的源代码及调参参数表。")

    # --- completing the draft (the form is the edit form) -----------------------------------
    page.fill('textarea[name="confidentiality_measures"]', "保密协议、竞业限制、权限受控的代码仓库。")
    page.fill('textarea[name="commercial_value"]', "两年研发投入，年销量约3,000台。")
    page.select_option('select[name="infringers-0-kind"]', "former_employee")
    page.fill('input[name="infringers-0-name"]', "李某")
    page.select_option('select[name="infringers-0-district"]', "pudong")
    expect(page.locator("fieldset.infringer")).to_have_count(1)
    page.get_by_test_id("add-infringer").click()  # the script adds the row in place, nothing is posted
    expect(page.locator("fieldset.infringer")).to_have_count(2)
    expect(page.locator("fieldset.infringer legend").nth(1)).to_contain_text("2")
    page.select_option('select[name="infringers-1-kind"]', "competitor")
    page.fill('input[name="infringers-1-name"]', "上海锐驰自动化有限公司")
    page.fill('input[name="infringers-1-credit_code"]', " 91310106ma1fy3k2r1")  # pasted: a space, lower case
    page.get_by_test_id("add-infringer").click()
    expect(page.locator("fieldset.infringer")).to_have_count(3)
    page.locator("fieldset.infringer").nth(2).get_by_test_id("remove-infringer").click()
    expect(page.locator("fieldset.infringer")).to_have_count(2)
    page.select_option('select[name="infringers-1-district"]', "minhang")
    page.check('input[name="infringing_acts"][value="electronic_intrusion"]')
    page.check('input[name="infringing_acts"][value="patent_application"]')
    page.fill('input[name="discovered_on"]', "2026-09-15")
    page.fill('input[name="estimated_loss"]', "1,200,000.50")
    page.fill('input[name="estimated_illegal_gains"]', "30万")
    page.check('input[name="remedies"][value="criminal_investigation"]')
    page.check('input[name="remedies"][value="civil_damages"]')
    page.check('input[name="preferred_tracks"][value="criminal"]')
    page.check('input[name="preferred_tracks"][value="civil"]')
    page.fill('textarea[name="facts"]', "离职前复制代码仓库；展会上发现相同参数表。")
    counter = page.locator('textarea[name="facts"] + small.counter')
    expect(counter).to_have_text("21 / 40,000")  # the character counter follows the typing

    # --- save and submit: the reference number and the state ------------------------------------
    page.get_by_test_id("save-and-submit").click()
    expect(page).to_have_url(complaint_url)
    year = dt.datetime.now(ZoneInfo("Asia/Shanghai")).year
    expect(page.get_by_test_id("reference")).to_have_text(f"SM-{year}-000001")
    submitted_label = page.get_by_test_id("state").inner_text()
    assert CJK.search(submitted_label)
    expect(page.get_by_test_id("submit")).to_have_count(0)
    expect(page.get_by_test_id("edit")).to_have_count(0)
    filed = page.get_by_test_id("filed")
    expect(filed).to_contain_text("¥1,200,000.50")
    expect(filed).to_contain_text("¥300,000.00")
    expect(filed).to_contain_text("91310106MA1FY3K2R1")
    expect(filed).to_contain_text("2026-09-15")

    # --- the timeline: created, evidence added, edited, submitted (the failed submit left nothing)
    rows = page.get_by_test_id("timeline").locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(3)).to_contain_text(f"SM-{year}-000001")  # "submitted ... (reference SM-...)"
    page.screenshot(path=SCREENSHOT, full_page=True)

    # --- the evidence comes back decrypted, byte for byte ------------------------------------
    with page.expect_download() as download_info:
        page.get_by_test_id("evidence-link").click()
    download = download_info.value
    assert download.suggested_filename == "展会参数表.pdf"
    assert Path(download.path()).read_bytes() == EVIDENCE

    # --- English -----------------------------------------------------------------------------
    page.click('a[href="?lang=en"]')
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("state")).to_have_text("Submitted")
    expect(page.locator("main")).to_contain_text("Withdraw this complaint")

    # --- withdrawal with a reason ---------------------------------------------------------------
    page.locator("main details", has=page.get_by_test_id("withdraw")).locator("summary").click()
    page.fill('textarea[name="reason"]', "已与对方达成和解。")
    page.get_by_test_id("withdraw").click()
    expect(page.get_by_test_id("confirm")).to_contain_text("已与对方达成和解。")  # asked first, without script
    page.get_by_test_id("confirm-button").click()
    expect(page).to_have_url(complaint_url)
    expect(page.get_by_test_id("state")).to_have_text("Withdrawn")
    expect(rows).to_have_count(5)
    expect(rows.nth(4)).to_contain_text("已与对方达成和解。")
    expect(page.get_by_test_id("withdraw")).to_have_count(0)

    # --- sign out -----------------------------------------------------------------------------
    page.locator("header form button[type=submit]").click()
    expect(page.get_by_test_id("whoami")).to_have_count(0)
    expect(page.locator('header a[href="/login"]')).to_be_visible()
    page.goto(complaint_url)
    expect(page).to_have_url(re.compile(r"/login\?next="))  # the session is gone

    # --- the browser stayed home and its console stayed clean ------------------------------------
    assert watch.outside == [], f"the browser tried to leave 127.0.0.1: {watch.outside}"
    assert watch.console_errors == [], f"console errors (CSP violations included): {watch.console_errors}"

    # --- what the database holds -----------------------------------------------------------------
    assert_stored(app, complaint_id, year)


def assert_stored(app, complaint_id, year):
    import uuid

    from sqlalchemy import select

    from accounts.models import Organisation
    from core.extensions import db
    from evidence.models import EvidenceFile
    from intake.models import Complaint, ComplaintEvent

    with app.app_context():
        complaint = db.session.get(Complaint, uuid.UUID(complaint_id))
        assert complaint.reference == f"SM-{year}-000001"
        assert complaint.state.value == "withdrawn"
        assert complaint.withdrawal_reason == "已与对方达成和解。"
        assert str(complaint.estimated_loss) == "1200000.50"
        assert str(complaint.estimated_illegal_gains) == "300000.00"
        assert complaint.infringers[1].credit_code == "91310106MA1FY3K2R1"
        assert [(i.kind.value, i.name) for i in complaint.infringers] == [
            ("former_employee", "李某"), ("competitor", "上海锐驰自动化有限公司")]
        assert complaint.infringers[1].credit_code == "91310106MA1FY3K2R1"
        assert sorted(complaint.infringing_acts) == ["electronic_intrusion", "patent_application"]
        assert all(i.penalty_decided_on is None for i in complaint.infringers)
        enterprise = db.session.get(Organisation, complaint.enterprise_id)
        assert enterprise.credit_code == GOOD_CODE
        kinds = db.session.scalars(select(ComplaintEvent.kind).where(ComplaintEvent.complaint_id == complaint.id)
                                   .order_by(ComplaintEvent.id)).all()
        assert kinds == ["created", "evidence_added", "edited", "transition", "transition"]
        evidence = db.session.scalars(select(EvidenceFile).where(EvidenceFile.complaint_id == complaint.id)).all()
        assert [(e.display_name, e.size) for e in evidence] == [("展会参数表.pdf", len(EVIDENCE))]
