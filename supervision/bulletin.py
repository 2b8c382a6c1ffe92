"""The monthly bulletin (通报): headline figures, the league tables, overdue items by organisation and the
commendations of the best performers, for one month that has ended.

Issuing it freezes its figures (``Bulletin.data``) and sends it through the outbox (event
``bulletin.issued``, with a link to its page) to every organisation it names; its PDF (core/pdf.py) and its
page are drawn from the frozen figures, so they always say what was sent. Supervisors issue and download
it; the staff of a named organisation read it (assessment_access.can_read_bulletin).
"""
import datetime as dt
import uuid
from decimal import Decimal

from flask import url_for
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, select

from accounts.enums import AGENCY_KINDS, OrgKind
from accounts.models import Organisation
from core import outbox
from core.audit import audit
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.models import utcnow
from core.pdf import lines_pdf
from core.timeutil import format_local, to_shanghai
from deadlines.models import Deadline, DeadlineState
from intake.models import Complaint
from notifications import events as notification_events
from routing.models import Referral

from . import assessment_access as access
from .assessment_models import Bulletin
from .indicators import GROUP_LABELS, METHOD_LABELS, Group, Method, Period, fraction
from .league import LEAGUE_METHODS, floors, league_table, month_key, month_period, percent_text
from .tables import Column, Table

EVENT = "bulletin.issued"
COMMENDED_PER_GROUP = 3

assert EVENT in notification_events.EVENTS  # its texts and recipients: notifications/events.py


def _text(value):
    return None if value is None else format(value, "f")


def _league_rows(group: Group, period: Period, now) -> list[dict]:
    table = league_table(group, period, now=now)
    limits = floors()
    rows = []
    for row in table.rows:
        below = [m.value for m in LEAGUE_METHODS
                 if limits.get(m) is not None and row[m.value] is not None and row[m.value] < limits[m]]
        rows.append({"rank": row["rank"], "name": row["organisation"], "org_id": row["organisation_id"],
                     **{m.value: _text(row[m.value]) for m in LEAGUE_METHODS},
                     **{f"{m.value}_counted": row[f"{m.value}_counted"] for m in LEAGUE_METHODS},
                     **{f"{m.value}_hits": row[f"{m.value}_hits"] for m in LEAGUE_METHODS}, "below": below})
    return rows


def _overdue(now) -> list[dict]:
    """Deadlines running past their due time now, by the organisation that must act (centres and agencies)."""
    kinds = [OrgKind.rights_center, *AGENCY_KINDS]
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, func.count(Deadline.id))
        .join(Organisation, Organisation.id == Deadline.responsible_org_id)
        .where(Organisation.kind.in_(kinds), Deadline.closed_at.is_(None),
               Deadline.state.in_((DeadlineState.open, DeadlineState.breached)), Deadline.due_at < now)
        .group_by(Organisation.id, Organisation.name))
    found = [{"org_id": str(org_id), "name": name, "count": int(count)} for org_id, name, count in rows]
    return sorted(found, key=lambda r: (-r["count"], r["name"]))


def _headline(period: Period, league: dict) -> dict:
    start, end = period.bounds()
    submitted = db.session.scalar(select(func.count()).select_from(Complaint).where(
        Complaint.submitted_at >= start, Complaint.submitted_at < end))
    referred = db.session.scalar(select(func.count()).select_from(Referral).where(
        Referral.created_at >= start, Referral.created_at < end))

    rows = league["centre"] + league["agency"]
    due = sum(r["on_time_rate_counted"] for r in rows)
    on_time = sum(r["on_time_rate_hits"] for r in rows)
    return {"complaints_submitted": int(submitted), "referrals_sent": int(referred), "deadlines_due": due,
            "deadlines_on_time": on_time, "on_time_rate": _text(fraction(on_time, due))}


def _commendations(league: dict) -> list[dict]:
    """The top of each league that counted something on time and is below no floor."""
    chosen = []
    for group in Group:
        rows = [r for r in league[group.value] if r["on_time_rate_counted"] and not r["below"]]
        for row in rows[:COMMENDED_PER_GROUP]:
            chosen.append({"group": group.value, "org_id": row["org_id"], "name": row["name"], "rank": row["rank"]})
    return chosen


def bulletin_data(period: Period, now: dt.datetime) -> dict:
    league = {group.value: _league_rows(group, period, now) for group in Group}
    overdue = _overdue(now)
    return {"month": month_key(period), "headline": _headline(period, league), "league": league,
            "overdue": overdue, "overdue_total": sum(r["count"] for r in overdue),
            "commendations": _commendations(league)}


def named_organisations(data: dict) -> list[str]:
    named = {r["org_id"] for rows in data["league"].values() for r in rows
             if any(r[f"{m.value}_counted"] for m in LEAGUE_METHODS)}
    named |= {r["org_id"] for r in data["overdue"]} | {r["org_id"] for r in data["commendations"]}
    return sorted(named)


def issue_bulletin(actor, month_text: str, *, now: dt.datetime | None = None) -> Bulletin:
    """Issue the bulletin of a month that has ended (once per month) and send it to the organisations it names."""
    if not access.can_issue_bulletin(actor):
        raise NotFound()
    now = now or utcnow()
    period = month_period(month_text)
    if period is None:
        raise ValidationFailed({"month": [_("Give a month as YYYY-MM, e.g. 2026-11.")]})
    if period.end > to_shanghai(now).date():
        raise ValidationFailed({"month": [_("This month has not ended yet; issue its bulletin once it has.")]})
    if db.session.scalar(select(Bulletin.id).where(Bulletin.period_start == period.start)) is not None:
        raise ValidationFailed({"month": [_("The bulletin of this month has already been issued.")]})
    data = bulletin_data(period, now)
    bulletin = Bulletin(id=uuid.uuid4(), period_start=period.start, period_end=period.end, number=month_key(period),
                        data=data, organisation_ids=named_organisations(data), issued_by_id=actor.id, issued_at=now)
    db.session.add(bulletin)
    db.session.flush()
    if bulletin.organisation_ids:
        outbox.emit(EVENT, organisation_ids=[uuid.UUID(o) for o in bulletin.organisation_ids],
                    params={"number": bulletin.number, "month": bulletin.number}, subject_type="bulletin",
                    subject_id=bulletin.id, url=url_for("assessment.bulletin_page", bulletin_id=bulletin.id))
    audit("bulletin.issued", actor=actor, subject_type="bulletin", subject_id=bulletin.id, month=bulletin.number,
          organisations=len(bulletin.organisation_ids))
    return bulletin


def bulletins_for(actor) -> list[Bulletin]:
    """The bulletins the actor may read, newest first: every one for supervisors, else those naming its organisation."""
    rows = list(db.session.scalars(select(Bulletin).order_by(Bulletin.period_start.desc()).limit(120)))
    return [b for b in rows if access.can_read_bulletin(actor, b)]


def get_bulletin(actor, bulletin_id) -> Bulletin:
    try:
        key = uuid.UUID(str(bulletin_id))
    except ValueError:
        raise NotFound() from None
    bulletin = db.session.get(Bulletin, key)
    if bulletin is None or not access.can_read_bulletin(actor, bulletin):
        raise NotFound()
    return bulletin


# --- what the page and the PDF show, from the frozen figures --------------------------------------------------

def headline_table(bulletin: Bulletin) -> Table:
    h = bulletin.data["headline"]
    rows = [
        {"figure": _("Complaints submitted"), "value": str(h["complaints_submitted"])},
        {"figure": _("Referrals sent"), "value": str(h["referrals_sent"])},
        {"figure": _("Deadlines that fell due"), "value": str(h["deadlines_due"])},
        {"figure": _("Met on time"), "value": str(h["deadlines_on_time"])},
        {"figure": _("On-time rate"), "value": percent_text(Decimal(h["on_time_rate"])) if h["on_time_rate"] else "—"},
        {"figure": _("Items overdue when issued"), "value": str(bulletin.data.get("overdue_total", 0))},
    ]
    return Table("headline", _("Headline figures"), [Column("figure", _l("Figure")), Column("value", _l("Value"))],
                 rows)


def league_tables(bulletin: Bulletin) -> list[Table]:
    tables = []
    for group in Group:
        columns = [Column("rank", _l("Rank"), "int"), Column("organisation", _l("Organisation"))]
        columns += [Column(m.value, METHOD_LABELS[m], "percent") for m in LEAGUE_METHODS]
        columns.append(Column("marks", _l("Below a floor")))
        rows = []
        for r in bulletin.data["league"][group.value]:
            row = {"rank": r["rank"], "organisation": r["name"], "below_floor": bool(r["below"])}
            row.update({m.value: Decimal(r[m.value]) if r[m.value] is not None else None for m in LEAGUE_METHODS})
            row["marks"] = _("; ").join(_("below the %(indicator)s floor", indicator=METHOD_LABELS[Method(b)])
                                       for b in r["below"])
            rows.append(row)
        tables.append(Table(f"bulletin_league_{group.value}", _("League table of %(group)s", group=GROUP_LABELS[group]),
                            columns, rows))
    return tables


def overdue_table(bulletin: Bulletin) -> Table:
    return Table("overdue", _("Overdue items by organisation"),
                 [Column("organisation", _l("Organisation")), Column("count", _l("Overdue items"), "int")],
                 [{"organisation": r["name"], "count": r["count"]} for r in bulletin.data["overdue"]])


def commendation_lines(bulletin: Bulletin) -> list[str]:
    return [_("%(organisation)s (%(group)s, rank %(rank)d): commended for meeting every floor.",
              organisation=c["name"], group=GROUP_LABELS[Group(c["group"])], rank=c["rank"])
            for c in bulletin.data["commendations"]]


def _cell(value, kind):
    if value is None:
        return "—"
    if kind == "percent":
        return percent_text(value)
    return str(value)


def bulletin_title(bulletin: Bulletin) -> str:
    return _("Bulletin on trade-secret protection, %(month)s", month=bulletin.number)


def bulletin_pdf(bulletin: Bulletin) -> bytes:
    """The bulletin as an A4 PDF in the reader's language, from its frozen figures."""
    title = bulletin_title(bulletin)
    lines = [title, _("Issued by the supervisor office on %(date)s.", date=format_local(bulletin.issued_at)), ""]
    for table in [headline_table(bulletin), *league_tables(bulletin), overdue_table(bulletin)]:
        lines.append(str(table.title))
        if not table.rows:
            lines.append(_("None."))
        for row in table.rows:
            cells = [_("%(label)s: %(value)s", label=column.label, value=_cell(row.get(column.key), column.kind))
                     for column in table.columns
                     if row.get(column.key) not in (None, "")]
            lines.append(_("; ").join(cells))
        lines.append("")
    lines.append(_("Commendations"))
    lines += commendation_lines(bulletin) or [_("None.")]
    return lines_pdf(lines, title=title)
