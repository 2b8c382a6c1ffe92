"""The conversation in a real browser (Debian's chromium driven by Playwright): the enterprise asks with a
file on its complaint page, a refused message comes back with its error under the form, the clerk reads and
answers on the triage page, and the enterprise reads the answer and downloads the file."""
import re

import pytest

from tests.e2e.test_enterprise_journey import browser, live_server  # noqa: F401
from tests.e2e.test_enterprise_journey import watch  # noqa: F401
from tests.e2e.test_routing_journeys import assert_clean, sign_in  # noqa: F401
from tests.evidence.support import pdf_bytes
from tests.routing.conftest import world  # noqa: F401
from tests.routing.support import submit

pytestmark = pytest.mark.e2e


def test_the_enterprise_and_the_clerk_talk_on_their_pages(app, world, sign_in, watch, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    cid = submit(world)["id"]
    exhibit = tmp_path / "保密协议.pdf"
    exhibit.write_bytes(pdf_bytes(b"nda signed"))
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")

    enterprise = sign_in(world.users["enterprise"])
    enterprise.goto(f"/complaints/{cid}")
    thread = enterprise.get_by_test_id("conversation")
    expect(thread.get_by_test_id("no-messages")).to_be_visible()
    enterprise.get_by_test_id("message-body").fill("请问保密协议是否需要盖章原件？")
    enterprise.get_by_test_id("message-files").set_input_files([str(exhibit), str(empty)])
    enterprise.get_by_test_id("send-message").click()
    # refused: the error under the file field, the text kept, nothing sent
    expect(enterprise.locator('small.error[data-field="file"]')).to_contain_text("empty.pdf")
    expect(enterprise.get_by_test_id("message-body")).to_have_value("请问保密协议是否需要盖章原件？")
    expect(enterprise.get_by_test_id("message")).to_have_count(0)
    enterprise.get_by_test_id("message-files").set_input_files([str(exhibit)])
    enterprise.get_by_test_id("send-message").click()
    expect(enterprise).to_have_url(re.compile(rf"/complaints/{cid}#conversation$"))
    expect(enterprise.get_by_test_id("message")).to_have_count(1)
    expect(enterprise.get_by_test_id("attachment-link")).to_have_text("保密协议.pdf")

    clerk = sign_in(world.users["clerk"])
    clerk.goto(f"/centre/complaints/{cid}")
    expect(clerk.get_by_test_id("message")).to_contain_text("请问保密协议是否需要盖章原件？")
    clerk.get_by_test_id("message-body").fill("需要，请上传盖章页扫描件。")
    clerk.get_by_test_id("send-message").click()
    expect(clerk).to_have_url(re.compile(rf"/centre/complaints/{cid}#conversation$"))
    expect(clerk.get_by_test_id("message")).to_have_count(2)

    enterprise.goto(f"/complaints/{cid}")
    messages = enterprise.get_by_test_id("message")
    expect(messages.nth(1)).to_contain_text("需要，请上传盖章页扫描件。")  # the newest last
    expect(messages.nth(1)).to_have_attribute("data-side", "centre")
    with enterprise.expect_download() as download:
        enterprise.get_by_test_id("attachment-link").click()
    assert download.value.suggested_filename == "保密协议.pdf"
    assert_clean(watch)
