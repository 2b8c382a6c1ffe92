"""The rating and review forms and the API share one load schema each; the answers are OutSchemas."""
from marshmallow import fields

from core.pagination import CursorArgs
from core.schemas import Computed, EnumValue, OutSchema, StrictSchema, Text

from .models import RATING_LABELS, Rating
from .satisfaction import MAX_ACTION, MAX_COMMENT


class RatingSchema(StrictSchema):
    rating = EnumValue(Rating, labels=RATING_LABELS, required=True, metadata={
        "description": "satisfied, basically_satisfied or dissatisfied (which reopens the complaint for review)"})
    # required with "dissatisfied" (the service says so, after the access check)
    comment = Text(MAX_COMMENT, load_default=None, allow_none=True, metadata={
        "description": f"What the enterprise thinks of how it was handled, at most {MAX_COMMENT} characters; "
                       "required when dissatisfied"})


class ReviewSchema(StrictSchema):
    # a blank one is refused by the service (after the access check: 404 before 422)
    action = Text(MAX_ACTION, required=True, metadata={
        "description": f"What the centre did about the enterprise's dissatisfaction, at most {MAX_ACTION} characters"})


class RatingListArgs(CursorArgs):
    rating = EnumValue(Rating, labels=RATING_LABELS, load_default=None, metadata={"description": "Only this rating"})
    pending = fields.Boolean(load_default=False, metadata={
        "description": "Only the dissatisfied ratings whose review the centre has not recorded yet"})


class ReviewOutSchema(OutSchema):
    opened_at = fields.AwareDateTime(required=True)
    action = fields.String(metadata={"description": "What the centre did; null while the review is open"})
    reviewed_at = fields.AwareDateTime()
    reviewer_name = Computed(lambda r: r.reviewed_by.name if r.reviewed_by else None, fields.String(), metadata={
        "description": "The clerk who recorded the review"})


class RatingOutSchema(OutSchema):
    complaint_id = fields.UUID(required=True)
    reference = Computed(lambda r: r.complaint_reference, fields.String(), required=True)
    centre_id = fields.UUID(required=True)
    rating = EnumValue(Rating, labels=RATING_LABELS, required=True)
    comment = fields.String()
    rated_at = fields.AwareDateTime(required=True)
    review = fields.Nested(ReviewOutSchema, metadata={"description": "The centre's review of a dissatisfied "
                                                                     "rating; null for the others"})


class ComplaintSatisfactionSchema(OutSchema):
    complaint_id = fields.UUID(required=True)
    rating = fields.Nested(RatingOutSchema, metadata={"description": "The enterprise's rating; null until it rates"})
    can_rate = fields.Boolean(required=True, metadata={
        "description": "Whether this user may rate it now (its enterprise, concluded, not rated, within the period)"})
    rate_by = fields.AwareDateTime(metadata={"description": "The end of the period for rating, while it may be rated"})
    can_review = fields.Boolean(required=True, metadata={
        "description": "Whether this user may record the centre's review now (a clerk of its centre, under review)"})
