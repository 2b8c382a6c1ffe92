"""Any ``Table`` as CSV or XLSX: headers in the reader's language, numbers as numbers, dates as dates.

CSV is UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese headers), amounts and
percentages unformatted (0.925, not 92.5%). XLSX is written by openpyxl: integers and Decimals are
numbers, percentages numbers formatted as percent, dates and times real dates (times in Asia/Shanghai,
as the pages show them).
"""
import csv
import datetime as dt
import decimal
import io
from zoneinfo import ZoneInfo

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .tables import Table

SHANGHAI = ZoneInfo("Asia/Shanghai")
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {"percent": "0.0%", "decimal": "#,##0.00", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}


def _plain(value, kind):
    """A cell's value as the file stores it."""
    if value is None:
        return None
    if kind == "datetime":
        return value.astimezone(SHANGHAI).replace(tzinfo=None)
    if kind in ("int", "decimal", "percent", "date"):
        return value
    return str(value)  # text, lazy labels resolved in the reader's language


def table_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(c.label) for c in table.columns])
    for row in table.rows:
        cells = []
        for column, value in zip(table.columns, table.values(row)):
            value = _plain(value, column.kind)
            if isinstance(value, dt.datetime):
                value = value.strftime("%Y-%m-%d %H:%M")
            elif isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, decimal.Decimal):
                value = format(value, "f")
            cells.append("" if value is None else value)
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_xlsx(table: Table) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(table.title)[:31] or table.key)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        cells = []
        for column, value in zip(table.columns, table.values(row)):
            cell = WriteOnlyCell(sheet, value=_plain(value, column.kind))
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_download(table: Table, fmt: str, *, filename: str | None = None) -> Response:
    """The table as an attachment; ``fmt`` is one of FORMATS (the caller validated it)."""
    name = f"{filename or table.key}.{fmt}"
    if fmt == "csv":
        body, media_type = table_csv(table), "text/csv; charset=utf-8"
    else:
        body, media_type = table_xlsx(table), XLSX_TYPE
    return Response(body, mimetype=media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
