"""Issue 8, point 11: the penalty window is computed, not asked.

The lower criminal threshold (100,000 RMB, 法释〔2025〕5号) applies when an infringer received an
administrative penalty for trade-secret infringement within the two years before the infringement. The
enterprise records the decision (number, authority, date) per infringer; routing.rules computes the window
from the decision date and the date of the infringement (its discovery) and names the decision.
"""
import datetime as dt
import decimal
import uuid

import pytest

from tests.accounts.web import csrf_token
from tests.agencies.web import Browser, field_errors
from tests.core.test_migrations import empty_database_url  # noqa: F401 (a fixture)
from tests.routing.conftest import world  # noqa: F401 (the fixture)
from tests.routing.support import CUSTOMER_LIST, example, ok, submit

D = dt.date
NUMBER, AUTHORITY = "沪市监处〔2024〕9号", "上海市市场监督管理局"


# --- the window itself -----------------------------------------------------------------------------

WINDOW_CASES = [
    # decision date, infringement (discovery) date, within the two years
    (D(2024, 10, 20), D(2026, 10, 20), True),   # the last day of the two years
    (D(2024, 10, 20), D(2026, 10, 21), False),  # the day after
    (D(2024, 10, 21), D(2026, 10, 20), True),
    (D(2024, 10, 19), D(2026, 10, 20), False),
    (D(2026, 10, 20), D(2026, 10, 20), True),   # decided on the day of the infringement
    (D(2026, 10, 21), D(2026, 10, 20), False),  # decided after it: not an earlier penalty
    # 29 February: the two years end on 28 February (Civil Code art. 202, no corresponding day)
    (D(2024, 2, 29), D(2026, 2, 28), True),
    (D(2024, 2, 29), D(2026, 3, 1), False),
    (D(2024, 2, 28), D(2026, 2, 28), True),
    (D(2024, 3, 1), D(2026, 2, 28), True),
    (D(2024, 3, 1), D(2026, 3, 2), False),
    # an infringement on 29 February: a decision of 28 February two years before has run out the day before
    (D(2026, 2, 28), D(2028, 2, 29), False),
    (D(2026, 3, 1), D(2028, 2, 29), True),
    (D(2026, 2, 28), D(2028, 2, 28), True),
    # from one leap day to the next (four years) is outside
    (D(2024, 2, 29), D(2028, 2, 29), False),
]


@pytest.mark.parametrize("decided_on, infringement_on, within", WINDOW_CASES)
def test_the_window_is_two_years_from_the_decision_to_the_infringement(decided_on, infringement_on, within):
    from routing.rules import penalty_within_window

    assert penalty_within_window(decided_on, infringement_on) is within


def test_the_window_ends_on_the_corresponding_day_or_the_end_of_february():
    from routing.rules import penalty_window_end

    assert penalty_window_end(D(2024, 2, 29)) == D(2026, 2, 28)
    assert penalty_window_end(D(2026, 2, 28)) == D(2028, 2, 28)
    assert penalty_window_end(D(2025, 12, 31)) == D(2027, 12, 31)
    assert penalty_window_end(D(2022, 2, 28)) == D(2024, 2, 28)  # not the 29th of a leap year


# --- the rule, at the service level ----------------------------------------------------------------

def _complaint(decided_on, discovered_on, loss="150000.00", **penalty):
    from intake.enums import InfringerKind
    from intake.models import Complaint, Infringer

    infringer = Infringer(position=0, kind=InfringerKind.competitor, name="上海鲜达供应链管理有限公司",
                          penalty_decision_number=penalty.get("number", NUMBER if decided_on else None),
                          penalty_authority=penalty.get("authority", AUTHORITY if decided_on else None),
                          penalty_decided_on=decided_on)
    return Complaint(discovered_on=discovered_on, estimated_loss=decimal.Decimal(loss), remedies=["administrative_investigation"],
                     infringing_acts=["breach_of_confidentiality_duty"], preferred_tracks=["centre_decides"],
                     infringers=[Infringer(position=1, kind=InfringerKind.former_employee, name="赵某"), infringer])


def _criminal_reasons(suggestion):
    return [r for s in suggestion["suggestions"] if s["track"] == "criminal" for r in s["reasons"]]


def test_the_rule_lowers_the_threshold_inside_the_window_and_names_the_decision(app):
    from routing import rules

    with app.test_request_context():
        inside = rules.suggest(_complaint(D(2024, 10, 20), D(2026, 10, 20)))
        outside = rules.suggest(_complaint(D(2024, 10, 20), D(2026, 10, 21)))
        leap_inside = rules.suggest(_complaint(D(2024, 2, 29), D(2026, 2, 28)))
        leap_outside = rules.suggest(_complaint(D(2024, 2, 29), D(2026, 3, 1)))
        none = rules.suggest(_complaint(None, D(2026, 10, 20)))

    assert inside["facts"]["threshold"] == "100000"
    [reason] = _criminal_reasons(inside)
    assert reason["rule"] == "criminal_amount"
    for part in (NUMBER, AUTHORITY, "2024-10-20", "2026-10-20", "上海鲜达供应链管理有限公司"):
        assert part in reason["explanation"], (part, reason["explanation"])
    assert inside["facts"]["prior_penalties"] == [{
        "infringer": "上海鲜达供应链管理有限公司", "decision_number": NUMBER, "authority": AUTHORITY,
        "decided_on": "2024-10-20", "window_ends_on": "2026-10-20"}]

    assert leap_inside["facts"]["threshold"] == "100000" and _criminal_reasons(leap_inside)
    assert "2026-02-28" in _criminal_reasons(leap_inside)[0]["explanation"]
    for other in (outside, leap_outside, none):
        assert other["facts"]["threshold"] == "300000"
        assert other["facts"]["prior_penalties"] == []
        assert _criminal_reasons(other) == []


def test_the_ordinary_explanation_when_the_amount_alone_reaches_the_threshold(app):
    from routing import rules

    with app.test_request_context():
        suggestion = rules.suggest(_complaint(D(2020, 1, 1), D(2026, 10, 20), loss="500000.00"))
    [reason] = _criminal_reasons(suggestion)
    assert "300,000" in reason["explanation"] and NUMBER not in reason["explanation"]


def test_the_services_refuse_a_decision_after_the_infringement_on_its_field(app, create_user):
    from accounts.models import User
    from core.errors import ValidationFailed
    from core.extensions import db
    from intake import services

    user = create_user()
    penalty = {"kind": "competitor", "name": "甲公司", "penalty_decision_number": NUMBER,
               "penalty_authority": AUTHORITY, "penalty_decided_on": D(2026, 5, 2)}
    with app.test_request_context():
        actor = db.session.get(User, user["id"])
        with pytest.raises(ValidationFailed) as refused:
            services.create_draft(actor, {"discovered_on": D(2026, 5, 1), "infringers": [penalty]})
        assert list(refused.value.errors) == ["infringers.0.penalty_decided_on"]
        db.session.rollback()
        actor = db.session.get(User, user["id"])
        draft = services.create_draft(actor, {"discovered_on": D(2026, 5, 2), "infringers": [penalty]})
        # a change of the other date alone is checked against the stored decision
        with pytest.raises(ValidationFailed) as refused:
            services.update_draft(actor, draft, {"discovered_on": D(2026, 4, 30)})
        assert list(refused.value.errors) == ["infringers.0.penalty_decided_on"]


# --- through the API -------------------------------------------------------------------------------

def _with_penalty(decided_on, discovered_on="2026-10-20", **changes):
    data = example(CUSTOMER_LIST, discovered_on=discovered_on, estimated_loss="150000.00", **changes)
    data["infringers"][1].update(penalty_decision_number=NUMBER, penalty_authority=AUTHORITY,
                                 penalty_decided_on=decided_on)
    return data


def _suggestion(world, data):
    complaint = submit(world, data, files=0)
    return complaint, ok(world.api("clerk").get(f"/api/v1/complaints/{complaint['id']}/routing-suggestion"))


def test_the_api_records_the_decision_and_the_suggestion_computes_the_window(world):
    complaint, inside = _suggestion(world, _with_penalty("2024-10-20"))
    assert complaint["infringers"][1]["penalty_decision_number"] == NUMBER
    assert complaint["infringers"][1]["penalty_authority"] == AUTHORITY
    assert complaint["infringers"][1]["penalty_decided_on"] == "2024-10-20"
    assert "prior_admin_penalty" not in complaint
    assert inside["facts"]["threshold"] == "100000"
    [reason] = _criminal_reasons(inside)
    assert NUMBER in reason["explanation"] and AUTHORITY in reason["explanation"]
    assert "2024-10-20" in reason["explanation"]

    _complaint2, outside = _suggestion(world, _with_penalty("2024-10-19"))
    assert outside["facts"]["threshold"] == "300000" and _criminal_reasons(outside) == []

    _complaint3, leap = _suggestion(world, _with_penalty("2024-02-29", discovered_on="2026-02-28"))
    assert leap["facts"]["threshold"] == "100000"
    _complaint4, leap_after = _suggestion(world, _with_penalty("2024-02-29", discovered_on="2026-03-01"))
    assert leap_after["facts"]["threshold"] == "300000"


def _errors(response):
    assert response.status_code == 422, (response.status_code, response.get_json())
    return response.get_json()["errors"]


def test_the_api_refuses_a_future_or_later_decision_with_a_field_error(world):
    api = world.api("enterprise")
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    errors = _errors(api.post("/api/v1/complaints", json=_with_penalty(future, discovered_on="2026-10-20")))
    assert list(errors) == ["infringers.1.penalty_decided_on"]
    assert "future" in errors["infringers.1.penalty_decided_on"][0]

    errors = _errors(api.post("/api/v1/complaints", json=_with_penalty("2026-10-21", discovered_on="2026-10-20")))
    assert list(errors) == ["infringers.1.penalty_decided_on"]
    assert "2026-10-20" in errors["infringers.1.penalty_decided_on"][0]

    # stored, then the discovery date moved before the decision: refused, nothing changed
    draft = ok(api.post("/api/v1/complaints", json=_with_penalty("2026-10-20", discovered_on="2026-10-20")), 201)
    errors = _errors(api.patch(f"/api/v1/complaints/{draft['id']}", json={"discovered_on": "2026-10-19"}))
    assert list(errors) == ["infringers.1.penalty_decided_on"]
    assert ok(api.get(f"/api/v1/complaints/{draft['id']}"))["discovered_on"] == "2026-10-20"


def test_the_api_wants_the_whole_decision_and_bounds_its_texts(world):
    api = world.api("enterprise")
    data = example(CUSTOMER_LIST)
    data["infringers"][1].update(penalty_decided_on="2025-01-01")
    errors = _errors(api.post("/api/v1/complaints", json=data))
    assert sorted(errors) == ["infringers.1.penalty_authority", "infringers.1.penalty_decision_number"]

    too_long = _with_penalty("2025-01-01")
    too_long["infringers"][1].update(penalty_decision_number="号" * 101, penalty_authority="局" * 201)
    errors = _errors(api.post("/api/v1/complaints", json=too_long))
    assert sorted(errors) == ["infringers.1.penalty_authority", "infringers.1.penalty_decision_number"]

    # the old yes/no is gone: an unknown field
    errors = _errors(api.post("/api/v1/complaints", json={"prior_admin_penalty": True}))
    assert list(errors) == ["prior_admin_penalty"]


RULE_FACTS = ("discovered_on", "estimated_loss", "estimated_illegal_gains", "holder_bankrupt_or_closed", "remedies",
              "infringing_acts", "preferred_tracks", "infringers")
INFRINGER_FACTS = ("district", "credit_code", "penalty_decision_number", "penalty_authority", "penalty_decided_on")


def _schema(spec, ref_or_schema):
    ref = ref_or_schema.get("$ref") or (ref_or_schema.get("items") or {}).get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else ref_or_schema


def test_the_api_document_describes_every_fact_the_rules_read(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    body = spec["paths"]["/api/v1/complaints"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    draft = _schema(spec, body)
    for name in RULE_FACTS:
        assert draft["properties"][name].get("description"), name
    assert "prior_admin_penalty" not in draft["properties"]
    infringer = _schema(spec, draft["properties"]["infringers"])
    for name in INFRINGER_FACTS:
        assert infringer["properties"][name].get("description"), name
    assert infringer["properties"]["penalty_decided_on"]["format"] == "date"
    assert infringer["properties"]["penalty_decision_number"]["maxLength"] == 100
    assert infringer["properties"]["penalty_authority"]["maxLength"] == 200


# --- the form --------------------------------------------------------------------------------------

def test_the_form_records_the_decision_and_marks_a_later_date(app, world):
    enterprise = Browser(app, world.users["enterprise"])
    token = csrf_token(enterprise.client, "/complaints/new")
    data = {"csrf_token": token, "discovered_on": "2026-10-20", "infringers-0-kind": "competitor",
            "infringers-0-name": "甲公司", "infringers-0-penalty_decision_number": NUMBER,
            "infringers-0-penalty_authority": AUTHORITY, "infringers-0-penalty_decided_on": "2026-10-21"}
    response = enterprise.client.post("/complaints/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    [message] = field_errors(html, "infringers.0.penalty_decided_on")
    assert "2026-10-20" in message
    assert f'value="{NUMBER}"' in html  # what was typed is shown again

    response = enterprise.client.post("/complaints/new", data={**data, "infringers-0-penalty_decided_on": "2025-03-10"})
    assert response.status_code == 302
    complaint_id = response.headers["Location"].rsplit("/", 1)[1]
    edit = enterprise.get(f"/complaints/{complaint_id}/edit")
    assert f'value="{NUMBER}"' in edit and f'value="{AUTHORITY}"' in edit and 'value="2025-03-10"' in edit
    assert 'name="prior_admin_penalty"' not in edit
    stored = ok(world.api("enterprise").get(f"/api/v1/complaints/{uuid.UUID(complaint_id)}"))
    assert stored["infringers"][0]["penalty_decided_on"] == "2025-03-10"


# --- the migration of the old yes/no ----------------------------------------------------------------

# Alembic warns that it cannot reflect the queue's expression indexes on SQLite (as in tests/core/test_migrations.py)
@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning", "ignore::UserWarning")
def test_the_migration_keeps_an_old_yes_as_an_internal_timeline_row(empty_database_url, db_kind):
    """Existing complaints answered the old question; a "yes" carries no decision, so it is kept for the centre
    as a timeline row (not shown to the enterprise), and the column is gone."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    import core.models
    from app import create_app
    from core.extensions import db
    from tests.conftest import make_credit_code

    app = create_app({"DATABASE_URL": empty_database_url, "APP_ENV": "testing"})
    now = dt.datetime.now(dt.timezone.utc)
    when = core.models.UTCDateTime(timezone=True)
    orgs = sa.table("organisations", sa.column("id", sa.Uuid()), sa.column("name"), sa.column("kind"),
                    sa.column("district"), sa.column("credit_code"), sa.column("created_at", when))
    users = sa.table("users", sa.column("id", sa.Uuid()), sa.column("organisation_id", sa.Uuid()), sa.column("email"),
                     sa.column("name"), sa.column("role"), sa.column("password_hash"), sa.column("language"),
                     sa.column("active", sa.Boolean()), sa.column("created_at", when))
    complaints = sa.table("complaints", sa.column("id", sa.Uuid()), sa.column("state"), sa.column("version"),
                          sa.column("enterprise_id", sa.Uuid()), sa.column("created_by_id", sa.Uuid()),
                          sa.column("infringing_acts", sa.JSON()), sa.column("remedies", sa.JSON()),
                          sa.column("preferred_tracks", sa.JSON()), sa.column("key_case", sa.Boolean()),
                          sa.column("prior_admin_penalty", sa.Boolean()), sa.column("created_at", when),
                          sa.column("updated_at", when))
    org_id, user_id = uuid.uuid4(), uuid.uuid4()
    answers = {uuid.uuid4(): True, uuid.uuid4(): False, uuid.uuid4(): None}
    with app.app_context():
        upgrade(revision="d2a6c3e8f1b4")
        with db.engine.begin() as conn:
            conn.execute(orgs.insert().values(id=org_id, name="甲公司", kind="enterprise", district="pudong",
                                              credit_code=make_credit_code(424242), created_at=now))
            conn.execute(users.insert().values(id=user_id, organisation_id=org_id, email="a@example.com", name="甲",
                                               role="enterprise_user", password_hash="x", language="zh", active=True,
                                               created_at=now))
            for complaint_id, answer in answers.items():
                conn.execute(complaints.insert().values(
                    id=complaint_id, state="draft", version=1, enterprise_id=org_id, created_by_id=user_id,
                    infringing_acts=[], remedies=[], preferred_tracks=[], key_case=False,
                    prior_admin_penalty=answer, created_at=now, updated_at=now))
        upgrade()
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("complaints")}
            events = sa.table("complaint_events", sa.column("complaint_id", sa.Uuid()), sa.column("kind"),
                              sa.column("public", sa.Boolean()), sa.column("reason"), sa.column("payload", sa.JSON()))
            rows = conn.execute(sa.select(events.c.complaint_id, events.c.kind, events.c.public, events.c.reason,
                                          events.c.payload)).all()
        db.engine.dispose()
    assert "prior_admin_penalty" not in columns
    [(complaint_id, kind, public, reason, payload)] = rows
    assert complaint_id == next(k for k, v in answers.items() if v is True)
    assert (kind, public) == ("edited", False)
    assert "处罚决定书文号" in reason and payload["prior_admin_penalty"] is True
