"""Who may do what with satisfaction ratings (docs/AUTHORIZATION.md; tests/authz/matrix.toml).

A complaint's rating is the business of its enterprise (which gives it), the clerks of its centre (who review
a dissatisfied one) and the supervisor office (city-wide); nobody else learns it exists: 404. The enterprise
rates once, a concluded complaint, within SATISFACTION_WINDOW_DAYS of its conclusion; a clerk of the centre
records the review of a complaint under review. The services, the pages (a form is shown exactly when it would
be accepted) and the API ask these predicates.
"""
import datetime as dt

from flask import current_app

from accounts.enums import Role
from core.models import utcnow
from intake.enums import ComplaintState
from intake.models import Complaint

RATEABLE_STATES = frozenset({ComplaintState.concluded, ComplaintState.closed})


def can_see_satisfaction(actor, complaint: Complaint) -> bool:
    """The complaint's enterprise, its centre's clerks and the supervisors: the rating and its review."""
    role, org = getattr(actor, "role", None), getattr(actor, "organisation_id", None)
    if complaint is None or org is None or complaint.state is ComplaintState.draft:
        return False
    if role is Role.enterprise_user:
        return org == complaint.enterprise_id
    if role is Role.clerk:
        return org == complaint.centre_id
    return role is Role.supervisor


def rate_by(concluded_at: dt.datetime | None) -> dt.datetime | None:
    """The end of the period for rating a complaint concluded at ``concluded_at``."""
    if concluded_at is None:
        return None
    return concluded_at + dt.timedelta(days=current_app.config["SATISFACTION_WINDOW_DAYS"])


def can_rate(actor, complaint: Complaint, *, rated: bool, concluded_at: dt.datetime | None,
             now: dt.datetime | None = None) -> bool:
    """The complaint's enterprise, once (``rated``: it already has a rating), while it is concluded (or closed
    after its conclusion) and within the period (``concluded_at``: its latest conclusion)."""
    if getattr(actor, "role", None) is not Role.enterprise_user or actor.organisation_id != complaint.enterprise_id:
        return False
    if rated or complaint.state not in RATEABLE_STATES or concluded_at is None:
        return False
    return (now or utcnow()) <= rate_by(concluded_at)


def can_review(actor, complaint: Complaint) -> bool:
    """A clerk of the complaint's centre, while the complaint is under review (the machine's complete_review row)."""
    return (getattr(actor, "role", None) is Role.clerk and actor.organisation_id == complaint.centre_id
            and complaint.state is ComplaintState.under_review)
