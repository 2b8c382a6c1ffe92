"""The sweep: one function that finds what is due for a reminder, a breach or an escalation level,
records it exactly once and queues the notifications — in batches, in SQL, idempotently.

A running deadline's schedule is materialised as pending rows of deadline_events, one per (deadline,
level) — the unique constraint that makes each reminder, breach and escalation happen exactly once
(services._materialise). Per batch the sweep marks due rows done with one UPDATE whose subquery
claims them (on PostgreSQL FOR UPDATE SKIP LOCKED, so several scheduler processes take disjoint
batches; only rows still pending are marked, so a racing sweep marks nothing twice), writes one outbox
row for each row it marked with an INSERT … SELECT, marks breached deadlines and commits. A process
killed half-way leaves its batch uncommitted: the next sweep does it, no duplicate and nothing
missed. Memory stays flat: the rows never travel to Python, only counts.
"""
import datetime as dt
import uuid

from sqlalchemy import String, cast, func, insert, literal, select, update
from sqlalchemy.orm import aliased

from accounts.enums import OrgKind
from accounts.models import Organisation
from core import changes
from core.extensions import db
from core.models import utcnow
from core.outbox import OutboxEvent

from .models import Deadline, DeadlineEvent as E, DeadlineState


def _json_builders(dialect: str):
    if dialect == "postgresql":
        return func.json_build_array, func.json_build_object
    return func.json_array, func.json_object


def _uuid_text(column, dialect):
    """A uuid column as its canonical text (8-4-4-4-12): SQLite stores the 32 digits without dashes."""
    if dialect == "postgresql":
        return cast(column, String)
    digits = cast(column, String)
    return func.lower(func.substr(digits, 1, 8) + "-" + func.substr(digits, 9, 4) + "-" + func.substr(digits, 13, 4)
                      + "-" + func.substr(digits, 17, 4) + "-" + func.substr(digits, 21, 12))


def _due_batch(dialect, now, batch_size):
    """A subquery of the ids of the next batch of due, pending events.

    On PostgreSQL the rows are locked FOR UPDATE SKIP LOCKED: a concurrent sweep skips them and takes
    the next ones. SQLite has one writer at a time (and one sweeping process). No id travels to Python.
    """
    pending = aliased(E)
    due = (select(pending.id).where(pending.done_at.is_(None), pending.at <= now)
           .order_by(pending.at, pending.id).limit(batch_size))
    if dialect == "postgresql":
        due = due.with_for_update(skip_locked=True)
    return due


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
        token = uuid.uuid4().hex
        # done_at IS NULL again: under PostgreSQL's row locks a second sweep that raced us marks nothing
        marked = session.execute(
            update(E).where(E.id.in_(_due_batch(dialect, now, batch_size)), E.done_at.is_(None))
            .values(done_at=now, batch=token).execution_options(synchronize_session=False)).rowcount
        if not marked:
            session.commit()
            break
        if after_mark is not None:
            after_mark(counts["batches"] + 1)
        if marked:
            # the notifications worker looks the rest (due time, complaint) up by the deadline's id
            params = json_object("rule", Deadline.rule_code, "level", E.level,
                                 "deadline", _uuid_text(Deadline.public_id, dialect))
            session.execute(insert(OutboxEvent).from_select(
                ["event_id", "event", "organisation_ids", "user_ids", "audience", "params", "subject_type",
                 "subject_id", "created_at"],
                select(E.event_id, E.event, json_array(cast(Deadline.responsible_org_id, String)), json_array(),
                       E.audience, params, Deadline.subject_type, Deadline.subject_id,
                       literal(now, OutboxEvent.created_at.type))
                .join(Deadline, Deadline.id == E.deadline_id).where(E.batch == token)))
            # the changes feed of the responsible organisation, and of every supervisor office on escalation
            feed = ["event_id", "organisation_id", "event", "occurred_at", "subject_type", "subject_id", "data"]
            at = literal(now, OutboxEvent.created_at.type)
            changes.record_from_select(
                select(E.event_id, Organisation.id, E.event, at, Deadline.subject_type, Deadline.subject_id, params)
                .join(Deadline, Deadline.id == E.deadline_id)
                .join(Organisation, Organisation.id == Deadline.responsible_org_id)  # one that exists
                .where(E.batch == token), feed)
            changes.record_from_select(
                select(E.event_id, Organisation.id, E.event, at, Deadline.subject_type, Deadline.subject_id, params)
                .join(Deadline, Deadline.id == E.deadline_id)
                .join(Organisation, Organisation.kind == OrgKind.supervisor_office)
                .where(E.batch == token, E.audience == "supervisors", Organisation.id != Deadline.responsible_org_id),
                feed)
            session.execute(
                update(Deadline).where(Deadline.state == DeadlineState.open,
                                       Deadline.id.in_(select(E.deadline_id).where(E.batch == token,
                                                                                    E.level == "breach")))
                .values(state=DeadlineState.breached, breached_at=Deadline.due_at)
                .execution_options(synchronize_session=False))
            for event, number in session.execute(
                    select(E.event, func.count()).where(E.batch == token).group_by(E.event)):
                counts[event] += number
        session.commit()
        counts["batches"] += 1
        counts["events"] += marked
    return counts
