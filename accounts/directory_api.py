"""API: the directory of partner organisations, for a client to route (an agency's id for a referral, a
transfer or a consultation) and to display (the labels of kinds and districts, in Chinese and English).

Its query and answer schemas live here, beside the one operation that uses them."""
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from core.openapi import resolved_labels
from core.pagination import CursorArgs, page_schema, window
from core.schemas import EnumValue, LabelTextsSchema, Name, OneOfLabelled, OutSchema
from core.security import api_actor

from .directory import PARTNER_KINDS, partner_directory
from .enums import AGENCY_KINDS, DISTRICT_LABELS, ORG_KIND_LABELS, District, OrgKind

blp = Blueprint("directory", __name__, description="The directory of partner organisations")


def labels_of(labels: dict) -> dict:
    """{value: {"zh": ..., "en": ...}} of an enum's lazy labels."""
    return resolved_labels({member.value: label for member, label in labels.items()})


class DirectoryArgs(CursorArgs):
    kind = fields.String(load_default=None, validate=OneOfLabelled(
        {k.value: ORG_KIND_LABELS[k] for k in PARTNER_KINDS}), metadata={
        "description": "Only organisations of this kind (never enterprises: they are not in the directory)."})
    district = EnumValue(District, labels=DISTRICT_LABELS, load_default=None,
                         metadata={"description": "Only organisations of this district (municipal: city-wide)."})
    q = Name(100, load_default=None, allow_none=True, metadata={
        "description": "Part of the name (case-insensitive; % and _ match themselves)."})


class DirectoryEntrySchema(OutSchema):
    id = fields.UUID()
    name = fields.String()
    kind = EnumValue(OrgKind)
    kind_label = fields.Nested(LabelTextsSchema)
    district = EnumValue(District)
    district_label = fields.Nested(LabelTextsSchema)
    receives_referrals = fields.Boolean(metadata={
        "description": "An agency (market regulation, public security, procuratorate, court): a referral, a "
                       "transfer or a consultation invitation may name it."})


DirectoryPageSchema = page_schema(DirectoryEntrySchema, "DirectoryPage",
                                  total_description="How many organisations match (all pages, these filters).")


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
        found = partner_directory(window(args, "organisations"), kind=kind, district=args["district"], q=args["q"])
        kinds, districts = labels_of(ORG_KIND_LABELS), labels_of(DISTRICT_LABELS)
        found.items = [{"id": o.id, "name": o.name, "kind": o.kind, "kind_label": kinds[o.kind.value],
                        "district": o.district, "district_label": districts[o.district.value],
                        "receives_referrals": o.kind in AGENCY_KINDS} for o in found.items]
        return found.envelope()
