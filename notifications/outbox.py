"""notify(): the one entry point of other packages. It writes rows in the caller's transaction, sends nothing.

In-app notifications are rows shown by the inbox; e-mails and webhook calls are OutboxDelivery rows
the worker (worker.deliver_due) sends after the commit. If the caller's transaction rolls back,
nothing of the event remains, and nothing was sent.
"""
import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import insert, select

from accounts.enums import OrgKind, Role
from accounts.models import Organisation, User
from core import changes
from core.extensions import db
from core.models import new_uuid, utcnow
from core.outbox import register_audience

from .events import check_event
from .models import Channel, DeliveryState, Notification, NotificationPreference, OutboxDelivery, WebhookEndpoint

# Events about a case (its texts carry references, enterprise names, instructions, reports): an
# organisation's administrators are not among its recipients, since an administrator may see no
# complaint, referral or consultation (docs/AUTHORIZATION.md). Users named explicitly still are.
CASE_SUBJECTS = frozenset({"complaint", "referral", "consultation", "supervision"})

CHUNK = 1000  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits

_ENRICHERS: list[tuple[str, Callable[[list[dict]], None]]] = []


def register_enricher(prefix: str, enrich: Callable[[list[dict]], None]) -> None:
    """Let the package that emits events named ``prefix``... complete their params when they are queued.

    ``enrich(params_list)`` gets the params dicts of one batch of such events (e.g. the deadline sweep's
    {"rule", "level", "deadline"}) and adds keys in place (e.g. "due_at", "reference", "step"), with one
    query for the whole batch. It runs in notify_many(), so in expand_outbox() for emitted events; what
    it adds is stored and sent in webhooks like any parameter. Registering the same function twice is
    harmless. The emitting package registers it (it may import notifications; never the reverse).
    """
    if (prefix, enrich) not in _ENRICHERS:
        _ENRICHERS.append((prefix, enrich))


@dataclass
class Notice:
    """One event for notify_many(); the fields are notify()'s arguments."""

    event: str
    users: Iterable = ()
    organisations: Iterable = ()
    params: dict | None = None
    subject_type: str | None = None
    subject_id: object = None
    url: str | None = None
    occurred_at: dt.datetime | None = None  # default: now
    email_to: str | None = None  # also one e-mail to this address, which need not have an account
    event_id: object = None  # the event's id (feed items, webhooks' event_id); default: a new one
    _user_ids: list = field(default_factory=list, init=False, repr=False)
    _org_ids: list = field(default_factory=list, init=False, repr=False)


def notify(event: str, *, users=(), organisations=(), params: dict | None = None, subject_type: str | None = None,
           subject_id=None, url: str | None = None) -> dict:
    """Queue ``event`` for ``users`` and every active user of ``organisations``, in the current transaction.

    - ``users``: User objects or their ids; ``organisations``: Organisation objects or their ids.
      Recipients are de-duplicated; deactivated users receive nothing.
    - ``params``: the values the event's texts use (see events.EVENTS), also sent in webhooks. Keep them
      data, not translated text: datetimes are stored as ISO 8601 UTC (shown in Shanghai time),
      dates, UUIDs, Decimals and enums as strings.
    - ``url``: where the notification leads in the web UI (a path such as "/centre/complaints/<id>").

    Writes one Notification per recipient, one e-mail OutboxDelivery per recipient who wants this
    event by e-mail (the default), and one webhook OutboxDelivery per given organisation with an
    active WebhookEndpoint. Flushes, never commits. Unknown event: ValueError.
    The event also joins the changes feed of each of the ``organisations`` (core.changes), under the same
    id as its webhooks' ``event_id``.
    Returns the counts written: {"notifications", "emails", "webhooks"}.
    """
    notice = Notice(event, users, organisations, params, subject_type, subject_id, url, event_id=new_uuid())
    counts = notify_many([notice])
    if not check_event(event).email_only:
        changes.record(event, notice.event_id, notice._org_ids, subject_type=subject_type,
                       subject_id=subject_id, data=notice.params)
    return counts


def notify_many(notices: Iterable[Notice]) -> dict:
    """notify() for many events at once, with a fixed number of queries (the deadline sweep's batches)."""
    notices = list(notices)
    for notice in notices:
        check_event(notice.event)
        notice.params = dict(notice.params or {})
        if notice.event_id is None:
            notice.event_id = new_uuid()
    for prefix, enrich in _ENRICHERS:
        batch = [n.params for n in notices if n.event.startswith(prefix)]
        if batch:
            enrich(batch)
    for notice in notices:
        notice.params = jsonable(notice.params)
    if not notices:
        return {"notifications": 0, "emails": 0, "webhooks": 0}
    db.session.flush()  # objects passed in have their ids
    for notice in notices:
        notice._user_ids = [_id(u, User) for u in notice.users]
        notice._org_ids = [_id(o, Organisation) for o in notice.organisations]

    all_orgs = {o for n in notices for o in n._org_ids}
    members: dict[uuid.UUID, list[uuid.UUID]] = {}
    case_members: dict[uuid.UUID, list[uuid.UUID]] = {}  # the members who may read a case
    for chunk in _chunks(all_orgs):
        rows = db.session.execute(select(User.id, User.organisation_id, User.role)
                                  .where(User.organisation_id.in_(chunk), User.active.is_(True))
                                  .order_by(User.created_at, User.id))
        for user_id, org_id, role in rows:
            members.setdefault(org_id, []).append(user_id)
            if may_receive_case_notices(role):
                case_members.setdefault(org_id, []).append(user_id)
    explicit = {u for n in notices for u in n._user_ids}
    active = set()
    for chunk in _chunks(explicit):
        active.update(db.session.scalars(select(User.id).where(User.id.in_(chunk), User.active.is_(True))))

    recipients_of = []
    for notice in notices:
        wanted = [u for u in notice._user_ids if u in active]
        fan_out = case_members if notice.subject_type in CASE_SUBJECTS else members
        for org_id in notice._org_ids:
            wanted.extend(fan_out.get(org_id, ()))
        recipients_of.append(list(dict.fromkeys(wanted)))  # de-duplicated, in order

    everyone = {u for recipients in recipients_of for u in recipients}
    events = {n.event for n in notices}
    no_email = set()
    for chunk in _chunks(everyone):
        no_email.update((user_id, event) for user_id, event in db.session.execute(
            select(NotificationPreference.user_id, NotificationPreference.event)
            .where(NotificationPreference.user_id.in_(chunk), NotificationPreference.event.in_(events),
                   NotificationPreference.email.is_(False))))
    hooked = set()
    for chunk in _chunks(all_orgs):
        hooked.update(db.session.scalars(select(WebhookEndpoint.organisation_id).where(
            WebhookEndpoint.organisation_id.in_(chunk), WebhookEndpoint.active.is_(True))))

    now = utcnow()
    notifications, deliveries = [], []
    webhooks = 0
    for notice, recipients in zip(notices, recipients_of):
        common = {"event": notice.event, "event_id": _id(notice.event_id, None), "params": notice.params,
                  "subject_type": notice.subject_type,
                  "subject_id": None if notice.subject_id is None else str(notice.subject_id), "url": notice.url,
                  "created_at": notice.occurred_at or now}
        spec = check_event(notice.event)
        email_only = spec.email_only
        for user_id in (() if spec.machine else recipients):  # a machine's event reaches no person
            if not email_only:
                notifications.append({**common, "user_id": user_id})
            if email_only or (user_id, notice.event) not in no_email:
                deliveries.append(_delivery(common, now, channel=Channel.email, user_id=user_id))
        if notice.email_to:
            deliveries.append(_delivery(common, now, channel=Channel.email, email_to=notice.email_to))
        for org_id in dict.fromkeys(notice._org_ids):
            if org_id in hooked:
                deliveries.append(_delivery(common, now, channel=Channel.webhook, organisation_id=org_id))
                webhooks += 1
    if notifications:
        db.session.execute(insert(Notification), notifications)
    if deliveries:
        db.session.execute(insert(OutboxDelivery), deliveries)
    return {"notifications": len(notifications), "emails": len(deliveries) - webhooks, "webhooks": webhooks}


def may_receive_case_notices(role) -> bool:
    """Whether an organisation-wide event about a case reaches a user of this role (not an administrator)."""
    return role is not Role.admin


def _delivery(common, now, **columns):
    return {**common, "public_id": new_uuid(), "state": DeliveryState.pending, "attempts": 0, "next_attempt_at": now,
            "user_id": None, "organisation_id": None, "email_to": None, **columns}


def _id(value, model) -> uuid.UUID:
    if model is not None and isinstance(value, model):
        return value.id
    if isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def jsonable(value):
    """Parameters as JSON data: the same in the database, in the texts and in the webhook body."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in notification params: pass aware datetimes")
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return str(value)


def supervisor_offices() -> list[uuid.UUID]:
    """The organisations of emit()'s audience "supervisors": every supervisor office."""
    return list(db.session.scalars(select(Organisation.id).where(Organisation.kind == OrgKind.supervisor_office)))


register_audience("supervisors", supervisor_offices)
