"""The Chinese catalogue: complete, in step with the source, placeholders intact, and really used.

The catalogue tests read files only (no database): every message translated and none fuzzy, every
string the source marks for translation present, the same placeholders on both sides, and every
message marshmallow itself can produce for our schemas present (its exact English text is the msgid).
The request tests check that pages speak Chinese by default and that marshmallow's, flask-wtf's and
werkzeug's English messages come out in Chinese in the API (Accept-Language), forms and error pages.
"""
import os
import re
import tempfile
from fnmatch import fnmatch
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.accounts.web import csrf_token, field_errors

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
# The same keywords and ignored folders as the `pybabel extract` command in the assertion message below.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
IGNORE_DIRS = (".venv", "tests", "bench", ".make", "migrations")
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0+]*\d*(?:\.\d+)?([sdifrxXeEgGc%])")


def _catalogue():
    with PO.open("rb") as f:
        return read_po(f)


def _forms(message):
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def _strings(message):
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _placeholders(text):
    return sorted((name or "", conv) for name, conv in PLACEHOLDER.findall(text) if conv != "%")


def test_every_message_is_translated_and_none_is_fuzzy():
    catalogue = _catalogue()
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 200
    untranslated = [m.id for m in messages if not all(s.strip() for s in _strings(m))]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    assert str(catalogue.locale) == "zh" and catalogue.num_plurals == 1


def test_every_string_in_the_source_is_in_the_catalogue():
    method_map, options_map = parse_mapping_cfg((ROOT / "babel.cfg").open(), "babel.cfg")

    def directory_filter(path):
        name = os.path.basename(path)
        return not (name.startswith((".", "_")) or any(fnmatch(name, pattern) for pattern in IGNORE_DIRS))

    extracted = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=directory_filter):
        key = message[0] if isinstance(message, tuple) else message
        if key:
            extracted.setdefault(key, f"{filename}:{lineno}")
    assert len(extracted) > 200
    # the built-in marshmallow messages come from their own module, and must be extracted too
    assert "Unknown field." in extracted and "Not a valid email address." in extracted

    in_po = {_forms(m)[0] for m in _catalogue() if m.id}
    missing = {key: where for key, where in extracted.items() if key not in in_po}
    assert missing == {}, (
        "strings not in the catalogue: run `.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext "
        "-o translations/messages.pot --ignore-dirs='.venv tests bench .make migrations' .` and "
        "`.venv/bin/pybabel update -i translations/messages.pot -d translations -l zh`, then translate "
        f"them in translations/zh/LC_MESSAGES/messages.po: {missing}")


def test_placeholders_are_the_same_in_the_translation():
    problems = []
    for message in _catalogue():
        if not message.id:
            continue
        wanted = _placeholders(_forms(message)[0])
        if isinstance(message.id, tuple):  # plural forms: the singular and plural msgids agree
            assert _placeholders(message.id[1]) == wanted, message.id
        for text in _strings(message):
            if _placeholders(text) != wanted:
                problems.append((message.id, text))
    assert problems == []


def test_placeholder_check_can_fail():
    assert _placeholders("Infringer %(n)d") == [("n", "d")]
    assert _placeholders("涉嫌侵权人%(n)s") != _placeholders("Infringer %(n)d")
    assert _placeholders("100% 完成") == _placeholders("100% done") == []


# --- the catalogue in use -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compiled():
    """The .mo that `make test` compiles; compiled here too (atomically) when missing or stale."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        fd, tmp = tempfile.mkstemp(dir=MO.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as f:
            write_mo(f, _catalogue(), use_fuzzy=True)
        os.replace(tmp, MO)
    return MO


def test_pages_speak_chinese_by_default_and_english_on_request(compiled, client):
    page = client.get("/").get_data(as_text=True)
    assert 'lang="zh-CN"' in page
    assert "商业秘密一站式受理" in page and "企业注册" in page
    assert "Trade-secret one-stop intake" not in page

    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Trade-secret one-stop intake" in page and "商业秘密一站式受理" not in page


def test_api_field_errors_follow_accept_language(compiled, client):
    bad = {"name": "某公司", "credit_code": "91310115MA1H7GQ5XY", "district": "pudong", "contact_person": "王敏",
           "phone": "13800000001", "email": "not-an-address", "password": "a-long-password", "state": "active"}

    response = client.post("/api/v1/enterprises", json=bad, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 422
    body = response.get_json()
    assert body["message"] == "部分信息未填写或填写有误。"
    assert body["errors"]["email"] == ["不是有效的电子邮箱地址。"]
    assert body["errors"]["state"] == ["不允许提交此字段。"]

    response = client.post("/api/v1/enterprises", json=bad, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.get_json()["errors"]["email"] == ["Not a valid email address."]
    assert response.get_json()["errors"]["state"] == ["Unknown field."]


def test_web_form_shows_marshmallow_errors_in_chinese(compiled, client):
    token = csrf_token(client, "/register")
    response = client.post("/register", data={
        "csrf_token": token, "name": "某公司", "credit_code": "91310115MA1H7GQ5XY", "district": "pudong",
        "contact_person": "王敏", "phone": "13800000001", "email": "not-an-address", "password": "a-long-password",
    })
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_errors(html, "email") == ["不是有效的电子邮箱地址。"]
    assert "Not a valid email address." not in html


def test_error_pages_speak_chinese(compiled, client):
    # a form posted without its CSRF token (e.g. after the session ended): a Chinese page, not werkzeug's
    response = client.post("/register", data={"name": "某公司"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "缺少表单安全校验码" in html
    assert "The CSRF token is missing." not in html

    response = client.delete("/login")
    assert response.status_code == 405
    assert "所请求的地址不支持该请求方法。" in response.get_data(as_text=True)
    assert "POST" in response.headers["Allow"]


def test_api_http_errors_follow_accept_language(compiled, client):
    response = client.post("/api/v1/enterprises", data="{not json", content_type="application/json",
                           headers={"Accept-Language": "zh"})
    assert response.status_code == 400
    assert response.get_json()["message"] == "请求体不是有效的 JSON（第 1 行，第 2 列）。"


# --- marshmallow's own messages, as our schemas produce them ------------------------------------------

PACKAGES = tuple(sorted(p.parent.name for p in ROOT.glob("*/__init__.py")
                        if p.parent.name not in IGNORE_DIRS and not p.parent.name.startswith(".")))


def _our_schema_classes():
    import importlib
    import pkgutil

    from marshmallow import Schema

    for package in PACKAGES:
        importlib.import_module(package)
        for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
            importlib.import_module(info.name)
    seen, stack = set(), list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        if cls not in seen:
            seen.add(cls)
            stack.extend(cls.__subclasses__())
    return sorted((c for c in seen if c.__module__.split(".")[0] in PACKAGES), key=lambda c: c.__qualname__)


def _validator_messages(validator):
    from marshmallow import validate

    if isinstance(validator, validate.Length):
        if validator.equal is not None:
            texts = [validator.message_equal]
        elif validator.min is not None and validator.max is not None:
            texts = [validator.message_all]
        else:
            texts = [validator.message_min if validator.min is not None else validator.message_max]
        return [validator._format_error(None, t) for t in texts]
    if isinstance(validator, validate.Range):
        if validator.min is not None and validator.max is not None:
            texts = [validator.message_all]
        else:
            texts = [validator.message_min if validator.min is not None else validator.message_max]
        return [validator._format_error(None, t) for t in texts]
    if isinstance(validator, (validate.OneOf, validate.NoneOf, validate.ContainsOnly, validate.ContainsNoneOf,
                              validate.Equal, validate.Regexp, validate.Email, validate.URL)):
        error = getattr(validator, "error", None)
        if error and "{input}" not in error:
            return [validator._format_error(None)]
    return []  # our own functions raise their own (gettext-wrapped) messages


def _field_messages(field, path, out, stack):
    from marshmallow import fields

    from core.schemas import EnumValue

    if field.dump_only:
        return
    for key, text in field.error_messages.items():
        if key == "format" or (key == "unknown" and isinstance(field, EnumValue)):
            continue  # "format" is for dumping; EnumValue replaces "unknown" by its own message
        if key == "invalid_awareness" and not hasattr(field, "AWARENESS"):
            continue  # only NaiveDateTime and AwareDateTime check awareness
        if not isinstance(text, str):
            continue
        values = {"obj_type": getattr(field, "OBJ_TYPE", ""), "awareness": getattr(field, "AWARENESS", ""),
                  "choices": getattr(field, "choices_text", "")}
        out.setdefault(text.format(**values), path)
    for validator in field.validators:
        for text in _validator_messages(validator):
            out.setdefault(text, path)
    if isinstance(field, fields.List):
        _field_messages(field.inner, f"{path}[]", out, stack)
    if isinstance(field, fields.Tuple):
        for i, inner in enumerate(field.tuple_fields):
            _field_messages(inner, f"{path}[{i}]", out, stack)
    if isinstance(field, fields.Dict):
        for inner in (field.key_field, field.value_field):
            if inner is not None:
                _field_messages(inner, f"{path}{{}}", out, stack)
    if isinstance(field, fields.Nested):
        _schema_messages(field.schema, path, out, stack)


def _schema_messages(schema, path, out, stack=()):
    if type(schema) in stack:  # a schema nested in itself
        return
    for text in schema.error_messages.values():
        out.setdefault(text, path)
    for name, field in schema.load_fields.items():
        _field_messages(field, f"{path}.{name}", out, (*stack, type(schema)))


def marshmallow_messages_of_our_schemas():
    """{message text: where} for every message marshmallow itself can produce when loading our schemas."""
    from app import create_app

    out = {}
    with create_app({"APP_ENV": "testing", "DATABASE_URL": "sqlite://"}).app_context():
        for cls in _our_schema_classes():
            try:
                schema = cls()
            except TypeError:  # a schema that needs arguments is only a base class
                continue
            _schema_messages(schema, f"{cls.__module__}.{cls.__qualname__}", out)
    return out


def test_marshmallow_messages_our_schemas_produce_are_translated():
    produced = marshmallow_messages_of_our_schemas()
    # the check sees what it should: our bounds and marshmallow's own texts, formatted as marshmallow does
    assert "Unknown field." in produced and "Not a valid email address." in produced
    assert "Longer than maximum length 200." in produced
    assert "Must be one of: technical, business, other." not in produced  # EnumValue answers "Not a valid choice."

    in_po = {_forms(m)[0] for m in _catalogue() if m.id}
    missing = {text: where for text, where in produced.items() if text not in in_po}
    assert missing == {}, ("marshmallow messages our schemas can produce that the catalogue lacks: add them "
                           f"to core/marshmallow_messages.py, extract, update and translate: {missing}")
