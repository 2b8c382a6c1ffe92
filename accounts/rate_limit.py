"""Per-key request rate limits of the API keys: a fixed window counted atomically, like the login throttle.

Each request authenticated by an API key reserves one request of the key's window (one INSERT ... ON
CONFLICT DO UPDATE ... RETURNING, in a transaction of its own that commits at once, on SQLite and
PostgreSQL alike: so simultaneous requests get distinct counts and the count survives the request's
rollback). Over the key's limit (``AuthToken.rate_limit``, set by the administrator, else
``API_KEY_RATE_LIMIT``) within a minute (a fixed window): 429 with ``Retry-After`` (the seconds until
the window ends). Every answer to a key tells its limit and what remains (``X-RateLimit-Limit``,
``X-RateLimit-Remaining``).
"""
import datetime as dt
import math

from flask import current_app, g, jsonify
from sqlalchemy import case

from flask_babel import lazy_gettext as _l

from core.errors import TooManyRequests
from core.extensions import db
from core.models import utcnow

from .models import ThrottleCounter
from .throttle import _upsert, key as counter_key


WINDOW_SECONDS = 60  # the limits are requests per minute


class RateLimited(TooManyRequests):
    default_message = _l("This API key has made too many requests; wait as Retry-After says and try again.")


def limit_of(token) -> int:
    return token.rate_limit or current_app.config["API_KEY_RATE_LIMIT"]


def reserve(token, now: dt.datetime | None = None) -> tuple[int, dt.datetime]:
    """Count one request of ``token``'s window: the count so far (this one included) and when the window ends."""
    now = now or utcnow()
    ends = now + dt.timedelta(seconds=WINDOW_SECONDS)
    table = ThrottleCounter.__table__
    with db.engine.begin() as conn:
        stmt = _upsert(conn.dialect.name).values(key=counter_key("rate", str(token.id)), count=1, window_ends_at=ends)
        expired = table.c.window_ends_at <= now
        stmt = stmt.on_conflict_do_update(index_elements=[table.c.key], set_={
            "count": case((expired, 1), else_=table.c.count + 1),
            "window_ends_at": case((expired, ends), else_=table.c.window_ends_at),
        }).returning(table.c.count, table.c.window_ends_at)
        count, window_ends_at = conn.execute(stmt).one()
    if window_ends_at.tzinfo is None:  # SQLite keeps no zone: stored as UTC
        window_ends_at = window_ends_at.replace(tzinfo=dt.UTC)
    return count, window_ends_at


def check(token):
    """Before an API key's request: None when within its limit, else the 429 answer (with Retry-After)."""
    now = utcnow()
    count, ends = reserve(token, now)
    limit = limit_of(token)
    g.rate_limit = (limit, max(0, limit - count))
    if count <= limit:
        return None
    error = RateLimited()
    response = jsonify(error.body())
    response.status_code = error.status
    response.headers["Retry-After"] = str(max(1, math.ceil((ends - now).total_seconds())))
    return response


def add_headers(response):
    if (known := g.get("rate_limit")) is not None:
        response.headers["X-RateLimit-Limit"] = str(known[0])
        response.headers["X-RateLimit-Remaining"] = str(known[1])
    return response
