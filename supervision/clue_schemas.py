"""Clue linking's schemas: the link form and the API share one load schema; the answers are OutSchemas."""
from flask import url_for
from marshmallow import fields

from core.schemas import Code, Computed, EnumValue, OutSchema, StrictSchema, Text
from intake.enums import COMPLAINT_STATE_LABELS, ComplaintState

from .clue_models import CLUE_KIND_LABELS, COMPLAINT_LINK_KIND_LABELS, MAX_LINK_MESSAGE, ClueKind, ComplaintLinkKind


class LinkSchema(StrictSchema):
    other_reference = Code(20, required=True, metadata={
        "description": "The reference of a related complaint (one sharing an infringer: GET .../related)"})
    kind = EnumValue(ComplaintLinkKind, labels=COMPLAINT_LINK_KIND_LABELS, required=True,
                     metadata={"description": "duplicate: this complaint is closed as a duplicate of the other "
                                              "(message required, told to its enterprise); related: both stay open"})
    message = Text(MAX_LINK_MESSAGE, load_default=None, allow_none=True,
                   metadata={"description": "For a duplicate: why, as the enterprise is told"})


class MatchSchema(OutSchema):
    kind = EnumValue(ClueKind, labels=CLUE_KIND_LABELS, required=True)
    label = fields.String(required=True, metadata={"description": "The infringer as the other complaint names it"})


class RelatedSchema(OutSchema):
    complaint_id = Computed(lambda r: r.id if r.visible else None, fields.UUID(allow_none=True),
                            metadata={"description": "Null when the viewer may not open that complaint"})
    reference = fields.String(required=True)
    centre_name = fields.String(required=True)
    state = EnumValue(ComplaintState, labels=COMPLAINT_STATE_LABELS, required=True)
    submitted_at = fields.AwareDateTime(allow_none=True)
    visible = fields.Boolean(required=True)
    enterprise_name = Computed(lambda r: r.complaint.enterprise.name if r.visible else None,
                               fields.String(allow_none=True),
                               metadata={"description": "Null when the viewer may not open that complaint"})
    link = EnumValue(ComplaintLinkKind, labels=COMPLAINT_LINK_KIND_LABELS, allow_none=True,
                     metadata={"description": "A clerk's link between the two complaints, either way"})
    matches = Computed(lambda r: [{"kind": k.value, "label": label} for k, label in r.matches],
                       fields.List(fields.Nested(MatchSchema)), required=True)


class LinkOutSchema(OutSchema):
    id = fields.Integer(required=True)
    complaint_id = fields.UUID(required=True)
    other_id = fields.UUID(required=True)
    other_reference = Computed(lambda link: link.other.reference, fields.String(), required=True)
    kind = EnumValue(ComplaintLinkKind, labels=COMPLAINT_LINK_KIND_LABELS, required=True)
    message = fields.String(allow_none=True)
    created_at = fields.AwareDateTime(required=True)


class ClusterSchema(OutSchema):
    key_id = fields.Integer(required=True)
    kind = EnumValue(ClueKind, labels=CLUE_KIND_LABELS, required=True)
    label = fields.String(required=True)
    count = fields.Integer(required=True, metadata={"description": "How many complaints name this infringer"})
    url = Computed(lambda c: url_for("clues.cluster_page", clue_id=c.key_id), fields.String(), required=True,
                   metadata={"description": "The supervisors' page of this infringer's complaints"})
