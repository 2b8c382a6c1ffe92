"""Enterprise self-registration, over the API and in the web form: the same answer whoever registers,
the truth in an e-mail with a single-use link; bad input is a field error and writes nothing."""
import datetime as dt
import threading

import pytest
import time_machine
from sqlalchemy import select

from accounts.credit_code import check_character
from accounts.models import Organisation, PendingRegistration, User
from core.extensions import db
from core.outbox import OutboxEvent
from tests.accounts.registration import confirmation_path, confirmation_token, register_over_api
from tests.accounts.web import count_rows, csrf_token, field_errors

CONFIRM = "/api/v1/enterprises/confirmations"

VALID_CODE = "91310115MA1H7GQ5XY"
OTHER_VALID_CODE = "91310106MA1FY3K2R1"
WRONG_CHECK_DIGIT = VALID_CODE[:17] + ("A" if VALID_CODE[17] != "A" else "B")


def registration(**overrides):
    data = {
        "name": "上海澄川智能科技有限公司", "credit_code": VALID_CODE, "district": "pudong",
        "contact_person": "王敏", "phone": "13800000001", "email": "legal@chengchuan.example",
        "password": "a-long-password",
    }
    data.update(overrides)
    return data


def rows(app):
    return count_rows(app, Organisation), count_rows(app, User)


def queued(app):
    """The registration e-mails in the outbox: [(event, address)], oldest first."""
    with app.app_context():
        return [(row.event, row.params.get("email_to")) for row in db.session.scalars(
            select(OutboxEvent).where(OutboxEvent.event.like("registration.%")).order_by(OutboxEvent.id))]


def test_wrong_check_digit_fixture_really_is_wrong():
    assert check_character(VALID_CODE[:17]) == VALID_CODE[17]
    assert WRONG_CHECK_DIGIT != VALID_CODE and len(WRONG_CHECK_DIGIT) == 18


# --- API --------------------------------------------------------------------------------------

def test_api_registration_answers_202_and_creates_nothing_before_the_confirmation(app, anonymous_api):
    response = anonymous_api.post("/api/v1/enterprises", json=registration())
    assert response.status_code == 202, response.get_json()
    assert set(response.get_json()) == {"message"}
    assert rows(app) == (0, 0)
    assert count_rows(app, PendingRegistration) == 1
    assert queued(app) == [("registration.confirm", "legal@chengchuan.example")]


def test_api_confirmation_creates_the_enterprise_and_its_user(app, client):
    response = register_over_api(app, client, registration())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["role"] == "enterprise_user"
    assert body["organisation"]["kind"] == "enterprise"
    assert body["organisation"]["credit_code"] == VALID_CODE
    assert "password" not in body and "password_hash" not in body
    assert rows(app) == (1, 1)
    # the password chosen at registration signs in
    assert client.post("/api/v1/auth/tokens", json={"email": "legal@chengchuan.example",
                                                    "password": "a-long-password"}).status_code == 201


def test_api_registration_stores_only_hashes(app, client):
    assert client.post("/api/v1/enterprises", json=registration()).status_code == 202
    token = confirmation_token(app, "legal@chengchuan.example")
    with app.app_context():
        pending = db.session.scalar(select(PendingRegistration))
        assert pending.password_hash.startswith("$argon2id$") and "a-long-password" not in pending.password_hash
        assert token not in pending.token_hash and len(pending.token_hash) == 64
    assert client.post(CONFIRM, json={"token": token}).status_code == 201
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.password_hash.startswith("$argon2id$")
        assert "a-long-password" not in user.password_hash


def test_a_confirmation_token_works_once(app, client):
    assert client.post("/api/v1/enterprises", json=registration()).status_code == 202
    token = confirmation_token(app, "legal@chengchuan.example")
    assert client.post(CONFIRM, json={"token": token}).status_code == 201
    again = client.post(CONFIRM, json={"token": token})
    assert again.status_code == 404
    assert rows(app) == (1, 1)


def test_a_confirmation_token_expires_after_a_day(app, client):
    assert client.post("/api/v1/enterprises", json=registration()).status_code == 202
    token = confirmation_token(app, "legal@chengchuan.example")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=24, seconds=1), tick=False):
        assert client.post(CONFIRM, json={"token": token}).status_code == 404
    assert rows(app) == (0, 0)


@pytest.mark.parametrize("token", ["", "x", "tsp_" + "a" * 43, "a" * 5000])
def test_an_unknown_token_is_404_or_a_field_error(app, client, token):
    assert client.post(CONFIRM, json={"token": token}).status_code in (404, 422)
    assert rows(app) == (0, 0)


def test_two_parallel_confirmations_create_one_account(app, client):
    assert client.post("/api/v1/enterprises", json=registration()).status_code == 202
    token = confirmation_token(app, "legal@chengchuan.example")
    barrier = threading.Barrier(2)
    statuses = []

    def run():
        own = app.test_client()
        barrier.wait(timeout=60)
        statuses.append(own.post(CONFIRM, json={"token": token}).status_code)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201, 404]
    assert rows(app) == (1, 1)


def test_an_address_taken_before_the_confirmation_creates_nothing(app, client):
    assert client.post("/api/v1/enterprises", json=registration()).status_code == 202
    first = confirmation_token(app, "legal@chengchuan.example")
    assert client.post("/api/v1/enterprises", json=registration(credit_code=OTHER_VALID_CODE)).status_code == 202
    second = confirmation_token(app, "legal@chengchuan.example")
    assert first != second
    assert client.post(CONFIRM, json={"token": second}).status_code == 201
    response = client.post(CONFIRM, json={"token": first})
    assert response.status_code == 409
    assert rows(app) == (1, 1)


def test_api_wrong_check_digit_says_so_in_english(app, anonymous_api):
    response = anonymous_api.post("/api/v1/enterprises", json=registration(credit_code=WRONG_CHECK_DIGIT))
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "validation_error"
    assert list(body["errors"]) == ["credit_code"]
    assert any("check digit" in message for message in body["errors"]["credit_code"])
    assert rows(app) == (0, 0)


def test_api_wrong_check_digit_is_a_field_error_in_chinese_by_default(app, client):
    response = client.post("/api/v1/enterprises", json=registration(credit_code=WRONG_CHECK_DIGIT))
    assert response.status_code == 422
    assert response.get_json()["errors"]["credit_code"]
    assert rows(app) == (0, 0)


@pytest.mark.parametrize("code", [VALID_CODE[:17], VALID_CODE + "0", ""])
def test_api_credit_code_of_wrong_length_is_refused(app, anonymous_api, code):
    response = anonymous_api.post("/api/v1/enterprises", json=registration(credit_code=code))
    assert response.status_code == 422
    messages = response.get_json()["errors"]["credit_code"]
    assert any("18 characters" in message for message in messages), messages
    assert rows(app) == (0, 0)


def test_api_credit_code_with_forbidden_letters_is_refused(app, anonymous_api):
    response = anonymous_api.post("/api/v1/enterprises", json=registration(credit_code="91310115MA1H7GQ5XO"))
    assert response.status_code == 422
    assert response.get_json()["errors"]["credit_code"]
    assert rows(app) == (0, 0)


def test_api_a_known_credit_code_gets_the_same_answer_and_only_an_email(app, client):
    fresh = client.post("/api/v1/enterprises", json=registration(email="first@example.com"))
    assert register_over_api(app, client, registration(email="someone@example.com",
                                                       credit_code=OTHER_VALID_CODE)).status_code == 201
    # the same code typed in lower case with spaces, by another e-mail address
    known = client.post("/api/v1/enterprises", json=registration(
        credit_code=f"  {OTHER_VALID_CODE.lower()} ", email="other@example.com", name="另一家公司"))
    assert known.status_code == fresh.status_code == 202
    assert known.get_json() == fresh.get_json()
    assert rows(app) == (1, 1)
    assert queued(app)[-1] == ("registration.organisation_exists", "other@example.com")
    assert count_rows(app, PendingRegistration) == 2  # the first one and the confirmed one; none for the known code


def test_api_a_known_address_gets_the_same_answer_and_only_an_email(app, client):
    fresh = client.post("/api/v1/enterprises", json=registration(email="first@example.com"))
    assert register_over_api(app, client, registration(email="legal@chengchuan.example",
                                                       credit_code=OTHER_VALID_CODE)).status_code == 201
    known = client.post("/api/v1/enterprises", json=registration(email="LEGAL@chengchuan.example"))
    assert known.status_code == fresh.status_code == 202
    assert known.get_json() == fresh.get_json()
    assert rows(app) == (1, 1)
    assert queued(app)[-1] == ("registration.account_exists", "legal@chengchuan.example")


def test_registration_is_throttled_per_address(app, client):
    for n in range(5):
        assert client.post("/api/v1/enterprises", json=registration(email=f"r{n}@example.com")).status_code == 202
    response = client.post("/api/v1/enterprises", json=registration(email="r9@example.com"))
    assert response.status_code == 429
    assert response.get_json()["code"] == "too_many_requests"
    other = client.post("/api/v1/enterprises", json=registration(email="r9@example.com"),
                        environ_base={"REMOTE_ADDR": "10.4.4.4"})
    assert other.status_code == 202
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1, seconds=1), tick=False):
        assert client.post("/api/v1/enterprises", json=registration(email="r10@example.com")).status_code == 202


def test_registration_is_throttled_per_email_address(app, client):
    for n in range(5):
        response = client.post("/api/v1/enterprises", json=registration(),
                               environ_base={"REMOTE_ADDR": f"10.5.5.{n + 1}"})
        assert response.status_code == 202
    response = client.post("/api/v1/enterprises", json=registration(email=" Legal@ChengChuan.example"),
                           environ_base={"REMOTE_ADDR": "10.5.5.99"})
    assert response.status_code == 429
    assert len(queued(app)) == 5


def test_api_password_shorter_than_12_is_a_field_error(app, anonymous_api):
    response = anonymous_api.post("/api/v1/enterprises", json=registration(password="eleven-char"))
    assert response.status_code == 422
    messages = response.get_json()["errors"]["password"]
    assert any("12 characters" in message for message in messages)
    assert rows(app) == (0, 0)


def test_api_password_of_exactly_12_is_accepted(app, anonymous_api):
    response = anonymous_api.post("/api/v1/enterprises", json=registration(password="twelve-chars"))
    assert response.status_code == 202, response.get_json()


@pytest.mark.parametrize("field", ["role", "organisation_id", "kind"])
def test_api_unknown_field_is_a_field_error(app, anonymous_api, field):
    response = anonymous_api.post("/api/v1/enterprises", json=registration(**{field: "admin"}))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert rows(app) == (0, 0)


def test_api_every_bad_field_is_reported_at_once(app, anonymous_api):
    response = anonymous_api.post("/api/v1/enterprises", json=registration(
        credit_code=WRONG_CHECK_DIGIT, password="short", district="atlantis", email="not-an-address"))
    assert response.status_code == 422
    assert {"credit_code", "password", "district", "email"} <= set(response.get_json()["errors"])
    assert rows(app) == (0, 0)


def test_api_missing_fields_are_each_reported(app, anonymous_api):
    response = anonymous_api.post("/api/v1/enterprises", json={})
    assert response.status_code == 422
    assert {"name", "credit_code", "district", "contact_person", "phone", "email", "password"} <= set(
        response.get_json()["errors"])
    assert rows(app) == (0, 0)


# --- web form ---------------------------------------------------------------------------------

def post_form(client, url="/register", **overrides):
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token, **registration(**overrides)})


def test_form_registration_sends_a_link_that_creates_the_enterprise(app, client):
    response = post_form(client)
    assert response.status_code == 200
    assert 'data-testid="register-sent"' in response.get_data(as_text=True)
    assert rows(app) == (0, 0)
    assert client.get("/account").status_code == 302  # not signed in
    link = confirmation_path(app, "legal@chengchuan.example")
    page = client.get(link)  # looking at the link (a mail scanner does) creates nothing
    assert page.status_code == 200 and VALID_CODE in page.get_data(as_text=True)
    assert rows(app) == (0, 0)
    confirmed = client.post(link, data={"csrf_token": csrf_token(client, link)})
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith("/login")
    assert rows(app) == (1, 1)
    signed_in = client.post("/login", data={"csrf_token": csrf_token(client), "email": "legal@chengchuan.example",
                                            "password": "a-long-password"})
    assert signed_in.status_code == 302
    assert client.get("/account").status_code == 200
    assert client.get(link).status_code == 404  # used up


def test_form_an_unknown_link_is_404(client):
    assert client.get("/register/confirm/" + "x" * 43).status_code == 404


def test_form_wrong_check_digit_says_so_in_english(app, client):
    response = post_form(client, "/register?lang=en", credit_code=WRONG_CHECK_DIGIT)
    assert response.status_code == 422
    messages = field_errors(response.get_data(as_text=True), "credit_code")
    assert any("check digit" in message for message in messages), messages
    assert 'name="credit_code" value="%s"' % WRONG_CHECK_DIGIT in response.get_data(as_text=True)
    assert rows(app) == (0, 0)


def test_form_wrong_check_digit_is_a_field_error_in_chinese(app, client):
    response = post_form(client, credit_code=WRONG_CHECK_DIGIT)
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "credit_code")
    assert rows(app) == (0, 0)


def test_form_wrong_length_is_a_field_error(app, client):
    response = post_form(client, "/register?lang=en", credit_code="9131011")
    assert response.status_code == 422
    messages = field_errors(response.get_data(as_text=True), "credit_code")
    assert any("18 characters" in message for message in messages), messages
    assert rows(app) == (0, 0)


def test_form_known_credit_code_and_known_address_get_the_page_of_a_new_registration(app, client, create_org,
                                                                                    create_user):
    fresh = post_form(client, "/register?lang=en", credit_code=OTHER_VALID_CODE, email="new@example.com")
    create_org(credit_code=VALID_CODE)
    known_code = post_form(client, "/register?lang=en", email="another@example.com")
    create_user(email="legal@chengchuan.example")
    known_address = post_form(client, "/register?lang=en", credit_code=OTHER_VALID_CODE)
    assert fresh.status_code == known_code.status_code == known_address.status_code == 200
    assert fresh.get_data() == known_code.get_data() == known_address.get_data()
    assert "already" not in known_code.get_data(as_text=True)
    assert [event for event, _to in queued(app)] == [
        "registration.confirm", "registration.organisation_exists", "registration.account_exists"]


def test_form_registration_is_throttled(app, client):
    for n in range(5):
        assert post_form(client, email=f"f{n}@example.com").status_code == 200
    response = post_form(client, "/register?lang=en", email="f9@example.com")
    assert response.status_code == 429
    assert 'data-testid="register-throttled"' in response.get_data(as_text=True)


def test_form_short_password_is_a_field_error(app, client):
    response = post_form(client, "/register?lang=en", password="123456789")
    assert response.status_code == 422
    messages = field_errors(response.get_data(as_text=True), "password")
    assert any("12 characters" in message for message in messages), messages
    assert "123456789" not in response.get_data(as_text=True)  # a password is never echoed back
    assert rows(app) == (0, 0)


def test_form_without_csrf_token_is_refused(app, client):
    response = client.post("/register", data=registration())
    assert response.status_code == 400
    assert rows(app) == (0, 0)


# --- the credit code as a person pastes it: spaces and lower case, tidied before the length check -------

@pytest.mark.parametrize("typed", [f" {VALID_CODE}", f"{VALID_CODE.lower()}  ", "9131 0115 MA1H 7GQ5 XY",
                                   f"\u3000{VALID_CODE}", "９１３１０１１５ＭＡ１Ｈ７ＧＱ５ＸＹ"])
def test_form_a_pasted_code_with_spaces_or_lower_case_is_accepted(app, client, typed):
    response = post_form(client, credit_code=typed)
    assert response.status_code == 200, field_errors(response.get_data(as_text=True), "credit_code")
    with app.app_context():
        (pending,) = db.session.scalars(select(PendingRegistration)).all()
        assert pending.credit_code == VALID_CODE


def test_form_the_code_input_does_not_cut_a_pasted_code_with_a_leading_space(client):
    import re

    html = client.get("/register").get_data(as_text=True)
    (tag,) = re.findall(r'<input[^>]*name="credit_code"[^>]*>', html)
    maxlength = int(re.search(r'maxlength="(\d+)"', tag).group(1))
    assert maxlength >= len(" " + VALID_CODE + " ") and maxlength <= 40


def test_form_a_code_too_long_once_tidied_is_the_length_error(app, client):
    response = post_form(client, "/register?lang=en", credit_code=f" {VALID_CODE}X ")
    assert response.status_code == 422
    assert any("18 characters" in m for m in field_errors(response.get_data(as_text=True), "credit_code"))
    assert rows(app) == (0, 0)


def test_form_errors_are_summarised_at_the_top_with_links_to_their_fields(app, client):
    response = post_form(client, "/register?lang=en", credit_code="9131011", phone="x", district="")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = html[html.index('data-testid="error-summary"'):html.index("</div>", html.index('data-testid="error-summary"'))]
    for field in ("credit_code", "phone", "district"):
        assert f'href="#field-{field}"' in summary and f'id="field-{field}"' in html
    assert "Nothing was saved." in summary and "Unified social credit code" in summary
    assert html.count('class="required"') == 7  # every one of the seven fields is required


def test_form_the_chinese_summary_names_the_fields_as_the_person_sees_them(client):
    response = post_form(client, credit_code="9131011")
    html = response.get_data(as_text=True)
    summary = html[html.index('data-testid="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert "：" in summary and "统一社会信用代码" in summary


def test_form_the_account_speaks_the_language_the_form_was_filled_in(app, client):
    assert post_form(client, "/register?lang=en").status_code == 200
    with app.app_context():
        (pending,) = db.session.scalars(select(PendingRegistration)).all()
        assert pending.language == "en"
