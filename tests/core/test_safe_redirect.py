"""One safe-redirect check (core.security.safe_redirect_path) for the login's ``next`` and the
notifications' links: only a path on this site, whatever browsers and redirect() forgive."""
import pytest
from sqlalchemy import select

from core.extensions import db
from core.security import safe_redirect_path
from tests.accounts.web import csrf_token, web_login

FALLBACK = "/fallback"

# Known ways around a "starts with / but not //" check, decoded as request.args gives them.
BYPASSES = [
    "//evil.example", "///evil.example", "////evil.example/x",
    "/\\evil.example", "\\\\evil.example", "/\\/evil.example", "\\/evil.example",
    "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "\t//evil.example", "/%09/evil.example".replace("%09", "\t"),
    "/\r\nSet-Cookie: sid=stolen", "/x\r\nLocation: https://evil.example",
    " //evil.example", "/ /evil.example", "/\x00/evil.example", "/\x0b/evil.example", "/\x0c/evil.example",
    "/\u2028/evil.example", "/\u2029/evil.example", "/\u200b/evil.example", "/\u00a0/evil.example",
    "/\u3000/evil.example", "/\u202e/evil.example",
    "https://evil.example", "http:/evil.example", "http:evil.example", "https:\\\\evil.example",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
    "evil.example", "@evil.example", "", None, 42, "／／evil.example", "/" + "a" * 3000,
]

SAFE = ["/", "/account", "/complaints/?page=2", "/centre/complaints/1#top", "/a/b/c?x=%2F%2Fevil", "/%2F/evil.example"]


@pytest.mark.parametrize("target", BYPASSES)
def test_known_bypasses_fall_back(target):
    assert safe_redirect_path(target, FALLBACK) == FALLBACK


@pytest.mark.parametrize("target", SAFE)
def test_paths_on_this_site_are_kept(target):
    assert safe_redirect_path(target, FALLBACK) == target


def login_with_next(client, user, raw_next):
    token = csrf_token(client, "/login")
    return client.post(f"/login?next={raw_next}", data={"csrf_token": token, "email": user["email"],
                                                        "password": user["password"]})


@pytest.mark.parametrize("raw_next", ["/%09/evil.example", "%2F%2Fevil.example", "/%5Cevil.example",
                                      "/%0d%0aSet-Cookie:%20x=y", "/%0D%0ALocation:%20https://evil.example",
                                      "https://evil.example", "/%E2%80%A8/evil.example"])
def test_login_never_redirects_off_site_nor_fails(client, create_user, raw_next):
    # an enterprise user signs in with the password alone; staff carry ``next`` over the second step
    # through the same check (tests/accounts/test_mfa.py)
    user = create_user(role="enterprise_user")
    response = login_with_next(client, user, raw_next)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil.example" not in location and "\n" not in location and "\r" not in location
    assert "Set-Cookie" not in location
    assert location in ("/", "http://localhost/")


def test_a_nul_in_next_is_refused_with_the_request(client, create_user):
    response = login_with_next(client, create_user(role="enterprise_user"), "/%00/evil.example")
    assert response.status_code == 422 and "Location" not in response.headers  # core/limits.py


def test_login_follows_a_local_next(client, create_user):
    user = create_user(role="enterprise_user")
    response = login_with_next(client, user, "/notifications?page=2")
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications?page=2")


def test_a_notification_with_an_off_site_link_opens_the_inbox(app, client, create_user):
    from notifications.models import Notification
    from notifications.outbox import notify

    user = create_user(role="clerk")
    with app.app_context():
        notify("complaint.submitted", users=[user["id"]], url="/\t/evil.example",
               params={"reference": "SH-2026-00001", "enterprise": "某公司"})
        db.session.commit()
        notification_id = db.session.scalar(select(Notification.id))
    web_login(client, user)
    inbox = client.get("/notifications").get_data(as_text=True)
    assert "evil.example" not in inbox
    token = csrf_token(client, "/notifications")
    response = client.post(f"/notifications/{notification_id}/read", data={"csrf_token": token, "open": "1"})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
    assert "/notifications" in response.headers["Location"]
