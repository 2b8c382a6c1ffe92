"""The publication's load schemas (forms and API alike) and answer schemas."""
from flask import url_for
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from core.schemas import Computed, EnumValue, Name, OneOfLabelled, OutSchema, StrictSchema, Text, coded
from intake.enums import INFRINGING_ACT_LABELS, TRACK_LABELS, InfringingAct, Track

from .enums import (ANSWER_LABELS, ARTICLE_KIND_LABELS, CASE_STATE_LABELS, INDUSTRY_LABELS, Answer, CaseState, Industry)
from .models import MAX_REASON, MAX_SUMMARY, MAX_TITLE
from .questionnaire import ContentSchema

MAX_QUERY = 100
KNOWLEDGE_KINDS = {**{k.value: v for k, v in ARTICLE_KIND_LABELS.items()}, "typical_case": _l("Typical cases")}


class CaseTextsSchema(StrictSchema):
    """A draft's editable content (every field optional: a PATCH changes what it names)."""

    title_zh = Name(MAX_TITLE, metadata={"description": "The title in Chinese"})
    title_en = Name(MAX_TITLE, allow_none=True, metadata={"description": "The title in English (optional)"})
    summary_zh = Text(MAX_SUMMARY, metadata={"description": "The anonymised summary in Chinese"})
    summary_en = Text(MAX_SUMMARY, allow_none=True, metadata={"description": "The summary in English (optional)"})
    # each act once at most: a longer list has a repeated or unknown act (refused by the service)
    infringing_acts = fields.List(EnumValue(InfringingAct, labels=INFRINGING_ACT_LABELS),
                                  validate=validate.Length(max=500, error="At most 500 items."))
    industry = EnumValue(Industry, labels=INDUSTRY_LABELS)
    track = EnumValue(Track, labels=TRACK_LABELS, allow_none=True)


class CaseCreateSchema(CaseTextsSchema):
    complaint_id = fields.UUID(required=True, metadata={"description": "The concluded complaint it is drawn from"})
    industry = EnumValue(Industry, labels=INDUSTRY_LABELS, required=True)


class UnpublishSchema(StrictSchema):
    reason = Text(MAX_REASON, required=True, metadata={"description": "Why it leaves the public pages"})


class CaseSearchArgs(StrictSchema):
    q = Name(MAX_QUERY, load_default=None, allow_none=True,
             metadata={"description": "Words in the title or summary (either language)"})
    act = EnumValue(InfringingAct, labels=INFRINGING_ACT_LABELS, load_default=None, allow_none=True)
    industry = EnumValue(Industry, labels=INDUSTRY_LABELS, load_default=None, allow_none=True)
    track = EnumValue(Track, labels=TRACK_LABELS, load_default=None, allow_none=True)


class KnowledgeArgs(StrictSchema):
    q = Name(MAX_QUERY, load_default=None, allow_none=True, metadata={"description": "Words to find"})
    kind = fields.String(load_default=None, allow_none=True, validate=OneOfLabelled(KNOWLEDGE_KINDS))


class AssessmentSchema(StrictSchema):
    answers = fields.Dict(keys=Name(40), values=fields.String(validate=OneOfLabelled(
                              {a.value: label for a, label in ANSWER_LABELS.items()})),
                          required=True, validate=validate.Length(max=200),
                          metadata={"description": "Question key -> yes, partly or no (every question)"})


class QuestionnaireSchema(StrictSchema):
    content = fields.Nested(ContentSchema, required=True)


def _text(obj, name):
    from .services import text_of
    return text_of(obj, name)


class PublicCaseSchema(OutSchema):
    id = fields.UUID(required=True)
    title = Computed(lambda c: _text(c, "title"), fields.String(), required=True,
                     metadata={"description": "In the reader's language (Accept-Language), else Chinese"})
    summary = Computed(lambda c: _text(c, "summary"), fields.String(), required=True)
    title_zh = fields.String(required=True)
    title_en = fields.String()
    summary_zh = fields.String(required=True)
    summary_en = fields.String()
    infringing_acts = fields.List(coded(InfringingAct), required=True)
    industry = EnumValue(Industry, labels=INDUSTRY_LABELS, required=True)
    track = EnumValue(Track, labels=TRACK_LABELS)
    published_at = fields.AwareDateTime()
    url = Computed(lambda c: url_for("publication.case_page", case_id=c.id, _external=False), fields.String(),
                   required=True, metadata={"description": "The public page"})


class CaseSchema(PublicCaseSchema):
    """A case as the supervisor office sees it."""

    state = EnumValue(CaseState, labels=CASE_STATE_LABELS, required=True)
    complaint_id = fields.UUID(required=True)
    drafted_by_id = fields.UUID(required=True)
    approved_by_id = fields.UUID()
    unpublished_at = fields.AwareDateTime()
    unpublish_reason = fields.String()
    allowed_actions = fields.List(fields.String(), required=True,
                                  metadata={"description": "What the caller may do now: edit, approve, unpublish"})


class KnowledgeEntrySchema(OutSchema):
    kind = coded(list(KNOWLEDGE_KINDS), KNOWLEDGE_KINDS, name="KnowledgeKind", required=True)
    title = fields.String(required=True)
    excerpt = fields.String(required=True)
    url = fields.String(required=True)


class ImprovementSchema(OutSchema):
    key = fields.String(required=True)
    area = fields.String(required=True)
    question = fields.String(required=True)
    advice = fields.String(required=True)
    answer = EnumValue(Answer, labels=ANSWER_LABELS, required=True)


class AreaScoreSchema(OutSchema):
    area = fields.String(required=True)
    score = fields.Integer(required=True)


class AssessmentOutSchema(OutSchema):
    id = fields.UUID(required=True)
    questionnaire_version = fields.Integer(required=True)
    score = fields.Integer(required=True, metadata={"description": "Percent of the questions' weights, 0..100"})
    areas = fields.List(fields.Nested(AreaScoreSchema), required=True)
    improvements = fields.List(fields.Nested(ImprovementSchema), required=True)
    answers = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    submitted_at = fields.AwareDateTime(required=True)


class QuestionOutSchema(OutSchema):
    key = fields.String(required=True)
    area = fields.String(required=True)
    weight = fields.Integer(required=True)
    text = fields.String(required=True)
    advice = fields.String(required=True)


class QuestionnaireOutSchema(OutSchema):
    version = fields.Integer(required=True)
    title = fields.String(required=True)
    questions = fields.List(fields.Nested(QuestionOutSchema), required=True)
