"""The centre's triage queue: filters, key cases first, then by the centre's due time, paginated.

A page costs a fixed number of queries (the page, its infringers, the count), whatever its size.
The count stops at COUNT_LIMIT: past that the queue says "more than 10,000", which is all a clerk
needs, and it keeps every page fast at 100,000 complaints. The page's tabs count the complaints of
each state under the same filters in one GROUP BY (state_counts).

Closed and withdrawn complaints are finished work: they are left out unless asked for by state or with
include_closed. Sort orders: "due" (key cases first, then the centre's earliest running deadline, the
default), "received", "reference" and "enterprise"; desc reverses the chosen column.
"""
import datetime as dt
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from accounts.enums import Role
from accounts.models import Organisation
from core.extensions import db
from core.models import utcnow
from core.pagination import Page, Pages, fetch
from core.timeutil import to_shanghai
from intake import search
from intake.enums import ComplaintState
from intake.models import Complaint, Infringer

from .models import Referral

COUNT_LIMIT = 10_000
# key cases first, then the centre's earliest due time (complaints without one last), then the oldest;
# ix_complaints_queue has these very expressions, so both databases read a page straight off the index
QUEUE_ORDER = (Complaint.key_case.desc(), Complaint.centre_due_at.is_(None), Complaint.centre_due_at,
               Complaint.submitted_at, Complaint.id)
HIDDEN_BY_DEFAULT = (ComplaintState.closed, ComplaintState.withdrawn)
SORTS = ("due", "received", "reference", "enterprise")
HOLDERS = ("mine", "unassigned")
SOON = dt.timedelta(days=1)


class Urgency(NamedTuple):
    css: str  # the row's class: overdue / soon / fine / none
    label: object  # the word beside the colour (never colour alone)
    icon: str


URGENCIES = {
    "overdue": Urgency("overdue", _l("Overdue"), "⚠"),
    "soon": Urgency("soon", _l("Due soon"), "◔"),
    "fine": Urgency("fine", _l("On time"), "✓"),
    "none": Urgency("none", _l("No running deadline"), "–"),
}


def urgency(due_at: dt.datetime | None, now: dt.datetime | None = None) -> Urgency:
    """How urgent a complaint is by the due time of the centre's next running deadline (centre_due_at)."""
    if due_at is None:
        return URGENCIES["none"]
    now = now or utcnow()
    if due_at <= now:
        return URGENCIES["overdue"]
    return URGENCIES["soon"] if due_at - now <= SOON else URGENCIES["fine"]


def short_time(moment: dt.datetime, now: dt.datetime | None = None) -> str:
    """A queue cell's time in Shanghai: month, day and time this year, the full date another year."""
    local, today = to_shanghai(moment), to_shanghai(now or utcnow())
    return local.strftime("%m-%d %H:%M") if local.year == today.year else local.strftime("%Y-%m-%d")


def _order(sort: str, desc: bool, enterprise=None):
    def way(column):
        return column.desc() if desc else column.asc()

    if sort == "received":
        return (way(Complaint.submitted_at), way(Complaint.id))
    if sort == "reference":
        return (way(Complaint.reference),)
    if sort == "enterprise":
        return (way(enterprise.name), Complaint.submitted_at, Complaint.id)
    if desc:  # the latest due first, still key cases first and complaints without a clock last
        return (Complaint.key_case.desc(), Complaint.centre_due_at.is_(None), Complaint.centre_due_at.desc(),
                Complaint.submitted_at, Complaint.id)
    return QUEUE_ORDER


def _filtered(actor, *, q=None, track=None, district=None, infringer=None, key_case=None, overdue=None, holder=None):
    """The queue's query under every filter but the state, or None when the actor has no queue."""
    query = select(Complaint).where(Complaint.state != ComplaintState.draft)
    if actor.role is Role.clerk:
        query = query.where(Complaint.centre_id == actor.organisation_id)
    elif actor.role is not Role.supervisor:
        return None
    if (q := search.normalise(q)) is not None:
        query = query.where(search.complaint_matches(q))
    if track is not None:
        query = query.where(exists().where(Referral.complaint_id == Complaint.id, Referral.track == track))
    if district is not None:
        query = query.where(exists().where(Organisation.id == Complaint.enterprise_id, Organisation.district == district))
    if infringer:
        pattern = f"%{infringer.replace('%', '').replace('_', '')}%"
        query = query.where(exists().where(Infringer.complaint_id == Complaint.id, Infringer.name.like(pattern)))
    if key_case is not None:
        query = query.where(Complaint.key_case.is_(key_case))
    if overdue is not None:  # the centre's own clock (first response, triage decision) has run out
        late = Complaint.centre_due_at < utcnow()
        query = query.where(late if overdue else ~late | Complaint.centre_due_at.is_(None))
    if holder == "mine":
        query = query.where(Complaint.claimed_by_id == actor.id)
    elif holder == "unassigned":
        query = query.where(Complaint.claimed_by_id.is_(None))
    return query


def _with_states(query, state, include_closed):
    if state:
        return query.where(Complaint.state.in_([ComplaintState(s) for s in state]))
    if not include_closed:
        return query.where(Complaint.state.not_in(HIDDEN_BY_DEFAULT))
    return query


def state_counts(actor, *, state=(), include_closed=False, sort=None, desc=None, page=None, per_page=None,
                 **filters) -> dict[ComplaintState, int]:
    """How many complaints of each state the queue holds under the filters (the state filter aside): the
    page's tabs, in one aggregate query. States without complaints are left out."""
    query = _filtered(actor, **filters)
    if query is None:
        return {}
    rows = db.session.execute(query.with_only_columns(Complaint.state, func.count()).group_by(Complaint.state))
    return {ComplaintState(s) if not isinstance(s, ComplaintState) else s: n for s, n in rows}


def centre_queue(actor, *, q=None, state=(), include_closed=False, track=None, district=None, infringer=None,
                 key_case=None, overdue=None, holder=None, sort="due", desc=False, window=Pages()) -> Page:
    """The complaints of the clerk's centre (supervisors: all), filtered: a Page whose total is capped at
    COUNT_LIMIT (total_is_exact). The sort is the person's choice: an API cursor is an offset.
    ``q`` finds complaints by reference, enterprise, infringer name or credit code (intake.search);
    ``holder`` is "mine" (claimed by the actor) or "unassigned"; closed and withdrawn complaints only
    when named in ``state`` or with ``include_closed``."""
    query = _filtered(actor, q=q, track=track, district=district, infringer=infringer, key_case=key_case,
                      overdue=overdue, holder=holder)
    if query is None:
        return Page([], 0)
    query = _with_states(query, state, include_closed)

    def capped_count(query):
        counted = db.session.scalar(select(func.count()).select_from(
            query.with_only_columns(Complaint.id).limit(COUNT_LIMIT + 1).subquery()))
        return min(counted, COUNT_LIMIT), counted <= COUNT_LIMIT

    enterprise = None
    if sort == "enterprise":  # an alias: the district filter's EXISTS must stay correlated to its own row
        enterprise = aliased(Organisation)
        query = query.join(enterprise, enterprise.id == Complaint.enterprise_id)
    return fetch(query.options(joinedload(Complaint.enterprise), joinedload(Complaint.claimed_by),
                               selectinload(Complaint.infringers)),
                 _order(sort, desc, enterprise), window, count=capped_count, keyset=False, unique=True)
