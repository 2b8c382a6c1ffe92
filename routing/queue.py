"""The centre's triage queue: filters, oldest first, paginated, a fixed number of queries per page."""
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from accounts.enums import Role
from accounts.models import Organisation
from core.extensions import db
from intake.enums import ComplaintState
from intake.models import Complaint, Infringer

from .models import Referral


def centre_queue(actor, *, state=(), track=None, district=None, infringer=None, key_case=None, page=1, per_page=20):
    """The complaints of the clerk's centre (supervisors: all), filtered; (items, total)."""
    query = select(Complaint).where(Complaint.state != ComplaintState.draft)
    if actor.role is Role.clerk:
        query = query.where(Complaint.centre_id == actor.organisation_id)
    elif actor.role is not Role.supervisor:
        return [], 0
    if state:
        query = query.where(Complaint.state.in_([ComplaintState(s) for s in state]))
    if track is not None:
        query = query.where(exists().where(Referral.complaint_id == Complaint.id, Referral.track == track))
    if district is not None:
        query = query.where(Complaint.enterprise_id.in_(select(Organisation.id).where(Organisation.district == district)))
    if infringer:
        pattern = f"%{infringer.replace('%', '').replace('_', '')}%"
        query = query.where(exists().where(Infringer.complaint_id == Complaint.id, Infringer.name.like(pattern)))
    if key_case is not None:
        query = query.where(Complaint.key_case.is_(key_case))
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(
        query.options(joinedload(Complaint.enterprise), selectinload(Complaint.infringers))
        .order_by(Complaint.key_case.desc(), Complaint.submitted_at, Complaint.id)
        .offset((page - 1) * per_page).limit(per_page)
    ).unique().all()
    return items, total
