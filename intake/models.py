import datetime as dt
import decimal
import uuid

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.enums import District
from accounts.models import Organisation, User
from core.extensions import db
from core.models import BigIntPK, UTCDateTime, enum_column, new_uuid, utcnow

from .enums import ComplaintState, InfringerKind, SecretCategory

Money = Numeric(16, 2)


class Complaint(db.Model):
    """A trade-secret complaint. Its ``state`` is changed only by routing's state machine."""

    __tablename__ = "complaints"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)  # issued on submission
    state: Mapped[ComplaintState] = mapped_column(enum_column(ComplaintState, "complaint_state"),
                                                  default=ComplaintState.draft)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    enterprise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    centre_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))  # set on submission

    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(254))

    # the trade secret: the three legal elements
    secret_category: Mapped[SecretCategory | None] = mapped_column(enum_column(SecretCategory, "secret_category"))
    secret_description: Mapped[str | None] = mapped_column(Text)
    confidentiality_measures: Mapped[str | None] = mapped_column(Text)
    commercial_value: Mapped[str | None] = mapped_column(Text)

    infringing_acts: Mapped[list] = mapped_column(JSON, default=list)
    discovered_on: Mapped[dt.date | None]
    estimated_loss: Mapped[decimal.Decimal | None] = mapped_column(Money)
    estimated_illegal_gains: Mapped[decimal.Decimal | None] = mapped_column(Money)
    holder_bankrupt_or_closed: Mapped[bool | None]  # the infringement drove the holder into bankruptcy or closure
    remedies: Mapped[list] = mapped_column(JSON, default=list)
    preferred_tracks: Mapped[list] = mapped_column(JSON, default=list)  # track values or ["centre_decides"]
    facts: Mapped[str | None] = mapped_column(Text)

    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    # the centre asked for supplements after acceptance and waits for the answer (Q3)
    supplement_requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # the centre concluded the complaint itself: the guidance given (nothing, or nothing more, to refer)
    resolution: Mapped[str | None] = mapped_column(Text)
    key_case: Mapped[bool] = mapped_column(default=False)  # 督办: supervised as a key case
    # the earliest due time of the centre's own running deadlines (kept by routing): the queue's order
    centre_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    claimed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    enterprise: Mapped[Organisation] = relationship(foreign_keys=[enterprise_id])
    centre: Mapped[Organisation | None] = relationship(foreign_keys=[centre_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    infringers: Mapped[list["Infringer"]] = relationship(
        back_populates="complaint", order_by="Infringer.position", cascade="all, delete-orphan")
    events: Mapped[list["ComplaintEvent"]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id", viewonly=True)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("state = 'draft' OR (reference IS NOT NULL AND submitted_at IS NOT NULL "
                        "AND centre_id IS NOT NULL)", name="submitted_has_reference"),
        CheckConstraint("state <> 'withdrawn' OR withdrawal_reason IS NOT NULL", name="withdrawn_has_reason"),
        CheckConstraint("estimated_loss IS NULL OR estimated_loss >= 0", name="loss_not_negative"),
        CheckConstraint("estimated_illegal_gains IS NULL OR estimated_illegal_gains >= 0",
                        name="gains_not_negative"),
        Index("ix_complaints_enterprise_updated", "enterprise_id", "updated_at"),
        # the centre's queue: key cases first, then by the centre's due time (none last), then oldest first
        Index("ix_complaints_queue", "centre_id", text("key_case DESC"), text("(centre_due_at IS NULL)"),
              "centre_due_at", "submitted_at", "id"),
        Index("ix_complaints_centre_state", "centre_id", "state", text("key_case DESC"),
              text("(centre_due_at IS NULL)"), "centre_due_at", "submitted_at", "id"),
        # the queue sorted by the time received (routing.queue), either way
        Index("ix_complaints_centre_submitted", "centre_id", "submitted_at", "id"),
    )

    def __repr__(self):
        return f"<Complaint {self.reference or self.id} {self.state.value}>"


class Infringer(db.Model):
    __tablename__ = "complaint_infringers"

    # a client-side key lets the ORM write a complaint's infringers in one statement
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[InfringerKind] = mapped_column(enum_column(InfringerKind, "infringer_kind"))
    name: Mapped[str | None] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    district: Mapped[District | None] = mapped_column(enum_column(District, "district"))  # None: outside Shanghai or unknown
    # an earlier administrative penalty of this infringer for trade-secret infringement (行政处罚决定书):
    # routing.rules lowers the criminal threshold when its date falls within two years before the infringement
    penalty_decision_number: Mapped[str | None] = mapped_column(String(100))  # 文号
    penalty_authority: Mapped[str | None] = mapped_column(String(200))
    penalty_decided_on: Mapped[dt.date | None]

    complaint: Mapped[Complaint] = relationship(back_populates="infringers")


class ComplaintEvent(db.Model):
    """The append-only timeline of a complaint: one row per transition or change, same transaction."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))  # an intake.enums.EventKind value (record_event checks it)
    trigger: Mapped[str | None] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    public: Mapped[bool] = mapped_column(default=True)  # False: agency-internal, never shown to the enterprise
    # Routing's rows name the referral or consultation they concern (no foreign key: intake sits
    # left of routing in the dependency order).
    referral_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    consultation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    complaint: Mapped[Complaint] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (Index("ix_complaint_events_complaint", "complaint_id", "id"),)


class ReferenceCounter(db.Model):
    """The last reference number issued per year; its row lock serialises concurrent submissions."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
