"""Satisfaction (issue 11): the enterprise rates a concluded complaint once, within the period the administrator
sets (SATISFACTION_WINDOW_DAYS from its conclusion); an enterprise that has not rated is reminded once
(``remind_unrated``, a scheduler job). "Dissatisfied" reopens the complaint for its centre's review: the
complaint machine's system row ``review`` (concluded or closed → under_review, rule R1 opens, the centre is
told), and a clerk's ``complete_review`` (what the centre did: R1 met, concluded again, the enterprise told).
The rating and its review are supervision's own tables; the state changes only through routing's rows.

``rates`` gives the satisfaction counts per centre or per agency for the league tables and the assessment.
"""
import datetime as dt
import uuid

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, select

from accounts.enums import Role
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.models import utcnow
from core.outbox import emit
from core.pagination import Page, Pages, desc, fetch
from core.queries import one_visible
from intake.enums import ComplaintState
from intake.models import Complaint, ComplaintEvent
from routing.effects import run
from routing.machines import complaint_machine
from routing.models import Referral

from .access import can_rate, can_review, can_see_satisfaction, rate_by
from .models import Rating, SatisfactionRating, SatisfactionReminder, SatisfactionReview

MAX_COMMENT = 2000
MAX_ACTION = 2000
SATISFIED = (Rating.satisfied, Rating.basically_satisfied)  # what counts as satisfied in a satisfaction rate


def _visibility(actor):
    """The SQL condition for the complaints whose satisfaction ``actor`` may see (False: none): the same
    relations as access.can_see_satisfaction."""
    role, org = getattr(actor, "role", None), getattr(actor, "organisation_id", None)
    visible = Complaint.state != ComplaintState.draft
    if role is Role.enterprise_user:
        return visible & (Complaint.enterprise_id == org)
    if role is Role.clerk:
        return visible & (Complaint.centre_id == org)
    if role is Role.supervisor:
        return visible
    return False


def get_complaint(actor, complaint_id, *, for_update=False) -> Complaint:
    """The complaint whose satisfaction ``actor`` may see and act on, or 404 (missing, or not theirs)."""
    return one_visible(Complaint.id, complaint_id, _visibility(actor), for_update=for_update)


def concluded_at(complaint: Complaint) -> dt.datetime | None:
    """When the complaint was (last) concluded: its latest timeline row into ``concluded``."""
    return db.session.scalar(select(func.max(ComplaintEvent.at)).where(
        ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.to_state == ComplaintState.concluded.value))


def rating_of(complaint: Complaint) -> SatisfactionRating | None:
    return db.session.scalar(select(SatisfactionRating).where(SatisfactionRating.complaint_id == complaint.id))


def review_of(complaint: Complaint) -> SatisfactionReview | None:
    return db.session.scalar(select(SatisfactionReview).where(SatisfactionReview.complaint_id == complaint.id))


def may_rate(actor, complaint: Complaint, now=None) -> bool:
    """can_rate with what it needs read from the database."""
    if complaint.state not in (ComplaintState.concluded, ComplaintState.closed):
        return False
    return can_rate(actor, complaint, rated=rating_of(complaint) is not None, concluded_at=concluded_at(complaint),
                    now=now)


def rate(actor, complaint: Complaint, rating: Rating, comment: str | None) -> SatisfactionRating:
    """The enterprise's rating (once, within the period). Dissatisfied (a comment required: what it is
    dissatisfied with) reopens the complaint for the centre's review through the complaint machine."""
    if not can_see_satisfaction(actor, complaint):
        raise NotFound()
    comment = (comment or "").strip() or None
    if rating is Rating.dissatisfied and comment is None:
        raise ValidationFailed({"comment": [_("Say what you are dissatisfied with, so the centre can review it.")]})
    if not may_rate(actor, complaint):
        if rating_of(complaint) is not None:
            raise Conflict(_("This complaint has already been rated."))
        raise Conflict(_("This complaint cannot be rated now: only a concluded complaint can be rated, by its "
                         "enterprise, within %(days)d days of its conclusion.",
                         days=current_app.config["SATISFACTION_WINDOW_DAYS"]))
    record = SatisfactionRating(complaint_id=complaint.id, centre_id=complaint.centre_id, rating=rating,
                                comment=comment, rated_by_id=actor.id, rated_at=utcnow())
    db.session.add(record)
    db.session.flush()
    if rating is Rating.dissatisfied:
        db.session.add(SatisfactionReview(rating_id=record.id, complaint_id=complaint.id, centre_id=complaint.centre_id,
                                          opened_at=record.rated_at))
        run(complaint_machine, complaint, "review", actor, system=True, reason=comment)
    db.session.flush()
    return record


def record_review(actor, complaint: Complaint, action: str, *, expected_version=None) -> SatisfactionReview:
    """A clerk of the centre records what the centre did about the dissatisfied rating: the complaint is
    concluded again (R1 met) and the enterprise is told."""
    if not can_see_satisfaction(actor, complaint):
        raise NotFound()
    action = (action or "").strip()
    if not action:
        raise ValidationFailed({"action": [_("Describe what the centre did about the enterprise's dissatisfaction.")]})
    review = review_of(complaint)
    if review is None or not can_review(actor, complaint):
        raise Conflict(_("This complaint is not under review."), state=complaint.state.value,
                       allowed_triggers=complaint_machine.allowed_triggers(complaint, actor))
    run(complaint_machine, complaint, "complete_review", actor, reason=action, expected_version=expected_version)
    review.action, review.reviewed_by_id, review.reviewed_at = action, actor.id, utcnow()
    db.session.flush()
    return review


def summary(actor, complaint: Complaint, now=None) -> dict:
    """What the complaint's page shows of its satisfaction, for ``actor`` (nothing when not theirs to see)."""
    if complaint is None or not can_see_satisfaction(actor, complaint):
        return {"visible": False}
    rating = rating_of(complaint)
    concluded = concluded_at(complaint) if complaint.state in (ComplaintState.concluded, ComplaintState.closed) else None
    rateable = rating is None and can_rate(actor, complaint, rated=False, concluded_at=concluded, now=now)
    return {"visible": rating is not None or rateable or can_review(actor, complaint), "rating": rating,
            "review": review_of(complaint) if rating is not None else None, "can_rate": rateable,
            "rate_by": rate_by(concluded) if rateable else None, "can_review": can_review(actor, complaint)}


def list_ratings(actor, *, rating: Rating | None = None, pending: bool = False, window=Pages()):
    """The ratings of the complaints ``actor`` may see (newest first): an enterprise its own, a clerk its
    centre's, a supervisor all. ``pending``: only the dissatisfied ones whose review is not recorded yet."""
    condition = _visibility(actor)
    if condition is False:
        return Page([], 0)
    query = (select(SatisfactionRating).join(Complaint, Complaint.id == SatisfactionRating.complaint_id)
             .where(condition))
    if rating is not None:
        query = query.where(SatisfactionRating.rating == rating)
    if pending:
        query = query.where(exists().where(SatisfactionReview.rating_id == SatisfactionRating.id,
                                           SatisfactionReview.reviewed_at.is_(None)))
    return fetch(query, (desc(SatisfactionRating.rated_at), desc(SatisfactionRating.id)), window)


def reviews_by_rating(ratings) -> dict:
    ids = [r.id for r in ratings]
    if not ids:
        return {}
    return {r.rating_id: r for r in db.session.scalars(select(SatisfactionReview).where(SatisfactionReview.rating_id.in_(ids)))}


def complaints_by_id(ratings) -> dict:
    ids = [r.complaint_id for r in ratings]
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(select(Complaint).where(Complaint.id.in_(ids)))}


# --- the reminder -----------------------------------------------------------------------------------------

def remind_unrated(now: dt.datetime | None = None, *, batch: int = 500) -> int:
    """Remind once each enterprise that has not rated a complaint concluded SATISFACTION_REMINDER_DAYS ago or
    more, while the period to rate it lasts. Idempotent (a reminder row per complaint); returns how many."""
    now = now or utcnow()
    config = current_app.config
    remind_after = now - dt.timedelta(days=config["SATISFACTION_REMINDER_DAYS"])
    window_start = now - dt.timedelta(days=config["SATISFACTION_WINDOW_DAYS"])
    # the latest conclusion of each candidate; a complaint concluded within the window was updated then or later,
    # which bounds the candidates to the recently updated ones
    concluded = (select(func.max(ComplaintEvent.at))
                 .where(ComplaintEvent.complaint_id == Complaint.id,
                        ComplaintEvent.to_state == ComplaintState.concluded.value)
                 .correlate(Complaint).scalar_subquery())
    rows = db.session.execute(
        select(Complaint, concluded)
        .where(Complaint.state.in_((ComplaintState.concluded, ComplaintState.closed)),
               Complaint.updated_at > window_start,
               ~exists().where(SatisfactionRating.complaint_id == Complaint.id),
               ~exists().where(SatisfactionReminder.complaint_id == Complaint.id),
               concluded <= remind_after, concluded > window_start)
        .order_by(Complaint.updated_at, Complaint.id).limit(batch)).all()
    for complaint, at in rows:
        db.session.add(SatisfactionReminder(complaint_id=complaint.id, sent_at=now))
        emit("satisfaction.reminder", organisation_ids=[complaint.enterprise_id], subject_type="complaint",
             subject_id=complaint.id, params={"reference": complaint.reference, "enterprise": complaint.enterprise.name,
                                              "rate_by": rate_by(_aware(at)).isoformat()})
    db.session.flush()
    return len(rows)


def remind_job() -> int:
    """The scheduler's job: remind, then commit (its own transaction)."""
    count = remind_unrated()
    db.session.commit()
    return count


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


# --- for the league tables and the assessment --------------------------------------------------------------

def rates(start: dt.datetime, end: dt.datetime, by: str = "centre") -> dict[uuid.UUID, tuple[int, int]]:
    """{organisation id: (satisfied count, rated count)} of the ratings given in [start, end): ``by`` "centre"
    (the complaint's centre when it was rated) or "agency" (each agency the complaint was referred to counts
    the rating once). Satisfied = satisfied or basically satisfied."""
    satisfied = func.sum(case((SatisfactionRating.rating.in_(SATISFIED), 1), else_=0))
    period = and_(SatisfactionRating.rated_at >= start, SatisfactionRating.rated_at < end)
    if by == "centre":
        query = (select(SatisfactionRating.centre_id, satisfied, func.count(SatisfactionRating.id))
                 .where(period).group_by(SatisfactionRating.centre_id))
    elif by == "agency":
        pairs = (select(Referral.agency_id.label("agency_id"), Referral.complaint_id.label("complaint_id"))
                 .distinct().subquery())
        query = (select(pairs.c.agency_id, satisfied, func.count(SatisfactionRating.id))
                 .join(pairs, pairs.c.complaint_id == SatisfactionRating.complaint_id)
                 .where(period).group_by(pairs.c.agency_id))
    else:
        raise ValueError(f"rates by {by!r}: centre or agency")
    return {org: (int(sat or 0), int(count)) for org, sat, count in db.session.execute(query)}


def reviews(start: dt.datetime, end: dt.datetime) -> dict[uuid.UUID, tuple[int, int]]:
    """{centre id: (reviews recorded, reviews opened)} of the reviews opened in [start, end) (each dissatisfied
    rating opens one): what the assessment counts of the centres' follow-up of dissatisfaction."""
    done = func.sum(case((SatisfactionReview.reviewed_at.is_not(None), 1), else_=0))
    query = (select(SatisfactionReview.centre_id, done, func.count(SatisfactionReview.id))
             .where(SatisfactionReview.opened_at >= start, SatisfactionReview.opened_at < end)
             .group_by(SatisfactionReview.centre_id))
    return {org: (int(n or 0), int(count)) for org, n, count in db.session.execute(query)}
