"""Access: an agency sees only its own referrals and only the evidence shared with them; API keys."""
from tests.conftest import ApiClient
from tests.routing.support import (accepted, create_referrals, evidence_ids, item, ok, referral_transition, snapshot)
from tests.paging import every


def test_an_agency_sees_only_its_own_referrals_and_their_shared_evidence(app, world):
    complaint = accepted(world, files=2)
    shared, unshared = evidence_ids(world, complaint["id"])
    police_ref, court_ref = ok(create_referrals(world, complaint["id"], item(world, "police", "criminal", [shared]),
                                                item(world, "court", "civil", [shared, unshared])), 201)
    police, court, other_police = world.api("police"), world.api("court"), world.api("police_pudong")

    assert [r["id"] for r in ok(police.get("/api/v1/referrals"))["items"]] == [police_ref["id"]]
    assert [r["id"] for r in ok(court.get("/api/v1/referrals"))["items"]] == [court_ref["id"]]
    assert ok(other_police.get("/api/v1/referrals"))["items"] == []
    one = ok(police.get(f"/api/v1/referrals/{police_ref['id']}"))
    assert [e["id"] for e in one["shared_evidence"]] == [shared]
    assert one["complaint"]["reference"] == complaint["reference"]

    # the shared file downloads, decrypted; the one not shared with this agency is 404
    download = police.get(f"/api/v1/referrals/{police_ref['id']}/evidence/{shared}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert police.get(f"/api/v1/referrals/{police_ref['id']}/evidence/{unshared}").status_code == 404
    assert court.get(f"/api/v1/referrals/{court_ref['id']}/evidence/{unshared}").status_code == 200
    # ...and the complaint itself, its evidence and timeline, are not the agency's to read
    for url in (f"/api/v1/complaints/{complaint['id']}", f"/api/v1/complaints/{complaint['id']}/evidence",
                f"/api/v1/complaints/{complaint['id']}/evidence/{shared}",
                f"/api/v1/complaints/{complaint['id']}/timeline"):
        assert police.get(url).status_code == 404, url

    # another agency: 404 on everything of a referral that is not its own
    before = snapshot(app, complaint["id"])
    for api, referral in ((other_police, police_ref), (court, police_ref), (police, court_ref)):
        rid = referral["id"]
        assert api.get(f"/api/v1/referrals/{rid}").status_code == 404
        assert api.get(f"/api/v1/referrals/{rid}/letter").status_code == 404
        assert api.get(f"/api/v1/referrals/{rid}/notes").status_code == 404
        assert api.get(f"/api/v1/referrals/{rid}/evidence/{shared}").status_code == 404
        assert referral_transition(api, rid, "acknowledge", officer_name="冒名").status_code == 404
        assert api.post(f"/api/v1/referrals/{rid}/notes", json={"text": "x"}).status_code == 404
    # the enterprise and a clerk of another centre neither
    assert world.api("other_clerk").get(f"/api/v1/referrals/{police_ref['id']}").status_code == 404
    assert world.api("other_enterprise").get(f"/api/v1/referrals/{police_ref['id']}").status_code == 404
    assert world.api("enterprise").get(f"/api/v1/referrals/{police_ref['id']}/evidence/{shared}").status_code == 404
    assert world.api("clerk").get(f"/api/v1/referrals/{police_ref['id']}/evidence/{shared}").status_code == 404
    assert snapshot(app, complaint["id"]) == before
    # a malformed id is a 404 too, not a 500
    assert police.get("/api/v1/referrals/not-a-uuid").status_code == 404
    assert police.get(f"/api/v1/referrals/{police_ref['id']}/evidence/not-a-uuid").status_code == 404


def test_an_api_key_works_until_revoked(app, world):
    complaint = accepted(world)
    referral = ok(create_referrals(world, complaint["id"], item(world, "police", "criminal")), 201)[0]
    admin = world.api("admin")

    created = ok(admin.post("/api/v1/admin/api-keys", json={"email": world.users["police"]["email"],
                                                           "label": "经侦案件系统"}), 201)
    assert created["key"] and created["label"] == "经侦案件系统"
    assert created["user"] == world.users["police"]["email"]
    listed = every(admin, "/api/v1/admin/api-keys")
    assert [k["id"] for k in listed] == [created["id"]] and "key" not in listed[0]
    assert created["key"] not in admin.get("/api/v1/admin/api-keys").get_data(as_text=True)

    system = ApiClient(app.test_client(), created["key"])
    assert [r["id"] for r in ok(system.get("/api/v1/referrals?pending=true"))["items"]] == [referral["id"]]
    acknowledged = ok(referral_transition(system, referral["id"], "acknowledge", officer_name="郑刚"))
    assert acknowledged["state"] == "acknowledged"

    assert admin.delete(f"/api/v1/admin/api-keys/{created['id']}").status_code == 204
    assert every(admin, "/api/v1/admin/api-keys")[0]["revoked_at"] is not None
    revoked = system.get("/api/v1/referrals")
    assert revoked.status_code == 401 and revoked.get_json()["code"] == "unauthenticated"
    before = snapshot(app, complaint["id"])
    assert referral_transition(system, referral["id"], "accept", case_number="x").status_code == 401
    assert snapshot(app, complaint["id"]) == before
    # revoking again, or an unknown key: 404
    assert admin.delete(f"/api/v1/admin/api-keys/{created['id']}").status_code == 204
    assert admin.delete("/api/v1/admin/api-keys/00000000-0000-0000-0000-000000000000").status_code == 404
    assert admin.delete("/api/v1/admin/api-keys/nonsense").status_code == 404


def test_api_keys_are_for_agency_officers_and_made_by_administrators_only(world):
    admin = world.api("admin")
    for who in ("clerk", "enterprise"):
        response = admin.post("/api/v1/admin/api-keys", json={"email": world.users[who]["email"], "label": "x"})
        assert response.status_code == 422 and "email" in response.get_json()["errors"]
    unknown = admin.post("/api/v1/admin/api-keys", json={"email": "nobody@nowhere.example", "label": "x"})
    assert unknown.status_code == 422
    assert admin.post("/api/v1/admin/api-keys", json={"email": world.users["police"]["email"]}).status_code == 422

    key = ok(admin.post("/api/v1/admin/api-keys", json={"email": world.users["police"]["email"], "label": "k"}), 201)
    for who in ("clerk", "police", "supervisor", "enterprise"):
        api = world.api(who)
        assert api.get("/api/v1/admin/api-keys").status_code == 404, who
        assert api.post("/api/v1/admin/api-keys", json={"email": world.users["police"]["email"],
                                                        "label": "x"}).status_code == 404, who
        assert api.delete(f"/api/v1/admin/api-keys/{key['id']}").status_code == 404, who
    # an API key cannot create keys either (it acts as its officer)
    system = ApiClient(world.client, key["key"])
    assert system.get("/api/v1/admin/api-keys").status_code == 404
    assert ApiClient(world.client).get("/api/v1/admin/api-keys").status_code == 401
    assert len(every(admin, "/api/v1/admin/api-keys")) == 1
