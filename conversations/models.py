import datetime as dt
import enum
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core.extensions import db
from core.models import UTCDateTime, enum_column, new_uuid, utcnow

MAX_BODY = 5000  # characters of one message (a bound marshmallow_messages already translates)


class Side(enum.Enum):
    """Who wrote a message: the enterprise that filed the complaint, or the centre that handles it."""

    enterprise = "enterprise"
    centre = "centre"

    @property
    def label(self):
        return SIDE_LABELS[self]


SIDE_LABELS = {Side.enterprise: _l("Enterprise"), Side.centre: _l("Centre")}


class Message(db.Model):
    """One message of a complaint's conversation. Append-only: never edited or deleted."""

    __tablename__ = "conversation_messages"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    side: Mapped[Side] = mapped_column(enum_column(Side, "message_side"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()
    attachments: Mapped[list["MessageAttachment"]] = relationship(
        back_populates="message", order_by="MessageAttachment.position", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint(f"length(body) <= {MAX_BODY}", name="body_bounded"),
        Index("ix_conversation_messages_complaint", "complaint_id", "created_at", "id"),
    )


class MessageAttachment(db.Model):
    """A file attached to a message, kept encrypted in the evidence vault (evidence.vault) like evidence,
    but not evidence of the complaint: it is shown and served only within the conversation."""

    __tablename__ = "conversation_attachments"
    audit_subject = "message_attachment"  # what the audit log and the damage notice call it

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversation_messages.id", ondelete="CASCADE"),
                                                  index=True)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    display_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    damage_reported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    message: Mapped[Message] = relationship(back_populates="attachments")

    __table_args__ = (CheckConstraint("size > 0", name="attachment_not_empty"),)
