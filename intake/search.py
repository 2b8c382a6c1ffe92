"""Find a complaint by its number: the one search condition every list uses (the centre's queue, an agency's
inbox and referral list, an enterprise's own complaints, and their API list endpoints).

``q`` matches, as a substring and case-insensitively, the complaint's reference (SM-YYYY-NNNNNN, also a part
of it such as "000123" or "sm-2026"), the enterprise's name, an infringer's name or an infringer's unified
social credit code (统一社会信用代码). It is an SQL condition on ``Complaint``, ANDed by each list onto its own
access condition, so a search can only narrow what the actor may see, never widen it. LIKE's wildcards in
``q`` are escaped: a ``%`` or ``_`` matches itself. Works alike on SQLite and PostgreSQL (``ilike`` is
``lower(x) LIKE lower(y)`` on SQLite and ``ILIKE`` on PostgreSQL).
"""
from sqlalchemy import exists, or_

from accounts.models import Organisation
from core.schemas import Name, StrictSchema

from .models import Complaint, Infringer

MAX_QUERY = 100
ESCAPE = "\\"


def query_field(**kwargs):
    """The ``q`` parameter of a list's query string (pages and API alike): bounded, trimmed."""
    return Name(MAX_QUERY, load_default=None, allow_none=True, metadata={
        "description": "Find complaints by reference (SM-YYYY-NNNNNN or a part of it, e.g. 000123; any case), "
                       "enterprise name, infringer name or infringer credit code (统一社会信用代码). A substring "
                       f"match, case-insensitive; % and _ match themselves. At most {MAX_QUERY} characters."},
        **kwargs)


def normalise(q: str | None) -> str | None:
    """The term as searched: trimmed, None when empty."""
    q = (q or "").strip()
    return q or None


def _contains(q: str) -> str:
    escaped = q.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def complaint_matches(q: str):
    """The SQL condition: the complaint matches the search term ``q`` (already bounded by query_field)."""
    pattern = _contains(q.strip())
    return or_(
        Complaint.reference.ilike(pattern, escape=ESCAPE),
        exists().where(Organisation.id == Complaint.enterprise_id, Organisation.name.ilike(pattern, escape=ESCAPE)),
        exists().where(Infringer.complaint_id == Complaint.id,
                       Infringer.name.ilike(pattern, escape=ESCAPE) | Infringer.credit_code.ilike(pattern, escape=ESCAPE)),
    )


class SearchArgs(StrictSchema):
    """A page's search box alone (lists whose other filters are read apart)."""

    q = query_field()
