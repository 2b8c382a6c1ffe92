"""The official calendar (days off and make-up working days per year) and the arithmetic of due times.

A year is *official* when it has a ``CalendarYear`` row: its rest days are the weekends and the listed
days off, except the listed make-up working days (调休, a Saturday or Sunday declared a working day).
A year without a row is judged *provisionally*: weekends plus the statutory holidays the law itself
fixes (computed by the ``holidays`` package), no make-up days; a due time that consulted such a day is
marked provisional and is recomputed when the year's calendar is loaded.

Counting (DOMAIN.md): the start day is not counted; ``working_days`` ends on the amount-th working day
after the start day; ``days`` ends on the start date + amount, moved past rest days to the next working
day; ``hours`` are exact. A day-based due time is the end of its day in Asia/Shanghai, stored in UTC.

Every change of the calendar bumps the single ``CalendarVersion`` row; each deadline records the version
it used. The arithmetic reads a snapshot of the calendar, cached per version (one query per transaction
to check the version), so a sweep over many deadlines does not query per day.
"""
import datetime as dt
import enum
import functools
import re
import unicodedata
import uuid
from dataclasses import dataclass, field

import holidays
from babel.dates import format_date
from flask import current_app
from flask_babel import get_locale, gettext as _
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, Uuid, delete, event, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.audit import audit
from core.errors import ValidationFailed
from core.extensions import db
from core.models import UTCDateTime, enum_column, utcnow
from core.schemas import forbidden_character
from core.timeutil import SHANGHAI

UNITS = ("working_days", "days", "hours")
MAX_AMOUNT = 3650  # ten years of days: anything longer is a typing error, not a legal period
MIN_YEAR = 2000
YEARS_AHEAD = 3  # the State Council publishes next year's calendar; a file for a later year is a mistake
START_YEARS_AHEAD = 10  # the calculator's latest start: this many years after the current one
END_OF_DAY = dt.time(23, 59, 59)

# The holidays the law itself fixes (全国年节及纪念日放假办法), as the ``holidays`` package names them (zh_CN).
STATUTORY_NAMES = frozenset({"元旦", "农历除夕", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"})
SUBSTITUTE_RE = re.compile(r"由\s*(\d{4}-\d{2}-\d{2})\s*调休")


# --- models -----------------------------------------------------------------------------------------

class YearStatus(enum.Enum):
    official = "official"


class DayKind(enum.Enum):
    day_off = "day_off"
    workday = "workday"  # a make-up working day on a Saturday or Sunday


class CalendarYear(db.Model):
    """A year whose official calendar is loaded (from the holidays package, a file, or edited by hand)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[YearStatus] = mapped_column(enum_column(YearStatus, "calendar_year_status"),
                                               default=YearStatus.official)
    source: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # no foreign key: the calendar is reference data, kept when users are deleted (or truncated in tests)
    loaded_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    __table_args__ = (CheckConstraint("year >= 1950 AND year <= 2200", name="year_sane"),)


class CalendarDay(db.Model):
    """A listed day of an official year: a day off, or a make-up working day on a weekend."""

    __tablename__ = "calendar_days"

    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_years.year", ondelete="CASCADE"), index=True)
    kind: Mapped[DayKind] = mapped_column(enum_column(DayKind, "calendar_day_kind"))
    name: Mapped[str | None] = mapped_column(String(100))


class CalendarVersion(db.Model):
    """One row, bumped at every change of the calendar.

    ``token`` is new at every bump: a snapshot cached for a bump that was rolled back can never be
    mistaken for the committed calendar of the same version number.
    """

    __tablename__ = "calendar_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)


# --- the snapshot -----------------------------------------------------------------------------------

@functools.lru_cache(maxsize=256)
def statutory_days(year: int) -> dict[dt.date, str]:
    """The statutory holidays of a year as the law fixes them (no make-up days, no substitutes)."""
    days = {}
    for day, names in holidays.China(years=year, observed=False, language="zh_CN").items():
        wanted = [part.strip() for part in names.split(";") if part.strip().split("（")[0] in STATUTORY_NAMES]
        if wanted and day.year == year:
            days[day] = "、".join(part.split("（")[0] for part in wanted)
    return days


@dataclass(frozen=True)
class Snapshot:
    """The calendar as it was at one version: pure lookups, no queries."""

    version: int
    token: str
    official_years: frozenset
    days: dict = field(default_factory=dict)  # date -> (DayKind, name)

    @property
    def earliest_year(self) -> int | None:
        return min(self.official_years) if self.official_years else None

    def rest_day(self, day: dt.date) -> tuple[bool, bool]:
        """(is a rest day, judged provisionally)."""
        if day.year in self.official_years:
            entry = self.days.get(day)
            if entry is not None:
                return entry[0] is DayKind.day_off, False
            return day.weekday() >= 5, False
        return day.weekday() >= 5 or day in statutory_days(day.year), True

    def day_name(self, day: dt.date) -> str | None:
        if day.year in self.official_years:
            entry = self.days.get(day)
            return entry[1] if entry else None
        return statutory_days(day.year).get(day)


SESSION_KEY = "deadlines.calendar.snapshot"
APP_KEY = "deadlines.calendar"


@event.listens_for(Session, "after_transaction_end")
def _forget_snapshot(session, transaction):
    """The next transaction checks the version again (another process may have changed the calendar).

    Only the outermost transaction counts: every flush runs in a subtransaction of its own.
    """
    if transaction.parent is None:
        session.info.pop(SESSION_KEY, None)


def snapshot() -> Snapshot:
    """The current calendar: one version query per transaction; the days are loaded once per version."""
    session = db.session()
    cached = session.info.get(SESSION_KEY)
    if cached is not None:
        return cached
    row = session.execute(select(CalendarVersion.version, CalendarVersion.token)
                          .where(CalendarVersion.id == 1)).first()
    version, token = (row.version, row.token) if row else (0, "")
    store = current_app.extensions.setdefault(APP_KEY, {})
    snap = store.get("snapshot")
    if snap is None or (snap.version, snap.token) != (version, token):
        years = frozenset(session.scalars(select(CalendarYear.year)))
        days = {d.date: (d.kind, d.name) for d in session.scalars(select(CalendarDay))}
        snap = Snapshot(version=version, token=token, official_years=years, days=days)
        store["snapshot"] = snap
    session.info[SESSION_KEY] = snap
    return snap


def bump_version() -> int:
    """Record a change of the calendar (call after the change, in its transaction)."""
    row = db.session.get(CalendarVersion, 1, with_for_update=True, populate_existing=True)
    if row is None:
        row = CalendarVersion(id=1, version=0)
        db.session.add(row)
    row.version += 1
    row.token = uuid.uuid4().hex
    row.changed_at = utcnow()
    db.session.flush()
    db.session.info.pop(SESSION_KEY, None)
    return row.version


def current_version() -> int:
    return snapshot().version


def earliest_year() -> int | None:
    """The first official year (the calculator refuses earlier starts); None before any is loaded."""
    return snapshot().earliest_year


def official_years() -> list[int]:
    return sorted(snapshot().official_years)


# --- arithmetic -------------------------------------------------------------------------------------

@dataclass
class Due:
    due_at: dt.datetime  # aware, UTC
    provisional: bool  # a day of a year with no official calendar was consulted
    skipped: list  # the rest days skipped (dates)
    calendar_version: int


def to_local_date(moment: dt.datetime) -> dt.date:
    """The date in Asia/Shanghai of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    return moment.astimezone(SHANGHAI).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """23:59:59 in Asia/Shanghai of that day, in UTC."""
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI).astimezone(dt.UTC)


def is_rest_day(day: dt.date) -> tuple[bool, bool]:
    """(is a rest day, judged provisionally because its year has no official calendar)."""
    return snapshot().rest_day(day)


def compute_due(start: dt.datetime, amount: int, unit: str, *, snap: Snapshot | None = None) -> Due:
    """The due time of a period of ``amount`` ``unit`` (working_days | days | hours) from ``start``."""
    if start.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise ValueError(f"amount must be a whole number >= 0, not {amount!r}")
    snap = snap or snapshot()
    if unit == "hours":
        return Due(due_at=(start + dt.timedelta(hours=amount)).astimezone(dt.UTC), provisional=False, skipped=[],
                   calendar_version=snap.version)
    day = to_local_date(start)
    skipped, provisional = [], False
    if unit == "working_days":
        counted = 0
        while counted < amount:
            day += dt.timedelta(days=1)
            rest, guessed = snap.rest_day(day)
            provisional = provisional or guessed
            if rest:
                skipped.append(day)
            else:
                counted += 1
    else:  # calendar days: only the last day is judged, and moved past rest days
        day += dt.timedelta(days=amount)
        while True:
            rest, guessed = snap.rest_day(day)
            provisional = provisional or guessed
            if not rest:
                break
            skipped.append(day)
            day += dt.timedelta(days=1)
    return Due(due_at=end_of_day(day), provisional=provisional, skipped=skipped, calendar_version=snap.version)


def working_days_between(start: dt.datetime, end: dt.datetime, *, snap: Snapshot | None = None) -> int:
    """Working days strictly after start's (Shanghai) date, up to and including end's date; 0 if none."""
    snap = snap or snapshot()
    day, last = to_local_date(start), to_local_date(end)
    count = 0
    while day < last:
        day += dt.timedelta(days=1)
        if not snap.rest_day(day)[0]:
            count += 1
    return count


def working_days_before(moment: dt.datetime, amount: int, *, snap: Snapshot | None = None) -> dt.datetime:
    """The same Shanghai time of day on the amount-th working day before ``moment``'s date.

    E.g. a reminder "one working day before" a due time of Monday 23:59:59 falls on the Friday before
    at 23:59:59 (or on the make-up Saturday, if there is one).
    """
    snap = snap or snapshot()
    local = moment.astimezone(SHANGHAI)
    day, counted = local.date(), 0
    while counted < amount:
        day -= dt.timedelta(days=1)
        if not snap.rest_day(day)[0]:
            counted += 1
    return dt.datetime.combine(day, local.timetz()).astimezone(dt.UTC)


def calculate(start: dt.datetime, amount: int, unit: str) -> Due:
    """The calculator: compute_due with the checks a person's request needs (translated field errors)."""
    errors = {}
    if unit not in UNITS:
        errors["unit"] = [_("Not a valid choice.")]
    if not isinstance(amount, int) or amount < 0 or amount > MAX_AMOUNT:
        errors["amount"] = [_("Enter a whole number from 0 to %(max)d.", max=MAX_AMOUNT)]
    first = earliest_year()
    year = to_local_date(start).year
    if first is None:
        errors["start"] = [_("No official calendar is loaded yet: an administrator must load one first.")]
    elif year < first:
        errors["start"] = [_("The official calendar starts in %(year)d: enter a start in or after that year.",
                             year=first)]
    elif year > utcnow().astimezone(SHANGHAI).year + START_YEARS_AHEAD:
        errors["start"] = [_("Enter a start no later than %(year)d.",
                             year=utcnow().astimezone(SHANGHAI).year + START_YEARS_AHEAD)]
    if errors:
        raise ValidationFailed(errors)
    return compute_due(start, amount, unit)


# --- loading a year ---------------------------------------------------------------------------------

@dataclass
class YearSpec:
    """A year's official calendar, checked, ready to save."""

    year: int
    source: str
    days_off: dict  # date -> name or None
    workdays: dict  # date -> name or None


@dataclass
class LoadResult:
    year: int
    replaced: bool
    days_before: int
    days_now: int
    version: int
    recomputed: int | None  # provisional deadlines recomputed (None: deadlines.services has no such hook yet)


class CalendarFileError(ValueError):
    """A calendar file that cannot be loaded; ``problems`` lists every reason, one per line."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


def _parse_date(value, where, problems):
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        problems.append(_("%(where)s: %(value)s is not a date written YYYY-MM-DD", where=where, value=repr(value)))
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(_("%(where)s: %(value)s is not a real date", where=where, value=repr(value)))
        return None


def _parse_name(entry, where, problems):
    name = entry.get("name")
    if name is None:
        return None
    if not isinstance(name, str) or len(name.strip()) > 100:
        problems.append(_("%(where)s.name: a text of at most 100 characters", where=where))
        return None
    return name.strip() or None


def _parse_entries(entries, key, year, problems, allow_ranges) -> dict:
    days = {}
    if not isinstance(entries, list):
        problems.append(_("%(key)s: a list of entries", key=key))
        return days
    for i, entry in enumerate(entries):
        where = f"{key}[{i}]"
        if not isinstance(entry, dict):
            problems.append(_('%(where)s: an object with "date" (or "from" and "to") and "name"', where=where))
            continue
        allowed = {"date", "from", "to", "name"} if allow_ranges else {"date", "name"}
        unknown = sorted(set(entry) - allowed)
        if unknown:
            problems.append(_("%(where)s: unknown field(s) %(fields)s", where=where, fields=", ".join(unknown)))
        name = _parse_name(entry, where, problems)
        if "date" in entry and ("from" in entry or "to" in entry):
            problems.append(_('%(where)s: give either "date" or "from" and "to", not both', where=where))
            continue
        if "date" in entry:
            first = last = _parse_date(entry["date"], f"{where}.date", problems)
        elif allow_ranges and "from" in entry and "to" in entry:
            first = _parse_date(entry["from"], f"{where}.from", problems)
            last = _parse_date(entry["to"], f"{where}.to", problems)
            if first and last and first > last:
                problems.append(_('%(where)s: "from" %(first)s is after "to" %(last)s', where=where, first=first, last=last))
                continue
        else:
            problems.append(_('%(where)s: missing "date" (or "from" and "to")', where=where) if allow_ranges
                            else _('%(where)s: missing "date"', where=where))
            continue
        if first is None or last is None:
            continue
        day = first
        while day <= last:
            if day.year != year:
                problems.append(_("%(where)s: %(day)s is outside the year %(year)d", where=where, day=day, year=year))
                break
            if day in days:
                problems.append(_("%(where)s: %(day)s is listed twice in %(key)s", where=where, day=day, key=key))
            days[day] = name
            day += dt.timedelta(days=1)
    return days


def parse_year_file(data) -> YearSpec:
    """Check a calendar file's content (the parsed JSON); raises CalendarFileError listing every problem."""
    problems = []
    if not isinstance(data, dict):
        raise CalendarFileError([_("the file must hold one JSON object with year, source, days_off and workdays")])
    unknown = sorted(set(data) - {"year", "source", "days_off", "workdays"})
    if unknown:
        problems.append(_("unknown field(s): %(fields)s", fields=", ".join(unknown)))
    year = data.get("year")
    latest = utcnow().astimezone(SHANGHAI).year + YEARS_AHEAD
    if not isinstance(year, int) or isinstance(year, bool):
        raise CalendarFileError([*problems, _("year: a whole number such as 2027")])
    if year < MIN_YEAR or year > latest:
        raise CalendarFileError([*problems, _("year: %(year)d is not between %(first)d and %(last)d", year=year, first=MIN_YEAR,
                                                  last=latest)])
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.append(_("source: the notice the calendar comes from (e.g. 国务院办公厅关于…的通知)"))
    elif len(source) > 1000:
        problems.append(_("source: at most 1000 characters"))
    if "days_off" not in data:
        problems.append(_("days_off: missing"))
    days_off = _parse_entries(data.get("days_off", []), "days_off", year, problems, allow_ranges=True)
    workdays = _parse_entries(data.get("workdays", []), "workdays", year, problems, allow_ranges=False)
    if "days_off" in data and not days_off and not problems:
        problems.append(_("days_off: a year has at least one day off"))
    for day in sorted(set(days_off) & set(workdays)):
        problems.append(_("%(day)s is both a day off and a make-up working day", day=day))
    for day in sorted(workdays):
        if day.weekday() < 5:
            problems.append(_("workdays: %(day)s is a %(weekday)s; a make-up working day is a Saturday or Sunday",
                              day=day, weekday=format_date(day, "EEEE", locale=get_locale() or "en")))
    if problems:
        raise CalendarFileError(problems)
    return YearSpec(year=year, source=source.strip(), days_off=days_off, workdays=workdays)


def _recompute_provisional(year: int) -> int:
    """Running deadlines that count the year's days, provisional ones included, are computed again."""
    from deadlines import services  # services import this module

    return services.recompute_provisional(year)


def load_year(spec: YearSpec, *, actor=None) -> LoadResult:
    """Save a year's official calendar (replacing the one loaded before), bump the version, and recompute the
    provisional deadlines that reach into it. Flushes; the caller commits."""
    existing = db.session.get(CalendarYear, spec.year)
    replaced, days_before = existing is not None, 0
    if existing is None:
        existing = CalendarYear(year=spec.year)
        db.session.add(existing)
    else:
        days_before = db.session.scalar(select(func.count()).select_from(CalendarDay)
                                        .where(CalendarDay.year == spec.year))
        db.session.execute(delete(CalendarDay).where(CalendarDay.year == spec.year))
    existing.status = YearStatus.official
    existing.source = spec.source
    existing.loaded_at = utcnow()
    existing.loaded_by_id = getattr(actor, "id", None)
    db.session.flush()
    for kind, days in ((DayKind.day_off, spec.days_off), (DayKind.workday, spec.workdays)):
        db.session.add_all(CalendarDay(date=day, year=spec.year, kind=kind, name=name) for day, name in days.items())
    version = bump_version()
    audit("calendar.year_loaded", actor=actor, subject_type="calendar_year", subject_id=spec.year,
          source=spec.source, replaced=replaced,
          days=len(spec.days_off) + len(spec.workdays), version=version)
    recomputed = _recompute_provisional(spec.year)
    return LoadResult(year=spec.year, replaced=replaced, days_before=days_before,
                      days_now=len(spec.days_off) + len(spec.workdays), version=version, recomputed=recomputed)


# --- seeding from the holidays package --------------------------------------------------------------

SEED_FROM_YEAR = 2025  # the platform's first year; earlier calendars are never consulted by its deadlines


def package_official_years() -> list[int]:
    """Years for which ``holidays`` carries the State Council's notice.

    For a year without a notice the package silently guesses, without make-up working days; the years
    with make-up days in ``weekend_workdays`` are the ones it has from a notice.
    """
    return list(_package_official_years(utcnow().astimezone(SHANGHAI).year))


@functools.lru_cache(maxsize=4)
def _package_official_years(this_year: int) -> tuple[int, ...]:
    candidates = range(2001, this_year + 2)
    known = holidays.China(years=list(candidates)).weekend_workdays
    return tuple(sorted({d.year for d in known} & set(candidates)))


def year_from_package(year: int) -> YearSpec:
    """A year's official calendar from ``holidays``: its listed days off, each block completed with the
    weekend days inside or next to it (as the notices state them), and its make-up working days."""
    calendar = holidays.China(years=[year, year + 1], language="zh_CN")
    workdays = {d for d in calendar.weekend_workdays if d.year == year}
    listed = {d: name for d, name in calendar.items() if d.year == year}
    off = set(listed)
    grown = True
    while grown:  # a weekend next to a holiday is part of the announced break (unless it is a make-up day)
        grown = False
        for day in sorted(off):
            for neighbour in (day - dt.timedelta(days=1), day + dt.timedelta(days=1)):
                if (neighbour.year == year and neighbour.weekday() >= 5 and neighbour not in workdays
                        and neighbour not in off):
                    off.add(neighbour)
                    grown = True
    days_off, workday_names = {}, {}
    block = []
    for day in sorted(off) + [None]:
        if block and (day is None or day - block[-1] != dt.timedelta(days=1)):
            names = []
            for d in block:
                for part in (listed.get(d) or "").split(";"):
                    base = part.strip().split("（")[0]
                    base = {"农历除夕": "春节"}.get(base, base)  # the eve is a day of the Spring Festival break
                    if base and not SUBSTITUTE_RE.search(part) and base != "休息日" and base not in names:
                        names.append(base)
            block_name = "、".join(names) or "休息日"
            for d in block:
                days_off[d] = block_name
                match = SUBSTITUTE_RE.search(listed.get(d) or "")
                if match:
                    workday_names[dt.date.fromisoformat(match.group(1))] = f"{block_name}调休"
            block = []
        if day is not None:
            block.append(day)
    source = f"holidays {holidays.__version__} (国务院办公厅关于{year}年部分节假日安排的通知)"
    return YearSpec(year=year, source=source, days_off=days_off,
                    workdays={d: workday_names.get(d, "调休上班") for d in sorted(workdays)})


def seed(from_year: int = SEED_FROM_YEAR, *, actor=None) -> tuple[list[int], list[int]]:
    """Load each official year the package knows (from ``from_year``) that is not official here yet.

    Idempotent: a year already official (seeded, loaded from a file or edited) is kept as it is.
    Returns (loaded years, kept years).
    """
    loaded, kept = [], []
    present = set(db.session.scalars(select(CalendarYear.year)))
    for year in package_official_years():
        if year < from_year:
            continue
        if year in present:
            kept.append(year)
            continue
        load_year(year_from_package(year), actor=actor)
        loaded.append(year)
    return loaded, kept


# --- an administrator's edits -----------------------------------------------------------------------

def set_day(actor, day: dt.date, kind: str, name: str | None) -> CalendarDay:
    """Add (or change) a listed day of an official year, and bump the version."""
    errors = {}
    try:
        kind = DayKind(kind)
    except ValueError:
        errors["kind"] = [_("Not a valid choice.")]
        kind = None
    if db.session.get(CalendarYear, day.year) is None:
        errors["date"] = [_("%(year)d has no official calendar: load the year's notice first.", year=day.year)]
    elif kind is DayKind.workday and day.weekday() < 5:
        errors["kind"] = [_("A make-up working day is a Saturday or a Sunday.")]
    name = unicodedata.normalize("NFC", name or "").strip() or None
    if name and len(name) > 100:
        errors["name"] = [_("Enter at most %(max)d characters.", max=100)]
    elif name and forbidden_character(name) is not None:  # a holiday's label: one clean line, as core.schemas.Name
        errors["name"] = [_("Remove the control characters, invisible formatting or text-direction marks from "
                            "this field.")]
    if errors:
        raise ValidationFailed(errors)
    row = db.session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(date=day, year=day.year)
        db.session.add(row)
    row.kind, row.name = kind, name
    version = bump_version()
    audit("calendar.day_set", actor=actor, subject_type="calendar_day", subject_id=day.isoformat(),
          kind=kind.value, name=name, version=version)
    _recompute_spanning(day)
    return row


def remove_day(actor, day: dt.date) -> bool:
    """Remove a listed day (it becomes an ordinary weekday or weekend day); False if it was not listed."""
    row = db.session.get(CalendarDay, day)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    version = bump_version()
    audit("calendar.day_removed", actor=actor, subject_type="calendar_day", subject_id=day.isoformat(),
          version=version)
    _recompute_spanning(day)
    return True


def _recompute_spanning(day: dt.date) -> None:
    """Running deadlines that count this day move with it (deadlines.services, imported when needed)."""
    from deadlines import services

    services.recompute_spanning(day, day)


def year_days(year: int) -> list[CalendarDay]:
    return db.session.scalars(select(CalendarDay).where(CalendarDay.year == year).order_by(CalendarDay.date)).all()


def years() -> list[CalendarYear]:
    return db.session.scalars(select(CalendarYear).order_by(CalendarYear.year)).all()
