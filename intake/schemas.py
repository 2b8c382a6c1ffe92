"""One schema set for the complaint form and the API: load (draft), completeness, dump."""
import datetime as dt
import decimal

from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError, fields, post_load, validate, validates, validates_schema

from accounts.enums import DISTRICT_LABELS, District
from accounts.schemas import credit_code_length_message, validate_credit_code
from core.schemas import (Code, CompactCode, Computed, EmailAddress, EnumValue, Name, OneOfLabelled, OutSchema, StrictSchema,
                          Text, coded, validate_phone)
from core.timeutil import SHANGHAI

from .enums import (COMPLAINT_STATE_LABELS, EVENT_KIND_LABELS, ComplaintState, EventKind)
from .enums import (CENTRE_DECIDES, INFRINGER_KIND_LABELS, INFRINGING_ACT_LABELS, ORGANISATION_INFRINGERS,
                    REMEDY_LABELS, SECRET_CATEGORY_LABELS, TRACK_LABELS, InfringerKind, InfringingAct, Remedy,
                    SecretCategory, Track)
from .models import Complaint, Infringer

MAX_TEXT = 20000
MAX_AMOUNT = decimal.Decimal("10000000000000")  # 10^13 RMB: anything above is a typing error
TRACK_CHOICES = [t.value for t in Track] + [CENTRE_DECIDES]
# the preferred tracks as the form names them (the error of a wrong value lists these labels)
TRACK_CHOICE_LABELS = {**{t.value: TRACK_LABELS[t] for t in Track}, CENTRE_DECIDES: _l("Let the centre decide")}
MAX_INFRINGERS = 20


def _unique(values):
    return list(dict.fromkeys(values))


class Amount(fields.Decimal):
    """RMB amounts: Decimal with two places, never negative, never a float on the way in."""

    def __init__(self, **kwargs):
        super().__init__(places=2, allow_none=True, as_string=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        try:
            exact = decimal.Decimal(str(value).strip())
        except (decimal.InvalidOperation, ValueError):
            exact = None
        if exact is not None and exact.is_finite() and exact.as_tuple().exponent < -2:
            raise ValidationError(_("Give the amount in yuan with at most two decimals (fen)."))
        num = super()._validated(value)
        if num is not None and num < 0:
            raise ValidationError(_("The amount cannot be negative."))
        if num is not None and num >= MAX_AMOUNT:
            raise ValidationError(_("The amount is too large."))
        return abs(num) if num is not None and num.is_zero() else num  # "-0" is zero, not "-0.00"


PENALTY_FIELDS = ("penalty_decision_number", "penalty_authority", "penalty_decided_on")


def _today():
    return dt.datetime.now(SHANGHAI).date()


class InfringerSchema(StrictSchema):
    kind = EnumValue(InfringerKind, labels=INFRINGER_KIND_LABELS, required=True)
    name = Name(column=Infringer.name, allow_none=True)
    credit_code = CompactCode(column=Infringer.credit_code, allow_none=True, validate=validate_credit_code,
                       too_long=credit_code_length_message,
                       metadata={"description": "统一社会信用代码 (18 characters, GB 32100-2015), organisations "
                                       "only; spaces are removed and letters upper-cased before it is checked."})
    district = EnumValue(District, labels=DISTRICT_LABELS, allow_none=True, metadata={
        "description": "The infringer's district in Shanghai (null: outside Shanghai or unknown); the routing "
                       "suggestion proposes the agencies of this district."})
    penalty_decision_number = Code(column=Infringer.penalty_decision_number, allow_none=True, metadata={
        "description": "An earlier administrative penalty of this infringer for trade-secret infringement: the "
                       "decision's number (文号), e.g. 沪市监处〔2025〕12号. Given with its authority and date."})
    penalty_authority = Name(column=Infringer.penalty_authority, allow_none=True, metadata={
        "description": "The authority that decided that penalty (e.g. 上海市市场监督管理局)."})
    penalty_decided_on = fields.Date(allow_none=True, metadata={
        "description": "The date of that penalty decision: not in the future, not after the infringement "
                       "(discovered_on). When it falls within the two years before the infringement (until the same "
                       "day two years later; 28 February for a decision of 29 February), the routing rules apply the "
                       "lower criminal threshold (CRIMINAL_FILING_THRESHOLD_AFTER_PENALTY, 100,000 RMB) and name "
                       "the decision in their explanation."})

    @validates("penalty_decided_on")
    def penalty_not_in_future(self, value, **kwargs):
        if value and value > _today():
            raise ValidationError(_("The date of the penalty decision cannot be in the future."))

    @validates_schema
    def credit_code_only_for_organisations(self, data, **kwargs):
        if data.get("credit_code") and data.get("kind") not in ORGANISATION_INFRINGERS:
            raise ValidationError(_("A credit code applies only to an organisation."), "credit_code")

    @validates_schema
    def penalty_complete(self, data, **kwargs):
        """A penalty decision is named by its number, its authority and its date: all three or none."""
        given = [name for name in PENALTY_FIELDS if data.get(name) not in (None, "")]
        if given and len(given) < len(PENALTY_FIELDS):
            raise ValidationError({name: [_("Give the penalty decision's number, authority and date together.")]
                                   for name in PENALTY_FIELDS if name not in given})


class ComplaintDraftSchema(StrictSchema):
    """Everything the enterprise may write. Every field optional: drafts may be incomplete."""

    contact_name = Name(column=Complaint.contact_name, allow_none=True)
    contact_phone = Code(column=Complaint.contact_phone, allow_none=True, validate=validate_phone)
    contact_email = EmailAddress(column=Complaint.contact_email, allow_none=True)
    secret_category = EnumValue(SecretCategory, labels=SECRET_CATEGORY_LABELS, allow_none=True)
    secret_description = Text(MAX_TEXT, column=Complaint.secret_description, allow_none=True)
    confidentiality_measures = Text(MAX_TEXT, column=Complaint.confidentiality_measures, allow_none=True)
    commercial_value = Text(MAX_TEXT, column=Complaint.commercial_value, allow_none=True)
    infringers = fields.List(fields.Nested(InfringerSchema), validate=validate.Length(max=MAX_INFRINGERS), metadata={
        "description": "The suspected infringers (at most 20), each with an earlier penalty decision if any: the "
                       "routing rules read their districts and penalty decisions."})
    infringing_acts = fields.List(EnumValue(InfringingAct, labels=INFRINGING_ACT_LABELS),
                                  validate=validate.Length(max=20), metadata={
        "description": "The infringing acts: theft, bribery, fraud, coercion or electronic intrusion with a "
                       "criminal_investigation remedy suggest the criminal track; patent_application a consultation."})
    discovered_on = fields.Date(allow_none=True, metadata={
        "description": "When the infringement was discovered (not in the future): the date of the infringement "
                       "from which the rules count back the two years of an earlier penalty."})
    estimated_loss = Amount(metadata={
        "description": "The holder's estimated loss in RMB (two decimals, a string). The larger of this and the "
                       "illegal gains is compared with the criminal filing threshold (300,000 RMB; 100,000 RMB "
                       "after a penalty within two years)."})
    estimated_illegal_gains = Amount(metadata={
        "description": "The infringer's estimated illegal gains in RMB; compared like estimated_loss."})
    holder_bankrupt_or_closed = fields.Boolean(allow_none=True, metadata={
        "description": "true: the infringement drove the holder into bankruptcy or closure, which meets the "
                       "criminal filing standard whatever the amount (null: not known)."})
    remedies = fields.List(EnumValue(Remedy, labels=REMEDY_LABELS), validate=validate.Length(max=20), metadata={
        "description": "What the enterprise asks for: civil_damages or injunction_preservation suggest the civil "
                       "track, administrative_investigation the market regulator, criminal_investigation the police "
                       "(with a suspicious act)."})
    preferred_tracks = fields.List(fields.String(validate=OneOfLabelled(TRACK_CHOICE_LABELS)),
                                   validate=validate.Length(max=20), metadata={
        "description": "The tracks the enterprise prefers, or [\"centre_decides\"]; a difference from the tracks "
                       "the rules suggest suggests a consultation."})
    facts = Text(MAX_TEXT * 2, column=Complaint.facts, allow_none=True)

    @validates("discovered_on")
    def not_in_future(self, value, **kwargs):
        if value and value > _today():
            raise ValidationError(_("The date of discovery cannot be in the future."))

    @validates("preferred_tracks")
    def centre_decides_alone(self, value, **kwargs):
        if CENTRE_DECIDES in value and len(value) > 1:
            raise ValidationError(_("Either choose tracks or let the centre decide, not both."))

    @post_load
    def normalise(self, data, **kwargs):
        for key in ("infringing_acts", "remedies"):
            if key in data:
                data[key] = _unique(member.value for member in data[key])
        if "preferred_tracks" in data:
            data["preferred_tracks"] = _unique(data["preferred_tracks"])
        for key, value in list(data.items()):
            if isinstance(value, str):
                data[key] = value.strip() or None
        return data


# What submission requires, by field (the draft schema has already checked each value's form).
REQUIRED_TEXT = ("contact_name", "contact_phone", "contact_email", "secret_description",
                 "confidentiality_measures", "commercial_value", "facts")


def completeness_errors(complaint) -> dict[str, list[str]]:
    """Every missing element at once, keyed by field, so the form can mark them all."""
    required = _l("This field is required before submission.")  # translated only if it is shown
    errors = {}
    for name in REQUIRED_TEXT:
        if not (getattr(complaint, name) or "").strip():
            errors[name] = [required]
    if complaint.secret_category is None:
        errors["secret_category"] = [required]
    if complaint.discovered_on is None:
        errors["discovered_on"] = [required]
    if not complaint.infringing_acts:
        errors["infringing_acts"] = [_("Choose at least one infringing act.")]
    if not complaint.remedies:
        errors["remedies"] = [_("Choose at least one remedy.")]
    if not complaint.preferred_tracks:
        errors["preferred_tracks"] = [_("Choose the tracks you prefer, or let the centre decide.")]
    if not complaint.infringers:
        errors["infringers"] = [_("Name at least one suspected infringer (the type may be unknown).")]
    for i, infringer in enumerate(complaint.infringers):
        if infringer.kind is not InfringerKind.unknown and not (infringer.name or "").strip():
            errors[f"infringers.{i}.name"] = [_("Give the infringer's name (or choose the type unknown).")]
    errors.update(penalty_date_errors(complaint.discovered_on, [i.penalty_decided_on for i in complaint.infringers]))
    return errors


def penalty_date_errors(discovered_on, penalty_dates) -> dict[str, list[str]]:
    """A penalty decided after the infringement (its discovery) cannot be an earlier penalty: one error per
    infringer, on its date field. Checked on what the complaint will hold, since a change may send either
    date alone (see services._apply)."""
    errors = {}
    for i, decided_on in enumerate(penalty_dates):
        if decided_on is None:
            continue
        if decided_on > _today():
            errors[f"infringers.{i}.penalty_decided_on"] = [
                _("The date of the penalty decision cannot be in the future.")]
        elif discovered_on is not None and decided_on > discovered_on:
            errors[f"infringers.{i}.penalty_decided_on"] = [
                _("The penalty decision must precede the infringement (discovered on %(date)s).",
                  date=discovered_on.isoformat())]
    return errors


class PartyRefSchema(OutSchema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)


class InfringerOutSchema(OutSchema):
    kind = EnumValue(InfringerKind, labels=INFRINGER_KIND_LABELS, required=True)
    name = fields.String()
    credit_code = fields.String()
    district = EnumValue(District, labels=DISTRICT_LABELS)
    penalty_decision_number = fields.String()
    penalty_authority = fields.String()
    penalty_decided_on = fields.Date()


class ComplaintSchema(OutSchema):
    id = fields.UUID()
    reference = fields.String()
    state = EnumValue(ComplaintState, labels=COMPLAINT_STATE_LABELS, required=True)
    version = fields.Integer(required=True)
    enterprise = fields.Nested(PartyRefSchema, required=True)
    centre = fields.Nested(PartyRefSchema, metadata={"description": "null while a draft."})
    contact_name = fields.String()
    contact_phone = fields.String()
    contact_email = fields.String()
    secret_category = EnumValue(SecretCategory, labels=SECRET_CATEGORY_LABELS)
    secret_description = fields.String()
    confidentiality_measures = fields.String()
    commercial_value = fields.String()
    infringers = fields.List(fields.Nested(InfringerOutSchema))
    infringing_acts = fields.List(coded(InfringingAct, INFRINGING_ACT_LABELS))
    discovered_on = fields.Date()
    estimated_loss = fields.Decimal(as_string=True, places=2)
    estimated_illegal_gains = fields.Decimal(as_string=True, places=2)
    holder_bankrupt_or_closed = fields.Boolean(allow_none=True)
    remedies = fields.List(coded(Remedy, REMEDY_LABELS))
    preferred_tracks = fields.List(coded(TRACK_CHOICES, TRACK_CHOICE_LABELS, "PreferredTrack"))
    facts = fields.String()
    withdrawal_reason = fields.String()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    submitted_at = fields.AwareDateTime()


class ComplaintSummarySchema(OutSchema):
    id = fields.UUID()
    reference = fields.String()
    state = EnumValue(ComplaintState, labels=COMPLAINT_STATE_LABELS, required=True)
    secret_category = EnumValue(SecretCategory, labels=SECRET_CATEGORY_LABELS)
    updated_at = fields.AwareDateTime()
    submitted_at = fields.AwareDateTime()


class WithdrawSchema(StrictSchema):
    reason = Text(2000, column=Complaint.withdrawal_reason, min_length=1, required=True)

    @validates("reason")
    def not_blank(self, value, **kwargs):
        if not value.strip():
            raise ValidationError(_("Give a reason."))


class TimelineEventSchema(OutSchema):
    at = fields.AwareDateTime()
    kind = coded(EventKind, EVENT_KIND_LABELS, required=True)
    trigger = fields.String(metadata={"description": "The trigger fired (the labels of every machine's triggers: "
                                                     "GET /labels)."})
    from_state = fields.String(metadata={"description": "The state of the subject before (a complaint's, a "
                                                        "referral's or a consultation's)."})
    to_state = fields.String()
    actor = Computed(lambda e: e.actor.name if e.actor else None, fields.String(),
                     metadata={"description": "The name of who acted (null: the platform)."})
    organisation = Computed(lambda e: e.organisation.name if e.organisation else None, fields.String(),
                            metadata={"description": "The name of the actor's organisation."})
    reason = fields.String()
    payload = fields.Dict()


class EvidenceSchema(OutSchema):
    id = fields.UUID()
    display_name = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = Computed(lambda e: e.uploaded_by.name, fields.String(), required=True,
                           metadata={"description": "The uploader's name."})
    created_at = fields.AwareDateTime()
