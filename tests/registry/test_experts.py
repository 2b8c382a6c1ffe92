"""The think tank: profiles, invitations refused on a declared conflict, and an expert who sees only the
consultation it is invited to and gives its opinion there."""
import pytest

from tests.accounts.web import web_login
from tests.registry.conftest import profile
from tests.routing.support import accepted, ok

OPINION = "专家意见：涉案源代码具备秘密性。"


def convene(world, complaint_id):
    return ok(world.api("clerk").post(f"/api/v1/complaints/{complaint_id}/consultations", json={
        "questions": ["是否构成商业秘密？"], "agency_ids": [world.org("police")],
        "opinion_due_at": "2099-01-01T00:00:00+00:00", "due_reason": "远期测试。"}), 201)


@pytest.fixture
def consultation(world):
    complaint = accepted(world)
    profile(world, "expert")
    profile(world, "conflicted", kind="lawyer", conflicts=[{"name": "上海锐驰自动化 有限公司", "note": "常年法律顾问"}])
    return convene(world, complaint["id"]), complaint


def invite(world, consultation_id, *keys, who="clerk"):
    return world.api(who).post(f"/api/v1/consultations/{consultation_id}/experts",
                               json={"expert_ids": [str(world.users[k]["id"]) for k in keys]})


def test_an_invited_expert_sees_only_that_consultation_and_gives_an_opinion(world, consultation):
    cons, complaint = consultation
    other = convene(world, accepted(world)["id"])
    answer = ok(invite(world, cons["id"], "expert"))
    assert [i["expert"] for i in answer["expert_invitations"]] == ["王教授"]
    expert = world.api("expert")
    listed = ok(expert.get("/api/v1/consultations"))
    assert [c["id"] for c in listed["items"]] == [cons["id"]]
    assert expert.get(f"/api/v1/consultations/{other['id']}").status_code == 404
    # nothing else of the complaint: not the complaint, its evidence, its referrals
    assert expert.get(f"/api/v1/complaints/{complaint['id']}").status_code == 404
    assert expert.get(f"/api/v1/complaints/{complaint['id']}/evidence").status_code == 404
    assert ok(expert.get("/api/v1/referrals"))["items"] == []
    after = ok(expert.post(f"/api/v1/consultations/{cons['id']}/opinions", json={"opinion": OPINION}))
    assert after["expert_invitations"][0]["opinion"] == OPINION
    # the convener reads it; a blank opinion is a field error
    seen = ok(world.api("clerk").get(f"/api/v1/consultations/{cons['id']}"))
    assert seen["expert_invitations"][0]["opinion"] == OPINION
    blank = expert.post(f"/api/v1/consultations/{cons['id']}/opinions", json={"opinion": "  "})
    assert blank.status_code == 422 and "opinion" in blank.get_json()["errors"]
    # an uninvited expert: 404
    assert world.api("conflicted").get(f"/api/v1/consultations/{cons['id']}").status_code == 404
    assert world.api("conflicted").post(f"/api/v1/consultations/{cons['id']}/opinions",
                                        json={"opinion": OPINION}).status_code == 404


def test_a_declared_conflict_with_a_party_blocks_the_invitation(world, consultation):
    cons, _complaint = consultation
    refused = invite(world, cons["id"], "expert", "conflicted")
    assert refused.status_code == 422
    [message] = refused.get_json()["errors"]["expert_ids"]
    assert "陈律师" in message and "上海锐驰自动化 有限公司" in message
    # nothing was kept: not even the expert without a conflict
    assert ok(world.api("clerk").get(f"/api/v1/consultations/{cons['id']}"))["expert_invitations"] == []
    assert world.api("expert").get(f"/api/v1/consultations/{cons['id']}").status_code == 404


def test_a_conflict_by_credit_code_with_the_enterprise_blocks_too(world, consultation):
    cons, _complaint = consultation
    from accounts.models import Organisation
    from core.extensions import db

    with world.app.app_context():
        code = db.session.get(Organisation, world.orgs["enterprise"]).credit_code
    expert_id = str(world.users["expert"]["id"])
    ok(world.api("supervisor").put(f"/api/v1/experts/{expert_id}", json={
        "kind": "scholar", "affiliation": "复旦大学法学院", "expertise": "集成电路",
        "conflicts": [{"credit_code": code.lower()}]}))
    refused = invite(world, cons["id"], "expert")
    assert refused.status_code == 422 and "expert_ids" in refused.get_json()["errors"]


def test_who_may_invite(world, consultation):
    cons, _complaint = consultation
    assert invite(world, cons["id"], "expert", who="other_clerk").status_code == 404
    assert invite(world, cons["id"], "expert", who="police").status_code == 404
    assert invite(world, cons["id"], "expert", who="enterprise").status_code == 404
    assert invite(world, cons["id"], "expert", who="expert").status_code == 404
    ok(invite(world, cons["id"], "expert", who="supervisor"))
    again = invite(world, cons["id"], "expert")
    assert again.status_code == 422  # already invited
    empty = world.api("clerk").post(f"/api/v1/consultations/{cons['id']}/experts", json={"expert_ids": []})
    assert empty.status_code == 422 and "expert_ids" in empty.get_json()["errors"]


def test_profiles_are_kept_by_supervisors_and_read_by_clerks(world):
    created = profile(world, "expert", conflicts=[{"name": "某公司", "credit_code": None}])
    assert created["conflicts"] == [{"name": "某公司", "credit_code": None, "note": None}]
    assert ok(world.api("clerk").get("/api/v1/experts"))["items"][0]["name"] == "王教授"
    assert ok(world.api("clerk").get("/api/v1/experts", query_string={"q": "集成"}))["total"] == 1
    for who in ("police", "enterprise", "expert", "admin"):
        assert world.api(who).get("/api/v1/experts").status_code == 404, who
    refused = world.api("clerk").post("/api/v1/experts", json={
        "user_id": str(world.users["conflicted"]["id"]), "kind": "lawyer", "affiliation": "x", "expertise": "y"})
    assert refused.status_code == 404
    not_an_expert = world.api("supervisor").post("/api/v1/experts", json={
        "user_id": str(world.users["clerk"]["id"]), "kind": "lawyer", "affiliation": "x", "expertise": "y"})
    assert not_an_expert.status_code == 422 and "user_id" in not_an_expert.get_json()["errors"]
    twice = world.api("supervisor").post("/api/v1/experts", json={
        "user_id": str(world.users["expert"]["id"]), "kind": "lawyer", "affiliation": "x", "expertise": "y"})
    assert twice.status_code == 422
    bad_code = world.api("supervisor").put(f"/api/v1/experts/{created['id']}", json={
        "kind": "lawyer", "affiliation": "x", "expertise": "y", "conflicts": [{"credit_code": "123"}]})
    assert bad_code.status_code == 422


def test_the_expert_role_fits_only_the_think_tank(app):
    from accounts.admin_services import role_fits_organisation
    from accounts.enums import OrgKind, Role
    from accounts.models import Organisation

    assert role_fits_organisation(Role.expert, Organisation(kind=OrgKind.think_tank))
    assert not role_fits_organisation(Role.expert, Organisation(kind=OrgKind.supervisor_office))
    assert not role_fits_organisation(Role.clerk, Organisation(kind=OrgKind.think_tank))


def test_the_invited_expert_is_notified_with_a_link_to_its_consultation(world, consultation):
    from sqlalchemy import select

    from core.extensions import db
    from notifications.models import Notification
    from notifications.worker import expand_outbox

    cons, _complaint = consultation
    ok(invite(world, cons["id"], "expert"))
    with world.app.app_context():
        expand_outbox()
        db.session.commit()
        notices = db.session.scalars(select(Notification).where(
            Notification.user_id == world.users["expert"]["id"])).all()
        assert [n.event for n in notices] == ["consultation.invited"]
    web = world.app.test_client()
    assert web_login(web, world.users["expert"]).status_code == 302
    inbox = web.get("/notifications").get_data(as_text=True)
    assert f"/consultations/{cons['id']}" in inbox
