"""Property-based fuzzing (Hypothesis): no hostile request is ever a server error.

Every operation of the OpenAPI document that takes a JSON body or query parameters gets bodies built
from its own schema, with hostile values in every field (lone surrogates, NUL, bidi controls, huge
strings, huge, negative and non-finite numbers, wrong types, unknown fields, deep nesting, bodies that
are not JSON), sent by a role that reaches the operation, on objects that exist. The main pages' own
forms are posted with hostile values the same way. The application runs with TESTING=True, so a
server error is the exception itself; any status >= 500 fails too.

Examples are bounded and derandomized (the same ones on every run, no example database), so the
suite is stable in CI and takes well under a minute per database.
"""
import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.agencies.web import forms_of
from tests.conftest import ApiClient, reference_data_kept as kept
from tests.evidence.support import web_login
from tests.routing.conftest import world  # noqa: F401 - the fixture
from tests.routing.support import accepted, ok, refer, referral_transition
from tests.paging import every

# examples per operation and per form: the whole file stays well under a minute per database
SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
FUZZ_API = settings(max_examples=25, **SETTINGS)
FUZZ_FORM = settings(max_examples=5, **SETTINGS)

# --- hostile values ------------------------------------------------------------------------------

SPECIAL_TEXTS = [
    "", " ", "\x00", "a\x00b", "\u202eevil\u202c", "\u200f\u2066x\u2069", "\ufeff", "\r\n\t", "CON", "nul.txt",
    "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --", "%00", "%s%n", "9" * 40, "-1", "0", "1e999",
    "NaN", "null", "true", "[]", "{}", "2026-02-30", "0000-00-00", "9999-12-31T23:59:59+99:00", "a@b",
    "13800000000", "91310115MA1H7GQ5XY", str(uuid.UUID(int=0)),
]
# long ones are built when drawn (a strategy's repr holds its values)
LONG_TEXTS = st.sampled_from([("x", 100_000), ("事", 30_000), ("𝕏", 1000), ("\u0301", 500), ("@", 300),
                              ("a\u202e", 5000)]).map(lambda pair: pair[0] * pair[1])
SURROGATES = st.integers(0xD800, 0xDFFF).map(chr)


def texts(surrogates=True):
    pieces = [st.sampled_from(SPECIAL_TEXTS), st.text(max_size=20), LONG_TEXTS]
    if surrogates:
        pieces.append(SURROGATES)
    return st.one_of(st.sampled_from(SPECIAL_TEXTS), st.text(max_size=30), LONG_TEXTS,
                     st.lists(st.one_of(*pieces), min_size=1, max_size=4).map("".join))


INTEGERS = st.one_of(st.integers(-10, 10_001), st.sampled_from([2 ** 31, 2 ** 63 - 1, 2 ** 63, -(2 ** 63) - 1, 10 ** 30,
                                                                 -(10 ** 30), 10 ** 400]))
NUMBERS = st.one_of(INTEGERS, st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([1e308, -1e308, 5e-324, 0.1, 12345678901234.567]))
ANY_VALUE = st.recursive(st.one_of(st.none(), st.booleans(), NUMBERS, texts()),
                         lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                 st.dictionaries(texts(), inner, max_size=3)), max_leaves=6)
RAW_BODIES = st.sampled_from([
    (b"[", 100_000, b"]"), (b'{"a":', 50_000, b"}"), (b"\xff\xfe\x00", 1, b""), (b"{", 1, b""), (b"NaN", 1, b""),
    (b"null", 1, b""), (b"[]", 1, b""), (b'"text"', 1, b""), (b"1e999", 1, b""), (b"\xef\xbb\xbf{}", 1, b""),
    (b'{"a": "\\ud800"}', 1, b""), (b'{"a": 1', 1, b"0" * 5000 + b"}"), (b'{"a": "\\u0000"}', 1, b""),
    (b"{}", 1000, b""), (b'{"a": Infinity}', 1, b""), (b"[1,", 30, b"2]"),
]).map(lambda parts: parts[0] * parts[1] + (parts[2] * parts[1] if parts[2] in (b"]", b"}") else parts[2]))


def resolve(schema, components):
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def plausible(schema, components, ids, depth=0):
    """A value of the schema's own type (enums from the schema, ids of real objects), hostile where free."""
    schema = resolve(schema, components)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 3:
            return st.just({})
        properties = {name: value_for(sub, components, ids, depth + 1)
                      for name, sub in schema.get("properties", {}).items()}
        return st.fixed_dictionaries({}, optional=properties)
    if kind == "array":
        return st.lists(value_for(schema.get("items", {}), components, ids, depth + 1), max_size=4)
    if kind == "integer":
        return INTEGERS
    if kind == "number":
        return st.one_of(NUMBERS, st.decimals(allow_nan=False, allow_infinity=False).map(str))
    if kind == "boolean":
        return st.booleans()
    fmt = schema.get("format")
    if fmt == "uuid":
        return st.one_of(st.sampled_from(ids), st.uuids().map(str), texts())
    if fmt == "date":
        return st.one_of(st.dates().map(lambda d: d.isoformat()), texts())
    if fmt == "date-time":
        return st.one_of(st.datetimes().map(lambda d: d.isoformat()), st.datetimes().map(lambda d: d.isoformat() + "Z"),
                         st.datetimes().map(lambda d: d.isoformat() + "+08:00"), texts())
    return texts()


def value_for(schema, components, ids, depth=0):
    return st.one_of(plausible(schema, components, ids, depth), ANY_VALUE)


def body_for(schema, components, ids):
    """A JSON body: mostly the schema's shape with hostile values, sometimes anything at all."""
    shaped = plausible(schema, components, ids)
    with_extra = st.tuples(shaped, st.dictionaries(texts(), ANY_VALUE, min_size=1, max_size=2)).map(
        lambda pair: {**pair[1], **pair[0]} if isinstance(pair[0], dict) else pair[0])
    return st.one_of(shaped, shaped, with_extra, ANY_VALUE)


def query_value(schema, components):
    schema = resolve(schema, components)
    if "enum" in schema:
        plain = st.sampled_from([str(v).lower() for v in schema["enum"] if v is not None] or [""])
    elif schema.get("type") == "array":
        return st.lists(query_value(schema.get("items", {}), components), max_size=3)
    elif schema.get("type") == "integer":
        plain = INTEGERS.map(str)
    elif schema.get("type") == "boolean":
        plain = st.sampled_from(["true", "false", "1", "0", "yes", "maybe"])
    else:
        plain = st.just("")
    return st.one_of(plain, texts(surrogates=False), NUMBERS.map(str))


def query_for(parameters, components):
    optional = {p["name"]: query_value(p.get("schema", {}), components) for p in parameters if p.get("in") == "query"}
    return st.fixed_dictionaries({}, optional=optional)


# --- who calls what, on which objects ----------------------------------------------------------------

def caller(method, path):
    if path in ("/api/v1/auth/tokens", "/api/v1/enterprises") and method == "post":
        return None
    if path.startswith("/api/v1/admin/"):
        return "admin"
    if path.startswith("/api/v1/deadlines/") or path.endswith("/supervision") and method == "post":
        return "supervisor"
    if path.startswith("/api/v1/queue") or path.startswith("/api/v1/consultations/{consultation_id}/transitions"):
        return "clerk"
    if path.startswith("/api/v1/referrals") or path.endswith("/opinions"):
        return "police"
    if path.startswith("/api/v1/complaints/{complaint_id}/") and not path.endswith(
            ("/withdraw", "/submit", "/supplements", "/evidence")):
        return "clerk"
    return "enterprise"


@pytest.fixture
def reference_data_kept(app):
    with kept(app):
        yield


@pytest.fixture
def objects(app, world, reference_data_kept):
    """A draft, an accepted complaint with a referral to the police, a consultation and a deadline."""
    enterprise = world.api("enterprise")
    draft = ok(enterprise.post("/api/v1/complaints", json={"facts": "草稿"}), 201)
    complaint = accepted(world)
    referral = refer(world, complaint["id"], "police", "criminal")
    ok(referral_transition(world.api("police"), referral["id"], "acknowledge", officer_name="郑刚"))
    consultation = ok(world.api("clerk").post(f"/api/v1/complaints/{complaint['id']}/consultations", json={
        "questions": ["是否构成商业秘密？"], "agency_ids": [world.org("police"), world.org("amr_city")],
        "meeting_at": "2026-12-03T02:00:00+00:00", "opinion_due_at": "2099-01-01T10:00:00+00:00",
        "due_reason": "远期。"}), 201)
    deadlines = every(world.api("clerk"), f"/api/v1/complaints/{complaint['id']}/deadlines")
    return {
        "enterprise": {"complaint_id": draft["id"]},
        "other": {"complaint_id": complaint["id"], "referral_id": referral["id"],
                  "consultation_id": consultation["id"], "deadline_id": deadlines[0]["id"] if deadlines else "x",
                  "code": "A1", "key_id": str(uuid.uuid4()), "endpoint_id": str(uuid.uuid4())},
        "ids": [world.org(key) for key in world.orgs] + [complaint["id"], referral["id"], draft["id"]],
    }


def operations(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    components = document["components"]["schemas"]
    found = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if method == "parameters":
                continue
            parameters = operation.get("parameters", []) + methods.get("parameters", [])
            content = operation.get("requestBody", {}).get("content", {})
            json_schema = content.get("application/json", {}).get("schema")
            if json_schema is None and not any(p.get("in") == "query" for p in parameters):  # not the $ref headers
                continue
            found.append((method, path, parameters, json_schema))
    return found, components


def test_every_operation_answers_hostile_bodies_and_queries_without_a_server_error(app, world, objects):
    found, components = operations(app)
    assert len(found) >= 25, [f[:2] for f in found]
    for method, path, parameters, json_schema in found:
        role = caller(method, path)
        api = world.api(role) if role else ApiClient(world.client)
        ids = objects["enterprise"] if role == "enterprise" else objects["other"]
        url = path
        for name, value in ids.items():
            url = url.replace("{%s}" % name, value)
        bodies = (st.one_of(body_for(json_schema, components, objects["ids"]), RAW_BODIES)
                  if json_schema else st.none())

        @FUZZ_API
        @given(body=bodies, query=query_for(parameters, components))
        def attack(body, query):
            if isinstance(body, bytes | type(None)):
                data = body
            else:
                data = json.dumps(body, allow_nan=True)
            response = api.client.open(url, method=method.upper(), query_string=query, data=data,
                                       content_type="application/json" if data is not None else None,
                                       headers=api.headers())
            assert response.status_code < 500, (method, url, query, data and data[:300], response.get_data()[:500])
            if response.status_code in (400, 413, 415, 422):
                assert response.get_json()["code"], response.get_data()[:300]

        attack()


# --- the pages' own forms -------------------------------------------------------------------------

def page_forms(app, world, objects):
    """(user key or None, page url) of the main pages with forms."""
    complaint, draft = objects["other"]["complaint_id"], objects["enterprise"]["complaint_id"]
    return [(None, "/login"), (None, "/register"), ("enterprise", "/complaints/new"),
            ("enterprise", f"/complaints/{draft}/edit"), ("enterprise", f"/complaints/{draft}"),
            ("clerk", f"/centre/complaints/{complaint}"), ("clerk", "/centre/queue"),
            ("police", f"/agency/referrals/{objects['other']['referral_id']}"),
            ("police", f"/consultations/{objects['other']['consultation_id']}"),
            ("enterprise", "/notifications/preferences"), ("admin", "/admin/webhooks"),
            ("admin", "/admin/deadline-rules/"), ("admin", "/admin/calendar"), ("clerk", "/calendar/due")]


def test_every_main_form_answers_hostile_values_without_a_server_error(app, world, objects):
    for who, url in page_forms(app, world, objects):
        client = web_login(app, world.users[who]) if who else app.test_client()
        page = client.get(url)
        assert page.status_code == 200, (who, url, page.status_code)
        forms = [f for f in forms_of(page.get_data(as_text=True)) if f.action and f.action != "/logout"]
        for form in forms:
            names = [name for name in form.fields if name != "csrf_token"]
            if not names:
                continue
            method = (form.attrs.get("method") or "get").upper()

            @FUZZ_FORM
            @given(values=st.fixed_dictionaries({}, optional={name: texts(surrogates=False) for name in names}))
            def attack(values):
                data = {**form.fields, **values}
                if method == "GET":
                    response = client.get(form.action, query_string=data)
                else:
                    response = client.post(form.action, data=data)
                assert response.status_code < 500, (form.action, values, response.get_data()[:500])

            attack()
