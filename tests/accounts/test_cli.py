"""Administrator commands: `flask orgs create` and `flask users create`."""
from sqlalchemy import select

from accounts.enums import District, OrgKind, Role
from accounts.models import Organisation, User
from tests.accounts.web import count_rows, web_login
from tests.conftest import token_request

VALID_CODE = "91310115MA1H7GQ5XY"
WRONG_CHECK_DIGIT = VALID_CODE[:17] + "A"


def create_org(runner, *extra):
    return runner.invoke(args=["orgs", "create", *extra])


def enterprise_args(code=VALID_CODE, name="上海澄川智能科技有限公司"):
    return ["--name", name, "--kind", "enterprise", "--district", "pudong", "--credit-code", code]


def create_user(runner, org, email="admin@platform.example", role="admin", password="a-long-password", *extra):
    return runner.invoke(args=["users", "create", "--email", email, "--name", "管理员", "--role", role,
                               "--org", org, "--password", password, *extra])


def test_orgs_create_enterprise(app, runner):
    result = create_org(runner, *enterprise_args(code=VALID_CODE.lower()))
    assert result.exit_code == 0, result.output
    assert "created organisation" in result.output
    from core.extensions import db

    with app.app_context():
        org = db.session.scalar(select(Organisation))
        assert (org.kind, org.district, org.credit_code) == (OrgKind.enterprise, District.pudong, VALID_CODE)


def test_orgs_create_agency_without_credit_code(app, runner):
    result = create_org(runner, "--name", "上海市人民检察院", "--kind", "procuratorate", "--district", "municipal")
    assert result.exit_code == 0, result.output
    assert count_rows(app, Organisation) == 1


def test_orgs_create_wrong_check_digit_fails_and_creates_nothing(app, runner):
    result = create_org(runner, *enterprise_args(code=WRONG_CHECK_DIGIT))
    assert result.exit_code == 1
    assert "credit_code" in result.output
    assert "check digit" in result.output or "校验码" in result.output  # the CLI speaks the default language
    assert count_rows(app, Organisation) == 0


def test_orgs_create_wrong_length_fails(app, runner):
    result = create_org(runner, *enterprise_args(code="9131011"))
    assert result.exit_code == 1
    assert count_rows(app, Organisation) == 0


def test_orgs_create_enterprise_without_code_fails(app, runner):
    result = create_org(runner, "--name", "无代码公司", "--kind", "enterprise", "--district", "pudong")
    assert result.exit_code == 1
    assert "credit_code" in result.output
    assert count_rows(app, Organisation) == 0


def test_orgs_create_duplicate_code_fails(app, runner):
    assert create_org(runner, *enterprise_args()).exit_code == 0
    result = create_org(runner, *enterprise_args(name="另一家公司"))
    assert result.exit_code == 1
    assert "credit_code" in result.output
    assert count_rows(app, Organisation) == 1


def test_orgs_create_unknown_district_fails(app, runner):
    result = create_org(runner, "--name", "x", "--kind", "court", "--district", "atlantis")
    assert result.exit_code != 0
    assert count_rows(app, Organisation) == 0


def test_users_create_by_org_name_and_the_user_can_sign_in(app, runner, client, create_org):
    create_org(kind="supervisor_office", district="municipal", name="督办处")
    result = create_user(runner, "督办处")
    assert result.exit_code == 0, result.output
    from core.extensions import db

    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.role is Role.admin and user.password_hash.startswith("$argon2id$")
    user = {"email": "admin@platform.example", "password": "a-long-password"}
    # an administrator needs two-step verification: no token before enrolling (on the web, at the first login)
    response = client.post("/api/v1/auth/tokens", json=token_request(user))
    assert response.status_code == 403
    assert web_login(client, user).status_code == 200  # the enrolment, then the recovery codes
    assert client.get("/account").status_code == 200
    response = client.post("/api/v1/auth/tokens", json=token_request(user))
    assert response.status_code == 201, response.get_json()


def test_users_create_by_org_id_and_by_credit_code(app, runner, create_org):
    org_id = create_org(kind="rights_center", district="municipal")
    assert create_user(runner, str(org_id), email="clerk@centre.example", role="clerk").exit_code == 0
    create_org(credit_code=VALID_CODE)
    result = create_user(runner, VALID_CODE.lower(), email="user@enterprise.example", role="enterprise_user")
    assert result.exit_code == 0, result.output
    assert count_rows(app, User) == 2


def test_users_create_unknown_org_fails(app, runner):
    result = create_user(runner, "no such organisation")
    assert result.exit_code == 1
    assert count_rows(app, User) == 0


def test_users_create_short_password_fails(app, runner, create_org):
    create_org(kind="supervisor_office", district="municipal", name="督办处")
    result = create_user(runner, "督办处", password="short")
    assert result.exit_code == 1
    assert "password" in result.output
    assert count_rows(app, User) == 0


def test_users_create_role_foreign_to_the_organisation_fails(app, runner, create_org):
    create_org(credit_code=VALID_CODE)
    result = create_user(runner, VALID_CODE, role="admin")
    assert result.exit_code == 1
    assert "role" in result.output
    assert count_rows(app, User) == 0


def test_users_create_duplicate_email_fails(app, runner, create_org):
    create_org(kind="supervisor_office", district="municipal", name="督办处")
    assert create_user(runner, "督办处").exit_code == 0
    result = create_user(runner, "督办处", "ADMIN@platform.example")
    assert result.exit_code == 1
    assert "email" in result.output
    assert count_rows(app, User) == 1


def test_users_create_prompts_for_the_password_twice(app, runner, create_org):
    create_org(kind="supervisor_office", district="municipal", name="督办处")
    result = runner.invoke(args=["users", "create", "--email", "a@b.example", "--name", "n", "--role", "supervisor",
                                 "--org", "督办处"], input="a-long-password\na-long-password\n")
    assert result.exit_code == 0, result.output
    assert "a-long-password" not in result.output
    assert count_rows(app, User) == 1
