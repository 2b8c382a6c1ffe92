"""Two-step verification (TOTP): required for staff, optional for enterprises; recovery codes; a code works
once; enrolment needs the password and is audited; throttled attempts; the API token endpoint asks for it."""
import datetime as dt
import re

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from accounts.models import AuthToken, MfaChallenge, UserMfa
from core.audit import AuditEntry
from tests.accounts.web import CSRF_INPUT, csrf_token, enrol_on_page, web_login
from tests.conftest import token_request
from tests.totp import next_code
from tests.threads import run_together

# the middle of a 30-second step: the code of that step stays the current one for the whole test


def t0() -> dt.datetime:
    """A moment 15 s into a 30-second step, three steps from now: later than the step the factory's
    enrolment used (a code of that step or an earlier one is refused as used) and far from a step's edge.
    Computed when the test runs, never a fixed date."""
    now = int(dt.datetime.now(dt.UTC).timestamp())
    return dt.datetime.fromtimestamp((now // 30 + 3) * 30 + 15, dt.UTC)


def password_step(client, user, next_url=None):
    token = csrf_token(client, "/login")
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"csrf_token": token, "email": user["email"], "password": user["password"]})


def code_step(client, code):
    return client.post("/login/mfa", data={"csrf_token": csrf_token(client, "/login/mfa"), "code": code})


def audit_actions(app, user_id=None):
    from core.extensions import db

    with app.app_context():
        query = select(AuditEntry.action).order_by(AuditEntry.id)
        if user_id is not None:
            query = query.where(AuditEntry.actor_id == user_id)
        return list(db.session.scalars(query))


def sign_out(client):
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/account")}).status_code == 302


# --- the second step at login ---------------------------------------------------------------------

def test_staff_password_alone_starts_no_session(client, create_user):
    user = create_user(role="clerk")
    response = password_step(client, user)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/mfa")
    assert client.get("/account").status_code == 302  # not signed in yet
    assert client.get("/centre/queue").status_code == 302


def test_the_code_completes_the_login_and_keeps_next(app, client, create_user):
    user = create_user(role="agency_officer")
    password_step(client, user, next_url="/account")
    response = code_step(client, next_code(user))
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    assert client.get("/account").status_code == 200
    assert {"mfa.verified", "login.succeeded"} <= set(audit_actions(app, user["id"]))


def test_a_wrong_code_is_401_audited_and_signs_nobody_in(app, client, create_user):
    user = create_user(role="supervisor")
    password_step(client, user)
    response = code_step(client, "000000" if next_code(user) != "000000" else "111111")
    assert response.status_code == 401
    assert 'data-testid="mfa-error"' in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    assert "mfa.failed" in audit_actions(app, user["id"])


def test_a_totp_code_is_refused_the_second_time(client, create_user):
    user = create_user(role="clerk")
    T0 = t0()
    with time_machine.travel(T0, tick=False):
        code = pyotp.TOTP(user["totp_secret"]).now()
        password_step(client, user)
        assert code_step(client, code).status_code == 302
        sign_out(client)
        password_step(client, user)
        assert code_step(client, code).status_code == 401  # the same code, same step: used
        assert client.get("/account").status_code == 302


def test_an_older_code_is_refused_after_a_newer_one_was_used(client, create_user):
    user = create_user(role="clerk")
    T0 = t0()
    with time_machine.travel(T0, tick=False):
        totp = pyotp.TOTP(user["totp_secret"])
        step = int(T0.timestamp()) // 30
        password_step(client, user)
        assert code_step(client, totp.generate_otp(step + 1)).status_code == 302  # one step ahead: accepted
        sign_out(client)
        password_step(client, user)
        assert code_step(client, totp.generate_otp(step)).status_code == 401


def test_a_recovery_code_works_once(app, client, create_user):
    user = create_user(role="admin")
    code = user["recovery_codes"][0]
    password_step(client, user)
    assert code_step(client, code.lower()).status_code == 302  # case and dashes do not matter
    assert "mfa.recovery_code_used" in audit_actions(app, user["id"])
    sign_out(client)
    password_step(client, user)
    assert code_step(client, code).status_code == 401


def test_five_wrong_codes_end_the_challenge(app, client, create_user):
    user = create_user(role="clerk")
    password_step(client, user)
    for _ in range(5):
        assert code_step(client, "not-a-code").status_code == 401
    assert code_step(client, next_code(user)).status_code == 429  # even the right code: sign in again
    assert client.get("/account").status_code == 302
    assert "mfa.throttled" in audit_actions(app, user["id"])


def test_wrong_codes_count_per_user_across_sign_ins(app, client, create_user):
    user = create_user(role="clerk")
    limit = app.config["MFA_USER_MAX_ATTEMPTS"]
    statuses = []
    for _ in range(limit // 5 + 1):
        password_step(client, user)  # each sign-in with the right password allows 5 codes...
        for _ in range(5):
            statuses.append(code_step(client, "not-a-code").status_code)
            if statuses[-1] == 429:
                break
    # ...but not more than the per-user ceiling, over all of them
    assert statuses == [401] * limit + [429]
    password_step(client, user)
    assert code_step(client, next_code(user)).status_code == 429


def test_an_enterprise_without_mfa_signs_in_with_its_password(client, create_user):
    user = create_user(role="enterprise_user")
    response = password_step(client, user)
    assert response.status_code == 302 and not response.headers["Location"].endswith("/login/mfa")
    assert client.get("/account").status_code == 200


# --- staff who must enrol ---------------------------------------------------------------------------

def test_staff_without_enrolment_can_reach_nothing_but_enrolment(app, client, create_user):
    user = create_user(role="clerk", mfa=False)
    response = password_step(client, user)
    assert response.headers["Location"].endswith("/account/mfa")
    for url in ("/account", "/centre/queue", "/notifications", "/account/password", "/login/mfa"):
        assert client.get(url).status_code == 302, url
        assert "/account/mfa" not in client.get(url).headers["Location"] or url == "/login/mfa"
    page = client.get("/account/mfa")
    assert page.status_code == 200 and 'data-testid="mfa-required"' in page.get_data(as_text=True)
    # the API gives no token before enrolment either
    assert client.post("/api/v1/auth/tokens", json=token_request(user)).status_code == 403

    response = enrol_on_page(client, user)
    assert len(user["recovery_codes"]) == 10
    assert client.get("/account").status_code == 200  # enrolled: the session has started
    assert {"mfa.enrolment_started", "mfa.enrolled", "login.succeeded"} <= set(audit_actions(app, user["id"]))


def test_enrolment_without_the_password_is_refused(app, client, create_user):
    user = create_user(role="agency_officer", mfa=False)
    password_step(client, user)
    token = csrf_token(client, "/account/mfa")
    for password in ("", "wrong-password-here"):
        response = client.post("/account/mfa", data={"csrf_token": token, "password": password})
        assert response.status_code == 422
        assert 'data-testid="totp-secret"' not in response.get_data(as_text=True)
    from core.extensions import db

    with app.app_context():
        assert db.session.get(UserMfa, user["id"]) is None  # no secret was even generated
    # confirming without a started enrolment does nothing either
    response = client.post("/account/mfa/confirm", data={"csrf_token": token, "code": "123456"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/mfa")
    assert client.get("/account").status_code == 302


def test_a_wrong_confirmation_code_is_refused_and_audited(app, client, create_user):
    user = create_user(role="clerk", mfa=False)
    password_step(client, user)
    page = client.post("/account/mfa", data={"csrf_token": csrf_token(client, "/account/mfa"),
                                             "password": user["password"]})
    html = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html  # the QR code is rendered here, inline
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', html).group(1)
    token = CSRF_INPUT.search(html).group(1)
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    response = client.post("/account/mfa/confirm", data={"csrf_token": token, "code": wrong})
    assert response.status_code == 422
    assert "mfa.enrolment_failed" in audit_actions(app, user["id"])
    assert client.get("/account").status_code == 302


def test_the_totp_secret_is_encrypted_at_rest(app, create_user):
    user = create_user(role="clerk")
    from core.extensions import db

    with app.app_context():
        row = db.session.get(UserMfa, user["id"])
        assert row.secret_enc and user["totp_secret"].encode() not in row.secret_enc
        assert row.pending_secret_enc is None


def test_a_staff_session_dies_when_its_enrolment_is_removed(app, client, runner, create_user):
    user = create_user(role="clerk")
    web_login(client, user)
    assert client.get("/account").status_code == 200
    result = runner.invoke(args=["users", "reset-mfa", user["email"]])
    assert result.exit_code == 0, result.output
    assert client.get("/account").status_code == 302
    assert password_step(client, user).headers["Location"].endswith("/account/mfa")  # enrols again
    assert "mfa.reset_by_admin" in audit_actions(app)


# --- on the account page ------------------------------------------------------------------------------

def test_an_enterprise_may_enrol_and_is_then_asked_for_a_code(app, client, create_user):
    user = create_user(role="enterprise_user")
    web_login(client, user)
    assert "Two-step verification is off" in client.get("/account/mfa").get_data(as_text=True)
    token = csrf_token(client, "/account/mfa")
    assert client.post("/account/mfa", data={"csrf_token": token, "password": "wrong-password-here"}
                       ).status_code == 422
    enrol_on_page(client, user)
    assert "mfa.enrolled" in audit_actions(app, user["id"])
    sign_out(client)
    assert password_step(client, user).headers["Location"].endswith("/login/mfa")
    assert code_step(client, next_code(user)).status_code == 302


def test_re_enrolment_needs_the_password_and_replaces_the_old_secret(app, client, create_user):
    user = create_user(role="clerk")
    old_secret = user["totp_secret"]
    web_login(client, user)
    enrol_on_page(client, user)  # with the password, a new secret
    assert user["totp_secret"] != old_secret
    assert "mfa.reset" in audit_actions(app, user["id"])
    sign_out(client)
    password_step(client, user)
    stale = pyotp.TOTP(old_secret).now()
    if stale != pyotp.TOTP(user["totp_secret"]).now():
        assert code_step(client, stale).status_code == 401


def test_an_enterprise_may_turn_mfa_off_with_its_password_staff_may_not(app, client, create_user):
    user = create_user(role="enterprise_user", mfa=True)
    web_login(client, user)
    token = csrf_token(client, "/account/mfa")
    response = client.post("/account/mfa", data={"csrf_token": token, "action": "disable", "password": user["password"]})
    assert response.status_code == 302
    assert "mfa.disabled" in audit_actions(app, user["id"])
    sign_out(client)
    assert not password_step(client, user).headers["Location"].endswith("/login/mfa")

    clerk = create_user(role="clerk")
    other = app.test_client()
    web_login(other, clerk)
    assert "Turn off two-step verification" not in other.get("/account/mfa").get_data(as_text=True)
    token = csrf_token(other, "/account/mfa")
    assert other.post("/account/mfa", data={"csrf_token": token, "action": "disable",
                                            "password": clerk["password"]}).status_code == 403


# --- the API --------------------------------------------------------------------------------------------

def test_the_token_endpoint_needs_a_code_for_a_user_with_mfa(app, client, create_user):
    user = create_user(role="agency_officer")
    body = {"email": user["email"], "password": user["password"]}
    response = client.post("/api/v1/auth/tokens", json=body)
    assert response.status_code == 422 and "totp" in response.get_json()["errors"]
    T0 = t0()
    with time_machine.travel(T0, tick=False):
        code = pyotp.TOTP(user["totp_secret"]).now()
        assert client.post("/api/v1/auth/tokens", json={**body, "totp": code}).status_code == 201
        again = client.post("/api/v1/auth/tokens", json={**body, "totp": code})
        assert again.status_code == 422 and "totp" in again.get_json()["errors"]  # a code works once
    recovery = client.post("/api/v1/auth/tokens", json={**body, "totp": user["recovery_codes"][0]})
    assert recovery.status_code == 201
    assert client.post("/api/v1/auth/tokens", json={**body, "totp": user["recovery_codes"][0]}).status_code == 422
    actions = audit_actions(app, user["id"])
    assert "mfa.verified" in actions and "mfa.failed" in actions


def test_the_token_endpoint_throttles_wrong_codes(app, client, create_user):
    user = create_user(role="agency_officer")
    body = {"email": user["email"], "password": user["password"], "totp": "not-a-code"}
    limit = app.config["MFA_USER_MAX_ATTEMPTS"]
    statuses = [client.post("/api/v1/auth/tokens", json=body).status_code for _ in range(limit + 1)]
    assert statuses[:limit] == [422] * limit and statuses[limit] == 429
    assert client.post("/api/v1/auth/tokens", json=token_request(user)).status_code == 429


def test_an_api_key_needs_no_code(app, create_user):
    """Administrators' agency API keys are machine credentials: no second factor."""
    from accounts import services
    from accounts.models import User
    from core.extensions import db

    admin = create_user(role="admin")
    officer = create_user(role="agency_officer")
    with app.app_context():
        raw, _token = services.issue_api_key(db.session.get(User, admin["id"]), db.session.get(User, officer["id"]),
                                             "police system")
        db.session.commit()
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


@pytest.mark.config(MFA_REQUIRED_ROLES=())
def test_the_roles_that_require_mfa_are_a_setting(client, create_user):
    user = create_user(role="clerk")
    assert "totp_secret" not in user
    response = password_step(client, user)
    assert response.status_code == 302 and not response.headers["Location"].endswith("/account/mfa")
    assert client.get("/account").status_code == 200


def test_challenges_are_server_side_and_single_use(app, client, create_user):
    user = create_user(role="clerk")
    password_step(client, user)
    with client.session_transaction() as session:
        raw = session["mfa"]
    assert code_step(client, next_code(user)).status_code == 302
    from core.extensions import db

    with app.app_context():
        challenge = db.session.scalar(select(MfaChallenge).where(MfaChallenge.user_id == user["id"]))
        assert challenge.token_hash != raw and challenge.completed_at is not None
        assert db.session.scalar(select(AuthToken).where(AuthToken.user_id == user["id"])) is not None
    other = app.test_client()
    with other.session_transaction() as session:
        session["mfa"] = raw  # replaying the finished challenge
    assert other.get("/login/mfa").status_code == 302


def test_an_unknown_role_in_the_setting_refuses_to_start(database_urls):
    from app import create_app

    with pytest.raises(RuntimeError, match="MFA_REQUIRED_ROLES"):
        create_app({"APP_ENV": "testing", "DATABASE_URL": database_urls["sqlite"], "MFA_REQUIRED_ROLES": "clerk,boss"})
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": database_urls["sqlite"], "MFA_REQUIRED_ROLES": "clerk"})
    from accounts import mfa
    from accounts.enums import Role

    with app.app_context():
        assert mfa.required_roles() == {Role.clerk}


def test_one_code_sent_in_parallel_gives_one_token(app, create_user):
    """The used-once rule is an atomic UPDATE of the last step: parallel requests cannot both pass.

    Five requests, the login throttle's limit per account: a sixth could be refused by the throttle (429)."""
    user = create_user(role="agency_officer")
    body = {"email": user["email"], "password": user["password"], "totp": next_code(user)}
    statuses = []

    def attempt(_i, barrier):
        client = app.test_client()
        barrier.wait(timeout=60)
        statuses.append(client.post("/api/v1/auth/tokens", json=body).status_code)

    run_together(attempt, range(5))
    assert sorted(statuses) == [201] + [422] * 4, statuses


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "１２３４５６", "\x00" * 6, "💥" * 30, "1" * 64, ""])
def test_hostile_codes_are_wrong_codes_never_500(client, create_user, code):
    user = create_user(role="clerk")
    password_step(client, user)
    # a NUL is refused with every form value before any view reads it (core/limits.py)
    assert code_step(client, code).status_code == (422 if "\x00" in code else 401)
    body = {"email": user["email"], "password": user["password"], "totp": code}
    assert client.post("/api/v1/auth/tokens", json=body).status_code == 422


def test_the_user_is_told_of_every_change_of_its_second_factor(app, client, create_user):
    from core.extensions import db
    from core.outbox import OutboxEvent

    user = create_user(role="enterprise_user")
    web_login(client, user)
    enrol_on_page(client, user)
    enrol_on_page(client, user)
    token = csrf_token(client, "/account/mfa")
    client.post("/account/mfa", data={"csrf_token": token, "action": "disable", "password": user["password"]})
    with app.app_context():
        rows = db.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "account.mfa_changed")
                                  .order_by(OutboxEvent.id)).all()
        assert [(r.user_ids, r.params["change"]) for r in rows] == [([str(user["id"])], c)
                                                                    for c in ("reset", "disabled")]
