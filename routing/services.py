"""Routing's services: the only code that changes a complaint's state (through the machine)."""
from flask_babel import gettext as _
from sqlalchemy import case, select

from accounts.enums import District, OrgKind
from accounts.models import Organisation
from core.errors import Conflict
from core.extensions import db
from core.models import utcnow
from intake.models import Complaint
from intake.services import check_version, issue_reference, record_event

from .machines import complaint_machine


def transition_complaint(complaint: Complaint, trigger: str, actor, *, reason=None, payload=None,
                         expected_version=None, before_change=None):
    """Fire a trigger and write its timeline row, in the caller's transaction."""
    check_version(complaint, expected_version)
    source, dest = complaint_machine.fire(complaint, trigger, actor, reason=reason, before_change=before_change)
    complaint.updated_at = utcnow()
    record_event(complaint, actor, "transition", trigger=trigger, from_state=source.value, to_state=dest.value,
                 reason=reason, payload=payload() if callable(payload) else payload)
    db.session.flush()
    return complaint


def centre_for(enterprise: Organisation) -> Organisation:
    """The rights-protection centre of the enterprise's district, else a municipal one, else any."""
    preference = case((Organisation.district == enterprise.district, 0),
                      (Organisation.district == District.municipal, 1), else_=2)
    centre = db.session.scalar(select(Organisation).where(Organisation.kind == OrgKind.rights_center)
                               .order_by(preference, Organisation.created_at, Organisation.id).limit(1))
    if centre is None:
        raise Conflict(_("No rights-protection centre is configured yet; please contact the administrator."))
    return centre


def submit_complaint(actor, complaint: Complaint, *, expected_version=None) -> Complaint:
    """Check completeness, issue the reference, hand the complaint to its centre."""
    def assign():
        now = utcnow()
        complaint.centre = centre_for(complaint.enterprise)
        complaint.reference = issue_reference(now)
        complaint.submitted_at = now

    return transition_complaint(complaint, "submit", actor, expected_version=expected_version, before_change=assign,
                                payload=lambda: {"reference": complaint.reference})


def withdraw_complaint(actor, complaint: Complaint, reason: str, *, expected_version=None) -> Complaint:
    def record_reason():
        complaint.withdrawal_reason = reason.strip()

    return transition_complaint(complaint, "withdraw", actor, reason=reason, expected_version=expected_version,
                                before_change=record_reason)
