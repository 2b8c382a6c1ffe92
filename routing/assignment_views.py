"""The page that hands a complaint to another clerk of its centre (routing.assignment), on the centre's
blueprint. A separate module keeps it apart from the triage pages; app.py imports it before the
blueprint is registered."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.enums import Role
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.http import form_version
from core.pages import failure_status, load, only, posted
from intake import services as intake

from .assignment import can_reassign, candidate_clerks, reassign
from .schemas import ReassignSchema
from .views import bp


@bp.context_processor
def assignment_helpers():
    return {"can_reassign": can_reassign}


def _holder_page(complaint_id, failure=None):
    if failure is not None:
        db.session.rollback()
    complaint = intake.get_visible_complaint(current_user, complaint_id)
    allowed = can_reassign(current_user, complaint)
    return render_template("routing/holder.html", complaint=complaint, allowed=allowed,
                           clerks=candidate_clerks(complaint) if allowed else [], failure=failure,
                           errors=getattr(failure, "errors", {}) if failure else {}), failure_status(failure)


@bp.get("/centre/complaints/<complaint_id>/holder")
@login_required
def holder_page(complaint_id):
    only(Role.clerk, Role.supervisor)
    return _holder_page(complaint_id)


@bp.post("/centre/complaints/<complaint_id>/holder")
@login_required
def change_holder(complaint_id):
    only(Role.clerk, Role.supervisor)
    complaint = intake.get_visible_complaint(current_user, complaint_id, for_update=True)
    try:
        data = load(ReassignSchema(), posted("clerk_id"))
        reassign(current_user, complaint, data["clerk_id"], expected_version=form_version())
    except (ValidationFailed, Conflict) as exc:
        return _holder_page(complaint_id, exc)
    flash(_("%(name)s holds the complaint now.", name=complaint.claimed_by.name))
    return redirect(url_for("centre.triage_page", complaint_id=complaint.id))
