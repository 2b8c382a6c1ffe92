"""The dashboard page: /supervision/dashboard (filters in the query string; ?table=KEY&format=csv|xlsx downloads
one of its tables with the same filters)."""
from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from accounts.enums import AGENCY_KINDS, DISTRICT_LABELS, OrgKind
from accounts.models import Organisation
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.pages import load
from intake.enums import TRACK_LABELS

from . import charts, dashboard
from .export import FORMATS, table_download
from .filters import PRESET_LABELS, DashboardArgs, resolve, scope_of

bp = Blueprint("dashboard", __name__)

FILTER_NAMES = ("period", "from", "to", "district", "centre", "agency", "track")
FIELD_LABELS = {"period": _l("Period"), "from": _l("First day"), "to": _l("Last day"), "district": _l("Enterprise's district"),
                "centre": _l("Centre"), "agency": _l("Agency"), "track": _l("Track"), "format": _l("Format")}


def _choices(scope):
    """The centres and agencies the viewer's form offers (a clerk: its centre; an agency's staff: its agency)."""
    def orgs(kinds, own):
        query = db.select(Organisation).where(Organisation.kind.in_(kinds)).order_by(Organisation.name)
        if own:
            query = query.where(Organisation.id == own)
        return db.session.scalars(query).all()
    return orgs([OrgKind.rights_center], scope.centre_id), orgs(list(AGENCY_KINDS), scope.agency_id)


@bp.get("/supervision/dashboard")
@login_required
def dashboard_page():
    """Supervisors city-wide, a centre's clerks and an agency's staff their own organisation (anyone else: 404)."""
    scope = scope_of(current_user)
    raw = {name: request.args.get(name, "").strip() for name in FILTER_NAMES}
    raw = {k: v for k, v in raw.items() if v}
    centres, agencies = _choices(scope)
    context = dict(args=request.args, centres=centres, agencies=agencies, presets=PRESET_LABELS,
                   districts=DISTRICT_LABELS, tracks=TRACK_LABELS, field_labels=FIELD_LABELS, scope=scope)
    try:
        filters = resolve(current_user, load(DashboardArgs(), raw))
        fmt = request.args.get("format")
        if fmt is not None and fmt not in FORMATS:
            raise ValidationFailed({"format": [_l("Choose CSV or XLSX.")]})
    except ValidationFailed as exc:
        return render_template("supervision/dashboard.html", errors=exc.errors, figures=[], sections=[],
                               filters=None, **context), 422
    if fmt is not None:
        table = dashboard.table_by_key(filters, current_user, request.args.get("table", ""))
        if table is None:
            raise NotFound()
        return table_download(table, fmt, filename=f"{table.key}-{filters.start.isoformat()}-{filters.end.isoformat()}")
    figures = [(figure, charts.render(figure)) for figure in dashboard.figures(filters)]
    return render_template("supervision/dashboard.html", errors={}, figures=figures,
                           sections=dashboard.extra_sections(filters, current_user), filters=filters, **context)
