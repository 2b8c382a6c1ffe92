"""Named assignment: which clerk of the centre holds a complaint, and handing it to another.

Claiming is a trigger of the complaint machine (routing.complaints.triage sets claimed_by on "claim").
Reassignment is not a transition: it changes only the holder, never the state, and writes its own
timeline row (EventKind.assignment, internal: the enterprise never sees which clerk holds its file).

Who may reassign (``can_reassign``): a complaint somebody holds, not finished (closed, withdrawn,
rejected), may be handed over by the clerk who holds it or by a supervisor; another clerk of the same
centre may not take it from its holder (the holder or a supervisor hands it over), and anyone outside
the centre does not see the complaint at all (404). The new holder is an active clerk of the
complaint's centre other than the present holder.
"""
import uuid

from flask_babel import gettext as _
from sqlalchemy import select

from accounts.enums import Role
from accounts.models import User
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.outbox import emit
from intake.enums import ComplaintState, EventKind
from intake.models import Complaint
from intake.services import check_version, record_event

FINISHED = frozenset({ComplaintState.closed, ComplaintState.withdrawn, ComplaintState.rejected})


def can_reassign(actor, complaint: Complaint) -> bool:
    """The holder of an open, claimed complaint, or a supervisor, may hand it to another clerk of its centre."""
    if complaint.claimed_by_id is None or complaint.state in FINISHED:
        return False
    if actor.role is Role.supervisor:
        return True
    return (actor.role is Role.clerk and actor.organisation_id == complaint.centre_id
            and actor.id == complaint.claimed_by_id)


def candidate_clerks(complaint: Complaint) -> list[User]:
    """The clerks the complaint may be handed to: the active clerks of its centre, its holder aside."""
    query = select(User).where(User.organisation_id == complaint.centre_id, User.role == Role.clerk,
                               User.active.is_(True))
    if complaint.claimed_by_id is not None:
        query = query.where(User.id != complaint.claimed_by_id)
    return db.session.scalars(query.order_by(User.name, User.id)).all()


def reassign(actor, complaint: Complaint, clerk_id, *, expected_version=None) -> Complaint:
    """Hand the complaint to another clerk of its centre (409 when the actor may not, 422 for a clerk who
    cannot hold it). The caller loaded the complaint as visible to the actor (404 otherwise), for update."""
    if actor.role not in (Role.clerk, Role.supervisor):
        raise NotFound()  # the holder is the centre's business: to anyone else this is not there
    if not can_reassign(actor, complaint):
        raise Conflict(_("Only the clerk who holds this complaint, or a supervisor, can hand it to another clerk."))
    check_version(complaint, expected_version)
    try:
        clerk_id = clerk_id if isinstance(clerk_id, uuid.UUID) else uuid.UUID(str(clerk_id))
    except ValueError:
        clerk_id = None
    clerk = next((c for c in candidate_clerks(complaint) if c.id == clerk_id), None)
    if clerk is None:
        raise ValidationFailed({"clerk_id": [_("Choose another active clerk of this complaint's centre.")]})
    before = complaint.claimed_by
    complaint.claimed_by = clerk
    db.session.flush()  # the version moves on: a stale form meets 409
    record_event(complaint, actor, EventKind.assignment, trigger="reassign", public=False, payload={
        "from_id": str(before.id), "from_name": before.name, "to_id": str(clerk.id), "to_name": clerk.name})
    emit("complaint.assigned", user_ids=[clerk.id], subject_type="complaint", subject_id=complaint.id,
         params={"reference": complaint.reference, "by": actor.name, "from": before.name})
    return complaint
