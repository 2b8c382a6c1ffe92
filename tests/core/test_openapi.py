"""The OpenAPI document and the interactive API page, whose assets are all served locally."""
import re

ISSUE_2_OPERATIONS = {
    "/api/v1/auth/tokens": {"post"},
    "/api/v1/auth/tokens/current": {"delete"},
    "/api/v1/me": {"get"},
    "/api/v1/enterprises": {"post"},
    "/api/v1/enterprises/confirmations": {"post"},
    "/api/v1/complaints": {"get", "post"},
    "/api/v1/complaints/{complaint_id}": {"get", "patch"},
    "/api/v1/complaints/{complaint_id}/submit": {"post"},
    "/api/v1/complaints/{complaint_id}/withdraw": {"post"},
    "/api/v1/complaints/{complaint_id}/timeline": {"get"},
    "/api/v1/complaints/{complaint_id}/evidence": {"get", "post"},
    "/api/v1/complaints/{complaint_id}/evidence/{evidence_id}": {"get"},
}


def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_openapi_lists_every_operation_of_issue_2(client):
    paths = spec(client)["paths"]
    for path, methods in ISSUE_2_OPERATIONS.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))


def test_openapi_declares_bearer_auth_and_public_operations(client):
    document = spec(client)
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearerAuth": []}]
    # signing in and registering need no token
    assert document["paths"]["/api/v1/auth/tokens"]["post"]["security"] == []
    assert document["paths"]["/api/v1/enterprises"]["post"]["security"] == []
    assert document["paths"]["/api/v1/enterprises/confirmations"]["post"]["security"] == []


def test_openapi_documents_the_registration_fields(client):
    document = spec(client)
    schemas = document["components"]["schemas"]
    registration = next(s for name, s in schemas.items() if name.startswith("EnterpriseRegistration"))
    assert {"name", "credit_code", "district", "contact_person", "phone", "email", "password"} <= set(
        registration["properties"])
    assert {"name", "credit_code", "password"} <= set(registration["required"])


def test_openapi_needs_no_sign_in(client):
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_docs_page_uses_only_local_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    references = re.findall(r'\b(?:src|href)="([^"]*)"', html)
    assert any(ref.endswith(".js") for ref in references)
    for ref in references:
        assert not re.match(r"(?i)^(https?:)?//", ref), ref
    assert "<script>" not in html  # no inline script: every script has a src


def test_docs_page_assets_are_served(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    for ref in re.findall(r'\b(?:src|href)="(/static/[^"]*)"', html):
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        assert asset.content_length or asset.get_data()
        asset.close()


def test_docs_page_points_at_the_local_spec(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert 'data-spec-url="/api/v1/openapi.json"' in html


def test_docs_script_switches_off_the_remote_validator_badge(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    scripts = [ref for ref in re.findall(r'<script src="([^"]+)"', html) if "vendor" not in ref]
    starter = "".join(client.get(ref).get_data(as_text=True) for ref in scripts)
    assert "validatorUrl: null" in starter
