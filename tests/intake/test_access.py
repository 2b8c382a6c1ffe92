"""Access by organisation: whatever a user may not see answers 404, exactly like a missing id.

Every complaint and evidence route, in the API and in the portal, for each role. The complaint
belongs to an enterprise in Pudong and is handled by the municipal centre (``rights_centre``).
"""
import io
import re
import uuid

import pytest

from core.audit import AuditEntry
from evidence.models import EvidenceFile
from intake.models import ComplaintEvent
from tests.evidence.support import (api_client, count, csrf_token, new_draft, pdf_bytes, read, upload,
                                    web_login)

EVIDENCE = pdf_bytes(b"access-rule evidence")

API_ROUTES = {
    "get": ("GET", "/api/v1/complaints/{cid}", None),
    "patch": ("PATCH", "/api/v1/complaints/{cid}", {"facts": "overwritten"}),
    "submit": ("POST", "/api/v1/complaints/{cid}/submit", None),
    "withdraw": ("POST", "/api/v1/complaints/{cid}/withdraw", {"reason": "not mine"}),
    "timeline": ("GET", "/api/v1/complaints/{cid}/timeline", None),
    "evidence_list": ("GET", "/api/v1/complaints/{cid}/evidence", None),
    "evidence_upload": ("POST", "/api/v1/complaints/{cid}/evidence", "file"),
    "evidence_download": ("GET", "/api/v1/complaints/{cid}/evidence/{eid}", None),
}

WEB_ROUTES = {
    "detail": ("GET", "/complaints/{cid}", None),
    "edit_form": ("GET", "/complaints/{cid}/edit", None),
    "edit": ("POST", "/complaints/{cid}/edit", {"facts": "overwritten"}),
    "submit": ("POST", "/complaints/{cid}/submit", {}),
    "withdraw": ("POST", "/complaints/{cid}/withdraw", {"reason": "not mine"}),
    "evidence_upload": ("POST", "/complaints/{cid}/evidence", "file"),
    "evidence_download": ("GET", "/complaints/{cid}/evidence/{eid}", None),
}

# role -> which of the owner's complaints it must not see at all
HIDDEN = {
    "other_enterprise": ("draft", "submitted"),
    "agency_officer": ("draft", "submitted"),
    "other_clerk": ("draft", "submitted"),
    "admin": ("draft", "submitted"),
    "own_clerk": ("draft",),
    "supervisor": ("draft",),
}


@pytest.fixture
def world(app, create_org, create_user, rights_centre, complete_draft):
    """The owner's draft and submitted complaint, each with one evidence file, and a user per role."""
    owner = create_user("enterprise_user", district="pudong")
    api = api_client(app, owner)
    complaints = {}
    for name in ("draft", "submitted"):
        complaint = new_draft(api, complete_draft)
        [evidence] = upload(api, complaint["id"], (EVIDENCE, "exhibit.pdf")).get_json()
        if name == "submitted":
            assert api.post(f"/api/v1/complaints/{complaint['id']}/submit").status_code == 200
        complaints[name] = {"id": complaint["id"], "eid": evidence["id"]}
    assert read(api, complaints["submitted"]["id"])["centre"]["id"] == str(rights_centre)
    other_centre = create_org(kind="rights_center", district="minhang", name="闵行维权分中心")

    def user_for(role):
        return {
            "other_enterprise": lambda: create_user("enterprise_user"),
            "agency_officer": lambda: create_user("agency_officer"),
            "other_clerk": lambda: create_user("clerk", org_id=other_centre),
            "admin": lambda: create_user("admin"),
            "own_clerk": lambda: create_user("clerk", org_id=rights_centre),
            "supervisor": lambda: create_user("supervisor"),
        }[role]()

    def snapshot():
        """What an intruder must not be able to change (or leave a trace in)."""
        return ([read(api, c["id"]) for c in complaints.values()], count(app, EvidenceFile),
                count(app, ComplaintEvent), count(app, AuditEntry, AuditEntry.action == "evidence.downloaded"))

    return {"owner": owner, "api": api, "complaints": complaints, "user_for": user_for, "snapshot": snapshot}


def random_ids():
    return {"id": str(uuid.uuid4()), "eid": str(uuid.uuid4())}


# --- calling a route -------------------------------------------------------------------------------

def call_api(api, route, complaint):
    method, path, payload = API_ROUTES[route]
    url = path.format(cid=complaint["id"], eid=complaint["eid"])
    if payload == "file":
        return upload(api, complaint["id"], (EVIDENCE, "more.pdf"))
    headers = api.headers({"If-Match": api.etag(url)} if method != "GET" else None)  # the version it read
    return api.client.open(url, method=method, json=payload, headers=headers)


def call_web(client, route, complaint, token=None):
    method, path, payload = WEB_ROUTES[route]
    url = path.format(cid=complaint["id"], eid=complaint["eid"])
    if method == "GET":
        return client.get(url)
    data = {"file": (io.BytesIO(EVIDENCE), "more.pdf")} if payload == "file" else dict(payload)
    data["csrf_token"] = token
    return client.post(url, data=data, content_type="multipart/form-data")


def without_csrf(html: bytes) -> str:
    """A page without its per-request CSRF token, to compare two pages' content."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html.decode())


# --- the API ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", HIDDEN)
def test_api_answers_404_like_a_missing_id_to_whoever_may_not_see(app, world, role):
    """Every route (looped, so one setup serves them all), for the draft and the submitted complaint."""
    api = api_client(app, world["user_for"](role))
    before = world["snapshot"]()
    wrong = []
    for route in API_ROUTES:
        missing = call_api(api, route, random_ids())
        assert missing.status_code == 404, route
        for name in HIDDEN[role]:
            response = call_api(api, route, world["complaints"][name])
            if (response.status_code, response.get_json()) != (404, missing.get_json()):
                wrong.append((route, name, response.status_code, response.get_json()))

    assert wrong == []
    assert world["snapshot"]() == before


def test_the_owner_reaches_every_api_route(world):
    """The control: the routes above exist, so their 404s are refusals, not typos."""
    answers = {route: call_api(world["api"], route, world["complaints"]["draft"]).status_code for route in API_ROUTES}

    # in this order: the complete draft is submitted, then withdrawn, so the upload comes too late
    assert answers == {"get": 200, "patch": 200, "submit": 200, "withdraw": 200, "timeline": 200,
                       "evidence_list": 200, "evidence_upload": 409, "evidence_download": 200}


def test_api_without_a_token_answers_401_on_every_route(app, world):
    api = api_client(app, world["owner"])
    api.token = None
    before = world["snapshot"]()

    answers = {route: call_api(api, route, world["complaints"]["draft"]) for route in API_ROUTES}

    assert {route: r.status_code for route, r in answers.items()} == dict.fromkeys(API_ROUTES, 401)
    assert {r.get_json()["code"] for r in answers.values()} == {"unauthenticated"}
    assert world["snapshot"]() == before


def test_api_with_a_revoked_or_made_up_token_answers_401(app, world):
    api = api_client(app, world["owner"])
    api.token = "not-a-real-token"

    assert call_api(api, "get", world["complaints"]["draft"]).status_code == 401


def test_api_ids_that_are_not_uuids_answer_404(app, world):
    api = world["api"]
    draft = world["complaints"]["draft"]

    assert api.get("/api/v1/complaints/1").status_code == 404
    assert api.get(f"/api/v1/complaints/{draft['id']}/evidence/1").status_code == 404
    assert api.get(f"/api/v1/complaints/{draft['id']}/evidence/{uuid.uuid4()}").status_code == 404


def test_api_evidence_of_another_complaint_is_not_reachable_through_mine(app, world):
    """The evidence id must belong to the complaint in the path."""
    api = world["api"]
    draft, done = world["complaints"]["draft"], world["complaints"]["submitted"]

    response = api.get(f"/api/v1/complaints/{draft['id']}/evidence/{done['eid']}")

    assert response.status_code == 404


def test_the_centre_clerk_reads_a_submitted_complaint_and_its_evidence(app, world):
    clerk = api_client(app, world["user_for"]("own_clerk"))
    complaint = world["complaints"]["submitted"]

    assert call_api(clerk, "get", complaint).get_json()["state"] == "submitted"
    assert call_api(clerk, "timeline", complaint).status_code == 200
    assert [e["id"] for e in call_api(clerk, "evidence_list", complaint).get_json()["items"]] == [complaint["eid"]]
    download = call_api(clerk, "evidence_download", complaint)
    assert download.status_code == 200 and download.data == EVIDENCE


def test_the_centre_clerk_cannot_change_the_enterprise_s_complaint(app, world):
    clerk = api_client(app, world["user_for"]("own_clerk"))
    complaint = world["complaints"]["submitted"]
    before = world["snapshot"]()

    for route in ("patch", "submit", "withdraw", "evidence_upload"):
        assert call_api(clerk, route, complaint).status_code in (403, 409), route
    assert world["snapshot"]() == before


def test_a_supervisor_reads_a_submitted_complaint_but_not_its_evidence(app, world):
    supervisor = api_client(app, world["user_for"]("supervisor"))
    complaint = world["complaints"]["submitted"]
    missing = call_api(supervisor, "evidence_download", {"id": complaint["id"], "eid": str(uuid.uuid4())})
    before = world["snapshot"]()

    assert call_api(supervisor, "get", complaint).get_json()["reference"]
    assert call_api(supervisor, "timeline", complaint).status_code == 200
    assert call_api(supervisor, "evidence_list", complaint).status_code == 404
    download = call_api(supervisor, "evidence_download", complaint)
    assert download.status_code == 404 and download.get_json() == missing.get_json()
    assert world["snapshot"]() == before  # no download audited: there was none


def test_the_list_shows_only_what_each_role_may_see(app, world):
    complaints = world["complaints"]
    expected = {
        "other_enterprise": set(), "agency_officer": set(), "other_clerk": set(), "admin": set(),
        "own_clerk": {complaints["submitted"]["id"]}, "supervisor": {complaints["submitted"]["id"]},
    }
    assert {c["id"] for c in world["api"].get("/api/v1/complaints").get_json()["items"]} == {
        complaints["draft"]["id"], complaints["submitted"]["id"]}
    for role, ids in expected.items():
        listing = api_client(app, world["user_for"](role)).get("/api/v1/complaints").get_json()
        assert {c["id"] for c in listing["items"]} == ids, role
        assert listing["total"] == len(ids)


# --- the portal ------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", HIDDEN)
def test_web_answers_404_like_a_missing_id_to_whoever_may_not_see(app, world, role):
    web = web_login(app, world["user_for"](role))
    token = csrf_token(web, "/account")
    before = world["snapshot"]()
    wrong = []
    for route in WEB_ROUTES:
        missing = call_web(web, route, random_ids(), token)
        assert missing.status_code == 404, route
        for name in HIDDEN[role]:
            response = call_web(web, route, world["complaints"][name], token)
            if response.status_code != 404 or without_csrf(response.data) != without_csrf(missing.data):
                wrong.append((route, name, response.status_code))

    assert wrong == []
    assert world["snapshot"]() == before


def test_the_owner_reaches_every_web_route(app, world):
    web = web_login(app, world["owner"])
    token = csrf_token(web, "/account")

    answers = {route: call_web(web, route, world["complaints"]["draft"], token).status_code for route in WEB_ROUTES}

    assert answers == {"detail": 200, "edit_form": 200, "edit": 302, "submit": 422, "withdraw": 409,
                       "evidence_upload": 302, "evidence_download": 200}


def test_web_without_a_session_redirects_to_the_login_on_every_route(app, world):
    client = app.test_client()
    token = csrf_token(client, "/login")
    before = world["snapshot"]()

    answers = {route: call_web(client, route, world["complaints"]["draft"], token) for route in WEB_ROUTES}

    assert {route: r.status_code for route, r in answers.items()} == dict.fromkeys(WEB_ROUTES, 302)
    assert all(r.headers["Location"].startswith("/login") for r in answers.values())
    assert world["snapshot"]() == before


def test_web_the_centre_clerk_sees_a_submitted_complaint(app, world):
    web = web_login(app, world["user_for"]("own_clerk"))
    complaint = world["complaints"]["submitted"]

    page = call_web(web, "detail", complaint)
    assert page.status_code == 200
    assert read(world["api"], complaint["id"])["reference"] in page.get_data(as_text=True)
    download = call_web(web, "evidence_download", complaint)
    assert download.status_code == 200 and download.data == EVIDENCE


def test_web_a_supervisor_sees_a_submitted_complaint_but_cannot_download(app, world):
    web = web_login(app, world["user_for"]("supervisor"))
    complaint = world["complaints"]["submitted"]
    missing = call_web(web, "evidence_download", {"id": complaint["id"], "eid": str(uuid.uuid4())})

    assert call_web(web, "detail", complaint).status_code == 200
    download = call_web(web, "evidence_download", complaint)
    assert download.status_code == 404
    assert without_csrf(download.data) == without_csrf(missing.data)


@pytest.mark.parametrize("role", ["agency_officer", "admin", "own_clerk", "supervisor"])
def test_staff_are_not_offered_a_complaint_form_they_could_not_send(app, world, role):
    web = web_login(app, world["user_for"](role))
    assert web.get("/complaints/new").status_code == 403
    assert 'data-testid="new-complaint"' not in web.get("/complaints/").get_data(as_text=True)
    owner = web_login(app, world["owner"])
    assert owner.get("/complaints/new").status_code == 200
    assert 'data-testid="new-complaint"' in owner.get("/complaints/").get_data(as_text=True)
