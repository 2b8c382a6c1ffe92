"""The organisation directory: a list with filters and search, create and edit with field errors."""
import pytest
from sqlalchemy import func, select

from accounts.models import Organisation
from tests.accounts.web import field_errors
from tests.conftest import make_credit_code
from tests.core.test_translations import compiled  # noqa: F401 (a fixture: the .mo of the .po)

NEW = {"name": "上海市公安局浦东分局", "kind": "public_security", "district": "pudong", "contact_person": "李警官",
       "phone": "021-58880000", "email": "pudong@police.example"}


def count(app):
    from core.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Organisation))


def get(app, **where):
    from core.extensions import db

    with app.app_context():
        return db.session.scalar(select(Organisation).filter_by(**where))


def test_the_list_filters_by_kind_and_district_and_finds_by_name(compiled, app, admin, create_org):
    create_org(kind="court", district="xuhui", name="徐汇区人民法院")
    create_org(kind="market_regulation", district="pudong", name="浦东新区市场监督管理局")
    create_org(kind="market_regulation", district="xuhui", name="徐汇区市场监督管理局")
    html = admin.html("/admin/organisations")
    assert "徐汇区人民法院" in html and "人民法院" in html  # kinds by their labels
    assert "market_regulation" not in html.replace('value="market_regulation"', "")
    html = admin.html("/admin/organisations?kind=market_regulation")
    assert "浦东新区市场监督管理局" in html and "徐汇区市场监督管理局" in html and "徐汇区人民法院" not in html
    html = admin.html("/admin/organisations?kind=market_regulation&district=xuhui")
    assert "徐汇区市场监督管理局" in html and "浦东新区市场监督管理局" not in html
    html = admin.html("/admin/organisations?q=人民")
    assert "徐汇区人民法院" in html and "市场监督" not in html.split('data-testid="organisations"')[1]
    assert 'data-testid="no-organisations"' in admin.html("/admin/organisations?q=%25_")  # wildcards are literal


@pytest.mark.parametrize("query,field", [("kind=bank", "kind"), ("district=mars", "district"), ("q=" + "x" * 101, "q")])
def test_bad_filters_are_field_errors(app, admin, query, field):
    response = admin.get(f"/admin/organisations?{query}")
    assert response.status_code == 422 and field_errors(response.get_data(as_text=True), field)


def test_an_admin_creates_and_edits_an_organisation(compiled, app, admin):
    html = admin.html("/admin/organisations/new")
    assert 'class="required"' in html and 'id="field-credit_code"' in html
    response = admin.post("/admin/organisations/new", NEW)
    assert response.status_code == 302
    org = get(app, name=NEW["name"])
    assert org.kind.value == "public_security" and org.district.value == "pudong" and org.credit_code is None
    assert NEW["name"] in admin.html("/admin/organisations")

    response = admin.post(f"/admin/organisations/{org.id}", {**NEW, "name": "浦东分局", "district": "lingang"})
    assert response.status_code == 302
    changed = get(app, id=org.id)
    assert (changed.name, changed.district.value) == ("浦东分局", "lingang")

    # an enterprise: the credit code is required, trimmed and upper-cased
    code = make_credit_code(77)
    response = admin.post("/admin/organisations/new", {**NEW, "name": "某科技有限公司", "kind": "enterprise",
                                                       "credit_code": f"  {code.lower()} "})
    assert response.status_code == 302
    assert get(app, name="某科技有限公司").credit_code == code


BAD = [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"name": "名\u202e称"}, "name"),
    ({"kind": ""}, "kind"),
    ({"kind": "bank"}, "kind"),
    ({"district": "mars"}, "district"),
    ({"kind": "enterprise"}, "credit_code"),  # an enterprise without its code
    ({"kind": "enterprise", "credit_code": "91310115MA1H7GQ5XZ"}, "credit_code"),  # wrong check digit
    ({"credit_code": "1234"}, "credit_code"),
    ({"phone": "call me"}, "phone"),
    ({"email": "not-an-address"}, "email"),
    ({"email": "a" * 250 + "@x.example"}, "email"),
    ({"contact_person": "x" * 101}, "contact_person"),
]


@pytest.mark.parametrize("bad,field", BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_bad_values_are_field_errors_and_nothing_is_saved(compiled, app, admin, bad, field):
    before = count(app)
    response = admin.post("/admin/organisations/new", {**NEW, **bad})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_errors(html, field), html[html.find("error-summary"):][:500]
    assert 'data-testid="error-summary"' in html and "未保存" in html
    assert count(app) == before


def test_uniqueness_is_a_field_error(app, admin, create_org):
    code = make_credit_code(5)
    create_org(kind="enterprise", credit_code=code, name="甲公司")
    police = create_org(kind="public_security", name="乙分局")
    before = count(app)
    response = admin.post("/admin/organisations/new", {**NEW, "kind": "enterprise", "name": "丙公司",
                                                       "credit_code": code})
    assert response.status_code == 422 and field_errors(response.get_data(as_text=True), "credit_code")
    response = admin.post("/admin/organisations/new", {**NEW, "name": "乙分局"})
    assert response.status_code == 422 and field_errors(response.get_data(as_text=True), "name")
    assert count(app) == before
    # editing keeps its own name and code without complaint
    assert admin.post(f"/admin/organisations/{police}", {**NEW, "name": "乙分局"}).status_code == 302


def test_the_kind_cannot_change_under_its_users(app, admin, create_user, create_org):
    org = create_org(kind="market_regulation", name="某局")
    create_user("agency_officer", org_id=org)
    response = admin.post(f"/admin/organisations/{org}", {**NEW, "name": "某局", "kind": "rights_center"})
    assert response.status_code == 422 and field_errors(response.get_data(as_text=True), "kind")
    assert get(app, id=org).kind.value == "market_regulation"


def test_bad_ids_huge_bodies_and_unknown_fields(app, admin):
    for bad in ("nope", "00000000-0000-0000-0000-000000000000", "x" * 5000, "%00"):
        assert admin.get(f"/admin/organisations/{bad}").status_code == 404, bad
        assert admin.post(f"/admin/organisations/{bad}", NEW).status_code == 404, bad
    before = count(app)
    assert admin.post("/admin/organisations/new", {**NEW, "name": "x" * 3_000_000}).status_code == 413
    response = admin.post("/admin/organisations/new", {**NEW, "id": "00000000-0000-0000-0000-000000000001"})
    assert response.status_code == 302  # fields the form does not have are not read
    assert get(app, name=NEW["name"]).id.int != 1 and count(app) == before + 1


@pytest.mark.parametrize("role", ["clerk", "supervisor", "agency_officer", "enterprise_user"])
def test_only_administrators(app, create_user, create_org, role):
    from tests.accounts.web import csrf_token, web_login

    org = create_org(kind="court")
    client = app.test_client()
    web_login(client, create_user(role))
    token = csrf_token(client, "/account")
    before = count(app)
    for url in ("/admin", "/admin/organisations", "/admin/organisations/new", f"/admin/organisations/{org}"):
        assert client.get(url).status_code == 404, url
    assert client.post("/admin/organisations/new", data={"csrf_token": token, **NEW}).status_code == 404
    assert client.post(f"/admin/organisations/{org}", data={"csrf_token": token, **NEW}).status_code == 404
    assert count(app) == before and get(app, id=org).kind.value == "court"
    assert app.test_client().get("/admin/organisations").status_code == 302  # anonymous: to the sign-in page
