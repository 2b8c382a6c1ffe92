"""Typical cases: drafted anonymised from a concluded complaint by a supervisor, approved (published) by a
second one, found without login by act, industry and track, in both languages; unpublishing keeps the record."""
import pytest

from tests.publication.support import concluded, make_world
from tests.routing.support import accepted, ok

pytestmark = pytest.mark.config(WTF_CSRF_ENABLED=False, SESSION_SINGLE=False)


@pytest.fixture
def world(app, client):
    return make_world(app, client)


def draft(world, complaint_id, who="supervisor", **fields):
    return world.api(who).post("/api/v1/typical-cases",
                               json={"complaint_id": complaint_id, "industry": "electronic_information", **fields})


def test_the_draft_is_anonymised_by_default(world):
    complaint = concluded(world)
    case = ok(draft(world, complaint["id"]), 201)
    text = case["summary_zh"] + case["title_zh"] + (case["summary_en"] or "")
    for secret in ("赵某", "上海鲜达供应链管理有限公司", "鲜达", "91310107MA1G8B0KLP", "180,000", "13912345678",
                   "50万", "约400家餐饮客户的名单"):
        assert secret not in text, secret
    assert "乙" in case["summary_zh"] and "A公司" in case["summary_zh"]  # placeholders, readable
    assert case["state"] == "draft" and case["allowed_actions"] == ["edit"]  # the drafter may not approve
    assert case["infringing_acts"] == ["breach_of_confidentiality_duty", "disclosure_or_use_of_improperly_acquired"]


def test_only_a_concluded_complaint_and_only_a_supervisor(world):
    open_complaint = accepted(world)
    assert draft(world, open_complaint["id"]).status_code == 409
    complaint = concluded(world)
    for who in ("clerk", "enterprise", "admin", "police"):
        assert draft(world, complaint["id"], who=who).status_code == 404


def test_a_second_supervisor_approves_and_the_public_finds_it(world, client):
    complaint = concluded(world)
    case = ok(draft(world, complaint["id"], title_en="A customer list taken to a competitor"), 201)
    assert world.api("supervisor").post(f"/api/v1/typical-cases/{case['id']}/approve").status_code == 409
    # not public while a draft
    assert client.get(f"/api/v1/typical-cases/{case['id']}").status_code == 404
    assert client.get(f"/cases/{case['id']}").status_code == 404
    approved = ok(world.api("supervisor2").post(f"/api/v1/typical-cases/{case['id']}/approve"))
    assert approved["state"] == "published" and approved["allowed_actions"] == ["unpublish"]
    public = ok(client.get(f"/api/v1/typical-cases/{case['id']}"))
    assert public["title_en"] == "A customer list taken to a competitor"
    page = client.get(f"/cases/{case['id']}?lang=en")
    assert page.status_code == 200 and "A customer list taken to a competitor" in page.get_data(as_text=True)
    found = ok(client.get("/api/v1/typical-cases?act=breach_of_confidentiality_duty&industry=electronic_information"))
    assert [c["id"] for c in found["items"]] == [case["id"]]
    assert ok(client.get("/api/v1/typical-cases?act=theft"))["items"] == []
    assert ok(client.get("/api/v1/typical-cases?track=criminal"))["items"] == []
    assert ok(client.get("/api/v1/typical-cases?q=customer"))["total"] == 1
    assert client.get("/api/v1/typical-cases?act=nonsense").status_code == 422
    listing = client.get("/cases?industry=electronic_information&lang=zh").get_data(as_text=True)
    assert case["title_zh"] in listing
    knowledge = ok(client.get("/api/v1/knowledge?kind=typical_case"))
    assert [e["url"] for e in knowledge["items"]] == [f"/cases/{case['id']}"]
    # published: no longer edited
    assert world.api("supervisor").patch(f"/api/v1/typical-cases/{case['id']}", json={"title_zh": "新"}).status_code == 409


def test_approval_refuses_a_text_that_identifies_the_parties(world):
    complaint = concluded(world)
    case = ok(draft(world, complaint["id"]), 201)
    ok(world.api("supervisor").patch(f"/api/v1/typical-cases/{case['id']}",
                                     json={"summary_zh": case["summary_zh"] + "涉案方为上海鲜达供应链管理有限公司。"}))
    refused = world.api("supervisor2").post(f"/api/v1/typical-cases/{case['id']}/approve")
    assert refused.status_code == 422
    assert "summary_zh" in refused.get_json()["errors"]
    assert ok(world.api("supervisor").get(f"/api/v1/typical-cases/{case['id']}/draft"))["state"] == "draft"


def test_unpublishing_keeps_the_record(world, client):
    complaint = concluded(world)
    case = ok(draft(world, complaint["id"]), 201)
    ok(world.api("supervisor2").post(f"/api/v1/typical-cases/{case['id']}/approve"))
    assert world.api("supervisor").post(f"/api/v1/typical-cases/{case['id']}/unpublish", json={"reason": " "}).status_code == 422
    gone = ok(world.api("supervisor").post(f"/api/v1/typical-cases/{case['id']}/unpublish", json={"reason": "当事人申请。"}))
    assert gone["state"] == "unpublished" and gone["summary_zh"] == case["summary_zh"]
    assert client.get(f"/api/v1/typical-cases/{case['id']}").status_code == 404
    assert ok(client.get("/api/v1/typical-cases"))["items"] == []
    assert ok(world.api("supervisor2").get(f"/api/v1/typical-cases/{case['id']}/draft"))["unpublish_reason"] == "当事人申请。"
    assert world.api("enterprise").get(f"/api/v1/typical-cases/{case['id']}/draft").status_code == 404


def test_the_pages_draft_preview_approve(world):
    from tests.authz.world import sign_in

    complaint = concluded(world)
    first = world.app.test_client()
    sign_in(first, world.users["supervisor"])
    listing = first.get("/supervision/typical-cases").get_data(as_text=True)
    assert f"/supervision/typical-cases/new/{complaint['id']}" in listing
    form = first.get(f"/supervision/typical-cases/new/{complaint['id']}")
    assert form.status_code == 200 and "鲜达" not in form.get_data(as_text=True).split('data-testid="preview"')[1]
    refused = first.post(f"/supervision/typical-cases/new/{complaint['id']}", data={"title_zh": "标题", "summary_zh": "摘要"})
    assert refused.status_code == 422 and 'href="#field-industry"' in refused.get_data(as_text=True)
    saved = first.post(f"/supervision/typical-cases/new/{complaint['id']}",
                       data={"title_zh": "客户名单案", "summary_zh": "A公司的客户名单被前员工带走。", "industry": "other",
                             "infringing_acts": ["breach_of_confidentiality_duty"]})
    assert saved.status_code == 302
    page = first.get(saved.headers["Location"]).get_data(as_text=True)
    assert "客户名单案" in page and 'data-testid="approve"' not in page  # the drafter has no approve button
    second = world.app.test_client()
    sign_in(second, world.users["supervisor2"])
    page = second.get(saved.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="approve"' in page
    assert second.post(saved.headers["Location"] + "/approve").status_code == 302
    assert "客户名单案" in world.app.test_client().get("/cases").get_data(as_text=True)
