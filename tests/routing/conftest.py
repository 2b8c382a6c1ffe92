"""Fixtures of the routing tests: a small Shanghai of organisations and users, with API clients.

``world`` builds the centre, a second centre, two enterprises, the four kinds of agency (two of
some) and a supervisor office, each with a user; ``world.api(key)`` logs that user in (once).
"""
import pytest

from tests.conftest import ApiClient

# key: (kind, district, name)
ORGS = {
    "centre": ("rights_center", "municipal", "上海市商业秘密保护维权中心"),
    "other_centre": ("rights_center", "xuhui", "徐汇区商业秘密保护维权中心"),
    "enterprise": ("enterprise", "pudong", "上海澄川智能科技有限公司"),
    "other_enterprise": ("enterprise", "xuhui", "上海徐汇某软件有限公司"),
    "amr_city": ("market_regulation", "municipal", "上海市市场监督管理局"),
    "amr_putuo": ("market_regulation", "putuo", "上海市普陀区市场监督管理局"),
    "police": ("public_security", "municipal", "上海市公安局经济犯罪侦查总队"),
    "police_pudong": ("public_security", "pudong", "上海市公安局浦东分局"),
    "procuratorate": ("procuratorate", "municipal", "上海市人民检察院"),
    "court": ("court", "municipal", "上海知识产权法院"),
    "supervisor_office": ("supervisor_office", "municipal", "上海市市场监督管理局知识产权保护处"),
}

# key: (role, organisation key). An enterprise in Pudong has no Pudong centre here, so its
# complaints go to the municipal centre; the Xuhui enterprise's go to the Xuhui centre.
USERS = {
    "enterprise": ("enterprise_user", "enterprise"),
    "other_enterprise": ("enterprise_user", "other_enterprise"),
    "clerk": ("clerk", "centre"),
    "clerk2": ("clerk", "centre"),
    "other_clerk": ("clerk", "other_centre"),
    "amr_city": ("agency_officer", "amr_city"),
    "amr_city_head": ("agency_head", "amr_city"),
    "amr_putuo": ("agency_officer", "amr_putuo"),
    "police": ("agency_officer", "police"),
    "police_pudong": ("agency_officer", "police_pudong"),
    "procuratorate": ("agency_officer", "procuratorate"),
    "court": ("agency_officer", "court"),
    "supervisor": ("supervisor", "supervisor_office"),
    "admin": ("admin", "supervisor_office"),
}


class World:
    def __init__(self, app, client, orgs, users):
        self.app = app
        self.client = client
        self.orgs = orgs  # key -> organisation id
        self.users = users  # key -> {"id", "email", "password", "org_id"}
        self._apis = {}

    def org(self, key) -> str:
        return str(self.orgs[key])

    def api(self, key) -> ApiClient:
        """A bearer-token client for the user ``key`` (a token issued on first use, as a login would)."""
        if key not in self._apis:
            from accounts.models import User
            from accounts.services import issue_api_token
            from core.extensions import db

            with self.app.app_context():
                raw, _token = issue_api_token(db.session.get(User, self.users[key]["id"]))
                db.session.commit()
            self._apis[key] = ApiClient(self.client, raw)
        return self._apis[key]


def make_people(app, users_spec, *, code_base, domain):
    """ORGS and the users of ``users_spec`` (key -> (role, organisation key)) in one transaction, staff
    enrolled in two-step verification: ({key: organisation id}, {key: the user's login details})."""
    from accounts import mfa, services
    from accounts.enums import District, OrgKind, Role
    from core.extensions import db
    from tests.conftest import PASSWORD, make_credit_code
    from tests.totp import enrol

    with app.app_context():
        orgs = {}
        for n, (key, (kind, district, name)) in enumerate(ORGS.items(), start=1):
            orgs[key] = services.create_organisation(
                name=name, kind=OrgKind(kind), district=District(district),
                credit_code=make_credit_code(code_base + n) if kind == "enterprise" else None,
                contact_person="联系人", phone="13800000000", email=f"{key}@{domain}")
        users = {}
        for key, (role, org_key) in users_spec.items():
            user = services.create_user(organisation=orgs[org_key], email=f"{key}@{domain}", name=f"{key} 用户",
                                        password=PASSWORD, role=Role(role), language="en")
            users[key] = {"id": user.id, "email": user.email, "password": PASSWORD, "org_id": orgs[org_key].id}
            if mfa.is_required(user):  # staff sign in with a code too (tests/totp.py)
                users[key].update(enrol(user))
        orgs = {key: org.id for key, org in orgs.items()}
        db.session.commit()
    return orgs, users


@pytest.fixture
def world(app, client):
    """Every organisation and user in one transaction (the login endpoint itself is tested in accounts)."""
    orgs, users = make_people(app, USERS, code_base=9_000_000, domain="routing.example")
    return World(app, client, orgs, users)
