"""Finding one row by its public id, for an actor: missing and not-yours are the same 404."""
import uuid

from sqlalchemy import select

from .errors import NotFound
from .extensions import db


def one_visible(column, raw_id, condition, *, for_update=False, options=()):
    """The row of ``column``'s entity whose ``column`` equals ``raw_id`` and that meets ``condition``.

    ``condition`` is the actor's visibility filter (False: nothing is visible). A malformed id, a
    missing row and a row the actor may not see all answer 404 with the same body.
    """
    try:
        key = uuid.UUID(str(raw_id))
    except ValueError:
        raise NotFound() from None
    if condition is False:
        raise NotFound()
    entity = column.class_
    query = select(entity).where(column == key).options(*options)
    if condition is not True:
        query = query.where(condition)
    if for_update:
        query = query.with_for_update(of=entity)
    row = db.session.scalar(query)
    if row is None:
        raise NotFound()
    return row
