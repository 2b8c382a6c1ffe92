"""Satisfaction's pages: a complaint's rating (the enterprise's form, its summary and the centre's review form:
also on the enterprise's complaint page and the centre's triage page, templates/supervision/_satisfaction.html),
and the list of ratings for the centre's clerks (their centre's) and the supervisors (all)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required

from accounts.enums import Role
from core.errors import DomainError
from core.extensions import db
from core.limits import page_arg
from core.pages import load, only, posted
from core.pagination import Pages

from . import satisfaction as services
from .models import RATING_LABELS, Rating
from .satisfaction_schemas import RatingSchema, ReviewSchema

bp = Blueprint("satisfaction_pages", __name__, url_prefix="/supervision/satisfaction")

FIELD_LABELS = {"rating": _l("Your rating"), "comment": _l("Comment"), "action": _l("What the centre did")}
PER_PAGE = 20


def panel(complaint, errors=None, values=None, form=None) -> dict:
    """The partial's data for the signed-in user (nothing shown to whoever may not see the rating)."""
    if complaint is None or not current_user.is_authenticated:
        return {"visible": False}
    data = services.summary(current_user, complaint)
    return {**data, "errors": errors or {}, "posted": values or {}, "form": form, "labels": FIELD_LABELS,
            "rating_labels": RATING_LABELS}


def _back(complaint):
    if current_user.role is Role.enterprise_user:
        return url_for("intake.show_complaint", complaint_id=complaint.id, _anchor="satisfaction")
    return url_for("centre.triage_page", complaint_id=complaint.id, _anchor="satisfaction")


def _page(complaint, errors=None, form=None, status=200):
    return render_template("supervision/satisfaction.html", complaint=complaint,
                           satisfaction=panel(complaint, errors, request.form if errors else None, form)), status


@bp.get("/complaints/<complaint_id>")
@login_required
def complaint_page(complaint_id):
    return _page(services.get_complaint(current_user, complaint_id))


@bp.post("/complaints/<complaint_id>/rating")
@login_required
def rate(complaint_id):
    complaint = services.get_complaint(current_user, complaint_id, for_update=True)
    try:
        data = load(RatingSchema(), posted("rating", "comment"))
        services.rate(current_user, complaint, data["rating"], data["comment"])
    except DomainError as exc:
        db.session.rollback()
        complaint = services.get_complaint(current_user, complaint_id)
        return _page(complaint, getattr(exc, "errors", None) or {"rating": [str(exc.message)]}, "rating", exc.status)
    flash(_("Thank you: your rating has been recorded."))
    return redirect(_back(complaint))


@bp.post("/complaints/<complaint_id>/review")
@login_required
def review(complaint_id):
    complaint = services.get_complaint(current_user, complaint_id, for_update=True)
    try:
        data = load(ReviewSchema(), {"action": request.form.get("action", "")})
        services.record_review(current_user, complaint, data["action"])
    except DomainError as exc:
        db.session.rollback()
        complaint = services.get_complaint(current_user, complaint_id)
        return _page(complaint, getattr(exc, "errors", None) or {"action": [str(exc.message)]}, "review", exc.status)
    flash(_("The review has been recorded and the enterprise told; the complaint is concluded again."))
    return redirect(_back(complaint))


@bp.get("/")
@login_required
def ratings():
    """The ratings of the centre's complaints (a clerk) or of all (a supervisor); ``pending``: reviews to record."""
    only(Role.clerk, Role.supervisor)
    rating = request.args.get("rating", "")
    chosen = Rating(rating) if rating in {r.value for r in Rating} else None
    pending = request.args.get("pending") == "1"
    page = services.list_ratings(current_user, rating=chosen, pending=pending,
                                 window=Pages(page_arg(), PER_PAGE))
    return render_template("supervision/satisfaction_list.html", page=page, number=page_arg(), per_page=PER_PAGE,
                           complaints=services.complaints_by_id(page.items),
                           reviews=services.reviews_by_rating(page.items), chosen=chosen, pending=pending,
                           RATING_LABELS=RATING_LABELS)


def init_app(app) -> None:
    """The partial's data for the enterprise's complaint page and the centre's triage page, which include
    templates/supervision/_satisfaction.html without their views knowing of supervision."""
    app.jinja_env.globals["satisfaction_panel"] = panel
