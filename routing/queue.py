"""The centre's triage queue: filters, key cases first, then by the centre's due time, paginated.

A page costs a fixed number of queries (the page, its infringers, the count), whatever its size.
The count stops at COUNT_LIMIT: past that the queue says "more than 10,000", which is all a clerk
needs, and it keeps every page fast at 100,000 complaints.
"""
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from accounts.enums import Role
from accounts.models import Organisation
from core.extensions import db
from core.models import utcnow
from intake import search
from intake.enums import ComplaintState
from intake.models import Complaint, Infringer

from .models import Referral

COUNT_LIMIT = 10_000
# key cases first, then the centre's earliest due time (complaints without one last), then the oldest;
# ix_complaints_queue has these very expressions, so both databases read a page straight off the index
QUEUE_ORDER = (Complaint.key_case.desc(), Complaint.centre_due_at.is_(None), Complaint.centre_due_at,
               Complaint.submitted_at, Complaint.id)


def centre_queue(actor, *, q=None, state=(), track=None, district=None, infringer=None, key_case=None, overdue=None,
                 page=1, per_page=20):
    """The complaints of the clerk's centre (supervisors: all), filtered: (items, total, total_is_exact).
    ``q`` finds complaints by reference, enterprise, infringer name or credit code (intake.search)."""
    query = select(Complaint).where(Complaint.state != ComplaintState.draft)
    if actor.role is Role.clerk:
        query = query.where(Complaint.centre_id == actor.organisation_id)
    elif actor.role is not Role.supervisor:
        return [], 0, True
    if (q := search.normalise(q)) is not None:
        query = query.where(search.complaint_matches(q))
    if state:
        query = query.where(Complaint.state.in_([ComplaintState(s) for s in state]))
    if track is not None:
        query = query.where(exists().where(Referral.complaint_id == Complaint.id, Referral.track == track))
    if district is not None:
        query = query.where(exists().where(Organisation.id == Complaint.enterprise_id, Organisation.district == district))
    if infringer:
        pattern = f"%{infringer.replace('%', '').replace('_', '')}%"
        query = query.where(exists().where(Infringer.complaint_id == Complaint.id, Infringer.name.like(pattern)))
    if key_case is not None:
        query = query.where(Complaint.key_case.is_(key_case))
    if overdue is not None:  # the centre's own clock (first response, triage decision) has run out
        late = Complaint.centre_due_at < utcnow()
        query = query.where(late if overdue else ~late | Complaint.centre_due_at.is_(None))
    counted = db.session.scalar(select(func.count()).select_from(
        query.with_only_columns(Complaint.id).limit(COUNT_LIMIT + 1).subquery()))
    items = db.session.scalars(
        query.options(joinedload(Complaint.enterprise), selectinload(Complaint.infringers))
        .order_by(*QUEUE_ORDER)
        .offset((page - 1) * per_page).limit(per_page)
    ).unique().all()
    return items, min(counted, COUNT_LIMIT), counted <= COUNT_LIMIT
