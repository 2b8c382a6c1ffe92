"""Business rules of the notification pages and APIs: the inbox, preferences, webhook endpoints, dead deliveries.

Functions take an explicit ``actor``; they flush, the request boundary commits.
"""
import secrets
import uuid
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from accounts.enums import OrgKind, Role
from accounts.models import Organisation
from core.audit import audit
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.models import utcnow

from . import channels, worker
from .events import CHOOSABLE, events_for_role
from .models import DeliveryState, Notification, NotificationPreference, OutboxDelivery, WebhookEndpoint

MAX_URL_LENGTH = 2000


# --- the inbox ---------------------------------------------------------------------------------------

def unread_count(user_id) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)))


def inbox(actor, *, page: int = 1, per_page: int = 30) -> tuple[list[Notification], int]:
    """The actor's notifications, newest first, and their total."""
    where = Notification.user_id == actor.id
    total = db.session.scalar(select(func.count()).select_from(Notification).where(where))
    rows = db.session.scalars(select(Notification).where(where)
                              .order_by(Notification.created_at.desc(), Notification.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def mark_read(actor, notification_id) -> Notification:
    notification = db.session.get(Notification, notification_id) if isinstance(notification_id, int) else None
    if notification is None or notification.user_id != actor.id:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(actor) -> int:
    result = db.session.execute(update(Notification)
                                .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
                                .values(read_at=utcnow()))
    return result.rowcount


# --- e-mail preferences ----------------------------------------------------------------------------

def email_preferences(actor) -> dict[str, bool]:
    """Every event that reaches the actor's role (events_for_role) -> whether the actor wants it by e-mail
    (yes unless they said no)."""
    chosen = dict(db.session.execute(select(NotificationPreference.event, NotificationPreference.email)
                                     .where(NotificationPreference.user_id == actor.id)).all())
    return {event: chosen.get(event, True) for event in events_for_role(actor.role)}


def set_email_preferences(actor, wanted: set[str]) -> dict[str, bool]:
    """E-mail exactly the events in ``wanted``; the others of the actor's role reach it in-app only.

    An event that does not reach the actor's role is refused (a field error on ``events``), and so is a
    name that is no event: nothing is saved then.
    """
    mine = events_for_role(actor.role)
    errors = []
    for event in sorted(set(wanted) - set(mine)):
        if event in CHOOSABLE:
            errors.append(_("“%(event)s” does not reach users of your role, so there is nothing to choose.",
                            event=CHOOSABLE[event].label))
        elif _("Not a valid choice.") not in errors:
            errors.append(_("Not a valid choice."))
    if errors:
        raise ValidationFailed({"events": errors})
    existing = {p.event: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == actor.id))}
    for event in mine:
        preference = existing.get(event)
        if preference is None:
            preference = NotificationPreference(user_id=actor.id, event=event)
            db.session.add(preference)
        preference.email = event in wanted
    db.session.flush()
    return email_preferences(actor)


# --- administrators: webhooks and dead deliveries ----------------------------------------------------

def require_admin(actor):
    """Administrators only; anyone else gets 404 (the pages do not exist for them)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role is not Role.admin:
        raise NotFound()
    return actor


def validate_webhook_url(url) -> str:
    """An http(s) URL with a host, or ValidationFailed on the field ``url``."""
    url = (url or "").strip() if isinstance(url, str) else ""
    message = None
    if not url:
        message = _("Enter the URL of the webhook.")
    elif len(url) > MAX_URL_LENGTH:
        message = _("The URL is too long.")
    elif any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        message = _("The URL must not contain spaces or control characters.")
    else:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError:
            parts = None
        if parts is None or parts.scheme.lower() not in ("http", "https"):
            message = _("The URL must start with http:// or https://.")
        elif not parts.hostname:
            message = _("The URL must name a host.")
        elif parts.username is not None or parts.password is not None:
            message = _("The URL must not contain a user name or password.")
        else:
            message = _target_problem(parts)
    if message:
        raise ValidationFailed({"url": [message]})
    return url


def _target_problem(parts) -> str | None:
    """Refuse a host that resolves to any non-public address not in WEBHOOK_ALLOWED_NETWORKS.

    A name that does not resolve (yet) is accepted: every delivery checks again, before connecting.
    """
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        channels.resolve_target(parts.hostname, port, current_app.config.get("WEBHOOK_ALLOWED_NETWORKS") or ())
    except channels.BlockedAddress as exc:
        return _("The URL leads to %(address)s, which is not a public address. Webhooks may only reach "
                 "public addresses, or private networks listed in WEBHOOK_ALLOWED_NETWORKS.", address=exc.address)
    except channels.UnresolvableHost:
        return None
    return None


def _organisation(organisation_id) -> Organisation:
    try:
        org = db.session.get(Organisation, uuid.UUID(str(organisation_id)))
    except ValueError:
        org = None
    if org is None or org.kind is OrgKind.enterprise:
        raise ValidationFailed({"organisation_id": [_("Choose an agency or another public body.")]})
    return org


def list_webhooks() -> list[WebhookEndpoint]:
    return db.session.scalars(select(WebhookEndpoint).join(WebhookEndpoint.organisation)
                              .order_by(Organisation.name)).all()


def create_webhook(actor, organisation_id, url) -> tuple[WebhookEndpoint, str]:
    """A webhook for an organisation (one each), with a new secret returned once. Invalid input saves nothing."""
    require_admin(actor)
    errors = {}
    try:
        url = validate_webhook_url(url)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        org = _organisation(organisation_id)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        org = None
    if org is not None and db.session.scalar(select(WebhookEndpoint.id).where(
            WebhookEndpoint.organisation_id == org.id)):
        errors["organisation_id"] = [_("This organisation already has a webhook; delete it first.")]
    if errors:
        raise ValidationFailed(errors)
    secret = secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(organisation=org, url=url, secret=secret, active=True)
    db.session.add(endpoint)
    db.session.flush()
    audit("webhook.created", actor=actor, subject_type="organisation", subject_id=org.id, url=url)
    return endpoint, secret


def get_webhook(actor, endpoint_id) -> WebhookEndpoint:
    require_admin(actor)
    try:
        endpoint = db.session.get(WebhookEndpoint, uuid.UUID(str(endpoint_id)))
    except ValueError:
        endpoint = None
    if endpoint is None:
        raise NotFound()
    return endpoint


def delete_webhook(actor, endpoint: WebhookEndpoint) -> None:
    """Pending webhook deliveries of the organisation then fail (and end dead) unless a new one is set up."""
    require_admin(actor)
    audit("webhook.deleted", actor=actor, subject_type="organisation", subject_id=endpoint.organisation_id,
          url=endpoint.url)
    db.session.delete(endpoint)
    db.session.flush()


def failed_condition():
    """The failed deliveries: given up (dead), or still retrying after a failed attempt. The page's count
    and its rows are both this one condition."""
    return (OutboxDelivery.state == DeliveryState.dead) | (
        (OutboxDelivery.state == DeliveryState.pending) & (OutboxDelivery.attempts > 0))


def failed_deliveries(*, page: int = 1, per_page: int = 30) -> tuple[list[OutboxDelivery], dict[str, int]]:
    """One page of the failed deliveries (given up first, then the newest failure) and their counts:
    {"total", "dead", "retrying"}, of the same set."""
    condition = failed_condition()
    by_state = dict(db.session.execute(select(OutboxDelivery.state, func.count()).where(condition)
                                       .group_by(OutboxDelivery.state)).all())
    counts = {"dead": by_state.get(DeliveryState.dead, 0), "retrying": by_state.get(DeliveryState.pending, 0)}
    counts["total"] = counts["dead"] + counts["retrying"]
    rows = db.session.scalars(
        select(OutboxDelivery).where(condition)
        .options(selectinload(OutboxDelivery.user), selectinload(OutboxDelivery.organisation))
        .order_by((OutboxDelivery.state == DeliveryState.dead).desc(),
                  func.coalesce(OutboxDelivery.dead_at, OutboxDelivery.last_attempt_at).desc(), OutboxDelivery.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return rows, counts


def dead_deliveries(*, page: int = 1, per_page: int = 50, limit: int | None = None) -> list[OutboxDelivery]:
    stmt = (select(OutboxDelivery).where(OutboxDelivery.state == DeliveryState.dead)
            .options(selectinload(OutboxDelivery.user), selectinload(OutboxDelivery.organisation))
            .order_by(OutboxDelivery.dead_at.desc(), OutboxDelivery.id.desc()))
    if limit is None:
        stmt = stmt.limit(per_page).offset((page - 1) * per_page)
    else:
        stmt = stmt.limit(limit)
    return db.session.scalars(stmt).all()


def find_delivery(reference) -> OutboxDelivery | None:
    """By numeric id or by delivery uuid."""
    text = str(reference).strip()
    if text.isdigit():
        return db.session.get(OutboxDelivery, int(text))
    try:
        value = uuid.UUID(text)
    except ValueError:
        return None
    return db.session.scalar(select(OutboxDelivery).where(OutboxDelivery.public_id == value))


def retry_delivery(actor, delivery: OutboxDelivery) -> OutboxDelivery:
    """A dead (or still failing) delivery back to pending with its attempts reset; a sent one stays sent."""
    if delivery.state is DeliveryState.sent:
        raise ValidationFailed({"delivery": [_("This delivery has already been sent.")]})
    worker.retry(delivery)
    audit("delivery.retried", actor=actor, subject_type="outbox_delivery", subject_id=delivery.public_id)
    return delivery
