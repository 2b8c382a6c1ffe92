"""Each role lands on its own work, after signing in and on "/": the login's default target is "/", and the
home page sends each role on (accounts.presenters.START_PAGES)."""
import pytest

from tests.accounts.web import web_login
from tests.agencies.web import Browser

LANDING = {
    "enterprise": "intake.list_complaints",
    "clerk": "centre.queue",
    "supervisor": "centre.queue",
    "amr_city": "agency.inbox",
    "amr_city_head": "deadline_pages.decisions_page",
}


def _path(app, endpoint):
    from flask import url_for

    with app.test_request_context():
        return url_for(endpoint)


@pytest.mark.parametrize("who", [*LANDING, "admin"])
def test_each_role_lands_on_its_own_work(app, world, who):
    if who == "admin":  # the administrators' home page where the app has one, else the deadline rules
        endpoint = "admin.home" if "admin.home" in app.view_functions else "deadline_rules.rules"
    else:
        endpoint = LANDING[who]
    browser = Browser(app, world.users[who])
    assert browser.home.endswith("/")  # the login's default target is the home page ...
    response = browser.client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == _path(app, endpoint)  # ... which sends each role on
    browser.get(response.headers["Location"])  # and that page opens for this role


def test_a_next_page_still_wins_over_the_landing(app, world):
    client = app.test_client()
    response = web_login(client, world.users["clerk"], next_url="/account")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")


def test_a_visitor_sees_the_home_page(client):
    response = client.get("/")
    assert response.status_code == 200 and 'href="/login"' in response.get_data(as_text=True)
