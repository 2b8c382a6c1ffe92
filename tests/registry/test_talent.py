"""The talent pool: officers tagged by expertise, the cases each decided (hand-counted from the referrals
they opened, declined or concluded), searched by supervisors (all) and agency heads (their own), and key
cases staffed by supervisors."""
from tests.routing.support import accepted, ok, refer, referral_transition


def tag(world, officer, text, who="supervisor"):
    return world.api(who).post(f"/api/v1/talent/{world.users[officer]['id']}/tags", json={"tag": text})


def officers(world, who="supervisor", **query):
    return {o["name"]: o for o in ok(world.api(who).get("/api/v1/talent", query_string=query))["items"]}


def test_cases_handled_count_the_referrals_each_officer_decided(world):
    c1, c2, c3 = accepted(world), accepted(world), accepted(world)
    r1 = refer(world, c1["id"], "police", "criminal")["id"]
    ok(referral_transition(world.api("police"), r1, "acknowledge", officer_name="郑刚"))
    ok(referral_transition(world.api("police"), r1, "decline", reason="不符合立案标准。"))
    r2 = refer(world, c2["id"], "police", "criminal")["id"]
    ok(referral_transition(world.api("police"), r2, "acknowledge", officer_name="郑刚"))
    ok(referral_transition(world.api("police"), r2, "accept", case_number="沪公经〔2026〕7号"))
    r3 = refer(world, c3["id"], "amr_city", "administrative")["id"]
    ok(referral_transition(world.api("amr_city"), r3, "acknowledge", officer_name="刘洋"))  # not a decision
    found = officers(world)
    assert found["police 用户"]["cases_handled"] == 2
    assert found["amr_city 用户"]["cases_handled"] == 0
    assert "clerk 用户" not in found and "王教授" not in found  # agency staff only


def test_tags_search_and_who_may_tag(world):
    ok(tag(world, "police", "电子数据取证"))
    ok(tag(world, "police", "源代码比对"))
    ok(tag(world, "amr_city", "源代码比对", who="amr_city_head"))  # the officer's own agency head
    assert tag(world, "police", "电子数据取证").status_code == 422  # already tagged
    assert tag(world, "police", "会计", who="amr_city_head").status_code == 404  # another agency's officer
    for who in ("clerk", "police", "enterprise", "expert", "admin"):
        assert tag(world, "court", "x", who=who).status_code == 404, who
        assert world.api(who).get("/api/v1/talent").status_code == 404, who
    assert set(officers(world, tag="源代码")) == {"police 用户", "amr_city 用户"}
    assert officers(world, tag="取证")["police 用户"]["tags"] == ["源代码比对", "电子数据取证"]
    assert set(officers(world, agency_id=world.org("police"))) == {"police 用户"}
    # an agency head sees its own agency's officers only
    assert set(officers(world, who="amr_city_head")) == {"amr_city 用户", "amr_city_head 用户"}
    assert world.api("amr_city_head").get(f"/api/v1/talent/{world.users['police']['id']}/tags").status_code == 405
    removed = world.api("supervisor").delete(f"/api/v1/talent/{world.users['police']['id']}/tags",
                                             query_string={"tag": "源代码比对"})
    assert ok(removed)["tags"] == ["电子数据取证"]


def test_a_supervisor_staffs_a_key_case(world):
    complaint = accepted(world)
    supervision = ok(world.api("supervisor").post(f"/api/v1/complaints/{complaint['id']}/supervision",
                                                  json={"instructions": "请十日内报告。"}), 201)
    url = f"/api/v1/supervisions/{supervision['id']}/staff"
    api = world.api("supervisor")
    body = {"officer_ids": [str(world.users["police"]["id"]), str(world.users["amr_city"]["id"])]}
    staffed = ok(api.post(url, json=body))
    assert [s["name"] for s in staffed["staff"]] == ["police 用户", "amr_city 用户"]
    again = api.post(url, json={"officer_ids": [str(world.users["police"]["id"])]})
    assert again.status_code == 422 and "officer_ids" in again.get_json()["errors"]
    not_an_officer = api.post(url, json={"officer_ids": [str(world.users["clerk"]["id"])]})
    assert not_an_officer.status_code == 422
    for who in ("clerk", "police", "amr_city_head", "enterprise", "expert"):
        assert world.api(who).post(url, json=body).status_code == 404, who
        assert world.api(who).get(url).status_code == 404, who
    ok(api.post(f"/api/v1/complaints/{complaint['id']}/supervision/lift", json={"closing_note": "已办结。"}))
    lifted = api.post(url, json={"officer_ids": [str(world.users["court"]["id"])]})
    assert lifted.status_code == 409
    assert len(ok(api.get(url))["staff"]) == 2
