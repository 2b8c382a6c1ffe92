from collections.abc import Mapping

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate

from accounts.enums import DISTRICT_LABELS, ORG_KIND_LABELS, District, OrgKind
from core.limits import page_field, per_page_field
from core.openapi import register_labels
from core.pagination import CursorArgs, page_schema
from core.schemas import BoundedString, Code, Computed, EnumValue, Name, OutSchema, StrictSchema, Text, coded
from intake.enums import COMPLAINT_STATE_LABELS, TRACK_LABELS, ComplaintState, Track
from intake.schemas import Amount
from intake.search import query_field

from .enums import (CIVIL_ROUTE_LABELS, CONSULTATION_STATE_LABELS, LINK_KIND_LABELS, PRESERVATION_KIND_LABELS,
                    PRESERVATION_RULING_LABELS, REFERRAL_STATE_LABELS, REJECT_REASON_LABELS, RETURN_REASON_LABELS, CivilRoute,
                    ConsultationState, LinkKind, PreservationKind, PreservationRuling, ReferralState, RejectReason,
                    ReturnReason)
from .models import (Consultation, ConsultationInvitation, Referral, ReferralNote, Supervision, SupervisionInstruction,
                     SupervisionReport)
from . import guards
from .machines import complaint_machine, consultation_machine, referral_machine
from .outcomes import BY_RESULT, DECISIONS, SUPERVISION_RESULTS
from .steps import STEPS, step_machine

from .complaints import CLERK_TRIGGERS


def _one_of(choices):
    return validate.OneOf(choices, error="Not a valid choice.")


class VersionMixin(StrictSchema):
    """The web forms' hidden version (a stale one answers 409). The API's schemas have none: If-Match only."""
    version = fields.Integer(load_default=None)


class SupplementSchema(StrictSchema):
    text = Text(20000, required=True)


class ReferralItemSchema(StrictSchema):
    agency_id = fields.UUID(required=True)
    track = EnumValue(Track, required=True)
    evidence_ids = fields.List(fields.UUID(), load_default=list,
                               validate=validate.Length(max=500, error="At most {max} items."))
    message = Text(5000, column=Referral.message, load_default=None)
    reroute_of = fields.UUID(load_default=None, metadata={
        "description": "The returned or declined referral this one re-routes (linked as `reroute`)."})
    civil_route = EnumValue(CivilRoute, load_default=None, metadata={
        "description": "Required for a court (the civil track), refused for any other agency: file_suit (the "
                       "centre prepares a filing package and guides the enterprise to file, 引导起诉) or "
                       "pre_suit_mediation (court-annexed pre-suit mediation, 诉前调解)."})


class CreateReferralsSchema(StrictSchema):
    referrals = fields.List(fields.Nested(ReferralItemSchema), required=True, validate=validate.Length(min=1, max=10))


class NoteSchema(StrictSchema):
    text = Text(20000, column=ReferralNote.text, min_length=1, required=True)
    public = fields.Boolean(load_default=False, metadata={"description": "Shown to the enterprise when true."})


class ConveneSchema(StrictSchema):
    questions = fields.List(Text(1000, min_length=1), required=True,
                            validate=validate.Length(min=1, max=20))
    agency_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=20))
    meeting_at = fields.AwareDateTime(load_default=None)
    opinion_due_at = fields.AwareDateTime(required=True, metadata={
        "description": "The opinions' due time, which is the C1 clock: in the future, at most the rule's "
                       "period unless due_reason is given."})
    due_reason = Text(2000, load_default=None, metadata={"description": "Why the due time goes beyond the rule's."})


class OpinionSchema(StrictSchema):
    opinion = Text(20000, column=ConsultationInvitation.opinion, min_length=1, required=True)


# --- transition requests: one schema per trigger, built from the machine tables ---------------------------
#
# Each trigger's request schema (component ``<Machine><Trigger>Request``) names exactly the fields its rows
# declare (routing/machines.py: ``needs_reason`` and ``needs`` are required, ``takes`` optional; every row of
# a trigger takes the same, which the machine checks when it is built), so the schemas, the document and the
# table cannot disagree. A field's shape (bounds, enum) is in the catalogue of its machine below; a trigger
# taking a field the catalogue lacks fails at import. The endpoint's schema (a TriggerRequest) loads a body
# with the schema its trigger names, and the document shows the oneOf with its discriminator (one_of_body).

def _outcome_decisions():
    return {d.result: {"agency_kinds": [kind.value for kind, ds in DECISIONS.items() if d in ds],
                       "required": list(d.required), "optional": [f for f in ("summary", *d.fields) if f not in d.required]}
            for decisions in DECISIONS.values() for d in decisions}


def _outcome_description():
    lines = ["The decision the referral is concluded with. `result` is one of the decisions of the agency's kind "
             "(another kind's is 422 on `outcome.result`); each decision takes its own fields (any other is 422), "
             "listed in `x-decisions` and here:"]
    for kind, decisions in DECISIONS.items():
        lines.append(f"- {kind.value}: " + "; ".join(
            f"{d.result} ({', '.join(f + (' required' if f in d.required else '') for f in _outcome_decisions()[d.result]['required'] + _outcome_decisions()[d.result]['optional'])})"
            for d in decisions))
    lines.append(f"A procuratorate concludes a filing-supervision referral with {' or '.join(SUPERVISION_RESULTS)}, "
                 "any other with the others.")
    return "\n".join(lines)


class OutcomeSchema(StrictSchema):
    # stored in Referral.outcome (JSON); which results and fields apply depends on the agency (routing.outcomes)
    result = fields.String(required=True, validate=_one_of(sorted(BY_RESULT)), metadata={
        "description": _outcome_description(), "x-decisions": _outcome_decisions()})
    summary = Text(5000)
    decision_number = Code(100)
    prosecution_office = Name(200)
    court_case_number = Code(100)
    judgment_number = Code(100)
    fine_amount = Amount()
    confiscation_amount = Amount()
    damages_amount = Amount()


def _evidence_ids(**kwargs):
    return fields.List(fields.UUID(), validate=validate.Length(max=500, error="At most {max} items."), **kwargs)


# each machine's request fields: name -> a function of the field's keyword arguments (required, load_default, ...)
COMPLAINT_FIELDS = {
    "message": lambda **kw: Text(5000, **kw),
    "due_date": lambda **kw: fields.Date(**kw, metadata={
        "description": "The date (Asia/Shanghai) by which the enterprise should answer: after today, within 90 days."}),
    "reason_code": lambda **kw: EnumValue(RejectReason, **kw),
}
REFERRAL_FIELDS = {
    "reason": lambda **kw: Text(5000, column=Referral.decline_reason, **kw),
    "officer_name": lambda **kw: Name(column=Referral.acknowledged_by_name, **kw),
    "case_number": lambda **kw: Code(column=Referral.agency_case_number, **kw),
    "return_reason": lambda **kw: EnumValue(ReturnReason, **kw),
    "outcome": lambda **kw: fields.Nested(OutcomeSchema, **kw),
    "to_agency_id": lambda **kw: fields.UUID(**kw, metadata={
        "description": "The receiving agency (absent: the competent one, chosen by the routing rules)."}),
    "evidence_ids": lambda **kw: _evidence_ids(**kw, metadata={
        "description": "The complaint's files to send to the agency (not yet shared with it)."}),
    "preservation_kind": lambda **kw: EnumValue(PreservationKind, **kw),
    "preservation_ruling": lambda **kw: EnumValue(PreservationRuling, **kw),
}
CONSULTATION_FIELDS = {
    "minutes": lambda **kw: Text(50000, column=Consultation.minutes, **kw),
    "conclusion": lambda **kw: Text(20000, column=Consultation.conclusion, **kw),
    "referrals": lambda **kw: fields.List(fields.Nested(ReferralItemSchema), validate=validate.Length(max=10), **{
        "load_default": list, **kw}, metadata={"description": "Referrals the minutes decide, sent with them."}),
}
STEP_FIELDS = {"reason": lambda **kw: Text(5000, **kw)}


def _not_blank(message):
    def validator(value):
        if not value.strip():
            raise ValidationError(message)
    return validator


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def request_schemas(machine, triggers, catalogue, *, labels, discriminator="trigger", base=None) -> dict:
    """One request schema per trigger: the discriminator as a one-value enum (its label registered as ``labels``),
    the fields the trigger's rows need (required, with the error the guards give) and take (optional, null when
    absent)."""
    base = base or StrictSchema
    register_labels(labels, {trigger: machine.label(trigger) for trigger in triggers})
    schemas = {}
    for trigger in triggers:
        needs, takes = machine.request_fields(trigger)
        attrs = {discriminator: fields.String(required=True, validate=_one_of([trigger]), metadata={
            "description": str(machine.label(trigger)), "labels": labels})}
        for name in needs:
            message = guards.required_message(name)
            attrs[name] = field = catalogue[name](required=True, error_messages={"required": message})
            if isinstance(field, BoundedString):  # a blank text is as missing as an absent one (the guards' view)
                field.validators.append(_not_blank(message))
        for name in takes:
            attrs[name] = catalogue[name](load_default=None)
        rule = next(r for r in machine.rules if r.trigger == trigger)
        name = f"{machine.name.capitalize()}{_camel(trigger)}Request"
        attrs.update(__module__=__name__, __qualname__=name,
                     __doc__=f"`{trigger}`: {rule.label or trigger}." if rule.label else f"`{trigger}`.")
        schemas[trigger] = type(name, (base,), attrs)
    return schemas


class TriggerRequest(Schema):
    """The body of a transition endpoint: loaded by the request schema its ``trigger`` (``step``) names (a
    discriminated oneOf); a missing or unknown trigger is 422 on the trigger, naming the ones there are."""

    discriminator = "trigger"
    requests: dict = {}

    def load(self, data, *, many=None, partial=None, unknown=None):
        if not isinstance(data, Mapping):
            raise ValidationError({"_schema": ["Invalid input type."]})
        value = data.get(self.discriminator)
        request = self.requests.get(value) if isinstance(value, str) else None
        if request is None:
            raise ValidationError({self.discriminator: [
                _("Choose one of: %(choices)s.", choices=_(", ").join(self.requests))]})
        return request().load(data, partial=partial, unknown=unknown)


def one_of_body(request: type[TriggerRequest]) -> dict:
    """The OpenAPI requestBody of a TriggerRequest, for ``@blp.doc(requestBody=...)`` (flask-smorest documents
    one schema per body): a oneOf of the per-trigger components with its discriminator (propertyName, mapping)."""
    return {"required": True, "content": {"application/json": {"schema": {
        "oneOf": list(request.requests.values()),
        "discriminator": {"propertyName": request.discriminator,
                          "mapping": {value: f"#/components/schemas/{cls.__name__}"
                                      for value, cls in request.requests.items()}}}}}}


COMPLAINT_REQUESTS = request_schemas(complaint_machine, CLERK_TRIGGERS, COMPLAINT_FIELDS, labels="ComplaintTrigger")
REFERRAL_REQUESTS = request_schemas(referral_machine, referral_machine.user_triggers, REFERRAL_FIELDS,
                                    labels="ReferralTrigger")
CONSULTATION_REQUESTS = request_schemas(consultation_machine, consultation_machine.user_triggers, CONSULTATION_FIELDS,
                                        labels="ConsultationTrigger")
STEP_REQUESTS = request_schemas(step_machine, sorted(STEPS), STEP_FIELDS, labels="ReferralStep", discriminator="step")


class ComplaintTransitionSchema(TriggerRequest):
    requests = COMPLAINT_REQUESTS


class ReferralTransitionSchema(TriggerRequest):
    requests = REFERRAL_REQUESTS


class ConsultationTransitionSchema(TriggerRequest):
    requests = CONSULTATION_REQUESTS


class StepSchema(TriggerRequest):
    discriminator = "step"
    requests = STEP_REQUESTS


class QueueFilters(StrictSchema):
    """The queue's filters and sort (the API pages them by cursor, the page by its page numbers)."""

    q = query_field()
    state = fields.List(fields.String(validate=_one_of([s.value for s in complaint_machine.states])), load_default=list,
                        validate=validate.Length(max=20))
    track = EnumValue(Track, load_default=None)
    district = EnumValue(District, load_default=None)
    infringer = Name(100, min_length=1, load_default=None)
    key_case = fields.Boolean(load_default=None)
    overdue = fields.Boolean(load_default=None, metadata={
        "description": "true: the centre's running deadline has passed; false: it has not (or none runs)."})
    include_closed = fields.Boolean(load_default=False, metadata={
        "description": "Closed and withdrawn complaints are left out unless named in state or this is true."})
    holder = fields.String(load_default=None, validate=_one_of(["mine", "unassigned"]), metadata={
        "description": "mine: claimed by you; unassigned: claimed by no clerk yet. Absent: all."})
    sort = fields.String(load_default="due", validate=_one_of(["due", "received", "reference", "enterprise"]),
                         metadata={"description": "due (key cases first, then the centre's earliest running "
                                                  "deadline; the default), received, reference or enterprise."})
    desc = fields.Boolean(load_default=False, metadata={"description": "Reverse the sort column."})


class QueueArgsSchema(QueueFilters, CursorArgs):
    """The API's queue: its filters, cursor and limit (the cursor is an offset in the chosen sort)."""


class QueuePageArgsSchema(QueueFilters):
    """The queue page (/centre/queue): its filters and page numbers."""

    page = page_field()
    per_page = per_page_field(20)


class ReferralListArgs(CursorArgs):
    q = query_field()
    state = fields.List(fields.String(validate=_one_of([s.value for s in ReferralState])), load_default=list,
                        validate=validate.Length(max=20))
    pending = fields.Boolean(load_default=False, metadata={"description": "Only referrals awaiting the agency."})


# --- dumping -------------------------------------------------------------------------------------

def _trigger_labels(machine):
    return {trigger: machine.label(trigger) for trigger in machine.user_triggers}


# coded values only requests or the timeline carry (the answers' own enums register through their fields)
register_labels("ComplaintTrigger", _trigger_labels(complaint_machine))
register_labels(RejectReason, REJECT_REASON_LABELS)


def allowed_list(attribute, codes, labels, name, description):
    """The actions the caller may take now (null when the answer does not say)."""
    return Computed(lambda obj: getattr(obj, attribute, None),
                    fields.List(coded(codes, labels, name), metadata={"description": description}))


class OrganisationRefSchema(OutSchema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    kind = EnumValue(OrgKind, labels=ORG_KIND_LABELS, required=True)
    district = EnumValue(District, labels=DISTRICT_LABELS, required=True)


class ReferralComplaintSchema(OutSchema):
    id = fields.UUID(required=True)
    reference = fields.String()
    state = EnumValue(ComplaintState, labels=COMPLAINT_STATE_LABELS, required=True)
    enterprise = Computed(lambda c: c.enterprise.name, fields.String(), required=True,
                          metadata={"description": "The enterprise's name."})


class ComplaintRefSchema(OutSchema):
    id = fields.UUID(required=True)
    reference = fields.String()


class PersonRefSchema(OutSchema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)


class EvidenceRefSchema(OutSchema):
    id = fields.UUID()
    display_name = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()


class SuggestedAgencySchema(OutSchema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    district = coded(District, DISTRICT_LABELS, required=True)


class SuggestionReasonSchema(OutSchema):
    rule = fields.String(required=True, metadata={"description": "The routing rule that applied."})
    explanation = fields.String(required=True)


class TrackSuggestionSchema(OutSchema):
    track = coded(Track, TRACK_LABELS, required=True)
    agency = fields.Nested(SuggestedAgencySchema, metadata={"description": "null: no agency of the kind is set up."})
    alternative = fields.Nested(SuggestedAgencySchema, metadata={"description": "Another agency of the kind."})
    reasons = fields.List(fields.Nested(SuggestionReasonSchema), required=True)


class ConsultationSuggestionSchema(OutSchema):
    suggested = fields.Boolean(required=True)
    reasons = fields.List(fields.Nested(SuggestionReasonSchema), required=True)


class PriorPenaltySchema(OutSchema):
    infringer = fields.String()
    decision_number = fields.String()
    authority = fields.String()
    decided_on = fields.String(required=True, metadata={"format": "date"})
    window_ends_on = fields.String(required=True, metadata={"format": "date", "description": "The two years end."})


class SuggestionFactsSchema(OutSchema):
    amount = fields.String(required=True, metadata={"pattern": r"^-?[0-9]+(\.[0-9]+)?$", "description":
                                                    "The larger of the loss and the illegal gains (RMB, decimal)."})
    threshold = fields.String(required=True, metadata={"pattern": r"^-?[0-9]+(\.[0-9]+)?$", "description":
                                                       "The criminal filing threshold that applies (RMB, decimal)."})
    prior_penalties = fields.List(fields.Nested(PriorPenaltySchema), required=True)


class RoutingSuggestionSchema(OutSchema):
    """What the routing rules suggest for a complaint (routing/rules.py: suggest)."""

    suggestions = fields.List(fields.Nested(TrackSuggestionSchema), required=True)
    consultation = fields.Nested(ConsultationSuggestionSchema, required=True)
    facts = fields.Nested(SuggestionFactsSchema, required=True)
    note = fields.String(required=True)


class ReferralSchema(OutSchema):
    id = fields.UUID()
    complaint = fields.Nested(ReferralComplaintSchema, required=True)
    agency = fields.Nested(OrganisationRefSchema, required=True)
    track = EnumValue(Track, labels=TRACK_LABELS, required=True)
    state = EnumValue(ReferralState, labels=REFERRAL_STATE_LABELS, required=True)
    version = fields.Integer(required=True)
    parent_id = fields.UUID()
    link_kind = EnumValue(LinkKind, labels=LINK_KIND_LABELS)
    letter_number = fields.String()
    message = fields.String()
    acknowledged_by_name = fields.String()
    agency_case_number = fields.String()
    decline_reason = fields.String()
    return_reason = EnumValue(ReturnReason, labels=RETURN_REASON_LABELS)
    return_message = fields.String()
    outcome = fields.Dict()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    acknowledged_at = fields.AwareDateTime()
    agency_due_at = fields.AwareDateTime(metadata={"description": "The agency's earliest running deadline."})
    decided_at = fields.AwareDateTime()
    concluded_at = fields.AwareDateTime()
    shared_evidence = fields.List(fields.Nested(EvidenceRefSchema))
    civil_route = EnumValue(CivilRoute, labels=CIVIL_ROUTE_LABELS, metadata={"description": "A court referral's route (file_suit after a "
                                                                 "failed pre-suit mediation)."})
    materials_complete_at = fields.AwareDateTime(metadata={
        "description": "When the court found the suit's materials complete: its registration clock (V1) runs from then."})
    mediation_failed_at = fields.AwareDateTime()
    preservations = fields.List(fields.Nested(lambda: PreservationSchema()))
    allowed_triggers = allowed_list("allowed_triggers", referral_machine.user_triggers,
                                    _trigger_labels(referral_machine), "ReferralTrigger",
                                    "The triggers you may fire now (POST .../transitions).")
    allowed_steps = allowed_list("allowed_steps", sorted(STEPS), {k: r.label or k for k, r in STEPS.items()},
                                 "ReferralStep", "The steps you may take now (POST .../steps).")
    allowed_appraisal_actions = allowed_list(
        "allowed_appraisal_actions", ["requested", "returned"], None, None,
        "The appraisal actions (requested, returned) you may record now (POST .../appraisal).")


class PreservationSchema(OutSchema):
    kind = EnumValue(PreservationKind, labels=PRESERVATION_KIND_LABELS)
    note = fields.String()
    applied_at = fields.AwareDateTime()
    ruling = EnumValue(PreservationRuling, labels=PRESERVATION_RULING_LABELS, metadata={"description": "null while the court has not ruled (V2 runs)."})
    ruling_reasons = fields.String()
    ruled_at = fields.AwareDateTime()


class AppraisalSchema(StrictSchema):
    action = fields.String(required=True, validate=validate.OneOf(["requested", "returned"],
                                                                   error="Not a valid choice."), metadata={
        "description": "requested: the appraisal was commissioned (the clock stops); returned: it came back."})
    note = Text(2000, load_default=None)


class NoteOutSchema(OutSchema):
    id = fields.Integer()
    text = fields.String()
    public = fields.Boolean()
    at = fields.AwareDateTime()
    author = Computed(lambda n: n.author.name, fields.String(), required=True, metadata={"description": "Its author's name."})


class InvitationSchema(OutSchema):
    agency = fields.Nested(OrganisationRefSchema, required=True)
    opinion = fields.String()
    opinion_at = fields.AwareDateTime()
    opinion_by = Computed(lambda i: i.opinion_by.name if i.opinion_by else None, fields.String(),
                          metadata={"description": "The name of who wrote the opinion."})


class ExpertInvitationSchema(OutSchema):
    expert = Computed(lambda i: i.expert.name, fields.String(), required=True,
                      metadata={"description": "The invited expert's name (the think tank, registry/)."})
    opinion = fields.String()
    opinion_at = fields.AwareDateTime()


class ConsultationSchema(OutSchema):
    id = fields.UUID()
    complaint = fields.Nested(ComplaintRefSchema, required=True)
    state = EnumValue(ConsultationState, labels=CONSULTATION_STATE_LABELS, required=True)
    version = fields.Integer(required=True)
    questions = fields.List(fields.String())
    meeting_at = fields.AwareDateTime()
    opinion_due_at = fields.AwareDateTime()
    minutes = fields.String()
    conclusion = fields.String()
    invitations = fields.List(fields.Nested(InvitationSchema))
    expert_invitations = fields.List(fields.Nested(ExpertInvitationSchema), metadata={
        "description": "The experts of the think tank invited beside the agencies, and their opinions."})
    allowed_triggers = allowed_list("allowed_triggers", consultation_machine.user_triggers,
                                    _trigger_labels(consultation_machine), "ConsultationTrigger",
                                    "The triggers you may fire now (POST .../transitions).")


class QueueItemSchema(OutSchema):
    id = fields.UUID()
    reference = fields.String()
    state = EnumValue(ComplaintState, labels=COMPLAINT_STATE_LABELS, required=True)
    enterprise = Computed(lambda c: c.enterprise.name, fields.String(), required=True,
                          metadata={"description": "The enterprise's name."})
    district = Computed(lambda c: c.enterprise.district.value, coded(District, DISTRICT_LABELS), required=True,
                        metadata={"description": "The enterprise's district."})
    infringers = Computed(lambda c: [i.name for i in c.infringers if i.name], fields.List(fields.String()),
                          required=True, metadata={"description": "The infringers' names."})
    key_case = fields.Boolean()
    centre_due_at = fields.AwareDateTime(metadata={"description": "The centre's earliest running deadline."})
    held_by = fields.Nested(PersonRefSchema, attribute="claimed_by", metadata={
        "description": "The clerk who claimed the complaint (null: unassigned)."})
    submitted_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    version = fields.Integer()


class ReassignSchema(StrictSchema):
    clerk_id = fields.UUID(required=True, metadata={
        "description": "The clerk of the complaint's centre who holds it from now on."})


QueuePageSchema = page_schema(QueueItemSchema, "QueuePage", total_description="Capped at 10,000 (see total_is_exact).",
                              extra={"total_is_exact": fields.Boolean(metadata={
                                  "description": "false: there are more than total."})})
ReferralPageSchema = page_schema(ReferralSchema, "ReferralPage")



class SuperviseSchema(StrictSchema):
    instructions = Text(5000, column=Supervision.instructions, min_length=1, required=True)


class FurtherInstructionsSchema(StrictSchema):
    instructions = Text(5000, column=SupervisionInstruction.text, min_length=1, required=True)


class SupervisionReportSchema(StrictSchema):
    text = Text(20000, column=SupervisionReport.text, min_length=1, required=True)


class LiftSupervisionSchema(StrictSchema):
    closing_note = Text(5000, column=Supervision.closing_note, min_length=1, required=True)


class SupervisionListArgsSchema(CursorArgs):
    active = fields.Boolean(load_default=None, metadata={
        "description": "true: the supervisions not yet lifted; false: the lifted ones; absent: both."})


class SupervisionEntrySchema(OutSchema):
    author = Computed(lambda r: r.author.name, fields.String(), required=True, metadata={"description": "The author's name."})
    text = fields.String()
    at = fields.AwareDateTime()


class SupervisionSchema(OutSchema):
    id = fields.UUID()
    complaint_id = fields.UUID()
    reference = Computed(lambda s: s.complaint.reference, fields.String(), required=True)
    enterprise = Computed(lambda s: s.complaint.enterprise.name, fields.String(), required=True,
                          metadata={"description": "The enterprise's name."})
    active = fields.Boolean()
    instructions = fields.String()
    supervisor = Computed(lambda s: s.supervisor.name, fields.String(), required=True,
                          metadata={"description": "The supervisor's name."})
    created_at = fields.AwareDateTime()
    further_instructions = fields.List(fields.Nested(SupervisionEntrySchema), metadata={
        "description": "Instructions the supervisor office added later, oldest first."})
    reports = fields.List(fields.Nested(SupervisionEntrySchema), metadata={"description": "Oldest first."})
    last_report = Computed(lambda s: s.last_report.text if s.last_report else None, fields.String())
    last_report_at = Computed(lambda s: s.last_report.at.isoformat() if s.last_report else None,
                              fields.AwareDateTime())
    next_report_due_at = fields.AwareDateTime(metadata={
        "description": "When the centre's next report is due (the running S1 clock); null once lifted."})
    lifted_at = fields.AwareDateTime()
    lifted_by = Computed(lambda s: s.lifted_by.name if s.lifted_by else None, fields.String(),
                         metadata={"description": "The name of the supervisor who lifted it."})
    closing_note = fields.String()


SupervisionPageSchema = page_schema(SupervisionSchema, "SupervisionPage")


# --- the triage page's follow-up forms (the API says the same in CreateReferralsSchema and the triggers)

class RerouteSchema(VersionMixin):
    """One new referral continuing a returned or declined one (its ``reroute`` parent)."""
    track = EnumValue(Track, required=True)
    agency_id = fields.UUID(required=True)
    evidence_ids = fields.List(fields.UUID(), load_default=list,
                               validate=validate.Length(max=500, error="At most {max} items."))
    message = Text(5000, column=Referral.message, load_default=None)
    civil_route = EnumValue(CivilRoute, load_default=None)  # a court's: how it takes up the dispute


class FurtherEvidenceSchema(VersionMixin):
    """Evidence of the complaint sent to a referral already sent (the referral's ``supplement`` trigger)."""
    evidence_ids = fields.List(fields.UUID(), load_default=list,
                               validate=validate.Length(max=500, error="At most {max} items."))
    reason = Text(5000, load_default=None)


class GuidanceSchema(VersionMixin):
    """The centre concludes the complaint with the guidance it gave (the complaint's ``resolve`` trigger)."""
    message = Text(5000, min_length=1, required=True)
