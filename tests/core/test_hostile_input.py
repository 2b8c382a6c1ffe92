"""Hostile input at the request level (issue 7, findings 1 and 7): no request is a 500, none fills the
disk or the memory. Each test reproduces a finding of the attack and runs on SQLite and PostgreSQL.

The application runs with TESTING=True, so a server error would surface here as the exception itself.
"""
import io
import re

import pytest
from sqlalchemy import func, select

from accounts.models import ThrottleCounter
from core.audit import AuditEntry
from core.limits import PAGE_MAX
from intake.models import Complaint, ComplaintEvent, Infringer
from tests.evidence.support import csrf_token, pdf_bytes, web_login
from tests.routing.conftest import world  # noqa: F401 - the fixture
from tests.routing.support import accepted, ok, refer, referral_transition
from tests.paging import every

MIB = 1024 * 1024
HUGE_PAGE = "99999999999999999999"


def count(app, model):
    from core.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def nothing_written(app):
    return all(count(app, model) == 0 for model in (Complaint, ComplaintEvent, Infringer))


class Unreadable(io.RawIOBase):
    """A request body of ``size`` bytes (its Content-Length) that fails the test if anything reads it."""

    def __init__(self, size):
        super().__init__()
        self.size, self.position = size, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        self.position = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence] + offset
        return self.position

    def tell(self):
        return self.position

    def readinto(self, buffer):
        raise AssertionError("the body was read")


def post_raw(api, url, body, content_type="application/json", method="POST"):
    return api.client.open(url, method=method, data=body, content_type=content_type, headers=api.headers())


# --- finding 1: request bodies limited per kind ----------------------------------------------------

def test_a_json_body_over_the_limit_is_413_without_reading_it(app, anonymous_api):
    for url in ("/api/v1/auth/tokens", "/api/v1/complaints", "/api/v1/enterprises"):
        response = anonymous_api.client.post(url, input_stream=Unreadable(200 * MIB),
                                             content_type="application/json")

        assert response.status_code == 413, url
        assert response.get_json()["code"] == "payload_too_large"
        assert "1 MiB" in response.get_json()["message"]


def test_a_login_with_a_ten_mebibyte_email_is_413_and_stores_nothing(app, anonymous_api):
    body = '{"email": "%s@example.com", "password": "x"}' % ("a" * 10 * MIB)

    response = post_raw(anonymous_api, "/api/v1/auth/tokens", body)

    assert response.status_code == 413
    assert count(app, ThrottleCounter) == count(app, AuditEntry) == 0


def test_a_json_body_within_the_limit_is_read(app, world):
    response = post_raw(world.api("enterprise"), "/api/v1/complaints", '{"facts": "%s"}' % ("事" * 40000))

    assert response.status_code == 201, response.get_json()


@pytest.mark.config(JSON_MAX_BYTES=2048)
def test_a_chunked_json_body_is_cut_off_at_the_limit(app, anonymous_api):
    body = b'{"email": "' + b"a" * 4096 + b'@example.com", "password": "x"}'

    response = anonymous_api.client.post("/api/v1/auth/tokens", input_stream=io.BytesIO(body),
                                         content_type="application/json",
                                         headers={"Transfer-Encoding": "chunked"},
                                         environ_overrides={"wsgi.input_terminated": True})

    assert response.status_code == 413
    assert count(app, ThrottleCounter) == 0


def test_a_form_post_over_the_limit_is_413_without_reading_it(app, client):
    response = client.post("/login", input_stream=Unreadable(3 * MIB),
                           content_type="application/x-www-form-urlencoded")

    assert response.status_code == 413
    assert "text/html" in response.content_type
    assert "2 MiB" in response.get_data(as_text=True)


def test_a_multipart_post_to_a_page_without_uploads_has_the_form_limit(app, client):
    response = client.post("/login", input_stream=Unreadable(3 * MIB),
                           content_type="multipart/form-data; boundary=x")

    assert response.status_code == 413


@pytest.mark.config(MAX_EVIDENCE_BYTES=300 * 1024, MAX_FILES_PER_UPLOAD=2)
def test_only_an_upload_may_be_larger_and_only_up_to_its_own_limit(app, world):
    api = world.api("enterprise")
    draft = ok(api.post("/api/v1/complaints", json={}), 201)
    url = f"/api/v1/complaints/{draft['id']}/evidence"
    big = pdf_bytes(b"x" * (1500 * 1024))  # larger than the JSON and form limits (a config below)
    app.config["JSON_MAX_BYTES"] = app.config["FORM_MAX_BYTES"] = 1024 * 1024
    # one file over MAX_EVIDENCE_BYTES: the vault's own 413; a body over 2 files + 1 MiB: before reading
    too_many = 2 * 300 * 1024 + MIB + 1
    response = api.client.post(url, input_stream=Unreadable(too_many),
                               content_type="multipart/form-data; boundary=x", headers=api.headers())
    assert response.status_code == 413
    # within the upload's limit the body is read (the file itself is then refused as too large)
    response = api.client.post(url, data={"file": [(io.BytesIO(big), "big.pdf")]}, headers=api.headers())
    assert response.status_code == 413, response.get_json()
    small = api.client.post(url, data={"file": [(io.BytesIO(pdf_bytes(b"y" * 200 * 1024)), "ok.pdf")]}, headers=api.headers())
    assert small.status_code == 201, small.get_json()
    # the upload's limit is for multipart bodies only: anything else sent to an upload page has its own
    page = web_login(app, world.users["enterprise"])
    for content_type in ("application/json", "application/x-www-form-urlencoded", "text/plain"):
        response = page.post(f"/complaints/{draft['id']}/evidence", input_stream=Unreadable(2 * MIB),
                             content_type=content_type)
        assert response.status_code == 413, content_type


# --- finding 7: JSON nesting, encoding, syntax, numbers --------------------------------------------

def test_json_nested_100000_deep_is_a_clear_400_also_on_the_token_endpoint(app, world, anonymous_api):
    deep = "[" * 100_000 + "]" * 100_000
    for api, url in ((anonymous_api, "/api/v1/auth/tokens"), (anonymous_api, "/api/v1/enterprises"),
                     (world.api("enterprise"), "/api/v1/complaints"),
                     (world.api("clerk"), "/api/v1/referrals")):
        response = post_raw(api, url, deep)

        assert response.status_code in (400, 405), url
        if response.status_code == 400:
            assert response.get_json()["code"] == "invalid_body"
            assert "nested more than 32 levels" in response.get_json()["message"]
    deep_object = '{"a":' * 100_000 + "1" + "}" * 100_000
    assert post_raw(anonymous_api, "/api/v1/auth/tokens", deep_object).status_code == 400
    assert nothing_written(app) and count(app, ThrottleCounter) == 0


def test_brackets_inside_strings_do_not_count_as_nesting(app, world):
    facts = '\\" ' + "[{" * 5000
    response = post_raw(world.api("enterprise"), "/api/v1/complaints", '{"facts": "%s"}' % facts)

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["facts"] == '" ' + "[{" * 5000


def test_a_body_that_is_not_utf8_or_not_json_is_a_clear_400(app, world, anonymous_api):
    api = world.api("enterprise")
    for body, words in ((b'{"facts": "\xff\xfe"}', "UTF-8"), (b'{"facts": ', "line 1, column 11"),
                        (b"\xef\xbb\xbf{}", "not valid JSON"), (b"{'facts': 1}", "not valid JSON")):
        response = post_raw(api, "/api/v1/complaints", body)

        assert response.status_code == 400, body
        assert words in response.get_json()["message"], (body, response.get_json())
    assert post_raw(anonymous_api, "/api/v1/auth/tokens", b'{"email": "\xc3"}').status_code == 400
    assert nothing_written(app)


def test_numbers_no_column_can_hold_are_refused_with_the_field_named(app, world):
    api = world.api("enterprise")
    for literal in ("NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1" + "0" * 5000, str(2 ** 63)):
        response = post_raw(api, "/api/v1/complaints", '{"infringers": [{"kind": %s}]}' % literal)

        assert response.status_code == 422, literal
        assert response.get_json()["errors"] == {"infringers.0.kind": ["The number is out of range."]}, literal
    assert post_raw(api, "/api/v1/complaints", '{"estimated_loss": 1e308}').status_code == 422
    assert nothing_written(app)


# --- finding 7: strings that cannot be stored -------------------------------------------------------

BAD_TEXTS = {"\\ud800": "lone surrogates", "\\udfff tail": "lone surrogates", "a\\u0000b": "NUL"}


def test_a_lone_surrogate_or_nul_in_a_json_text_is_422_naming_the_field(app, world):
    api = world.api("enterprise")
    for escaped, words in BAD_TEXTS.items():
        for body, field in (('{"facts": "%s"}', "facts"),
                            ('{"infringers": [{"kind": "competitor", "name": "%s"}]}', "infringers.0.name"),
                            ('{"contact_name": "ok", "%s": 1}', None)):
            response = post_raw(api, "/api/v1/complaints", body % escaped)

            assert response.status_code == 422, body % escaped
            errors = response.get_json()["errors"]
            if field:
                assert list(errors) == [field], errors
            assert words in " ".join(errors[next(iter(errors))])
    draft = ok(api.post("/api/v1/complaints", json={"facts": "事实"}), 201)
    response = post_raw(api, f"/api/v1/complaints/{draft['id']}", '{"facts": "a\\u0000"}', method="PATCH")
    assert response.status_code == 422
    assert ok(api.get(f"/api/v1/complaints/{draft['id']}"))["facts"] == "事实"
    assert count(app, Complaint) == 1


def test_a_surrogate_in_the_login_email_is_422_without_a_throttle_or_audit_row(app, anonymous_api):
    for body in ('{"email": "\\ud800@example.com", "password": "x"}',
                 '{"email": "a@example.com", "password": "\\u0000"}'):
        response = post_raw(anonymous_api, "/api/v1/auth/tokens", body)

        assert response.status_code == 422
    assert count(app, ThrottleCounter) == count(app, AuditEntry) == 0


def test_nul_in_a_query_string_is_422_naming_the_parameter(app, world):
    response = world.api("clerk").get("/api/v1/queue?infringer=a%00b")

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["infringer"]
    assert world.api("clerk").get("/api/v1/queue?infringer=%E4%BA%8B").status_code == 200


def test_nul_in_a_form_field_is_422_on_the_page_naming_the_field(app, world):
    client = web_login(app, world.users["enterprise"])
    token = csrf_token(client, "/complaints/new")

    response = client.post("/complaints/new", data={"csrf_token": token, "facts": "a\x00b", "contact_name": "王敏"})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<code>facts</code>" in page and "NUL" in page
    assert nothing_written(app)
    login = app.test_client()
    counters = count(app, ThrottleCounter)  # the enterprise's own sign-in above may have left its address's row
    response = login.post("/login", data={"csrf_token": csrf_token(login), "email": "a\x00@example.com",
                                          "password": "x"})
    assert response.status_code == 422
    assert count(app, ThrottleCounter) == counters


# --- finding 7: page numbers -------------------------------------------------------------------------

API_LISTS = {"/api/v1/complaints": ("enterprise", "clerk", "police", "supervisor"),
             "/api/v1/queue": ("clerk", "supervisor"),
             "/api/v1/referrals": ("clerk", "police", "procuratorate", "supervisor")}


def test_a_bad_limit_or_cursor_on_every_api_list_is_422_naming_it(app, world):
    for url, roles in API_LISTS.items():
        for role in roles:
            api = world.api(role)
            for query, field in (("limit=0", "limit"), ("limit=101", "limit"), (f"limit={HUGE_PAGE}", "limit"),
                                 ("limit=-1", "limit"), ("cursor=", "cursor"), ("cursor=" + "A" * 2000, "cursor"),
                                 ("cursor=not-a-cursor", "cursor"), (f"cursor={HUGE_PAGE}", "cursor")):
                response = api.get(f"{url}?{query}")

                assert response.status_code == 422, (url, role, query)
                assert list(response.get_json()["errors"]) == [field]
            first = ok(api.get(f"{url}?limit=100"))
            assert set(first) >= {"items", "next_cursor"}


def without_tokens(response):
    """The page without its CSRF tokens (they carry a timestamp)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))


WEB_LISTS = {"/complaints/": "enterprise", "/agency/inbox": "police", "/notifications": "enterprise",
             "/admin/deliveries": "admin"}


def test_a_huge_page_number_on_every_page_shows_the_first_page(app, world):
    for url, role in WEB_LISTS.items():
        client = web_login(app, world.users[role])
        client.get(url)  # shows and so clears what the login flashed
        first = without_tokens(client.get(url))
        for query in (f"page={HUGE_PAGE}", "page=-5", "page=abc", f"page={PAGE_MAX + 1}", "page=%00",
                      f"closed_page={HUGE_PAGE}"):
            response = client.get(f"{url}?{query}")

            assert response.status_code in (200, 422), (url, query)
            if response.status_code == 200:
                assert without_tokens(response) == first, (url, query)
    clerk = web_login(app, world.users["clerk"])
    response = clerk.get(f"/centre/queue?page={HUGE_PAGE}")
    assert response.status_code == 422  # the queue's filter form shows what is wrong
    assert clerk.get("/centre/queue?page=2").status_code == 200


# --- finding 7: the media type of an API call -------------------------------------------------------

def test_a_json_operation_refuses_other_media_types_with_415(app, world):
    api = world.api("enterprise")
    for content_type, body in (("text/plain", '{"facts": "x"}'), ("application/x-www-form-urlencoded", "facts=x"),
                               ("multipart/form-data; boundary=x", "--x--"), ("text/plain", ""),
                               ("application/xml", "<facts/>")):
        response = post_raw(api, "/api/v1/complaints", body, content_type)

        assert response.status_code == 415, (content_type, response.get_json())
        assert response.get_json()["message"] == "Send the body as application/json."
    no_type = api.client.post("/api/v1/complaints", data=b'{"facts": "x"}', headers=api.headers())
    assert no_type.status_code == 415
    assert nothing_written(app)
    # a JSON body, with a charset or as application/*+json, and an empty POST without a type, are fine
    assert post_raw(api, "/api/v1/complaints", '{"facts": "x"}', "application/json; charset=utf-8").status_code == 201
    assert post_raw(api, "/api/v1/complaints", '{}', "application/merge-patch+json").status_code == 201
    assert api.post("/api/v1/complaints").status_code == 201


def test_an_upload_refuses_json_with_415_and_takes_multipart(app, world):
    api = world.api("enterprise")
    draft = ok(api.post("/api/v1/complaints", json={}), 201)
    url = f"/api/v1/complaints/{draft['id']}/evidence"

    assert post_raw(api, url, '{"file": "x"}').status_code == 415
    assert post_raw(api, url, "file=x", "application/x-www-form-urlencoded").status_code == 415
    response = api.client.post(url, data={"file": [(io.BytesIO(pdf_bytes(b"a")), "a.pdf")]}, headers=api.headers())
    assert response.status_code == 201, response.get_json()


# --- finding 7: the procuratorate recording an appraisal --------------------------------------------

def test_the_procuratorate_recording_an_appraisal_is_refused_not_a_500(app, world):
    complaint = accepted(world)
    criminal = refer(world, complaint["id"], "police", "criminal")
    police = world.api("police")
    ok(referral_transition(police, criminal["id"], "acknowledge", officer_name="郑刚"))
    ok(referral_transition(police, criminal["id"], "decline", reason="不构成犯罪。"))
    ok(referral_transition(world.api("clerk"), criminal["id"], "request_supervision", reason="请求立案监督。"))
    [supervision] = [r for r in every(world.api("clerk"), f"/api/v1/complaints/{complaint['id']}/referrals")
                     if r["link_kind"] == "filing_supervision"]
    procuratorate = world.api("procuratorate")
    url = f"/api/v1/referrals/{supervision['id']}/appraisal"

    sent = procuratorate.post(url, json={"action": "requested"})
    assert sent.status_code == 409
    ok(referral_transition(procuratorate, supervision["id"], "acknowledge", officer_name="检察官"))
    response = procuratorate.post(url, json={"action": "requested"})

    assert response.status_code == 409, response.get_json()
    body = response.get_json()
    assert body["state"] == "acknowledged" and body["allowed_triggers"]
    assert "has no such clock" in body["message"]
    # the police referral it supervises is not the procuratorate's to pause (hidden, or refused)
    assert procuratorate.post(f"/api/v1/referrals/{criminal['id']}/appraisal",
                              json={"action": "requested"}).status_code in (403, 404)
