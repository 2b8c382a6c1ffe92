"""The pages every role is shown, for the page-text scan (tests/pages/test_page_text.py) and the browser tour
(tests/e2e/test_tour.py).

The world is the authorization matrix's (tests/authz/world.py: a supervised complaint with referrals in every
relation, a consultation, a draft, another centre's complaint, notifications, dead deliveries, webhooks, API
keys), plus what the pages show in other states: an agency head for each agency kind, a complaint waiting
in the queue unclaimed, and one whose market-regulation referral is open with an extension request waiting
for the head and whose civil dispute went to the court.

Pages are discovered from the URL map: every GET rule (not /api, not static) whose parameters the world
can fill (``CANDIDATES``), requested as each role; the page is shown to that role when it answers 200 with
HTML (downloads, PDFs and JSON answer something else and drop out by themselves). A rule whose parameters
cannot be filled must be in ``SKIP`` with a reason.
"""
import datetime as dt
import re
import sys
import uuid
from dataclasses import dataclass, field

from tests.authz import world as authz
from tests.conftest import _app_for, _empty_all_tables
from tests.routing.conftest import make_people
from tests.routing.support import (CUSTOMER_LIST, acknowledge_and_accept, create_referrals, item, ok, refer,
                                   submit)

# the matrix's people, and an agency head in each agency kind (the matrix's ``head`` is amr_city's)
PAGE_USERS = {**authz.AUTHZ_USERS, "police_head": ("agency_head", "police"),
              "procuratorate_head": ("agency_head", "procuratorate"), "court_head": ("agency_head", "court")}

# role shown in the reports -> the world's user (None: not signed in)
ROLES = {
    "anonymous": None,
    "enterprise_user": "enterprise",
    "clerk": "clerk",
    "supervisor": "supervisor",
    "admin": "admin",
    "officer:market_regulation": "amr_city",
    "officer:public_security": "police",
    "officer:procuratorate": "procuratorate",
    "officer:court": "court",
    "head:market_regulation": "head",
    "head:public_security": "police_head",
    "head:procuratorate": "procuratorate_head",
    "head:court": "court_head",
    "expert": "expert",  # of the think tank (registry/): the consultation it is invited to
    "staff:second_step": "clerk2",  # a clerk between the password and the code of the sign-in (/login/mfa)
}
# roles whose sign-in stops after the password, before the second step
SECOND_STEP = {"staff:second_step"}
LOCALES = ("zh", "en")

CONFIG = {"WTF_CSRF_ENABLED": False, "API_TOKEN_LIFETIME_SECONDS": 365 * 86400, "SESSION_SINGLE": False}

# Rules of the URL map whose parameters the world cannot fill, with the reason. A new rule with a parameter
# neither here nor in CANDIDATES fails the scan: give the world an object for it, or a reason here.
SKIP = {
    "/complaints/<complaint_id>/messages/attachments/<attachment_id>":
        "a download (the attached file), not a page: tests/conversations checks who may fetch it",
    "/supervision/bulletins/<bulletin_id>/pdf":
        "a download (the bulletin's PDF), not a page: tests/supervision/test_bulletin.py checks it and who may fetch it",
    "/deposits/checkpoints/<int:size>":
        "a checkpoint's signed note (text/plain, verbatim), not a page: tests/evidence/test_deposits.py reads it",
}

EXTENSION_REASON = "鉴定材料较多，需要更多时间核查。"


class PageWorld(authz.AuthzWorld):
    """The matrix's world with the extra objects of ``build``; ``candidates(name, user)`` fills a path parameter."""

    def candidates(self, name, user_key):
        """The values to try for the path parameter ``name`` as ``user_key``, or None when nothing can fill it."""
        o = self.objects
        own = self.users[user_key]["id"] if user_key else None
        values = {
            "complaint_id": [o["c1"], o["draft"], o["c3"], o["c4"], o["c2"], o["c5"], o["c6"]],
            "referral_id": [o["r_police"], o["r_amr3"], o["r_court"], o["r_proc"], o["r_amr"], o["r_transfer"],
                            o["r_other"]],
            "consultation_id": [o["cons"]],
            "receipt_id": [o["receipt"], o["submission_receipt"]],  # routing/receipts.py (a JSON download)
            "deadline_id": [o["deadline_a1"], o["deadline"]],
            "evidence_id": [o["evidence"]],
            "notification_id": [o["notifications"].get(user_key)] if user_key else [],
            "endpoint_id": o["webhooks"][:1],
            "delivery_id": [o["delivery"]],
            "key_id": o["api_keys"][:1],
            "clue_id": [o["clue"]],
            "code": ["Q1"],
            "day": ["2099-01-01"],
            "token": ["no-such-link-token"],
            "user_id": [str(self.users["clerk"]["id"]), str(self.users["enterprise"]["id"])]
            + ([str(own)] if own else []),
            "organisation_id": [self.org("police"), self.org("enterprise")],
            "org_id": [self.org("police"), self.org("enterprise")],
            "snapshot_id": [o.get("snapshot")],
            "bulletin_id": [o.get("bulletin")],
            "case_id": [o["case_published"], o["case_draft"]],
            "assessment_id": [o["assessment"]],
            "slug": ["protection-guide", "criminal-threshold"],
            "base_id": [o["demo_base"]], "expert_id": [o["expert"]], "officer_id": [o["officer"]],
            "supervision_id": [o["supervision"]],
        }.get(name)
        return None if values is None else [str(v) for v in values if v is not None]


def build(app) -> PageWorld:
    client = app.test_client(use_cookies=False)
    orgs, users = make_people(app, PAGE_USERS, code_base=7_000_000, domain="pages.example")
    world = PageWorld(app, client, orgs, users)
    authz._objects(world)  # the matrix's objects, made through the API as the users would
    _more_objects(world)
    return world


def _more_objects(world):
    from core.extensions import db
    from deadlines.models import Deadline
    from sqlalchemy import select

    o = world.objects
    api = world.api
    # c3: accepted, referred to the market regulator (acknowledged, opened: its clock runs) and to the court
    c3 = submit(world, data=CUSTOMER_LIST)
    ok(api("clerk").post(f"/api/v1/complaints/{c3['id']}/transitions", json={"trigger": "claim"}))
    ok(api("clerk").post(f"/api/v1/complaints/{c3['id']}/transitions", json={"trigger": "accept", "message": "受理。"}))
    o["c3"] = c3["id"]
    o["r_amr3"] = refer(world, c3["id"], "amr_city", "administrative")["id"]
    acknowledge_and_accept(world, o["r_amr3"], "amr_city", case_number="沪市监案〔2026〕12号")
    o["r_court"] = ok(create_referrals(world, c3["id"], item(world, "court", "civil", civil_route="pre_suit_mediation")),
                      201)[0]["id"]
    # c4: submitted, waiting in the queue unclaimed
    o["c4"] = submit(world)["id"]
    # c5: concluded by the centre with guidance (a typical case can be drafted from it)
    c5 = submit(world, data={**CUSTOMER_LIST, "facts": "销售经理辞职前一周导出客户名单，交给竞争对手。"})
    ok(api("clerk").post(f"/api/v1/complaints/{c5['id']}/transitions", json={"trigger": "claim"}))
    ok(api("clerk").post(f"/api/v1/complaints/{c5['id']}/transitions", json={"trigger": "accept", "message": "受理。"}))
    ok(api("clerk").post(f"/api/v1/complaints/{c5['id']}/transitions", json={"trigger": "resolve", "message": "已指导企业固定证据并与对方协商。"}))
    o["c5"] = c5["id"]
    with world.app.app_context():
        a1 = db.session.scalars(select(Deadline).where(
            Deadline.subject_type == "referral", Deadline.subject_id == uuid.UUID(o["r_amr3"]))
            .order_by(Deadline.due_at.desc())).first()
        o["deadline_a1"] = str(a1.public_id)
        wanted = (a1.due_at + dt.timedelta(days=10)).isoformat()
    ok(api("amr_city").post(f"/api/v1/deadlines/{o['deadline_a1']}/extension-requests",
                            json={"reason": EXTENSION_REASON, "requested_due_at": wanted}), 201)
    # satisfaction: c5 concluded with guidance and rated dissatisfied (under the centre's review), c6 concluded and
    # not rated yet (the enterprise's rating form)
    for key in ("c5", "c6"):
        complaint = submit(world)
        for body in ({"trigger": "claim"}, {"trigger": "accept", "message": "受理。"},
                     {"trigger": "resolve", "message": "已提供维权指导。"}):
            ok(api("clerk").post(f"/api/v1/complaints/{complaint['id']}/transitions", json=body))
        o[key] = complaint["id"]
    ok(api("enterprise").post(f"/api/v1/complaints/{o['c5']}/satisfaction",
                              json={"rating": "dissatisfied", "comment": "指导意见未回应证据保全的请求。"}), 201)


def make_world(db_kind, url, tmp_path_factory):
    """(app, world) for one database; ``drop(app)`` empties it again."""
    app, pristine = _app_for(db_kind, url, CONFIG)
    app.config.clear()
    app.config.update(pristine)
    app.config["EVIDENCE_DIR"] = str(tmp_path_factory.mktemp("evidence"))
    return app, build(app)


def drop(app):
    from core.extensions import db

    with app.app_context():
        db.session.remove()
        _empty_all_tables(db.engine, db.metadata)
        db.engine.dispose()


# --- the pages ------------------------------------------------------------------------------------

PARAM = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


def page_rules(app):
    """Every GET rule of the URL map a person may open in a browser: not the API, not static files."""
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/api/") or "GET" not in rule.methods:
            continue
        rules.append(rule.rule)
    return sorted(set(rules))


def unfillable(world, rules):
    """The rules (not in SKIP) with a parameter the world has no candidates for."""
    return sorted(rule for rule in rules if rule not in SKIP
                  and any(world.candidates(name, None) is None for name in PARAM.findall(rule)))


def urls_of(world, rule, user_key):
    """Every URL of ``rule`` with its parameters filled from the world, for ``user_key``."""
    names = PARAM.findall(rule)
    urls = [rule]
    for name in names:
        values = world.candidates(name, user_key) or []
        urls = [PARAM.sub(lambda m, v=v, n=name: v if m.group(1) == n else m.group(0), url, count=0)
                for url in urls for v in values]
    return urls


def signed_in_clients(world):
    """role -> a test client signed in as that role through the login form (a plain one for anonymous, one
    that gave its password only for SECOND_STEP)."""
    clients = {}
    for role, key in ROLES.items():
        if role in SECOND_STEP:
            clients[role] = world.app.test_client()
            user = world.users[key]
            response = clients[role].post("/login", data={"email": user["email"], "password": user["password"]},
                                          environ_base={"REMOTE_ADDR": "10.66.0.1"})
            assert response.headers.get("Location", "").endswith("/login/mfa"), response.status_code
        else:
            clients[role] = world.web(key) if key else world.app.test_client()
    return clients


def with_locale(url, locale):
    return url + ("&" if "?" in url else "?") + f"lang={locale}"


@dataclass
class Page:
    rule: str
    url: str
    role: str
    user: str | None
    html: dict = field(default_factory=dict)  # locale -> the page's HTML


# at most this many objects of one rule per role (the candidates come in order of their states' variety)
PER_RULE = 4

# pages that are not rules of the URL map: (name, url, the status they answer)
ERROR_PAGES = [("<page not found>", "/no-such-page", 404)]

# forms sent wrong, answered with the page and its errors (nothing changes): (name, role, URL, form)
REFUSED_FORMS = [
    ("<login refused>", "anonymous", "/login", {"email": "nobody@pages.example", "password": "not-the-password-1"}),
    ("<registration refused>", "anonymous", "/register", {"credit_code": " 91310115ma1h7gq5xz", "email": "x"}),
    ("<incomplete draft submitted>", "enterprise_user", "/complaints/{draft}/submit", {}),
    ("<draft saved with bad values>", "enterprise_user", "/complaints/{draft}/edit",
     {"estimated_loss": "很多", "discovered_on": "2099-13-01"}),
    ("<triage action refused>", "clerk", "/centre/complaints/{c1}/transitions", {"trigger": "claim"}),
    ("<password change refused>", "clerk", "/account/password", {"current_password": "wrong", "new_password": "x"}),
]


def shown_pages(world, clients, errors=False, per_rule=PER_RULE):
    """[Page] of every page each role is shown (answered 200 with HTML), in Chinese and in English; with
    ``errors``, the error pages and the forms refused with their errors too (REFUSED_FORMS, sent last).

    ``clients``: role -> a test client signed in as that role (or anonymous); at most ``per_rule`` URLs of
    one rule per role."""
    pages = []
    rules = [r for r in page_rules(world.app) if r not in SKIP]
    for role, user_key in ROLES.items():
        client = clients[role]
        wanted = [(rule, url, 200) for rule in rules for url in urls_of(world, rule, user_key)]
        hits = {}
        for rule, url, status in wanted + (ERROR_PAGES if errors else []):
            if hits.get(rule, 0) >= per_rule:
                continue
            page = Page(rule, url, role, user_key)
            for locale in LOCALES:
                response = client.get(with_locale(url, locale))
                body = response.get_data(as_text=True) if response.mimetype == "text/html" else None
                response.close()
                assert response.status_code < 500, f"{url} as {role} ({locale}): {response.status_code}"
                if response.status_code != status or body is None:
                    break
                page.html[locale] = body
            if len(page.html) == len(LOCALES):
                pages.append(page)
                hits[rule] = hits.get(rule, 0) + 1
            elif status != 200:
                raise AssertionError(f"{url} as {role}: not the {status} page it should be")
    for name, role, url, form in REFUSED_FORMS if errors else []:
        url = url.format(**world.objects)
        page = Page(name, url, role, ROLES[role])
        for locale in LOCALES:
            response = clients[role].post(with_locale(url, locale), data=form)
            assert 400 <= response.status_code < 500 and response.status_code != 404 \
                and response.mimetype == "text/html", f"POST {url} as {role}: {response.status_code}, not refused"
            page.html[locale] = response.get_data(as_text=True)
        pages.append(page)
    return pages


def project_enums():
    """Every Enum class defined in the project's own packages (imported by create_app)."""
    import enum

    packages = {name.split(".")[0] for name, module in sys.modules.items()
                if getattr(module, "__file__", None) and "/site-packages/" not in (module.__file__ or "")
                and name.split(".")[0] not in ("tests", "__main__")}
    found = set()
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] not in packages or not getattr(module, "__file__", None):
            continue
        if "/site-packages/" in module.__file__ or "/lib/python" in module.__file__:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, enum.Enum) and value.__module__ == name:
                found.add(value)
    return found
