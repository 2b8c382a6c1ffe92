"""The satisfaction journey of issue 11 in a real browser: the enterprise rates a concluded complaint
dissatisfied (a missing comment refused with its error first), the complaint goes back to its centre, whose
clerk records on the triage page what the centre did; the enterprise reads the review on its complaint page.

The complaint is concluded over the API (tests/routing/support.py); the journey's steps are clicks in the
browser, each person in a browser context of their own. No sleeps: Playwright's expectations wait.
"""
import pytest

from tests.e2e.test_enterprise_journey import browser, live_server  # noqa: F401
from tests.e2e.test_enterprise_journey import watch  # noqa: F401
from tests.e2e.test_routing_journeys import assert_clean, sign_in  # noqa: F401
from tests.routing.conftest import world  # noqa: F401
from tests.routing.support import accepted, complaint_transition, ok

pytestmark = pytest.mark.e2e

COMPLAINT = "指导意见没有回应我们提出的证据保全请求。"
ACTION = "已约谈企业，指导其向上海知识产权法院申请诉前证据保全，并提供申请书范本。"


def test_an_enterprise_rates_dissatisfied_and_its_centre_reviews(app, world, sign_in, watch):  # noqa: F811
    from playwright.sync_api import expect

    complaint = accepted(world)
    cid = complaint["id"]
    ok(complaint_transition(world.api("clerk"), cid, "resolve", message="已提供维权指导。"))

    enterprise = sign_in(world.users["enterprise"])
    enterprise.goto(f"/complaints/{cid}")
    form = enterprise.get_by_test_id("rating-form")
    expect(form).to_be_visible()
    enterprise.get_by_test_id("rating-dissatisfied").check()
    enterprise.get_by_test_id("submit-rating").click()
    # dissatisfied without a comment: refused, nothing saved, the field named
    expect(enterprise.get_by_test_id("error-summary")).to_be_visible()
    expect(enterprise.locator("#field-comment")).to_have_attribute("aria-invalid", "true")
    enterprise.get_by_test_id("rating-dissatisfied").check()
    enterprise.get_by_test_id("rating-comment-input").fill(COMPLAINT)
    enterprise.get_by_test_id("submit-rating").click()
    expect(enterprise.get_by_test_id("review-open")).to_be_visible()
    expect(enterprise.get_by_test_id("rating-comment")).to_have_text(COMPLAINT)
    expect(enterprise.get_by_test_id("rating-form")).to_have_count(0)  # once

    clerk = sign_in(world.users["clerk"])
    clerk.goto("/supervision/satisfaction/?pending=1")
    expect(clerk.get_by_test_id("rating-row")).to_have_count(1)
    clerk.get_by_test_id("rating-row").get_by_role("link").click()
    clerk.get_by_test_id("back").click()  # to the triage page, where the review is recorded
    expect(clerk.get_by_test_id("rating-comment")).to_have_text(COMPLAINT)
    clerk.get_by_test_id("review-action-input").fill(ACTION)
    clerk.get_by_test_id("submit-review").click()
    expect(clerk.get_by_test_id("review-action")).to_have_text(ACTION)
    expect(clerk.get_by_test_id("review-form")).to_have_count(0)
    assert ok(world.api("clerk").get(f"/api/v1/complaints/{cid}"))["state"] == "concluded"

    enterprise.goto(f"/complaints/{cid}")
    expect(enterprise.get_by_test_id("review-action")).to_have_text(ACTION)
    assert_clean(watch)
