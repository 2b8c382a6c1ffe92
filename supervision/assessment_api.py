"""API: the monthly league tables and the assessment's frozen snapshots (supervisors; anyone else 404)."""
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import fields

from core.errors import NotFound, ValidationFailed
from core.pagination import CursorArgs, page_list, page_schema, window
from core.schemas import Code, EnumValue, OutSchema, coded
from core.security import api_actor

from . import assessment, assessment_access as access
from .assessment_models import PeriodKind
from .indicators import GROUP_LABELS, METHOD_LABELS, Group, Method
from .league import LEAGUE_METHODS, last_month, league_table, month_period

blp = Blueprint("assessment_api", __name__, description="League tables and the assessment (评估考核)")


class LeagueQuery(CursorArgs):
    month = Code(10, load_default=None, metadata={
        "description": "The month, YYYY-MM (Asia/Shanghai days); default: last month."})
    group = EnumValue(Group, labels=GROUP_LABELS, load_default=Group.centre, metadata={
        "description": "The centres' league (default) or the agencies'."})


class LeagueRowSchema(OutSchema):
    rank = fields.Integer(required=True)
    organisation_id = fields.UUID(required=True)
    organisation = fields.String(required=True)
    on_time_rate = fields.Decimal(as_string=True, metadata={"description": "A fraction 0..1; null: nothing counted."})
    on_time_rate_counted = fields.Integer(required=True)
    reply_rate = fields.Decimal(as_string=True)
    reply_rate_counted = fields.Integer(required=True)
    satisfaction_rate = fields.Decimal(as_string=True)
    satisfaction_rate_counted = fields.Integer(required=True)
    below_floor = fields.Boolean(required=True)
    marks = fields.String(required=True, metadata={"description": "Which floors it is below, in words."})


LeaguePage = page_schema(LeagueRowSchema, "LeaguePage")


class IndicatorSchema(OutSchema):
    method = coded(Method, METHOD_LABELS, required=True)
    weight = fields.Integer(required=True)
    target = fields.Decimal(as_string=True, required=True)


class SnapshotSummarySchema(OutSchema):
    id = fields.UUID(required=True)
    period_kind = EnumValue(PeriodKind, required=True)
    period = fields.String(required=True, metadata={"description": "YYYY-MM or YYYY-Qn."})
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True, metadata={"description": "Exclusive."})
    scheme_version = fields.Integer(required=True)
    taken_at = fields.DateTime(required=True)


class RecordSchema(OutSchema):
    kind = fields.String(required=True, metadata={"description": "deadline, complaint, referral or rating."})
    id = fields.String(required=True)
    ref = fields.String(metadata={"description": "The complaint's reference."})
    detail = fields.String()
    hit = fields.Boolean(required=True, metadata={"description": "In the numerator."})
    complaint_id = fields.UUID(metadata={"description": "The complaint the record belongs to."})


class ScoredIndicatorSchema(OutSchema):
    method = coded(Method, METHOD_LABELS, required=True)
    weight = fields.Integer(required=True)
    target = fields.Decimal(as_string=True, required=True)
    hits = fields.Integer(required=True)
    counted = fields.Integer(required=True)
    value = fields.Decimal(as_string=True)
    attainment = fields.Decimal(as_string=True)
    points = fields.Decimal(as_string=True)
    records = fields.List(fields.Nested(RecordSchema), required=True)


class ResultSchema(OutSchema):
    org_id = fields.UUID(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    rank = fields.Integer(required=True)
    score = fields.Decimal(as_string=True, metadata={"description": "Out of 100; null: nothing counted."})
    indicators = fields.List(fields.Nested(ScoredIndicatorSchema), required=True)


class SnapshotSchema(SnapshotSummarySchema):
    indicators = fields.List(fields.Nested(IndicatorSchema), required=True)
    centres = fields.List(fields.Nested(ResultSchema), required=True)
    agencies = fields.List(fields.Nested(ResultSchema), required=True)


SnapshotPage = page_schema(SnapshotSummarySchema, "AssessmentSnapshotPage")


def _summary(snapshot):
    return {"id": snapshot.id, "period_kind": snapshot.period_kind, "period": assessment.period_label(snapshot),
            "period_start": snapshot.period_start, "period_end": snapshot.period_end,
            "scheme_version": snapshot.scheme_version, "taken_at": snapshot.taken_at}


@blp.route("/league-tables")
class LeagueTables(MethodView):
    @blp.arguments(LeagueQuery, location="query")
    @blp.response(200, LeaguePage)
    @blp.alt_response(404, description="Not a supervisor")
    def get(self, args):
        """A month's league table of the centres or of the agencies, ranked: on-time, reply and satisfaction
        rates, and the floors (LEAGUE_FLOORS) each organisation is below. Supervisors only."""
        actor = api_actor()
        if not access.can_view_league(actor):
            raise NotFound()
        month = args["month"] or last_month()
        period = month_period(month)
        if period is None:
            raise ValidationFailed({"month": [_("Give a month as YYYY-MM, e.g. 2026-11.")]})
        table = league_table(args["group"], period)
        rows = [{k: row[k] for k in ("rank", "organisation", "below_floor", "marks")} | {
            "organisation_id": row["organisation_id"],
            **{m.value: row[m.value] for m in LEAGUE_METHODS},
            **{f"{m.value}_counted": row[f"{m.value}_counted"] for m in LEAGUE_METHODS}} for row in table.rows]
        return page_list(rows, window(args, "league-tables"), key=lambda r: (r["rank"],)).envelope()


@blp.route("/assessment/snapshots")
class Snapshots(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, SnapshotPage)
    @blp.alt_response(404, description="Not a supervisor")
    def get(self, args):
        """The assessment's snapshots, newest period first. Supervisors only."""
        actor = api_actor()
        found = assessment.snapshots(actor, window(args, "assessment-snapshots"))
        found.items = [_summary(s) for s in found.items]
        return found.envelope()


@blp.route("/assessment/snapshots/<snapshot_id>")
class Snapshot(MethodView):
    @blp.response(200, SnapshotSchema)
    @blp.alt_response(404, description="No such snapshot, or not a supervisor")
    def get(self, snapshot_id):
        """A snapshot as frozen: the scheme's indicators, each organisation's rank, score and breakdown, and the
        records each indicator counted. Supervisors only."""
        snapshot = assessment.get_snapshot(api_actor(), snapshot_id)
        return {**_summary(snapshot), "indicators": snapshot.indicators,
                "centres": snapshot.results.get("centre", []), "agencies": snapshot.results.get("agency", [])}
