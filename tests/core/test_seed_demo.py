"""`flask seed-demo`: a realistic demo that can be loaded twice without changing anything."""
from sqlalchemy import func, select

from accounts.credit_code import credit_code_problem
from accounts.enums import OrgKind, Role
from accounts.models import Organisation, User
from intake.models import Complaint
from tests.accounts.web import count_rows


def counts(app):
    return tuple(count_rows(app, model) for model in (Organisation, User, Complaint))


def test_seed_demo_twice_is_idempotent_and_prints_the_logins(app, runner):
    from demo import DEMO_PASSWORD, USERS

    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    after_first = counts(app)
    assert all(after_first)

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert counts(app) == after_first

    for result in (first, second):
        assert DEMO_PASSWORD in result.output
        for email, *_ in USERS:
            assert email in result.output


def test_seed_demo_has_every_kind_of_organisation_and_every_role(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    from core.extensions import db

    with app.app_context():
        kinds = dict(db.session.execute(select(Organisation.kind, func.count()).group_by(Organisation.kind)).all())
        roles = set(db.session.scalars(select(User.role)))
        codes = list(db.session.scalars(select(Organisation.credit_code).where(
            Organisation.kind == OrgKind.enterprise)))
    assert kinds[OrgKind.rights_center] == 2
    assert kinds[OrgKind.market_regulation] == 3
    assert kinds[OrgKind.enterprise] == 3
    assert kinds[OrgKind.court] == 2
    assert kinds[OrgKind.public_security] >= 1 and kinds[OrgKind.procuratorate] >= 1
    assert roles == set(Role)
    assert all(credit_code_problem(code) is None for code in codes)


def test_a_demo_login_works(app, runner, client):
    from demo import DEMO_PASSWORD

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    response = client.post("/api/v1/auth/tokens", json={"email": "wangmin@chengchuan.example",
                                                        "password": DEMO_PASSWORD})
    assert response.status_code == 201
    assert response.get_json()["user"]["role"] == "enterprise_user"
