"""API: the directory of partner organisations, for a client to route (an agency's id for a referral, a
transfer or a consultation) and to display (the labels of kinds and districts, in Chinese and English).

Its query and answer schemas live here, beside the one operation that uses them."""
from flask.views import MethodView
from flask_babel import force_locale
from flask_smorest import Blueprint
from marshmallow import fields, validate

from core.schemas import Code, EnumValue, Name, OneOfLabelled, OutSchema, StrictSchema
from core.security import api_actor

from .directory import PARTNER_KINDS, partner_directory
from .enums import AGENCY_KINDS, DISTRICT_LABELS, ORG_KIND_LABELS, District, OrgKind

blp = Blueprint("directory", __name__, description="The directory of partner organisations")

LANGUAGES = ("zh", "en")


def labels_of(labels: dict) -> dict:
    """{member: {"zh": ..., "en": ...}} of an enum's lazy labels."""
    out = {member: {} for member in labels}
    for language in LANGUAGES:
        with force_locale(language):
            for member, label in labels.items():
                out[member][language] = str(label)
    return out


class DirectoryArgs(StrictSchema):
    kind = fields.String(load_default=None, validate=OneOfLabelled(
        {k.value: ORG_KIND_LABELS[k] for k in PARTNER_KINDS}), metadata={
        "description": "Only organisations of this kind (never enterprises: they are not in the directory)."})
    district = EnumValue(District, labels=DISTRICT_LABELS, load_default=None,
                         metadata={"description": "Only organisations of this district (municipal: city-wide)."})
    q = Name(100, load_default=None, allow_none=True, metadata={
        "description": "Part of the name (case-insensitive; % and _ match themselves)."})
    cursor = Code(2000, load_default=None, metadata={
        "description": "The next_cursor of the previous page (opaque); malformed: 422."})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class LabelSchema(OutSchema):
    zh = fields.String()
    en = fields.String()


class DirectoryEntrySchema(OutSchema):
    id = fields.UUID()
    name = fields.String()
    kind = EnumValue(OrgKind)
    kind_label = fields.Nested(LabelSchema)
    district = EnumValue(District)
    district_label = fields.Nested(LabelSchema)
    receives_referrals = fields.Boolean(metadata={
        "description": "An agency (market regulation, public security, procuratorate, court): a referral, a "
                       "transfer or a consultation invitation may name it."})


class DirectoryPageSchema(OutSchema):
    items = fields.List(fields.Nested(DirectoryEntrySchema))
    next_cursor = fields.String(allow_none=True, metadata={"description": "null on the last page."})
    total = fields.Integer(metadata={"description": "How many organisations match, over every page."})


@blp.route("/organisations")
class Organisations(MethodView):
    @blp.arguments(DirectoryArgs, location="query")
    @blp.response(200, DirectoryPageSchema)
    def get(self, args):
        """The partner organisations — the rights-protection centres, the agencies of every kind and the supervisor
        offices, never an enterprise — by kind, district and name, with their ids and labels. Any signed-in
        caller."""
        api_actor()
        kind = OrgKind(args["kind"]) if args["kind"] else None
        items, next_cursor, total = partner_directory(kind=kind, district=args["district"], q=args["q"],
                                                      cursor=args["cursor"], limit=args["limit"])
        kinds, districts = labels_of(ORG_KIND_LABELS), labels_of(DISTRICT_LABELS)
        return {"items": [{"id": o.id, "name": o.name, "kind": o.kind, "kind_label": kinds[o.kind],
                           "district": o.district, "district_label": districts[o.district],
                           "receives_referrals": o.kind in AGENCY_KINDS} for o in items],
                "next_cursor": next_cursor, "total": total}
