"""Deadlines: opened, met, paused, resumed, extended and cancelled by the transitions that cause them,
in the same transaction; their schedule of reminders, breach and escalation levels.

Routing calls these; nothing here knows about complaints' or referrals' states.
"""
import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from accounts.enums import Role
from core.audit import audit
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.queries import one_visible
from core.models import utcnow
from core.timeutil import format_local

from . import calendar
from .models import Deadline, DeadlineEvent, DeadlineRule, DeadlineState, Unit

EVENT_FOR_LEVEL = {"reminder": "deadline.reminder", "breach": "deadline.breached", "escalation": "deadline.escalated"}

# The rule that times an agency's decision after it acknowledged a referral, by agency kind.
# (A referral to the procuratorate is filing supervision: its clocks, P1 and P2, run for the police.)
DECISION_RULES = {"market_regulation": "A1", "public_security": "T4", "court": "V1"}
CONCLUSION_RULES = {"market_regulation": "A2"}


def get_rule(code: str) -> DeadlineRule:
    rule = get_rules([code]).get(code)
    if rule is None:
        raise LookupError(f"deadline rule {code} is not configured (run flask deadlines seed-rules)")
    return rule


RULE_COLUMNS = (DeadlineRule.code, DeadlineRule.version, DeadlineRule.amount, DeadlineRule.unit,
                DeadlineRule.reminders, DeadlineRule.escalation, DeadlineRule.extension_amount)
RULES_CACHE = "deadlines.rules"


def get_rules(codes) -> dict:
    """The rules' values by code (rows, not ORM objects), one query for those not yet read in this session."""
    session = db.session()
    rules = session.info.setdefault(RULES_CACHE, {})
    missing = [code for code in codes if code not in rules]
    if missing:
        with session.no_autoflush:
            rules.update((r.code, r) for r in session.execute(
                select(*RULE_COLUMNS).where(DeadlineRule.code.in_(missing))))
    return {code: rules[code] for code in codes if code in rules}


def _due(deadline: Deadline) -> calendar.Due:
    """The due time from the start, the snapshot amount (plus an extension) and the pauses so far.

    A due time a person set (``fixed_due_at``) replaces the rule's arithmetic; only the time the clock
    stood still from then on moves it."""
    if deadline.fixed_due_at is not None:
        due = calendar.Due(due_at=deadline.fixed_due_at, provisional=False, skipped=[],
                           calendar_version=calendar.current_version())
        since = deadline.fixed_at or deadline.started_at
    else:
        amount = deadline.amount + (deadline.extended_by_amount or 0)
        due = calendar.compute_due(deadline.started_at, amount, deadline.unit.value)
        since = None
    provisional = due.provisional
    due_at = due.due_at
    for start, end in deadline.paused_intervals or []:
        start, end = dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end)
        if since is not None:
            start = max(start, since)
            if end <= start:
                continue
        shifted = _shift(due_at, start, end, deadline.unit)
        provisional = provisional or shifted.provisional
        due_at = shifted.due_at
    return calendar.Due(due_at=due_at, provisional=provisional, skipped=due.skipped,
                        calendar_version=due.calendar_version)


def _shift(due_at, paused_from, paused_to, unit: Unit) -> calendar.Due:
    """Move a due time by the time a clock stood still, counted in the rule's own unit."""
    if unit is Unit.hours:
        return calendar.Due(due_at=due_at + (paused_to - paused_from), provisional=False, skipped=[],
                            calendar_version=calendar.current_version())
    if unit is Unit.working_days:
        n = calendar.working_days_between(paused_from, paused_to)
    else:
        n = (calendar.to_local_date(paused_to) - calendar.to_local_date(paused_from)).days
    if n <= 0:
        return calendar.Due(due_at=due_at, provisional=False, skipped=[], calendar_version=calendar.current_version())
    return calendar.compute_due(due_at, n, unit.value)


def plan_deadline(code, *, subject_type, subject_id, complaint_id, responsible_org_id, start=None, due_at=None,
                  due_reason=None, field="due_at") -> Deadline:
    """A new deadline with its due time, added to the session but not written: see write_schedules().

    ``due_at``: a due time a person set (validated by check_due(); its errors name ``field``), which
    replaces the rule's period; ``due_reason`` is why it goes beyond it."""
    rule = get_rule(code)
    start = start or utcnow()
    if due_at is not None:
        errors = check_due(code, due_at, reason=due_reason, field=field, start=start)
        if errors:
            raise ValidationFailed(errors)
    deadline = Deadline(
        subject_type=subject_type, subject_id=subject_id, complaint_id=complaint_id,
        responsible_org_id=responsible_org_id, rule_code=rule.code, rule_version=rule.version, amount=rule.amount,
        unit=rule.unit, reminders=list(rule.reminders or []), escalation=list(rule.escalation or []),
        state=DeadlineState.open, started_at=start, paused_intervals=[],
        fixed_due_at=due_at, fixed_at=start if due_at is not None else None,
        due_reason=(due_reason or "").strip() or None if due_at is not None else None,
    )
    with db.session.no_autoflush:
        due = _due(deadline)
    deadline.due_at, deadline.provisional, deadline.calendar_version = due.due_at, due.provisional, due.calendar_version
    db.session.add(deadline)
    return deadline


def rule_limit(code, start=None) -> dt.datetime:
    """The due time the rule itself gives a clock started at ``start`` (now)."""
    rule = get_rule(code)
    return calendar.compute_due(start or utcnow(), rule.amount, rule.unit.value).due_at


def check_due(code, due_at, *, reason=None, field="due_at", start=None) -> dict:
    """Field errors of a due time a person sets for rule ``code``: it must be in the future, and at most
    the rule's period from ``start`` (now) unless a reason is given. {} when it may be used."""
    start = start or utcnow()
    if due_at is None:
        return {field: [_("Give the due date.")]}
    if due_at.tzinfo is None:
        return {field: [_("Give the time with its time zone.")]}
    if due_at <= start:
        return {field: [_("The due time must be in the future.")]}
    limit = rule_limit(code, start)
    if due_at > limit and not (reason or "").strip():
        return {field: [_("At most %(limit)s (the rule's period) unless you give a reason.",
                          limit=format_local(limit))]}
    return {}


def write_schedules(deadlines) -> None:
    """Write planned deadlines and, in one statement, their whole schedule (a new deadline has done nothing)."""
    db.session.flush()
    rows = [{"deadline_id": d.id, **row} for d in deadlines for row in _pending_rows(d, done=set())]
    if rows:
        db.session.execute(DeadlineEvent.__table__.insert(), rows)


def open_deadline(code, **kwargs) -> Deadline:
    """Open a deadline now (see plan_deadline: ``due_at``, ``due_reason`` and ``field`` for a due time a
    person set)."""
    deadline = plan_deadline(code, **kwargs)
    write_schedules([deadline])
    return deadline


def _pending_rows(deadline: Deadline, done: set[str]) -> list[dict]:
    ladder = {f"escalation-{step['level']}": step for step in deadline.escalation or []}
    return [
        {"level": level, "at": at, "event": EVENT_FOR_LEVEL[level.split("-")[0]],
         "audience": "supervisors" if ladder.get(level, {}).get("notify") == "supervisors" else None}
        for level, at in schedule(deadline) if level not in done
    ]


def _materialise(deadline: Deadline) -> None:
    """Rewrite a running deadline's pending events from its schedule, keeping what the sweep already did."""
    db.session.flush()
    _drop_pending([deadline.id])
    if deadline.closed_at is not None or deadline.paused_at is not None:
        return
    done = set(db.session.scalars(select(DeadlineEvent.level).where(DeadlineEvent.deadline_id == deadline.id)))
    rows = [{"deadline_id": deadline.id, **row} for row in _pending_rows(deadline, done)]
    if rows:
        db.session.execute(DeadlineEvent.__table__.insert(), rows)


def running(subject_type, subject_id, codes=None):
    query = select(Deadline).where(Deadline.subject_type == subject_type, Deadline.subject_id == subject_id,
                                   Deadline.closed_at.is_(None))
    if codes:
        query = query.where(Deadline.rule_code.in_(codes))
    return db.session.scalars(query).all()


def meet(subject_type, subject_id, codes=None, *, responsible_org_id=None, at=None) -> list[Deadline]:
    """The step was done: met if in time; a breached one stays breached but stops escalating."""
    at = at or utcnow()
    met = []
    for deadline in running(subject_type, subject_id, codes):
        if responsible_org_id is not None and deadline.responsible_org_id != responsible_org_id:
            continue
        if deadline.state is DeadlineState.open:
            deadline.state = DeadlineState.met
        deadline.closed_at = at
        met.append(deadline)
    _drop_pending([d.id for d in met])
    return met


def _drop_pending(deadline_ids) -> None:
    """Forget the reminders and escalations not yet done (the record of those done stays)."""
    if deadline_ids:
        db.session.execute(delete(DeadlineEvent).where(DeadlineEvent.deadline_id.in_(deadline_ids),
                                                       DeadlineEvent.done_at.is_(None)))


def cancel_for_complaint(complaint_id, at=None) -> None:
    """The complaint ended (withdrawn, rejected, closed): nothing more is due on it."""
    at = at or utcnow()
    cancelled = db.session.scalars(select(Deadline).where(Deadline.complaint_id == complaint_id,
                                                          Deadline.closed_at.is_(None))).all()
    for deadline in cancelled:
        if deadline.state is DeadlineState.open:
            deadline.state = DeadlineState.cancelled
        deadline.closed_at = at
    _drop_pending([d.id for d in cancelled])


def cancel(subject_type, subject_id, codes=None, at=None) -> list[Deadline]:
    """The step is no longer due (e.g. a key case's supervision was lifted): cancelled; a breached one stays
    breached but stops escalating."""
    at = at or utcnow()
    cancelled = running(subject_type, subject_id, codes)
    for deadline in cancelled:
        if deadline.state is DeadlineState.open:
            deadline.state = DeadlineState.cancelled
        deadline.closed_at = at
    _drop_pending([d.id for d in cancelled])
    return cancelled


def pause(subject_type, subject_id, codes, at=None) -> None:
    at = at or utcnow()
    paused = [d for d in running(subject_type, subject_id, codes) if d.paused_at is None]
    for deadline in paused:
        deadline.paused_at = at
    _drop_pending([d.id for d in paused])


def resume(subject_type, subject_id, codes, at=None) -> None:
    """The clock runs again; the due time moves by the paused time, in the rule's unit."""
    at = at or utcnow()
    for deadline in running(subject_type, subject_id, codes):
        if deadline.paused_at is None:
            continue
        deadline.paused_intervals = [*deadline.paused_intervals, [deadline.paused_at.isoformat(), at.isoformat()]]
        deadline.paused_at = None
        _recompute(deadline)


def _recompute(deadline: Deadline) -> None:
    due = _due(deadline)
    deadline.due_at, deadline.provisional, deadline.calendar_version = due.due_at, due.provisional, due.calendar_version
    if deadline.state is DeadlineState.breached and deadline.due_at > utcnow():
        deadline.state, deadline.breached_at = DeadlineState.open, None
    _materialise(deadline)


def extend(actor, deadline: Deadline, new_due_at: dt.datetime, reason: str) -> Deadline:
    """Move a running deadline's due time to ``new_due_at`` (an approved extension: deadlines.extensions
    checks who may and when); the reason and the decider are recorded on the deadline."""
    old_due = deadline.due_at
    now = utcnow()
    deadline.fixed_due_at, deadline.fixed_at = new_due_at, now
    deadline.extension_reason = reason.strip()
    deadline.extended_by_id = actor.id
    _recompute(deadline)
    audit("deadline.extended", actor=actor, subject_type="deadline", subject_id=deadline.public_id,
          from_due=old_due.isoformat(), to_due=deadline.due_at.isoformat(), reason=reason.strip()[:500])
    for listener in _RECOMPUTED_LISTENERS:
        listener([deadline])
    return deadline


_RECOMPUTED_LISTENERS = []


def on_recomputed(listener):
    """Register ``listener(deadlines)``, called after calendar changes moved running deadlines.

    Routing registers one to keep the queue's and the inbox's due times (it sits right of this
    package, so it listens rather than being called).
    """
    _RECOMPUTED_LISTENERS.append(listener)
    return listener


def recompute_spanning(first: dt.date, last: dt.date) -> int:
    """The calendar changed for the days first..last: recompute every running deadline that counts them,
    and every provisional one (a year's calendar may have been published)."""
    started_before = calendar.end_of_day(last)
    due_from = calendar.end_of_day(first - dt.timedelta(days=1))
    changed = db.session.scalars(select(Deadline).where(
        Deadline.closed_at.is_(None),
        (Deadline.provisional.is_(True)) | ((Deadline.started_at <= started_before) & (Deadline.due_at > due_from))
    )).all()
    for deadline in changed:
        _recompute(deadline)
    db.session.flush()
    for listener in _RECOMPUTED_LISTENERS:
        listener(changed)
    return len(changed)


def recompute_provisional(year: int) -> int:
    """A year's calendar was loaded: recompute what counts its days, the provisional deadlines included."""
    return recompute_spanning(dt.date(year, 1, 1), dt.date(year, 12, 31))


# --- schedule: reminders, breach, escalation --------------------------------------------------------

def schedule(deadline) -> list[tuple[str, dt.datetime]]:
    """Every point the sweep acts on, as (level, time): reminders, the breach, escalation levels."""
    points = []
    span = deadline.due_at - deadline.started_at
    for i, reminder in enumerate(deadline.reminders or [], start=1):
        if "percent" in reminder:
            at = deadline.started_at + span * (reminder["percent"] / 100)
        elif "working_days_before" in reminder:
            at = calendar.working_days_before(deadline.due_at, reminder["working_days_before"])
        else:
            at = deadline.due_at - dt.timedelta(hours=reminder.get("hours_before", 0))
        if deadline.started_at < at < deadline.due_at:
            points.append((f"reminder-{i}", at))
    points.append(("breach", deadline.due_at))
    for step in deadline.escalation or []:
        n = step.get("after_working_days", 0)
        at = calendar.compute_due(deadline.due_at, n, "working_days").due_at if n else deadline.due_at
        points.append((f"escalation-{step['level']}", at))
    return points


def earliest_due(subject_type, subject_id, responsible_org_id) -> dt.datetime | None:
    """The earliest due time among the organisation's running, unpaused deadlines on the subject."""
    return db.session.scalar(select(func.min(Deadline.due_at)).where(
        Deadline.subject_type == subject_type, Deadline.subject_id == subject_id,
        Deadline.responsible_org_id == responsible_org_id, Deadline.closed_at.is_(None),
        Deadline.paused_at.is_(None)))


def deadlines_for_subject(subject_type, subject_id) -> list[Deadline]:
    return db.session.scalars(select(Deadline).where(Deadline.subject_type == subject_type,
                                                     Deadline.subject_id == subject_id)
                              .order_by(Deadline.started_at, Deadline.id)).all()


def deadlines_for_complaint(complaint_id) -> list[Deadline]:
    return db.session.scalars(select(Deadline).where(Deadline.complaint_id == complaint_id)
                              .order_by(Deadline.started_at, Deadline.id)).all()


# --- rules ---------------------------------------------------------------------------------------

def update_rule(actor, code: str, data: dict) -> DeadlineRule:
    """An administrator changes a rule; deadlines already running keep the values they started with."""
    if actor.role is not Role.admin:
        raise NotFound()
    rule = db.session.get(DeadlineRule, code)
    if rule is None:
        raise NotFound()
    changed = {k: v for k, v in data.items() if getattr(rule, k) != v}
    if changed:
        for key, value in changed.items():
            setattr(rule, key, value)
        rule.version += 1
        db.session.info.pop(RULES_CACHE, None)
        audit("deadline_rule.changed", actor=actor, subject_type="deadline_rule", subject_id=code,
              changed={k: (v.value if hasattr(v, "value") else v) for k, v in changed.items()})
        db.session.flush()
    return rule


def list_rules() -> list[DeadlineRule]:
    return db.session.scalars(select(DeadlineRule).order_by(DeadlineRule.code)).all()


def get_deadline(public_id) -> Deadline:
    return one_visible(Deadline.public_id, public_id, True)
