"""The registry's world: routing's small Shanghai, an agency head, and the think tank with two experts
(``expert`` and ``conflicted``, who declares a conflict with the complaint's infringer 上海锐驰自动化有限公司)."""
import pytest

from tests.routing.conftest import USERS, World, make_people

EXPERTS = {"expert": "王教授", "conflicted": "陈律师"}


def add_think_tank(app, world, *, domain="registry.example", keys=None):
    """The think tank's organisation and one expert account per EXPERTS key (enrolled in two-step sign-in)."""
    from accounts import mfa, services
    from accounts.enums import District, OrgKind, Role
    from core.extensions import db
    from tests.conftest import PASSWORD
    from tests.totp import enrol

    with app.app_context():
        org = services.create_organisation(name="上海市商业秘密保护专家智库", kind=OrgKind.think_tank,
                                           district=District.municipal, contact_person="联系人",
                                           phone="13800000000", email=f"think_tank@{domain}")
        for key, name in (keys or EXPERTS).items():
            user = services.create_user(organisation=org, email=f"{key}@{domain}", name=name, password=PASSWORD,
                                        role=Role.expert, language="en")
            world.users[key] = {"id": user.id, "email": user.email, "password": PASSWORD, "org_id": org.id}
            if mfa.is_required(user):
                world.users[key].update(enrol(user))
        world.orgs["think_tank"] = org.id
        db.session.commit()


@pytest.fixture
def world(app, client):
    orgs, users = make_people(app, USERS, code_base=7_500_000, domain="registry.example")
    world = World(app, client, orgs, users)
    add_think_tank(app, world)
    return world


def profile(world, key, *, conflicts=(), kind="scholar", expertise="集成电路、软件源代码"):
    response = world.api("supervisor").post("/api/v1/experts", json={
        "user_id": str(world.users[key]["id"]), "kind": kind, "affiliation": "复旦大学法学院",
        "expertise": expertise, "conflicts": list(conflicts)})
    assert response.status_code == 201, response.get_json()
    return response.get_json()
