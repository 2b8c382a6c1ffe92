"""Amounts of money (人民币): one way of reading what a person types and one way of showing it.

Read: "680000", "680,000", "680，000.50", "¥680,000", "68万", "6.8万元", full-width digits; at most two
decimals. Shown: ¥680,000.00 in every page, letter and receipt (the API keeps plain decimal strings)."""
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

AMOUNT_EXAMPLE = "680,000 / 68万"
AMOUNT_HINT = _l("An amount in yuan, e.g. 680,000 or 68万, with at most two decimals.")

_UNITS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
_NUMBER = re.compile(r"^(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<unit>[万亿])?$")


class AmountError(ValueError):
    """The text is not an amount this module reads; str() is the message to show under the field."""


def parse_amount(text) -> Decimal | None:
    """The Decimal a person meant, or None for an empty field; AmountError (with the expected form) otherwise."""
    if text is None:
        return None
    if isinstance(text, Decimal):
        value = text
    else:
        cleaned = unicodedata.normalize("NFKC", str(text)).strip()
        cleaned = cleaned.replace(" ", "").replace("，", ",").lstrip("¥￥").removesuffix("元").removeprefix("RMB")
        if not cleaned:
            return None
        match = _NUMBER.match(cleaned)
        if not match:
            raise AmountError(str(AMOUNT_HINT))
        try:
            value = Decimal(match["number"].replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only digits
            raise AmountError(str(AMOUNT_HINT)) from None
        if match["unit"]:
            value *= _UNITS[match["unit"]]
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise AmountError(str(AMOUNT_HINT))
    return value.quantize(Decimal("0.01"))


def format_money(value) -> str:
    """¥680,000.00; an empty value is an em dash."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"
