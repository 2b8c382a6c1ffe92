"""API: satisfaction ratings of concluded complaints, and the centre's review of a dissatisfied one."""
from flask.views import MethodView
from flask_smorest import Blueprint

from core.pagination import page_schema, window
from core.security import api_actor

from . import satisfaction as services
from .satisfaction_schemas import RatingListArgs, RatingOutSchema, RatingSchema, ReviewSchema

blp = Blueprint("satisfaction", __name__, description="Satisfaction ratings of concluded complaints and their review")

RatingPage = page_schema(RatingOutSchema, "SatisfactionRatingPage",
                         total_description="How many ratings match (all pages, these filters).")


def _answer(rating):
    """A rating with what its answer shows beside it (the complaint's reference, the review)."""
    complaint = services.complaints_by_id([rating])[rating.complaint_id]
    rating.complaint_reference = complaint.reference
    rating.review = services.reviews_by_rating([rating]).get(rating.id)
    return rating


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
    @blp.response(200, RatingOutSchema)
    def get(self, complaint_id):
        """The complaint's rating and its review: its enterprise, its centre's clerks and the supervisors
        (anyone else, or no rating yet: 404)."""
        complaint = services.get_complaint(api_actor(), complaint_id)
        rating = services.rating_of(complaint)
        if rating is None:
            from core.errors import NotFound

            raise NotFound()
        return _answer(rating)

    @blp.arguments(RatingSchema)
    @blp.response(201, RatingOutSchema)
    @blp.alt_response(409, description="Already rated, not concluded, or the period for rating has ended")
    def post(self, data, complaint_id):
        """Rate a concluded complaint, once, within SATISFACTION_WINDOW_DAYS of its conclusion (its enterprise
        only). Dissatisfied needs a comment and reopens the complaint for its centre's review (rule R1)."""
        actor = api_actor()
        complaint = services.get_complaint(actor, complaint_id, for_update=True)
        return _answer(services.rate(actor, complaint, data["rating"], data["comment"]))


@blp.route("/complaints/<complaint_id>/satisfaction/review")
class ComplaintReview(MethodView):
    @blp.arguments(ReviewSchema)
    @blp.response(201, RatingOutSchema)
    @blp.alt_response(409, description="The complaint is not under review")
    def post(self, data, complaint_id):
        """Record what the centre did about a dissatisfied rating (a clerk of the complaint's centre): the
        complaint is concluded again, R1 met, the enterprise told."""
        actor = api_actor()
        complaint = services.get_complaint(actor, complaint_id, for_update=True)
        review = services.record_review(actor, complaint, data["action"])
        return _answer(review.rating)
