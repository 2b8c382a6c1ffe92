"""An expert of the think tank in a real browser (Debian's chromium driven by Playwright): the clerk invites
two experts from the consultation page — the one who declared a conflict with the complaint's infringer is
refused with a field error, the other invited —; the expert signs in (with its authenticator code), lands on
its consultations, opens the one it is invited to and submits its written opinion, which the clerk reads on
the consultation page. The complaint and the consultation are made over the API; no sleeps."""
import re

import pytest

from tests.e2e.test_enterprise_journey import browser, live_server  # noqa: F401
from tests.e2e.test_enterprise_journey import watch  # noqa: F401
from tests.e2e.test_routing_journeys import assert_clean, sign_in  # noqa: F401
from tests.registry.conftest import profile, world  # noqa: F401
from tests.registry.test_experts import convene
from tests.routing.support import accepted

pytestmark = pytest.mark.e2e

OPINION = "专家意见：涉案源代码的模块结构与注释风格高度一致，建议委托鉴定。"


def test_an_expert_signs_in_and_submits_an_opinion(world, sign_in, watch):  # noqa: F811
    from playwright.sync_api import expect

    complaint = accepted(world)
    profile(world, "expert")
    profile(world, "conflicted", kind="lawyer", conflicts=[{"name": "上海锐驰自动化有限公司", "note": "常年法律顾问"}])
    consultation = convene(world, complaint["id"])

    clerk = sign_in(world.users["clerk"])
    clerk.goto(f"/consultations/{consultation['id']}")
    clerk.get_by_test_id("invite-experts-link").click()
    expect(clerk.get_by_test_id("conflict")).to_contain_text("上海锐驰自动化有限公司")
    clerk.get_by_test_id("candidate").filter(has_text="陈律师").locator("input").check()
    clerk.get_by_test_id("candidate").filter(has_text="王教授").locator("input").check()
    clerk.get_by_test_id("invite-experts").click()
    expect(clerk.get_by_test_id("error-summary")).to_contain_text("陈律师")
    expect(clerk.get_by_test_id("invited-expert")).to_have_count(0)  # nothing was kept
    clerk.get_by_test_id("candidate").filter(has_text="王教授").locator("input").check()
    clerk.get_by_test_id("invite-experts").click()
    expect(clerk).to_have_url(re.compile(rf"/consultations/{consultation['id']}$"))
    expect(clerk.get_by_test_id("expert-invitation")).to_contain_text("王教授")

    expert = sign_in(world.users["expert"])
    expect(expert).to_have_url(re.compile(r"/expert$"))
    expert.get_by_test_id("invitation-row").get_by_role("link", name=complaint["reference"]).click()
    expect(expert.get_by_test_id("questions")).to_contain_text("是否构成商业秘密")
    expert.locator('textarea[name="opinion"]').fill(OPINION)
    expert.get_by_test_id("submit-opinion").click()
    expect(expert.get_by_test_id("expert-opinion")).to_have_text(OPINION)
    # with its own session, nothing else of the complaint (a request beside the page: no 404 in the console)
    assert expert.request.get(f"/centre/complaints/{complaint['id']}").status == 404
    assert expert.request.get(f"/complaints/{complaint['id']}").status == 404

    clerk.reload()
    expect(clerk.get_by_test_id("expert-opinion")).to_have_text(OPINION)
    assert_clean(watch)
