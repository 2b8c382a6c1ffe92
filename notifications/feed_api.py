"""API: the changes feed of the caller's organisation, and the catalogue of events (docs/WEBHOOKS.md)."""
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from core.schemas import Code, OutSchema, StrictSchema
from core.security import api_actor

from . import feed
from .catalogue import catalogue, feed_events

blp = Blueprint("changes", __name__, description="The changes feed and the webhooks' event catalogue")


class ChangesArgs(StrictSchema):
    after = Code(200, metadata={"description": "A `next_cursor` (or an item's `cursor`) the feed gave; none: "
                                               "from the first event."})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=feed.MAX_LIMIT))


class ChangeSchema(OutSchema):
    id = fields.UUID(required=True, metadata={"description": "The event's id: a webhook's `event_id`."})
    cursor = fields.String(required=True, metadata={"description": "Resume after this item with `after=`."})
    event = fields.String(required=True, metadata={"enum": feed_events(),
                                                   "description": "The event's name (GET /webhooks/events)."})
    occurred_at = fields.AwareDateTime(required=True)
    subject_type = fields.String(required=True, allow_none=True)
    subject_id = fields.UUID(required=True, allow_none=True)
    data = fields.Dict(keys=fields.String(), required=True,
                       metadata={"description": "The event's data: its JSON schema is in GET /webhooks/events."})


class ChangesPageSchema(OutSchema):
    items = fields.List(fields.Nested(ChangeSchema), required=True)
    next_cursor = fields.String(required=True, metadata={
        "description": "Poll with `after=` this: the last item's cursor, or the `after` given when nothing new."})


class SignatureSchema(OutSchema):
    algorithm = fields.String(required=True)
    header = fields.String(required=True)
    timestamp_header = fields.String(required=True)
    format = fields.String(required=True)
    delivery_header = fields.String(required=True)
    event_header = fields.String(required=True)


class CatalogueEventSchema(OutSchema):
    event = fields.String(required=True)
    description = fields.String(required=True)
    machine = fields.Boolean(required=True, metadata={
        "description": "For systems only: in the feed and webhooks, never a notice to a person."})
    data_schema = fields.Dict(keys=fields.String(), required=True, metadata={"description": "A JSON schema."})


class CatalogueSchema(OutSchema):
    signature = fields.Nested(SignatureSchema, required=True)
    webhook_body = fields.Dict(keys=fields.String(), required=True, metadata={"description": "A JSON schema."})
    feed_item = fields.Dict(keys=fields.String(), required=True, metadata={"description": "A JSON schema."})
    events = fields.List(fields.Nested(CatalogueEventSchema), required=True)


@blp.route("/changes")
class Changes(MethodView):
    @blp.arguments(ChangesArgs, location="query")
    @blp.response(200, ChangesPageSchema)
    def get(self, args):
        """What changed for the caller's organisation since a cursor, in commit order, each event once.

        Every event addressed to the organisation (the notices of its people, and the events for systems:
        new referrals, every referral transition, notes, shared evidence, deadline warnings). Poll with
        `after=` the answer's `next_cursor`.
        """
        return feed.changes_for(api_actor(), args.get("after"), args["limit"])


@blp.route("/webhooks/events")
class WebhookEvents(MethodView):
    @blp.response(200, CatalogueSchema)
    def get(self):
        """The event catalogue: every event's name, description and data schema, the webhook body's schema
        and the signature scheme (no authentication: it is documentation)."""
        return catalogue()
