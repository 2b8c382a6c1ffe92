"""Bad input: a field-level error for each bad value, and nothing half-written (no row, no change)."""
import datetime as dt
import re

import pytest
import time_machine

from intake.models import Complaint, ComplaintEvent, Infringer
from tests.conftest import VALID_CODES
from tests.evidence.support import count, new_draft, read

WRONG_CHECK_DIGIT = VALID_CODES[0][:-1] + ("X" if VALID_CODES[0][-1] != "X" else "Y")


@pytest.fixture
def api(api_login, create_user, rights_centre):
    return api_login(create_user())


def create_refused(app, api, payload, field):
    """POST the payload as a new draft: 422 naming ``field``, and no row of any kind written."""
    response = api.post("/api/v1/complaints", json=payload)
    assert response.status_code == 422, (payload, response.get_json())
    assert field in response.get_json()["errors"], (payload, response.get_json())
    assert count(app, Complaint) == count(app, ComplaintEvent) == count(app, Infringer) == 0
    return response.get_json()["errors"]


def patch_refused(api, draft_id, payload, field):
    """PATCH the payload onto a draft: 422 naming ``field``, and the draft exactly as before."""
    before = read(api, draft_id)
    response = api.patch(f"/api/v1/complaints/{draft_id}", json=payload)
    assert response.status_code == 422, (payload, response.get_json())
    assert field in response.get_json()["errors"], (payload, response.get_json())
    assert read(api, draft_id) == before
    return response.get_json()["errors"]


# --- amounts ---------------------------------------------------------------------------------------

# Input sweeps loop inside one test: each value is a request, not a new app and database.
BAD_AMOUNTS = [-1, "-0.01", "abc", "1,000", "", True, False, "NaN", "Infinity", "1e400", [], {}]


def test_every_bad_amount_is_refused_on_create(app, api):
    for amount in BAD_AMOUNTS:
        create_refused(app, api, {"estimated_loss": amount, "facts": "f"}, "estimated_loss")


def test_a_bad_amount_is_refused_on_patch_and_the_draft_is_unchanged(api, complete_draft):
    draft = new_draft(api, complete_draft)
    for amount in (-5, "abc", True):
        patch_refused(api, draft["id"], {"estimated_illegal_gains": amount, "facts": "changed"},
                      "estimated_illegal_gains")


def test_a_negative_amount_error_says_so(app, api):
    errors = create_refused(app, api, {"estimated_loss": "-100"}, "estimated_loss")
    assert errors["estimated_loss"] == ["The amount cannot be negative."]


def test_an_absurdly_large_amount_is_refused(app, api):
    create_refused(app, api, {"estimated_loss": "10000000000000"}, "estimated_loss")


def test_a_json_number_with_a_fraction_is_kept_exact(api):
    raw = '{"estimated_loss": 1200000.10, "estimated_illegal_gains": 9999999999999.99}'
    response = api.client.post("/api/v1/complaints", data=raw, content_type="application/json",
                               headers=api.headers())

    assert response.status_code == 201, response.get_json()
    stored = read(api, response.get_json()["id"])
    assert stored["estimated_loss"] == "1200000.10"
    assert stored["estimated_illegal_gains"] == "9999999999999.99"


def test_zero_is_stored_without_a_sign(api):
    for zero in ("-0", "-0.00", 0, "0"):
        draft = new_draft(api, {"estimated_loss": zero})
        assert read(api, draft["id"])["estimated_loss"] == "0.00", zero


def test_a_decimal_string_is_kept_exact(api):
    draft = new_draft(api, {"estimated_loss": "0.30"})

    assert read(api, draft["id"])["estimated_loss"] == "0.30"


# --- unknown fields (no mass assignment) -----------------------------------------------------------

SOMEONE = "00000000-0000-0000-0000-000000000001"
NOT_WRITABLE = {"state": "accepted", "reference": "SM-2026-999999", "enterprise_id": SOMEONE, "centre_id": SOMEONE,
                "created_by_id": SOMEONE, "version": 7, "withdrawal_reason": "x", "submitted_at": "2026-01-01T00:00:00Z",
                "id": SOMEONE}


def test_an_unknown_field_is_refused_on_create(app, api):
    for field, value in NOT_WRITABLE.items():
        create_refused(app, api, {"facts": "f", field: value}, field)


def test_an_unknown_field_is_refused_on_patch_and_the_draft_is_unchanged(api, complete_draft):
    draft = new_draft(api, complete_draft)
    for field, value in NOT_WRITABLE.items():
        errors = patch_refused(api, draft["id"], {"facts": "changed", field: value}, field)
        assert errors == {field: ["Unknown field."]}


def test_an_unknown_field_inside_an_infringer_is_refused(app, api):
    create_refused(app, api, {"infringers": [{"kind": "competitor", "name": "A", "complaint_id": "x"}]},
                   "infringers.0.complaint_id")


# --- infringers ------------------------------------------------------------------------------------

def test_an_infringer_credit_code_with_a_wrong_check_digit_is_refused(app, api):
    create_refused(app, api, {"infringers": [{"kind": "competitor", "name": "A", "credit_code": WRONG_CHECK_DIGIT}]},
                   "infringers.0.credit_code")


def test_a_credit_code_of_the_wrong_length_is_refused(app, api):
    create_refused(app, api, {"infringers": [{"kind": "competitor", "name": "A", "credit_code": "9131"}]},
                   "infringers.0.credit_code")


def test_a_natural_person_cannot_have_a_credit_code(app, api):
    for kind in ("former_employee", "current_employee"):
        errors = create_refused(app, api, {"infringers": [{"kind": kind, "name": "李某",
                                                           "credit_code": VALID_CODES[1]}]},
                                "infringers.0.credit_code")
        assert errors["infringers.0.credit_code"] == ["A credit code applies only to an organisation."]


def test_an_organisation_infringer_keeps_a_valid_credit_code(api):
    draft = new_draft(api, {"infringers": [{"kind": "competitor", "name": "A", "credit_code": VALID_CODES[1]}]})

    assert read(api, draft["id"])["infringers"][0]["credit_code"] == VALID_CODES[1]


def test_an_infringer_without_a_kind_is_refused(app, api):
    create_refused(app, api, {"infringers": [{"name": "A"}]}, "infringers.0.kind")


# --- dates and tracks ------------------------------------------------------------------------------

def test_a_discovery_date_in_the_future_is_refused(app, api):
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date().isoformat()
    errors = create_refused(app, api, {"discovered_on": tomorrow}, "discovered_on")
    assert errors["discovered_on"] == ["The date of discovery cannot be in the future."]


def test_today_in_shanghai_is_not_the_future_even_when_utc_is_still_yesterday(app, create_user, api_login,
                                                                              rights_centre):
    with time_machine.travel(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC), tick=False):
        api = api_login(create_user())
        assert api.post("/api/v1/complaints", json={"discovered_on": "2027-01-01"}).status_code == 201
        response = api.post("/api/v1/complaints", json={"discovered_on": "2027-01-02"})
        assert response.status_code == 422 and "discovered_on" in response.get_json()["errors"]
        assert count(app, Complaint) == 1


def test_a_malformed_date_is_refused(app, api):
    create_refused(app, api, {"discovered_on": "15/09/2026"}, "discovered_on")


def test_centre_decides_cannot_be_combined_with_a_track(app, api):
    for tracks in (["centre_decides", "civil"], ["criminal", "centre_decides"]):
        create_refused(app, api, {"preferred_tracks": tracks}, "preferred_tracks")


def test_centre_decides_alone_is_accepted(api):
    draft = new_draft(api, {"preferred_tracks": ["centre_decides"]})

    assert read(api, draft["id"])["preferred_tracks"] == ["centre_decides"]


# --- enumerations ----------------------------------------------------------------------------------

INVALID_VALUES = [
    ({"secret_category": "military"}, "secret_category"),
    ({"infringing_acts": ["theft", "stealing"]}, "infringing_acts.1"),
    ({"remedies": ["revenge"]}, "remedies.0"),
    ({"preferred_tracks": ["military"]}, "preferred_tracks.0"),
    ({"infringers": [{"kind": "alien"}]}, "infringers.0.kind"),
    ({"infringers": [{"kind": "competitor", "district": "atlantis"}]}, "infringers.0.district"),
    ({"infringing_acts": "theft"}, "infringing_acts"),  # a list, not a string
    ({"infringers": [{"kind": "competitor", "penalty_decided_on": "2025-02-30"}]}, "infringers.0.penalty_decided_on"),
    ({"contact_email": "not-an-address"}, "contact_email"),
    ({"contact_phone": "call me"}, "contact_phone"),
]


def test_every_invalid_value_is_refused_with_its_field(app, api):
    for payload, field in INVALID_VALUES:
        create_refused(app, api, payload, field)


def test_every_bad_field_is_reported_at_once(app, api):
    errors = create_refused(app, api, {
        "estimated_loss": "-1", "estimated_illegal_gains": "abc", "secret_category": "x", "state": "accepted",
        "infringers": [{"kind": "former_employee", "credit_code": VALID_CODES[0]}]}, "state")

    assert set(errors) == {"estimated_loss", "estimated_illegal_gains", "secret_category", "state",
                           "infringers.0.credit_code"}


def test_a_body_that_is_not_json_is_refused(app, api):
    response = api.client.post("/api/v1/complaints", data="{not json", content_type="application/json",
                               headers=api.headers())

    assert response.status_code in (400, 422)
    assert count(app, Complaint) == 0


def test_errors_follow_accept_language(app, api):
    api.language = "zh"
    response = api.post("/api/v1/complaints", json={"estimated_loss": "-1"})

    assert response.status_code == 422
    [message] = response.get_json()["errors"]["estimated_loss"]
    assert re.search(r"[\u4e00-\u9fff]", message), message  # Chinese


def test_errors_are_english_when_asked(app, api):
    response = api.post("/api/v1/complaints", json={"estimated_loss": "-1"})

    assert response.get_json()["errors"]["estimated_loss"] == ["The amount cannot be negative."]


def test_amounts_with_more_than_two_decimals_are_refused_not_rounded(api_login, create_user):
    api = api_login(create_user("enterprise_user"))
    for amount in ("0.015", "1200000.001", 0.001):
        response = api.post("/api/v1/complaints", json={"estimated_loss": amount})
        assert response.status_code == 422 and "estimated_loss" in response.get_json()["errors"], amount
    assert api.post("/api/v1/complaints", json={"estimated_loss": "1200000.10"}).get_json()["estimated_loss"] \
        == "1200000.10"
