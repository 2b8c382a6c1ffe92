"""The outbox: in-app notifications, queued deliveries (e-mail, webhook), preferences and webhook endpoints."""
import datetime as dt
import enum
import uuid

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Organisation, User
from core.extensions import db
from core.models import BigIntPK, UTCDateTime, enum_column, new_uuid, utcnow


class Channel(enum.Enum):
    email = "email"
    webhook = "webhook"


class DeliveryState(enum.Enum):
    pending = "pending"  # waiting for its next attempt (the first one is due at once)
    sent = "sent"
    dead = "dead"  # gave up after NOTIFY_MAX_ATTEMPTS: shown to administrators, who may retry it


class Notification(db.Model):
    """One in-app notification of one user. The text is rendered when shown, in the reader's language."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_notifications_user_created", "user_id", "created_at"),
        # the unread count in the navigation bar, on every page
        Index("ix_notifications_user_unread", "user_id", sqlite_where=text("read_at IS NULL"),
              postgresql_where=text("read_at IS NULL")),
    )


PENDING_SQL = "state = 'pending'"


class OutboxDelivery(db.Model):
    """One message to send: an e-mail to a user or a webhook call to an organisation.

    Written by notify() in the transaction of the event, sent after the commit by the worker.
    ``public_id`` is the delivery id the receiver sees (Message-ID, X-Delivery-Id): the same on every
    attempt, so a receiver can drop a duplicate if a crash made us send twice.
    """

    __tablename__ = "outbox_deliveries"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_uuid)
    # the event's id, the same in every delivery of the event and in the changes feed (webhooks' event_id)
    event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "delivery_channel"))
    event: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(500))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))  # e-mail to a user
    email_to: Mapped[str | None] = mapped_column(String(254))  # e-mail to an address without an account
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))  # webhook
    state: Mapped[DeliveryState] = mapped_column(enum_column(DeliveryState, "delivery_state"),
                                                 default=DeliveryState.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)  # when the event occurred
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    dead_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        # the worker's claim: pending rows by due time
        Index("ix_outbox_deliveries_due", "next_attempt_at", sqlite_where=text(PENDING_SQL),
              postgresql_where=text(PENDING_SQL)),
        Index("ix_outbox_deliveries_state_created", "state", "created_at"),
        CheckConstraint("channel <> 'email' OR user_id IS NOT NULL OR email_to IS NOT NULL", name="email_has_recipient"),
        CheckConstraint("channel <> 'webhook' OR organisation_id IS NOT NULL", name="webhook_has_organisation"),
        CheckConstraint("state <> 'pending' OR next_attempt_at IS NOT NULL", name="pending_has_next_attempt"),
        CheckConstraint("state <> 'sent' OR sent_at IS NOT NULL", name="sent_has_sent_at"),
        CheckConstraint("state <> 'dead' OR dead_at IS NOT NULL", name="dead_has_dead_at"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    @property
    def recipient(self) -> str:
        if self.channel is Channel.email:
            return self.user.email if self.user else (self.email_to or "")
        return self.organisation.name if self.organisation else ""


class NotificationPreference(db.Model):
    """Whether a user wants an event by e-mail. No row means yes (the default for every event)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    event: Mapped[str] = mapped_column(String(60), primary_key=True)
    email: Mapped[bool] = mapped_column(default=True)


class WebhookEndpoint(db.Model):
    """An organisation's (agency's) webhook: events addressed to it are POSTed there, signed with ``secret``.

    The secret must be kept in clear text: the HMAC is computed with it on every delivery.
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
