"""Column types and helpers shared by every package's models."""
import datetime as dt
import enum
import uuid

from sqlalchemy import BigInteger, DateTime, Enum, Integer, TypeDecorator

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT.
BigIntPK = BigInteger().with_variant(Integer, "sqlite")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_uuid() -> uuid.UUID:
    """Public ids are random UUIDs: not sequential, not guessable."""
    return uuid.uuid4()


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored in UTC on every backend.

    SQLite has no time zone type, so naive values come back; this returns them as UTC again.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware UTC datetimes only")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """An Enum type storing the member *values* (stable, lower-case) with a CHECK constraint."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=40,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def append_row(table, values: dict) -> None:
    """INSERT one row of an append-only table (timeline, outbox, audit) in the current transaction.

    A Core INSERT rather than an ORM object: nothing reads these rows back in the request that writes
    them, so the unit of work's bookkeeping is pure cost; and no autoflush, so the caller's pending
    changes still go out together (one UPDATE, one version step) when it flushes.
    """
    from .extensions import db

    with db.session.no_autoflush:
        db.session.execute(table.insert(), values)
