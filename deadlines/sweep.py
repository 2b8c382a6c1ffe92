"""The sweep: one function that finds what is due for a reminder, a breach or an escalation level,
records it exactly once and queues the notifications — in batches, in SQL, idempotently.

A running deadline's schedule is materialised as pending rows of deadline_events, one per (deadline,
level) — the unique constraint that makes each reminder, breach and escalation happen exactly once
(services._materialise). Per batch the sweep claims due rows (on PostgreSQL with SELECT … FOR UPDATE
SKIP LOCKED, so several scheduler processes take disjoint batches), marks them done (only those still
pending: a racing sweep marks nothing twice), writes one outbox row for each row it marked with an
INSERT … SELECT, marks breached deadlines and commits. A process killed half-way leaves its batch
uncommitted: the next sweep does it, no duplicate and nothing missed. Memory stays flat: one batch
at a time, and only ids travel to Python.
"""
import datetime as dt
import uuid

from sqlalchemy import BigInteger, String, and_, any_, bindparam, cast, func, insert, literal, select, tuple_, update
from sqlalchemy.dialects.postgresql import ARRAY

from core.extensions import db
from core.models import utcnow
from core.outbox import OutboxEvent

from .models import Deadline, DeadlineEvent as E, DeadlineState


def _json_builders(dialect: str):
    if dialect == "postgresql":
        return func.json_build_array, func.json_build_object
    return func.json_array, func.json_object


def _claim(session, dialect, now, batch_size):
    """The SQL condition selecting this batch's due events, or None when nothing is due.

    PostgreSQL: the ids, locked with FOR UPDATE SKIP LOCKED (other processes skip them), passed as
    one array parameter. SQLite (one writer at a time, one sweeping process): the due events up to
    the batch's last id.
    """
    pending_due = and_(E.done_at.is_(None), E.at <= now)
    if dialect == "postgresql":
        ids = session.scalars(select(E.id).where(pending_due).order_by(E.at, E.id).limit(batch_size)
                              .with_for_update(skip_locked=True)).all()
        return E.id == any_(bindparam("claimed", ids, type_=ARRAY(BigInteger))) if ids else None
    if session.scalar(select(E.id).where(pending_due).limit(1)) is None:
        return None
    last = session.execute(select(E.at, E.id).where(pending_due).order_by(E.at, E.id)
                           .offset(batch_size - 1).limit(1)).first()
    return pending_due if last is None else and_(pending_due, tuple_(E.at, E.id) <= tuple_(last.at, last.id))


def sweep(now: dt.datetime | None = None, batch_size: int = 5000, max_batches: int | None = None,
          after_mark=None) -> dict:
    """Act on every reminder, breach and escalation due by ``now``. Returns counts of what it recorded.

    ``after_mark(batch_number)`` is a test hook called inside each batch's transaction, after the
    events are marked done and before the commit (to kill the process half-way).
    """
    now = now or utcnow()
    session = db.session
    dialect = session.get_bind().dialect.name
    json_array, json_object = _json_builders(dialect)
    counts = {"batches": 0, "events": 0, "deadline.reminder": 0, "deadline.breached": 0, "deadline.escalated": 0}
    while max_batches is None or counts["batches"] < max_batches:
        mine = _claim(session, dialect, now, batch_size)
        if mine is None:
            session.commit()
            break
        token = uuid.uuid4().hex
        # done_at IS NULL again: under PostgreSQL's row locks a second sweep that raced us marks nothing
        marked = session.scalars(
            update(E).where(mine, E.done_at.is_(None)).values(done_at=now, batch=token)
            .returning(E.event).execution_options(synchronize_session=False)).all()
        if after_mark is not None:
            after_mark(counts["batches"] + 1)
        if marked:
            # the notifications worker looks the rest (due time, complaint) up by the deadline's id
            params = json_object("rule", Deadline.rule_code, "level", E.level,
                                 "deadline", cast(Deadline.public_id, String))
            session.execute(insert(OutboxEvent).from_select(
                ["event", "organisation_ids", "user_ids", "audience", "params", "subject_type", "subject_id",
                 "created_at"],
                select(E.event, json_array(cast(Deadline.responsible_org_id, String)), json_array(), E.audience,
                       params, Deadline.subject_type, Deadline.subject_id, literal(now, OutboxEvent.created_at.type))
                .join(Deadline, Deadline.id == E.deadline_id).where(E.batch == token)))
            session.execute(
                update(Deadline).where(Deadline.state == DeadlineState.open,
                                       Deadline.id.in_(select(E.deadline_id).where(E.batch == token,
                                                                                    E.level == "breach")))
                .values(state=DeadlineState.breached, breached_at=Deadline.due_at)
                .execution_options(synchronize_session=False))
            for event in marked:
                counts[event] += 1
        session.commit()
        counts["batches"] += 1
        counts["events"] += len(marked)
    return counts
