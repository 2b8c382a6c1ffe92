"""The sweep: one function that finds what is due for a reminder, a breach or an escalation level,
records it exactly once and queues the notifications — in batches, idempotently.

Exactly once: deadline_events has a unique (deadline, level); the sweep inserts with ON CONFLICT DO
NOTHING ... RETURNING and queues notifications only for the rows it really inserted. Several
processes: on PostgreSQL each batch is claimed with SELECT ... FOR UPDATE SKIP LOCKED, so processes
take disjoint batches; a process killed half-way leaves its batch uncommitted and untouched, and the
next sweep does it. Memory stays flat: one batch at a time, plain rows rather than ORM objects.
"""
import datetime as dt


from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from accounts.enums import OrgKind
from accounts.models import Organisation
from core.extensions import db
from core.models import utcnow
from core.outbox import OutboxEvent

from .models import Deadline, DeadlineEvent, DeadlineState
from .services import schedule

EVENT_FOR_LEVEL = {"reminder": "deadline.reminder", "breach": "deadline.breached", "escalation": "deadline.escalated"}
COLUMNS = (Deadline.id, Deadline.public_id, Deadline.subject_type, Deadline.subject_id, Deadline.complaint_id,
           Deadline.responsible_org_id, Deadline.rule_code, Deadline.state, Deadline.started_at, Deadline.due_at,
           Deadline.reminders, Deadline.escalation, Deadline.next_check_at)


def _recipients(level: str, row, escalation_by_level, supervisor_orgs):
    if level.startswith("escalation-"):
        step = escalation_by_level.get(level, {})
        if step.get("notify") == "supervisors":
            return supervisor_orgs
    return [str(row.responsible_org_id)]


def sweep(now: dt.datetime | None = None, batch_size: int = 1000, max_batches: int | None = None) -> dict:
    """Act on every deadline whose next check is due. Returns counts of what was recorded."""
    now = now or utcnow()
    session = db.session
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    supervisor_orgs = [str(i) for i in session.scalars(
        select(Organisation.id).where(Organisation.kind == OrgKind.supervisor_office))]
    session.commit()
    counts = {"batches": 0, "deadlines": 0, "reminders": 0, "breaches": 0, "escalations": 0}
    while max_batches is None or counts["batches"] < max_batches:
        query = (select(*COLUMNS).where(Deadline.next_check_at <= now, Deadline.closed_at.is_(None),
                                        Deadline.paused_at.is_(None))
                 .order_by(Deadline.next_check_at).limit(batch_size))
        if dialect == "postgresql":
            query = query.with_for_update(skip_locked=True, of=Deadline)
        rows = session.execute(query).all()
        if not rows:
            session.commit()
            break
        wanted, updates = [], []
        for row in rows:
            points = schedule(row)
            due_now = [(level, at) for level, at in points if at <= now]
            later = [at for level, at in points if at > now]
            wanted += [{"deadline_id": row.id, "level": level, "at": now} for level, _at in due_now]
            breached = row.due_at <= now
            updates.append({
                "b_id": row.id, "b_next": min(later) if later else None,
                "b_state": DeadlineState.breached if breached and row.state is DeadlineState.open else row.state,
                "b_breached_at": row.due_at if breached else None,
            })
        inserted = set()
        if wanted:
            result = session.execute(
                insert(DeadlineEvent).on_conflict_do_nothing(index_elements=["deadline_id", "level"])
                .returning(DeadlineEvent.deadline_id, DeadlineEvent.level, sort_by_parameter_order=True),
                wanted)
            inserted = {(r.deadline_id, r.level) for r in result}
        by_id = {row.id: row for row in rows}
        outbox = []
        for deadline_id, level in inserted:
            row = by_id[deadline_id]
            kind = level.split("-")[0]
            counts[{"reminder": "reminders", "breach": "breaches", "escalation": "escalations"}[kind]] += 1
            escalation_by_level = {f"escalation-{s['level']}": s for s in row.escalation or []}
            outbox.append({
                "event": EVENT_FOR_LEVEL[kind],
                "organisation_ids": _recipients(level, row, escalation_by_level, supervisor_orgs),
                "user_ids": [],
                "params": {"rule": row.rule_code, "level": level, "due_at": row.due_at.isoformat(),
                           "deadline": str(row.public_id), "complaint_id": str(row.complaint_id)},
                "subject_type": row.subject_type, "subject_id": row.subject_id, "url": None, "created_at": now,
            })
        if outbox:
            session.execute(OutboxEvent.__table__.insert(), outbox)
        session.execute(
            update(Deadline.__table__).where(Deadline.__table__.c.id == bindparam("b_id"))
            .values(next_check_at=bindparam("b_next"), state=bindparam("b_state"),
                    breached_at=bindparam("b_breached_at")),
            updates, execution_options={"synchronize_session": False})
        session.commit()
        counts["batches"] += 1
        counts["deadlines"] += len(rows)
    return counts


