"""The login throttle under attack: parallel guesses, hostile e-mail addresses, and what it stores.

Password checks are counted by the audit rows "login.failed" (one per checked wrong password) and
by the 401 answers: a throttled attempt answers 429 before any password is checked.
"""
import json
import threading

import pytest
from sqlalchemy import func, select

from accounts.models import ThrottleCounter
from core.audit import AuditEntry
from core.extensions import db
from tests.accounts.web import count_rows, csrf_token
from tests.threads import run_together

TOKENS = "/api/v1/auth/tokens"
PARALLEL = 20


def api_attempt(client, email, password, ip="127.0.0.1"):
    return client.post(TOKENS, json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip})


def failed_logins(app):
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == "login.failed")).all()


def in_parallel(app, attempt, n=PARALLEL):
    """``attempt(client)`` in ``n`` threads, each with its own test client, released together: the statuses."""
    statuses = []

    def run(_i, barrier):
        client = app.test_client()
        barrier.wait(timeout=60)
        statuses.append(attempt(client).status_code)

    run_together(run, range(n))
    return statuses


def test_twenty_parallel_wrong_passwords_have_at_most_five_checked(app, create_user):
    user = create_user()
    statuses = in_parallel(app, lambda client: api_attempt(client, user["email"], "wrong-password"))
    assert sorted(set(statuses)) == [401, 429], statuses
    assert statuses.count(401) == 5
    assert statuses.count(429) == PARALLEL - 5
    assert len(failed_logins(app)) == 5  # five passwords checked, no more
    # and the account stays throttled for its correct password
    assert api_attempt(app.test_client(), user["email"], user["password"]).status_code == 429


def test_twenty_parallel_form_logins_from_twenty_addresses_have_at_most_five_checked(app, create_user):
    user = create_user(role="clerk")

    def attempt(client):
        token = csrf_token(client, "/login")
        ip = f"10.9.0.{threading.get_ident() % 250 + 1}"
        return client.post("/login", data={"csrf_token": token, "email": user["email"], "password": "wrong-password"},
                           environ_base={"REMOTE_ADDR": ip})

    statuses = in_parallel(app, attempt)
    assert statuses.count(401) == 5 and statuses.count(429) == PARALLEL - 5, statuses
    assert len(failed_logins(app)) == 5


def test_a_success_clears_the_accounts_failures(client, create_user):
    user = create_user()
    for _ in range(4):
        assert api_attempt(client, user["email"], "wrong-password").status_code == 401
    assert api_attempt(client, user["email"], user["password"]).status_code == 201
    for _ in range(5):
        assert api_attempt(client, user["email"], "wrong-password").status_code == 401
    assert api_attempt(client, user["email"], user["password"]).status_code == 429


def stored_bytes(app):
    """What the throttle and the audit log hold, in characters."""
    with app.app_context():
        keys = db.session.scalars(select(ThrottleCounter.key)).all()
        details = db.session.scalars(select(AuditEntry.details)).all()
    return sum(len(k) for k in keys) + sum(len(json.dumps(d, ensure_ascii=False)) for d in details)


def test_a_10_mib_email_over_the_api_is_refused_and_not_stored(app, client):
    huge = "a" * (10 * 1024 * 1024) + "@test.example"
    for _ in range(5):
        response = api_attempt(client, huge, "wrong-password")
        assert response.status_code in (413, 422), response.status_code  # too big a body, or too long an e-mail
    assert stored_bytes(app) < 5_000
    with app.app_context():
        assert (db.session.scalar(select(func.max(func.length(ThrottleCounter.key)))) or 0) <= 80


def test_a_long_email_in_the_form_is_refused_and_not_stored(app, client):
    long_email = "b" * 500_000 + "@test.example"
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "email": long_email, "password": "x" * 12})
    assert response.status_code in (413, 422)  # the form's limit, or the field's
    assert stored_bytes(app) < 2_000
    assert failed_logins(app) == []  # refused before the throttle and the audit log


def test_an_implausible_address_that_reaches_the_throttle_is_audited_as_a_marker(app):
    from accounts.services import authenticate

    with app.test_request_context("/login", method="POST"):
        assert authenticate("b" * 300 + "@test.example", "x" * 12, "192.0.2.1") is None
        db.session.commit()
    [row] = failed_logins(app)
    assert row.details["email"].startswith("<invalid address: 313 characters, sha256 ")


@pytest.mark.parametrize("email", ["nul\x00@test.example", "tab\t@test.example", "a@b@c", "\ud800@test.example"])
def test_a_hostile_email_at_login_is_a_401_never_a_500(app, client, email):
    response = client.post(TOKENS, data=json.dumps({"email": email, "password": "wrong-password"}),
                           content_type="application/json")
    assert response.status_code in (401, 422), response.get_data(as_text=True)[:300]
    assert count_rows(app, ThrottleCounter) <= 3


def test_a_plausible_address_is_audited_normalised(app, client):
    assert api_attempt(client, "  Someone@Test.Example ", "wrong-password").status_code == 401
    [row] = failed_logins(app)
    assert row.details["email"] == "someone@test.example"
    assert row.ip == "127.0.0.1"


def test_throttle_keys_are_digests_not_addresses(app, client):
    assert api_attempt(client, "someone@test.example", "wrong-password", ip="10.3.3.3").status_code == 401
    with app.app_context():
        keys = db.session.scalars(select(ThrottleCounter.key)).all()
    assert len(keys) == 3  # the account, the (address, account) pair, the address
    assert all("someone" not in k and "10.3.3.3" not in k and len(k) <= 80 for k in keys)


def test_ended_windows_are_pruned_and_live_ones_kept(app, monkeypatch):
    import datetime as dt

    from accounts import throttle
    from core.models import utcnow

    monkeypatch.setattr(throttle, "PRUNE_CHANCE", 0)  # no reservation prunes by chance: the test prunes itself
    now = utcnow()
    with app.app_context():
        throttle.reserve([throttle.key("acct", "old@test.example")], 60, now=now - dt.timedelta(minutes=5))
        counts = throttle.reserve([throttle.key("acct", "new@test.example")] * 2, 60, now=now)
        assert list(counts.values()) == [1]  # one key given twice counts once
        assert throttle.prune(now) == 1
        assert db.session.scalars(select(ThrottleCounter.key)).all() == [throttle.key("acct", "new@test.example")]
        # a window that has ended starts again at 1
        again = throttle.reserve([throttle.key("acct", "new@test.example")], 60, now=now + dt.timedelta(seconds=61))
        assert list(again.values()) == [1]
