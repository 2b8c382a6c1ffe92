"""A figure table as data: what a page shows beside its chart and what CSV/XLSX exports carry.

Every table of the dashboard, the league tables and the assessment is a ``Table``: the same object is
rendered on the page, drawn as a chart and exported (supervision/export.py), so the file holds exactly
the numbers the page shows. Values are Python values of the column's kind, never preformatted text:
``int``; ``decimal`` (decimal.Decimal: money and other amounts); ``percent`` (a Decimal fraction 0..1, or
None where nothing was counted); ``date``; ``datetime`` (aware, UTC: shown and exported in
Asia/Shanghai); ``text`` (str, or a translatable label).
"""
from dataclasses import dataclass, field

KINDS = frozenset({"text", "int", "decimal", "percent", "date", "datetime"})


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # a (lazy) translatable string: the header in the reader's language
    kind: str = "text"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass
class Table:
    key: str  # names the export file and the table's anchor on the page: [a-z0-9_]+
    title: object
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)

    def values(self, row: dict) -> list:
        return [row.get(c.key) for c in self.columns]
