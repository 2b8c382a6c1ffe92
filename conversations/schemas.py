"""The message form and the API share one load schema; the answers are OutSchemas."""
from flask import url_for
from marshmallow import fields

from core.schemas import Computed, EnumValue, OutSchema, StrictSchema, Text

from .models import MAX_BODY, SIDE_LABELS, Side


class MessageSchema(StrictSchema):
    # a blank one is refused by the service (after the access check: 404 before 422)
    body = Text(MAX_BODY, required=True, metadata={"description": f"The message, at most {MAX_BODY} characters"})


class AttachmentSchema(OutSchema):
    id = fields.UUID()
    display_name = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    url = Computed(lambda a: url_for("messages.AttachmentContent", complaint_id=a.complaint_id,
                                            attachment_id=a.id), fields.String(), required=True,
                   metadata={"description": "Where the API serves the decrypted file"})


class MessageOutSchema(OutSchema):
    id = fields.UUID()
    complaint_id = fields.UUID()
    side = EnumValue(Side, labels=SIDE_LABELS, required=True, metadata={"description": "enterprise: the complaint's enterprise; centre: its centre"})
    author_name = Computed(lambda m: m.author.name, fields.String(), required=True)
    body = fields.String()
    created_at = fields.AwareDateTime()
    attachments = fields.List(fields.Nested(AttachmentSchema))
