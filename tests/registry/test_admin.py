"""The administrator creates the think tank's organisation and an expert's account (the role fits only the
think tank)."""
from sqlalchemy import select

from tests.admin.support import AdminPages


def test_the_administrator_creates_an_expert_in_the_think_tank_only(app, client, create_user, create_org):
    from accounts.models import User
    from core.extensions import db

    admin = AdminPages(app, client, create_user("admin", language="zh"))
    tank = create_org(kind="think_tank", name="上海市商业秘密保护专家智库")
    centre = create_org(kind="rights_center", name="某维权中心")
    form = {"name": "王教授", "email": "wang@tank.example", "role": "expert", "organisation": str(centre),
            "language": "zh"}
    refused = admin.post("/admin/users/new", form)
    assert refused.status_code == 422
    assert admin.post("/admin/users/new", {**form, "organisation": str(tank)}).status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "wang@tank.example"))
        assert user.role.value == "expert" and user.organisation_id == tank
    assert "专家" in admin.html("/admin/users/new")
