"""Versions one way (core/http.py): the ETag of every versioned answer, If-Match on every change of a complaint,
referral or consultation: 428 without it, 412 when stale, nothing changed either way; no `version` field."""
import pytest

from tests.routing.conftest import USERS, World, make_people
from tests.routing.support import (acknowledge_and_accept, accepted, complaint_transition, create_referrals, item, ok,
                                   refer, referral_transition, snapshot, submit)
from tests.routing.test_consultations import DUE, MEETING, QUESTIONS

NO_IF_MATCH = {"If-Match": None}


@pytest.fixture
def world(app, client):
    orgs, users = make_people(app, USERS, code_base=9_400_000, domain="versions.example")
    return World(app, client, orgs, users)


def version_of(response) -> int:
    tag = response.headers["ETag"]
    assert tag.startswith('"') and tag.endswith('"'), tag
    return int(tag.strip('"'))


def test_every_versioned_read_and_change_answer_carries_the_etag_of_the_version_stored(app, world, complete_draft):
    enterprise, clerk, police = world.api("enterprise"), world.api("clerk"), world.api("police")
    created = enterprise.post("/api/v1/complaints", json={"facts": "起草。"})
    assert created.status_code == 201 and version_of(created) == created.get_json()["version"]
    cid = created.get_json()["id"]
    read = enterprise.get(f"/api/v1/complaints/{cid}")
    assert version_of(read) == read.get_json()["version"] == snapshot(app, cid)["version"]
    patched = enterprise.patch(f"/api/v1/complaints/{cid}", json=complete_draft,
                               headers={"If-Match": read.headers["ETag"]})
    assert patched.status_code == 200 and version_of(patched) == snapshot(app, cid)["version"] > version_of(read)
    submitted = enterprise.post(f"/api/v1/complaints/{cid}/submit", headers={"If-Match": patched.headers["ETag"]})
    assert submitted.status_code == 200 and version_of(submitted) == snapshot(app, cid)["version"]

    claimed = complaint_transition(clerk, cid, "claim", headers={"If-Match": submitted.headers["ETag"]})
    assert version_of(claimed) == claimed.get_json()["version"] == snapshot(app, cid)["version"]
    held = clerk.put(f"/api/v1/complaints/{cid}/holder", json={"clerk_id": str(world.users["clerk2"]["id"])},
                     headers={"If-Match": claimed.headers["ETag"]})
    assert held.status_code == 200 and version_of(held) == snapshot(app, cid)["version"]
    accepted_ = complaint_transition(world.api("clerk2"), cid, "accept", message="受理。")
    assert version_of(accepted_) == snapshot(app, cid)["version"]
    referred = create_referrals(world, cid, item(world, "police", "criminal"), who="clerk2",
                                headers={"If-Match": accepted_.headers["ETag"]})
    assert referred.status_code == 201
    assert version_of(referred) == snapshot(app, cid)["version"]  # the complaint's: it was the one changed
    rid = referred.get_json()[0]["id"]

    read = police.get(f"/api/v1/referrals/{rid}")
    assert version_of(read) == read.get_json()["version"]
    acknowledged = referral_transition(police, rid, "acknowledge", officer_name="郑刚",
                                       headers={"If-Match": read.headers["ETag"]})
    assert version_of(acknowledged) == acknowledged.get_json()["version"] == version_of(police.get(f"/api/v1/referrals/{rid}"))

    consultation = world.api("clerk2").post(f"/api/v1/complaints/{cid}/consultations", json={
        "questions": QUESTIONS, "agency_ids": [world.org("amr_city")], "meeting_at": MEETING, "opinion_due_at": DUE})
    assert consultation.status_code == 201 and version_of(consultation) == consultation.get_json()["version"]
    kid = consultation.get_json()["id"]
    read = world.api("clerk2").get(f"/api/v1/consultations/{kid}")
    assert version_of(read) == read.get_json()["version"]
    moved = world.api("clerk2").post(f"/api/v1/consultations/{kid}/transitions", json={"trigger": "request_opinions"},
                                     headers={"If-Match": read.headers["ETag"]})
    assert moved.status_code == 200 and version_of(moved) == moved.get_json()["version"] > version_of(read)


def test_a_step_takes_if_match_and_answers_the_new_etag(app, world):
    complaint = accepted(world, files=0)
    referral = refer(world, complaint["id"], "amr_city", "administrative")
    officer = world.api("amr_city")
    acknowledge_and_accept(world, referral["id"], "amr_city")
    read = officer.get(f"/api/v1/referrals/{referral['id']}")
    url = f"/api/v1/referrals/{referral['id']}/steps"
    body = {"step": "report_suspected_crime", "reason": "涉嫌犯罪。"}
    assert officer.post(url, json=body, headers=NO_IF_MATCH).status_code == 428
    assert officer.post(url, json=body, headers={"If-Match": f'"{version_of(read) - 1}"'}).status_code == 412
    stepped = officer.post(url, json=body, headers={"If-Match": read.headers["ETag"]})
    assert stepped.status_code == 200
    assert version_of(stepped) == stepped.get_json()["version"] == version_of(officer.get(f"/api/v1/referrals/{referral['id']}"))


def _changes(world, cid, rid, kid):
    """Every versioned change of the API, as (who, method, url, body)."""
    return [
        ("enterprise", "post", f"/api/v1/complaints/{cid}/withdraw", {"reason": "和解。"}),
        ("enterprise", "post", f"/api/v1/complaints/{cid}/supplements", {"text": "补充。"}),
        ("clerk", "post", f"/api/v1/complaints/{cid}/transitions", {"trigger": "close", "message": "结案。"}),
        ("clerk", "put", f"/api/v1/complaints/{cid}/holder", {"clerk_id": str(world.users["clerk2"]["id"])}),
        ("clerk", "post", f"/api/v1/complaints/{cid}/referrals", {"referrals": [item(world, "amr_city", "administrative")]}),
        ("police", "post", f"/api/v1/referrals/{rid}/transitions", {"trigger": "acknowledge", "officer_name": "郑刚"}),
        ("police", "post", f"/api/v1/referrals/{rid}/steps", {"step": "report_suspected_crime", "reason": "x"}),
        ("clerk", "post", f"/api/v1/consultations/{kid}/transitions", {"trigger": "request_opinions"}),
    ]


@pytest.fixture
def case(world):
    complaint = accepted(world, files=0)
    cid = complaint["id"]
    rid = refer(world, cid, "police", "criminal")["id"]
    kid = ok(world.api("clerk").post(f"/api/v1/complaints/{cid}/consultations", json={
        "questions": QUESTIONS, "agency_ids": [world.org("amr_city")], "meeting_at": MEETING,
        "opinion_due_at": DUE}), 201)["id"]
    return cid, rid, kid


def test_a_change_without_if_match_answers_428_and_changes_nothing(app, world, case):
    cid, rid, kid = case
    before = snapshot(app, cid)
    for who, method, url, body in _changes(world, cid, rid, kid):
        response = getattr(world.api(who), method)(url, json=body, headers=NO_IF_MATCH)
        assert response.status_code == 428, (url, response.get_json())
        assert response.get_json()["code"] == "precondition_required"
        assert set(response.get_json()) == {"status", "code", "message"}
    enterprise = world.api("enterprise")
    draft = ok(enterprise.post("/api/v1/complaints", json={"facts": "草稿。"}), 201)
    assert enterprise.patch(f"/api/v1/complaints/{draft['id']}", json={"facts": "改。"}, headers=NO_IF_MATCH).status_code == 428
    assert enterprise.post(f"/api/v1/complaints/{draft['id']}/submit", headers=NO_IF_MATCH).status_code == 428
    assert snapshot(app, cid) == before


def test_a_stale_if_match_answers_412_stale_version_and_changes_nothing(app, world, case):
    cid, rid, kid = case
    before = snapshot(app, cid)
    for who, method, url, body in _changes(world, cid, rid, kid):
        api = world.api(who)
        current = version_of(api.get("/".join(url.split("/")[:5])))
        response = getattr(api, method)(url, json=body, headers={"If-Match": f'"{current - 1}"'})
        assert response.status_code == 412, (url, response.get_json())
        assert response.get_json()["code"] == "stale_version"
        weak = getattr(api, method)(url, json=body, headers={"If-Match": f'W/"{current - 1}"'})
        assert weak.status_code == 412
        assert getattr(api, method)(url, json=body, headers={"If-Match": '"abc"'}).get_json()["errors"] == {
            "If-Match": ["Not a valid integer."]}
    assert snapshot(app, cid) == before


def test_the_api_takes_no_version_field_in_the_body_or_the_query(app, world, case):
    cid, rid, kid = case
    clerk = world.api("clerk")
    response = complaint_transition(clerk, cid, "close", message="结案。", version=snapshot(app, cid)["version"])
    assert response.status_code == 422 and "version" in response.get_json()["errors"]
    response = referral_transition(world.api("police"), rid, "acknowledge", officer_name="郑刚", version=1)
    assert response.status_code == 422 and "version" in response.get_json()["errors"]
    # a query parameter is not read: without If-Match the change is still refused
    current = snapshot(app, cid)["version"]
    response = world.api("enterprise").post(f"/api/v1/complaints/{cid}/withdraw?version={current}",
                                            json={"reason": "和解。"}, headers=NO_IF_MATCH)
    assert response.status_code == 428
    schema = world.client.get("/api/v1/openapi.json").get_json()
    for name in ("ComplaintTransition", "ReferralTransition", "ConsultationTransition", "Reassign", "Supplement",
                 "CreateReferrals"):
        for component, body in schema["components"]["schemas"].items():
            if component.startswith(name):
                assert "version" not in body.get("properties", {}), component
    for path, operations in schema["paths"].items():
        for operation in (o for o in operations.values() if isinstance(o, dict)):
            assert "version" not in [p.get("name") for p in operation.get("parameters", [])], path


def test_the_versioned_views_are_marked_for_the_document(app):
    from agencies.api import ReferralItem, ReferralSteps, ReferralTransitions
    from intake.api import ComplaintItem, Submit, Withdraw
    from routing.api import ComplaintHolder, ComplaintReferrals, ComplaintTransitions, ConsultationItem, \
        ConsultationTransitions, Supplements

    for view in (ComplaintItem.patch, Submit.post, Withdraw.post, ComplaintTransitions.post, ComplaintHolder.put,
                 Supplements.post, ComplaintReferrals.post, ReferralTransitions.post, ReferralSteps.post,
                 ConsultationTransitions.post):
        assert getattr(view, "__versioned_change__", False), view
    for view in (ComplaintItem.get, ReferralItem.get, ConsultationItem.get):
        assert getattr(view, "__versioned_read__", False), view


@pytest.mark.config(API_REQUIRE_IF_MATCH=False)
def test_without_api_require_if_match_a_change_without_it_is_unchecked(app, world):
    complaint = submit(world, files=0)
    response = complaint_transition(world.api("clerk"), complaint["id"], "claim", headers=NO_IF_MATCH)
    assert response.status_code == 200 and version_of(response) == snapshot(app, complaint["id"])["version"]
    stale = complaint_transition(world.api("clerk"), complaint["id"], "accept", message="受理。",
                                 headers={"If-Match": f'"{version_of(response) - 1}"'})
    assert stale.status_code == 412  # one sent is still checked


def _web(app, world, key):
    from tests.accounts.web import csrf_token, web_login

    client = app.test_client()
    web_login(client, world.users[key])
    return client, csrf_token


@pytest.mark.config(FORMS_REQUIRE_VERSION=True)
def test_forms_require_their_version_when_configured_and_a_stale_one_is_409(app, world):
    complaint = submit(world, files=0)
    cid = complaint["id"]
    client, csrf_token = _web(app, world, "clerk")
    page = f"/centre/complaints/{cid}"
    before = snapshot(app, cid)
    response = client.post(f"{page}/transitions", data={"csrf_token": csrf_token(client, page), "trigger": "claim"})
    assert response.status_code == 428, response.status_code
    assert snapshot(app, cid) == before
    stale = client.post(f"{page}/transitions", data={"csrf_token": csrf_token(client, page), "trigger": "claim",
                                                     "version": str(before["version"] - 1)})
    assert stale.status_code == 409  # a form is not conditional: the page says someone else changed it
    done = client.post(f"{page}/transitions", data={"csrf_token": csrf_token(client, page), "trigger": "claim",
                                                    "version": str(before["version"])})
    assert done.status_code == 302
    assert snapshot(app, cid)["state"] == "triaging"
