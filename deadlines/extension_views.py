"""Pages of extensions and decisions: a deadline's extension page (an officer asks, the head decides) and
"decisions waiting for me" (the sections of deadlines.decisions), where agency heads and supervisors land."""
import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.enums import Role
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.pages import failure_status, load, only, posted
from core.timeutil import format_local

from . import calendar, decisions, extensions
from .access import can_decide_extension, can_request_extension, pending_request
from .schemas import ExtensionDecisionSchema, ExtensionRequestSchema
from .services import get_rule

bp = Blueprint("deadline_pages", __name__)


@bp.get("/decisions")
@login_required
def decisions_page():
    only(Role.agency_head, Role.supervisor)
    return render_template("deadlines/decisions.html", sections=decisions.sections_for(current_user))


def _extension_page(deadline_id, failure=None, form=None):
    if failure is not None:
        db.session.rollback()
    deadline = extensions.get_deadline_for_extension(current_user, deadline_id)
    waiting = pending_request(deadline)
    rule = get_rule(deadline.rule_code)
    return render_template(
        "deadlines/extension.html", deadline=deadline, requests=extensions.requests_for(current_user, deadline),
        waiting=waiting, can_request=can_request_extension(current_user, deadline),
        can_decide=waiting is not None and can_decide_extension(current_user, waiting),
        maximum=extensions.maximum_due(deadline, rule),
        failure=failure, errors=getattr(failure, "errors", {}) if failure else {}, form=form,
        values=request.form if failure is not None else {},
    ), failure_status(failure)


@bp.get("/deadlines/<deadline_id>/extension")
@login_required
def extension_page(deadline_id):
    return _extension_page(deadline_id)


def _end_of_day(value: str) -> str:
    """A date input (Shanghai) as the end of that day, an aware ISO time; anything else for the schema."""
    try:
        return calendar.end_of_day(dt.date.fromisoformat(value)).isoformat()
    except ValueError:
        return value


@bp.post("/deadlines/<deadline_id>/extension-requests")
@login_required
def request_extension(deadline_id):
    deadline = extensions.get_deadline_for_extension(current_user, deadline_id)
    data = posted("reason", "requested_due_at")
    if "requested_due_at" in data:
        data["requested_due_at"] = _end_of_day(data["requested_due_at"])
    try:
        extensions.request_extension(current_user, deadline, load(ExtensionRequestSchema(), data))
    except (ValidationFailed, Conflict) as exc:
        return _extension_page(deadline_id, exc, form="request")
    flash(_("Your request to extend the deadline has been sent for a decision."))
    return redirect(url_for("deadline_pages.extension_page", deadline_id=deadline_id))


@bp.post("/deadlines/<deadline_id>/extension-decision")
@login_required
def decide_extension(deadline_id):
    deadline = extensions.get_deadline_for_extension(current_user, deadline_id)
    try:
        data = load(ExtensionDecisionSchema(), posted("decision", "reason", "request_id"))
        decided = extensions.decide(current_user, deadline, data)
    except (ValidationFailed, Conflict) as exc:
        return _extension_page(deadline_id, exc, form="decide")
    flash(_("The extension is approved: the deadline is now due %(due)s.",
            due=format_local(deadline.due_at))
          if decided.state.value == "approved" else _("The extension is refused."))
    return redirect(url_for("deadline_pages.decisions_page"))
