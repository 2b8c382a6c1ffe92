"""API: satisfaction ratings of concluded complaints, and the centre's review of a dissatisfied one."""
from flask.views import MethodView
from flask_smorest import Blueprint

from core.pagination import page_schema, window
from core.security import api_actor

from . import satisfaction as services
from .satisfaction_schemas import (ComplaintSatisfactionSchema, RatingListArgs, RatingOutSchema, RatingSchema,
                                   ReviewSchema)

blp = Blueprint("satisfaction", __name__, description="Satisfaction ratings of concluded complaints and their review")

RatingPage = page_schema(RatingOutSchema, "SatisfactionRatingPage",
                         total_description="How many ratings match (all pages, these filters).")


def _answer(actor, complaint):
    """The complaint's satisfaction as ``actor`` sees it: the rating (with the complaint's reference and the
    review beside it) and what the actor may do now."""
    found = services.summary(actor, complaint)
    rating = found.get("rating")
    if rating is not None:
        rating.complaint_reference = complaint.reference
        rating.review = found.get("review")
    return {"complaint_id": complaint.id, "rating": rating, "can_rate": found.get("can_rate", False),
            "rate_by": found.get("rate_by"), "can_review": found.get("can_review", False)}


@blp.route("/satisfaction-ratings")
class Ratings(MethodView):
    @blp.arguments(RatingListArgs, location="query")
    @blp.response(200, RatingPage)
    def get(self, args):
        """The ratings of the complaints this user may see, newest first: an enterprise its own, a clerk its
        centre's, a supervisor all (anyone else: an empty list)."""
        page = services.list_ratings(api_actor(), rating=args["rating"], pending=args["pending"],
                                     window=window(args, "satisfaction-ratings"))
        complaints, reviews = services.complaints_by_id(page.items), services.reviews_by_rating(page.items)
        for rating in page.items:
            rating.complaint_reference = complaints[rating.complaint_id].reference
            rating.review = reviews.get(rating.id)
        return page.envelope()


@blp.route("/complaints/<complaint_id>/satisfaction")
class ComplaintRating(MethodView):
    @blp.response(200, ComplaintSatisfactionSchema)
    def get(self, complaint_id):
        """The complaint's rating (null until given) with the centre's review, and whether this user may rate or
        record the review now: its enterprise, its centre's clerks and the supervisors (anyone else: 404)."""
        actor = api_actor()
        return _answer(actor, services.get_complaint(actor, complaint_id))

    @blp.arguments(RatingSchema)
    @blp.response(201, ComplaintSatisfactionSchema)
    @blp.alt_response(409, description="Already rated, not concluded, or the period for rating has ended")
    def post(self, data, complaint_id):
        """Rate a concluded complaint, once, within SATISFACTION_WINDOW_DAYS of its conclusion (its enterprise
        only). Dissatisfied needs a comment and reopens the complaint for its centre's review (rule R1)."""
        actor = api_actor()
        complaint = services.get_complaint(actor, complaint_id, for_update=True)
        services.rate(actor, complaint, data["rating"], data["comment"])
        return _answer(actor, complaint)


@blp.route("/complaints/<complaint_id>/satisfaction/review")
class ComplaintReview(MethodView):
    @blp.arguments(ReviewSchema)
    @blp.response(201, ComplaintSatisfactionSchema)
    @blp.alt_response(409, description="The complaint is not under review")
    def post(self, data, complaint_id):
        """Record what the centre did about a dissatisfied rating (a clerk of the complaint's centre): the
        complaint is concluded again, R1 met, the enterprise told."""
        actor = api_actor()
        complaint = services.get_complaint(actor, complaint_id, for_update=True)
        services.record_review(actor, complaint, data["action"])
        return _answer(actor, complaint)
