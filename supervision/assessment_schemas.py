"""The forms and query arguments of the league tables, the assessment and the bulletin (pages and API)."""
from marshmallow import fields, validate

from core.schemas import Code, EnumValue, OneOfLabelled, StrictSchema, Text

from .assessment_models import PERIOD_KIND_LABELS, PeriodKind
from .indicators import GROUP_LABELS, METHOD_LABELS, Group, Method



class LeagueArgs(StrictSchema):
    month = Code(10, load_default=None, metadata={
        "description": "The month, YYYY-MM (Asia/Shanghai); default: last month."})
    group = EnumValue(Group, labels=GROUP_LABELS, load_default=None, metadata={
        "description": "centre or agency; default: both (pages), centre (API)."})
    format = fields.String(load_default=None, validate=OneOfLabelled({"csv": "CSV", "xlsx": "XLSX"}))


class SnapshotForm(StrictSchema):
    period_kind = EnumValue(PeriodKind, labels=PERIOD_KIND_LABELS, required=True)
    period = Code(10, required=True)


class BulletinForm(StrictSchema):
    month = Code(10, required=True)


def scheme_form_schema():
    """weight_<method> (0..100, 0: not used) and target_<method> (a percentage 0..100) for each method, a note."""
    attrs = {}
    for method in Method:
        attrs[f"weight_{method.value}"] = fields.Integer(required=True, strict=False,
                                                         validate=validate.Range(min=0, max=100))
        attrs[f"target_{method.value}"] = fields.Decimal(required=True, places=2, validate=validate.Range(
            min=0, max=100), allow_nan=False)
    attrs["note"] = Text(500, load_default=None)
    return StrictSchema.from_dict(attrs, name="AssessmentSchemeForm")


SCHEME_LABELS = {**{f"weight_{m.value}": METHOD_LABELS[m] for m in Method},
                 **{f"target_{m.value}": METHOD_LABELS[m] for m in Method}}
