"""Amounts as people type them, and one way of showing them."""
from decimal import Decimal

import pytest

from core.money import AmountError, format_money, parse_amount


@pytest.mark.parametrize("text, expected", [
    ("680000", "680000.00"), ("680,000", "680000.00"), ("680，000.5", "680000.50"), ("¥680,000", "680000.00"),
    ("￥680,000.00元", "680000.00"), ("68万", "680000.00"), ("6.8万元", "68000.00"), ("１２３", "123.00"),
    (" 68 万 ", "680000.00"), ("1.5亿", "150000000.00"), ("0", "0.00"),
])
def test_amounts_are_read_as_people_type_them(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "   ", None])
def test_an_empty_amount_is_none(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize("text", ["abc", "68,0000", "1.234", "6.8.1", "-5", "68万万", "1e5", "12,34"])
def test_anything_else_says_what_is_expected(text):
    with pytest.raises(AmountError) as info:
        parse_amount(text)
    assert "680,000" in str(info.value)


def test_amounts_are_shown_one_way():
    assert format_money(Decimal("680000")) == "¥680,000.00"
    assert format_money(Decimal("1234567.5")) == "¥1,234,567.50"
    assert format_money(None) == "—"
