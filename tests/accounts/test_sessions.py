"""Web sessions: a fresh session id at every login, logout that revokes it and needs a CSRF token, expiry."""
import datetime as dt

import pytest
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


# --- ASVS V7: one session at a time, idle timeout, revocation at every credential change ---------------

def api_token(client, user):
    response = client.post("/api/v1/auth/tokens", json=token_request(user))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def api_status(app, raw):
    return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code


def test_an_older_session_is_dead_after_a_new_login_and_stays_dead(app, create_user):
    user = create_user(role="clerk")
    older, newer = app.test_client(), app.test_client()
    web_login(older, user)
    assert older.get("/account").status_code == 200
    web_login(newer, user)
    assert older.get("/account").status_code == 302  # SESSION_SINGLE (the default)
    assert newer.get("/account").status_code == 200
    newer.post("/logout", data={"csrf_token": csrf_token(newer, "/account")})
    assert older.get("/account").status_code == 302
    assert newer.get("/account").status_code == 302


@pytest.mark.config(SESSION_SINGLE=False)
def test_several_sessions_live_side_by_side_when_configured(app, create_user):
    user = create_user(role="clerk")
    older, newer = app.test_client(), app.test_client()
    web_login(older, user)
    web_login(newer, user)
    assert older.get("/account").status_code == 200 and newer.get("/account").status_code == 200


def test_a_new_login_leaves_the_api_tokens_alone(app, client, create_user):
    user = create_user(role="clerk")
    raw = api_token(client, user)
    web_login(app.test_client(), user)
    assert api_status(app, raw) == 200


def test_idle_timeout(app, client, create_user):
    user = create_user(role="clerk")
    idle = app.config["SESSION_IDLE_SECONDS"]
    now = dt.datetime.now(dt.UTC)
    with time_machine.travel(now, tick=False) as traveller:
        web_login(client, user)
        traveller.move_to(now + dt.timedelta(seconds=idle - 120))
        assert client.get("/account").status_code == 200  # used just in time: the idle clock restarts
        traveller.move_to(now + dt.timedelta(seconds=2 * idle - 240))
        assert client.get("/account").status_code == 200
        traveller.move_to(now + dt.timedelta(seconds=3 * idle - 240 + 1))
        response = client.get("/account")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_last_seen_is_written_at_most_once_a_minute(app, client, create_user):
    from core.extensions import db

    user = create_user(role="clerk")

    def last_seen():
        with app.app_context():
            return db.session.scalar(select(AuthToken.last_seen_at).where(AuthToken.kind == TokenKind.web_session,
                                                                          AuthToken.revoked_at.is_(None)))

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with time_machine.travel(now, tick=False) as traveller:
        web_login(client, user)
        client.get("/account")
        first = last_seen()
        assert first is not None
        traveller.move_to(now + dt.timedelta(seconds=30))
        client.get("/account")
        assert last_seen() == first
        traveller.move_to(now + dt.timedelta(seconds=90))
        client.get("/account")
        assert last_seen() == now + dt.timedelta(seconds=90)


def two_sessions(app, user):
    """Two web sessions of ``user`` side by side (SESSION_SINGLE off while they start): (mine, other)."""
    mine, other = app.test_client(), app.test_client()
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(app.config, "SESSION_SINGLE", False)
        web_login(other, user)
        web_login(mine, user)
    return mine, other


def change_password(client, current, new):
    token = csrf_token(client, "/account/password")
    return client.post("/account/password", data={"csrf_token": token, "current_password": current,
                                                  "new_password": new})


def test_a_password_change_ends_every_other_session_and_api_token(app, create_user):
    user = create_user(role="clerk")
    mine, other = two_sessions(app, user)
    raw = api_token(app.test_client(), user)
    assert api_status(app, raw) == 200 and other.get("/account").status_code == 200

    response = change_password(mine, user["password"], "a-brand-new-passphrase")
    assert response.status_code == 302
    assert mine.get("/account").status_code == 200  # the session that changed it stays
    assert other.get("/account").status_code == 302
    assert api_status(app, raw) == 401
    user["password"] = "a-brand-new-passphrase"
    assert api_status(app, api_token(app.test_client(), user)) == 200
    from core.audit import AuditEntry
    from core.extensions import db

    with app.app_context():
        actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"password.changed", "sessions.revoked"} <= actions


def test_sign_out_everywhere_ends_every_session_and_token_but_not_api_keys(app, create_user):
    from accounts import services
    from accounts.models import User
    from core.extensions import db

    admin = create_user(role="admin")
    user = create_user(role="agency_officer")
    with app.app_context():
        key, _token = services.issue_api_key(db.session.get(User, admin["id"]), db.session.get(User, user["id"]), "sys")
        db.session.commit()
    mine, other = two_sessions(app, user)
    raw = api_token(app.test_client(), user)
    assert 'data-testid="sign-out-everywhere"' in mine.get("/account").get_data(as_text=True)
    response = mine.post("/account/sign-out-everywhere", data={"csrf_token": csrf_token(mine, "/account")})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert mine.get("/account").status_code == 302
    assert other.get("/account").status_code == 302
    assert api_status(app, raw) == 401
    assert api_status(app, key) == 200  # a machine credential an administrator revokes


def test_sign_out_everywhere_needs_a_csrf_token(client, create_user):
    user = create_user(role="clerk")
    web_login(client, user)
    assert client.post("/account/sign-out-everywhere").status_code == 400
    assert client.get("/account").status_code == 200


def test_disabling_a_user_ends_sessions_tokens_and_keys(app, runner, client, create_user):
    from accounts import services
    from accounts.models import User
    from core.extensions import db

    admin = create_user(role="admin")
    user = create_user(role="agency_officer")
    with app.app_context():
        key, _token = services.issue_api_key(db.session.get(User, admin["id"]), db.session.get(User, user["id"]), "sys")
        db.session.commit()
    web_login(client, user)
    raw = api_token(app.test_client(), user)
    result = runner.invoke(args=["users", "disable", user["email"]])
    assert result.exit_code == 0, result.output
    assert client.get("/account").status_code == 302
    assert api_status(app, raw) == 401 and api_status(app, key) == 401
    with app.app_context():
        tokens = db.session.scalars(select(AuthToken).where(AuthToken.user_id == user["id"])).all()
        assert tokens and all(t.revoked_at is not None for t in tokens)  # revoked, not merely unusable
    assert web_login(app.test_client(), user).status_code == 401
    result = runner.invoke(args=["users", "enable", user["email"]])
    assert result.exit_code == 0
    assert api_status(app, key) == 401  # enabling again revives nothing
    assert runner.invoke(args=["users", "disable", "nobody@nowhere.example"]).exit_code == 1
