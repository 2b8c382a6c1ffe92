"""The delivery worker: sends the outbox's due deliveries, retries failures, gives up loudly.

Run by the scheduler process (and `flask notifications deliver`). Several processes may run it at
once on PostgreSQL: each delivery is claimed with SELECT ... FOR UPDATE SKIP LOCKED and stays
locked while it is sent, until its outcome is committed. A crash between the send and the commit
sends that one message again later (at-least-once): receivers de-duplicate by the delivery id
(X-Delivery-Id, Message-ID).
"""
import datetime as dt
import random
import uuid

from flask import current_app
from sqlalchemy import select

from core.extensions import db
from core.models import utcnow
from core.outbox import OutboxEvent

from .channels import DeliveryFailed, Mailer, PermanentFailure, send_email, send_webhook
from .events import check_event
from .models import Channel, DeliveryState, OutboxDelivery, WebhookEndpoint
from .outbox import Notice, notify_many, supervisor_offices as outbox_supervisor_offices

MAX_ERROR_LENGTH = 2000


def backoff_seconds(attempts: int, base: float, cap: float, rng=random) -> float:
    """Exponential backoff with jitter: between half and all of min(cap, base * 2^(attempts-1)).

    The jitter spreads the retries of a burst that failed together (e.g. while the SMTP server was down).
    """
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return delay / 2 + rng.uniform(0, delay / 2)


def _claim(now: dt.datetime, postgres: bool) -> OutboxDelivery | None:
    stmt = (select(OutboxDelivery)
            .where(OutboxDelivery.state == DeliveryState.pending, OutboxDelivery.next_attempt_at <= now)
            .order_by(OutboxDelivery.next_attempt_at, OutboxDelivery.id)
            .limit(1))
    if postgres:
        stmt = stmt.with_for_update(skip_locked=True)
    return db.session.scalars(stmt).first()


def _send(delivery: OutboxDelivery, mailer: Mailer, config) -> None:
    if delivery.channel is Channel.email:
        send_email(delivery, mailer)
    else:
        endpoint = db.session.scalar(select(WebhookEndpoint).where(
            WebhookEndpoint.organisation_id == delivery.organisation_id))
        send_webhook(delivery, endpoint, config)


def _describe(exc: Exception) -> str:
    text = str(exc) if isinstance(exc, DeliveryFailed) else f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR_LENGTH]


def deliver_due(now: dt.datetime | None = None, batch_size: int = 100) -> dict:
    """Send up to ``batch_size`` deliveries that are due at ``now`` (default: the current time).

    Each one is claimed, sent and its outcome committed on its own, so a crash loses at most the
    mark of the message being sent. Success: state sent, sent_at. Failure: attempts + 1, last_error,
    next_attempt_at = now + backoff (NOTIFY_RETRY_BASE_SECONDS doubling per attempt, capped at
    NOTIFY_RETRY_MAX_SECONDS, with jitter); after NOTIFY_MAX_ATTEMPTS attempts the state is dead.

    Commits: call it from its own app context (the scheduler job, the CLI), not inside a request.
    Returns {"sent", "retrying", "dead"}: what happened to the deliveries claimed by this call; a
    total below ``batch_size`` means nothing else was due.
    """
    config = current_app.config
    now = now or utcnow()
    base = float(config["NOTIFY_RETRY_BASE_SECONDS"])
    cap = float(config["NOTIFY_RETRY_MAX_SECONDS"])
    max_attempts = int(config["NOTIFY_MAX_ATTEMPTS"])
    postgres = db.session.get_bind().dialect.name == "postgresql"
    counts = {"sent": 0, "retrying": 0, "dead": 0}
    with Mailer(config) as mailer:
        for _ in range(batch_size):
            delivery = _claim(now, postgres)
            if delivery is None:
                break
            delivery.attempts += 1
            delivery.last_attempt_at = now
            try:
                _send(delivery, mailer, config)
            except Exception as exc:  # noqa: BLE001 - any failure of one delivery is recorded, never lost
                delivery.last_error = _describe(exc)
                if isinstance(exc, PermanentFailure) or delivery.attempts >= max_attempts:
                    delivery.state = DeliveryState.dead
                    delivery.dead_at = now
                    counts["dead"] += 1
                    current_app.logger.error("delivery %s (%s) is dead after %d attempts: %s", delivery.public_id,
                                             delivery.channel.value, delivery.attempts, delivery.last_error)
                else:
                    delivery.next_attempt_at = now + dt.timedelta(
                        seconds=backoff_seconds(delivery.attempts, base, cap))
                    counts["retrying"] += 1
                    current_app.logger.warning("delivery %s (%s) failed, attempt %d: %s", delivery.public_id,
                                               delivery.channel.value, delivery.attempts, delivery.last_error)
            else:
                delivery.state = DeliveryState.sent
                delivery.sent_at = now
                delivery.last_error = None
                counts["sent"] += 1
            db.session.commit()
    db.session.commit()  # ends the claim's transaction when nothing was due
    return counts


def retry(delivery: OutboxDelivery, now: dt.datetime | None = None) -> OutboxDelivery:
    """Back to pending, due at once, with its attempts reset (an administrator's retry). Flushes."""
    delivery.state = DeliveryState.pending
    delivery.attempts = 0
    delivery.next_attempt_at = now or utcnow()
    delivery.dead_at = None
    db.session.flush()
    return delivery


def expand_outbox(now: dt.datetime | None = None, batch_size: int = 500, max_batches: int | None = None) -> dict:
    """Turn the OutboxEvent rows other packages wrote (core.outbox.emit, the deadline sweep) into
    notifications and deliveries, exactly once each.

    ``audience == "supervisors"`` adds every supervisor office to the event's organisations.
    A batch is claimed (FOR UPDATE SKIP LOCKED on PostgreSQL), expanded with notify_many() and marked
    expanded in the same transaction, then committed: a crash leaves the batch to the next run, and two
    processes never expand the same event. An event of an unknown type (or with malformed ids) is
    marked expanded without notifications, logged as an error and counted in "unknown".
    Returns {"events", "notifications", "emails", "webhooks", "unknown"}.
    """
    now = now or utcnow()
    postgres = db.session.get_bind().dialect.name == "postgresql"
    counts = {"events": 0, "notifications": 0, "emails": 0, "webhooks": 0, "unknown": 0}
    batches = 0
    supervisor_offices = None
    while max_batches is None or batches < max_batches:
        stmt = select(OutboxEvent).where(OutboxEvent.expanded_at.is_(None)).order_by(OutboxEvent.id).limit(batch_size)
        if postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        rows = db.session.scalars(stmt).all()
        if not rows:
            break
        notices = []
        for row in rows:
            row.expanded_at = now
            organisations = list(row.organisation_ids or ())
            if row.audience == "supervisors":
                if supervisor_offices is None:
                    supervisor_offices = outbox_supervisor_offices()
                organisations += supervisor_offices
            notice = Notice(row.event, users=row.user_ids or (), organisations=organisations,
                            params=row.params, subject_type=row.subject_type, subject_id=row.subject_id,
                            url=row.url, occurred_at=row.created_at, event_id=row.event_id,
                            email_to=(row.params or {}).get("email_to") if isinstance(row.params, dict) else None)
            try:
                check_event(row.event)  # ValueError when unknown
                if notice.email_to is not None and not isinstance(notice.email_to, str):
                    raise ValueError("email_to is not an address")
                for value in (*notice.users, *notice.organisations):
                    uuid.UUID(str(value))
            except ValueError as exc:
                counts["unknown"] += 1
                current_app.logger.error("outbox event %s not delivered: %s", row.id, exc)
                continue
            notices.append(notice)
        for key, value in notify_many(notices).items():
            counts[key] += value
        counts["events"] += len(rows)
        db.session.commit()
        batches += 1
    db.session.commit()
    return counts
