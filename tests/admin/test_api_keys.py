"""API keys on a page: the raw key shown exactly once, revoking after a confirmation."""
import re

import pytest
from sqlalchemy import func, select

from accounts.models import AuthToken
from tests.accounts.web import csrf_token, field_errors, web_login
from tests.core.test_translations import compiled  # noqa: F401 (a fixture: the .mo of the .po)

RAW = re.compile(r'data-testid="raw-key">([^<]+)<')


def keys(app):
    from core.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuthToken).where(AuthToken.kind == "api_key"))


def test_a_key_is_shown_once_works_and_is_revoked_after_confirming(compiled, app, admin, create_user):
    officer = create_user("agency_officer")
    html = admin.html("/admin/api-keys")
    assert 'data-testid="no-keys"' in html and str(officer["id"]) in html
    response = admin.post("/admin/api-keys", {"user": str(officer["id"]), "label": "浦东局办案系统"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    raw = RAW.search(response.get_data(as_text=True)).group(1)
    assert raw.startswith("tsp_")
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200
    html = admin.html("/admin/api-keys")
    assert raw not in html and "浦东局办案系统" in html and "使用中" in html  # never shown again
    from core.extensions import db

    with app.app_context():
        key_id = db.session.scalar(select(AuthToken.id).where(AuthToken.kind == "api_key"))

    response = admin.post(f"/admin/api-keys/{key_id}/revoke")
    assert response.status_code == 200 and 'data-testid="confirm"' in response.get_data(as_text=True)
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    assert admin.post(f"/admin/api-keys/{key_id}/revoke", {"confirmed": "yes"}).status_code == 302
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    html = admin.html("/admin/api-keys")
    assert "已于" in html and 'data-testid="revoke"' not in html  # no button for what cannot be done
    assert admin.post(f"/admin/api-keys/{key_id}/revoke", {"confirmed": "yes"}).status_code == 404


@pytest.mark.parametrize("form,field", [
    ({"label": ""}, "label"),
    ({"label": "x" * 101}, "label"),
    ({"label": "a\u202eb"}, "label"),
    ({"user": ""}, "user"),
    ({"user": "nope"}, "user"),
    ({"user": "00000000-0000-0000-0000-000000000000"}, "user"),
])
def test_bad_values_are_field_errors(app, admin, create_user, form, field):
    officer = create_user("agency_officer")
    response = admin.post("/admin/api-keys", {"user": str(officer["id"]), "label": "系统", **form})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_errors(html, field) and 'data-testid="error-summary"' in html and not RAW.search(html)
    assert keys(app) == 0


def test_keys_only_for_active_agency_officers(app, admin, create_user):
    for role in ("clerk", "agency_head", "admin", "enterprise_user"):
        user = create_user(role) if role != "agency_head" else create_user("agency_officer")
        if role == "agency_head":
            from core.extensions import db
            from accounts.models import User

            with app.app_context():
                db.session.get(User, user["id"]).active = False  # a disabled officer
                db.session.commit()
        response = admin.post("/admin/api-keys", {"user": str(user["id"]), "label": "系统"})
        assert response.status_code == 422 and field_errors(response.get_data(as_text=True), "user"), role
    assert keys(app) == 0


def test_bad_ids(app, admin, create_user):
    clerk = create_user("clerk")
    web_login(app.test_client(), clerk)
    from core.extensions import db

    with app.app_context():  # a web session is a token, but not a key
        session_id = db.session.scalar(select(AuthToken.id).where(AuthToken.user_id == clerk["id"]))
    for bad in ("nope", "00000000-0000-0000-0000-000000000000", "x" * 5000, str(session_id)):
        assert admin.post(f"/admin/api-keys/{bad}/revoke", {"confirmed": "yes"}).status_code == 404
    with app.app_context():
        assert db.session.get(AuthToken, session_id).revoked_at is None


@pytest.mark.parametrize("role", ["clerk", "supervisor", "agency_officer", "enterprise_user"])
def test_only_administrators(app, admin, create_user, role):
    officer = create_user("agency_officer")
    admin.post("/admin/api-keys", {"user": str(officer["id"]), "label": "系统"})
    from core.extensions import db

    with app.app_context():
        key_id = db.session.scalar(select(AuthToken.id).where(AuthToken.kind == "api_key"))
    client = app.test_client()
    web_login(client, create_user(role))
    token = csrf_token(client, "/account")
    assert client.get("/admin/api-keys").status_code == 404
    assert client.post("/admin/api-keys", data={"csrf_token": token, "user": str(officer["id"]),
                                                "label": "x"}).status_code == 404
    assert client.post(f"/admin/api-keys/{key_id}/revoke", data={"csrf_token": token,
                                                                 "confirmed": "yes"}).status_code == 404
    assert keys(app) == 1
    with app.app_context():
        assert db.session.get(AuthToken, key_id).revoked_at is None
