"""The authorization matrix (tests/authz/matrix.toml) over every rule of the URL map and every operation of
the OpenAPI document, on each database; and lists, counts and notifications without other organisations' rows.

The world (tests/authz/world.py) is built once per database for this module. Each request is made as
the actor of a relation (web pages with a signed-in session, the API with a bearer token) on the object
of that relation; the status must be the matrix's. ``AUTHZ_RECORD=path`` writes the statuses observed,
in the matrix's format, to ``path`` (to review, never to copy blindly).
"""
import itertools
import json
import os
import re
import tomllib
from pathlib import Path

import pytest

from tests.authz import world as authz
from tests.conftest import DATABASES, _app_for, _empty_all_tables

MATRIX_FILE = Path(__file__).with_name("matrix.toml")
MATRIX = tomllib.loads(MATRIX_FILE.read_text(encoding="utf-8"))
# several sessions of one user side by side: the "fresh" rows sign in again (SESSION_SINGLE is tested in accounts)
CONFIG = {"WTF_CSRF_ENABLED": False, "API_TOKEN_LIFETIME_SECONDS": 365 * 86400, "SESSION_SINGLE": False}

# The relations of each kind of object: key -> (the acting user, or None; the path parameters' object keys)
ROLE_ACTORS = {"anonymous": None, "enterprise": "enterprise", "clerk": "clerk", "officer": "police",
               "head": "head", "supervisor": "supervisor", "admin": "admin", "expert": "expert"}
COMPLAINT = {"anonymous": None, "enterprise:own": "enterprise", "enterprise:other": "other_enterprise",
             "clerk:centre": "clerk", "clerk:other": "other_clerk", "officer:referred": "police",
             "officer:other": "court", "head:referred": "head", "supervisor:any": "supervisor", "admin:any": "admin",
             "expert:any": "expert"}
REFERRAL = {  # key: (actor, referral)
    "anonymous": (None, "r_police"), "officer:own": ("police", "r_police"), "head:own": ("head", "r_amr"),
    "officer:other": ("court", "r_police"), "officer:same_complaint": ("amr_city", "r_police"),
    "officer:transferring": ("amr_city", "r_transfer"), "officer:transferred_to": ("police_pudong", "r_amr"),
    "officer:supervising": ("procuratorate", "r_police"), "officer:supervised": ("police", "r_proc"),
    "clerk:centre": ("clerk", "r_police"), "clerk:other": ("other_clerk", "r_police"),
    "supervisor:any": ("supervisor", "r_police"), "enterprise:own": ("enterprise", "r_police"),
    "enterprise:other": ("other_enterprise", "r_police"), "admin:any": ("admin", "r_police"),
    "expert:any": ("expert", "r_police")}
CONSULTATION = {"anonymous": None, "officer:invited": "police", "head:invited": "head", "officer:other": "court",
                "clerk:centre": "clerk", "clerk:other": "other_clerk", "supervisor:any": "supervisor",
                "enterprise:own": "enterprise", "enterprise:other": "other_enterprise", "admin:any": "admin",
                "expert:invited": "expert", "expert:other": "expert2"}
SNAPSHOT = {"anonymous": None, "supervisor:any": "supervisor", "clerk:any": "clerk", "officer:any": "police",
            "head:any": "head", "enterprise:any": "enterprise", "admin:any": "admin", "expert:any": "expert"}
BULLETIN = {"anonymous": None, "supervisor:any": "supervisor", "clerk:named": "clerk", "clerk:other": "other_clerk",
            "officer:named": "police", "officer:other": "court", "head:other": "head", "enterprise:any": "enterprise",
            "admin:any": "admin", "expert:any": "expert"}
NOTIFICATION = {"anonymous": None, "user:own": "clerk", "user:other": "clerk2", "enterprise:other": "enterprise",
                "admin:other": "admin"}
RECEIPT = {"anonymous": None, "enterprise:own": "enterprise", "enterprise:other": "other_enterprise",
           "clerk:centre": "clerk", "clerk:other": "other_clerk", "officer:own": "police", "officer:other": "court",
           "officer:same_complaint": "amr_city", "supervisor:any": "supervisor", "admin:any": "admin",
           "expert:any": "expert"}
DEADLINE = {"anonymous": None, "officer:own": "police_pudong", "officer:transferring": "amr_city",
            "officer:other": "court", "clerk:centre": "clerk", "clerk:other": "other_clerk",
            "supervisor:any": "supervisor", "enterprise:own": "enterprise", "admin:any": "admin", "expert:any": "expert"}
# publication/: typical cases (the draft's drafter is ``supervisor``) and an enterprise's self-assessment
TYPICAL_CASE = {"anonymous": None, "enterprise": "enterprise", "clerk": "clerk", "officer": "police", "head": "head",
                "supervisor:drafter": "supervisor", "admin": "admin", "expert": "expert"}
ASSESSMENT = {"anonymous": None, "enterprise:own": "enterprise", "enterprise:other": "other_enterprise",
              "clerk": "clerk", "officer": "police", "supervisor": "supervisor", "admin": "admin", "expert": "expert"}
# registry/: a demonstration base of ``centre``, an expert's profile, an officer of the talent pool (amr_city's,
# whose head is ``head``) and the key case of c1
DEMO_BASE = {"anonymous": None, "supervisor:any": "supervisor", "clerk:centre": "clerk", "clerk:other": "other_clerk",
             "officer": "police", "head": "head", "enterprise": "enterprise", "admin": "admin", "expert": "expert"}
OFFICER = {"anonymous": None, "supervisor:any": "supervisor", "head:own": "head", "officer:self": "amr_city",
           "officer:other": "police", "clerk": "clerk", "enterprise": "enterprise", "admin": "admin",
           "expert": "expert"}


def relations(kind, o):
    """{key: (actor, {path parameter: value})} for objects of ``kind`` in the world's objects ``o``."""
    def each(actors, params):
        return {key: (actor, params) for key, actor in actors.items()}

    if kind == "none":
        return each(ROLE_ACTORS, {})
    if kind in ("complaint", "draft", "other_complaint"):
        target = {"complaint": "c1", "draft": "draft", "other_complaint": "c2"}[kind]
        return each(COMPLAINT, {"complaint_id": o[target]})
    if kind == "complaint_evidence":
        return each(COMPLAINT, {"complaint_id": o["c1"], "evidence_id": o["evidence"]})
    if kind == "complaint_attachment":  # a file of a message in the complaint's conversation
        return each(COMPLAINT, {"complaint_id": o["c1"], "attachment_id": o["attachment"]})
    if kind in ("referral", "referral_evidence"):
        extra = {"evidence_id": o["evidence"]} if kind == "referral_evidence" else {}
        return {key: (actor, {"referral_id": o[ref], **extra}) for key, (actor, ref) in REFERRAL.items()}
    if kind == "consultation":
        return each(CONSULTATION, {"consultation_id": o["cons"]})
    if kind == "notification":
        return each(NOTIFICATION, {"notification_id": o["notifications"]["clerk"]})
    if kind == "deadline":
        return each(DEADLINE, {"deadline_id": o["deadline"]})
    if kind in ("receipt", "submission_receipt"):  # r_police's delivered receipt; c1's submission receipt
        return each(RECEIPT, {"receipt_id": o[kind]})
    if kind in ("typical_case", "published_case"):
        return each(TYPICAL_CASE, {"case_id": o["case_draft" if kind == "typical_case" else "case_published"]})
    if kind == "assessment":
        return each(ASSESSMENT, {"assessment_id": o["assessment"]})
    if kind == "article":
        return each(ROLE_ACTORS, {"slug": "protection-guide"})
    if kind == "demo_base":
        return each(DEMO_BASE, {"base_id": o["demo_base"]})
    if kind == "officer":
        return each(OFFICER, {"officer_id": o["officer"]})
    if kind == "expert":
        return each(ROLE_ACTORS, {"expert_id": o["expert"]})
    if kind == "supervision":
        return each(ROLE_ACTORS, {"supervision_id": o["supervision"]})
    admin_objects = {"webhook": {"endpoint_id": o["webhooks"][0]}, "webhook2": {"endpoint_id": o["webhooks"][1]},
                     "delivery": {"delivery_id": o["delivery"]}, "api_key": {"key_id": o["api_keys"][0]},
                     "api_key2": {"key_id": o["api_keys"][1]},  # revoked by no other row
                     "deadline_rule": {"code": "Q1"}, "calendar_day": {"day": "2099-01-01"},
                     "link_token": {"token": "no-such-link-token"},
                     "clue": {"clue_id": o["clue"]},  # clue linking: an infringer c1 and c2 both name
                     "checkpoint": {"size": o["checkpoint_size"]},  # the deposit log's (public)
                     "organisation": {"org_id": o["organisation"]}, "user": {"user_id": o["user"]}}  # e-mailed single-use links
    if kind == "snapshot":
        return each(SNAPSHOT, {"snapshot_id": o["snapshot"]})
    if kind == "bulletin":
        return each(BULLETIN, {"bulletin_id": o["bulletin"]})
    if kind in admin_objects:
        return each(ROLE_ACTORS, admin_objects[kind])
    raise AssertionError(f"unknown object kind {kind!r} in {MATRIX_FILE.name}")


PARAM_KINDS = [({"referral_id", "evidence_id"}, "referral_evidence"), ({"complaint_id", "evidence_id"},
               "complaint_evidence"), ({"complaint_id", "attachment_id"}, "complaint_attachment"),
               ({"complaint_id"}, "complaint"), ({"referral_id"}, "referral"),
               ({"consultation_id"}, "consultation"), ({"notification_id"}, "notification"),
               ({"deadline_id"}, "deadline"), ({"receipt_id"}, "receipt"), ({"endpoint_id"}, "webhook"), ({"delivery_id"}, "delivery"),
               ({"key_id"}, "api_key"), ({"code"}, "deadline_rule"), ({"day"}, "calendar_day"),
               ({"token"}, "link_token"), ({"clue_id"}, "clue"), ({"org_id"}, "organisation"), ({"user_id"}, "user"),
               ({"snapshot_id"}, "snapshot"), ({"bulletin_id"}, "bulletin"), ({"size"}, "checkpoint"),
               ({"case_id"}, "typical_case"), ({"assessment_id"}, "assessment"), ({"slug"}, "article"),
               ({"base_id"}, "demo_base"), ({"officer_id"}, "officer"), ({"expert_id"}, "expert"),
               ({"supervision_id"}, "supervision")]


def kind_of(rule_text, entry):
    if "object" in entry:
        return entry["object"]
    params = set(re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule_text))
    for needed, kind in PARAM_KINDS:
        if needed <= params:
            return kind
    assert not params, f"{rule_text}: no object kind for parameters {params}; add `object = ...`"
    return "none"


def operations(app):
    """'METHOD /rule' of every rule of the URL map (but static files) and method (but HEAD, OPTIONS)."""
    ops = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            ops.add(f"{method} {rule.rule}")
    return ops


def openapi_operations(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    prefix = ""  # the document's paths are full paths
    ops = set()
    for path, items in spec["paths"].items():
        for method in items:
            if method.upper() in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                rule = re.sub(r"{([^}]+)}", r"<\1>", path)
                ops.add(f"{method.upper()} {prefix}{rule}")
    return ops


def _normalise(op):
    return re.sub(r"<[^:>]+:([^>]+)>", r"<\1>", op)


@pytest.fixture(scope="module", params=DATABASES)
def matrix_world(request, database_urls, tmp_path_factory):
    from core.extensions import db

    app, pristine = _app_for(request.param, database_urls[request.param], CONFIG)
    app.config.clear()
    app.config.update(pristine)
    app.config["EVIDENCE_DIR"] = str(tmp_path_factory.mktemp("evidence"))
    try:
        yield authz.build(app)
    finally:
        with app.app_context():
            db.session.remove()
            _empty_all_tables(db.engine, db.metadata)
            db.engine.dispose()


_addresses = itertools.count(1)


def request_as(world, op, entry, actor, params):
    method, rule = op.split(" ", 1)
    url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(params[m.group(1)]), rule)
    if "query" in entry:
        url += "?" + entry["query"]
    api = rule.startswith("/api/")
    if api:
        client = world.client
        headers = {"Accept-Language": "en"}
        if actor is not None:
            token = (world.fresh_api(actor) if entry.get("fresh") else world.api(actor)).token
            headers["Authorization"] = f"Bearer {token}"
        kwargs = {"json": entry.get("body", {})} if method in ("POST", "PUT", "PATCH") else {}
        if entry.get("multipart"):  # an upload: its own media type (JSON is 415 there)
            kwargs = {"data": entry.get("form", {}), "content_type": "multipart/form-data"}
        return client.open(url, method=method, headers=headers, environ_base=_address(), **kwargs)
    if actor is None:
        client = world.app.test_client()
    else:
        client = world.fresh_web(actor) if entry.get("fresh") else world.web(actor)
    kwargs = {"data": entry.get("form", {})} if method in ("POST", "PUT", "PATCH") else {}
    return client.open(url, method=method, headers={"Accept-Language": "en"}, environ_base=_address(), **kwargs)


def _address():
    """Each request from its own address: the login throttle must not answer for the matrix."""
    n = next(_addresses)
    return {"REMOTE_ADDR": f"10.88.{n // 250}.{n % 250 + 1}"}


def _order(item):
    return (item[0].startswith("admin"), item[0])  # an administrator's DELETE goes last


def test_every_route_and_api_operation_is_in_the_matrix(matrix_world):
    app = matrix_world.app
    known = {_normalise(op) for op in MATRIX}
    routes = {_normalise(op): op for op in operations(app)}
    missing = sorted(set(routes) - known)
    missing_api = sorted(openapi_operations(app) - known)
    stale = sorted(known - set(routes))
    hints = []
    for op in sorted(set(missing) | set(missing_api)):
        rule = routes.get(op, op)
        kind = kind_of(rule, {})
        keys = ", ".join(f'"{k}" = ...' for k in relations(kind, matrix_world.objects))
        hints.append(f'["{op}"]  # object: {kind}\ndefault = 404\n# then one line per relation that differs, of: {keys}')
    assert not missing and not missing_api and not stale, (
        f"Add to {MATRIX_FILE} (one table per route; statuses per role:relation, `default` for the rest):\n\n"
        + "\n\n".join(hints) + (f"\n\nIn the matrix but no longer routes: {stale}" if stale else ""))


def test_each_role_and_relation_gets_the_matrix_status(matrix_world):
    world = matrix_world
    observed, wrong = {}, []
    for op, entry in sorted(MATRIX.items()):
        method, rule = op.split(" ", 1)
        kind = kind_of(rule, entry)
        unknown = set(entry) - {"default", "object", "body", "form", "query", "fresh", "multipart", "revokes", "note"} - set(
            relations(kind, world.objects))
        assert not unknown, f"{op}: unknown relations {sorted(unknown)} for objects of kind {kind}"
        observed[op] = {}
        for key, (actor, params) in sorted(relations(kind, world.objects).items(), key=_order):
            response = request_as(world, op, entry, actor, params)
            status = response.status_code
            response.get_data()
            response.close()  # a streamed download ends its request's context here
            observed[op][key] = status
            if entry.get("revokes") and actor is not None:
                world.forget(actor)
            expected = entry.get(key, entry.get("default"))
            if status not in (expected if isinstance(expected, list) else [expected]):
                wrong.append(f"{op} as {key}: {status}, the matrix says {expected}")
            assert status < 500, f"{op} as {key}: {status}"
    record = os.environ.get("AUTHZ_RECORD")
    if record:
        Path(record).write_text(_as_toml(observed, MATRIX), encoding="utf-8")
    assert not wrong, "\n".join(wrong)


def _as_toml(observed, matrix):
    out = []
    for op, statuses in observed.items():
        entry = matrix.get(op, {})
        values = list(statuses.values())
        default = max(set(values), key=values.count)
        out.append(f'["{op}"]')
        for name in ("object", "query", "fresh", "multipart"):
            if name in entry:
                out.append(f"{name} = {json.dumps(entry[name])}")
        for name in ("body", "form"):
            if name in entry:
                out.append(f"{name} = {_inline(entry[name])}")
        out.append(f"default = {default}")
        out += [f'"{k}" = {v}' for k, v in statuses.items() if v != default]
        out.append("")
    return "\n".join(out)


def _inline(value):
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


# --- lists, counts, searches and notifications -------------------------------------------------------

C1_READERS = {"enterprise", "clerk", "clerk2", "police", "police_pudong", "procuratorate", "amr_city", "head",
              "supervisor"}
C2_READERS = {"other_enterprise", "other_clerk", "amr_putuo", "supervisor"}
SECRET_READERS = {
    authz.INSTRUCTIONS: {"supervisor", "clerk", "clerk2"},
    authz.REPORT: {"supervisor", "clerk", "clerk2"},
    authz.POLICE_INTERNAL: {"police", "clerk", "clerk2", "supervisor"},
    authz.PROCURATORATE_INTERNAL: {"procuratorate", "clerk", "clerk2", "supervisor"},
    authz.OPINION: {"police", "amr_city", "head", "clerk", "clerk2", "supervisor", "expert"},
    authz.EXPERT_OPINION: {"police", "amr_city", "head", "clerk", "clerk2", "supervisor", "expert"},
}
# an invited expert (registry/) sees the consultation and so c1's id and reference, nothing else of c1
EXPERT_SEES = {"expert"}
LIST_API = ["/api/v1/queue", "/api/v1/queue?key_case=true", "/api/v1/complaints", "/api/v1/referrals",
            "/api/v1/referrals?pending=true", "/api/v1/consultations", "/api/v1/me", "/api/v1/supervisions",
            "/api/v1/supervisions?active=true"]
LIST_PAGES = ["/", "/centre/queue", "/centre/queue?key_case=true", "/agency/inbox", "/complaints/", "/notifications",
              "/admin/deliveries", "/account", "/centre/supervised"]


def _markers(world, key):
    """Strings ``key`` must never be shown in a list: other organisations' objects and secrets."""
    o = world.objects
    forbidden = {}
    if key not in C1_READERS:
        forbidden.update({o["r_police"]: "r_police"})
        if key not in EXPERT_SEES:
            forbidden.update({o["c1"]: "c1", o["c1_reference"]: "c1's reference", o["cons"]: "the consultation"})
    if key not in C2_READERS:
        forbidden.update({o["c2"]: "c2", o["c2_reference"]: "c2's reference", o["r_other"]: "r_other"})
    if key not in ("police_pudong", "amr_city", "head", "clerk", "clerk2", "supervisor", "enterprise"):
        forbidden[o["r_transfer"]] = "r_transfer"
    for text, readers in SECRET_READERS.items():
        if key not in readers:
            forbidden[text] = "a text it may not read"
    return forbidden


def _controls(world):
    o = world.objects
    return [("clerk", "/api/v1/queue", o["c1_reference"]), ("other_clerk", "/api/v1/queue", o["c2_reference"]),
            ("supervisor", "/api/v1/queue", o["c2_reference"]), ("enterprise", "/api/v1/complaints", o["c1"]),
            ("police", "/api/v1/referrals", o["r_police"]), ("amr_putuo", "/agency/inbox", o["r_other"]),
            ("police", "/api/v1/consultations", o["cons"]), ("expert", "/api/v1/consultations", o["cons"]),
            ("supervisor", "/notifications", authz.REPORT),
            ("clerk", "/notifications", authz.INSTRUCTIONS), ("clerk", "/api/v1/supervisions", authz.REPORT),
            ("supervisor", "/api/v1/supervisions?active=true", authz.INSTRUCTIONS),
            ("clerk", "/centre/supervised", o["c1_reference"]),
            ("admin", "/admin/deliveries", 'data-testid="dead-delivery"')]


def test_lists_counts_and_notifications_hold_no_rows_of_other_organisations(matrix_world):
    from sqlalchemy import func, select

    from core.extensions import db
    from notifications.models import Notification

    world = matrix_world
    leaks = []
    for key in world.users:
        forbidden = _markers(world, key)
        bodies = []
        for url in LIST_API:
            response = world.api(key).get(url)
            assert response.status_code < 500, (key, url)
            if response.status_code == 200:  # decoded: the JSON escapes every Chinese character
                bodies.append((url, json.dumps(response.get_json(), ensure_ascii=False)))
        for url in LIST_PAGES:
            response = world.web(key).get(url)
            assert response.status_code < 500, (key, url)
            if response.status_code == 200:
                bodies.append((url, response.get_data(as_text=True)))
        seen = dict(bodies)
        for control_key, url, marker in _controls(world):
            if control_key == key:  # the lists do show what the actor may see (the check can fail)
                assert marker in seen.get(url, ""), f"{key} should see {marker} in {url}"
        for url, body in bodies:
            for marker, what in forbidden.items():
                if marker in body:
                    leaks.append(f"{key} sees {what} in {url}")
    with world.app.app_context():
        admin_notices = db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == world.users["admin"]["id"]))
        for notification in db.session.scalars(select(Notification)):
            reader = next(k for k, u in world.users.items() if str(u["id"]) == str(notification.user_id))
            text = json.dumps(notification.params, ensure_ascii=False)
            for marker, what in _markers(world, reader).items():
                if marker in text:
                    leaks.append(f"{reader} is notified of {what} ({notification.event})")
    assert admin_notices == 0, "the administrator is notified of cases"
    assert not leaks, "\n".join(leaks)
