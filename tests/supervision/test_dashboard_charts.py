"""supervision/charts.py: SVG charts readable without colour — every value written, series told apart by
pattern and marker, a title and a description, nothing that runs or loads."""
import datetime as dt
import decimal
import re

from supervision import charts
from supervision.dashboard import Figure
from supervision.tables import Column, Table


def table(rows, *series):
    return Table("t_x", "Title <b>", [Column("label", "Label"), *(Column(k, f"Series {k}", "int") for k in series)],
                 rows)


def test_bars_carry_their_values_and_patterns(app):
    with app.test_request_context("/?lang=en"):
        svg = str(charts.bar_chart(table([{"label": "浦东", "a": 7, "b": 3}, {"label": "<x>", "a": 0, "b": 12}],
                                         "a", "b"), "t", series=("a", "b")))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title id=\"t-t\">Title &lt;b&gt;</title>" in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert {"7", "3", "0", "12", "浦东", "&lt;x&gt;", "Series a", "Series b"} <= set(texts)
    assert 'fill="url(#t-hatch)"' in svg  # the second series is hatched, not only another shade
    assert "<script" not in svg and "href" not in svg


def test_lines_mark_each_series_differently(app):
    rows = [{"label": dt.date(2026, 11, 2) + dt.timedelta(days=7 * i), "a": i, "b": 10 - i} for i in range(5)]
    t = Table("w", "Weeks", [Column("label", "Week", "date"), Column("a", "A", "int"), Column("b", "B", "int")], rows)
    with app.test_request_context("/?lang=en"):
        svg = str(charts.line_chart(t, "w", series=("a", "b")))
    assert svg.count("<polyline") == 2 and 'stroke-dasharray="6 3"' in svg
    assert "<circle" in svg and "<rect x=" in svg  # circles for the first series, squares for the second
    assert "11-02" in svg and "10" in svg


def test_funnel_in_chinese_punctuation(app):
    t = Table("f", "Funnel", [Column("label", "Stage"), Column("count", "N", "int"), Column("share", "S", "percent")],
              [{"label": "已提交", "count": 6, "share": decimal.Decimal("1")},
               {"label": "已受理", "count": 4, "share": decimal.Decimal("0.6667")}])
    with app.test_request_context("/?lang=zh"):
        svg = str(charts.render(Figure(t, "funnel")))
    assert "已受理：4（66.7%）" in svg


def test_nothing_to_draw(app):
    with app.test_request_context("/"):
        assert str(charts.bar_chart(table([], "a"), "t", series=("a",))) == ""
        assert str(charts.render(Figure(table([{"label": "x", "a": 1}], "a"), None))) == ""
