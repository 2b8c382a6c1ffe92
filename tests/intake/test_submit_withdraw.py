"""After submission: no more draft edits; withdrawal needs a reason and an open complaint."""
import pytest

from intake.models import ComplaintEvent
from tests.evidence.support import confirm, count, csrf_token, new_draft, read, submitted, timeline, web_login


@pytest.fixture
def user(create_user, rights_centre):
    return create_user()


@pytest.fixture
def api(api_login, user):
    return api_login(user)


def withdraw(api, complaint_id, body):
    return api.post(f"/api/v1/complaints/{complaint_id}/withdraw", json=body)


def test_a_submitted_complaint_cannot_be_edited_as_a_draft(app, api, complete_draft):
    complaint = submitted(api, complete_draft)
    events = count(app, ComplaintEvent)

    response = api.patch(f"/api/v1/complaints/{complaint['id']}", json={"facts": "rewritten after the fact"})

    assert response.status_code == 409
    assert read(api, complaint["id"]) == complaint
    assert count(app, ComplaintEvent) == events


def test_a_submitted_complaint_cannot_be_edited_through_the_web_form(app, user, api, complete_draft):
    complaint = submitted(api, complete_draft)
    web = web_login(app, user)

    response = web.post(f"/complaints/{complaint['id']}/edit",
                        data={"csrf_token": csrf_token(web, "/complaints/"), "facts": "rewritten"})

    assert response.status_code == 409
    assert read(api, complaint["id"]) == complaint
    form = web.get(f"/complaints/{complaint['id']}/edit")  # the form itself is not offered any more
    assert form.status_code == 302 and form.headers["Location"].endswith(f"/complaints/{complaint['id']}")


def test_a_submitted_complaint_cannot_be_submitted_again(api, complete_draft):
    complaint = submitted(api, complete_draft)

    response = api.post(f"/api/v1/complaints/{complaint['id']}/submit")

    assert response.status_code == 409
    assert read(api, complaint["id"]) == complaint


def test_withdrawing_without_a_reason_is_refused_and_changes_nothing(app, api, complete_draft):
    complaint = submitted(api, complete_draft)
    events = count(app, ComplaintEvent)

    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": None}):
        response = withdraw(api, complaint["id"], body)

        assert response.status_code == 422, body
        assert "reason" in response.get_json()["errors"]
        assert read(api, complaint["id"]) == complaint
        assert count(app, ComplaintEvent) == events


def test_withdrawing_with_a_reason_stores_it_and_writes_the_timeline(api, complete_draft):
    complaint = submitted(api, complete_draft)

    response = withdraw(api, complaint["id"], {"reason": "  已与对方和解  "})

    assert response.status_code == 200, response.get_json()
    stored = read(api, complaint["id"])
    assert stored["state"] == "withdrawn" and stored["withdrawal_reason"] == "已与对方和解"
    assert stored["reference"] == complaint["reference"]
    last = timeline(api, complaint["id"])[-1]
    assert (last["kind"], last["trigger"], last["from_state"], last["to_state"]) == (
        "transition", "withdraw", "submitted", "withdrawn")
    assert last["reason"].strip() == "已与对方和解"


def test_a_draft_cannot_be_withdrawn(api):
    draft = new_draft(api)

    response = withdraw(api, draft["id"], {"reason": "changed my mind"})

    assert response.status_code == 409
    assert response.get_json()["allowed_triggers"] == ["submit"]
    assert read(api, draft["id"]) == draft


def test_a_withdrawn_complaint_cannot_be_withdrawn_again(api, complete_draft):
    complaint = submitted(api, complete_draft)
    withdraw(api, complaint["id"], {"reason": "settled"})
    before = read(api, complaint["id"])

    response = withdraw(api, complaint["id"], {"reason": "again"})

    assert response.status_code == 409
    assert response.get_json()["allowed_triggers"] == []
    assert read(api, complaint["id"]) == before


def test_a_stale_version_is_refused(api, complete_draft):
    draft = new_draft(api, complete_draft)
    api.patch(f"/api/v1/complaints/{draft['id']}", json={"facts": "moved on"})

    response = api.post(f"/api/v1/complaints/{draft['id']}/submit", headers={"If-Match": f'"{draft["version"]}"'})

    assert response.status_code == 412 and response.get_json()["code"] == "stale_version"
    assert read(api, draft["id"])["state"] == "draft"


def test_withdrawing_through_the_web_form_without_a_reason_shows_the_error(app, user, api, complete_draft):
    complaint = submitted(api, complete_draft)
    web = web_login(app, user)
    page = f"/complaints/{complaint['id']}"

    response = web.post(f"{page}/withdraw", data={"csrf_token": csrf_token(web, page), "reason": " "})

    assert response.status_code == 422
    assert 'data-field="reason"' in response.get_data(as_text=True)
    assert read(api, complaint["id"]) == complaint


def test_withdrawing_through_the_web_form_with_a_reason(app, user, api, complete_draft):
    complaint = submitted(api, complete_draft)
    web = web_login(app, user)
    page = f"/complaints/{complaint['id']}"

    asked = web.post(f"{page}/withdraw", data={"csrf_token": csrf_token(web, page), "reason": "和解",
                                                "version": complaint["version"]})

    assert read(api, complaint["id"]) == complaint  # a page that asks first; nothing has changed
    html = asked.get_data(as_text=True)
    assert "This cannot be undone." in html and "Your reason: 和解" in html
    assert 'href="/complaints/%s" role="button"' % complaint["id"] in html  # cancel leads back to the complaint
    confirm(web, asked)
    stored = read(api, complaint["id"])
    assert stored["state"] == "withdrawn" and stored["withdrawal_reason"] == "和解"


def test_if_match_guards_submission_and_withdrawal(api_login, create_user, rights_centre, complete_draft):
    api = api_login(create_user("enterprise_user"))
    draft = api.post("/api/v1/complaints", json=complete_draft).get_json()
    stale = api.post(f"/api/v1/complaints/{draft['id']}/submit", headers={"If-Match": f'"{draft["version"] - 1}"'})
    assert stale.status_code == 412 and stale.get_json()["code"] == "stale_version"
    submitted = api.post(f"/api/v1/complaints/{draft['id']}/submit", headers={"If-Match": f'"{draft["version"]}"'})
    assert submitted.status_code == 200, submitted.get_json()
    stale = api.post(f"/api/v1/complaints/{draft['id']}/withdraw", json={"reason": "和解"},
                     headers={"If-Match": f'"{draft["version"]}"'})
    assert stale.status_code == 412 and api.get(f"/api/v1/complaints/{draft['id']}").get_json()["state"] == "submitted"


@pytest.mark.parametrize("reason", ["理" * 2001, "已和解\u202e", "已和解\x00"])
def test_withdrawing_through_the_web_form_with_an_over_long_or_hostile_reason_changes_nothing(
        app, user, api, complete_draft, reason):
    complaint = submitted(api, complete_draft)
    events = count(app, ComplaintEvent)
    web = web_login(app, user)
    page = f"/complaints/{complaint['id']}"

    response = web.post(f"{page}/withdraw", data={"csrf_token": csrf_token(web, page), "reason": reason})

    assert response.status_code == 422
    # the form's field error; a NUL is refused with the request, on the error page naming the field
    marker = "<code>reason</code>" if "\x00" in reason else 'data-field="reason"'
    assert marker in response.get_data(as_text=True)
    assert read(api, complaint["id"]) == complaint
    assert count(app, ComplaintEvent) == events


@pytest.mark.parametrize("reason", ["理" * 2001, "已和解\u202e"])
def test_withdrawing_over_the_api_with_an_over_long_or_hostile_reason_changes_nothing(api, complete_draft, reason):
    complaint = submitted(api, complete_draft)
    response = withdraw(api, complaint["id"], {"reason": reason})
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["reason"]
    assert read(api, complaint["id"]) == complaint
