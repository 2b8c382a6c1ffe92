"""The referral as an agency's system reads it (GET /api/v1/referrals/{id}): everything its letter says, as data.

The fields come from routing.letters.letter_data, the dict the letter itself is rendered from, so the JSON
and the letter cannot disagree (tests/agencies/test_referral_data.py rebuilds the letter from the JSON).
"""
from marshmallow import fields, validate

from accounts.enums import District
from core.schemas import EnumValue, OutSchema
from intake.enums import InfringerKind, InfringingAct, Remedy, SecretCategory
from intake.schemas import TRACK_CHOICES
from routing.letters import LETTER_KINDS
from routing.schemas import EvidenceRefSchema, ReferralSchema

MONEY_PATTERN = r"^[0-9]+\.[0-9]{2}$"


def _one_of(choices):
    """The choices, documented as the field's enum (answers are never validated: no message to translate)."""
    return validate.OneOf(choices, error="Not a valid choice.")


def Money(**kwargs):
    """An amount in yuan as a decimal string with two places ("180000.00"), never a number (no float rounding)."""
    return fields.Decimal(places=2, as_string=True, allow_none=True, metadata={
        "type": "string", "pattern": MONEY_PATTERN,
        "description": kwargs.pop("description", "RMB, a decimal string with two places; null: not given.")},
        **kwargs)


class StoredCode(EnumValue):
    """A coded value kept as its value in a JSON column (the complaint's acts and remedies): dumped as stored."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) else super()._serialize(value, attr, obj, **kwargs)


class PartySchema(OutSchema):
    id = fields.UUID()
    name = fields.String()


class EnterpriseSchema(OutSchema):
    id = fields.UUID()
    name = fields.String()
    credit_code = fields.String(metadata={"description": "统一社会信用代码 (18 characters)."})
    district = EnumValue(District)


class PenaltyDecisionSchema(OutSchema):
    number = fields.String(metadata={"description": "The decision's number (文号)."})
    authority = fields.String()
    decided_on = fields.Date()


class InfringerDetailSchema(OutSchema):
    kind = EnumValue(InfringerKind)
    name = fields.String(allow_none=True)
    credit_code = fields.String(allow_none=True, metadata={"description": "统一社会信用代码 of an organisation."})
    district = EnumValue(District, allow_none=True, metadata={"description": "null: outside Shanghai or unknown."})
    penalty_decision = fields.Nested(PenaltyDecisionSchema, allow_none=True, metadata={
        "description": "An earlier administrative penalty of this infringer for trade-secret infringement "
                       "(行政处罚决定书); null: none given."})


class ComplaintDetailsSchema(OutSchema):
    """The complaint as the centre accepted it and the letter states it."""

    id = fields.UUID()
    reference = fields.String()
    submitted_at = fields.AwareDateTime()
    accepted_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "When the centre accepted the complaint (the letter's 受理 time); null when it never did "
                       "(a referral decided from a consultation's minutes)."})
    enterprise = fields.Nested(EnterpriseSchema, metadata={"description": "The complainant, the secret's holder."})
    secret_category = EnumValue(SecretCategory, allow_none=True)
    secret_description = fields.String(allow_none=True)
    confidentiality_measures = fields.String(allow_none=True)
    commercial_value = fields.String(allow_none=True)
    infringers = fields.List(fields.Nested(InfringerDetailSchema))
    infringing_acts = fields.List(StoredCode(InfringingAct))
    discovered_on = fields.Date(allow_none=True, metadata={"description": "When the infringement was discovered."})
    estimated_loss = Money()
    estimated_illegal_gains = Money()
    holder_bankrupt_or_closed = fields.Boolean(allow_none=True, metadata={
        "description": "The infringement drove the holder into bankruptcy or closure (null: not said)."})
    remedies = fields.List(StoredCode(Remedy), metadata={"description": "What the enterprise asks for."})
    preferred_tracks = fields.List(fields.String(validate=_one_of(TRACK_CHOICES)))
    facts = fields.String(allow_none=True)


class CentreContactSchema(OutSchema):
    """The rights-protection centre that referred the complaint, and whom to call there."""

    id = fields.UUID()
    name = fields.String()
    contact_person = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class LetterSchema(OutSchema):
    kind = fields.String(validate=_one_of(LETTER_KINDS), metadata={
        "description": "referral_letter (移送函: administrative and criminal tracks); for a court "
                       "mediation_letter (诉前调解函) or filing_guide (起诉指引, addressed to the enterprise)."})
    title = fields.String()
    number = fields.String()
    addressee = fields.Nested(PartySchema, metadata={"description": "The agency, or the enterprise (filing_guide)."})
    sent_at = fields.AwareDateTime()
    html_url = fields.String(metadata={"format": "uri-reference", "description": "GET: the letter as HTML."})
    pdf_url = fields.String(metadata={"format": "uri-reference", "description": "GET: the letter as PDF."})


class SharedEvidenceSchema(EvidenceRefSchema):
    shared_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "When it was shared: with the letter, or later with a supplement."})
    download_url = fields.String(allow_none=True, metadata={
        "format": "uri-reference",
        "description": "GET (with your bearer token): the file, whose SHA-256 is `sha256`. Only the referral's "
                       "own agency may download through the referral; null for everyone else."})


class ReferralDetailSchema(ReferralSchema):
    """A referral with everything its letter says, as fields (GET /referrals/{id})."""

    complaint_details = fields.Nested(ComplaintDetailsSchema, attribute="details.complaint")
    centre = fields.Nested(CentreContactSchema, attribute="details.centre", allow_none=True)
    letter = fields.Nested(LetterSchema, attribute="details")
    shared_evidence = fields.List(fields.Nested(SharedEvidenceSchema), attribute="details.evidence")
