"""Extensions of a running deadline: an officer asks with a reason and the new due time; the agency head
of the responsible agency (a supervisor for the centre's clocks) approves — the due time moves and the
deadline records it — or refuses with a reason. Who may do what: deadlines.access.

Validation: the new due time is after the current one and, when the rule has a maximum extension
(A1: +15 working days, once), at most that far beyond it. Two decisions at once: one wins, the other
answers 409 (the decision is a conditional UPDATE of the pending row).
"""
import datetime as dt

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select, update

from accounts.enums import OrgKind, Role
from accounts.models import Organisation, User
from core.audit import audit
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.models import utcnow
from core.outbox import emit
from core.queries import one_visible
from core.timeutil import format_local

from . import calendar, decisions, services
from .access import (can_decide_extension, can_request_extension, extension_used, is_centre_clock,
                     may_decide_extensions_of, may_request_extensions_of, may_see_extensions_of, pending_request)
from .models import Deadline, ExtensionRequest, ExtensionState

REASON_MAX = 2000


def get_deadline_for_extension(actor, public_id) -> Deadline:
    """The deadline, if the actor may ask for or decide its extensions; 404 otherwise."""
    deadline = one_visible(Deadline.public_id, public_id, True)
    if not may_see_extensions_of(actor, deadline):
        raise NotFound()
    return deadline


def maximum_due(deadline: Deadline, rule) -> dt.datetime | None:
    """The latest due time an extension may give (None: the rule sets no maximum)."""
    if not rule.extension_amount:
        return None
    return calendar.compute_due(deadline.due_at, rule.extension_amount, deadline.unit.value).due_at


def check_requested_due(deadline: Deadline, requested_due_at, rule) -> dict:
    field = "requested_due_at"
    if requested_due_at is None:
        return {field: [_("Give the new due date.")]}
    if requested_due_at <= deadline.due_at or requested_due_at <= utcnow():
        return {field: [_("The new due time must be after the current one (%(due)s) and in the future.",
                          due=format_local(deadline.due_at))]}
    limit = maximum_due(deadline, rule)
    if limit is not None and requested_due_at > limit:
        return {field: [_("The rule allows an extension to %(limit)s at most.", limit=format_local(limit))]}
    return {}


def request_extension(actor, deadline: Deadline, data: dict) -> ExtensionRequest:
    """An officer asks for more time: 404 if not theirs to ask, 409 if not possible now, 422 field errors."""
    if not may_request_extensions_of(actor, deadline):
        raise NotFound()
    rule = services.get_rule(deadline.rule_code)
    if not can_request_extension(actor, deadline):
        if not deadline.is_running:
            message = _("This deadline is no longer running.")
        elif extension_used(deadline, rule):
            message = _("This deadline's rule allows one extension, and it was granted.")
        else:
            message = _("A request to extend this deadline already waits for a decision.")
        raise Conflict(message, allowed_triggers=[])
    errors = {}
    reason = (data.get("reason") or "").strip()
    if not reason:
        errors["reason"] = [_("Give a reason.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("At most %(max)d characters.", max=REASON_MAX)]
    errors.update(check_requested_due(deadline, data.get("requested_due_at"), rule))
    if errors:
        raise ValidationFailed(errors)
    request = ExtensionRequest(deadline_id=deadline.id, deadline=deadline, requested_by_id=actor.id, reason=reason,
                               requested_due_at=data["requested_due_at"], state=ExtensionState.pending,
                               created_at=utcnow())
    db.session.add(request)
    db.session.flush()
    audit("deadline.extension_requested", actor=actor, subject_type="deadline", subject_id=deadline.public_id,
          requested_due_at=request.requested_due_at.isoformat(), reason=reason[:500])
    _notify(request, "deadline.extension_requested", **_deciders(deadline))
    return request


def _deciders(deadline: Deadline) -> dict:
    """Whom to tell of a new request: the supervisor offices for the centre's clocks, else the agency's heads."""
    if is_centre_clock(deadline):
        return {"audience": "supervisors"}
    heads = db.session.scalars(select(User.id).where(User.organisation_id == deadline.responsible_org_id,
                                                     User.role == Role.agency_head, User.active.is_(True))).all()
    return {"user_ids": heads}


def _notify(request: ExtensionRequest, event: str, **to) -> None:
    deadline = request.deadline
    reference = _reference(deadline)
    emit(event, subject_type="complaint", subject_id=deadline.complaint_id,
         params={"reference": reference, "rule": deadline.rule_code, "due_at": deadline.due_at.isoformat(),
                 "requested_due_at": request.requested_due_at.isoformat(), "reason": request.reason,
                 "decision": request.state.value, "decision_reason": request.decision_reason or ""}, **to)


def _reference(deadline: Deadline) -> str:
    from intake.models import Complaint

    return db.session.scalar(select(Complaint.reference).where(Complaint.id == deadline.complaint_id)) or ""


def get_request(actor, request_id, deadline: Deadline | None = None) -> ExtensionRequest:
    request = one_visible(ExtensionRequest.id, request_id, True)
    if (deadline is not None and request.deadline_id != deadline.id) or not may_see_extensions_of(actor, request.deadline):
        raise NotFound()
    return request


def decide(actor, deadline: Deadline, data: dict) -> ExtensionRequest:
    """Approve (the due time moves to the requested one) or refuse (with a reason) the pending request.

    ``data``: decision (approve | refuse), reason (needed to refuse), request_id (optional: the request
    the decider read; another one answers 409)."""
    if not may_decide_extensions_of(actor, deadline):
        raise NotFound()
    request = get_request(actor, data["request_id"], deadline) if data.get("request_id") else pending_request(deadline)
    if request is None or not can_decide_extension(actor, request):
        raise Conflict(_("No request to extend this deadline waits for a decision."), allowed_triggers=[])
    approve = data["decision"] == "approve"
    reason = (data.get("reason") or "").strip() or None
    if not approve and reason is None:
        raise ValidationFailed({"reason": [_("Give the reason for refusing.")]})
    if reason is not None and len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": [_("At most %(max)d characters.", max=REASON_MAX)]})
    now = utcnow()
    state = ExtensionState.approved if approve else ExtensionState.refused
    # the one decision: a concurrent one finds the row no longer pending (PostgreSQL waits on its lock)
    won = db.session.execute(update(ExtensionRequest).where(
        ExtensionRequest.id == request.id, ExtensionRequest.state == ExtensionState.pending).values(
        state=state, decided_by_id=actor.id, decided_at=now, decision_reason=reason)
        .execution_options(synchronize_session=False)).rowcount
    if won != 1:
        raise Conflict(_("This request was already decided."), allowed_triggers=[])
    db.session.refresh(request)
    if approve:
        services.extend(actor, deadline, request.requested_due_at, request.reason)
    audit(f"deadline.extension_{state.value}", actor=actor, subject_type="deadline", subject_id=deadline.public_id,
          request_id=str(request.id), reason=(reason or "")[:500])
    _notify(request, "deadline.extension_decided", user_ids=[request.requested_by_id])
    return request


def requests_for(actor, deadline: Deadline) -> list[ExtensionRequest]:
    if not may_see_extensions_of(actor, deadline):
        raise NotFound()
    return db.session.scalars(select(ExtensionRequest).where(ExtensionRequest.deadline_id == deadline.id)
                              .order_by(ExtensionRequest.created_at, ExtensionRequest.id)).all()


def waiting_for(actor) -> list[ExtensionRequest]:
    """The pending requests this agency head (supervisor: the centre's clocks) decides, the most urgent first."""
    query = (select(ExtensionRequest).join(Deadline, Deadline.id == ExtensionRequest.deadline_id)
             .where(ExtensionRequest.state == ExtensionState.pending, Deadline.closed_at.is_(None)))
    if actor.role is Role.agency_head:
        query = query.where(Deadline.responsible_org_id == actor.organisation_id)
    elif actor.role is Role.supervisor:
        query = query.where(Deadline.responsible_org_id.in_(
            select(Organisation.id).where(Organisation.kind == OrgKind.rights_center)))
    else:
        return []
    return db.session.scalars(query.order_by(Deadline.due_at, ExtensionRequest.created_at)).all()


@decisions.provider("extensions", order=10)
def _extension_decisions(actor):
    if actor.role not in (Role.agency_head, Role.supervisor):
        return None
    items = waiting_for(actor)
    return decisions.Section("extensions", _l("Requests to extend a deadline"), "deadlines/_extension_decisions.html",
                             items, _l("No request to extend a deadline waits for you."))

