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
