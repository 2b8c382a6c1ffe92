"""One request shape per trigger: the schemas come from the machine rows (needs_reason, needs, takes), the
document shows each endpoint's body as a discriminated oneOf of them, and the server loads a body with the
schema its trigger names (an unknown trigger, a missing field, a field the trigger does not take: 422)."""
import pytest

from accounts.enums import OrgKind
from routing.complaints import CLERK_TRIGGERS
from routing.machines import (CLERK, SAME, Rule, StateMachine, complaint_machine, consultation_machine,
                              referral_machine)
from routing.enums import ReferralState as R
from routing.outcomes import BY_RESULT, DECISIONS
from routing.schemas import (COMPLAINT_FIELDS, CONSULTATION_FIELDS, REFERRAL_FIELDS, STEP_FIELDS,
                             ComplaintTransitionSchema, ConsultationTransitionSchema, ReferralTransitionSchema,
                             StepSchema)
from routing.steps import STEPS, step_machine
from tests.routing.support import (CUSTOMER_LIST, accepted, acknowledge_and_accept, complaint_transition, ok, refer,
                                   referral_transition, snapshot, step, submit)

ENDPOINTS = [  # path, the endpoint's schema, its machine, the triggers it takes, the field catalogue
    ("/api/v1/complaints/{complaint_id}/transitions", ComplaintTransitionSchema, complaint_machine, CLERK_TRIGGERS,
     COMPLAINT_FIELDS),
    ("/api/v1/referrals/{referral_id}/transitions", ReferralTransitionSchema, referral_machine,
     referral_machine.user_triggers, REFERRAL_FIELDS),
    ("/api/v1/consultations/{consultation_id}/transitions", ConsultationTransitionSchema, consultation_machine,
     consultation_machine.user_triggers, CONSULTATION_FIELDS),
    ("/api/v1/referrals/{referral_id}/steps", StepSchema, step_machine, sorted(STEPS), STEP_FIELDS),
]
IDS = ["complaint", "referral", "consultation", "step"]


def _spec(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _resolve(spec, ref):
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]]


@pytest.mark.parametrize(("path", "schema", "machine", "triggers", "catalogue"), ENDPOINTS, ids=IDS)
def test_each_trigger_has_a_schema_of_exactly_the_fields_its_rows_name(path, schema, machine, triggers, catalogue):
    assert sorted(schema.requests) == sorted(triggers)
    used = set()
    for trigger, request in schema.requests.items():
        needs, takes = machine.request_fields(trigger)
        declared = request._declared_fields
        assert set(declared) - {"version", schema.discriminator} == {*needs, *takes}, trigger
        assert {n for n, f in declared.items() if f.required} == {schema.discriminator, *needs}, trigger
        assert request.__name__ == f"{machine.name.capitalize()}{trigger.title().replace('_', '')}Request"
        used |= {*needs, *takes}
    assert used == set(catalogue)  # no field shape is kept for a field no trigger takes


def test_rows_of_one_trigger_must_take_the_same_fields():
    rows = (Rule("note", (R.sent,), SAME, CLERK, "centre", needs=("text",)),
            Rule("note", (R.accepted,), SAME, CLERK, "centre"))
    with pytest.raises(ValueError, match="take different fields"):
        StateMachine("test", R, rows, {"centre": lambda actor, entity: True})


@pytest.mark.parametrize(("path", "schema", "machine", "triggers", "catalogue"), ENDPOINTS, ids=IDS)
def test_the_document_shows_a_discriminated_one_of(app, path, schema, machine, triggers, catalogue):
    spec = _spec(app)
    body = spec["paths"][path]["post"]["requestBody"]
    assert body["required"] is True
    document = body["content"]["application/json"]["schema"]
    discriminator = document["discriminator"]
    assert discriminator["propertyName"] == schema.discriminator
    assert sorted(discriminator["mapping"]) == sorted(triggers)
    assert sorted(item["$ref"] for item in document["oneOf"]) == sorted(discriminator["mapping"].values())
    for trigger, ref in discriminator["mapping"].items():
        component = _resolve(spec, ref)
        needs, takes = machine.request_fields(trigger)
        assert component["properties"][schema.discriminator]["enum"] == [trigger]  # a one-value enum
        assert set(component["required"]) == {schema.discriminator, *needs}
        assert set(component["properties"]) - {"version", schema.discriminator} == {*needs, *takes}
        assert component["additionalProperties"] is False


def test_coded_fields_are_enumerations_and_the_outcome_names_its_decisions_per_agency_kind(app):
    spec = _spec(app)
    schemas = spec["components"]["schemas"]
    assert schemas["ReferralReturnRequest"]["properties"]["return_reason"]["enum"]
    assert schemas["ReferralApplyPreservationRequest"]["properties"]["preservation_kind"]["enum"]
    assert set(schemas["ReferralRuleOnPreservationRequest"]["properties"]["preservation_ruling"]["enum"]) == {
        "granted", "refused"}
    assert schemas["ComplaintRejectRequest"]["properties"]["reason_code"]["enum"]
    result = schemas["Outcome"]["properties"]["result"]
    assert sorted(result["enum"]) == sorted(BY_RESULT)
    decisions = result["x-decisions"]
    for kind, kind_decisions in DECISIONS.items():
        for decision in kind_decisions:
            entry = decisions[decision.result]
            assert kind.value in entry["agency_kinds"]
            assert set(entry["required"]) == set(decision.required)
            assert set(entry["required"]) | set(entry["optional"]) == {"summary", *decision.fields}
            assert f"{kind.value}: " in result["description"] and decision.result in result["description"]


def test_an_unknown_or_missing_trigger_is_422_naming_the_triggers_there_are(app, world):
    complaint = submit(world, files=0)
    cid, clerk = complaint["id"], world.api("clerk")
    before = snapshot(app, cid)
    for body in ({"trigger": "fly"}, {}, {"trigger": 3}, {"trigger": "withdraw"}):  # withdraw: the enterprise's
        response = clerk.post(f"/api/v1/complaints/{cid}/transitions", json=body)
        assert response.status_code == 422, body
        assert response.get_json()["errors"] == {"trigger": [f"Choose one of: {', '.join(CLERK_TRIGGERS)}."]}
    assert snapshot(app, cid) == before


def test_a_field_the_trigger_does_not_take_is_422_and_a_needed_one_is_required(app, world):
    complaint = accepted(world, CUSTOMER_LIST)
    cid = complaint["id"]
    rid = refer(world, cid, "amr_city", "administrative")["id"]
    amr = world.api("amr_city")
    before = snapshot(app, cid)
    cases = [
        ({"trigger": "acknowledge", "officer_name": "刘洋", "reason": "x"}, {"reason": ["Unknown field."]}),
        ({"trigger": "acknowledge", "officer_name": "刘洋", "outcome": {"result": "no_penalty"}},
         {"outcome": ["Unknown field."]}),
        ({"trigger": "acknowledge"}, {"officer_name": ["This field is required for this action."]}),
        ({"trigger": "acknowledge", "officer_name": "  "}, {"officer_name": ["This field is required for this action."]}),
        ({"trigger": "return", "reason": "不属管辖。"}, {"return_reason": ["This field is required for this action."]}),
        ({"trigger": "return", "return_reason": "other"}, {"reason": ["Give a reason."]}),
        ({"trigger": "apply_preservation"}, {"preservation_kind": ["Choose what is to be preserved."]}),
    ]
    for body, errors in cases:
        response = referral_transition(amr, rid, body.pop("trigger"), **body)
        assert response.status_code == 422, body
        assert response.get_json()["errors"] == errors, body
    assert snapshot(app, cid) == before
    # the complaint's reason is its message: named as sent
    response = complaint_transition(world.api("clerk"), cid, "resolve")
    assert response.get_json()["errors"] == {"message": ["Give a reason."]}
    response = complaint_transition(world.api("clerk"), cid, "claim", message="x")
    assert response.get_json()["errors"] == {"message": ["Unknown field."]}
    # a step takes a reason only
    assert step(amr, rid, "approve_transfer").status_code == 409  # optional: the state decides (no proposal)
    response = amr.post(f"/api/v1/referrals/{rid}/steps", json={"step": "report_suspected_crime"})
    assert response.get_json()["errors"] == {"reason": ["Give a reason."]}
    response = amr.post(f"/api/v1/referrals/{rid}/steps", json={"step": "report_suspected_crime", "reason": "x",
                                                                "trigger": "accept"})
    assert response.get_json()["errors"] == {"trigger": ["Unknown field."]}
    assert snapshot(app, cid) == before


def test_the_outcome_result_is_one_of_the_agency_kinds_decisions(app, world):
    cid = accepted(world, CUSTOMER_LIST)["id"]
    rid = refer(world, cid, "amr_city", "administrative")["id"]
    acknowledge_and_accept(world, rid, "amr_city")
    amr = world.api("amr_city")
    response = referral_transition(amr, rid, "conclude", outcome={"result": "bogus"})
    assert response.get_json()["errors"] == {"outcome.result": ["Not a valid choice."]}
    others = [d.result for kind, ds in DECISIONS.items() if kind is not OrgKind.market_regulation for d in ds]
    for result in others:  # in the enumeration, but another kind's decision
        response = referral_transition(amr, rid, "conclude", outcome={"result": result})
        assert response.status_code == 422 and "outcome.result" in response.get_json()["errors"], result
    concluded = ok(referral_transition(amr, rid, "conclude", outcome={"result": "no_violation_found"}))
    assert concluded["state"] == "concluded"


@pytest.mark.parametrize("machine", [complaint_machine, referral_machine, consultation_machine],
                         ids=["complaint", "referral", "consultation"])
def test_the_machine_refuses_what_the_schema_refuses_when_a_service_is_called_directly(app, machine):
    """StateMachine.fire checks every row's needs with the schemas' messages (before its guard), so a service
    called without a request schema refuses the same: the rows are the one source of both."""
    from types import SimpleNamespace

    from flask_babel import gettext

    from core.errors import ValidationFailed
    from routing.guards import required_message

    org = object()
    checked = 0
    with app.test_request_context():
        for rule in machine.rules:
            if not rule.needs or rule.org == "system":
                continue
            for source in rule.sources:
                entity = SimpleNamespace(state=source, agency_id=org, enterprise_id=org, centre_id=org,
                                         convener_org_id=org, complaint=SimpleNamespace(centre_id=org))
                actor = SimpleNamespace(role=next(iter(rule.roles)), organisation_id=org)
                with pytest.raises(ValidationFailed) as refused:
                    machine.fire(entity, rule.trigger, actor, reason="x", data={})
                assert refused.value.errors == {name: [gettext(required_message(name))] for name in rule.needs}
                assert entity.state is source
                checked += 1
    assert checked
