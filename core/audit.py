"""The append-only audit log: logins, token use, downloads, administrative actions.

Rows are written with the change they describe, in the same transaction (services flush, the
request boundary commits).
"""
import datetime as dt
import uuid

from flask import has_request_context, request
from sqlalchemy import JSON, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .models import BigIntPK, UTCDateTime, append_row, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(60))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_audit_log_subject", "subject_type", "subject_id"),)


MAX_DETAIL_LENGTH = 500


def bounded(value):
    """Detail values of bounded size: a long text keeps its start and says how long it was.

    Whatever a caller passes (an address someone typed, a file name), one audit row stays small.
    """
    if isinstance(value, str):
        if len(value) <= MAX_DETAIL_LENGTH:
            return value
        return value[:200] + f"…[{len(value)} characters]"
    if isinstance(value, dict):
        return {bounded(str(k)): bounded(v) for k, v in list(value.items())[:50]}
    if isinstance(value, (list, tuple)):
        return [bounded(v) for v in value[:50]]
    return value


def audit(action, *, actor=None, subject_type=None, subject_id=None, **details) -> None:
    """Append an audit row in the caller's transaction (a plain INSERT: the log is only appended to)."""
    append_row(AuditEntry.__table__, {
        "at": utcnow(), "action": action, "actor_id": getattr(actor, "id", None),
        "organisation_id": getattr(actor, "organisation_id", None), "subject_type": subject_type,
        "subject_id": str(subject_id) if subject_id is not None else None,
        "ip": (request.remote_addr or "")[:64] or None if has_request_context() else None,
        "details": bounded(details),
    })
