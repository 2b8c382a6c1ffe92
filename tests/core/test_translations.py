"""The Chinese catalogue: complete, in step with the source, placeholders intact, and really used.

The first three tests read files only (no database). The last ones check, through real requests,
that the UI speaks Chinese by default and that marshmallow's built-in messages come out in Chinese
in the API (Accept-Language) and in the web forms.
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
    assert response.get_json()["message"] == "服务器无法理解浏览器（或代理服务器）发送的请求。"
