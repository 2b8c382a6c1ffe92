"""The changes feed: every event addressed to an organisation, in commit order, readable by cursor.

core.outbox.emit (and notifications.outbox.notify) write one ``change_events`` row per recipient
organisation, with the event's one uuid (the webhook's ``event_id``), in the caller's transaction. A client
reads its organisation's rows after a cursor (GET /api/v1/changes) and resumes from the last one it saw.

Commit order: ids (sequences) are handed out when rows are inserted, not when they commit, so a reader
that has passed id 12 could later see a slower transaction's id 11 appear. The feed is therefore ordered
by ``(batch, id)``, where ``batch`` is taken from one counter row *while committing*: a ``before_commit``
hook increments ``change_counter`` (its row stays locked until the commit ends) and stamps this
transaction's rows with the new value. The next writer waits on that row until the first one committed,
so batch numbers grow in commit order and a reader after (batch, id) never finds a smaller one appear.
Rows not yet stamped are only those of transactions still running (invisible to readers anyway). On
SQLite the writers are serialised by the database. The counter is touched only by transactions that
wrote feed rows, after they flushed everything else, so it is held for the commit only.
"""
import base64
import binascii
import datetime as dt
import uuid

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint, Uuid, event, \
    select, text, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from .extensions import db
from .models import BigIntPK, UTCDateTime, utcnow

UNNUMBERED = "changes.unnumbered"  # session.info: this transaction wrote feed rows not yet numbered


class ChangeEvent(db.Model):
    """One event in one organisation's feed. ``event_id`` is the event's id, the same in every recipient's
    feed and in the webhooks it caused."""

    __tablename__ = "change_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    batch: Mapped[int | None] = mapped_column(BigInteger)  # set while committing: (batch, id) is the order
    event: Mapped[str] = mapped_column(String(60))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    subject_type: Mapped[str | None] = mapped_column(String(20))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    __table_args__ = (
        UniqueConstraint("event_id", "organisation_id"),  # an event is in a feed once
        Index("ix_change_events_feed", "organisation_id", "batch", "id"),
        Index("ix_change_events_unnumbered", "id", postgresql_where=text("batch IS NULL"),
              sqlite_where=text("batch IS NULL")),
    )


class ChangeCounter(db.Model):
    """One row: the last batch number given to a committing transaction."""

    __tablename__ = "change_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


def record(event: str, event_id, organisation_ids, *, occurred_at=None, subject_type=None, subject_id=None,
           data=None) -> None:
    """Put ``event`` in the feed of each organisation (de-duplicated), in the caller's transaction."""
    organisations = list(dict.fromkeys(_uuid(o) for o in organisation_ids if o is not None))
    if not organisations:
        return
    at = occurred_at or utcnow()
    subject = _subject(subject_id)
    rows = [{"event_id": _uuid(event_id), "organisation_id": org, "batch": None, "event": event, "occurred_at": at,
             "subject_type": subject_type, "subject_id": subject, "data": data or {}} for org in organisations]
    session = db.session()
    with session.no_autoflush:
        session.execute(ChangeEvent.__table__.insert(), rows)
    session.info[UNNUMBERED] = True


def record_from_select(select_stmt, columns) -> None:
    """INSERT … SELECT feed rows (``columns`` of change_events; batch left empty) — the deadline sweep's way."""
    session = db.session()
    session.execute(ChangeEvent.__table__.insert().from_select(columns, select_stmt))
    session.info[UNNUMBERED] = True


def _subject(value) -> uuid.UUID | None:
    """A subject's uuid; a subject named otherwise (notify() takes any string) is no feed's subject."""
    try:
        return None if value is None else _uuid(value)
    except ValueError:
        return None


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _next_batch(session) -> int:
    table = ChangeCounter.__table__
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (insert(table).values(id=1, value=1)
            .on_conflict_do_update(index_elements=[table.c.id], set_={"value": table.c.value + 1})
            .returning(table.c.value))
    return session.execute(stmt).scalar_one()


@event.listens_for(Session, "before_commit")
def _number_changes(session):
    """Stamp this transaction's feed rows with the next batch number, as late as possible (see the module)."""
    if session.in_nested_transaction() or not session.info.pop(UNNUMBERED, False):
        return  # a savepoint's release is no commit: the outermost transaction numbers its rows
    session.flush()  # every other lock this transaction takes, it takes before the counter's
    batch = _next_batch(session)
    session.execute(update(ChangeEvent.__table__).where(ChangeEvent.__table__.c.batch.is_(None))
                    .values(batch=batch).execution_options(synchronize_session=False))


@event.listens_for(Session, "after_transaction_end")
def _forget_unnumbered(session, transaction):
    if transaction.parent is None:
        session.info.pop(UNNUMBERED, None)


# --- reading ----------------------------------------------------------------------------------------

class BadCursor(ValueError):
    pass


START = (0, 0)


def encode_cursor(position: tuple[int, int]) -> str:
    return base64.urlsafe_b64encode(f"c1:{position[0]}:{position[1]}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    """The position a cursor of encode_cursor() names; BadCursor for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        tag, batch, row = raw.split(":")
        position = (int(batch), int(row))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor(cursor) from None
    if tag != "c1" or min(position) < 0 or max(position) > 2 ** 62 or encode_cursor(position) != cursor:
        raise BadCursor(cursor)  # only the one spelling encode_cursor() gives
    return position


def read(organisation_id, after: tuple[int, int] = START, limit: int = 20, *, events=None,
         exclude_subject_types=()) -> list[ChangeEvent]:
    """Up to ``limit`` committed events of the organisation's feed after ``after``, oldest first.

    ``events``: only these event names (None: all); ``exclude_subject_types``: leave these subjects out.
    """
    c = ChangeEvent
    query = (select(c).where(c.organisation_id == _uuid(organisation_id), c.batch.is_not(None),
                             tuple_(c.batch, c.id) > tuple_(after[0], after[1]))
             .order_by(c.batch, c.id).limit(limit))
    if events is not None:
        query = query.where(c.event.in_(list(events)))
    if exclude_subject_types:
        query = query.where(c.subject_type.is_(None) | c.subject_type.not_in(list(exclude_subject_types)))
    return db.session.scalars(query).all()


def position(change: ChangeEvent) -> tuple[int, int]:
    return change.batch, change.id
