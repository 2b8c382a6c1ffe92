"""One pagination envelope for every list of the API: ``{"items": [...], "next_cursor": str|null, "total": int}``.

A list's query takes ``cursor`` (opaque; the ``next_cursor`` of the page before) and ``limit`` (1..100,
default 20): :class:`CursorArgs`, which a list's own query schema extends. The view makes a window of
them (:func:`window`: the list's name, the ids in its path and its filters make the cursor's *scope*,
so a cursor of one list, or of the same list with other filters or another sort, is refused there), and
the list's service pages its query through it (:func:`fetch`):

* by **keyset** where the order is stable (a time and the id): the cursor holds the last item's values
  of the order's keys, and the next page is what follows them. Rows written meanwhile never shift a
  page, and no OFFSET grows with the depth;
* by an **offset** cursor where the person chooses the sort (the queue's sorts: ``keyset=False``);
* the web pages keep their page numbers (:class:`Pages`: the same services, an OFFSET).

Lists computed in Python (a complaint's timeline, notes, deadlines: small and per complaint, filtered by
what the reader may see) are paged by :func:`page_list` over the same keys.

A cursor is signed (the app's SECRET_KEY): a cursor that was not made here, was altered, or was made for
another scope answers 422 on ``cursor``, as does one that is not a cursor at all.
"""
import dataclasses
import datetime as dt
import hashlib
import json
import uuid

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from marshmallow import fields, validate
from sqlalchemy import and_, false, func, not_, or_, select

from .errors import ValidationFailed
from .extensions import db
from .schemas import OutSchema, StrictSchema

LIMIT_DEFAULT = 20
LIMIT_MAX = 100
CURSOR_MAX_LENGTH = 1000  # far beyond any cursor made here (a few keys, a hash and a signature)
OFFSET_MAX = 1_000_000  # the deepest offset cursor (the queue counts to 10,000 anyway)
_SALT = "api-list-cursor"


# --- the query fields -------------------------------------------------------------------------------

def cursor_field(**kwargs):
    """``cursor`` of a list's query: the ``next_cursor`` of the page before (absent: the first page)."""
    return fields.String(load_default=None, validate=validate.Length(min=1, max=CURSOR_MAX_LENGTH), metadata={
        "description": "Opaque: the next_cursor of the page before; absent for the first page. A cursor "
                       "made for another list, other filters or another sort answers 422."}, **kwargs)


def limit_field(default=LIMIT_DEFAULT, **kwargs):
    """``limit`` of a list's query: how many items a page holds, 1..100."""
    return fields.Integer(load_default=default, validate=validate.Range(min=1, max=LIMIT_MAX),
                          metadata={"description": f"Items per page, 1 to {LIMIT_MAX}."}, **kwargs)


class CursorArgs(StrictSchema):
    """The query of a list: extend it with the list's filters."""

    cursor = cursor_field()
    limit = limit_field()


def page_schema(item, name: str, *, total: bool = True, total_description: str | None = None,
                extra: dict | None = None) -> type:
    """The envelope of a list of ``item`` (a schema class or instance), as an answer schema named ``name``
    (its OpenAPI component). ``total`` where counting is cheap; ``extra``: more fields of the envelope."""
    attrs = {
        "items": fields.List(fields.Nested(item), required=True),
        "next_cursor": fields.String(required=True, allow_none=True, metadata={
            "description": "Pass as `cursor` for the next page; null on the last page."}),
    }
    if total:
        attrs["total"] = fields.Integer(metadata={"description": total_description or
                                                  "How many items the list has (all pages, these filters)."})
    attrs.update(extra or {})
    return type(name, (OutSchema,), attrs)


# --- windows: what part of a list to fetch ----------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Pages:
    """A page by its number (the web pages)."""

    page: int = 1
    per_page: int = 20


@dataclasses.dataclass(frozen=True)
class Cursor:
    """A page of the API: after ``cursor`` (decoded: ``position``), ``limit`` items, in ``scope``."""

    limit: int
    scope: str
    position: dict | None = None  # None: the first page


@dataclasses.dataclass
class Page:
    """What a list service answers: the items, the total (None where not counted) and, for a Cursor window,
    the next page's cursor. Dumped by a page_schema."""

    items: list
    total: int | None = None
    next_cursor: str | None = None
    total_is_exact: bool = True

    def envelope(self, **extra) -> dict:
        body = {"items": self.items, "next_cursor": self.next_cursor}
        if self.total is not None:
            body["total"] = self.total
        return {**body, **extra}


def window(args: dict, name: str, *parents) -> Cursor:
    """The window of an API list from its loaded query (``args``: cursor, limit and the filters). ``name``
    and ``parents`` (e.g. the complaint whose timeline it is) and the filters make the cursor's scope."""
    filters = {k: _plain(v) for k, v in sorted(args.items()) if k not in ("cursor", "limit")}
    scope_text = json.dumps([name, [str(p) for p in parents], filters], sort_keys=True, default=str)
    scope = hashlib.sha256(scope_text.encode()).hexdigest()[:16]
    position = _decode(args.get("cursor"), scope) if args.get("cursor") else None
    return Cursor(limit=args.get("limit", LIMIT_DEFAULT), scope=scope, position=position)


def _plain(value):
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    return getattr(value, "value", value)  # enums by value


# --- the cursor ---------------------------------------------------------------------------------------

def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _refused():
    return ValidationFailed({"cursor": [_("This cursor is not one of this list's: start again without it.")]})


def _encode(scope: str, **position) -> str:
    return _serializer().dumps({"s": scope, **position})


def _decode(cursor: str, scope: str) -> dict:
    try:
        data = _serializer().loads(cursor)
    except (BadSignature, ValueError, UnicodeError):
        raise _refused() from None
    if not isinstance(data, dict) or data.get("s") != scope:
        raise _refused()
    if "o" in data:
        if not isinstance(data["o"], int) or isinstance(data["o"], bool) or not 0 <= data["o"] <= OFFSET_MAX:
            raise _refused()
        return {"o": data["o"]}
    if not isinstance(data.get("k"), list):
        raise _refused()
    try:
        return {"k": [_from_json(v) for v in data["k"]]}
    except (TypeError, ValueError, KeyError):
        raise _refused() from None


def _to_json(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    if hasattr(value, "value"):  # an enum
        return _to_json(value.value)
    raise TypeError(f"a list's key of type {type(value).__name__} cannot travel in a cursor")


def _from_json(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (tag, text), = value.items()
        if isinstance(text, str):
            if tag == "t":
                return dt.datetime.fromisoformat(text)
            if tag == "d":
                return dt.date.fromisoformat(text)
            if tag == "u":
                return uuid.UUID(text)
    raise ValueError("not a key")


# --- paging a query -----------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Key:
    """One key of a list's order: a column or SQL expression, ascending or descending. A key that may be NULL
    must follow a key that sorts the NULLs apart (``expr.is_(None)``), as the lists' orders already do."""

    expr: object
    desc: bool = False

    def order(self):
        return self.expr.desc() if self.desc else self.expr.asc()


def asc(expr) -> Key:
    return Key(expr)


def desc(expr) -> Key:
    return Key(expr, desc=True)


def fetch(query, order, window_, *, count=True, keyset=True, unique=False) -> Page:
    """Page ``query`` (a select of one entity, or of an entity and more columns: then rows are answered)
    in ``order`` (Keys, the last ones making it total, e.g. the id; with ``keyset=False`` plain ORDER BY
    clauses will do) through ``window_`` (Pages or Cursor).
    ``count``: True (a COUNT of the whole list), False (no total) or a function of the query answering
    (total, exact). ``keyset=False``: an offset cursor (the person's choice of sort). ``unique``: rows made
    unique (joined eager loads of collections)."""
    total, exact = None, True
    if callable(count):
        total, exact = count(query)
    elif count:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    width = len(query.column_descriptions)  # entities and columns (selected_columns expands an entity)
    ordered = query.order_by(*(key.order() if isinstance(key, Key) else key for key in order))

    if isinstance(window_, Pages):
        rows = _rows(ordered.offset((window_.page - 1) * window_.per_page).limit(window_.per_page), width, unique)
        return Page(rows, total, None, exact)

    position = window_.position or {}
    if not keyset:
        offset = position.get("o", 0)
        if "k" in position:
            raise _refused()
        rows = _rows(ordered.offset(offset).limit(window_.limit + 1), width, unique)
        more = len(rows) > window_.limit
        rows = rows[:window_.limit]
        cursor = _encode(window_.scope, o=offset + len(rows)) if more and offset + len(rows) <= OFFSET_MAX else None
        return Page(rows, total, cursor, exact)

    if "o" in position:
        raise _refused()
    if "k" in position:
        values = position["k"]
        if len(values) != len(order):
            raise _refused()
        ordered = ordered.where(_after(order, values))
    labelled = ordered.add_columns(*(key.expr.label(f"_page_key_{i}") for i, key in enumerate(order)))
    result = db.session.execute(labelled.limit(window_.limit + 1))
    raw = result.unique().all() if unique else result.all()
    more = len(raw) > window_.limit
    raw = raw[:window_.limit]
    rows = [row[0] if width == 1 else row[:width] for row in raw]
    cursor = _encode(window_.scope, k=[_to_json(v) for v in raw[-1][width:]]) if more else None
    return Page(rows, total, cursor, exact)


def _rows(query, width, unique):
    result = db.session.execute(query)
    if unique:
        result = result.unique()
    return [row[0] if width == 1 else tuple(row) for row in result.all()]


def _after(order, values):
    """The rows strictly after ``values`` in ``order``: (k0 > v0) or (k0 = v0 and k1 > v1) or ..."""
    alternatives, equal = [], []
    for key, value in zip(order, values):
        if value is None:  # a NULL key: its group (set apart by the key before) has only NULLs here
            equal.append(key.expr.is_(None))
            continue
        alternatives.append(and_(*equal, _beyond(key, value)))
        equal.append((key.expr if value else not_(key.expr)) if isinstance(value, bool) else key.expr == value)
    return or_(*alternatives) if alternatives else false()


def _beyond(key, value):
    """The rows whose ``key`` comes strictly after ``value`` (a flag such as ``expr.is_(None)``: False < True)."""
    if isinstance(value, bool):  # SQL compares no expression with a bare true/false
        if key.desc:
            return not_(key.expr) if value else false()
        return false() if value else key.expr
    return key.expr < value if key.desc else key.expr > value


# --- paging a list computed in Python --------------------------------------------------------------------

def page_list(items, window_: Cursor, key, *, total: bool = True) -> Page:
    """Page ``items`` (all of a small list, already filtered for the reader) by ``key`` (a function of an item
    answering a tuple of its sort values, ascending, ending with a unique one such as the id)."""
    items = sorted(items, key=key)
    count = len(items) if total else None
    position = window_.position or {}
    if "o" in position:
        raise _refused()
    if "k" in position:
        after = tuple(position["k"])
        try:
            items = [item for item in items if _comparable(key(item)) > after]
        except TypeError:  # a key of another shape
            raise _refused() from None
    more = len(items) > window_.limit
    items = items[:window_.limit]
    cursor = _encode(window_.scope, k=[_to_json(v) for v in key(items[-1])]) if more else None
    return Page(items, count, cursor)


def _comparable(values) -> tuple:
    return tuple(v.value if hasattr(v, "value") and not isinstance(v, (dt.date, uuid.UUID)) else v for v in values)
