"""The directory of partner organisations: where a referral, a transfer or a consultation can go, and the
organisations an agency's system meets in the API (the centres, the agencies of every kind, the supervisor
offices). Enterprises are never in it."""
from sqlalchemy import select

from core.extensions import db
from core.pagination import Page, Pages, asc, fetch

from .enums import AGENCY_KINDS, OrgKind
from .models import Organisation

PARTNER_KINDS = tuple(kind for kind in OrgKind if kind is not OrgKind.enterprise)
ESCAPE = "\\"


def agency_directory(kinds=AGENCY_KINDS):
    """The agencies of the directory of these kinds, by kind, district and name."""
    return db.session.scalars(select(Organisation).where(Organisation.kind.in_(list(kinds)))
                              .order_by(Organisation.kind, Organisation.district, Organisation.name)).all()


def _contains(q: str) -> str:
    escaped = q.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def partner_directory(*, kind=None, district=None, q=None, window=Pages()) -> Page:
    """The partner organisations (PARTNER_KINDS: never an enterprise) of ``kind`` and ``district``, whose name
    contains ``q`` (case-insensitive; % and _ match themselves), ordered by kind, district, name and id and paged
    by keyset (core.pagination), with the total of the matches."""
    condition = Organisation.kind.in_(PARTNER_KINDS if kind is None else [kind])
    if district is not None:
        condition = condition & (Organisation.district == district)
    if q := (q or "").strip():
        condition = condition & Organisation.name.ilike(_contains(q), escape=ESCAPE)
    order = (asc(Organisation.kind), asc(Organisation.district), asc(Organisation.name), asc(Organisation.id))
    return fetch(select(Organisation).where(condition), order, window)
