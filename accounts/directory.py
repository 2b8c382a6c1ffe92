"""The directory of partner organisations: where a referral, a transfer or a consultation can go, and the
organisations an agency's system meets in the API (the centres, the agencies of every kind, the supervisor
offices). Enterprises are never in it."""
import base64
import binascii
import json
import uuid

from flask_babel import gettext as _
from sqlalchemy import func, literal, select, tuple_

from core.errors import ValidationFailed
from core.extensions import db

from .enums import AGENCY_KINDS, District, OrgKind
from .models import Organisation

PARTNER_KINDS = tuple(kind for kind in OrgKind if kind is not OrgKind.enterprise)
ESCAPE = "\\"
_CURSOR_TAG = "organisations"


def agency_directory(kinds=AGENCY_KINDS):
    """The agencies of the directory of these kinds, by kind, district and name."""
    return db.session.scalars(select(Organisation).where(Organisation.kind.in_(list(kinds)))
                              .order_by(Organisation.kind, Organisation.district, Organisation.name)).all()


def _order_key(org) -> tuple:
    return org.kind, org.district, org.name, org.id


def encode_cursor(org) -> str:
    """An opaque cursor after ``org`` in the directory's order (kind, district, name, id)."""
    kind, district, name, key = _order_key(org)
    raw = json.dumps([_CURSOR_TAG, kind.value, district.value, name, str(key)], ensure_ascii=False,
                     separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple:
    """The order key a cursor of this list stands for; a malformed cursor or another list's: 422 on ``cursor``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        tag, kind, district, name, key = json.loads(raw.decode("utf-8"))
        if tag != _CURSOR_TAG or not isinstance(name, str) or len(name) > 200:
            raise ValueError(tag)
        return OrgKind(kind), District(district), name, uuid.UUID(key)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, AttributeError):
        raise ValidationFailed({"cursor": [_("Not a valid cursor: start again without one.")]}) from None


def _contains(q: str) -> str:
    escaped = q.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def partner_directory(*, kind=None, district=None, q=None, cursor=None, limit=20):
    """The partner organisations (PARTNER_KINDS: never an enterprise) of ``kind`` and ``district``, whose name
    contains ``q`` (case-insensitive; % and _ match themselves), ordered by kind, district, name and id and paged
    by keyset: (items, the next page's cursor or None, the total of the matches)."""
    condition = Organisation.kind.in_(PARTNER_KINDS if kind is None else [kind])
    if district is not None:
        condition = condition & (Organisation.district == district)
    if q := (q or "").strip():
        condition = condition & Organisation.name.ilike(_contains(q), escape=ESCAPE)
    total = db.session.scalar(select(func.count()).select_from(Organisation).where(condition))
    order = (Organisation.kind, Organisation.district, Organisation.name, Organisation.id)
    query = select(Organisation).where(condition)
    if cursor is not None:
        after = [literal(value, type_=column.type) for column, value in zip(order, decode_cursor(cursor))]
        query = query.where(tuple_(*order) > tuple_(*after))
    rows = db.session.scalars(query.order_by(*order).limit(limit + 1)).all()
    items = rows[:limit]
    return items, (encode_cursor(items[-1]) if len(rows) > limit else None), total
