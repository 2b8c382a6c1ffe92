"""Webhooks to a real HTTP receiver on loopback: signed, retried after a 500, delivered once; dead after the
configured attempts, shown to administrators, retried; invalid URLs refused with nothing saved; only public
addresses (or allow-listed networks) reached, checked at registration and on delivery; no read-back."""
import datetime as dt
import hashlib
import hmac
import json
import re

import pytest
import time_machine
from sqlalchemy import select

from core.extensions import db
from notifications.models import DeliveryState, OutboxDelivery, WebhookEndpoint
from tests.accounts.web import csrf_token, field_errors, web_login
from tests.notifications.support import count, deliver_until_idle
from tests.paging import every

T0 = dt.datetime(2026, 10, 12, 1, 0, tzinfo=dt.UTC)
PARAMS = {"reference": "SH-2026-00042", "enterprise": "上海澄川智能科技有限公司", "letter_number": "沪商秘移〔2026〕7号"}


@pytest.fixture(autouse=True)
def loopback_allowed(app):
    """The tests' receiver listens on loopback: allowed here as an administrator would allow a private network
    (the SSRF tests below take it away again)."""
    from app import parse_networks

    app.config["WEBHOOK_ALLOWED_NETWORKS"] = parse_networks("127.0.0.1/32, ::1/128")


@pytest.fixture
def agency(create_org):
    """An agency without users: its only channel here is the webhook."""
    return create_org(kind="market_regulation", district="putuo", name="上海市普陀区市场监督管理局")


@pytest.fixture
def admin(create_user):
    return create_user("admin")


def register_webhook(api_login, admin, agency, url) -> str:
    response = api_login(admin).post("/api/v1/admin/webhooks", json={"organisation_id": str(agency), "url": url})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["secret"]


def referral_received(app, agency):
    from notifications.outbox import notify

    with app.app_context(), time_machine.travel(T0, tick=False):
        notify("referral.received", organisations=[agency], params=PARAMS, subject_type="referral",
               subject_id="5d8d2f3c-0000-4000-8000-000000000001", url="/agency/referrals/5d8d2f3c")
        db.session.commit()
        return db.session.scalars(select(OutboxDelivery.public_id)).one()


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@pytest.mark.config(PUBLIC_BASE_URL="https://tradesecret.example")
def test_a_receiver_answering_500_then_200_gets_the_event_once_signed(app, api_login, admin, agency, receiver):
    secret = register_webhook(api_login, admin, agency, receiver.url)
    delivery_id = referral_received(app, agency)
    receiver.statuses = [500]

    assert deliver_until_idle(app, T0) == {"sent": 0, "retrying": 1, "dead": 0}
    with app.app_context():
        row = db.session.scalars(select(OutboxDelivery)).one()
        assert row.state is DeliveryState.pending and row.attempts == 1 and "HTTP 500" in row.last_error
    assert deliver_until_idle(app, T0 + dt.timedelta(hours=1)) == {"sent": 1, "retrying": 0, "dead": 0}
    assert deliver_until_idle(app, T0 + dt.timedelta(days=1)) == {"sent": 0, "retrying": 0, "dead": 0}

    assert len(receiver.requests) == 2  # the failed attempt and the good one; nothing after
    (first, first_body), (second, body) = receiver.requests
    assert first["x-delivery-id"] == second["x-delivery-id"] == str(delivery_id)  # stable across retries
    assert first_body == body
    assert first["x-signature-timestamp"] == str(int(T0.timestamp()))
    assert second["x-signature-timestamp"] == str(int((T0 + dt.timedelta(hours=1)).timestamp()))
    for headers, received in receiver.requests:
        assert hmac.compare_digest(headers["x-signature"],
                                   expected_signature(secret, headers["x-signature-timestamp"], received))
        assert headers["content-type"].startswith("application/json")
    # the signature covers the body and the timestamp: any change breaks it
    assert second["x-signature"] != expected_signature(secret, second["x-signature-timestamp"], body + b" ")
    assert second["x-signature"] != expected_signature(secret, first["x-signature-timestamp"], body)

    payload = json.loads(body)
    assert payload == {
        "event_id": payload["event_id"], "delivery_id": str(delivery_id), "event": "referral.received",
        "occurred_at": payload["occurred_at"], "subject_type": "referral",
        "subject_id": "5d8d2f3c-0000-4000-8000-000000000001", "data": PARAMS,
        "url": "https://tradesecret.example/agency/referrals/5d8d2f3c"}
    with app.app_context():  # the event's id is its item's in the agency's changes feed
        from core.changes import ChangeEvent

        assert str(db.session.scalars(select(ChangeEvent.event_id)).one()) == payload["event_id"]
    assert dt.datetime.fromisoformat(payload["occurred_at"]).tzinfo is not None
    with app.app_context():
        row = db.session.scalars(select(OutboxDelivery)).one()
        assert row.state is DeliveryState.sent and row.attempts == 2 and row.last_error is None


def test_a_redirect_is_a_failure_not_a_silent_get(app, api_login, admin, agency, receiver):
    register_webhook(api_login, admin, agency, receiver.url)
    referral_received(app, agency)
    receiver.statuses = [302]
    assert deliver_until_idle(app, T0) == {"sent": 0, "retrying": 1, "dead": 0}
    assert deliver_until_idle(app, T0 + dt.timedelta(hours=1)) == {"sent": 1, "retrying": 0, "dead": 0}
    assert len(receiver.requests) == 2


@pytest.mark.config(NOTIFY_MAX_ATTEMPTS=3)
def test_after_the_last_attempt_the_delivery_is_dead_shown_to_admins_and_can_be_retried(
        app, client, api_login, admin, agency, receiver, create_user):
    register_webhook(api_login, admin, agency, receiver.url)
    delivery_id = referral_received(app, agency)
    receiver.statuses = [500] * 3

    outcomes = [deliver_until_idle(app, T0 + dt.timedelta(hours=2 * i)) for i in range(4)]
    assert outcomes == [{"sent": 0, "retrying": 1, "dead": 0}, {"sent": 0, "retrying": 1, "dead": 0},
                        {"sent": 0, "retrying": 0, "dead": 1}, {"sent": 0, "retrying": 0, "dead": 0}]
    assert len(receiver.requests) == 3
    with app.app_context():
        row = db.session.scalars(select(OutboxDelivery)).one()
        assert row.state is DeliveryState.dead and row.attempts == 3 and row.dead_at is not None
        assert "HTTP 500" in row.last_error
        row_id = row.id

    # others do not see the page at all
    clerk = create_user("clerk")
    web_login(client, clerk)
    assert client.get("/admin/deliveries").status_code == 404
    assert client.post(f"/admin/deliveries/{row_id}/retry",
                       data={"csrf_token": csrf_token(client, "/account")}).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert client.get("/admin/deliveries").status_code == 302  # to the sign-in page

    web_login(client, admin)
    page = client.get("/admin/deliveries")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-public-id="{delivery_id}"' in html and "HTTP 500" in html and "上海市普陀区市场监督管理局" in html
    assert client.post(f"/admin/deliveries/{row_id}/retry").status_code == 400  # no CSRF token
    response = client.post(f"/admin/deliveries/{row_id}/retry",
                           data={"csrf_token": csrf_token(client, "/admin/deliveries")})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(OutboxDelivery, row_id)
        assert row.state is DeliveryState.pending and row.attempts == 0 and row.dead_at is None
    assert f'data-public-id="{delivery_id}"' not in client.get("/admin/deliveries").get_data(as_text=True)

    assert deliver_until_idle(app) == {"sent": 1, "retrying": 0, "dead": 0}
    assert len(receiver.requests) == 4
    assert {h["x-delivery-id"] for h, _b in receiver.requests} == {str(delivery_id)}


@pytest.mark.config(NOTIFY_MAX_ATTEMPTS=2)
def test_dead_deliveries_from_the_command_line(app, runner, smtp, create_user):
    """An e-mail that could not be sent (the SMTP server is down): listed by `flask notifications dead`,
    sent again after `flask notifications retry ID` and `flask notifications deliver`."""
    from notifications.outbox import notify

    user = create_user("clerk", language="zh")
    with app.app_context(), time_machine.travel(T0, tick=False):
        notify("complaint.info_supplied", users=[user["id"]], params=PARAMS)
        db.session.commit()
    deliver_until_idle(app, T0)
    deliver_until_idle(app, T0 + dt.timedelta(hours=1))
    with app.app_context():
        row = db.session.scalars(select(OutboxDelivery)).one()
        assert row.state is DeliveryState.dead
        row_id, public_id = row.id, row.public_id

    listing = runner.invoke(args=["notifications", "dead"])
    assert listing.exit_code == 0, listing.output
    assert re.search(rf"^{row_id}\t{public_id}\temail\tcomplaint.info_supplied\t{re.escape(user['email'])}\t"
                     r"attempts=2\t", listing.stdout, re.M)

    assert runner.invoke(args=["notifications", "retry", "no-such-delivery"]).exit_code == 1
    retried = runner.invoke(args=["notifications", "retry", str(public_id)])
    assert retried.exit_code == 0, retried.output
    assert runner.invoke(args=["notifications", "dead"]).stdout == ""

    smtp.start()
    delivered = runner.invoke(args=["notifications", "deliver"])
    assert delivered.exit_code == 0, delivered.output
    assert "sent 1," in delivered.output
    assert [m["Message-ID"] for m in smtp.messages] == [f"<{public_id}@tradesecret.example>"]
    assert runner.invoke(args=["notifications", "retry", str(row_id)]).exit_code == 1  # sent: nothing to retry


# --- endpoints: administrators only, valid URLs only -------------------------------------------------

BAD_URLS = ["ftp://files.agency.example/hook", "javascript:alert(1)", "http://", "https:///only/a/path",
            "//agency.example/hook", "agency.example/hook", "http://user:pw@agency.example/hook",
            "http://agency.example:99999/hook", "http://agency .example/hook", "", "https://" + "a" * 2000 + ".example"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_invalid_webhook_urls_are_refused_and_nothing_is_saved(app, api_login, admin, agency, url):
    response = api_login(admin).post("/api/v1/admin/webhooks", json={"organisation_id": str(agency), "url": url})
    assert response.status_code == 422
    assert response.get_json()["errors"]["url"]
    with app.app_context():
        assert count(WebhookEndpoint) == 0


def test_webhooks_api_for_administrators_only(app, api_login, admin, agency, create_user, create_org, anonymous_api):
    api = api_login(admin)
    enterprise = create_org(kind="enterprise")
    for organisation_id in (str(enterprise), "not-an-id", "5d8d2f3c-0000-4000-8000-000000000001"):
        response = api.post("/api/v1/admin/webhooks", json={"organisation_id": organisation_id,
                                                           "url": "https://agency.example/hook"})
        assert response.status_code == 422 and response.get_json()["errors"]["organisation_id"]
    created = api.post("/api/v1/admin/webhooks", json={"organisation_id": str(agency),
                                                       "url": "https://agency.example/hook"})
    assert created.status_code == 201
    body = created.get_json()
    assert len(body["secret"]) >= 32 and body["url"] == "https://agency.example/hook"
    again = api.post("/api/v1/admin/webhooks", json={"organisation_id": str(agency), "url": "https://x.example/"})
    assert again.status_code == 422 and again.get_json()["errors"]["organisation_id"]

    listed = every(api, "/api/v1/admin/webhooks")
    assert [w["id"] for w in listed] == [body["id"]] and "secret" not in listed[0]

    officer = api_login(create_user("agency_officer", org_id=agency))
    assert officer.get("/api/v1/admin/webhooks").status_code == 404
    assert officer.post("/api/v1/admin/webhooks", json={"organisation_id": str(agency),
                                                        "url": "https://evil.example/"}).status_code == 404
    assert officer.delete(f"/api/v1/admin/webhooks/{body['id']}").status_code == 404
    assert anonymous_api.get("/api/v1/admin/webhooks").status_code == 401

    assert api.delete(f"/api/v1/admin/webhooks/{body['id']}").status_code == 204
    assert api.delete(f"/api/v1/admin/webhooks/{body['id']}").status_code == 404
    with app.app_context():
        assert count(WebhookEndpoint) == 0


def test_webhooks_page_shows_the_secret_once_and_refuses_bad_urls(app, client, admin, agency):
    web_login(client, admin)
    token = csrf_token(client, "/admin/webhooks")
    refused = client.post("/admin/webhooks", data={"csrf_token": token, "organisation_id": str(agency),
                                                   "url": "javascript:alert(1)"})
    assert refused.status_code == 422
    assert field_errors(refused.get_data(as_text=True), "url")
    with app.app_context():
        assert count(WebhookEndpoint) == 0

    created = client.post("/admin/webhooks", data={"csrf_token": token, "organisation_id": str(agency),
                                                   "url": "https://amr-putuo.example/hooks"})
    assert created.status_code == 201
    secret = re.search(r'<code data-testid="secret">([^<]+)</code>', created.get_data(as_text=True)).group(1)
    with app.app_context():
        endpoint = db.session.scalars(select(WebhookEndpoint)).one()
        assert endpoint.secret == secret and endpoint.url == "https://amr-putuo.example/hooks"
        endpoint_id = endpoint.id
    page = client.get("/admin/webhooks").get_data(as_text=True)
    assert "https://amr-putuo.example/hooks" in page and secret not in page  # shown once only

    deleted = client.post(f"/admin/webhooks/{endpoint_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 302
    with app.app_context():
        assert count(WebhookEndpoint) == 0


# --- SSRF: only public addresses, checked at registration and on delivery, no read-back -----------------

PRIVATE_TARGETS = [
    "http://127.0.0.1/hook", "http://127.1/hook", "http://2130706433/hook", "http://0x7f000001/hook",
    "http://localhost/hook", "http://0.0.0.0/hook", "http://[::1]/hook", "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:169.254.169.254]/latest/meta-data/", "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/hook", "http://10.0.0.5/hook", "http://172.16.3.4/hook", "http://192.168.1.1/hook",
    "http://100.64.0.1/hook", "http://224.0.0.1/hook", "http://240.0.0.1/hook", "http://255.255.255.255/hook",
    "http://[fc00::1]/hook", "http://[64:ff9b::7f00:1]/hook", "http://[2002:7f00:1::]/hook",
    "http://198.18.0.1/hook", "http://192.0.2.1/hook", "https://[::]/hook",
]


@pytest.mark.parametrize("url", PRIVATE_TARGETS)
def test_a_webhook_to_a_non_public_address_is_refused_at_registration(app, api_login, admin, agency, url):
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ()

    response = api_login(admin).post("/api/v1/admin/webhooks", json={"organisation_id": str(agency), "url": url})

    assert response.status_code == 422, url
    assert "public" in response.get_json()["errors"]["url"][0]
    with app.app_context():
        assert count(WebhookEndpoint) == 0


def test_a_public_address_is_accepted_and_an_allow_listed_private_network_too(app, api_login, admin, create_org):
    from app import parse_networks

    app.config["WEBHOOK_ALLOWED_NETWORKS"] = parse_networks("10.20.0.0/16")
    api = api_login(admin)
    for url in ("https://1.1.1.1/hook", "https://[2606:4700:4700::1111]/hook", "http://10.20.3.4:8080/hook"):
        org = create_org(kind="public_security")
        response = api.post("/api/v1/admin/webhooks", json={"organisation_id": str(org), "url": url})
        assert response.status_code == 201, (url, response.get_json())
    refused = api.post("/api/v1/admin/webhooks", json={"organisation_id": str(create_org(kind="court")),
                                                       "url": "http://10.21.0.1/hook"})
    assert refused.status_code == 422


def test_the_web_form_refuses_the_metadata_address(app, client, admin, agency):
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ()
    web_login(client, admin)
    refused = client.post("/admin/webhooks", data={"csrf_token": csrf_token(client, "/admin/webhooks"),
                                                   "organisation_id": str(agency),
                                                   "url": "http://169.254.169.254/latest/meta-data/"})
    assert refused.status_code == 422
    assert field_errors(refused.get_data(as_text=True), "url")


def test_an_endpoint_whose_host_now_leads_to_a_private_address_is_not_called(app, api_login, admin, agency, receiver):
    """Registered while allowed (or a name that later resolves elsewhere, DNS rebinding): every delivery checks
    the addresses again and connects only to checked ones, so the loopback receiver is never reached."""
    register_webhook(api_login, admin, agency, receiver.url.replace("127.0.0.1", "localhost"))
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ()
    referral_received(app, agency)

    assert deliver_until_idle(app, T0) == {"sent": 0, "retrying": 1, "dead": 0}

    assert receiver.requests == []
    with app.app_context():
        row = db.session.scalars(select(OutboxDelivery)).one()
        assert row.last_error in ("address not allowed: 127.0.0.1", "address not allowed: ::1")


def test_the_receivers_answer_is_neither_stored_nor_shown(app, client, api_login, admin, agency, receiver):
    """An SSRF with read-back took the start of an internal service's answer into last_error: only the status
    code is kept now, and the reason phrase (the receiver's words too) is dropped."""
    register_webhook(api_login, admin, agency, receiver.url)
    referral_received(app, agency)
    receiver.statuses = [500]
    deliver_until_idle(app, T0)

    with app.app_context():
        row = db.session.scalars(select(OutboxDelivery)).one()
        assert row.last_error == "HTTP 500"
    app.config["NOTIFY_MAX_ATTEMPTS"] = 1
    receiver.statuses = [404]
    deliver_until_idle(app, T0 + dt.timedelta(hours=1))
    web_login(client, admin)
    page = client.get("/admin/deliveries").get_data(as_text=True)
    assert "HTTP 404" in page and "receiver error" not in page and "Not Found" not in page


def test_a_closed_port_is_a_short_error_class(app, api_login, admin, agency, free_port):
    register_webhook(api_login, admin, agency, f"http://127.0.0.1:{free_port}/hook")
    referral_received(app, agency)

    deliver_until_idle(app, T0)

    with app.app_context():
        assert db.session.scalars(select(OutboxDelivery.last_error)).one() == "connection refused"


# --- HTTPS: the certificate is checked for the URL's host, though the socket goes to the checked address ---

def _certificate(tmp_path):
    """A CA and a certificate for "localhost" it signed, as PEM files (made here: nothing is downloaded)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(text):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("test CA")).issuer_name(name("test CA"))
          .public_key(ca_key.public_key()).serial_number(1).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(name("localhost")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(2).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_file, cert_file, key_file = tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca_file, cert_file, key_file


@pytest.fixture
def tls_receiver(tmp_path):
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    ca_file, cert_file, key_file = _certificate(tmp_path)
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append((self.headers["Host"], self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"port": server.server_address[1], "ca": ca_file, "received": received}
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_https_checks_the_certificate_for_the_urls_host(app, api_login, admin, agency, tls_receiver, monkeypatch):
    port = tls_receiver["port"]
    register_webhook(api_login, admin, agency, f"https://localhost:{port}/hooks")
    referral_received(app, agency)

    # not trusted: the delivery fails on the certificate, nothing is sent
    assert deliver_until_idle(app, T0) == {"sent": 0, "retrying": 1, "dead": 0}
    with app.app_context():
        assert db.session.scalars(select(OutboxDelivery.last_error)).one() == "TLS certificate not valid for the host"
    assert tls_receiver["received"] == []

    # trusted: sent to the checked address (127.0.0.1), with the URL's host in SNI, the check and Host
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_receiver["ca"]))
    assert deliver_until_idle(app, T0 + dt.timedelta(hours=1)) == {"sent": 1, "retrying": 0, "dead": 0}
    [(host, body)] = tls_receiver["received"]
    assert host == f"localhost:{port}" and json.loads(body)["event"] == "referral.received"
