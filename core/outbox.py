"""The outbox: events that must reach people, written in the same transaction as what caused them.

Packages that cannot or need not fan out to users themselves (the deadline sweep writes thousands at
once) add OutboxEvent rows here; the notifications worker expands each into in-app notifications,
e-mails and webhooks, and marks it expanded. Nothing here sends anything.
"""
import datetime as dt
import uuid

from sqlalchemy import JSON, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .models import BigIntPK, UTCDateTime, append_row, utcnow


class OutboxEvent(db.Model):
    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    event: Mapped[str] = mapped_column(String(60))
    organisation_ids: Mapped[list] = mapped_column(JSON, default=list)  # every active user of these
    user_ids: Mapped[list] = mapped_column(JSON, default=list)
    audience: Mapped[str | None] = mapped_column(String(20))  # "supervisors": every supervisor office too
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    subject_type: Mapped[str | None] = mapped_column(String(20))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    url: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expanded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_outbox_events_pending", "expanded_at", "id"),)


def emit(event: str, *, organisation_ids=(), user_ids=(), audience=None, params=None, subject_type=None,
         subject_id=None, url=None) -> None:
    """Queue an event in the caller's transaction (a plain INSERT: outbox rows are only ever appended)."""
    append_row(OutboxEvent.__table__, {
        "event": event, "organisation_ids": [str(o) for o in organisation_ids],
        "user_ids": [str(u) for u in user_ids], "audience": audience, "params": params or {},
        "subject_type": subject_type, "subject_id": subject_id, "url": url, "created_at": utcnow()})
