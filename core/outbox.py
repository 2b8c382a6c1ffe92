"""The outbox: events that must reach people, written in the same transaction as what caused them.

Packages that cannot or need not fan out to users themselves (the deadline sweep writes thousands at
once) add OutboxEvent rows here; the notifications worker expands each into in-app notifications,
e-mails and webhooks, and marks it expanded. Nothing here sends anything.

Each event has one uuid (``event_id``): the id of its items in the changes feed of every recipient
organisation (core.changes, written here in the same transaction) and the ``event_id`` of its webhooks.
"""
import datetime as dt
import uuid

from sqlalchemy import JSON, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from . import changes
from .extensions import db
from .models import BigIntPK, UTCDateTime, append_row, new_uuid, utcnow

# audience name -> a function giving its organisations' ids (notifications registers "supervisors")
_AUDIENCES = {}


def register_audience(name: str, organisations) -> None:
    """Let the package that knows the organisations say who an ``audience`` of emit() is."""
    _AUDIENCES[name] = organisations


class OutboxEvent(db.Model):
    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=new_uuid)  # feed item and webhook event_id
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
         subject_id=None, url=None) -> uuid.UUID:
    """Queue an event in the caller's transaction (a plain INSERT: outbox rows are only ever appended), and
    put it in the changes feed of each recipient organisation (``organisation_ids`` and the ``audience``'s;
    users named alone are no organisation's business). Returns the event's id."""
    event_id, now = new_uuid(), utcnow()
    organisation_ids = list(organisation_ids)
    append_row(OutboxEvent.__table__, {
        "event_id": event_id, "event": event, "organisation_ids": [str(o) for o in organisation_ids],
        "user_ids": [str(u) for u in user_ids], "audience": audience, "params": params or {},
        "subject_type": subject_type, "subject_id": subject_id, "url": url, "created_at": now})
    if audience is not None:
        if audience not in _AUDIENCES:
            raise ValueError(f"unknown audience {audience!r}")
        organisation_ids += list(_AUDIENCES[audience]())
    changes.record(event, event_id, organisation_ids, occurred_at=now, subject_type=subject_type,
                   subject_id=subject_id, data=params or {})
    return event_id
