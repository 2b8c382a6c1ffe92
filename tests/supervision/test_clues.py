"""Clue linking across the city, through the API and the services on a real database: matching at
submission (credit code, normalised name, person with organisation), what each viewer sees of a related
complaint, the clerk's links (related; duplicate: closed, the enterprise told), the rebuild command."""
import uuid

import pytest
from sqlalchemy import func, select, text

from tests.routing.support import SOURCE_CODE, complaint_transition, example, ok, submit

RUICHI = {"kind": "competitor", "name": "上海锐驰自动化有限公司", "district": "minhang"}


def _keys(app, complaint_id=None):
    from core.extensions import db
    from supervision.clue_models import ClueKey

    with app.app_context():
        query = select(ClueKey.kind, ClueKey.key)
        if complaint_id is not None:
            query = query.where(ClueKey.complaint_id == uuid.UUID(complaint_id))
        return {(k.value, v) for k, v in db.session.execute(query)}


def _draft(world, data, who="enterprise"):
    return ok(world.api(who).post("/api/v1/complaints", json=data), 201)


def _related(world, who, complaint_id, status=200):
    response = world.api(who).get(f"/api/v1/complaints/{complaint_id}/related")
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _link(world, who, complaint_id, version, headers=None, **body):
    return world.api(who).post(f"/api/v1/complaints/{complaint_id}/links", json=body,
                               headers={"If-Match": f'"{version}"', **(headers or {})})


@pytest.fixture
def pair(world):
    """A: the Pudong enterprise's complaint (the municipal centre) naming 上海锐驰自动化有限公司; B: the Xuhui
    enterprise's (the Xuhui centre) naming the same company as 上海锐驰自动化股份有限公司北京分公司."""
    a = submit(world, example(SOURCE_CODE, infringers=[RUICHI]))
    b = submit(world, example(SOURCE_CODE, infringers=[
        {"kind": "competitor", "name": "上海 锐驰自动化股份有限公司（北京分公司）"}]), who="other_enterprise")
    return a, b


def test_matching_at_submission_and_not_before(app, world):
    draft = _draft(world, example(SOURCE_CODE, infringers=[RUICHI]))
    assert _keys(app) == set()  # a draft is nobody's clue yet
    ok(world.api("enterprise").post(f"/api/v1/complaints/{draft['id']}/submit"))
    assert ("org_name", "上海锐驰自动化有限公司") in _keys(app, draft["id"])


def test_the_same_company_written_another_way_is_related_across_centres(app, world, pair):
    a, b = pair
    # the municipal centre's clerk sees B only as far as it may: no id, no enterprise
    [row] = _related(world, "clerk", a["id"])["items"]
    assert row["reference"] == b["reference"] and row["visible"] is False
    assert row["complaint_id"] is None and row["enterprise_name"] is None
    assert row["centre_name"] == "徐汇区商业秘密保护维权中心" and row["state"] == "submitted"
    assert row["matches"] == [{"kind": "org_name", "label": "上海 锐驰自动化股份有限公司（北京分公司）"}]
    # the Xuhui clerk, the other way round
    [row] = _related(world, "other_clerk", b["id"])["items"]
    assert row["reference"] == a["reference"] and row["visible"] is False
    # the supervisors see all of it
    [row] = _related(world, "supervisor", a["id"])["items"]
    assert row["visible"] is True and row["complaint_id"] == b["id"] and row["enterprise_name"] == "上海徐汇某软件有限公司"


@pytest.mark.parametrize("who", ["enterprise", "other_enterprise", "other_clerk", "amr_city", "police", "admin"])
def test_nobody_else_sees_related_complaints(world, pair, who):
    a, _b = pair
    _related(world, who, a["id"], status=404)


def test_credit_code_matches_whatever_the_name(world):
    a = submit(world, example(SOURCE_CODE, infringers=[
        {"kind": "business_partner", "name": "甲公司", "credit_code": "91310107MA1G8B0KLP"}]))
    b = submit(world, example(SOURCE_CODE, infringers=[
        {"kind": "competitor", "name": "完全不同的名字有限公司", "credit_code": "91310107ma1g8b0klp"}]))
    [row] = _related(world, "clerk", a["id"])["items"]
    assert row["reference"] == b["reference"] and row["visible"] is True
    assert row["matches"] == [{"kind": "credit_code", "label": "完全不同的名字有限公司"}]


def test_a_person_matches_only_with_the_same_organisation(world):
    first = submit(world, example(SOURCE_CODE, infringers=[{"kind": "former_employee", "name": "赵某"},
                                                           {"kind": "competitor", "name": "甲科技有限公司"}]))
    # the same enterprise names 赵某 again with another company: the same person of the same employer
    again = submit(world, example(SOURCE_CODE, infringers=[{"kind": "former_employee", "name": "赵 某"},
                                                           {"kind": "competitor", "name": "乙科技有限公司"}]))
    # another enterprise's 赵某 with yet another company: a namesake, not a clue
    namesake = submit(world, example(SOURCE_CODE, infringers=[{"kind": "former_employee", "name": "赵某"},
                                                              {"kind": "competitor", "name": "丙科技有限公司"}]),
                      who="other_enterprise")
    found = _related(world, "supervisor", first["id"])["items"]
    assert [r["reference"] for r in found] == [again["reference"]]
    assert {m["kind"] for m in found[0]["matches"]} == {"person_org"}
    assert _related(world, "supervisor", namesake["id"])["items"] == []


def test_matching_one_complaint_uses_the_index(app, world, pair, db_kind):
    if db_kind != "sqlite":
        pytest.skip("the plan of a tiny table on PostgreSQL is a sequential scan whatever the indexes")
    from core.extensions import db

    a, _b = pair
    with app.app_context():
        plan = " ".join(str(row[-1]) for row in db.session.execute(text(
            "EXPLAIN QUERY PLAN SELECT other.complaint_id FROM clue_keys AS mine JOIN clue_keys AS other "
            "ON other.kind = mine.kind AND other.key = mine.key WHERE mine.complaint_id = :c "
            "AND other.complaint_id != :c"), {"c": a["id"].replace("-", "")}))
    assert "SCAN" not in plan and "ix_clue_keys_kind_key" in plan, plan


def test_rebuild_writes_the_same_keys(app, world, pair):
    from core.extensions import db
    from supervision.clue_models import ClueKey

    before = _keys(app)
    with app.app_context():
        db.session.execute(ClueKey.__table__.delete())
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["clues", "rebuild", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert "2 complaints" in result.output
    assert _keys(app) == before and before


def test_related_link_keeps_both_open(app, world, pair):
    a, b = pair
    response = _link(world, "clerk", a["id"], a["version"], other_reference=b["reference"], kind="related")
    link = ok(response, 201)
    assert link["kind"] == "related" and link["other_id"] == b["id"] and link["other_reference"] == b["reference"]
    assert ok(world.api("clerk").get(f"/api/v1/complaints/{a['id']}"))["state"] == "submitted"
    [row] = _related(world, "clerk", a["id"])["items"]
    assert row["link"] == "related"
    [row] = _related(world, "other_clerk", b["id"])["items"]
    assert row["link"] == "related"  # either way
    # once linked, not again (either way)
    again = _link(world, "clerk", a["id"], a["version"], other_reference=b["reference"], kind="related")
    assert again.status_code == 422 and "other_reference" in again.get_json()["errors"]
    back = _link(world, "other_clerk", b["id"], b["version"], other_reference=a["reference"], kind="duplicate", message="重复。")
    assert back.status_code == 422 and "other_reference" in back.get_json()["errors"]


def test_duplicate_closes_it_and_tells_its_enterprise(app, world, pair):
    from core.extensions import db
    from core.outbox import OutboxEvent

    a, b = pair
    ok(complaint_transition(world.api("clerk"), a["id"], "claim"))
    version = ok(world.api("clerk").get(f"/api/v1/complaints/{a['id']}"))["version"]
    response = _link(world, "clerk", a["id"], version, other_reference=b["reference"], kind="duplicate",
                     message="与徐汇中心受理的投诉内容相同，由其统一处理。")
    assert ok(response, 201)["kind"] == "duplicate"
    complaint = ok(world.api("enterprise").get(f"/api/v1/complaints/{a['id']}"))
    assert complaint["state"] == "closed"
    timeline = ok(world.api("enterprise").get(f"/api/v1/complaints/{a['id']}/timeline"))
    texts = " ".join(str(e) for e in (timeline.get("items", timeline)))
    assert b["reference"] in texts
    with app.app_context():
        [event] = db.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "complaint.closed_as_duplicate")).all()
        assert event.params["other"] == b["reference"] and "徐汇中心" in event.params["message"]
        assert str(world.orgs["enterprise"]) in str(event.organisation_ids)
    # closed: no more links from it
    assert _link(world, "clerk", a["id"], complaint["version"], other_reference=b["reference"], kind="related").status_code == 422


@pytest.mark.parametrize("body, field", [
    ({"kind": "duplicate"}, "message"),
    ({"kind": "duplicate", "message": "   "}, "message"),
    ({"kind": "related", "other_reference": "2026-999999"}, "other_reference"),
])
def test_a_refused_link_keeps_nothing(app, world, pair, body, field):
    from core.extensions import db
    from supervision.clue_models import ComplaintLink

    a, b = pair
    response = _link(world, "clerk", a["id"], a["version"], **{"other_reference": b["reference"], **body})
    assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()
    assert ok(world.api("clerk").get(f"/api/v1/complaints/{a['id']}"))["state"] == "submitted"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ComplaintLink)) == 0


def test_a_complaint_not_sharing_an_infringer_cannot_be_linked(world, pair):
    a, _b = pair
    unrelated = submit(world, example(SOURCE_CODE, infringers=[{"kind": "competitor", "name": "无关公司"}]))
    response = _link(world, "clerk", a["id"], a["version"], other_reference=unrelated["reference"], kind="related")
    assert response.status_code == 422 and "other_reference" in response.get_json()["errors"]


def test_only_the_complaints_own_clerks_link(world, pair):
    a, b = pair
    assert _link(world, "other_clerk", a["id"], a["version"], other_reference=b["reference"], kind="related").status_code == 404
    assert _link(world, "enterprise", a["id"], a["version"], other_reference=b["reference"], kind="related").status_code == 404
    refused = _link(world, "supervisor", a["id"], a["version"], other_reference=b["reference"], kind="related")
    assert refused.status_code == 422  # a supervisor sees the clues but links nothing: no candidate


def test_if_match_is_required(world, pair):
    a, b = pair
    response = world.api("clerk").post(f"/api/v1/complaints/{a['id']}/links", json={"other_reference": b["reference"], "kind": "related"})
    assert response.status_code == 428


def test_an_accepted_complaint_is_no_duplicate_any_more(world, pair):
    a, b = pair
    api = world.api("clerk")
    ok(complaint_transition(api, a["id"], "claim"))
    accepted = ok(complaint_transition(api, a["id"], "accept", message="受理。"))
    response = _link(world, "clerk", a["id"], accepted["version"], other_reference=b["reference"], kind="duplicate", message="重复。")
    assert response.status_code == 409
    assert ok(_link(world, "clerk", a["id"], accepted["version"], other_reference=b["reference"], kind="related"), 201)


def test_supervisors_see_infringers_with_several_complaints(world, pair):
    a, b = pair
    submit(world, example(SOURCE_CODE, infringers=[{"kind": "competitor", "name": "只出现一次有限公司"}]))
    found = ok(world.api("supervisor").get("/api/v1/clues"))
    assert [(c["kind"], c["count"]) for c in found["items"]] == [("org_name", 2)]
    assert found["items"][0]["label"] in ("上海锐驰自动化有限公司", "上海 锐驰自动化股份有限公司（北京分公司）")
    for who in ("clerk", "enterprise", "amr_city"):
        assert world.api(who).get("/api/v1/clues").status_code == 404
