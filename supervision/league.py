"""Monthly league tables (排行榜) per centre and per agency, as the 12345 hotlines publish them: on-time rate,
reply rate and satisfaction rate of each organisation for a month, ranked, with those below a floor marked
in words (not by colour alone). The floors are configuration (LEAGUE_FLOORS, default on-time 92%,
satisfaction 85%). The figures are supervision/indicators.py's selects aggregated in SQL.
"""
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l

from core.models import utcnow
from core.timeutil import to_shanghai

from .indicators import GROUP_LABELS, METHOD_LABELS, Group, Method, Period, fraction, organisations, rates
from .tables import Column, Table

LEAGUE_METHODS = (Method.on_time_rate, Method.reply_rate, Method.satisfaction_rate)
DEFAULT_FLOORS = {Method.on_time_rate: Decimal("0.92"), Method.satisfaction_rate: Decimal("0.85")}
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


def month_period(text: str) -> Period | None:
    """"2026-11" → that month (Shanghai days); None if it is not a month from 2000 to 2100."""
    match = MONTH_RE.match(text or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    start = dt.date(year, month, 1)
    return Period(start, dt.date(year + month // 12, month % 12 + 1, 1))


def quarter_period(text: str) -> Period | None:
    """"2026-Q4" → October to December 2026; None if it is not such a quarter."""
    match = QUARTER_RE.match(text or "")
    if not match or not 2000 <= int(match[1]) <= 2100:
        return None
    year, quarter = int(match[1]), int(match[2])
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return Period(start, end)


def month_key(period: Period) -> str:
    return f"{period.start.year:04d}-{period.start.month:02d}"


def last_month(now: dt.datetime | None = None) -> str:
    """The month before this one in Shanghai: the one a league table or bulletin is usually about."""
    today = to_shanghai(now or utcnow()).date()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def parse_floors(raw) -> dict:
    """{Method: Decimal fraction} of a LEAGUE_FLOORS value ("on_time_rate=0.92,satisfaction_rate=0.85" or a dict);
    a value that cannot be read is a RuntimeError (checked when the app starts: assessment_views)."""
    if isinstance(raw, str):
        pairs = [item.split("=", 1) for item in raw.split(",") if item.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise RuntimeError(f"LEAGUE_FLOORS: cannot read {raw!r} (indicator=fraction, comma-separated)")
        raw = {key.strip(): value.strip() for key, value in pairs}
    result = {}
    for key, value in dict(raw).items():
        try:
            method = key if isinstance(key, Method) else Method(key)
            floor = Decimal(str(value))
        except (ValueError, InvalidOperation):
            raise RuntimeError(f"LEAGUE_FLOORS: cannot read {key}={value}") from None
        if method not in LEAGUE_METHODS or not Decimal(0) <= floor <= Decimal(1):
            raise RuntimeError(f"LEAGUE_FLOORS: {key} is not a league indicator with a fraction 0..1")
        result[method] = floor
    return result


def floors() -> dict:
    """The configured floors (LEAGUE_FLOORS)."""
    return parse_floors(current_app.config.get("LEAGUE_FLOORS", DEFAULT_FLOORS))


def percent_text(value: Decimal) -> str:
    text = format((value * 100).quantize(Decimal("0.1")).normalize(), "f")
    return f"{text}%"


def league_table(group: Group, period: Period, *, now: dt.datetime | None = None) -> Table:
    """The league table of ``group`` for ``period``: one row per organisation of the group (counted or not),
    ranked by on-time rate, then reply rate, then satisfaction rate (an organisation with nothing counted last)."""
    now = now or utcnow()
    counted = {method: rates(method, group, period, now) for method in LEAGUE_METHODS}
    limits = floors()
    rows = []
    for org in organisations(group):
        row = {"organisation": org.name, "organisation_id": str(org.id)}
        below = []
        for method in LEAGUE_METHODS:
            hits, total = counted[method].get(org.id, (0, 0))
            value = fraction(hits, total)
            row[f"{method.value}_counted"] = total
            row[f"{method.value}_hits"] = hits
            row[method.value] = value
            floor = limits.get(method)
            if floor is not None and value is not None and value < floor:
                below.append(_("below the %(indicator)s floor of %(floor)s",
                               indicator=METHOD_LABELS[method], floor=percent_text(floor)))
        row["below_floor"] = bool(below)
        row["marks"] = _("; ").join(below) if below else ""
        rows.append(row)

    def order(row):
        return tuple((row[m.value] is None, -(row[m.value] or 0)) for m in LEAGUE_METHODS) + (row["organisation"],)
    rows.sort(key=order)
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    columns = [Column("rank", _l("Rank"), "int"), Column("organisation", _l("Organisation"))]
    for method in LEAGUE_METHODS:
        columns += [Column(f"{method.value}_counted", COUNTED_LABELS[method], "int"),
                    Column(method.value, METHOD_LABELS[method], "percent")]
    columns.append(Column("marks", _l("Below a floor")))
    title = _("League table of %(group)s, %(month)s", group=GROUP_LABELS[group], month=month_key(period))
    return Table(f"league_{group.value}_{period.start:%Y_%m}", title, columns, rows)


COUNTED_LABELS = {
    Method.on_time_rate: _l("Deadlines counted"),
    Method.reply_rate: _l("Items to reply to"),
    Method.satisfaction_rate: _l("Ratings"),
}
