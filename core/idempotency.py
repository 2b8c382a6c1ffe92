"""Idempotency-Key on the API's POSTs: a retry answers the first result without doing anything twice.

A POST of /api/v1 from an authenticated caller with ``Idempotency-Key`` (1..200 printable ASCII
characters) claims the key before the view runs: one row, unique per scope — the SHA-256 of the credential
(an API key; a user, whose tokens come and go), the method, the path and the key — inserted in the
request's own transaction. The answer (status, body, ETag/Location/Content-Type) is written into that row
just before the request commits (app.py), so the row and the effect are committed together: a client killed
after the commit finds the answer on retry; a crash or an error answer (>= 400, rolled back) leaves nothing,
so retrying those is safe and does it anew.

A retry finds the committed row: the same request (SHA-256 of the query string, the media type and the body;
an upload's parsed fields and files, since a client picks a new multipart boundary each time) is answered
the stored answer with ``Idempotent-Replayed: true``; another request under the same key 422
``idempotency_key_reused``. Concurrent duplicates: the unique constraint decides. On PostgreSQL the second
INSERT waits for the first's transaction (at most ``IDEMPOTENCY_WAIT_SECONDS``, then 409
``idempotency_in_progress``) and then replays its answer; SQLite serialises writers and answers 409 when it
cannot take the write lock. Either way never two effects. Rows expire after ``IDEMPOTENCY_TTL_SECONDS``.

Views whose answer holds a secret shown once (a new API key) are marked ``@not_replayed``: the key is
accepted and ignored there, since storing the answer would store the secret. Unauthenticated POSTs (signing
in, registering) are not scoped to anyone and ignore the key too.
"""
import datetime as dt
import hashlib
import random

from flask import Response, current_app, g, request
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import JSON, Integer, LargeBinary, String, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from .errors import Conflict, ValidationFailed
from .extensions import db
from .models import UTCDateTime, utcnow

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
REPLAYED_HEADERS = ("Content-Type", "ETag", "Location", "Content-Disposition")
PRUNE_CHANCE = 0.01
CHUNK = 64 * 1024


class IdempotencyRecord(db.Model):
    """A claimed Idempotency-Key and, once the request committed, its answer."""

    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256: credential, method, path, key
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[dict | None] = mapped_column(JSON)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class IdempotencyKeyReused(ValidationFailed):
    code = "idempotency_key_reused"
    default_message = _l("This Idempotency-Key was used for another request.")


class IdempotencyInProgress(Conflict):
    code = "idempotency_in_progress"
    default_message = _l("A request with this Idempotency-Key is still being processed; retry in a moment.")


def not_replayed(view):
    """Marks a POST whose answer holds a secret shown once: Idempotency-Key is accepted and ignored."""
    view.__not_replayed__ = True
    return view


def _valid(key: str) -> bool:
    return 1 <= len(key) <= MAX_KEY_LENGTH and all(" " <= c <= "~" for c in key)


def _view_method():
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    view_class = getattr(view, "view_class", None)
    return getattr(view_class, request.method.lower(), view) if view_class else view


def _request_hash() -> str:
    digest = hashlib.sha256()
    digest.update(request.query_string + b"\0")
    digest.update((request.mimetype or "").encode() + b"\0")
    if request.mimetype == "multipart/form-data":
        for name, values in request.form.lists():
            for value in values:
                digest.update(b"f\0" + name.encode() + b"\0" + value.encode("utf-8", "surrogatepass") + b"\0")
        for name, upload in request.files.items(multi=True):
            digest.update(b"u\0" + name.encode() + b"\0" + (upload.filename or "").encode("utf-8", "surrogatepass")
                          + b"\0" + (upload.mimetype or "").encode() + b"\0")
            while chunk := upload.stream.read(CHUNK):
                digest.update(chunk)
            upload.stream.seek(0)
            digest.update(b"\0")
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(row, request_hash: str) -> Response:
    if row.request_hash != request_hash:
        raise IdempotencyKeyReused({HEADER: [_("This key was used for another request: send a new key.")]})
    if row.status is None:
        raise IdempotencyInProgress()
    g.idempotency_replayed = True
    response = Response(row.body or b"", status=row.status)
    for name, value in (row.headers or {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _find(scope: str):
    return db.session.execute(select(IdempotencyRecord.__table__).where(IdempotencyRecord.scope == scope)).first()


def begin(credential: str | None):
    """Before the view (after authentication): claim the key, or answer the first request's answer.

    Returns a Response to send instead of running the view, or None."""
    if request.method != "POST" or not request.path.startswith("/api/") or HEADER not in request.headers:
        return None
    key = request.headers[HEADER]
    if not _valid(key):
        raise ValidationFailed({HEADER: [_("Between 1 and %(max)d printable ASCII characters.", max=MAX_KEY_LENGTH)]})
    if credential is None or request.endpoint is None or getattr(_view_method(), "__not_replayed__", False):
        return None
    scope = hashlib.sha256("\0".join((credential, request.method, request.path, key)).encode()).hexdigest()
    request_hash = _request_hash()
    now = utcnow()
    table = IdempotencyRecord.__table__
    found = _find(scope)
    if found is not None and found.expires_at > now:
        return _replay(found, request_hash)
    if random.random() < PRUNE_CHANCE:  # before this request takes a write lock (SQLite: one writer at a time)
        prune()
    cfg = current_app.config
    postgres = db.session.get_bind().dialect.name == "postgresql"
    try:
        if found is not None:  # expired: the key is free again
            db.session.execute(delete(table).where(table.c.scope == scope, table.c.expires_at <= now))
        if postgres:  # how long to wait for a duplicate that is still running
            db.session.execute(text(f"SET LOCAL lock_timeout = {max(1, int(cfg['IDEMPOTENCY_WAIT_SECONDS'] * 1000))}"))
        db.session.execute(insert(table).values(
            scope=scope, request_hash=request_hash, created_at=now,
            expires_at=now + dt.timedelta(seconds=cfg["IDEMPOTENCY_TTL_SECONDS"])))
        if postgres:
            db.session.execute(text("SET LOCAL lock_timeout TO DEFAULT"))
    except IntegrityError:  # a duplicate committed first (the wait ended with its commit): its answer
        db.session.rollback()
        found = _find(scope)
        if found is None:
            raise IdempotencyInProgress() from None
        return _replay(found, request_hash)
    except OperationalError:  # still running (PostgreSQL's lock timeout, SQLite's busy write lock)
        db.session.rollback()
        raise IdempotencyInProgress() from None
    g.idempotency_scope = scope
    return None


def record(response) -> None:
    """Before the commit of a successful answer: keep it in the claimed row (same transaction as the effect)."""
    scope = g.pop("idempotency_scope", None)
    if scope is None or g.get("idempotency_replayed") or response.status_code >= 400:
        return
    body = b"" if response.is_streamed or response.direct_passthrough else response.get_data()
    headers = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
    table = IdempotencyRecord.__table__
    db.session.execute(update(table).where(table.c.scope == scope)
                       .values(status=response.status_code, headers=headers, body=body))


def prune(limit: int = 1000) -> int:
    """Forget up to ``limit`` expired keys, in a transaction of its own (housekeeping: a busy database skips it)."""
    table = IdempotencyRecord.__table__
    try:
        with db.engine.begin() as conn:
            old = select(table.c.scope).where(table.c.expires_at < utcnow()).limit(limit)
            if conn.dialect.name == "postgresql":
                old = old.with_for_update(skip_locked=True)
            return conn.execute(delete(table).where(table.c.scope.in_(old))).rowcount
    except OperationalError:
        return 0
