"""The event catalogue: every event's name, description and the JSON schema of its data, the webhook body
and the signature scheme (GET /api/v1/webhooks/events, docs/WEBHOOKS.md).

An event's data is its params (notifications.outbox.notify): the same in the webhook body (``data``) and in
the changes feed (``data``). The schema of an event for people is derived from its texts — every
``%(name)s`` they use — with the coded values it translates (EventType.values) as an enum; an event for
machines declares its own (EventType.data). Data may carry more keys than the schema names (clients ignore
keys they do not know); the keys a schema requires are always there.
"""
import re

from .events import ADDRESS_EVENTS, EVENTS, EventType

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
DATE_TIME = {"type": "string", "format": "date-time"}
UUID = {"type": "string", "format": "uuid"}
# the types of parameters that are not plain text, wherever they appear
PARAM_TYPES = {
    "count": {"type": "integer", "minimum": 0},
    "minutes": {"type": "integer", "minimum": 0},
    "days": {"type": "integer", "minimum": 0},
    "due_at": DATE_TIME, "opinion_due_at": DATE_TIME, "requested_due_at": DATE_TIME, "expires_at": DATE_TIME,
    "due_date": {"type": "string", "format": "date"},
    "deadline": UUID, "evidence_id": UUID,
    "level": {"type": "string", "pattern": "^(reminder-[0-9]+|breach|escalation-[0-9]+)$"},
}
# keys the emitters add beside the texts' placeholders, by the event's name prefix (documented, not required)
EXTRA_PARAMS = {
    "deadline.reminder": ("deadline", "level", "reference"),
    "deadline.breached": ("deadline", "level", "reference"),
    "deadline.escalated": ("deadline", "level", "reference"),
}
# the texts' placeholders an emitter may leave out (they then render as nothing)
OPTIONAL = {
    "complaint.info_requested": {"due_date", "message"},
    "referral.transferred": {"to_agency"},
    "referral.decided": {"message"},
    "deadline.extension_decided": {"decision_reason"},
}

SIGNATURE = {
    "algorithm": "HMAC-SHA256",
    "header": "X-Signature",
    "timestamp_header": "X-Signature-Timestamp",
    "format": "sha256=<hex HMAC-SHA256(secret, timestamp + '.' + raw body)>",
    "delivery_header": "X-Delivery-Id",
    "event_header": "X-Event",
}


def data_schema(name: str) -> dict:
    """The JSON schema (draft 2020-12) of the data of event ``name``."""
    spec = EVENTS[name] if name in EVENTS else ADDRESS_EVENTS[name]
    if spec.data is not None:
        return {"type": "object", "properties": dict(spec.data), "required": list(spec.required),
                "additionalProperties": True}
    keys = _placeholders(spec)
    properties = {}
    for key in [*keys, *EXTRA_PARAMS.get(name, ())]:
        if key in spec.values:
            properties[key] = {"type": "string", "enum": sorted(spec.values[key])}
        else:
            properties[key] = dict(PARAM_TYPES.get(key, {"type": "string"}))
    required = [k for k in keys if k not in OPTIONAL.get(name, ())] if not spec.email_only else []
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": True}


def _placeholders(spec: EventType) -> list[str]:
    found = PLACEHOLDER.findall(str(spec.subject._args[0]) if hasattr(spec.subject, "_args") else str(spec.subject))
    found += PLACEHOLDER.findall(str(spec.body._args[0]) if hasattr(spec.body, "_args") else str(spec.body))
    return list(dict.fromkeys(found))


def feed_events() -> list[str]:
    """The events that may be in a changes feed (and in a webhook): every event but the e-mail-only ones."""
    return [name for name, spec in EVENTS.items() if not spec.email_only]


WEBHOOK_BODY = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Webhook body",
    "type": "object",
    "properties": {
        "event_id": {**UUID, "description": "The event's id: the id of its item in the changes feed."},
        "delivery_id": {**UUID, "description": "This delivery's id (X-Delivery-Id): the same on every retry."},
        "event": {"type": "string", "description": "The event's name (the catalogue's `event`)."},
        "occurred_at": DATE_TIME,
        "subject_type": {"type": ["string", "null"]},
        "subject_id": {"type": ["string", "null"]},
        "data": {"type": "object", "description": "The event's data: its schema is the catalogue's `data_schema`."},
        "url": {"type": ["string", "null"], "description": "Where the subject is in the web portal."},
    },
    "required": ["event_id", "delivery_id", "event", "occurred_at", "subject_type", "subject_id", "data", "url"],
    "additionalProperties": False,
}

FEED_ITEM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Changes feed item",
    "type": "object",
    "properties": {
        "id": {**UUID, "description": "The event's id: a webhook's `event_id`."},
        "cursor": {"type": "string"},
        "event": {"type": "string"},
        "occurred_at": DATE_TIME,
        "subject_type": {"type": ["string", "null"]},
        "subject_id": {"type": ["string", "null"], "format": "uuid"},
        "data": {"type": "object"},
    },
    "required": ["id", "cursor", "event", "occurred_at", "subject_type", "subject_id", "data"],
    "additionalProperties": False,
}


def catalogue() -> dict:
    """The whole catalogue, its descriptions in the current language."""
    return {
        "signature": SIGNATURE,
        "webhook_body": WEBHOOK_BODY,
        "feed_item": FEED_ITEM,
        "events": [{"event": name, "description": str(spec.label), "machine": spec.machine,
                    "data_schema": data_schema(name)}
                   for name, spec in EVENTS.items() if not spec.email_only],
    }
