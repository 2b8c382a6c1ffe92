"""Self-service on one's account: the account page lists what the user can do, the contact details page
changes name, phone and language with field errors and length limits (the e-mail address stays), and the
account forms summarise their errors."""
import re

import pytest
from sqlalchemy import select

from accounts.models import User
from core.audit import AuditEntry
from core.extensions import db
from tests.accounts.web import csrf_token, field_errors, web_login

ROLES = ["enterprise_user", "clerk", "agency_officer", "agency_head", "supervisor", "admin"]


def save_details(client, **data):
    token = csrf_token(client, "/account/details")
    return client.post("/account/details", data={"csrf_token": token, **data})


def stored(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        return {"name": user.name, "phone": user.phone, "language": user.language, "email": user.email}


@pytest.mark.parametrize("role", ROLES)
def test_the_account_page_lists_what_every_role_can_do(client, create_user, create_org, role):
    org = create_org(kind="court") if role == "agency_head" else None
    user = create_user(role=role, org_id=org)
    web_login(client, user)
    html = client.get("/account").get_data(as_text=True)
    actions = html[html.index('data-testid="account-actions"'):]
    for testid, href in [("contact-details", "/account/details"), ("change-password", "/account/password"),
                         ("mfa-settings", "/account/mfa")]:
        assert re.search(rf'href="{href}" data-testid="{testid}"', actions), testid
    assert 'data-testid="sign-out-everywhere"' in html
    # colleagues: only the enterprise's first user (create_user makes the first account of a new enterprise)
    assert ('data-testid="colleagues-link"' in html) == (role == "enterprise_user")


@pytest.mark.parametrize("role", ["enterprise_user", "clerk", "agency_officer", "supervisor"])
def test_every_role_changes_its_name_phone_and_language(app, client, create_user, role):
    user = create_user(role=role)
    web_login(client, user)
    page = client.get("/account/details")
    assert page.status_code == 200 and 'value="%s user"' % role in page.get_data(as_text=True)
    response = save_details(client, name="  李雷  ", phone=" 021-6388 0000 ", language="zh")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    assert stored(app, user["id"]) == {"name": "李雷", "phone": "021-6388 0000", "language": "zh",
                                       "email": user["email"]}
    html = client.get("/account").get_data(as_text=True)
    assert "李雷" in html and '<html lang="zh' in html  # the pages follow the new language at once
    with app.app_context():
        (row,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.details_changed")).all()
        assert row.actor_id == user["id"] and row.details["fields"] == ["language", "name", "phone"]


def test_the_phone_may_be_left_empty(app, client, create_user):
    user = create_user()
    web_login(client, user)
    assert save_details(client, name="Li Lei", phone="", language="en").status_code == 302
    assert stored(app, user["id"])["phone"] is None


@pytest.mark.parametrize("data, field", [
    ({"name": "   ", "phone": "", "language": "en"}, "name"),
    ({"name": "x" * 101, "phone": "", "language": "en"}, "name"),
    ({"name": "Li", "phone": "call me", "language": "en"}, "phone"),
    ({"name": "Li", "phone": "1" * 41, "language": "en"}, "phone"),
    ({"name": "Li", "phone": "", "language": "fr"}, "language"),
    ({"name": "Li\u202e", "phone": "", "language": "en"}, "name"),
    ({"phone": "", "language": "en"}, "name"),
])
def test_a_bad_value_is_a_field_error_and_nothing_is_saved(app, client, create_user, data, field):
    user = create_user()
    web_login(client, user)
    before = stored(app, user["id"])
    response = save_details(client, **{**data, "phone": data.get("phone", "")})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_errors(html, field)
    assert 'data-testid="error-summary"' in html and f'href="#field-{field}"' in html
    assert "Nothing was saved." in html
    assert stored(app, user["id"]) == before


def test_the_email_address_cannot_be_changed_here(app, client, create_user):
    user = create_user()
    web_login(client, user)
    response = save_details(client, name="Li", phone="", language="en", email="someone@else.example")
    assert response.status_code == 422  # an unknown field is refused, never silently ignored
    assert stored(app, user["id"])["email"] == user["email"]
    html = client.get("/account/details").get_data(as_text=True)
    assert 'name="email"' not in html and user["email"] in html


def test_a_huge_body_is_refused_and_nothing_is_saved(app, client, create_user):
    user = create_user()
    web_login(client, user)
    before = stored(app, user["id"])
    token = csrf_token(client, "/account/details")
    response = client.post("/account/details", data={"csrf_token": token, "name": "x" * (3 * 1024 * 1024),
                                                      "phone": "", "language": "en"})
    assert response.status_code == 413
    assert stored(app, user["id"]) == before


def test_the_page_needs_a_session_and_a_csrf_token(app, client, create_user):
    assert client.get("/account/details").status_code == 302
    user = create_user()
    web_login(client, user)
    response = client.post("/account/details", data={"name": "Li", "phone": "", "language": "en"})
    assert response.status_code == 400
    assert stored(app, user["id"])["name"] == "enterprise_user user"


@pytest.mark.parametrize("url, labels", [
    ("/account/password", ["current_password"]),
    ("/account/details", ["name"]),
])
def test_account_forms_mark_required_fields_and_link_errors_to_them(client, create_user, url, labels):
    user = create_user()
    web_login(client, user)
    html = client.get(url + "?lang=zh").get_data(as_text=True)
    assert 'class="required"' in html
    for name in labels:
        assert f'id="field-{name}"' in html


def test_the_password_change_summarises_its_errors_in_chinese(client, create_user):
    user = create_user()
    web_login(client, user)
    client.get("/account?lang=zh")
    token = csrf_token(client, "/account/password")
    response = client.post("/account/password", data={"csrf_token": token, "current_password": "wrong-password",
                                                      "new_password": "a-brand-new-passphrase"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = html[html.index('data-testid="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert 'href="#field-current_password"' in summary and "：" in summary
    assert field_errors(html, "current_password")
