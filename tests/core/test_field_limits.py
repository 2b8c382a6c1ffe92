"""Every text a request may write is bounded (never beyond its column), NFC-normalised and free of controls.

The structural tests walk every request schema of the project (every marshmallow schema except the
OutSchema answers, which refuse to load) and the OpenAPI document: a text field without a bound, or
with a bound beyond the String(n) column it is written to, fails them. The request tests send
over-long and hostile values to the real endpoints, on SQLite and PostgreSQL: 422 naming the field,
and nothing written (no organisation, user, complaint, note, throttle row or audit row).
"""
import unicodedata

import pytest
from marshmallow import fields, validate
from sqlalchemy import func, select

from accounts.models import AuthToken, Organisation, ThrottleCounter, User
from core.audit import AuditEntry
from core.schemas import (BIDI_CONTROLS, BoundedString, Code, EmailAddress, Name, OutSchema, Password, StrictSchema,
                          Text, forbidden_character)
from intake.models import Complaint, Infringer
from routing.models import ReferralNote
from tests.accounts.registration import register_over_api
from tests.accounts.web import csrf_token, field_errors
from tests.core.test_translations import _our_schema_classes
from tests.routing.conftest import world  # noqa: F401 - the routing fixture, used below
from tests.routing.support import accepted, ok, refer, referral_transition

# --- the checker ------------------------------------------------------------------------------------


def _string_problem(field, path):
    if isinstance(field, fields.UUID):
        return None  # bounded by its form
    if any(isinstance(v, validate.OneOf) for v in field.validators):
        return None  # bounded by its choices
    maxima = [v.max for v in field.validators if isinstance(v, validate.Length) and v.max is not None]
    if not maxima:
        return f"{path}: a text field without Length(max=...) (use core.schemas Name/Code/Text/EmailAddress)"
    column = getattr(field, "column", None)
    length = getattr(getattr(column, "type", None), "length", None)
    if length is not None and min(maxima) > length:
        return f"{path}: max {min(maxima)} exceeds its column {column}'s String({length})"
    return None


def _field_problems(field, path, problems, stack, guarded=False):
    if field.dump_only:
        return
    if isinstance(field, fields.String):
        problem = _string_problem(field, path)
        if problem:
            problems.append(problem)
    elif isinstance(field, fields.List):
        if not any(isinstance(v, validate.Length) and v.max is not None for v in field.validators):
            problems.append(f"{path}: a list without Length(max=...)")
        # a list of raw values is bounded only by the list's own validator (deadlines: reminders, escalation)
        _field_problems(field.inner, f"{path}[]", problems, stack, guarded=bool(field.validators))
    elif isinstance(field, fields.Tuple):
        for i, inner in enumerate(field.tuple_fields):
            _field_problems(inner, f"{path}[{i}]", problems, stack)
    elif isinstance(field, fields.Dict):
        if not field.validators and (field.value_field is None or field.key_field is None):
            problems.append(f"{path}: a mapping of unchecked keys or values")
        for inner in (field.key_field, field.value_field):
            if inner is not None:
                _field_problems(inner, f"{path}{{}}", problems, stack)
    elif isinstance(field, fields.Nested):
        _schema_problems(field.schema, path, problems, stack)
    elif type(field) is fields.Raw and not (field.validators or guarded):
        problems.append(f"{path}: a raw value nothing checks")


def _schema_problems(schema, path, problems, stack=()):
    if type(schema) in stack:
        return
    for name, field in schema.load_fields.items():
        _field_problems(field, f"{path}.{name}", problems, (*stack, type(schema)))


def unbounded_fields(schema_classes):
    problems = []
    for cls in schema_classes:
        try:
            schema = cls()
        except TypeError:
            continue
        _schema_problems(schema, f"{cls.__module__}.{cls.__qualname__}", problems)
    return problems


def request_schema_classes():
    from app import create_app

    with create_app({"APP_ENV": "testing", "DATABASE_URL": "sqlite://"}).app_context():
        return [cls for cls in _our_schema_classes() if not issubclass(cls, OutSchema)]


# --- every schema -------------------------------------------------------------------------------------

def test_every_text_field_of_every_request_schema_is_bounded_within_its_column():
    classes = request_schema_classes()
    names = {cls.__name__ for cls in classes}
    # the walk sees the request schemas of every package (and no answer schema)
    assert {"EnterpriseRegistrationSchema", "TokenRequestSchema", "ComplaintDraftSchema", "InfringerSchema",
            "ReferralTransitionSchema", "NoteSchema", "RuleSchema", "ExtensionRequestSchema", "ApiKeyRequest",
            "WebhookRequest", "QueueArgsSchema", "WithdrawSchema"} <= names
    assert not names & {"ComplaintSchema", "ReferralSchema", "UserSchema", "TokenSchema"}
    assert unbounded_fields(classes) == []


def test_the_checker_finds_an_unbounded_field_and_one_beyond_its_column():
    class Unbounded(StrictSchema):
        label = fields.String()
        tags = fields.List(fields.String(validate=validate.Length(min=1)), validate=validate.Length(max=5))
        ids = fields.List(fields.UUID())
        nested = fields.Nested(type("Inner", (StrictSchema,), {"note": fields.Email()}))
        extra = fields.Raw()
        bag = fields.Dict()

    class TooLong(StrictSchema):
        name = fields.String(validate=validate.Length(max=201))

    TooLong._declared_fields["name"].column = Organisation.name  # as if declared with column=
    problems = unbounded_fields([Unbounded, TooLong])
    assert len(problems) == 7, problems
    assert any("Unbounded.ids: a list without" in p for p in problems)
    assert any("Unbounded.label" in p for p in problems)
    assert any("Unbounded.tags[]" in p for p in problems)
    assert any("Unbounded.nested.note" in p for p in problems)
    assert any("TooLong.name: max 201 exceeds" in p for p in problems)


def test_field_classes_take_their_bound_from_the_column_and_never_exceed_it():
    assert Name(column=Organisation.name).max_length == 200
    assert Code(column=Organisation.credit_code).max_length == 18
    assert EmailAddress().max_length == 254 and Password().max_length == 128
    with pytest.raises(TypeError):
        Name(201, column=Organisation.name)
    with pytest.raises(TypeError):
        Text(column=Complaint.facts)  # a Text column gives no bound: one must be chosen


def test_answer_schemas_cannot_read_requests():
    from intake.schemas import ComplaintSchema

    with pytest.raises(TypeError):
        ComplaintSchema().load({"facts": "x"})
    with pytest.raises(TypeError):
        ComplaintSchema().validate({})


def _unbounded_in_document(document):
    components = document["components"]["schemas"]
    problems = []

    def walk(schema, where, seen):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                walk(components[name], f"{where}->{name}", seen | {name})
            return
        for key in ("allOf", "anyOf", "oneOf"):
            for i, part in enumerate(schema.get(key, [])):
                walk(part, f"{where}.{key}[{i}]", seen)
        types = schema.get("type")
        types = types if isinstance(types, list) else [types]
        if "string" in types and "maxLength" not in schema and "enum" not in schema \
                and schema.get("format") not in ("uuid", "date", "date-time", "binary"):  # files: the upload limit
            problems.append(where)
        if "array" in types and "maxItems" not in schema and schema.get("items", {}).get("format") != "binary":
            problems.append(f"{where} (array)")
        if "items" in schema:
            walk(schema["items"], f"{where}[]", seen)
        for name, prop in schema.get("properties", {}).items():
            if not prop.get("readOnly"):
                walk(prop, f"{where}.{name}", seen)

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if "schema" in parameter:
                    walk(parameter["schema"], f"{method} {path} ?{parameter['name']}", frozenset())
            for media in operation.get("requestBody", {}).get("content", {}).values():
                if "schema" in media:
                    walk(media["schema"], f"{method} {path} body", frozenset())
    return problems


def test_every_string_and_list_the_openapi_document_accepts_is_bounded(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert _unbounded_in_document(document) == []
    tokens = document["components"]["schemas"]["TokenRequest"]["properties"]
    assert tokens["email"]["maxLength"] == 254 and tokens["password"]["maxLength"] == 128
    # the walk would notice an unbounded string
    document["components"]["schemas"]["TokenRequest"]["properties"]["email"].pop("maxLength")
    assert _unbounded_in_document(document) == ["post /api/v1/auth/tokens body->TokenRequest.email"]


def test_forbidden_characters():
    for ch in sorted(BIDI_CONTROLS) + ["\x00", "\x1b", "\x7f", "\u0085", "\u200b", "\ufeff", "\u2028"]:
        assert forbidden_character(f"a{ch}b") == ch, hex(ord(ch))
    for ch in sorted(BIDI_CONTROLS) + ["\x00", "\x1b", "\x7f", "\u0085"]:
        assert forbidden_character(f"a{ch}b", multiline=True) == ch, hex(ord(ch))
    assert forbidden_character("上海澄川（浦东）有限公司 Café-1") is None
    assert forbidden_character("第一行\r\n第二行\t制表", multiline=True) is None
    assert forbidden_character("第一行\n第二行") == "\n"


# --- requests: over-long values -------------------------------------------------------------------------

def count(app, *models):
    from core.extensions import db

    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in models)


def registration(**overrides):
    return {"name": "上海澄川智能科技有限公司", "credit_code": "91310115MA1H7GQ5XY", "district": "pudong",
            "contact_person": "王敏", "phone": "13800000001", "email": "legal@chengchuan.example",
            "password": "a-long-password", **overrides}


OVER_LONG_REGISTRATION = {
    "name": "公" * 201,
    "contact_person": "王" * 101,
    "email": "a" * 245 + "@x.example",  # 255
    "password": "p" * 129,
    "phone": "1" * 41,
    "credit_code": "9" * 19,
}


@pytest.mark.parametrize("field", sorted(OVER_LONG_REGISTRATION))
def test_registration_over_long_values_are_422_and_write_nothing(app, anonymous_api, field):
    response = anonymous_api.post("/api/v1/enterprises", json=registration(**{field: OVER_LONG_REGISTRATION[field]}))
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]) == [field]
    assert count(app, Organisation, User, AuditEntry) == (0, 0, 0)


def test_registration_at_the_limit_is_accepted(app, anonymous_api):
    response = anonymous_api.post("/api/v1/enterprises", json=registration(
        name="公" * 200, contact_person="王" * 100, email="a" * 244 + "@x.example", password="p" * 128))
    assert response.status_code == 202, response.get_json()  # the confirmation e-mail is on its way


def test_registration_form_over_long_name_is_422_and_writes_nothing(app, client):
    token = csrf_token(client, "/register")
    response = client.post("/register", data={"csrf_token": token, **registration(name="公" * 5000)})
    assert response.status_code == 422
    [error] = field_errors(response.get_data(as_text=True), "name")
    assert "200" in error
    assert count(app, Organisation, User) == (0, 0)


@pytest.mark.parametrize("body, field", [
    ({"email": "a" * 100_000 + "@x.example", "password": "whatever-password"}, "email"),
    ({"email": "someone@x.example", "password": "p" * 129}, "password"),
    ({"email": "some\u202eone@x.example", "password": "whatever-password"}, "email"),
])
def test_token_request_over_long_or_hostile_is_422_and_records_nothing(app, anonymous_api, body, field):
    response = anonymous_api.post("/api/v1/auth/tokens", json=body)
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]) == [field]
    assert count(app, ThrottleCounter, AuditEntry, AuthToken) == (0, 0, 0)


@pytest.mark.parametrize("email, password", [("a" * 100_000 + "@x.example", "whatever-password"),
                                             ("someone@x.example", "p" * 10_000),
                                             ("some\x00one@x.example", "whatever-password")])
def test_login_form_over_long_or_hostile_never_reaches_the_database(app, client, email, password):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": password})
    assert response.status_code == 422
    assert "a" * 255 not in response.get_data(as_text=True)  # not even echoed back in full
    assert count(app, ThrottleCounter, AuditEntry, AuthToken) == (0, 0, 0)


@pytest.fixture
def enterprise_api(create_user, api_login, rights_centre):
    return api_login(create_user("enterprise_user"))


@pytest.mark.parametrize("changes, field", [
    ({"facts": "事" * 40_001}, "facts"),
    ({"secret_description": "密" * 20_001}, "secret_description"),
    ({"contact_name": "王" * 101}, "contact_name"),
    ({"contact_email": "a" * 245 + "@x.example"}, "contact_email"),
    ({"infringers": [{"kind": "competitor", "name": "某" * 201}]}, "infringers.0.name"),
    ({"infringers": [{"kind": "competitor", "name": "某公司", "credit_code": "9" * 1000}]}, "infringers.0.credit_code"),
])
def test_draft_over_long_values_are_422_and_write_nothing(app, enterprise_api, complete_draft, changes, field):
    response = enterprise_api.post("/api/v1/complaints", json={**complete_draft, **changes})
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]) == [field]
    assert count(app, Complaint, Infringer) == (0, 0)


def test_draft_form_over_long_infringer_name_is_422(app, client, create_user, rights_centre):
    from tests.accounts.web import web_login

    user = create_user("enterprise_user")
    web_login(client, user)
    token = csrf_token(client, "/complaints/new")
    response = client.post("/complaints/new", data={"csrf_token": token, "infringers-0-kind": "competitor",
                                                    "infringers-0-name": "某" * 201})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "infringers.0.name")
    assert count(app, Complaint, Infringer) == (0, 0)


def test_referral_fields_over_long_are_422_and_change_nothing(app, world):  # noqa: F811
    complaint = accepted(world, files=0)
    referral = refer(world, complaint["id"], "police", "criminal")
    police = world.api("police")
    response = referral_transition(police, referral["id"], "acknowledge", officer_name="郑" * 101)
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["officer_name"]
    ok(referral_transition(police, referral["id"], "acknowledge", officer_name="郑刚"))
    response = referral_transition(police, referral["id"], "accept", case_number="沪" * 101)
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["case_number"]
    response = police.post(f"/api/v1/referrals/{referral['id']}/notes", json={"text": "注" * 20_001})
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["text"]
    assert count(app, ReferralNote) == (0,)
    assert ok(police.get(f"/api/v1/referrals/{referral['id']}"))["state"] == "acknowledged"


def test_api_key_label_and_webhook_url_over_long_are_422(app, world):  # noqa: F811
    admin = world.api("admin")
    response = admin.post("/api/v1/admin/api-keys", json={"email": "police@routing.example", "label": "L" * 101})
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["label"]
    response = admin.post("/api/v1/admin/webhooks", json={"organisation_id": world.org("police"),
                                                          "url": "https://hooks.example/" + "x" * 2000})
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["url"]
    response = admin.post("/api/v1/admin/webhooks", json={"organisation_id": "x" * 65, "url": "https://h.example/"})
    assert response.status_code == 422 and "organisation_id" in response.get_json()["errors"]


# --- requests: hostile characters, normalisation ---------------------------------------------------------

@pytest.mark.parametrize("name", ["上海\u202e司公限有技科", "上海\u2066澄川\u2069公司", "上海\u200f公司", "上海\x07公司",
                                  "上海\u200b澄川公司"])
def test_registration_refuses_bidi_and_control_characters_in_the_name(app, anonymous_api, name):
    response = anonymous_api.post("/api/v1/enterprises", json=registration(name=name))
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]) == ["name"]
    assert count(app, Organisation, User) == (0, 0)


def test_registration_form_refuses_a_bidi_override_in_the_name(app, client):
    token = csrf_token(client, "/register")
    response = client.post("/register", data={"csrf_token": token, **registration(name="evil\u202etxt.exe")})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "name")
    assert count(app, Organisation, User) == (0, 0)


@pytest.mark.parametrize("field, value", [("contact_person", "王\u202e敏"), ("email", "legal\u200e@chengchuan.example")])
def test_registration_refuses_bidi_in_person_names_and_addresses(app, anonymous_api, field, value):
    response = anonymous_api.post("/api/v1/enterprises", json=registration(**{field: value}))
    assert response.status_code == 422 and list(response.get_json()["errors"]) == [field]


@pytest.mark.parametrize("changes, field", [
    ({"infringers": [{"kind": "competitor", "name": "上海锐驰\u202e司公"}]}, "infringers.0.name"),
    ({"infringers": [{"kind": "former_employee", "name": "李某\u061c"}]}, "infringers.0.name"),
    ({"contact_name": "王\u2067敏"}, "contact_name"),
    ({"facts": "离职前复制代码\u202e仓库"}, "facts"),
    ({"facts": "离职前复制\x1b[31m代码"}, "facts"),
])
def test_draft_refuses_bidi_and_controls(app, enterprise_api, complete_draft, changes, field):
    response = enterprise_api.post("/api/v1/complaints", json={**complete_draft, **changes})
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]) == [field]
    assert count(app, Complaint, Infringer) == (0, 0)


def test_case_numbers_refuse_bidi_overrides(app, world):  # noqa: F811
    complaint = accepted(world, files=0)
    referral = refer(world, complaint["id"], "police", "criminal")
    police = world.api("police")
    ok(referral_transition(police, referral["id"], "acknowledge", officer_name="郑刚"))
    response = referral_transition(police, referral["id"], "accept", case_number="沪立〔2026〕\u202e1号")
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["case_number"]


def test_names_are_stored_nfc_normalised_and_texts_keep_line_breaks(app, anonymous_api, enterprise_api,
                                                                   complete_draft):
    decomposed = "Cafe\u0301 上海 A\u030a"  # é and Å as base letter + combining mark
    assert unicodedata.normalize("NFC", decomposed) != decomposed
    response = register_over_api(app, anonymous_api, registration(name=f"  {decomposed}  "))
    assert response.status_code == 201, response.get_json()
    facts = "第一段：离职前复制代码仓库。\r\n\t第二段：展会上发现 Cafe\u0301。"
    draft = enterprise_api.post("/api/v1/complaints", json={
        **complete_draft, "facts": facts, "infringers": [{"kind": "competitor", "name": decomposed}]})
    assert draft.status_code == 201, draft.get_json()

    from core.extensions import db

    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.credit_code == "91310115MA1H7GQ5XY"))
        assert org.name == "Caf\u00e9 上海 \u00c5"
        assert db.session.scalar(select(Infringer.name)) == "Caf\u00e9 上海 \u00c5"
        assert db.session.scalar(select(Complaint.facts)) == unicodedata.normalize("NFC", facts)


def test_a_lone_surrogate_is_refused_and_writes_nothing(app, client):
    body = '{"name": "上海\\ud800公司", "credit_code": "91310115MA1H7GQ5XY", "district": "pudong", ' \
           '"contact_person": "王敏", "phone": "13800000001", "email": "legal@chengchuan.example", ' \
           '"password": "a-long-password"}'
    response = client.post("/api/v1/enterprises", data=body, content_type="application/json")
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert count(app, Organisation, User) == (0, 0)


@pytest.mark.parametrize("body", ["null", '"0"', "[1]", "5", '[["name", "x"]]'])
def test_registration_body_that_is_not_an_object_is_422(app, client, body):
    # found by tests/core/test_schema_properties.py: the schema's pre-load tidying was a 500 on these
    response = client.post("/api/v1/enterprises", data=body, content_type="application/json")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert count(app, Organisation, User) == (0, 0)
