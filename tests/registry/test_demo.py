"""`flask seed-demo` seeds the registry once: the demonstration bases (a point linked to its host enterprise)
and the demo expert's profile with its declared conflict."""
from sqlalchemy import func, select

from registry.demo import BASES


def test_the_demo_seeds_the_registry_once(app):
    import demo
    from core.extensions import db
    from registry.models import DemoBase, Expert

    with app.app_context():
        demo.seed()
        demo.seed()
        assert db.session.scalar(select(func.count()).select_from(DemoBase)) == len(BASES)
        linked = db.session.scalar(select(DemoBase).where(DemoBase.host_credit_code == "91310115MA1H7GQ5XY"))
        assert linked.host_org_id is not None
        expert = db.session.scalar(select(Expert))
        assert expert.user.email == "expert@think-tank.example" and expert.conflicts[0].name == "上海锐驰自动化有限公司"
