"""Web sessions: a fresh session id at every login, logout that revokes it and needs a CSRF token, expiry."""
import datetime as dt

import time_machine
from sqlalchemy import select

from accounts.enums import TokenKind
from accounts.models import AuthToken
from tests.accounts.web import csrf_token, session_sid, web_login
from tests.conftest import token_request


def session_cookie(client):
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def client_with_cookie(app, value):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_login_puts_a_new_session_id_in_the_cookie(client, create_user):
    user = create_user(role="clerk")
    csrf_token(client, "/login")
    before = session_cookie(client)
    assert session_sid(client) is None
    assert web_login(client, user).status_code == 302
    assert session_cookie(client) != before
    assert session_sid(client).startswith("tsp_")


def test_a_planted_session_id_is_replaced_at_login(client, create_user):
    user = create_user(role="clerk")
    with client.session_transaction() as session:
        session["sid"] = "tsp_planted-by-an-attacker"
        session["anything"] = "from before the login"
    assert web_login(client, user).status_code == 302
    with client.session_transaction() as session:
        assert session["sid"] != "tsp_planted-by-an-attacker"
        assert "anything" not in session


def test_each_login_gets_a_different_session_id(client, create_user):
    user = create_user(role="clerk")
    web_login(client, user)
    first = session_sid(client)
    web_login(client, user)
    second = session_sid(client)
    assert first and second and first != second


def test_session_id_is_stored_only_as_a_hash(app, client, create_user):
    user = create_user(role="clerk")
    web_login(client, user)
    sid = session_sid(client)
    from core.extensions import db

    with app.app_context():
        token = db.session.scalar(select(AuthToken).where(AuthToken.kind == TokenKind.web_session))
        assert token.token_hash != sid and sid not in token.token_hash
        assert token.user_id == user["id"]


def test_the_session_cookie_is_http_only_and_same_site(client, create_user):
    user = create_user(role="clerk")
    response = web_login(client, user)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_logout_revokes_the_session_even_for_a_copy_of_the_cookie(app, client, create_user):
    user = create_user(role="clerk")
    web_login(client, user)
    stolen = session_cookie(client)
    assert client_with_cookie(app, stolen).get("/account").status_code == 200  # the copy works while signed in

    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 302

    assert client.get("/account").status_code == 302
    replay = client_with_cookie(app, stolen).get("/account")
    assert replay.status_code == 302
    assert "/login" in replay.headers["Location"]


def test_logout_without_csrf_token_is_400_and_the_user_stays_signed_in(client, create_user):
    user = create_user(role="clerk")
    web_login(client, user)
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/account").status_code == 200


def test_logout_by_get_is_not_allowed(client, create_user):
    user = create_user(role="clerk")
    web_login(client, user)
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200


def test_account_page_needs_a_session(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_session_expires_after_its_lifetime_however_active(app, client, create_user):
    """The absolute timeout: used every 20 minutes (never idle), the session still ends at its lifetime."""
    user = create_user(role="clerk")
    now = dt.datetime.now(dt.UTC)
    with time_machine.travel(now, tick=False) as traveller:
        web_login(client, user)
        lifetime = app.config["SESSION_LIFETIME_SECONDS"]
        elapsed = 0
        while elapsed + 1200 < lifetime:
            elapsed += 1200
            traveller.move_to(now + dt.timedelta(seconds=elapsed))
            assert client.get("/account").status_code == 200, elapsed
        traveller.move_to(now + dt.timedelta(seconds=lifetime + 1))
        assert client.get("/account").status_code == 302


def test_an_api_token_in_the_session_does_not_sign_in(client, create_user):
    user = create_user(role="clerk")
    raw = client.post("/api/v1/auth/tokens", json=token_request(user)).get_json()["token"]
    with client.session_transaction() as session:
        session["sid"] = raw
        session["_user_id"] = str(user["id"])
    assert client.get("/account").status_code == 302


def test_a_session_of_another_user_id_does_not_sign_in(client, create_user):
    user = create_user(role="clerk")
    other = create_user(role="clerk")
    web_login(client, user)
    with client.session_transaction() as session:
        session["_user_id"] = str(other["id"])
    assert client.get("/account").status_code == 302
