"""Key-case supervision (督办) as a cycle: supervise → report → (next S1 period) → report … → lift.

The supervisor office supervises an open complaint as a key case with instructions (and may add
further instructions while it lasts; they do not move the clock); the complaint's centre must report
within rule S1. Each report is kept (the supervision's history), meets the S1
clock that runs and, while the complaint is still being handled, opens the next S1 period: the next
report is due. A supervisor lifts the supervision with a closing note: the key-case flag goes, the
running S1 clock is cancelled and no report is possible any more. A lifted complaint may be
supervised again later (a new supervision); at most one is active at a time.

Who may do what is decided here, once, by the named predicates below (can_supervise,
can_report_on_supervision, can_instruct_supervision, can_lift_supervision, can_read_supervision); the services, the pages and
the API all ask them, so a button is shown exactly when its action would be allowed. The services
flush and never commit; every change writes one internal timeline row and queues one notice.
"""
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from accounts.enums import Role
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.models import utcnow
from core.pagination import Page, Pages, asc, desc, fetch
from core.outbox import emit
from deadlines import services as deadlines
from deadlines.models import Deadline
from intake.enums import ComplaintState as S
from intake.models import Complaint
from intake.services import record_event

from .models import Supervision, SupervisionInstruction, SupervisionReport

SUBJECT = "supervision"  # the deadlines' subject_type of the S1 clocks
RULE = "S1"
# a complaint in these states is no longer handled: it cannot be supervised, and a report on it opens
# no further S1 period (the supervisor lifts the supervision)
ENDED_STATES = frozenset({S.draft, S.rejected, S.withdrawn, S.closed})


# --- who may do what (docs/AUTHORIZATION.md; tests/authz/matrix.toml) --------------------------------
#
# Each refusal is the error the service raises: 404 when the actor has no business with the
# complaint's supervision at all, 409 when it has but the supervision's state does not allow it now.

def _is_supervisor(actor) -> bool:
    return getattr(actor, "role", None) is Role.supervisor


def _is_centre_clerk(actor, complaint: Complaint) -> bool:
    return getattr(actor, "role", None) is Role.clerk and actor.organisation_id == complaint.centre_id


def can_read_supervision(actor, complaint: Complaint) -> bool:
    """Key-case instructions and the centre's reports: the supervisors and the complaint's centre."""
    return _is_supervisor(actor) or _is_centre_clerk(actor, complaint)


def _supervise_refusal(actor, complaint: Complaint, active: Supervision | None):
    if not _is_supervisor(actor):
        return NotFound()
    if complaint.state in ENDED_STATES:
        return Conflict(_("Only an open complaint can be supervised."), state=complaint.state.value,
                        allowed_triggers=[])
    if active is not None:
        return Conflict(_("This complaint is already supervised as a key case."), allowed_triggers=[])
    return None


def _report_refusal(actor, complaint: Complaint, latest: Supervision | None):
    if latest is None or not _is_centre_clerk(actor, complaint):
        return NotFound()
    if not latest.active:
        return Conflict(_("The supervision of this key case has been lifted: no report is due."),
                        allowed_triggers=[])
    return None


def _lift_refusal(actor, complaint: Complaint, latest: Supervision | None):
    if latest is None or not _is_supervisor(actor):
        return NotFound()
    if not latest.active:
        return Conflict(_("The supervision of this key case has already been lifted."), allowed_triggers=[])
    return None


_instruct_refusal = _lift_refusal  # further instructions: a supervisor, while the supervision is active


def can_supervise(actor, complaint: Complaint) -> bool:
    """A supervisor, on a complaint still being handled and not supervised now."""
    return _is_supervisor(actor) and _supervise_refusal(actor, complaint, active_supervision(complaint)) is None


def can_report_on_supervision(actor, complaint: Complaint) -> bool:
    """A clerk of the complaint's centre, while its supervision is active."""
    return _is_centre_clerk(actor, complaint) and _report_refusal(actor, complaint, supervision_of(complaint)) is None


def can_lift_supervision(actor, complaint: Complaint) -> bool:
    """A supervisor, while the complaint's supervision is active."""
    return _is_supervisor(actor) and _lift_refusal(actor, complaint, supervision_of(complaint)) is None


def can_instruct_supervision(actor, complaint: Complaint) -> bool:
    """Further instructions: a supervisor, while the complaint's supervision is active."""
    return _is_supervisor(actor) and _instruct_refusal(actor, complaint, supervision_of(complaint)) is None


# --- reading ----------------------------------------------------------------------------------------

def _latest_query(complaint_id):
    # the active one if any (lifted_at NULL sorts first on both databases by this expression), else the newest
    return (select(Supervision).where(Supervision.complaint_id == complaint_id)
            .order_by(Supervision.lifted_at.is_not(None), Supervision.created_at.desc(), Supervision.id))


def supervision_of(complaint: Complaint, *, for_update=False) -> Supervision | None:
    """The complaint's current supervision (the active one, else the last lifted), unchecked: callers
    that show it to someone ask readable_supervision()."""
    query = _latest_query(complaint.id).limit(1)
    if for_update:
        query = query.with_for_update(of=Supervision)
    return db.session.scalar(query)


def active_supervision(complaint: Complaint) -> Supervision | None:
    return db.session.scalar(select(Supervision).where(Supervision.complaint_id == complaint.id,
                                                       Supervision.lifted_at.is_(None)))


def _with_due(supervisions):
    """Attach next_report_due_at (the running S1 clock's due time, None if none runs), in one query."""
    ids = [s.id for s in supervisions]
    due = {}
    if ids:
        due = dict(db.session.execute(
            select(Deadline.subject_id, func.min(Deadline.due_at))
            .where(Deadline.subject_type == SUBJECT, Deadline.subject_id.in_(ids), Deadline.rule_code == RULE,
                   Deadline.closed_at.is_(None))
            .group_by(Deadline.subject_id)).all())
    for supervision in supervisions:
        supervision.next_report_due_at = due.get(supervision.id)
    return supervisions


def readable_supervision(actor, complaint: Complaint) -> Supervision | None:
    """The current supervision (instructions, reports) if this actor may read it, else None."""
    if not can_read_supervision(actor, complaint):
        return None
    supervision = supervision_of(complaint)
    return _with_due([supervision])[0] if supervision is not None else None


def earlier_supervisions(actor, complaint: Complaint) -> list[Supervision]:
    """The lifted supervisions of the complaint before the current one, newest first (readers only)."""
    if not can_read_supervision(actor, complaint):
        return []
    return db.session.scalars(_latest_query(complaint.id).offset(1)).all()


def _next_due():
    """The running S1 clock's due time per supervision, as a subquery to sort and show the list by."""
    return (select(Deadline.subject_id.label("supervision_id"), func.min(Deadline.due_at).label("due_at"))
            .where(Deadline.subject_type == SUBJECT, Deadline.rule_code == RULE, Deadline.closed_at.is_(None))
            .group_by(Deadline.subject_id).subquery())


def list_supervisions(actor, *, active=None, window=Pages()) -> Page:
    """The supervised cases this actor may read (supervisors: all; a clerk: its centre's; anyone else:
    none), by the next report due (those with none last), then the newest."""
    if _is_supervisor(actor):
        query = select(Supervision)
    elif getattr(actor, "role", None) is Role.clerk:
        query = select(Supervision).join(Complaint, Complaint.id == Supervision.complaint_id).where(
            Complaint.centre_id == actor.organisation_id)
    else:
        return Page([], 0)
    if active is not None:
        query = query.where(Supervision.lifted_at.is_(None) if active else Supervision.lifted_at.is_not(None))
    due = _next_due()
    found = fetch(
        query.add_columns(due.c.due_at).outerjoin(due, due.c.supervision_id == Supervision.id)
        .options(joinedload(Supervision.complaint).joinedload(Complaint.enterprise),
                 joinedload(Supervision.supervisor), joinedload(Supervision.lifted_by),
                 selectinload(Supervision.reports).joinedload(SupervisionReport.author),
                 selectinload(Supervision.further_instructions).joinedload(SupervisionInstruction.author)),
        (asc(due.c.due_at.is_(None)), asc(due.c.due_at), desc(Supervision.created_at), asc(Supervision.id)), window)
    items = []
    for supervision, due_at in found.items:
        supervision.next_report_due_at = due_at
        items.append(supervision)
    found.items = items
    return found


# --- the cycle ---------------------------------------------------------------------------------------

def _tell(complaint, event, organisation_ids, **params):
    """Queue a notification in this transaction (the notifications worker delivers it)."""
    emit(event, organisation_ids=organisation_ids, subject_type="complaint", subject_id=complaint.id,
         params={"reference": complaint.reference, "enterprise": complaint.enterprise.name, **params})


def _open_period(supervision: Supervision, complaint: Complaint) -> None:
    deadlines.open_deadline(RULE, subject_type=SUBJECT, subject_id=supervision.id, complaint_id=complaint.id,
                            responsible_org_id=complaint.centre_id)


def _required(value, field, message):
    if not (value or "").strip():
        raise ValidationFailed({field: [message]})
    return value.strip()


def supervise(actor, complaint: Complaint, instructions: str) -> Supervision:
    """The supervisor office supervises a complaint as a key case, with instructions; the centre must
    report within S1. The caller holds the complaint's row lock (the partial unique index is the backstop)."""
    refusal = _supervise_refusal(actor, complaint, active_supervision(complaint))
    if refusal is not None:
        raise refusal
    instructions = _required(instructions, "instructions", _("Give the instructions."))
    supervision = Supervision(complaint_id=complaint.id, supervisor_id=actor.id, instructions=instructions)
    try:
        with db.session.begin_nested():
            db.session.add(supervision)
            db.session.flush()
    except IntegrityError:  # another supervisor was quicker
        raise Conflict(_("This complaint is already supervised as a key case."), allowed_triggers=[]) from None
    complaint.key_case = True
    complaint.updated_at = utcnow()
    _open_period(supervision, complaint)
    record_event(complaint, actor, "supervision", trigger="supervise", reason=instructions, public=False)
    _tell(complaint, "complaint.supervised", [complaint.centre_id], instructions=instructions)
    db.session.flush()
    return _with_due([supervision])[0]


def report_on_supervision(actor, complaint: Complaint, text: str) -> Supervision:
    """The centre reports on its key case: the report is kept, the running S1 clock is met and, while
    the complaint is being handled, the next S1 period opens; the supervisor office is told."""
    supervision = supervision_of(complaint, for_update=True)  # one report at a time: one next period
    refusal = _report_refusal(actor, complaint, supervision)
    if refusal is not None:
        raise refusal
    text = _required(text, "text", _("Write the report."))
    now = utcnow()
    supervision.reports.append(SupervisionReport(author_id=actor.id, text=text, at=now))
    deadlines.meet(SUBJECT, supervision.id, [RULE], at=now)
    if complaint.state not in ENDED_STATES:
        _open_period(supervision, complaint)
    record_event(complaint, actor, "supervision", trigger="report", reason=text, public=False)
    _tell(complaint, "complaint.supervision_reported", [supervision.supervisor.organisation_id], report=text)
    db.session.flush()
    return _with_due([supervision])[0]


def add_instructions(actor, complaint: Complaint, instructions: str) -> Supervision:
    """A supervisor adds instructions to the active supervision (kept beside the first); the centre is
    told. The next report stays due when it was: instructions do not move the S1 clock."""
    supervision = supervision_of(complaint, for_update=True)
    refusal = _instruct_refusal(actor, complaint, supervision)
    if refusal is not None:
        raise refusal
    instructions = _required(instructions, "instructions", _("Give the instructions."))
    supervision.further_instructions.append(SupervisionInstruction(author_id=actor.id, text=instructions))
    record_event(complaint, actor, "supervision", trigger="instruct", reason=instructions, public=False)
    _tell(complaint, "complaint.supervision_instructed", [complaint.centre_id], instructions=instructions)
    db.session.flush()
    return _with_due([supervision])[0]


def lift_supervision(actor, complaint: Complaint, closing_note: str) -> Supervision:
    """A supervisor lifts the supervision with a closing note: no longer a key case, the running S1
    clock is cancelled, no further report; the centre is told."""
    supervision = supervision_of(complaint, for_update=True)
    refusal = _lift_refusal(actor, complaint, supervision)
    if refusal is not None:
        raise refusal
    closing_note = _required(closing_note, "closing_note", _("Write the closing note."))
    now = utcnow()
    supervision.lifted_at, supervision.lifted_by_id, supervision.closing_note = now, actor.id, closing_note
    deadlines.cancel(SUBJECT, supervision.id, [RULE], at=now)
    complaint.key_case = False
    complaint.updated_at = now
    record_event(complaint, actor, "supervision", trigger="lift", reason=closing_note, public=False)
    _tell(complaint, "complaint.supervision_lifted", [complaint.centre_id], closing_note=closing_note)
    db.session.flush()
    return _with_due([supervision])[0]
