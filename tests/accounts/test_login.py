"""Login over the API and in the web form: wrong passwords, throttling per account and per IP, argon2id."""
import datetime as dt

import pytest
import time_machine
from sqlalchemy import select

from accounts.models import AuthToken, User
from tests.accounts.web import count_rows, csrf_token, web_login

TOKENS = "/api/v1/auth/tokens"


def api_attempt(client, email, password, ip="127.0.0.1"):
    return client.post(TOKENS, json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip})


def later(seconds):
    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds), tick=False)


def test_api_login_returns_a_bearer_token(app, client, create_user):
    user = create_user()
    response = api_attempt(client, user["email"], user["password"])
    assert response.status_code == 201
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["token"] and body["expires_at"]
    assert body["user"]["email"] == user["email"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["id"] == str(user["id"])


def test_api_login_email_is_case_insensitive(client, create_user):
    user = create_user(email="someone@test.example")
    assert api_attempt(client, "  SomeOne@Test.example", user["password"]).status_code == 201


def test_api_wrong_password_is_401_without_a_token(app, client, create_user):
    user = create_user()
    response = api_attempt(client, user["email"], "wrong-password")
    assert response.status_code == 401
    body = response.get_json()
    assert body["code"] == "unauthenticated" and "token" not in body
    assert count_rows(app, AuthToken) == 0


def test_api_unknown_email_is_the_same_401_as_a_wrong_password(client, create_user):
    user = create_user()
    unknown = api_attempt(client, "nobody@test.example", "wrong-password")
    wrong = api_attempt(client, user["email"], "wrong-password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()


def test_passwords_are_stored_as_argon2id(app, create_user):
    user = create_user()
    from core.extensions import db

    with app.app_context():
        stored = db.session.get(User, user["id"]).password_hash
    assert stored.startswith("$argon2id$")
    assert user["password"] not in stored


def test_api_sixth_attempt_for_one_account_within_a_minute_is_429(client, create_user):
    user = create_user()
    for _ in range(5):
        assert api_attempt(client, user["email"], "wrong-password").status_code == 401
    # even the right password is refused while the account is throttled
    response = api_attempt(client, user["email"], user["password"])
    assert response.status_code == 429
    assert response.get_json()["code"] == "too_many_requests"


def test_api_account_throttling_holds_across_addresses(client, create_user):
    user = create_user()
    for n in range(5):
        assert api_attempt(client, user["email"], "wrong-password", ip=f"10.0.0.{n + 1}").status_code == 401
    assert api_attempt(client, user["email"], user["password"], ip="10.0.0.99").status_code == 429


def test_api_failures_on_other_accounts_from_one_address_do_not_lock_out_another_user(client, create_user):
    """Behind one address (an office, a proxy) five failures on other accounts leave a user's login alone."""
    user = create_user()
    for n in range(5):
        assert api_attempt(client, f"guess{n}@test.example", "wrong-password", ip="10.1.1.1").status_code == 401
    assert api_attempt(client, user["email"], user["password"], ip="10.1.1.1").status_code == 201


@pytest.mark.config(LOGIN_THROTTLE_MAX_PER_IP=8)
def test_api_one_address_is_throttled_at_its_own_higher_limit(client, create_user):
    user = create_user()
    for n in range(8):
        assert api_attempt(client, f"guess{n}@test.example", "wrong-password", ip="10.1.1.1").status_code == 401
    assert api_attempt(client, user["email"], user["password"], ip="10.1.1.1").status_code == 429
    # another address is not affected
    assert api_attempt(client, user["email"], user["password"], ip="10.1.1.2").status_code == 201


def test_api_four_failures_do_not_throttle(client, create_user):
    user = create_user()
    for _ in range(4):
        assert api_attempt(client, user["email"], "wrong-password").status_code == 401
    assert api_attempt(client, user["email"], user["password"]).status_code == 201


def test_api_login_works_again_after_the_window(client, create_user):
    user = create_user()
    for _ in range(5):
        assert api_attempt(client, user["email"], "wrong-password").status_code == 401
    assert api_attempt(client, user["email"], user["password"]).status_code == 429
    with later(61):
        assert api_attempt(client, user["email"], user["password"]).status_code == 201


def test_api_failures_spread_beyond_the_window_do_not_throttle(client, create_user):
    user = create_user()
    for _ in range(3):
        assert api_attempt(client, user["email"], "wrong-password").status_code == 401
    with later(61):
        for _ in range(3):
            assert api_attempt(client, user["email"], "wrong-password").status_code == 401
        assert api_attempt(client, user["email"], user["password"]).status_code == 201


def test_api_unknown_field_in_token_request_is_422(client, create_user):
    user = create_user()
    response = client.post(TOKENS, json={"email": user["email"], "password": user["password"], "role": "admin"})
    assert response.status_code == 422
    assert "role" in response.get_json()["errors"]


# --- web form ---------------------------------------------------------------------------------

def form_attempt(client, email, password, ip="127.0.0.1"):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def test_form_login_signs_in_and_redirects(client, create_user):
    user = create_user(role="clerk")
    response = web_login(client, user)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def test_form_login_follows_a_local_next_but_not_an_outside_one(client, create_user):
    user = create_user(role="enterprise_user")  # no second step (see test_mfa for next across it)
    token = csrf_token(client, "/login")
    response = client.post("/login?next=/account", data={"csrf_token": token, "email": user["email"], "password": user["password"]})
    assert response.headers["Location"].endswith("/account")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    token = csrf_token(client, "/login")
    response = client.post("/login?next=//evil.example/x", data={"csrf_token": token, "email": user["email"], "password": user["password"]})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_form_wrong_password_is_401_and_not_signed_in(client, create_user):
    user = create_user(role="clerk")
    response = form_attempt(client, user["email"], "wrong-password")
    assert response.status_code == 401
    assert 'data-testid="login-error"' in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_form_sixth_attempt_for_one_account_is_429(client, create_user):
    user = create_user(role="clerk")
    for _ in range(5):
        assert form_attempt(client, user["email"], "wrong-password").status_code == 401
    assert form_attempt(client, user["email"], user["password"]).status_code == 429
    assert client.get("/account").status_code == 302


def test_form_failures_on_another_account_from_one_address_do_not_refuse_another_user(client, create_user):
    victim = create_user(role="clerk")
    user = create_user(role="clerk")
    for _ in range(5):
        assert form_attempt(client, victim["email"], "wrong-password", ip="10.2.2.2").status_code == 401
    assert form_attempt(client, victim["email"], victim["password"], ip="10.2.2.2").status_code == 429
    assert form_attempt(client, user["email"], user["password"], ip="10.2.2.2").status_code == 302


def test_form_and_api_failures_count_together(client, create_user):
    user = create_user(role="clerk")
    for _ in range(3):
        assert form_attempt(client, user["email"], "wrong-password").status_code == 401
    for _ in range(2):
        assert api_attempt(client, user["email"], "wrong-password").status_code == 401
    assert api_attempt(client, user["email"], user["password"]).status_code == 429


def test_form_login_works_again_after_the_window(client, create_user):
    user = create_user(role="clerk")
    for _ in range(5):
        assert form_attempt(client, user["email"], "wrong-password").status_code == 401
    assert form_attempt(client, user["email"], user["password"]).status_code == 429
    with later(61):
        assert form_attempt(client, user["email"], user["password"]).status_code == 302


def test_form_inactive_user_cannot_sign_in(app, client, create_user):
    user = create_user(role="clerk")
    from core.extensions import db

    with app.app_context():
        db.session.scalar(select(User).where(User.id == user["id"])).active = False
        db.session.commit()
    assert form_attempt(client, user["email"], user["password"]).status_code == 401
    assert api_attempt(client, user["email"], user["password"]).status_code == 401
