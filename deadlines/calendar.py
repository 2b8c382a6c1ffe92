"""INTERIM stand-in (weekends only, every result provisional) until the calendar module lands."""
import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Due:
    due_at: dt.datetime
    provisional: bool
    skipped: list = field(default_factory=list)
    calendar_version: int = 0


def to_local_date(value):
    return value.astimezone(SHANGHAI).date()


def current_version():
    return 0


def is_rest_day(d):
    return d.weekday() >= 5, True


def _end_of_day(d):
    return dt.datetime.combine(d, dt.time(23, 59, 59), SHANGHAI).astimezone(dt.UTC)


def compute_due(start, amount, unit):
    if unit == "hours":
        return Due(start + dt.timedelta(hours=amount), False)
    d = to_local_date(start)
    if unit == "days":
        d += dt.timedelta(days=amount)
        while is_rest_day(d)[0]:
            d += dt.timedelta(days=1)
        return Due(_end_of_day(d), True)
    n = 0
    while n < amount:
        d += dt.timedelta(days=1)
        if not is_rest_day(d)[0]:
            n += 1
    return Due(_end_of_day(d), True)


def working_days_between(start, end):
    d, n = to_local_date(start), 0
    while d < to_local_date(end):
        d += dt.timedelta(days=1)
        n += 0 if is_rest_day(d)[0] else 1
    return n


def working_days_before(due_at, n):
    d = to_local_date(due_at)
    while n > 0:
        d -= dt.timedelta(days=1)
        if not is_rest_day(d)[0]:
            n -= 1
    return _end_of_day(d)
