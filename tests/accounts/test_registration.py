"""Enterprise self-registration, over the API and in the web form: valid input, and bad input writing nothing."""
import pytest
from sqlalchemy import select

from accounts.credit_code import check_character
from accounts.models import Organisation, User
from tests.accounts.web import count_rows, csrf_token, field_errors

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


def test_wrong_check_digit_fixture_really_is_wrong():
    assert check_character(VALID_CODE[:17]) == VALID_CODE[17]
    assert WRONG_CHECK_DIGIT != VALID_CODE and len(WRONG_CHECK_DIGIT) == 18


# --- API --------------------------------------------------------------------------------------

def test_api_registration_creates_enterprise_and_its_user(app, anonymous_api):
    response = anonymous_api.post("/api/v1/enterprises", json=registration())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["role"] == "enterprise_user"
    assert body["organisation"]["kind"] == "enterprise"
    assert body["organisation"]["credit_code"] == VALID_CODE
    assert "password" not in body and "password_hash" not in body
    assert rows(app) == (1, 1)


def test_api_registration_stores_an_argon2id_hash(app, anonymous_api):
    assert anonymous_api.post("/api/v1/enterprises", json=registration()).status_code == 201
    from core.extensions import db

    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.password_hash.startswith("$argon2id$")
        assert "a-long-password" not in user.password_hash


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


def test_api_duplicate_credit_code_is_a_clear_field_error_and_no_second_organisation(app, anonymous_api):
    assert anonymous_api.post("/api/v1/enterprises", json=registration()).status_code == 201
    # the same code typed in lower case with spaces, by another e-mail address
    response = anonymous_api.post("/api/v1/enterprises", json=registration(
        credit_code=f"  {VALID_CODE.lower()} ", email="other@example.com", name="另一家公司"))
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert list(errors) == ["credit_code"]
    assert any("already registered" in message for message in errors["credit_code"])
    assert rows(app) == (1, 1)


def test_api_duplicate_email_is_a_field_error_and_writes_nothing(app, anonymous_api):
    assert anonymous_api.post("/api/v1/enterprises", json=registration()).status_code == 201
    response = anonymous_api.post("/api/v1/enterprises", json=registration(
        credit_code=OTHER_VALID_CODE, email="LEGAL@chengchuan.example"))
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert list(errors) == ["email"]
    assert any("already exists" in message for message in errors["email"])
    assert rows(app) == (1, 1)


def test_api_password_shorter_than_12_is_a_field_error(app, anonymous_api):
    response = anonymous_api.post("/api/v1/enterprises", json=registration(password="eleven-char"))
    assert response.status_code == 422
    messages = response.get_json()["errors"]["password"]
    assert any("12 characters" in message for message in messages)
    assert rows(app) == (0, 0)


def test_api_password_of_exactly_12_is_accepted(app, anonymous_api):
    response = anonymous_api.post("/api/v1/enterprises", json=registration(password="twelve-chars"))
    assert response.status_code == 201, response.get_json()


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


def test_form_registration_creates_enterprise_and_signs_in(app, client):
    response = post_form(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/complaints/")
    assert rows(app) == (1, 1)
    assert client.get("/account").status_code == 200


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


def test_form_duplicate_credit_code_is_a_field_error_and_no_second_organisation(app, client, create_org):
    create_org(credit_code=VALID_CODE)
    response = post_form(client, "/register?lang=en")
    assert response.status_code == 422
    messages = field_errors(response.get_data(as_text=True), "credit_code")
    assert any("already registered" in message for message in messages), messages
    assert rows(app) == (1, 0)


def test_form_duplicate_email_is_a_field_error(app, client, create_user):
    create_user(email="legal@chengchuan.example")
    response = post_form(client, "/register?lang=en")
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "email")
    assert rows(app) == (1, 1)


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
