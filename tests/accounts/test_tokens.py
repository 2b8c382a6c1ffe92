"""Bearer tokens of the API: they expire, can be revoked, and nothing but a bearer token authenticates."""
import datetime as dt

import time_machine
from sqlalchemy import select

from accounts.models import AuthToken
from tests.accounts.web import session_sid, web_login

ME = "/api/v1/me"


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


def get_token(client, user):
    response = client.post("/api/v1/auth/tokens", json={"email": user["email"], "password": user["password"]})
    assert response.status_code == 201
    return response.get_json()["token"]


def test_me_without_a_token_is_401(client):
    response = client.get(ME)
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthenticated"


def test_a_made_up_or_malformed_token_is_401(client, create_user):
    raw = get_token(client, create_user())
    assert client.get(ME, headers=bearer("tsp_made-up")).status_code == 401
    assert client.get(ME, headers=bearer(raw[:-1])).status_code == 401
    assert client.get(ME, headers={"Authorization": f"Basic {raw}"}).status_code == 401
    assert client.get(ME, headers={"Authorization": raw}).status_code == 401


def test_token_is_stored_only_as_a_hash(app, client, create_user):
    raw = get_token(client, create_user())
    from core.extensions import db

    with app.app_context():
        stored = db.session.scalar(select(AuthToken.token_hash))
    assert stored != raw and raw not in stored


def test_token_works_until_it_expires(app, client, create_user):
    raw = get_token(client, create_user())
    lifetime = app.config["API_TOKEN_LIFETIME_SECONDS"]
    now = dt.datetime.now(dt.UTC)
    with time_machine.travel(now + dt.timedelta(seconds=lifetime - 60), tick=False):
        assert client.get(ME, headers=bearer(raw)).status_code == 200
    with time_machine.travel(now + dt.timedelta(seconds=lifetime + 1), tick=False):
        assert client.get(ME, headers=bearer(raw)).status_code == 401


def test_expires_at_is_announced_with_the_token(app, client, create_user):
    user = create_user()
    now = dt.datetime.now(dt.UTC)
    with time_machine.travel(now, tick=False):
        body = client.post("/api/v1/auth/tokens", json={"email": user["email"], "password": user["password"]}
                           ).get_json()
    expires_at = dt.datetime.fromisoformat(body["expires_at"])
    assert expires_at == now + dt.timedelta(seconds=app.config["API_TOKEN_LIFETIME_SECONDS"])


def test_revoked_token_is_401(client, create_user):
    raw = get_token(client, create_user())
    assert client.delete("/api/v1/auth/tokens/current", headers=bearer(raw)).status_code == 204
    assert client.get(ME, headers=bearer(raw)).status_code == 401
    assert client.delete("/api/v1/auth/tokens/current", headers=bearer(raw)).status_code == 401


def test_revoking_one_token_leaves_the_others(client, create_user):
    user = create_user()
    first, second = get_token(client, user), get_token(client, user)
    assert first != second
    assert client.delete("/api/v1/auth/tokens/current", headers=bearer(first)).status_code == 204
    assert client.get(ME, headers=bearer(second)).status_code == 200


def test_revoking_without_a_token_is_401(client):
    assert client.delete("/api/v1/auth/tokens/current").status_code == 401


def test_a_web_session_id_is_not_a_bearer_token(client, create_user):
    user = create_user()
    assert web_login(client, user).status_code == 302
    sid = session_sid(client)
    other = client.application.test_client()  # no session cookie: only the header
    assert other.get(ME, headers=bearer(sid)).status_code == 401


def test_the_api_ignores_a_signed_in_browser_session(client, create_user):
    user = create_user()
    assert web_login(client, user).status_code == 302
    assert client.get("/account").status_code == 200
    assert client.get(ME).status_code == 401
    assert client.post("/api/v1/complaints", json={"secret_category": "technical"}).status_code == 401


def test_the_api_needs_no_csrf_token_with_a_bearer_token(client, create_user):
    raw = get_token(client, create_user())
    assert client.delete("/api/v1/auth/tokens/current", headers=bearer(raw)).status_code == 204


def test_a_deactivated_users_token_stops_working(app, client, create_user):
    user = create_user()
    raw = get_token(client, user)
    from accounts.models import User
    from core.extensions import db

    with app.app_context():
        db.session.get(User, user["id"]).active = False
        db.session.commit()
    assert client.get(ME, headers=bearer(raw)).status_code == 401
