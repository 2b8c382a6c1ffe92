"""The enterprise's whole journey over the API: register, token, draft, evidence, submit, follow."""
import re

from tests.accounts.registration import register_over_api
from tests.conftest import pdf_file
from tests.paging import every


def test_register_draft_upload_submit_follow(app, client, anonymous_api, api_login, rights_centre, complete_draft):
    registration = {
        "name": "上海澄川智能科技有限公司", "credit_code": "91310115ma1h7gq5xy", "district": "pudong",
        "contact_person": "王敏", "phone": "13800000001", "email": "Legal@Chengchuan.example",
        "password": "a-long-password",
    }
    response = register_over_api(app, client, registration)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["organisation"]["credit_code"] == "91310115MA1H7GQ5XY"

    api = api_login({"email": "legal@chengchuan.example", "password": "a-long-password"})
    draft = api.post("/api/v1/complaints", json={"secret_category": "technical"})
    assert draft.status_code == 201, draft.get_json()
    complaint = draft.get_json()
    assert complaint["state"] == "draft" and complaint["reference"] is None
    assert complaint["contact_name"] == "王敏"  # defaults from the enterprise

    updated = api.patch(f"/api/v1/complaints/{complaint['id']}", json=complete_draft)
    assert updated.status_code == 200, updated.get_json()
    assert updated.get_json()["estimated_loss"] == "1200000.00"

    body, name = pdf_file(size=100_000)
    content = body.getvalue()
    upload = api.client.post(f"/api/v1/complaints/{complaint['id']}/evidence", headers=api.headers(),
                             data={"file": (body, name)}, content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()
    evidence = upload.get_json()[0]
    assert evidence["size"] == 100_000

    submitted = api.post(f"/api/v1/complaints/{complaint['id']}/submit")
    assert submitted.status_code == 200, submitted.get_json()
    assert re.fullmatch(r"SM-\d{4}-000001", submitted.get_json()["reference"])
    assert submitted.get_json()["state"] == "submitted"

    listing = api.get("/api/v1/complaints").get_json()
    assert [c["reference"] for c in listing["items"]] == [submitted.get_json()["reference"]]

    timeline = every(api, f"/api/v1/complaints/{complaint['id']}/timeline")
    assert [e["kind"] for e in timeline] == ["created", "edited", "evidence_added", "transition"]
    assert timeline[-1]["trigger"] == "submit" and timeline[-1]["to_state"] == "submitted"

    download = api.get(f"/api/v1/complaints/{complaint['id']}/evidence/{evidence['id']}")
    assert download.status_code == 200
    assert download.data == content and len(content) == 100_000
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
