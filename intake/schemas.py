"""One schema set for the complaint form and the API: load (draft), completeness, dump."""
import datetime as dt
import decimal

from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError, fields, post_load, validate, validates, validates_schema

from accounts.enums import District
from accounts.schemas import credit_code_length_message, validate_credit_code
from core.schemas import Code, EmailAddress, EnumValue, Name, OutSchema, StrictSchema, Text, validate_phone
from core.timeutil import SHANGHAI

from .enums import (CENTRE_DECIDES, ORGANISATION_INFRINGERS, InfringerKind, InfringingAct, Remedy, SecretCategory,
                    Track)
from .models import Complaint, Infringer

MAX_TEXT = 20000
MAX_AMOUNT = decimal.Decimal("10000000000000")  # 10^13 RMB: anything above is a typing error
TRACK_CHOICES = [t.value for t in Track] + [CENTRE_DECIDES]


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


class InfringerSchema(StrictSchema):
    kind = EnumValue(InfringerKind, required=True)
    name = Name(column=Infringer.name, allow_none=True)
    credit_code = Code(column=Infringer.credit_code, allow_none=True, validate=validate_credit_code,
                       too_long=credit_code_length_message)
    district = EnumValue(District, allow_none=True)

    @validates_schema
    def credit_code_only_for_organisations(self, data, **kwargs):
        if data.get("credit_code") and data.get("kind") not in ORGANISATION_INFRINGERS:
            raise ValidationError(_("A credit code applies only to an organisation."), "credit_code")


class ComplaintDraftSchema(StrictSchema):
    """Everything the enterprise may write. Every field optional: drafts may be incomplete."""

    contact_name = Name(column=Complaint.contact_name, allow_none=True)
    contact_phone = Code(column=Complaint.contact_phone, allow_none=True, validate=validate_phone)
    contact_email = EmailAddress(column=Complaint.contact_email, allow_none=True)
    secret_category = EnumValue(SecretCategory, allow_none=True)
    secret_description = Text(MAX_TEXT, column=Complaint.secret_description, allow_none=True)
    confidentiality_measures = Text(MAX_TEXT, column=Complaint.confidentiality_measures, allow_none=True)
    commercial_value = Text(MAX_TEXT, column=Complaint.commercial_value, allow_none=True)
    infringers = fields.List(fields.Nested(InfringerSchema), validate=validate.Length(max=20))
    infringing_acts = fields.List(EnumValue(InfringingAct), validate=validate.Length(max=20))
    discovered_on = fields.Date(allow_none=True)
    estimated_loss = Amount()
    estimated_illegal_gains = Amount()
    prior_admin_penalty = fields.Boolean(allow_none=True)
    holder_bankrupt_or_closed = fields.Boolean(allow_none=True)
    remedies = fields.List(EnumValue(Remedy), validate=validate.Length(max=20))
    preferred_tracks = fields.List(fields.String(validate=validate.OneOf(TRACK_CHOICES, error="Not a valid choice.")),
                                   validate=validate.Length(max=20))
    facts = Text(MAX_TEXT * 2, column=Complaint.facts, allow_none=True)

    @validates("discovered_on")
    def not_in_future(self, value, **kwargs):
        if value and value > dt.datetime.now(SHANGHAI).date():
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
    return errors


class InfringerOutSchema(OutSchema):
    kind = EnumValue(InfringerKind)
    name = fields.String()
    credit_code = fields.String()
    district = EnumValue(District)


class ComplaintSchema(OutSchema):
    id = fields.UUID()
    reference = fields.String()
    state = fields.Function(lambda c: c.state.value)
    version = fields.Integer()
    enterprise = fields.Function(lambda c: {"id": str(c.enterprise.id), "name": c.enterprise.name})
    centre = fields.Function(lambda c: {"id": str(c.centre.id), "name": c.centre.name} if c.centre else None)
    contact_name = fields.String()
    contact_phone = fields.String()
    contact_email = fields.String()
    secret_category = EnumValue(SecretCategory)
    secret_description = fields.String()
    confidentiality_measures = fields.String()
    commercial_value = fields.String()
    infringers = fields.List(fields.Nested(InfringerOutSchema))
    infringing_acts = fields.List(fields.String())
    discovered_on = fields.Date()
    estimated_loss = fields.Decimal(as_string=True)
    estimated_illegal_gains = fields.Decimal(as_string=True)
    prior_admin_penalty = fields.Boolean(allow_none=True)
    holder_bankrupt_or_closed = fields.Boolean(allow_none=True)
    remedies = fields.List(fields.String())
    preferred_tracks = fields.List(fields.String())
    facts = fields.String()
    withdrawal_reason = fields.String()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    submitted_at = fields.AwareDateTime()


class ComplaintSummarySchema(OutSchema):
    id = fields.UUID()
    reference = fields.String()
    state = fields.Function(lambda c: c.state.value)
    secret_category = EnumValue(SecretCategory)
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
    kind = fields.String()
    trigger = fields.String()
    from_state = fields.String()
    to_state = fields.String()
    actor = fields.Function(lambda e: e.actor.name if e.actor else None)
    organisation = fields.Function(lambda e: e.organisation.name if e.organisation else None)
    reason = fields.String()
    payload = fields.Dict()


class EvidenceSchema(OutSchema):
    id = fields.UUID()
    display_name = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.Function(lambda e: e.uploaded_by.name)
    created_at = fields.AwareDateTime()
