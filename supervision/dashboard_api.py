"""API: the dashboard's figures, GET /api/v1/dashboard (the page's filters, the same tables)."""
import datetime as dt
import decimal

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from core.schemas import OutSchema
from core.security import api_actor

from . import dashboard
from .filters import DashboardArgs, resolve

blp = Blueprint("dashboard_api", __name__, description="The dashboard: the city's, a centre's or an agency's figures")


class ColumnSchema(OutSchema):
    key = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "The header in the request's language."})
    kind = fields.String(required=True, metadata={
        "description": "text, int, decimal (a string: amounts, hours), percent (a string fraction 0..1, or null "
                       "where nothing was counted), date or datetime (RFC 3339)."})


class TableSchema(OutSchema):
    key = fields.String(required=True, metadata={"description": "The table's key (the page's ?table= export)."})
    title = fields.String(required=True)
    columns = fields.List(fields.Nested(ColumnSchema), required=True)
    rows = fields.List(fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True)), required=True,
                       metadata={"description": "One object per row: each column's key and its value."})


class PeriodSchema(OutSchema):
    preset = fields.String(required=True)
    start = fields.Date(required=True, metadata={"description": "The first day (Shanghai time)."})
    end = fields.Date(required=True, metadata={"description": "The last day, inclusive."})


class DashboardSchema(OutSchema):
    scope = fields.String(required=True, metadata={"description": "city, centre or agency: what the caller may count."})
    organisation_id = fields.UUID(metadata={"description": "The caller's centre or agency (null: city-wide)."})
    period = fields.Nested(PeriodSchema, required=True)
    district = fields.String()
    centre_id = fields.UUID()
    agency_id = fields.UUID()
    track = fields.String()
    tables = fields.List(fields.Nested(TableSchema), required=True, metadata={
        "description": "The dashboard's tables, then those of the sections other parts add."})


def _value(value, kind):
    if value is None:
        return None
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return str(value)


def table_data(table) -> dict:
    return {"key": table.key, "title": str(table.title),
            "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in table.columns],
            "rows": [{c.key: _value(row.get(c.key), c.kind) for c in table.columns} for row in table.rows]}


@blp.route("/dashboard")
class Dashboard(MethodView):
    @blp.arguments(DashboardArgs, location="query")
    @blp.response(200, DashboardSchema)
    @blp.alt_response(404, description="The caller has no dashboard (an enterprise, an administrator), or a "
                                       "filter names another centre or agency than the caller's own")
    def get(self, args):
        """The dashboard's tables for a period and filters. Supervisors: the city; a centre's clerks: their
        centre; an agency's officers and heads: their agency (a filter naming another centre or agency: 404).
        Anyone else: 404."""
        actor = api_actor()
        f = resolve(actor, args)
        tables = [figure.table for figure in dashboard.figures(f)]
        tables += [table for _section, found in dashboard.extra_sections(f, actor) for table in found]
        return {"scope": f.scope.kind, "organisation_id": f.scope.centre_id or f.scope.agency_id,
                "period": {"preset": f.preset, "start": f.start, "end": f.end},
                "district": f.district.value if f.district else None, "centre_id": f.centre_id,
                "agency_id": f.agency_id, "track": f.track.value if f.track else None,
                "tables": [table_data(t) for t in tables]}
