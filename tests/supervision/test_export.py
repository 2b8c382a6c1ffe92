"""supervision/export.py: any Table as CSV (UTF-8 with a BOM) and XLSX (openpyxl) — headers in the reader's
language, numbers as numbers, dates as dates, times in Shanghai."""
import csv
import datetime as dt
import decimal
import io

import openpyxl
from flask_babel import lazy_gettext as _l

from supervision.export import XLSX_TYPE, table_csv, table_download, table_xlsx
from supervision.tables import Column, Table

D = decimal.Decimal


def sample():
    return Table("sample", _l("Outcomes"), [
        Column("label", _l("State")), Column("count", _l("Number"), "int"), Column("amount", _l("Fines (yuan)"), "decimal"),
        Column("rate", _l("On-time rate"), "percent"), Column("day", _l("Month"), "date"),
        Column("at", _l("Running deadlines"), "datetime")], [
        {"label": _l("Concluded"), "count": 3, "amount": D("1234567.50"), "rate": D("0.9250"), "day": dt.date(2026, 11, 1),
         "at": dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)},
        {"label": "浦东", "count": 0, "amount": None, "rate": None, "day": None, "at": None},
    ])


def test_csv_in_chinese_with_plain_numbers(app):
    with app.test_request_context("/?lang=zh"):
        body = table_csv(sample())
    assert body.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert lines[0] == ["状态", "数量", "罚款（元）", "按时率", "月份", "进行中的时限"]
    assert lines[1] == ["已办结", "3", "1234567.50", "0.9250", "2026-11-01", "2026-12-01 01:00"]  # Shanghai time
    assert lines[2] == ["浦东", "0", "", "", "", ""]


def test_csv_in_english(app):
    with app.test_request_context("/?lang=en"):
        lines = table_csv(sample()).decode("utf-8-sig").splitlines()
    assert lines[0] == "State,Number,Fines (yuan),On-time rate,Month,Running deadlines"


def test_xlsx_numbers_dates_and_formats(app):
    with app.test_request_context("/?lang=zh"):
        body = table_xlsx(sample())
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet.title == "办理结果"
    assert [c.value for c in sheet[1]] == ["状态", "数量", "罚款（元）", "按时率", "月份", "进行中的时限"]
    assert all(c.font.bold for c in sheet[1])
    row = sheet[2]
    assert row[0].value == "已办结" and row[1].value == 3 and isinstance(row[1].value, int)
    assert row[2].value == 1234567.5 and row[2].number_format == "#,##0.00"
    assert row[3].value == 0.925 and row[3].number_format == "0.0%"
    assert row[4].value == dt.datetime(2026, 11, 1) and row[4].number_format == "yyyy-mm-dd"
    assert row[5].value == dt.datetime(2026, 12, 1, 1, 0) and row[5].number_format == "yyyy-mm-dd hh:mm"
    assert [c.value for c in sheet[3]] == ["浦东", 0, None, None, None, None]


def test_download_answers(app):
    with app.test_request_context("/?lang=en"):
        csv_answer = table_download(sample(), "csv")
        xlsx_answer = table_download(sample(), "xlsx", filename="outcomes-2026-11")
    assert csv_answer.mimetype == "text/csv" and csv_answer.headers["Content-Disposition"] == \
        'attachment; filename="sample.csv"'
    assert xlsx_answer.mimetype == XLSX_TYPE
    assert xlsx_answer.headers["Content-Disposition"] == 'attachment; filename="outcomes-2026-11.xlsx"'
    assert xlsx_answer.headers["Cache-Control"] == "no-store"


def test_an_unknown_kind_is_refused():
    import pytest

    with pytest.raises(ValueError):
        Column("x", "x", "money")
