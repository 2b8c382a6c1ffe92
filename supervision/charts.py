"""Server-rendered SVG charts of the dashboard's figures: horizontal bars, lines and a funnel.

Readable without colour: every bar and point carries its value as text, series differ by pattern (solid,
hatched, dotted) and by marker shape (circle, square, triangle) as well as by shade, and a legend names them.
Each chart is an <svg role="img"> with a <title> and a description; its table stands beside it on the page,
so nothing is only in the picture. No script, nothing from elsewhere: the markup is the chart.
"""
import datetime as dt
import decimal

from flask_babel import gettext as _
from markupsafe import Markup, escape

from .tables import Table

WIDTH = 640
BAR = 18
GAP = 8
LABEL_WIDTH = 220
SHADES = ("#1f4e79", "#c55a11", "#548235")
PATTERNS = ("solid", "hatch", "dots")
MARKERS = ("circle", "square", "triangle")
DASHES = ("", "6 3", "2 3")


def _defs(uid: str) -> str:
    return (f'<defs><pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="{SHADES[1]}" stroke-width="3"/></pattern>'
            f'<pattern id="{uid}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="#fff"/><circle cx="3" cy="3" r="1.8" fill="{SHADES[2]}"/></pattern></defs>')


def _fill(uid: str, i: int) -> str:
    pattern = PATTERNS[i % len(PATTERNS)]
    return SHADES[0] if pattern == "solid" else f"url(#{uid}-{pattern})"


def _number(value) -> float:
    if value is None:
        return 0.0
    return float(value)


def _text(value, kind) -> str:
    """A value as the chart writes it beside its bar or point."""
    if value is None:
        return "—"
    if kind == "percent":
        return f"{(decimal.Decimal(value) * 100).quantize(decimal.Decimal('0.1'))}%"
    if kind == "decimal":
        return f"{decimal.Decimal(value):,}"
    if kind == "date" and isinstance(value, dt.date):
        return value.strftime("%m-%d") if value.day != 1 else value.strftime("%Y-%m")
    return str(value)


def _open(uid, height, title, description) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" viewBox="0 0 {WIDTH} {height}" '
            f'width="100%" aria-labelledby="{uid}-t {uid}-d" data-testid="chart-{uid}">'
            f'<title id="{uid}-t">{escape(str(title))}</title><desc id="{uid}-d">{escape(str(description))}</desc>'
            + _defs(uid))


def _legend(uid, columns, y, lines=False) -> str:
    parts, x = [], LABEL_WIDTH
    for i, column in enumerate(columns):
        if lines:
            parts.append(_marker(MARKERS[i % 3], x + 6, y - 4, SHADES[i % 3]))
        else:
            parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{_fill(uid, i)}" '
                         f'stroke="#333"/>')
        parts.append(f'<text x="{x + 16}" y="{y}" font-size="12">{escape(str(column.label))}</text>')
        x += 24 + 13 * len(str(column.label))
    return "".join(parts)


def bar_chart(table: Table, uid: str, x: str = "label", series=("count",)) -> Markup:
    """One group of bars per row (one bar per series), each with its value written at its end."""
    columns = {c.key: c for c in table.columns}
    shown = [columns[key] for key in series if key in columns]
    if not table.rows or not shown:
        return Markup("")
    top = max((_number(row.get(c.key)) for row in table.rows for c in shown), default=0) or 1
    group = len(shown) * BAR + GAP
    legend = 22 if len(shown) > 1 else 0
    height = legend + len(table.rows) * group + GAP
    span = WIDTH - LABEL_WIDTH - 90
    parts = [_open(uid, height, table.title, _(", ").join(str(c.label) for c in shown))]
    if legend:
        parts.append(_legend(uid, shown, 14))
    for r, row in enumerate(table.rows):
        y0 = legend + r * group + GAP
        label = _text(row.get(x), columns[x].kind if x in columns else "text")
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y0 + len(shown) * BAR / 2 + 4}" font-size="12" '
                     f'text-anchor="end">{escape(label)}</text>')
        for i, column in enumerate(shown):
            value = row.get(column.key)
            w = max(span * _number(value) / top, 0)
            y = y0 + i * BAR
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{w:.1f}" height="{BAR - 3}" '
                         f'fill="{_fill(uid, i)}" stroke="#333" stroke-width="0.5"/>')
            parts.append(f'<text x="{LABEL_WIDTH + w + 4:.1f}" y="{y + BAR - 7}" font-size="12">'
                         f'{escape(_text(value, column.kind))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _marker(shape, x, y, colour) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
    return f'<path d="M{x:.1f} {y - 4.5:.1f} L{x + 4.5:.1f} {y + 3.5:.1f} L{x - 4.5:.1f} {y + 3.5:.1f} Z" fill="{colour}"/>'


def line_chart(table: Table, uid: str, x: str = "label", series=("count",)) -> Markup:
    """Lines over the rows in order (weeks, months); each series its own dash and marker, the first and last
    values and the largest written at their points, the x labels spaced to stay legible."""
    columns = {c.key: c for c in table.columns}
    shown = [columns[key] for key in series if key in columns]
    if not table.rows or not shown:
        return Markup("")
    height, left, right, top_pad, bottom = 240, 48, WIDTH - 16, 30, 200
    top = max((_number(row.get(c.key)) for row in table.rows for c in shown), default=0) or 1
    n = len(table.rows)
    step = (right - left) / max(n - 1, 1)
    parts = [_open(uid, height, table.title, _(", ").join(str(c.label) for c in shown)),
             f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#333"/>',
             f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{bottom}" stroke="#333"/>',
             f'<text x="{left - 4}" y="{top_pad + 4}" font-size="11" text-anchor="end">{escape(_text(top, "int"))}</text>',
             f'<text x="{left - 4}" y="{bottom}" font-size="11" text-anchor="end">0</text>']
    if len(shown) > 1:
        parts.append(_legend(uid, shown, 14, lines=True))
    every = max(1, n // 8)
    for r, row in enumerate(table.rows):
        if r % every == 0 or r == n - 1:
            parts.append(f'<text x="{left + r * step:.1f}" y="{bottom + 16}" font-size="11" text-anchor="middle">'
                         f'{escape(_text(row.get(x), columns[x].kind if x in columns else "text"))}</text>')
    for i, column in enumerate(shown):
        colour = SHADES[i % 3]
        points = [(left + r * step, bottom - (bottom - top_pad) * _number(row.get(column.key)) / top)
                  for r, row in enumerate(table.rows)]
        dash = f' stroke-dasharray="{DASHES[i % 3]}"' if DASHES[i % 3] else ""
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="'
                     + " ".join(f"{px:.1f},{py:.1f}" for px, py in points) + '"/>')
        values = [_number(row.get(column.key)) for row in table.rows]
        peak = values.index(max(values))
        for r, (px, py) in enumerate(points):
            parts.append(_marker(MARKERS[i % 3], px, py, colour))
            if r in (0, n - 1, peak):
                parts.append(f'<text x="{px:.1f}" y="{py - 7:.1f}" font-size="11" text-anchor="middle">'
                             f'{escape(_text(table.rows[r].get(column.key), column.kind))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def funnel_chart(table: Table, uid: str, x: str = "label", series=("count",)) -> Markup:
    """Centred bars narrowing stage by stage, each with its stage, number and share of the first written on it."""
    if not table.rows:
        return Markup("")
    key = series[0]
    first = _number(table.rows[0].get(key)) or 1
    row_height = 34
    height = len(table.rows) * row_height + 8
    parts = [_open(uid, height, table.title, " → ".join(str(row.get(x)) for row in table.rows))]
    centre, widest = WIDTH / 2, WIDTH - 40
    for r, row in enumerate(table.rows):
        value = _number(row.get(key))
        w = max(widest * value / first, 2)
        y = 4 + r * row_height
        parts.append(f'<rect x="{centre - w / 2:.1f}" y="{y}" width="{w:.1f}" height="{row_height - 6}" '
                     f'fill="{_fill("f" + uid, 0) if r % 2 == 0 else "#9dc3e6"}" stroke="#333"/>')
        label = _("%(stage)s: %(number)s (%(share)s)", stage=row.get(x), number=_text(row.get(key), "int"),
                  share=_text(row.get("share"), "percent"))
        parts.append(f'<rect x="{centre - 150}" y="{y + 5}" width="300" height="{row_height - 16}" fill="#fff" '
                     f'opacity="0.85"/><text x="{centre}" y="{y + row_height / 2 + 1}" font-size="13" '
                     f'text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


CHARTS = {"bar": bar_chart, "line": line_chart, "funnel": funnel_chart}


def render(figure) -> Markup:
    """The chart of a dashboard Figure (supervision.dashboard), or nothing when it has none."""
    if figure.chart is None:
        return Markup("")
    return CHARTS[figure.chart](figure.table, figure.table.key.replace("_", "-"), figure.x, figure.series)
