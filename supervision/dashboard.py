"""The dashboard's figures: each a ``Table`` computed by aggregate SQL (GROUP BY, conditional counts, window
functions for the percentiles); Python only labels the grouped rows.

What is counted (docs/dashboard in the note): the *cohort* is the complaints submitted in the period (Shanghai
dates) that match the filters and the viewer's scope; every figure but "now" describes that cohort — its
states, districts, acts, its referrals (only those of the agency and track filtered on, if any), their
outcomes and the deadlines of its complaints (with an agency filter or scope, that agency's deadlines only).
"Now" ignores the period: open complaints and running and overdue deadlines at this instant.

Other parts add their own sections (tables after these) with ``register_section``.
"""
import datetime as dt
import decimal
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, or_, select, text, true

from accounts.enums import DISTRICT_LABELS, District
from accounts.models import Organisation
from core.extensions import db
from core.models import utcnow
from deadlines.models import Deadline, DeadlineState
from deadlines.presenters import RULE_LABELS
from intake.enums import (COMPLAINT_STATE_LABELS, INFRINGING_ACT_LABELS, OPEN_STATES, TRACK_LABELS, ComplaintState,
                          InfringingAct, Track)
from intake.models import Complaint, Infringer
from routing.enums import OPEN_REFERRAL_STATES, OUTCOME_LABELS
from routing.models import Referral

from .filters import Filters
from .tables import Column, Table

UNKNOWN = _l("Unknown or outside Shanghai")


@dataclass
class Figure:
    """A table and how to draw it: chart is "bar", "line", "funnel" or None; x the label column, series the
    value columns drawn."""

    table: Table
    chart: str | None = None
    x: str = "label"
    series: list[str] = field(default_factory=lambda: ["count"])


# --- other parts' sections -------------------------------------------------------------------------

@dataclass
class Section:
    key: str
    title: object
    provider: object  # provider(filters, viewer) -> list[Table] | None (None: not for this viewer)


SECTIONS: dict[str, Section] = {}


def register_section(key: str, title, provider) -> None:
    """Add a section after the dashboard's own: *provider(filters, viewer)* answers its tables, or None when
    the section is not for this viewer. Registering a key again replaces it."""
    SECTIONS[key] = Section(key, title, provider)


def extra_sections(filters: Filters, viewer) -> list[tuple[Section, list[Table]]]:
    found = []
    for section in SECTIONS.values():
        tables = section.provider(filters, viewer)
        if tables is not None:
            found.append((section, list(tables)))
    return found


# --- the cohort ------------------------------------------------------------------------------------

def _referral_conditions(f: Filters) -> list:
    conditions = []
    if f.agency_id:
        conditions.append(Referral.agency_id == f.agency_id)
    if f.track:
        conditions.append(Referral.track == f.track)
    return conditions


def _complaint_conditions(f: Filters, *, period: bool = True) -> list:
    conditions = [Complaint.state != ComplaintState.draft]
    if period:
        conditions += [Complaint.submitted_at >= f.start_utc, Complaint.submitted_at < f.end_utc]
    if f.centre_id:
        conditions.append(Complaint.centre_id == f.centre_id)
    if f.district:
        conditions.append(Complaint.enterprise_id.in_(
            select(Organisation.id).where(Organisation.district == f.district).scalar_subquery()))
    referral = _referral_conditions(f)
    if referral:
        conditions.append(exists().where(Referral.complaint_id == Complaint.id, *referral))
    return conditions


def _unfiltered(f: Filters, period: bool) -> bool:
    """Nothing narrows the complaints: every referral and deadline belongs to a submitted complaint, so a
    condition on their complaint would only cost a join."""
    return not period and not (f.centre_id or f.district or f.agency_id or f.track)


def _in_cohort(column, f: Filters, *, period: bool = True) -> list:
    if _unfiltered(f, period):
        return []
    return [column.in_(select(Complaint.id).where(*_complaint_conditions(f, period=period)).scalar_subquery())]


def _referrals(f: Filters, *, period: bool = True) -> list:
    return [*_in_cohort(Referral.complaint_id, f, period=period), *_referral_conditions(f)]


def _deadlines(f: Filters, *, period: bool = True) -> list:
    conditions = _in_cohort(Deadline.complaint_id, f, period=period)
    if f.agency_id:
        conditions.append(Deadline.responsible_org_id == f.agency_id)
    return conditions


def _rate(part, whole):
    if not whole:
        return None
    return (decimal.Decimal(part) / decimal.Decimal(whole)).quantize(decimal.Decimal("0.0001"))


def _money(value) -> decimal.Decimal:
    return decimal.Decimal(value if value is not None else 0).quantize(decimal.Decimal("0.01"))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _local_bucket(column, unit: str):
    """The Shanghai week (Monday) or month a UTC instant falls in, as SQL."""
    if _dialect() == "postgresql":
        return func.date_trunc(unit, func.timezone("Asia/Shanghai", column))
    if unit == "week":  # SQLite: "weekday 0" moves forward to Sunday, six days back is that week's Monday
        return func.date(column, "+8 hours", "weekday 0", "-6 days")
    return func.strftime("%Y-%m-01", column, "+8 hours")


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _seconds(later, earlier):
    if _dialect() == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400


def _acts():
    """The complaints' infringing acts (a JSON list) as a table-valued function with a ``value`` column."""
    if _dialect() == "postgresql":
        return func.json_array_elements_text(Complaint.infringing_acts).table_valued("value")
    return func.json_each(Complaint.infringing_acts).table_valued("value")


# --- the figures -----------------------------------------------------------------------------------

COUNT = Column("count", _l("Complaints"), "int")
SHARE = Column("share", _l("Share"), "percent")


def _with_shares(rows: list[dict], total: int) -> list[dict]:
    for row in rows:
        row["share"] = _rate(row["count"], total)
    return rows


def by_state(f: Filters) -> Figure:
    found = dict(db.session.execute(
        select(Complaint.state, func.count()).where(*_complaint_conditions(f)).group_by(Complaint.state)).all())
    total = sum(found.values())
    rows = [{"code": s.value, "label": COMPLAINT_STATE_LABELS[s], "count": found.get(s, 0)}
            for s in ComplaintState if s is not ComplaintState.draft]
    return Figure(Table("by_state", _l("Complaints by state"), [Column("label", _l("State")), COUNT, SHARE],
                        _with_shares(rows, total)), "bar")


def by_track(f: Filters) -> Figure:
    found = {track: (complaints, referrals) for track, complaints, referrals in db.session.execute(
        select(Referral.track, func.count(func.distinct(Referral.complaint_id)), func.count())
        .where(*_referrals(f)).group_by(Referral.track))}
    rows = [{"code": t.value, "label": TRACK_LABELS[t], "count": found.get(t, (0, 0))[0],
             "referrals": found.get(t, (0, 0))[1]} for t in Track]
    return Figure(Table("by_track", _l("Complaints by track"), [
        Column("label", _l("Track")), COUNT, Column("referrals", _l("Referrals"), "int")], rows),
        "bar", series=["count", "referrals"])


def _by_district(f: Filters, key, title, label, query) -> Figure:
    found = dict(db.session.execute(query).all())
    total = sum(found.values())  # the enterprise's: one district per complaint (the infringers' shows no share)
    rows = [{"code": d.value, "label": DISTRICT_LABELS[d], "count": found[d]} for d in District if found.get(d)]
    if found.get(None):
        rows.append({"code": None, "label": UNKNOWN, "count": found[None]})
    return Figure(Table(key, title, [Column("label", label), COUNT, SHARE], _with_shares(rows, total)), "bar")


def by_enterprise_district(f: Filters) -> Figure:
    query = (select(Organisation.district, func.count()).select_from(Complaint)
             .join(Organisation, Organisation.id == Complaint.enterprise_id)
             .where(*_complaint_conditions(f)).group_by(Organisation.district))
    return _by_district(f, "by_enterprise_district", _l("Complaints by the enterprise's district"),
                        _l("Enterprise's district"), query)


def by_infringer_district(f: Filters) -> Figure:
    query = (select(Infringer.district, func.count(func.distinct(Infringer.complaint_id)))
             .where(*_in_cohort(Infringer.complaint_id, f)).group_by(Infringer.district))
    figure = _by_district(f, "by_infringer_district", _l("Complaints by the suspected infringer's district"),
                          _l("Infringer's district"), query)
    figure.table.columns = figure.table.columns[:2]  # a complaint may name infringers of several districts
    return figure


def by_centre(f: Filters) -> Figure:
    query = (select(Organisation.name, func.count()).select_from(Complaint)
             .join(Organisation, Organisation.id == Complaint.centre_id)
             .where(*_complaint_conditions(f)).group_by(Organisation.id, Organisation.name)
             .order_by(func.count().desc(), Organisation.name))
    rows = [{"label": name, "count": n} for name, n in db.session.execute(query)]
    return Figure(Table("by_centre", _l("Complaints by centre"), [Column("label", _l("Centre")), COUNT], rows), "bar")


def by_agency(f: Filters) -> Figure:
    query = (select(Organisation.name, func.count(),
                    func.sum(case((Referral.state.in_(OPEN_REFERRAL_STATES), 1), else_=0)),
                    func.sum(case((Referral.concluded_at.is_not(None), 1), else_=0)))
             .select_from(Referral).join(Organisation, Organisation.id == Referral.agency_id).where(*_referrals(f))
             .group_by(Organisation.id, Organisation.name).order_by(func.count().desc(), Organisation.name))
    rows = [{"label": name, "count": n, "open": open_ or 0, "concluded": done or 0}
            for name, n, open_, done in db.session.execute(query)]
    return Figure(Table("by_agency", _l("Referrals by agency"), [
        Column("label", _l("Agency")), Column("count", _l("Referrals"), "int"),
        Column("open", _l("Still open"), "int"), Column("concluded", _l("Concluded"), "int")], rows),
        "bar", series=["count", "concluded"])


def by_act(f: Filters) -> Figure:
    acts = _acts()
    query = (select(acts.c.value, func.count()).select_from(Complaint).join(acts, true())
             .where(*_complaint_conditions(f)).group_by(acts.c.value))
    found = dict(db.session.execute(query).all())
    rows = [{"code": a.value, "label": INFRINGING_ACT_LABELS[a], "count": found.get(a.value, 0)}
            for a in InfringingAct]
    rows.sort(key=lambda row: -row["count"])
    return Figure(Table("by_act", _l("Complaints by infringing act"), [
        Column("label", _l("Infringing act")), COUNT], rows), "bar")


def intake_weekly(f: Filters) -> Figure:
    week = _local_bucket(Complaint.submitted_at, "week")
    query = select(week, func.count()).where(*_complaint_conditions(f)).group_by(week).order_by(week)
    found = {_as_date(w): n for w, n in db.session.execute(query)}
    first = f.start - dt.timedelta(days=f.start.weekday())
    rows, monday = [], first
    while monday <= f.end:  # every week of the period, those without a complaint too
        rows.append({"label": monday, "count": found.get(monday, 0)})
        monday += dt.timedelta(days=7)
    return Figure(Table("intake_weekly", _l("Complaints received per week"), [
        Column("label", _l("Week from"), "date"), COUNT], rows), "line")


def trends_monthly(f: Filters) -> Figure:
    """Per month of the period: complaints received, referrals sent and concluded (of the cohort's complaints)."""
    month = _local_bucket(Complaint.submitted_at, "month")
    received = {_as_date(m): n for m, n in db.session.execute(
        select(month, func.count()).where(*_complaint_conditions(f)).group_by(month))}
    sent_at = _local_bucket(Referral.created_at, "month")
    sent = {_as_date(m): n for m, n in db.session.execute(
        select(sent_at, func.count()).where(*_referrals(f)).group_by(sent_at))}
    done_at = _local_bucket(Referral.concluded_at, "month")
    done = {_as_date(m): n for m, n in db.session.execute(
        select(done_at, func.count()).where(*_referrals(f), Referral.concluded_at.is_not(None)).group_by(done_at))}
    rows, first = [], f.start.replace(day=1)
    last = max([f.end.replace(day=1), *sent, *done])
    while first <= last:
        rows.append({"label": first, "count": received.get(first, 0), "referred": sent.get(first, 0),
                     "concluded": done.get(first, 0)})
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return Figure(Table("trends_monthly", _l("Trends per month"), [
        Column("label", _l("Month"), "date"), Column("count", _l("Complaints received"), "int"),
        Column("referred", _l("Referrals sent"), "int"), Column("concluded", _l("Referrals concluded"), "int")],
        rows), "line", series=["count", "referred", "concluded"])


ACCEPTED_OR_LATER = (ComplaintState.accepted, ComplaintState.referred, ComplaintState.in_progress,
                     ComplaintState.concluded)


def funnel(f: Filters) -> Figure:
    """submitted → accepted (a state from acceptance on, or a referral or the centre's resolution) → referred (a
    referral) → decided (a referral whose agency decided) → concluded (concluded, or closed after acceptance)."""
    query = select(Complaint)
    if _dialect() == "postgresql":  # the referrals grouped once and joined: no probe per complaint
        per_complaint = (select(Referral.complaint_id.label("complaint_id"),
                                func.max(case((Referral.decided_at.is_not(None), 1), else_=0)).label("decided"))
                         .where(*_referral_conditions(f)).group_by(Referral.complaint_id).subquery())
        referred = per_complaint.c.complaint_id.is_not(None)
        decided = per_complaint.c.decided == 1
        query = query.outerjoin(per_complaint, per_complaint.c.complaint_id == Complaint.id)
    else:  # SQLite probes ix_referrals_complaint faster than it builds and joins the grouped referrals
        referred = exists().where(Referral.complaint_id == Complaint.id, *_referral_conditions(f))
        decided = exists().where(Referral.complaint_id == Complaint.id, Referral.decided_at.is_not(None),
                                 *_referral_conditions(f))
    accepted = or_(Complaint.state.in_(ACCEPTED_OR_LATER), Complaint.resolution.is_not(None), referred)
    concluded = or_(Complaint.state == ComplaintState.concluded,
                    and_(Complaint.state == ComplaintState.closed,
                         or_(Complaint.resolution.is_not(None), referred)))

    def count(condition):
        return func.sum(case((condition, 1), else_=0))

    row = db.session.execute(query.with_only_columns(
        func.count(), count(accepted), count(referred), count(decided), count(concluded), maintain_column_froms=True)
        .where(*_complaint_conditions(f))).one()
    total = row[0]
    stages = [("submitted", _l("Submitted")), ("accepted", _l("Accepted")), ("referred", _l("Referred")),
              ("decided", _l("Decided by an agency")), ("concluded", _l("Concluded"))]
    rows = [{"code": code, "label": label, "count": int(n or 0), "share": _rate(int(n or 0), total)}
            for (code, label), n in zip(stages, row)]
    return Figure(Table("funnel", _l("From submission to conclusion"), [
        Column("label", _l("Stage")), COUNT, Column("share", _l("Of those submitted"), "percent")], rows), "funnel")


def outcomes_summary(f: Filters) -> Figure:
    result = Referral.outcome["result"].as_string()
    penalty = result == "penalty_decision"
    filed = and_(Referral.track == Track.criminal, Referral.agency_case_number.is_not(None))
    civil = and_(Referral.track == Track.civil, Referral.concluded_at.is_not(None))
    found = db.session.execute(select(
        func.sum(case((penalty, 1), else_=0)), func.sum(case((penalty, Referral.fine_amount))),
        func.sum(case((penalty, Referral.confiscation_amount))), func.sum(case((filed, 1), else_=0)),
        func.sum(case((civil, 1), else_=0)), func.sum(case((civil, Referral.damages_amount))))
        .where(*_referrals(f))).one()
    penalties = (int(found[0] or 0), found[1], found[2])
    filed = int(found[3] or 0)
    civil = (int(found[4] or 0), found[5])
    guidance_conditions = _complaint_conditions(f)
    if f.agency_id or f.track:
        guidance = 0  # the centre's own guidance concerns no agency or track
    else:
        guidance = db.session.scalar(select(func.count()).where(*guidance_conditions,
                                                                Complaint.resolution.is_not(None)))
    rows = [
        {"code": "penalties", "label": _l("Administrative penalties"), "count": penalties[0],
         "fines": _money(penalties[1]), "confiscations": _money(penalties[2]), "damages": None},
        {"code": "criminal_filings", "label": _l("Criminal cases filed"), "count": filed,
         "fines": None, "confiscations": None, "damages": None},
        {"code": "civil_results", "label": _l("Civil results"), "count": civil[0], "fines": None,
         "confiscations": None, "damages": _money(civil[1])},
        {"code": "guidance_only", "label": _l("Concluded with guidance only"), "count": guidance, "fines": None,
         "confiscations": None, "damages": None},
    ]
    return Figure(Table("outcomes_summary", _l("Outcomes"), [
        Column("label", _l("Outcome")), Column("count", _l("Number"), "int"),
        Column("fines", _l("Fines (yuan)"), "decimal"), Column("confiscations", _l("Confiscated (yuan)"), "decimal"),
        Column("damages", _l("Damages (yuan)"), "decimal")], rows), "bar")


def outcomes_by_result(f: Filters) -> Figure:
    result = Referral.outcome["result"].as_string()
    query = (select(result, func.count(), func.sum(Referral.fine_amount), func.sum(Referral.confiscation_amount),
                    func.sum(Referral.damages_amount))
             .where(*_referrals(f), Referral.outcome.is_not(None), result.is_not(None)).group_by(result))
    found = {code: row for code, *row in db.session.execute(query)}
    rows = []
    for code, label in OUTCOME_LABELS.items():
        if code in found:
            n, fines, confiscated, damages = found[code]
            rows.append({"code": code, "label": label, "count": n, "fines": _money(fines),
                         "confiscations": _money(confiscated), "damages": _money(damages)})
    return Figure(Table("outcomes_by_result", _l("Decisions of concluded referrals"), [
        Column("label", _l("Decision")), Column("count", _l("Referrals"), "int"),
        Column("fines", _l("Fines (yuan)"), "decimal"), Column("confiscations", _l("Confiscated (yuan)"), "decimal"),
        Column("damages", _l("Damages (yuan)"), "decimal")], rows), "bar")


def quick_protection(f: Filters) -> Figure:
    """Per deadline rule, the deadlines of the cohort: met in time, late (breached, met or not), still running
    in time; the on-time rate (met in time over met and breached); the median and the 90th percentile
    (nearest rank) of the hours from start to the deadline being met; the shares paused and extended."""
    on_time = and_(Deadline.state == DeadlineState.met, Deadline.breached_at.is_(None))
    late = Deadline.breached_at.is_not(None)
    running = and_(Deadline.closed_at.is_(None), Deadline.state == DeadlineState.open)
    paused = or_(Deadline.paused_at.is_not(None), func.json_array_length(Deadline.paused_intervals) > 0)
    extended = or_(Deadline.extended_by_amount.is_not(None), Deadline.fixed_due_at.is_not(None))

    def count(condition):
        return func.sum(case((condition, 1), else_=0))

    counted = (Deadline.state != DeadlineState.cancelled)
    figures = {code: row for code, *row in db.session.execute(
        select(Deadline.rule_code, func.count(), count(on_time), count(late), count(running), count(paused),
               count(extended)).where(*_deadlines(f), counted).group_by(Deadline.rule_code))}
    times = _times_to_meet(f)
    rows = []
    for code, label in RULE_LABELS.items():
        if code not in figures:
            continue
        total, met, breached, still, paused_n, extended_n = (int(v or 0) for v in figures[code])
        p50, p90 = times.get(code, (None, None))
        rows.append({"code": code, "label": f"{code} {label}", "count": total, "on_time": met, "late": breached,
                     "running": still, "on_time_rate": _rate(met, met + breached),
                     "median_hours": _hours(p50), "p90_hours": _hours(p90),
                     "paused": _rate(paused_n, total), "extended": _rate(extended_n, total)})
    return Figure(Table("quick_protection", _l("Quick protection per deadline rule"), [
        Column("label", _l("Deadline rule")), Column("count", _l("Deadlines"), "int"),
        Column("on_time", _l("Met in time"), "int"), Column("late", _l("Late"), "int"),
        Column("running", _l("Running in time"), "int"), Column("on_time_rate", _l("On-time rate"), "percent"),
        Column("median_hours", _l("Median hours to meet"), "decimal"),
        Column("p90_hours", _l("90th percentile hours"), "decimal"),
        Column("paused", _l("Paused share"), "percent"), Column("extended", _l("Extended share"), "percent")],
        rows), "bar", series=["on_time_rate"])


def _times_to_meet(f: Filters, *, ranked: bool | None = None) -> dict:
    """Per rule, the median and 90th percentile (nearest rank: the smallest value whose rank ≥ p·n) of the
    seconds from start to the deadline being met. PostgreSQL's percentile_disc is that definition (the row at
    ceil(p·n) of the sorted values) in one sort per rule; elsewhere, or with *ranked*, row numbers over a
    window (the direct form, which the tests compare with it)."""
    met = (Deadline.state == DeadlineState.met, Deadline.closed_at.is_not(None))
    secs = _seconds(Deadline.closed_at, Deadline.started_at)
    if ranked is None:
        ranked = _dialect() != "postgresql"
    if not ranked:
        return {code: (p50, p90) for code, p50, p90 in db.session.execute(
            select(Deadline.rule_code, func.percentile_disc(0.5).within_group(secs),
                   func.percentile_disc(0.9).within_group(secs))
            .where(*_deadlines(f), *met).group_by(Deadline.rule_code))}
    secs = secs.label("secs")
    ranks = (select(Deadline.rule_code.label("code"), secs,
                    func.row_number().over(partition_by=Deadline.rule_code, order_by=secs).label("rank"),
                    func.count().over(partition_by=Deadline.rule_code).label("n"))
             .where(*_deadlines(f), *met).subquery())
    return {code: (p50, p90) for code, p50, p90 in db.session.execute(
        select(ranks.c.code, func.min(case((ranks.c.rank >= ranks.c.n * 0.5, ranks.c.secs))),
               func.min(case((ranks.c.rank >= ranks.c.n * 0.9, ranks.c.secs)))).group_by(ranks.c.code))}


def _hours(seconds):
    if seconds is None:
        return None
    return (decimal.Decimal(str(float(seconds))) / 3600).quantize(decimal.Decimal("0.1"))


def now_figures(f: Filters) -> Figure:
    """Open complaints, open referrals and running and overdue deadlines at this instant (the period aside)."""
    now = utcnow()
    open_complaints = db.session.scalar(select(func.count()).where(
        *_complaint_conditions(f, period=False), Complaint.state.in_(OPEN_STATES)))
    open_referrals = db.session.scalar(select(func.count()).where(
        *_referrals(f, period=False), Referral.state.in_(OPEN_REFERRAL_STATES)))
    running = and_(Deadline.closed_at.is_(None), Deadline.state.in_((DeadlineState.open, DeadlineState.breached)))
    deadlines = db.session.execute(select(
        func.count(), func.sum(case((Deadline.due_at < now, 1), else_=0))).where(
        *_deadlines(f, period=False), running)).one()
    rows = [{"code": "open_complaints", "label": _l("Open complaints"), "count": open_complaints},
            {"code": "open_referrals", "label": _l("Open referrals"), "count": open_referrals},
            {"code": "running_deadlines", "label": _l("Running deadlines"), "count": deadlines[0]},
            {"code": "overdue_deadlines", "label": _l("Overdue deadlines"), "count": int(deadlines[1] or 0)}]
    return Figure(Table("now", _l("Open and overdue now"), [
        Column("label", _l("Item")), Column("count", _l("Number"), "int")], rows), "bar")


def overdue_by_organisation(f: Filters) -> Figure:
    now = utcnow()
    running = and_(Deadline.closed_at.is_(None), Deadline.state.in_((DeadlineState.open, DeadlineState.breached)))
    overdue = func.sum(case((Deadline.due_at < now, 1), else_=0))
    query = (select(Organisation.name, func.count(), overdue)
             .select_from(Deadline).join(Organisation, Organisation.id == Deadline.responsible_org_id)
             .where(*_deadlines(f, period=False), running)
             .group_by(Organisation.id, Organisation.name).order_by(overdue.desc(), Organisation.name))
    rows = [{"label": name, "count": n, "overdue": int(late or 0)} for name, n, late in db.session.execute(query)]
    return Figure(Table("overdue_by_organisation", _l("Running and overdue deadlines by organisation"), [
        Column("label", _l("Organisation")), Column("count", _l("Running deadlines"), "int"),
        Column("overdue", _l("Overdue"), "int")], rows), "bar", series=["count", "overdue"])


TABLE_KEYS = {"now": now_figures, "by_state": by_state, "funnel": funnel, "intake_weekly": intake_weekly,
              "trends_monthly": trends_monthly, "quick_protection": quick_protection, "by_track": by_track,
              "by_centre": by_centre, "by_agency": by_agency, "by_enterprise_district": by_enterprise_district,
              "by_infringer_district": by_infringer_district, "by_act": by_act,
              "outcomes_summary": outcomes_summary, "outcomes_by_result": outcomes_by_result,
              "overdue_by_organisation": overdue_by_organisation}


def _no_jit():
    """PostgreSQL would compile these aggregates (their estimated cost is above jit_above_cost) for longer than
    they run: not in this transaction."""
    if _dialect() == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))
        # the percentiles' sorts and the distinct counts' hashes fit in memory instead of spilling to disk
        db.session.execute(text("SET LOCAL work_mem = '32MB'"))


def figures(f: Filters) -> list[Figure]:
    """Every figure of the dashboard for these filters, in the page's order."""
    _no_jit()
    return [compute(f) for compute in TABLE_KEYS.values()]


def table_by_key(f: Filters, viewer, key: str) -> Table | None:
    """One table of the page (the dashboard's or a registered section's) for its export; None if none has it."""
    if key in TABLE_KEYS:
        _no_jit()
        return TABLE_KEYS[key](f).table
    for _section, tables in extra_sections(f, viewer):
        for table in tables:
            if table.key == key:
                return table
    return None

