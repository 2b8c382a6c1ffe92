"""Property-based: every request schema, fed hostile JSON, answers a field-level error or clean values.

For each request schema (every marshmallow schema of the project except the OutSchema answers),
Hypothesis builds bodies shaped like the schema (its field names, nested dicts and lists) filled with
hostile values: control and bidi characters, lone surrogates, over-long and huge strings, huge and
non-finite numbers, wrong types, deep-ish nesting, unknown keys. Loading must either raise
marshmallow's ValidationError (which the API answers with 422) or return values that keep every bound:
each text within its max length, NFC, and free of the characters its kind refuses. Anything else
(a TypeError, a RecursionError, an InvalidOperation...) would be a 500 and fails the test.
Bounded examples: it runs in CI (about a second per schema).
"""
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from marshmallow import Schema, ValidationError, fields

from core.schemas import BoundedString, Password, forbidden_character
from tests.core.test_field_limits import request_schema_classes

SCHEMAS = request_schema_classes()

HOSTILE_CHARACTERS = ["\x00", "\x1b", "\u202e", "\u2066", "\u200f", "\u061c", "\ud800", "\udfff", "\ufeff", "\u200b",
                      "\u2028", "\r\n", "\t", "e\u0301", "\u0958", "\U0001f600", "上海", " "]

texts = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(exclude_categories=()), max_size=30),  # surrogates and controls included
    st.lists(st.sampled_from(HOSTILE_CHARACTERS), max_size=12).map("".join),
    st.builds(lambda ch, n: ch * n, st.sampled_from(["x", "公", "e\u0301", "\u0958", " "]),
              st.sampled_from([17, 18, 19, 40, 41, 100, 101, 128, 129, 200, 201, 254, 255, 1000, 2001, 5001,
                               20_001, 40_001, 50_001, 70_000])),
    st.sampled_from(["91310115MA1H7GQ5XY", "legal@chengchuan.example", "13800000001", "2026-09-15",
                     "2026-09-15T10:00:00+08:00", "12.50", "-0", "1e400", "NaN", "Infinity", "technical",
                     "criminal", "centre_decides", "acknowledge", "accept", "claim", "judgment", "day_off",
                     "00000000-0000-0000-0000-000000000000", "requested", "days", "zh"]),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=10**30, max_value=10**400),
                    st.floats(allow_nan=True, allow_infinity=True), texts)
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
                    max_leaves=12)


def for_field(field, depth=0):
    if isinstance(field, fields.Nested) and depth < 3:
        return st.one_of(for_schema(field.schema, depth + 1), junk)
    if isinstance(field, fields.List) and depth < 3:
        return st.one_of(st.lists(for_field(field.inner, depth + 1), max_size=4),
                         st.lists(st.just("x"), min_size=20, max_size=600), junk)
    if isinstance(field, fields.String):
        return st.one_of(texts, texts, junk)
    return junk


def for_schema(schema: Schema, depth=0):
    fields_ = {field.data_key or name: for_field(field, depth) for name, field in schema.load_fields.items()}
    known = st.fixed_dictionaries({}, optional=fields_)
    with_unknown = st.builds(lambda d, extra: {**extra, **d}, known, st.dictionaries(texts, junk, max_size=2))
    return st.one_of(known, known, with_unknown, junk)


def check_loaded(schema: Schema, loaded, where):
    """Every text a load returned keeps its field's bound and kind."""
    if not isinstance(loaded, dict):
        return
    for name, field in schema.load_fields.items():
        if field.attribute or name not in loaded:
            continue
        check_value(field, loaded[name], f"{where}.{name}")


def check_value(field, value, where):
    if isinstance(field, fields.Nested):
        for item in (value if field.many and isinstance(value, list) else [value]):
            check_loaded(field.schema, item, where)
    elif isinstance(field, fields.List) and isinstance(value, list):
        for item in value:
            check_value(field.inner, item, f"{where}[]")
    elif isinstance(field, BoundedString) and isinstance(value, str):
        assert len(value) <= field.max_length, where
        value.encode("utf-8")  # no lone surrogate
        if not isinstance(field, Password):
            assert unicodedata.is_normalized("NFC", value), where
            assert forbidden_character(value, multiline=field.multiline) is None, (where, value)
        else:
            assert "\x00" not in value, where


@pytest.fixture(scope="module")
def request_context():
    from app import create_app

    app = create_app({"APP_ENV": "testing", "DATABASE_URL": "sqlite://"})
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def test_every_request_schema_is_fuzzed():
    assert len(SCHEMAS) >= 20


@pytest.mark.parametrize("schema_class", SCHEMAS, ids=lambda c: c.__name__)
def test_hostile_bodies_give_validation_errors_or_clean_values(request_context, schema_class):
    schema = schema_class()

    @settings(max_examples=60, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(for_schema(schema))
    def load(body):
        try:
            loaded = schema.load(body)
        except ValidationError as exc:
            assert isinstance(exc.messages, (dict, list)) and exc.messages
            return
        check_loaded(schema, loaded, schema_class.__name__)

    load()


def test_the_property_fails_on_a_dirty_value(request_context):
    from accounts.schemas import EnterpriseRegistrationSchema

    schema = EnterpriseRegistrationSchema()
    with pytest.raises(AssertionError):
        check_loaded(schema, {"name": "上海\u202e公司"}, "registration")
    with pytest.raises(AssertionError):
        check_loaded(schema, {"name": "公" * 201}, "registration")
