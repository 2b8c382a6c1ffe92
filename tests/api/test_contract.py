"""The OpenAPI document says what the API does (core/openapi.py): names, errors, statuses, types and labels."""
import re

import pytest
from flask.views import MethodView

from core.http import versioned_change, versioned_read
from core.openapi import complete_operation, snake

ERROR_REF = "#/components/schemas/Error"


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if method != "parameters":
                yield path, method, operation, methods.get("parameters", [])


def resolve(document, node):
    while isinstance(node, dict) and "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        node = document["components"][kind][name]
    return node


def test_every_operation_has_a_stable_snake_case_operation_id(document, app):
    ids = [operation["operationId"] for _path, _method, operation, _p in operations(document)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"(get|post|put|patch|delete)_[a-z0-9_]+", i) for i in ids), ids
    paths = document["paths"]
    assert paths["/api/v1/referrals/{referral_id}"]["get"]["operationId"] == "get_referral_item"
    assert paths["/api/v1/referrals/{referral_id}/transitions"]["post"]["operationId"] == "post_referral_transitions"
    assert paths["/api/v1/complaints"]["post"]["operationId"] == "post_complaints"


def test_snake_names_of_view_classes():
    assert snake("ReferralItem") == "referral_item"
    assert snake("LetterPdf") == "letter_pdf"
    assert snake("Me") == "me"


def test_one_error_schema_with_the_bodies_shape(document):
    error = document["components"]["schemas"]["Error"]
    properties = error["properties"]
    assert properties["status"]["type"] == "integer"
    assert properties["code"]["type"] == "string"
    assert properties["message"]["type"] == "string"
    assert set(error["required"]) == {"status", "code", "message"}
    assert properties["errors"]["additionalProperties"]["type"] == "array"
    assert {"allowed_triggers", "state", "trigger"} <= set(properties)


def test_every_error_answer_uses_the_error_schema_and_there_is_no_catch_all(document):
    for path, method, operation, _p in operations(document):
        assert "default" not in operation["responses"], (method, path)
        for code, response in operation["responses"].items():
            if int(code) >= 400:
                content = resolve(document, response)["content"]
                assert content == {"application/json": {"schema": {"$ref": ERROR_REF}}}, (method, path, code)


def test_each_operation_documents_the_statuses_it_can_answer(document):
    for path, method, operation, _p in operations(document):
        statuses = set(operation["responses"])
        where = (method, path)
        assert "429" in statuses, where
        if operation.get("security") != []:
            assert {"401", "403"} <= statuses, where
        if "{" in path:
            assert "404" in statuses, where
        if "requestBody" in operation:
            assert {"400", "413", "415", "422"} <= statuses, where
        if method in ("post", "put", "patch"):
            assert "409" in statuses, where
        if any(p.get("in") == "query" for p in operation.get("parameters", [])):
            assert "422" in statuses, where
        assert any(s.startswith("2") for s in statuses), where
    paths = document["paths"]
    assert "409" in paths["/api/v1/complaints/{complaint_id}"]["patch"]["responses"]
    assert "409" in paths["/api/v1/complaints/{complaint_id}/submit"]["post"]["responses"]
    assert "409" in paths["/api/v1/complaints/{complaint_id}/referrals"]["post"]["responses"]
    too_many = document["components"]["responses"]["TooManyRequests"]
    assert "Retry-After" in too_many["headers"]


def test_every_post_takes_an_idempotency_key(document):
    key = document["components"]["parameters"]["IdempotencyKey"]
    assert key["in"] == "header" and key["name"] == "Idempotency-Key" and key["schema"]["maxLength"] == 200
    for path, method, operation, _p in operations(document):
        if method == "post":
            assert {"$ref": "#/components/parameters/IdempotencyKey"} in operation["parameters"], path


def test_versioned_views_are_documented_with_if_match_etag_412_and_428():
    class Thing(MethodView):
        @versioned_read
        def get(self):
            pass

        @versioned_change
        def patch(self):
            pass

    read = {"responses": {"200": {"description": "OK"}}}
    complete_operation(read, "get", "/api/v1/things/{thing_id}", Thing.get, "ThingItem")
    assert read["responses"]["200"]["headers"]["ETag"] == {"$ref": "#/components/headers/ETag"}
    assert "IfMatch" not in read.get("parameters", [])
    change = {"responses": {"200": {"description": "OK"}}, "requestBody": {}}
    complete_operation(change, "patch", "/api/v1/things/{thing_id}", Thing.patch, "ThingItem")
    assert change["operationId"] == "patch_thing_item"
    assert {"409", "412", "428"} <= set(change["responses"])
    assert "IfMatch" in change["parameters"]
    assert change["responses"]["200"]["headers"]["ETag"]


def typeless(document):
    """Every property of every schema that says nothing of its type (a bare {})."""
    found = []

    def walk(name, node, where):
        if not isinstance(node, dict):
            return
        for key, prop in node.get("properties", {}).items():
            if not any(k in prop for k in ("type", "$ref", "allOf", "oneOf", "anyOf")):
                found.append(f"{name}.{where}{key}")
            walk(name, prop, f"{where}{key}.")
        if isinstance(node.get("items"), dict):
            walk(name, node["items"], f"{where}[].")

    for name, schema in document["components"]["schemas"].items():
        walk(name, schema, "")
    return found


def test_every_answer_has_a_schema(document):
    assert typeless(document) == []
    for path, method, operation, _p in operations(document):
        for code, response in operation["responses"].items():
            if code.startswith("2") and code != "204":
                assert resolve(document, response).get("content"), (method, path, code)
    schemas = document["components"]["schemas"]
    referral = schemas["Referral"]["properties"]
    assert referral["complaint"] == {"$ref": "#/components/schemas/ReferralComplaint"}
    assert referral["agency"] == {"$ref": "#/components/schemas/OrganisationRef"}
    assert referral["allowed_triggers"]["items"]["enum"]
    assert schemas["TimelineEvent"]["properties"]["actor"]["type"] == "string"
    suggestion = document["paths"]["/api/v1/complaints/{complaint_id}/routing-suggestion"]["get"]
    assert suggestion["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RoutingSuggestion"}


def test_decimals_are_documented_as_strings_with_a_pattern(document, api_login, create_user, complete_draft):
    loss = document["components"]["schemas"]["Complaint"]["properties"]["estimated_loss"]
    assert loss["type"] == "string" and "format" not in loss
    api = api_login(create_user())
    complaint = api.post("/api/v1/complaints", json=complete_draft).get_json()
    assert re.fullmatch(loss["pattern"], complaint["estimated_loss"])


def test_coded_fields_have_their_enum_and_labels(document):
    schemas = document["components"]["schemas"]
    state = schemas["Referral"]["properties"]["state"]
    assert "acknowledged" in state["enum"]
    assert state["x-labels"]["acknowledged"]["zh"] and state["x-labels"]["acknowledged"]["en"] == "Acknowledged"
    triggers = schemas["Referral"]["properties"]["allowed_triggers"]["items"]
    assert set(triggers["x-labels"]) == set(triggers["enum"])
    complaint_state = schemas["Complaint"]["properties"]["state"]
    assert complaint_state["x-labels"]["draft"] == {"zh": "草稿", "en": "Draft"}


def test_labels_are_served_without_sign_in_and_agree_with_the_document(client, document):
    response = client.get("/api/v1/labels")
    assert response.status_code == 200
    enumerations = response.get_json()["enumerations"]
    for name in ("ComplaintState", "ReferralState", "ReferralTrigger", "ConsultationTrigger", "ComplaintTrigger",
                 "OrgKind", "District", "Track", "ReturnReason", "RejectReason", "EventKind"):
        assert name in enumerations, name
        assert all(set(label) == {"zh", "en"} for label in enumerations[name].values()), name
    state = document["components"]["schemas"]["Referral"]["properties"]["state"]
    assert {k: v for k, v in enumerations["ReferralState"].items()} == state["x-labels"]
    assert document["paths"]["/api/v1/labels"]["get"]["security"] == []


def test_an_error_answer_has_the_documented_shape(client, anonymous_api, api_login, create_user):
    body = client.get("/api/v1/me").get_json()
    assert isinstance(body["status"], int) and body["status"] == 401 and isinstance(body["code"], str)
    api = api_login(create_user())
    missing = api.get("/api/v1/complaints/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert missing.get_json()["code"] == "not_found"
