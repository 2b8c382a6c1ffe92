"""Times are stored in UTC and shown in Asia/Shanghai."""
import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def to_shanghai(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(SHANGHAI)


def format_local(value: dt.datetime | None) -> str:
    local = to_shanghai(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def shanghai_year(value: dt.datetime) -> int:
    return to_shanghai(value).year


def iso_utc(value: dt.datetime) -> str:
    """An instant as RFC 3339 in UTC to the microsecond ("2026-12-04T10:00:00.123456Z"): one spelling per instant."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
