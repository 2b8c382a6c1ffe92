"""The changes feed as its reader sees it: its organisation's events after a cursor (core.changes)."""
from flask_babel import gettext as _

from core import changes
from core.errors import ValidationFailed

from .catalogue import feed_events
from .outbox import _ENRICHERS, CASE_SUBJECTS, jsonable, may_receive_case_notices

MAX_LIMIT = 100


def changes_for(actor, after: str | None = None, limit: int = 20) -> dict:
    """{"items": [...], "next_cursor"} of the actor's organisation after the cursor ``after`` (None: from the
    start), oldest first, in commit order. ``next_cursor`` is the last item's cursor, or ``after`` itself
    when nothing new has committed: polling with it never misses nor repeats an event.

    An administrator reads no event about a case (as in notifications: notify's CASE_SUBJECTS).
    A cursor this function did not make: 422 on ``after``.
    """
    try:
        position = changes.decode_cursor(after) if after else changes.START
    except changes.BadCursor:
        raise ValidationFailed({"after": [_("Not a cursor of the changes feed: use a next_cursor it gave.")]})
    rows = changes.read(actor.organisation_id, position, limit, events=feed_events(),
                        exclude_subject_types=() if may_receive_case_notices(actor.role) else CASE_SUBJECTS)
    items = [{"id": row.event_id, "cursor": changes.encode_cursor(changes.position(row)), "event": row.event,
              "occurred_at": row.occurred_at, "subject_type": row.subject_type, "subject_id": row.subject_id,
              "data": dict(row.data or {})} for row in rows]
    for prefix, enrich in _ENRICHERS:  # as the webhooks have them (e.g. a deadline's due time and reference)
        batch = [item["data"] for item in items if item["event"].startswith(prefix)]
        if batch:
            enrich(batch)
    for item in items:
        item["data"] = jsonable(item["data"])
    next_cursor = items[-1]["cursor"] if items else (after or changes.encode_cursor(changes.START))
    return {"items": items, "next_cursor": next_cursor}
