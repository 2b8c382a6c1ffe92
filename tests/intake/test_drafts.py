"""Drafts: saved incomplete, patched field by field; submission checks completeness all at once."""
import re

import pytest

from intake.models import Complaint, ComplaintEvent, ReferenceCounter
from tests.evidence.support import count, new_draft, read, timeline

LEGAL_ELEMENTS = {"secret_description", "confidentiality_measures", "commercial_value"}


@pytest.fixture
def api(api_login, create_user, rights_centre):
    return api_login(create_user())


def test_an_empty_draft_is_saved(api):
    draft = new_draft(api)

    assert draft["state"] == "draft" and draft["reference"] is None
    assert draft["secret_description"] is None and draft["infringers"] == [] and draft["remedies"] == []


def test_an_incomplete_draft_keeps_what_was_sent(api):
    draft = new_draft(api, {"secret_category": "business", "secret_description": "客户名单及报价策略"})

    stored = read(api, draft["id"])
    assert stored["secret_category"] == "business"
    assert stored["secret_description"] == "客户名单及报价策略"
    assert stored["commercial_value"] is None and stored["state"] == "draft"


def test_patch_changes_only_the_fields_sent(api, complete_draft):
    draft = new_draft(api, complete_draft)

    response = api.patch(f"/api/v1/complaints/{draft['id']}", json={"facts": "新的事实陈述"})

    assert response.status_code == 200, response.get_json()
    after = read(api, draft["id"])
    assert after["facts"] == "新的事实陈述"
    unchanged = {k: v for k, v in draft.items() if k not in ("facts", "version", "updated_at")}
    assert {k: after[k] for k in unchanged} == unchanged
    assert timeline(api, draft["id"])[-1]["payload"] == {"fields": ["facts"]}


def test_patch_with_infringers_replaces_the_whole_list(api, complete_draft):
    draft = new_draft(api, complete_draft)

    api.patch(f"/api/v1/complaints/{draft['id']}", json={"infringers": [{"kind": "unknown"}]})

    assert read(api, draft["id"])["infringers"] == [
        {"kind": "unknown", "name": None, "credit_code": None, "district": None, "penalty_decision_number": None,
         "penalty_authority": None, "penalty_decided_on": None}]


def test_patch_can_clear_a_field_with_null(api, complete_draft):
    draft = new_draft(api, complete_draft)

    api.patch(f"/api/v1/complaints/{draft['id']}", json={"estimated_loss": None})

    assert read(api, draft["id"])["estimated_loss"] is None


def test_submitting_an_incomplete_draft_names_every_missing_field_at_once(api):
    draft = new_draft(api)  # the contact defaults to the enterprise's

    response = api.post(f"/api/v1/complaints/{draft['id']}/submit")

    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == LEGAL_ELEMENTS | {
        "secret_category", "infringers", "infringing_acts", "discovered_on", "remedies", "preferred_tracks", "facts"}


def test_a_draft_missing_only_the_legal_elements_is_told_exactly_those(api, complete_draft):
    for field in LEGAL_ELEMENTS:
        complete_draft[field] = "   "  # blank counts as missing
    draft = new_draft(api, complete_draft)

    response = api.post(f"/api/v1/complaints/{draft['id']}/submit")

    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == LEGAL_ELEMENTS


def test_a_named_infringer_kind_needs_a_name_but_unknown_does_not(api, complete_draft):
    complete_draft["infringers"] = [{"kind": "unknown"}, {"kind": "competitor", "district": "minhang"}]
    draft = new_draft(api, complete_draft)

    response = api.post(f"/api/v1/complaints/{draft['id']}/submit")

    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"infringers.1.name"}


def test_a_refused_submission_changes_nothing_and_consumes_no_number(app, api, complete_draft):
    draft = new_draft(api, {"secret_category": "technical"})
    before = read(api, draft["id"])
    events_before = count(app, ComplaintEvent)

    assert api.post(f"/api/v1/complaints/{draft['id']}/submit").status_code == 422

    assert read(api, draft["id"]) == before  # still a draft, no reference, same version
    assert count(app, ComplaintEvent) == events_before
    assert count(app, ReferenceCounter) == 0
    assert count(app, Complaint, Complaint.reference.is_not(None)) == 0
    api.patch(f"/api/v1/complaints/{draft['id']}", json=complete_draft)
    done = api.post(f"/api/v1/complaints/{draft['id']}/submit").get_json()
    assert re.fullmatch(r"SM-\d{4}-000001", done["reference"])
