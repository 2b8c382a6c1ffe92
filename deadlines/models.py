"""Deadline rules (data an administrator edits), deadlines (rows), and what the sweep recorded."""
import datetime as dt
import enum
import uuid

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import BigIntPK, UTCDateTime, enum_column, utcnow


class Unit(enum.Enum):
    working_days = "working_days"
    days = "days"  # calendar days; a last day on a rest day moves to the next working day
    hours = "hours"


class DeadlineState(enum.Enum):
    open = "open"
    met = "met"
    breached = "breached"
    cancelled = "cancelled"


class DeadlineRule(db.Model):
    """One row of DOMAIN.md's table. Editing it bumps its version; deadlines keep the values they started with."""

    __tablename__ = "deadline_rules"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)  # Q1, A1, ...
    step: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[Unit] = mapped_column(enum_column(Unit, "deadline_unit"))
    # reminder points: [{"percent": 50}, {"working_days_before": 1}, {"hours_before": 12}]
    reminders: Mapped[list] = mapped_column(JSON, default=list)
    # escalation ladder after the breach: [{"level": 1, "after_working_days": 0, "notify": "responsible"},
    #                                       {"level": 2, "after_working_days": 2, "notify": "supervisors"}]
    escalation: Mapped[list] = mapped_column(JSON, default=list)
    extension_amount: Mapped[int | None] = mapped_column(Integer)  # e.g. A1: +15 working days, once
    source: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(2), default="U")  # V seen in the rule, S secondary, U unverified
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint("amount > 0 AND amount <= 3650", name="amount_sane"),
        CheckConstraint("extension_amount IS NULL OR (extension_amount > 0 AND extension_amount <= 3650)",
                        name="extension_sane"),
    )


class Deadline(db.Model):
    """A running clock: opened and closed by transitions, in their transaction; acted on by the sweep."""

    __tablename__ = "deadlines"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    subject_type: Mapped[str] = mapped_column(String(20))  # complaint | referral | consultation | supervision
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    complaint_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)  # every subject belongs to a complaint
    responsible_org_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # who must act
    rule_code: Mapped[str] = mapped_column(String(10))
    # the rule as it was when the deadline started: later edits of the rule do not move it
    rule_version: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[Unit] = mapped_column(enum_column(Unit, "deadline_unit"))
    reminders: Mapped[list] = mapped_column(JSON, default=list)
    escalation: Mapped[list] = mapped_column(JSON, default=list)

    state: Mapped[DeadlineState] = mapped_column(enum_column(DeadlineState, "deadline_state"),
                                                 default=DeadlineState.open)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    provisional: Mapped[bool] = mapped_column(default=False)  # reaches into a year with no published calendar
    calendar_version: Mapped[int] = mapped_column(Integer)
    paused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    paused_intervals: Mapped[list] = mapped_column(JSON, default=list)  # [[from, to], ...] ISO strings
    extended_by_amount: Mapped[int | None] = mapped_column(Integer)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extended_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # a due time a person set (the reply date the enterprise is told, the convener's opinion due time, an
    # approved extension): it replaces the rule's arithmetic; pauses from fixed_at on still move it
    fixed_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    fixed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    due_reason: Mapped[str | None] = mapped_column(Text)  # why a person set it beyond the rule's period
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # met or cancelled
    breached_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_deadlines_subject", "subject_type", "subject_id", "rule_code"),
        CheckConstraint("due_at >= started_at", name="due_after_start"),
        CheckConstraint("state NOT IN ('met', 'cancelled') OR closed_at IS NOT NULL", name="closed_has_time"),
        CheckConstraint("state <> 'breached' OR breached_at IS NOT NULL", name="breached_has_time"),
    )

    @property
    def is_running(self) -> bool:
        return self.closed_at is None and self.state in (DeadlineState.open, DeadlineState.breached)


class ExtensionState(enum.Enum):
    pending = "pending"
    approved = "approved"
    refused = "refused"


class ExtensionRequest(db.Model):
    """An officer asks for more time on a running deadline; the agency head (a supervisor for the centre's
    clocks) approves it, which moves the due time, or refuses it with a reason."""

    __tablename__ = "extension_requests"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    requested_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    state: Mapped[ExtensionState] = mapped_column(enum_column(ExtensionState, "extension_state"),
                                                  default=ExtensionState.pending)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)

    deadline = relationship("Deadline")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (
        # one request waits at a time on a deadline
        Index("uq_extension_requests_pending", "deadline_id", unique=True,
              postgresql_where=text("state = 'pending'"), sqlite_where=text("state = 'pending'")),
        CheckConstraint("state = 'pending' OR (decided_at IS NOT NULL AND decided_by_id IS NOT NULL)",
                        name="decided_has_decider"),
    )


class DeadlineEvent(db.Model):
    """Each reminder, breach and escalation level of a deadline: scheduled, then done exactly once.

    The schedule of a running deadline is materialised here as pending rows (services._materialise),
    rewritten when its due time moves and deleted when it is met, paused or cancelled. The sweep marks
    due rows done in sets, in SQL; the unique (deadline, level) makes each happen once, whatever the
    number of sweeping processes.
    """

    __tablename__ = "deadline_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(20))  # reminder-1, breach, escalation-1, ...
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # when it is due
    event: Mapped[str] = mapped_column(String(40))  # deadline.reminder | deadline.breached | deadline.escalated
    audience: Mapped[str | None] = mapped_column(String(20))  # None: the responsible organisation only
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # when the sweep recorded it
    batch: Mapped[str | None] = mapped_column(String(32))  # the sweep batch that recorded it
    # the id of the event it becomes (its outbox row, its changes-feed items, its webhooks' event_id);
    # always set (the migration gave the rows before it theirs)
    event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=uuid.uuid4)

    __table_args__ = (
        UniqueConstraint("deadline_id", "level"),
        Index("ix_deadline_events_batch", "batch", postgresql_where=text("batch IS NOT NULL"),
              sqlite_where=text("batch IS NOT NULL")),
        Index("ix_deadline_events_pending", "at", "id", postgresql_where=text("done_at IS NULL"),
              sqlite_where=text("done_at IS NULL")),
    )
