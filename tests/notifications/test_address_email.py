"""E-mail to an address without an account (an outbox event with params["email_to"]): the registration's
confirmation travels over real SMTP (aiosmtpd on loopback) and its link creates the account."""
import re

import pytest
from sqlalchemy import select

from core.extensions import db
from notifications.models import OutboxDelivery
from notifications.worker import expand_outbox
from tests.accounts.web import csrf_token
from tests.notifications.support import deliver_until_idle

REGISTRATION = {
    "name": "上海澄川智能科技有限公司", "credit_code": "91310115MA1H7GQ5XY", "district": "pudong",
    "contact_person": "王敏", "phone": "13800000001", "email": "Legal@ChengChuan.example",
    "password": "a-long-password",
}


def send_all(app):
    with app.app_context():
        expand_outbox()
    return deliver_until_idle(app)


@pytest.mark.config(PUBLIC_BASE_URL="https://tradesecret.example")
def test_the_confirmation_email_reaches_the_address_and_its_link_creates_the_account(app, client, smtp):
    smtp.start()
    assert client.post("/api/v1/enterprises", json=REGISTRATION).status_code == 202
    assert send_all(app) == {"sent": 1, "retrying": 0, "dead": 0}
    [message] = smtp.messages
    assert message["To"] == "legal@chengchuan.example"
    assert message["Content-Language"] == "zh-CN"
    body = message.get_content()
    assert "上海澄川智能科技有限公司" in body and "\n-- \n" not in body  # no preferences footer: no account
    link = re.search(r"https://tradesecret\.example(/register/confirm/[A-Za-z0-9_-]+)", body).group(1)
    with app.app_context():
        delivery = db.session.scalar(select(OutboxDelivery))
        assert delivery.user_id is None and delivery.email_to == "legal@chengchuan.example"
    assert client.post(link, data={"csrf_token": csrf_token(client, link)}).status_code == 302
    assert client.post("/api/v1/auth/tokens", json={"email": "legal@chengchuan.example",
                                                    "password": "a-long-password"}).status_code == 201


def test_a_known_address_is_told_so_in_its_language_and_pointed_to_the_password_reset(app, client, smtp,
                                                                                      create_user):
    create_user(email="legal@chengchuan.example")
    smtp.start()
    assert client.post("/api/v1/enterprises", json={**REGISTRATION, "language": "en"}).status_code == 202
    assert send_all(app)["sent"] == 1
    [message] = smtp.messages
    assert message["To"] == "legal@chengchuan.example"
    body = message.get_content()
    assert "already has an account" in body and "reset" in body
    assert "/register/confirm/" not in body


def test_a_known_credit_code_is_told_to_ask_the_existing_user(app, client, smtp, create_org):
    create_org(credit_code=REGISTRATION["credit_code"])
    smtp.start()
    assert client.post("/api/v1/enterprises", json={**REGISTRATION, "language": "en"}).status_code == 202
    assert send_all(app)["sent"] == 1
    body = smtp.messages[0].get_content()
    assert "already has an account" in body and "existing user" in body
    assert "/register/confirm/" not in body
