"""A certificate downloaded in the browser and verified on the public page (Debian's chromium, Playwright):
the enterprise opens its evidence file's deposit certificate, downloads the PDF, then — signed out — verifies
the file on the public verification page, by the file and by the SHA-256 the PDF states."""
import hashlib
import re

import pytest

from tests.e2e.test_enterprise_journey import browser, live_server, page, watch  # noqa: F401  (the fixtures)
from tests.evidence.support import new_draft, upload
from tests.pdfcheck import text as pdf_text

pytestmark = pytest.mark.e2e

EVIDENCE = b"%PDF-1.4\n% exhibit: the supplier list\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"


def test_download_a_certificate_and_verify_it_on_the_public_page(app, page, watch, live_server, create_user,  # noqa: F811
                                                                 rights_centre, api_login, runner, tmp_path):
    from playwright.sync_api import expect

    user = create_user(language="zh")
    api = api_login(user)
    draft = new_draft(api)
    assert upload(api, draft["id"], (EVIDENCE, "供应商名单.pdf")).status_code == 201
    assert runner.invoke(args=["deposits", "checkpoint"]).exit_code == 0  # what the scheduler does every few minutes
    digest = hashlib.sha256(EVIDENCE).hexdigest()

    page.goto("/login")
    page.fill('input[name="email"]', user["email"])
    page.fill('input[name="password"]', user["password"])
    page.locator("main form button[type=submit]").click()
    page.goto(f"/complaints/{draft['id']}")
    page.get_by_test_id("certificate-link").click()
    expect(page.get_by_test_id("certificate")).to_be_visible()
    expect(page.get_by_test_id("cert-sha256")).to_have_text(digest)
    expect(page.get_by_test_id("cert-index")).to_have_text("0")
    assert "存证证书" in page.locator("main h1").inner_text()

    with page.expect_download() as download_info:
        page.get_by_test_id("certificate-pdf").click()
    path = tmp_path / "certificate.pdf"
    download_info.value.save_as(path)
    words = pdf_text(path.read_bytes())
    assert "存证证书" in words and "供应商名单.pdf" in words
    stated = re.search(r"SHA-256 摘要：([0-9a-f]{64})", words).group(1)
    assert stated == digest

    page.locator("header form button[type=submit]").click()  # signed out: the verification is public
    page.goto("/")
    page.get_by_test_id("footer-deposits").click()
    expect(page.get_by_test_id("public-key")).to_contain_text("BEGIN PUBLIC KEY")
    page.get_by_test_id("verify-link").click()
    page.get_by_test_id("verify-file").set_input_files(
        files=[{"name": "copy.pdf", "mimeType": "application/pdf", "buffer": EVIDENCE}])
    page.get_by_test_id("verify-submit").click()
    expect(page.get_by_test_id("verified")).to_be_visible()
    expect(page.get_by_test_id("found-index")).to_have_text("0")

    page.get_by_test_id("verify-sha256").fill(stated)
    page.get_by_test_id("verify-submit").click()
    expect(page.get_by_test_id("verify-digest")).to_have_text(digest)
    expect(page.get_by_test_id("verified")).to_be_visible()

    page.get_by_test_id("verify-sha256").fill("0" * 64)  # a digest the log does not hold
    page.get_by_test_id("verify-submit").click()
    expect(page.get_by_test_id("not-found")).to_be_visible()
    assert not watch.outside and not watch.console_errors, (watch.outside, watch.console_errors)
