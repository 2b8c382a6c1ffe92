"""API for administrators: the organisations' webhooks (the secret is returned once, at creation)."""
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from core.pagination import CursorArgs, page_list, page_schema, window
from core.schemas import Code, Computed, OutSchema, StrictSchema
from core.security import api_actor

from . import services
from .models import WebhookEndpoint

blp = Blueprint("admin_webhooks", __name__, description="Administration: webhooks of agencies")


class WebhookRequest(StrictSchema):
    organisation_id = Code(64, required=True, metadata={"description": "The agency's organisation id."})
    url = Code(column=WebhookEndpoint.url, required=True,
               metadata={"description": "http:// or https:// URL receiving the POSTs."})


class WebhookSchema(OutSchema):
    id = fields.UUID()
    organisation_id = fields.UUID()
    organisation = Computed(lambda endpoint: endpoint.organisation.name, fields.String(), required=True,
                            metadata={"description": "The organisation's name."})
    url = fields.String()
    active = fields.Boolean()
    created_at = fields.AwareDateTime()


WebhookPage = page_schema(WebhookSchema, "WebhookPage")


class NewWebhookSchema(WebhookSchema):
    secret = fields.String(metadata={"description": "The HMAC-SHA256 signing secret; shown once."})


@blp.route("/admin/webhooks")
class Webhooks(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, WebhookPage)
    def get(self, args):
        """The webhooks, by organisation name."""
        services.require_admin(api_actor())
        return page_list(services.list_webhooks(), window(args, "webhooks"),
                         key=lambda endpoint: (endpoint.organisation.name, endpoint.id)).envelope()

    @blp.arguments(WebhookRequest)
    @blp.response(201, NewWebhookSchema)
    def post(self, data):
        """Create the webhook of an organisation; the signing secret is returned once."""
        endpoint, _secret = services.create_webhook(api_actor(), data["organisation_id"], data["url"])
        return endpoint  # NewWebhookSchema dumps its secret; the list and other answers never do


@blp.route("/admin/webhooks/<endpoint_id>")
class WebhookItem(MethodView):
    @blp.response(204)
    def delete(self, endpoint_id):
        """Delete a webhook: the organisation's pending webhook deliveries fail until a new one is set up."""
        actor = api_actor()
        services.delete_webhook(actor, services.get_webhook(actor, endpoint_id))
