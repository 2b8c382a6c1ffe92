"""Demonstration bases: registering and editing them (supervisors), the counts against the city's targets
(hand-counted), complaints per base, and who sees what."""
import pytest

from tests.routing.support import accepted, ok, submit


def base(world, name, kind="point", status="recognised", centre="centre", host_credit_code=None, who="supervisor",
         **extra):
    body = {"kind": kind, "name": name, "district": "pudong", "host_name": f"{name}的主办单位",
            "industry": "integrated_circuits", "status": status, "centre_id": world.org(centre), **extra}
    if host_credit_code:
        body["host_credit_code"] = host_credit_code
    return world.api(who).post("/api/v1/registry/bases", json=body)


def credit_code(world, key):
    from accounts.models import Organisation
    from core.extensions import db

    with world.app.app_context():
        return db.session.get(Organisation, world.orgs[key]).credit_code


def targets(world, who="supervisor"):
    return {row["kind"]: row for row in ok(world.api(who).get("/api/v1/registry/targets"))["targets"]}


@pytest.mark.config(REGISTRY_TARGETS={"point": 3, "station": 2, "zone": 1})
def test_counts_against_the_targets_by_hand(world):
    ok(base(world, "张江示范点", status="cultivation"), 201)
    ok(base(world, "漕河泾示范点", status="recognised"), 201)
    ok(base(world, "临港示范点", status="national_recommendation"), 201)
    ok(base(world, "浦东示范站", kind="station", status="municipal"), 201)
    ok(base(world, "徐汇示范区", kind="zone", status="recognised", centre="other_centre"), 201)
    ok(base(world, "浦东示范区", kind="zone", status="recognised"), 201)
    found = targets(world)
    assert found["point"] == {"kind": "point", "target": 3, "counted": 2, "cultivation": 1, "missing": 1}
    assert found["station"] == {"kind": "station", "target": 2, "counted": 1, "cultivation": 0, "missing": 1}
    assert found["zone"] == {"kind": "zone", "target": 1, "counted": 2, "cultivation": 0, "missing": 0}
    # a clerk counts its own centre's bases only
    assert targets(world, "clerk")["zone"]["counted"] == 1
    assert targets(world, "other_clerk")["point"]["counted"] == 0


def test_the_default_targets_are_the_policys(world):
    found = targets(world)
    assert (found["point"]["target"], found["station"]["target"], found["zone"]["target"]) == (100, 10, 10)


def test_complaints_per_zone_and_per_host(world):
    accepted(world)  # at the municipal centre, filed by ``enterprise``
    accepted(world)
    submit(world, who="other_enterprise")  # at the Xuhui centre
    ok(world.api("enterprise").post("/api/v1/complaints", json={"facts": "草稿"}), 201)  # a draft never counts
    zone = ok(base(world, "市级示范区", kind="zone"), 201)
    other_zone = ok(base(world, "徐汇示范区", kind="zone", centre="other_centre"), 201)
    point = ok(base(world, "澄川示范点", host_credit_code=credit_code(world, "enterprise").lower()), 201)
    lone = ok(base(world, "无主示范点"), 201)
    assert (zone["complaints"], other_zone["complaints"], point["complaints"], lone["complaints"]) == (2, 1, 2, 0)
    assert point["host_on_platform"] is True and lone["host_on_platform"] is False
    listed = {b["name"]: b["complaints"] for b in ok(world.api("supervisor").get("/api/v1/registry/bases"))["items"]}
    assert listed == {"市级示范区": 2, "徐汇示范区": 1, "澄川示范点": 2, "无主示范点": 0}


def test_filters_and_visibility(world):
    ok(base(world, "甲示范点"), 201)
    ok(base(world, "乙示范站", kind="station"), 201)
    other = ok(base(world, "丙示范点", centre="other_centre"), 201)
    api = world.api("supervisor")
    assert ok(api.get("/api/v1/registry/bases", query_string={"kind": "station"}))["total"] == 1
    assert ok(api.get("/api/v1/registry/bases", query_string={"q": "甲"}))["total"] == 1
    assert api.get("/api/v1/registry/bases", query_string={"kind": "nope"}).status_code == 422
    clerk = world.api("clerk")
    assert {b["name"] for b in ok(clerk.get("/api/v1/registry/bases"))["items"]} == {"甲示范点", "乙示范站"}
    assert clerk.get(f"/api/v1/registry/bases/{other['id']}").status_code == 404
    assert ok(world.api("other_clerk").get(f"/api/v1/registry/bases/{other['id']}"))["name"] == "丙示范点"
    for who in ("enterprise", "police", "admin", "expert"):
        assert world.api(who).get("/api/v1/registry/bases").status_code == 404, who
        assert world.api(who).get("/api/v1/registry/targets").status_code == 404, who


def test_only_supervisors_register_and_field_errors_keep_nothing(world):
    assert base(world, "甲示范点", who="clerk").status_code == 404
    created = ok(base(world, "甲示范点"), 201)
    duplicate = base(world, "甲示范点")
    assert duplicate.status_code == 422 and "name" in duplicate.get_json()["errors"]
    not_a_centre = base(world, "乙示范点", centre="police")
    assert not_a_centre.status_code == 422 and "centre_id" in not_a_centre.get_json()["errors"]
    bad_code = base(world, "丙示范点", host_credit_code="91310000XXXXXXXXX1")
    assert bad_code.status_code == 422 and "host_credit_code" in bad_code.get_json()["errors"]
    blank = base(world, "   ")
    assert blank.status_code == 422 and "name" in blank.get_json()["errors"]
    assert ok(world.api("supervisor").get("/api/v1/registry/bases"))["total"] == 1
    body = {"kind": "point", "name": "甲示范点", "district": "xuhui", "host_name": "某园区",
            "industry": "biomedicine", "status": "municipal", "centre_id": world.org("centre")}
    updated = ok(world.api("supervisor").put(f"/api/v1/registry/bases/{created['id']}", json=body))
    assert (updated["status"], updated["district"], updated["industry"]) == ("municipal", "xuhui", "biomedicine")
    assert world.api("clerk").put(f"/api/v1/registry/bases/{created['id']}", json=body).status_code == 404


def test_the_dashboard_section_is_for_supervisors(world):
    from accounts.models import User
    from core.extensions import db
    from registry.bases import dashboard_section

    ok(base(world, "甲示范区", kind="zone"), 201)
    with world.app.app_context():
        supervisor = db.session.get(User, world.users["supervisor"]["id"])
        clerk = db.session.get(User, world.users["clerk"]["id"])
        tables = dashboard_section({}, supervisor)
        assert [t.key for t in tables] == ["demonstration_targets", "complaints_per_zone"]
        assert tables[1].rows == [{"zone": "甲示范区", "centre": "上海市商业秘密保护维权中心", "complaints": 0}]
        assert dashboard_section({}, clerk) is None
