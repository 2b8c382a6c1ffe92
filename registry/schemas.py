"""The registry's request and answer schemas: the same request schema for a page's form and the API."""
from marshmallow import fields, validate

from accounts.enums import DISTRICT_LABELS, District
from accounts.schemas import credit_code_length_message, validate_credit_code
from core.pagination import CursorArgs, page_schema
from core.schemas import CompactCode, Computed, EnumValue, Name, OutSchema, StrictSchema, validate_not_blank

from .enums import (BASE_KIND_LABELS, BASE_STATUS_LABELS, EXPERT_KIND_LABELS, INDUSTRY_LABELS, BaseKind, BaseStatus,
                    ExpertKind, Industry)
from .models import DemoBase, Expert, ExpertConflict, TalentTag


class BaseRequest(StrictSchema):
    kind = EnumValue(BaseKind, labels=BASE_KIND_LABELS, required=True)
    name = Name(column=DemoBase.__table__.c.name, required=True, validate=validate_not_blank)
    district = EnumValue(District, labels=DISTRICT_LABELS, required=True)
    host_name = Name(column=DemoBase.__table__.c.host_name, required=True, validate=validate_not_blank)
    host_credit_code = CompactCode(column=DemoBase.__table__.c.host_credit_code, load_default=None, allow_none=True,
                                   validate=validate_credit_code, too_long=credit_code_length_message)
    industry = EnumValue(Industry, labels=INDUSTRY_LABELS, required=True)
    status = EnumValue(BaseStatus, labels=BASE_STATUS_LABELS, required=True)
    centre_id = fields.UUID(required=True)


class BaseFilters(StrictSchema):
    kind = EnumValue(BaseKind, labels=BASE_KIND_LABELS, load_default=None)
    district = EnumValue(District, labels=DISTRICT_LABELS, load_default=None)
    industry = EnumValue(Industry, labels=INDUSTRY_LABELS, load_default=None)
    status = EnumValue(BaseStatus, labels=BASE_STATUS_LABELS, load_default=None)
    q = Name(100, load_default=None, allow_none=True, metadata={"description": "Part of the base's or host's name."})


class BaseListArgs(CursorArgs, BaseFilters):
    pass


class OrgRefSchema(OutSchema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)


class BaseSchema(OutSchema):
    id = fields.UUID(required=True)
    kind = EnumValue(BaseKind, labels=BASE_KIND_LABELS, required=True)
    name = fields.String(required=True)
    district = EnumValue(District, labels=DISTRICT_LABELS, required=True)
    host_name = fields.String(required=True)
    host_credit_code = fields.String()
    host_on_platform = Computed(lambda b: b.host_org_id is not None, fields.Boolean(), required=True, metadata={
        "description": "The host enterprise is on the platform (its complaints count for a station or point)."})
    industry = EnumValue(Industry, labels=INDUSTRY_LABELS, required=True)
    status = EnumValue(BaseStatus, labels=BASE_STATUS_LABELS, required=True)
    centre = fields.Nested(OrgRefSchema, required=True)
    complaints = fields.Integer(metadata={"description": "Complaints of the base: a zone's centre's, a station's "
                                                         "or point's host enterprise's (drafts excluded)."})
    updated_at = fields.AwareDateTime(required=True)


BasePageSchema = page_schema(BaseSchema, "DemoBasePage")


class TargetRowSchema(OutSchema):
    kind = EnumValue(BaseKind, labels=BASE_KIND_LABELS, required=True)
    target = fields.Integer(required=True)
    counted = fields.Integer(required=True, metadata={"description": "Recognised or beyond."})
    cultivation = fields.Integer(required=True)
    missing = fields.Integer(required=True)


class TargetsSchema(OutSchema):
    targets = fields.List(fields.Nested(TargetRowSchema), required=True)


class ConflictRequest(StrictSchema):
    name = Name(column=ExpertConflict.__table__.c.name, load_default=None, allow_none=True)
    credit_code = CompactCode(column=ExpertConflict.__table__.c.credit_code, load_default=None, allow_none=True,
                              validate=validate_credit_code, too_long=credit_code_length_message)
    note = Name(column=ExpertConflict.__table__.c.note, load_default=None, allow_none=True)


class ExpertRequest(StrictSchema):
    kind = EnumValue(ExpertKind, labels=EXPERT_KIND_LABELS, required=True)
    affiliation = Name(column=Expert.__table__.c.affiliation, required=True, validate=validate_not_blank)
    expertise = Name(column=Expert.__table__.c.expertise, required=True, validate=validate_not_blank)
    conflicts = fields.List(fields.Nested(ConflictRequest), load_default=list, validate=validate.Length(max=20))


class ExpertCreateRequest(ExpertRequest):
    user_id = fields.UUID(required=True)


class ExpertFilters(StrictSchema):
    kind = EnumValue(ExpertKind, labels=EXPERT_KIND_LABELS, load_default=None)
    q = Name(100, load_default=None, allow_none=True,
             metadata={"description": "Part of the name, affiliation or fields of expertise."})


class ExpertListArgs(CursorArgs, ExpertFilters):
    pass


class ConflictSchema(OutSchema):
    name = fields.String()
    credit_code = fields.String()
    note = fields.String()


class ExpertSchema(OutSchema):
    id = Computed(lambda e: e.user_id, fields.UUID(), required=True, metadata={"description": "The expert's user id."})
    name = Computed(lambda e: e.user.name, fields.String(), required=True)
    kind = EnumValue(ExpertKind, labels=EXPERT_KIND_LABELS, required=True)
    affiliation = fields.String(required=True)
    expertise = fields.String(required=True)
    conflicts = fields.List(fields.Nested(ConflictSchema), required=True)


ExpertPageSchema = page_schema(ExpertSchema, "ExpertPage")


class InviteExpertsRequest(StrictSchema):
    expert_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(max=20))


class ExpertInvitationOutSchema(OutSchema):
    expert = Computed(lambda i: i.expert.name, fields.String(), required=True)
    expert_id = fields.UUID(required=True)
    invited_at = fields.AwareDateTime(required=True)
    opinion = fields.String()
    opinion_at = fields.AwareDateTime()


class InvitationsSchema(OutSchema):
    expert_invitations = fields.List(fields.Nested(ExpertInvitationOutSchema), required=True)


class OfficerFilters(StrictSchema):
    tag = Name(TalentTag.__table__.c.tag.type.length, load_default=None, allow_none=True,
               metadata={"description": "Officers with a tag containing this text."})
    q = Name(100, load_default=None, allow_none=True, metadata={"description": "Part of the officer's name."})
    agency_id = fields.UUID(load_default=None, allow_none=True)


class OfficerArgs(CursorArgs, OfficerFilters):
    pass


class OfficerSchema(OutSchema):
    id = Computed(lambda r: r["officer"].id, fields.UUID(), required=True)
    name = Computed(lambda r: r["officer"].name, fields.String(), required=True)
    agency = Computed(lambda r: {"id": r["officer"].organisation.id, "name": r["officer"].organisation.name},
                      fields.Nested(OrgRefSchema), required=True)
    tags = fields.List(fields.String(), required=True)
    cases_handled = fields.Integer(required=True, metadata={
        "description": "Referrals the officer decided (opened, declined or concluded)."})


OfficerPageSchema = page_schema(OfficerSchema, "OfficerPage")


class TagRequest(StrictSchema):
    tag = Name(column=TalentTag.__table__.c.tag, required=True, validate=validate_not_blank)


class StaffRequest(StrictSchema):
    officer_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(max=20))


class StaffSchema(OutSchema):
    officer_id = fields.UUID(required=True)
    name = Computed(lambda s: s.officer.name, fields.String(), required=True)
    agency = Computed(lambda s: s.officer.organisation.name, fields.String(), required=True)
    assigned_at = fields.AwareDateTime(required=True)


class StaffListSchema(OutSchema):
    staff = fields.List(fields.Nested(StaffSchema), required=True)
