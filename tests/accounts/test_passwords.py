"""Passwords as ASVS 5.0 V6.2 asks: 12 to 128 characters, no composition rules, not a common password (a list
shipped with the code); change with the current password; reset by a single-use e-mailed link."""
import datetime as dt
import re

import pytest
import time_machine
from sqlalchemy import func, select

from accounts.models import PasswordReset
from accounts.passwords import common_passwords, password_problem
from core.outbox import OutboxEvent
from tests.accounts.web import csrf_token, field_errors, web_login
from tests.conftest import PASSWORD, token_request


def registration(password):
    return {"name": "上海测试科技有限公司", "credit_code": "91310115MA1H7GQ5XY", "district": "pudong",
            "contact_person": "王敏", "phone": "13800000001", "email": "legal@test.example", "password": password}


@pytest.mark.parametrize("password", ["1234567890", "password12", "qwerty123456", "Q1W2E3R4T5Y6", "x" * 11, "x" * 129])
def test_short_long_and_common_passwords_are_refused(anonymous_api, password):
    response = anonymous_api.post("/api/v1/enterprises", json=registration(password))
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["password"]


@pytest.mark.parametrize("password", [PASSWORD, "x" * 128, "all lower case words", "密码是一句很长的中文句子", "twelve-chars"])
def test_long_enough_uncommon_passwords_pass_without_composition_rules(anonymous_api, password):
    response = anonymous_api.post("/api/v1/enterprises", json=registration(password))
    assert response.status_code == 202, response.get_json()  # accepted: the confirmation link goes by e-mail


def test_the_common_list_is_shipped_and_read_locally():
    words = common_passwords()
    assert len(words) > 19000
    assert "1234567890" in words and "password12" in words
    assert password_problem("Qwerty123456") == "common"  # compared without case
    assert password_problem(PASSWORD) is None


def test_the_cli_refuses_a_common_password(runner, create_org):
    create_org(kind="rights_center", district="municipal", name="中心")
    result = runner.invoke(args=["users", "create", "--email", "c@x.example", "--name", "c", "--role", "clerk",
                                 "--org", "中心", "--password", "qwerty123456"])
    assert result.exit_code == 1 and "password: " in result.output
    assert "此密码属于最常见的密码" in result.output  # the CLI speaks the default language


# --- change ------------------------------------------------------------------------------------------

def change(client, current, new):
    token = csrf_token(client, "/account/password")
    return client.post("/account/password", data={"csrf_token": token, "current_password": current,
                                                  "new_password": new})


def test_a_password_change_needs_the_current_password(app, client, create_user):
    user = create_user(role="enterprise_user")
    web_login(client, user)
    response = change(client, "not-the-password", "a-brand-new-passphrase")
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "current_password")
    response = change(client, user["password"], "qwerty123456")
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "new_password")
    assert change(client, user["password"], user["password"]).status_code == 422
    assert client.get("/account").status_code == 200
    assert change(client, user["password"], "a-brand-new-passphrase").status_code == 302
    assert client.post("/api/v1/auth/tokens", json=token_request(user)).status_code == 401  # the old one is dead
    user["password"] = "a-brand-new-passphrase"
    assert client.post("/api/v1/auth/tokens", json=token_request(user)).status_code == 201


def test_wrong_current_passwords_are_throttled_like_logins(app, client, create_user):
    user = create_user(role="enterprise_user")
    web_login(client, user)
    statuses = [change(client, "not-the-password", "a-brand-new-passphrase").status_code for _ in range(6)]
    assert statuses[-1] == 429 and set(statuses[:5]) == {422}


# --- reset --------------------------------------------------------------------------------------------

def forgot(client, email):
    token = csrf_token(client, "/password/forgot")
    return client.post("/password/forgot", data={"csrf_token": token, "email": email})


def reset_links(app):
    from core.extensions import db

    with app.app_context():
        return [row.url for row in db.session.scalars(
            select(OutboxEvent).where(OutboxEvent.event == "account.password_reset").order_by(OutboxEvent.id))]


def test_the_reset_answer_is_the_same_whether_or_not_the_address_exists(app, client, create_user):
    user = create_user(role="enterprise_user")
    known = forgot(client, user["email"])
    unknown = forgot(client, "nobody@nowhere.example")
    assert known.status_code == unknown.status_code == 200

    def text(response):
        return re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))

    assert text(known) == text(unknown)
    assert len(reset_links(app)) == 1  # a link only for the real account


def test_a_reset_link_works_once_and_ends_every_session(app, client, create_user):
    user = create_user(role="clerk")
    signed_in = app.test_client()
    web_login(signed_in, user)
    raw = signed_in.post("/api/v1/auth/tokens", json=token_request(user)).get_json()["token"]
    forgot(client, user["email"])
    (link,) = reset_links(app)
    from core.extensions import db

    with app.app_context():
        stored = db.session.scalar(select(PasswordReset))
        assert stored.token_hash not in link and link.rsplit("/", 1)[1] not in stored.token_hash
    token = csrf_token(client, link)
    assert client.post(link, data={"csrf_token": token, "new_password": "password12"}).status_code == 422
    response = client.post(link, data={"csrf_token": token, "new_password": "a-reset-passphrase"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert signed_in.get("/account").status_code == 302
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert client.get(link).status_code == 404  # used
    # the reset does not sign in, and the next login still asks for the second factor
    user["password"] = "a-reset-passphrase"
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "email": user["email"], "password": user["password"]})
    assert response.headers["Location"].endswith("/login/mfa")


def test_a_reset_link_expires_after_an_hour(app, client, create_user):
    user = create_user(role="enterprise_user")
    now = dt.datetime.now(dt.UTC)
    with time_machine.travel(now, tick=False) as traveller:
        forgot(client, user["email"])
        (link,) = reset_links(app)
        traveller.move_to(now + dt.timedelta(seconds=app.config["PASSWORD_RESET_SECONDS"] - 60))
        assert client.get(link).status_code == 200
        traveller.move_to(now + dt.timedelta(seconds=app.config["PASSWORD_RESET_SECONDS"] + 1))
        assert client.get(link).status_code == 404


def test_at_most_three_links_an_hour(app, client, create_user):
    user = create_user(role="enterprise_user")
    for _ in range(5):
        assert forgot(client, user["email"]).status_code == 200
    assert len(reset_links(app)) == 3


def test_the_reset_link_goes_by_email_only_never_in_app(app, client, create_user):
    from core.extensions import db
    from notifications.models import Notification, OutboxDelivery
    from notifications.worker import expand_outbox

    user = create_user(role="enterprise_user")
    forgot(client, user["email"])
    with app.app_context():
        expand_outbox()
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
        (delivery,) = db.session.scalars(select(OutboxDelivery)).all()
        assert delivery.user_id == user["id"] and delivery.url.startswith("/password/reset/")


@pytest.mark.parametrize("email", ["a\x00b@x.example", "x" * 5000, "\u202e@x.example", ""])
def test_hostile_reset_requests_get_the_same_answer(app, client, email):
    # a NUL is refused with every form value before any view reads it (core/limits.py)
    assert forgot(client, email).status_code == (422 if "\x00" in email else 200)
    assert reset_links(app) == []
    assert client.get("/password/reset/" + "x" * 500).status_code == 404


def test_the_user_is_told_of_a_password_change(app, client, create_user):
    user = create_user(role="enterprise_user")
    web_login(client, user)
    assert change(client, user["password"], "a-brand-new-passphrase").status_code == 302
    from core.extensions import db

    with app.app_context():
        (row,) = db.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "account.password_changed")).all()
        assert row.user_ids == [str(user["id"])]


def reset_mail(app):
    """Every e-mail the forgotten-password page queued: [(event, user ids, bare address)]."""
    from core.extensions import db

    with app.app_context():
        return [(row.event, row.user_ids, row.params.get("email_to")) for row in db.session.scalars(
            select(OutboxEvent).where(OutboxEvent.event.in_(["account.password_reset", "account.reset_no_account"]))
            .order_by(OutboxEvent.id))]


def test_the_forgot_page_does_the_same_work_for_a_known_and_an_unknown_address(app, client, create_user):
    from accounts.models import ThrottleCounter
    from tests.accounts.web import count_rows

    user = create_user(role="enterprise_user")
    forgot(client, user["email"])
    counters = count_rows(app, ThrottleCounter)
    forgot(client, "Nobody@Nowhere.example")
    assert count_rows(app, ThrottleCounter) == counters + 1  # each address counted alike (and the client once)
    # one e-mail each, through the outbox: the link to the account, a note to the address without one
    assert reset_mail(app) == [("account.password_reset", [str(user["id"])], None),
                               ("account.reset_no_account", [], "nobody@nowhere.example")]


def test_a_disabled_account_gets_the_note_not_a_link(app, client, create_user):
    from accounts.models import User
    from core.extensions import db

    user = create_user(role="enterprise_user")
    with app.app_context():
        db.session.get(User, user["id"]).active = False
        db.session.commit()
    assert forgot(client, user["email"]).status_code == 200
    assert reset_mail(app) == [("account.reset_no_account", [], user["email"])]


def test_an_unknown_address_is_throttled_like_a_known_one(app, client):
    for _ in range(5):
        assert forgot(client, "nobody@nowhere.example").status_code == 200
    assert len(reset_mail(app)) == 3


def test_one_client_cannot_mail_every_address(app, client):
    from accounts.credentials import RESET_MAX_PER_IP_PER_HOUR

    for n in range(RESET_MAX_PER_IP_PER_HOUR + 3):
        assert forgot(client, f"nobody{n}@nowhere.example").status_code == 200
    assert len(reset_mail(app)) == RESET_MAX_PER_IP_PER_HOUR


def test_the_note_to_an_address_without_an_account_is_delivered_by_email_only(app, client):
    from core.extensions import db
    from notifications.events import render
    from notifications.models import Notification, OutboxDelivery
    from notifications.worker import expand_outbox

    forgot(client, "nobody@nowhere.example")
    with app.app_context():
        expand_outbox()
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
        (delivery,) = db.session.scalars(select(OutboxDelivery)).all()
        assert delivery.email_to == "nobody@nowhere.example" and delivery.user_id is None
    subject, body = render("account.reset_no_account", {}, "en")
    assert "no active account" in body


def test_the_forgot_and_reset_forms_mark_required_fields(app, client, create_user):
    html = client.get("/password/forgot").get_data(as_text=True)
    assert 'id="field-email"' in html and 'class="required"' in html
    user = create_user(role="enterprise_user")
    forgot(client, user["email"])
    (link,) = reset_links(app)
    token = csrf_token(client, link)
    response = client.post(link + "?lang=en", data={"csrf_token": token, "new_password": "short"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'href="#field-new_password"' in html and "Nothing was saved." in html
