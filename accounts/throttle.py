"""Attempt counters for the login and registration throttles, atomic under concurrency.

An attempt is *reserved* before it is checked: one INSERT ... ON CONFLICT DO UPDATE ... RETURNING per
key (SQLite >= 3.35 and PostgreSQL) adds it to the key's window and returns the new count, in a
transaction of its own that commits at once. So 20 simultaneous attempts get the counts 1..20 and
only those within the limit go on to check the password; and the count survives the request's
rollback (a 401 keeps nothing else). Keys are SHA-256 digests of what is counted, so a 10 MiB
e-mail address costs 80 bytes here.
"""
import datetime as dt
import hashlib
import random

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from core.extensions import db
from core.models import utcnow

from .models import ThrottleCounter

PRUNE_CHANCE = 0.02  # the share of reservations that also forget the windows that have ended


def key(kind: str, *parts: str) -> str:
    """``kind:`` + SHA-256 of the parts (kind is a short fixed word such as "acct")."""
    digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind}:{digest}"


def _upsert(dialect_name: str):
    return (postgresql.insert if dialect_name == "postgresql" else sqlite.insert)(ThrottleCounter.__table__)


def reserve(keys: list[str], window_seconds: int, now: dt.datetime | None = None) -> dict[str, int]:
    """Count one attempt for each key; the counts within the current windows, this one included.

    A key whose window has ended starts a new one of ``window_seconds``. The keys are updated in a
    fixed order, so two reservations never wait for each other in a cycle.
    """
    now = now or utcnow()
    ends = now + dt.timedelta(seconds=window_seconds)
    table = ThrottleCounter.__table__
    counts = {}
    with db.engine.begin() as conn:
        for k in sorted(set(keys)):
            stmt = _upsert(conn.dialect.name).values(key=k, count=1, window_ends_at=ends)
            expired = table.c.window_ends_at <= now
            stmt = stmt.on_conflict_do_update(index_elements=[table.c.key], set_={
                "count": case((expired, 1), else_=table.c.count + 1),
                "window_ends_at": case((expired, ends), else_=table.c.window_ends_at),
            }).returning(table.c.count)
            counts[k] = conn.execute(stmt).scalar_one()
    if random.random() < PRUNE_CHANCE:  # now and then, forget windows that have ended
        prune(now)
    return counts


def clear(keys: list[str]) -> None:
    """Forget the attempts of ``keys`` (a successful login clears its account's), at once."""
    with db.engine.begin() as conn:
        conn.execute(delete(ThrottleCounter).where(ThrottleCounter.key.in_(sorted(set(keys)))))


def release(k: str) -> None:
    """Give back one attempt of ``k`` (a successful login does not count against its address)."""
    with db.engine.begin() as conn:
        conn.execute(update(ThrottleCounter).where(ThrottleCounter.key == k, ThrottleCounter.count > 0)
                     .values(count=ThrottleCounter.count - 1))


def prune(now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Delete up to ``limit`` counters whose window has ended; rows another transaction holds are skipped."""
    now = now or utcnow()
    with db.engine.begin() as conn:
        old = select(ThrottleCounter.key).where(ThrottleCounter.window_ends_at < now).limit(limit)
        if conn.dialect.name == "postgresql":
            old = old.with_for_update(skip_locked=True)
        return conn.execute(delete(ThrottleCounter).where(ThrottleCounter.key.in_(old))).rowcount
