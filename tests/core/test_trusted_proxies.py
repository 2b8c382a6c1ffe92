"""X-Forwarded-For is believed only from the proxies in TRUSTED_PROXIES, read right to left by address.

The address the application sees is observed where it is used: the audit row of a failed login and
the login throttle's per-address counting.
"""
import ipaddress

import pytest
from sqlalchemy import select

from app import create_app
from core.audit import AuditEntry
from core.extensions import db
from core.security import TrustedProxies, parse_networks

TOKENS = "/api/v1/auth/tokens"


def seen_address(app, client, remote, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    response = client.post(TOKENS, json={"email": "nobody@test.example", "password": "wrong-password"},
                           headers=headers, environ_base={"REMOTE_ADDR": remote})
    assert response.status_code == 401
    with app.app_context():
        ip = db.session.scalars(select(AuditEntry.ip).where(AuditEntry.action == "login.failed")
                                .order_by(AuditEntry.id.desc())).first()
        db.session.execute(AuditEntry.__table__.delete())
        db.session.commit()
    return ip


def test_by_default_the_header_is_ignored(app, client):
    assert seen_address(app, client, "10.0.0.5", "203.0.113.7") == "10.0.0.5"


@pytest.mark.config(TRUSTED_PROXIES="10.0.0.0/8, 2001:db8::1")
@pytest.mark.parametrize("remote, forwarded, expected", [
    ("10.0.0.5", "203.0.113.7", "203.0.113.7"),  # the proxy's client
    ("10.0.0.5", "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # right-most: the left one may be forged
    ("10.0.0.5", "198.51.100.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),  # a chain of trusted proxies
    ("10.0.0.5", "10.0.0.8, 10.0.0.9", "10.0.0.8"),  # all trusted: the left-most
    ("10.0.0.5", "203.0.113.7, not-an-address", "10.0.0.5"),  # garbage next to the proxy: nothing believed
    ("10.0.0.5", "not-an-address, 203.0.113.7", "203.0.113.7"),
    ("10.0.0.5", "", "10.0.0.5"),
    ("2001:db8::1", "2001:db8::beef", "2001:db8::beef"),
    ("192.0.2.1", "203.0.113.7", "192.0.2.1"),  # not a trusted proxy: its header is ignored
    ("192.0.2.1", "10.0.0.5", "192.0.2.1"),
])
def test_the_header_is_read_only_from_trusted_proxies(app, client, remote, forwarded, expected):
    assert seen_address(app, client, remote, forwarded) == expected


@pytest.mark.config(TRUSTED_PROXIES="10.0.0.1")
def test_behind_the_proxy_each_client_is_throttled_on_its_own(client, create_user):
    victim = create_user()
    user = create_user()

    def attempt(email, password, client_ip):
        return client.post(TOKENS, json={"email": email, "password": password},
                           headers={"X-Forwarded-For": client_ip}, environ_base={"REMOTE_ADDR": "10.0.0.1"})

    for _ in range(5):
        assert attempt(victim["email"], "wrong-password", "203.0.113.7").status_code == 401
    assert attempt(user["email"], user["password"], "203.0.113.7").status_code == 201
    assert attempt(user["email"], user["password"], "203.0.113.8").status_code == 201


def test_a_forged_header_does_not_escape_the_throttle_without_trusted_proxies(client, create_user):
    user = create_user()
    for n in range(5):
        response = client.post(TOKENS, json={"email": user["email"], "password": "wrong-password"},
                               headers={"X-Forwarded-For": f"203.0.113.{n}"})
        assert response.status_code == 401
    response = client.post(TOKENS, json={"email": user["email"], "password": user["password"]},
                           headers={"X-Forwarded-For": "203.0.113.99"})
    assert response.status_code == 429


def test_an_unparsable_trusted_proxies_setting_stops_the_start():
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        create_app({"APP_ENV": "testing", "DATABASE_URL": "sqlite://", "TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"})


def test_networks_parse_from_a_list_or_a_string():
    assert parse_networks("") == ()
    assert parse_networks(["10.0.0.1", "fd00::/8"]) == (ipaddress.ip_network("10.0.0.1/32"),
                                                        ipaddress.ip_network("fd00::/8"))
    middleware = TrustedProxies(None, parse_networks("10.0.0.1"))
    assert middleware.client_address("10.0.0.1", " 203.0.113.7 ") == "203.0.113.7"
    assert middleware.client_address("10.0.0.2", "203.0.113.7") == "10.0.0.2"
