"""Guidance: the self-assessment questionnaire (versions an administrator edits; scores; what to improve; PDF)
and the public knowledge base."""
import pytest

from tests.publication.support import make_world
from tests.routing.support import ok

pytestmark = pytest.mark.config(WTF_CSRF_ENABLED=False, SESSION_SINGLE=False)


@pytest.fixture
def world(app, client):
    world = make_world(app, client, code_base=6_200_000)
    from core.extensions import db
    from publication.seed import seed

    with app.app_context():
        seed()
        db.session.commit()
    return world


def answers(client, value="yes", **changes):
    questionnaire = ok(client.get("/api/v1/questionnaires/current"))
    result = {q["key"]: value for q in questionnaire["questions"]}
    result.update(changes)
    return result


def test_scores_and_improvements(world, client):
    api = world.api("enterprise")
    full = ok(api.post("/api/v1/self-assessments", json={"answers": answers(client)}), 201)
    assert full["score"] == 100 and full["improvements"] == []
    # weights: 100 in all; patent_watch (8) no, dlp (7) partly -> 100 - 8 - 3.5 = 88.5 -> 88
    part = ok(api.post("/api/v1/self-assessments", json={"answers": answers(client, patent_watch="no", dlp="partly")}), 201)
    assert part["score"] == 88
    assert [i["key"] for i in part["improvements"]] == ["patent_watch", "dlp"]
    missing = answers(client)
    missing.pop("marking")
    refused = api.post("/api/v1/self-assessments", json={"answers": missing})
    assert refused.status_code == 422 and "answers.marking" in refused.get_json()["errors"]
    assert ok(api.get(f"/api/v1/self-assessments/{part['id']}"))["score"] == 88
    assert world.api("other_enterprise").get(f"/api/v1/self-assessments/{part['id']}").status_code == 404
    assert world.api("clerk").post("/api/v1/self-assessments", json={"answers": answers(client)}).status_code == 404


def test_a_new_version_leaves_earlier_assessments_alone(world, client):
    from tests.authz.world import sign_in
    import json

    api = world.api("enterprise")
    earlier = ok(api.post("/api/v1/self-assessments", json={"answers": answers(client, dlp="no")}), 201)
    admin = world.app.test_client()
    sign_in(admin, world.users["admin"])
    content = {"title": {"zh": "简版自评", "en": "Short self-assessment"}, "questions": [
        {"key": "nda", "area": "confidentiality_agreements", "weight": 1, "text": {"zh": "签了吗？", "en": "Signed?"},
         "advice": {"zh": "请签订。", "en": "Sign one."}}]}
    bad = admin.post("/admin/questionnaires", data={"content": "{"})
    assert bad.status_code == 422
    assert admin.post("/admin/questionnaires", data={"content": json.dumps(content)}).status_code == 302
    assert ok(client.get("/api/v1/questionnaires/current"))["version"] == 2
    assert ok(api.get(f"/api/v1/self-assessments/{earlier['id']}"))["questionnaire_version"] == 1
    assert ok(api.get(f"/api/v1/self-assessments/{earlier['id']}"))["improvements"][0]["key"] == "dlp"
    new = ok(api.post("/api/v1/self-assessments", json={"answers": {"nda": "partly"}}), 201)
    assert new["score"] == 50 and new["questionnaire_version"] == 2


def test_the_pages_and_the_pdf(world, client):
    from tests.authz.world import sign_in
    from tests.pdfcheck import text as pdf_text

    web = world.app.test_client()
    sign_in(web, world.users["enterprise"])
    assert web.get("/guidance/self-assessment").status_code == 200
    refused = web.post("/guidance/self-assessment", data={"answers.marking": "yes"})
    assert refused.status_code == 422 and 'data-testid="error-summary"' in refused.get_data(as_text=True)
    form = {f"answers.{k}": v for k, v in answers(client, marking="no").items()}
    saved = web.post("/guidance/self-assessment", data=form)
    assert saved.status_code == 302
    result = web.get(saved.headers["Location"]).get_data(as_text=True)
    assert "92" in result
    pdf = web.get(saved.headers["Location"] + "/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "Mark secret documents" in pdf_text(pdf.data).replace("\n", "")  # the reader reads English
    other = world.app.test_client()
    sign_in(other, world.users["other_enterprise"])
    assert other.get(saved.headers["Location"]).status_code == 404
    assert other.get(saved.headers["Location"] + "/pdf").status_code == 404


def test_the_knowledge_base_is_public_and_searchable(world, client):
    page = client.get("/knowledge?q=离职")
    assert page.status_code == 200 and "企业商业秘密保护指引" in page.get_data(as_text=True)
    assert client.get("/knowledge/protection-guide?lang=en").status_code == 200
    found = ok(client.get("/api/v1/knowledge?kind=legal_interpretation"))
    assert {e["kind"] for e in found["items"]} == {"legal_interpretation"} and found["total"] == 2
    assert client.get("/knowledge/no-such-article").status_code == 404
