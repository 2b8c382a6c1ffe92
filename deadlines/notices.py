"""What the deadline sweep's outbox rows need to read well: the due time and the complaint's reference.

The sweep writes only the rule, the level and the deadline's id (it works in SQL, in sets); when the
notifications worker expands those rows it asks this enricher, once per batch, for the rest.
"""
import uuid

from sqlalchemy import select

from core.extensions import db

from .models import Deadline


def enrich(params_list: list[dict]) -> None:
    ids = {}
    for params in params_list:
        try:
            ids[params["deadline"]] = uuid.UUID(str(params["deadline"]))
        except (KeyError, ValueError):
            continue
    if not ids:
        return
    rows = {row.public_id: row for row in db.session.execute(
        select(Deadline.public_id, Deadline.due_at, Deadline.complaint_id).where(Deadline.public_id.in_(ids.values())))}
    references = _references({row.complaint_id for row in rows.values()})
    for params in params_list:
        row = rows.get(ids.get(params.get("deadline")))
        if row is None:
            continue
        params.setdefault("due_at", row.due_at)
        params.setdefault("reference", references.get(row.complaint_id, ""))


def _references(complaint_ids) -> dict:
    if not complaint_ids:
        return {}
    from intake.models import Complaint  # the complaint is intake's; deadlines only know its id

    return dict(db.session.execute(select(Complaint.id, Complaint.reference).where(Complaint.id.in_(complaint_ids))).all())


def init_app(app) -> None:
    from notifications.outbox import register_enricher

    register_enricher("deadline.", enrich)
