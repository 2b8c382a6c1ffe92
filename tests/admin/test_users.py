"""Staff users: the list, creating one who sets their own password from an e-mailed link, disabling and enabling,
signing a user out everywhere."""
import pytest
from sqlalchemy import func, select

from accounts.models import AuthToken, User
from core.outbox import OutboxEvent
from tests.accounts.web import csrf_token, field_errors, web_login
from tests.core.test_translations import compiled  # noqa: F401 (a fixture: the .mo of the .po)


def count(app):
    from core.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def get_user(app, **where):
    from core.extensions import db

    with app.app_context():
        return db.session.scalar(select(User).filter_by(**where))


def setup_links(app):
    from core.extensions import db

    with app.app_context():
        return [(row.url, row.user_ids) for row in db.session.scalars(
            select(OutboxEvent).where(OutboxEvent.event == "account.setup").order_by(OutboxEvent.id))]


def test_the_list_searches_and_filters(compiled, app, admin, create_user, create_org):
    bureau = create_org(kind="market_regulation", name="闵行区市场监督管理局")
    officer = create_user("agency_officer", org_id=bureau, email="zhang.wei@amr.example")
    create_user("clerk", email="li.na@centre.example")
    html = admin.html("/admin/users")
    assert "zhang.wei@amr.example" in html and "li.na@centre.example" in html
    assert "<td>承办机关工作人员</td>" in html  # the role by its label
    html = admin.html("/admin/users?q=ZHANG")
    assert "zhang.wei@amr.example" in html and "li.na@centre.example" not in html
    html = admin.html(f"/admin/users?organisation={bureau}")
    assert "zhang.wei@amr.example" in html and "li.na@centre.example" not in html
    html = admin.html("/admin/users?role=clerk")
    assert "li.na@centre.example" in html and "zhang.wei@amr.example" not in html
    for query, field in (("role=root", "role"), ("organisation=nope", "organisation"), ("q=" + "x" * 101, "q")):
        response = admin.get(f"/admin/users?{query}")
        assert response.status_code == 422 and field_errors(response.get_data(as_text=True), field), query
    assert officer["email"] in admin.html(f"/admin/users/{officer['id']}")


def test_a_new_staff_user_sets_their_own_password_from_the_link(compiled, app, admin, create_org):
    bureau = create_org(kind="court", name="上海知识产权法院")
    html = admin.html("/admin/users/new")
    assert 'type="password"' not in html and 'class="required"' in html
    response = admin.post("/admin/users/new", {"name": "陈法官", "email": " Chen@Court.example ", "role": "agency_head",
                                               "organisation": str(bureau), "language": "zh"})
    assert response.status_code == 302
    user = get_user(app, email="chen@court.example")
    assert user.role.value == "agency_head" and user.organisation_id == bureau and user.active
    ((link, user_ids),) = setup_links(app)
    assert user_ids == [str(user.id)] and link.startswith("/password/reset/")
    # nobody can sign in before the link is used: the admin typed no password
    client = app.test_client()
    token = csrf_token(client, link)
    assert client.post(link, data={"csrf_token": token, "new_password": "a-chosen-passphrase"}).status_code == 302
    assert client.get(link).status_code == 404  # once
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "email": "chen@court.example",
                                           "password": "a-chosen-passphrase"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/mfa")  # staff enrol


def test_the_setup_mail_goes_by_email_only(app, admin, create_org):
    from core.extensions import db
    from notifications.models import Notification, OutboxDelivery
    from notifications.worker import expand_outbox

    centre = create_org(kind="rights_center")
    assert admin.post("/admin/users/new", {"name": "王", "email": "wang@centre.example", "role": "clerk",
                                           "organisation": str(centre)}).status_code == 302
    with app.app_context():
        expand_outbox()
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
        (delivery,) = db.session.scalars(select(OutboxDelivery)).all()
        assert delivery.url.startswith("/password/reset/")


BAD = [
    ({"name": ""}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"email": "nope"}, "email"),
    ({"email": ""}, "email"),
    ({"role": ""}, "role"),
    ({"role": "root"}, "role"),
    ({"role": "enterprise_user"}, "role"),  # enterprise users are not made here
    ({"role": "agency_officer"}, "role"),  # not in a rights centre: the role does not fit the organisation
    ({"organisation": "nope"}, "organisation"),
    ({"organisation": "00000000-0000-0000-0000-000000000000"}, "organisation"),
    ({"phone": "abc"}, "phone"),
    ({"language": "fr"}, "language"),
]


@pytest.mark.parametrize("bad,field", BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_bad_values_are_field_errors_and_nothing_is_created(app, admin, create_org, bad, field):
    centre = create_org(kind="rights_center")
    before = count(app)
    form = {"name": "王", "email": "wang@centre.example", "role": "clerk", "organisation": str(centre), **bad}
    response = admin.post("/admin/users/new", form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_errors(html, field) and 'data-testid="error-summary"' in html
    assert count(app) == before and setup_links(app) == []


def test_an_address_taken_and_an_enterprise_organisation(app, admin, create_user, create_org):
    taken = create_user("clerk")
    enterprise = create_org(kind="enterprise")
    before = count(app)
    response = admin.post("/admin/users/new", {"name": "王", "email": taken["email"].upper(), "role": "clerk",
                                               "organisation": str(taken["org_id"])})
    assert response.status_code == 422 and field_errors(response.get_data(as_text=True), "email")
    response = admin.post("/admin/users/new", {"name": "王", "email": "x@y.example", "role": "clerk",
                                               "organisation": str(enterprise)})
    assert response.status_code == 422 and field_errors(response.get_data(as_text=True), "role")
    assert count(app) == before


def test_disable_asks_first_then_ends_every_session_and_key_and_enable_restores(app, admin, create_user):
    officer = create_user("agency_officer")
    signed_in = app.test_client()
    web_login(signed_in, officer)
    assert signed_in.get("/account").status_code == 200
    keys = admin.post("/admin/api-keys", {"user": str(officer["id"]), "label": "办案系统"})
    assert keys.status_code == 200
    page = admin.html(f"/admin/users/{officer['id']}")
    assert 'data-testid="disable"' in page and 'data-testid="enable"' not in page

    response = admin.post(f"/admin/users/{officer['id']}/disable")
    assert response.status_code == 200 and 'data-testid="confirm"' in response.get_data(as_text=True)
    assert get_user(app, id=officer["id"]).active  # nothing yet
    response = admin.post(f"/admin/users/{officer['id']}/disable", {"confirmed": "yes"})
    assert response.status_code == 302
    assert not get_user(app, id=officer["id"]).active
    assert signed_in.get("/account").status_code == 302  # the session ended
    from core.extensions import db

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuthToken).where(
            AuthToken.user_id == officer["id"], AuthToken.revoked_at.is_(None))) == 0
    again = app.test_client()
    token = csrf_token(again, "/login")
    response = again.post("/login", data={"csrf_token": token, "email": officer["email"],
                                          "password": officer["password"]})
    assert response.status_code == 401  # a disabled user cannot sign in
    page = admin.html(f"/admin/users/{officer['id']}")
    assert 'data-testid="enable"' in page and 'data-testid="disable"' not in page
    assert admin.post(f"/admin/users/{officer['id']}/disable", {"confirmed": "yes"}).status_code == 404

    assert admin.post(f"/admin/users/{officer['id']}/enable").status_code == 302
    assert get_user(app, id=officer["id"]).active
    assert web_login(app.test_client(), officer).status_code == 302
    assert admin.post(f"/admin/users/{officer['id']}/enable").status_code == 404  # already enabled


def test_an_admin_cannot_disable_themselves(app, admin):
    me = admin.user["id"]
    page = admin.html(f"/admin/users/{me}")
    assert 'data-testid="disable"' not in page and 'data-testid="sign-out-everywhere"' not in page
    response = admin.post(f"/admin/users/{me}/disable", {"confirmed": "yes"})
    assert response.status_code == 422
    assert get_user(app, id=me).active and admin.get("/admin").status_code == 200


def test_sign_out_everywhere_ends_sessions_and_tokens_but_not_keys(app, admin, create_user, api_login):
    officer = create_user("agency_officer")
    signed_in = app.test_client()
    web_login(signed_in, officer)
    api = api_login(officer)
    admin.post("/admin/api-keys", {"user": str(officer["id"]), "label": "办案系统"})
    response = admin.post(f"/admin/users/{officer['id']}/sign-out-everywhere")
    assert response.status_code == 200 and 'data-testid="confirm"' in response.get_data(as_text=True)
    assert signed_in.get("/account").status_code == 200  # not yet
    assert admin.post(f"/admin/users/{officer['id']}/sign-out-everywhere", {"confirmed": "yes"}).status_code == 302
    assert signed_in.get("/account").status_code == 302
    assert api.get("/api/v1/me").status_code == 401
    from core.extensions import db

    with app.app_context():
        (key,) = db.session.scalars(select(AuthToken).where(AuthToken.user_id == officer["id"],
                                                            AuthToken.kind == "api_key")).all()
        assert key.revoked_at is None
    assert get_user(app, id=officer["id"]).active


def test_a_new_link_can_be_sent(app, admin, create_user):
    clerk = create_user("clerk")
    assert admin.post(f"/admin/users/{clerk['id']}/setup-link").status_code == 302
    assert len(setup_links(app)) == 1


def test_bad_ids(app, admin):
    for bad in ("nope", "00000000-0000-0000-0000-000000000000", "x" * 5000):
        assert admin.get(f"/admin/users/{bad}").status_code == 404
        for action in ("disable", "enable", "sign-out-everywhere", "setup-link"):
            assert admin.post(f"/admin/users/{bad}/{action}", {"confirmed": "yes"}).status_code == 404


@pytest.mark.parametrize("role", ["clerk", "supervisor", "agency_officer", "enterprise_user"])
def test_only_administrators(app, create_user, role):
    victim = create_user("clerk")
    client = app.test_client()
    web_login(client, create_user(role))
    token = csrf_token(client, "/account")
    before = count(app)
    for url in ("/admin/users", "/admin/users/new", f"/admin/users/{victim['id']}"):
        assert client.get(url).status_code == 404, url
    for action in ("disable", "enable", "sign-out-everywhere", "setup-link"):
        response = client.post(f"/admin/users/{victim['id']}/{action}", data={"csrf_token": token, "confirmed": "yes"})
        assert response.status_code == 404, action
    response = client.post("/admin/users/new", data={"csrf_token": token, "name": "x", "email": "x@y.example",
                                                     "role": "admin", "organisation": str(victim["org_id"])})
    assert response.status_code == 404
    assert count(app) == before and get_user(app, id=victim["id"]).active and setup_links(app) == []
