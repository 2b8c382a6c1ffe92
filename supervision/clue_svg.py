"""The clue graph as server-rendered SVG: suspected infringers on the left, complaints on the right, a line
for each complaint naming an infringer. Readable without colour: every node carries its words, the kind of
match is a shape (a plain box for a credit code, a dashed box for a name, a dotted box for a person with an
organisation), and the page lists the same links as a table beside it."""
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .clue_models import CLUE_KIND_LABELS, ClueKind

ROW = 34
LEFT_X, LEFT_W = 10, 300
RIGHT_X, RIGHT_W = 470, 170
WIDTH = RIGHT_X + RIGHT_W + 10
DASH = {ClueKind.credit_code: "", ClueKind.org_name: ' stroke-dasharray="6 3"', ClueKind.person_org: ' stroke-dasharray="2 2"'}


def _short(text, limit=22):
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def graph_svg(graph, title) -> Markup:
    if graph is None or not graph.complaints:
        return Markup("")
    rows = max(len(graph.infringers), len(graph.complaints), 1)
    legend_y = rows * ROW + 30
    height = legend_y + 3 * 20 + 10
    y_of = {}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
             f'aria-labelledby="clue-graph-title" class="clue-graph" data-testid="clue-graph">',
             f'<title id="clue-graph-title">{escape(title)}</title>']
    for n, (node, label, kind) in enumerate(graph.infringers):
        y_of[node] = 20 + n * ROW
    for n, (node, reference) in enumerate(graph.complaints):
        y_of[node] = 20 + n * ROW
    for a, b in graph.edges:
        parts.append(f'<line x1="{LEFT_X + LEFT_W}" y1="{y_of[a] + 12}" x2="{RIGHT_X}" y2="{y_of[b] + 12}" '
                     f'stroke="#555" stroke-width="1.2"/>')
    for node, label, kind in graph.infringers:
        y = y_of[node]
        tip = _("%(label)s (%(kind)s)", label=label, kind=CLUE_KIND_LABELS[kind])
        parts.append(f'<g><title>{escape(tip)}</title>'
                     f'<rect x="{LEFT_X}" y="{y}" width="{LEFT_W}" height="24" fill="#fff" stroke="#222"{DASH[kind]}/>'
                     f'<text x="{LEFT_X + 6}" y="{y + 16}" font-size="13">{escape(_short(label))}</text></g>')
    for node, reference in graph.complaints:
        y = y_of[node]
        parts.append(f'<g><circle cx="{RIGHT_X + 10}" cy="{y + 12}" r="7" fill="#fff" stroke="#222"/>'
                     f'<text x="{RIGHT_X + 22}" y="{y + 16}" font-size="13">{escape(reference)}</text></g>')
    for n, kind in enumerate(ClueKind):
        y = legend_y + n * 20
        parts.append(f'<rect x="{LEFT_X}" y="{y}" width="30" height="14" fill="#fff" stroke="#222"{DASH[kind]}/>'
                     f'<text x="{LEFT_X + 38}" y="{y + 12}" font-size="12">{escape(CLUE_KIND_LABELS[kind])}</text>')
    complaint_legend = _("○ a complaint")
    parts.append(f'<text x="{RIGHT_X}" y="{legend_y + 12}" font-size="12">{escape(complaint_legend)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def graph_rows(graph) -> list:
    """The graph as the table beside it: each infringer with the complaints naming it."""
    if graph is None:
        return []
    references = dict(graph.complaints)
    return [(label, kind, [references[b] for a, b in graph.edges if a == node]) for node, label, kind in graph.infringers]
