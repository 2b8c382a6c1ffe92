"""API for administrators: long-lived API keys for agencies' own systems."""
import uuid

from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy import select

from core.errors import NotFound, ValidationFailed
from core.idempotency import not_replayed
from core.pagination import CursorArgs, asc, fetch, page_schema, window
from core.schemas import Computed, EmailAddress, Name, OutSchema, StrictSchema
from core.security import api_actor
from core.extensions import db

from . import admin_services, rate_limit as rate_limits, services
from .enums import Role, TokenKind
from .models import AuthToken, User

blp = Blueprint("admin_api_keys", __name__, description="Administration: API keys")


class ApiKeyRequest(StrictSchema):
    email = EmailAddress(column=User.email, required=True, metadata={"description": "The agency user the key acts as."})
    label = Name(column=AuthToken.label, required=True)
    rate_limit = admin_services.rate_limit_field(metadata={
        "description": "Requests per minute the key may make; null or "
                       "absent: the configured default (API_KEY_RATE_LIMIT). Over it: 429 with Retry-After."})


class RateLimitRequest(StrictSchema):
    rate_limit = admin_services.rate_limit_field(required=True, metadata={
        "description": "The key's own limit of requests per minute; null: the configured default again."})


class ApiKeySchema(OutSchema):
    id = fields.UUID()
    label = fields.String()
    user = Computed(lambda token: token.user.email, fields.String(), required=True,
                    metadata={"description": "The e-mail address of the user the key acts as."})
    created_at = fields.AwareDateTime()
    revoked_at = fields.AwareDateTime()
    rate_limit = fields.Integer(allow_none=True, metadata={
        "description": "The key's own limit of requests per minute (null: the default)."})
    effective_rate_limit = Computed(rate_limits.limit_of, fields.Integer(), required=True, metadata={
        "description": "The requests per minute the key may make now (its own limit, else the default)."})


ApiKeyPage = page_schema(ApiKeySchema, "ApiKeyPage")


class NewApiKeySchema(ApiKeySchema):
    key = fields.String(metadata={"description": "Shown once; only its hash is stored."})


def _admin():
    actor = api_actor()
    if actor.role is not Role.admin:
        raise NotFound()
    return actor


@blp.route("/admin/api-keys")
class ApiKeys(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, ApiKeyPage)
    def get(self, args):
        """Every API key (revoked ones too), oldest first."""
        _admin()
        return fetch(select(AuthToken).where(AuthToken.kind == TokenKind.api_key),
                     (asc(AuthToken.created_at), asc(AuthToken.id)), window(args, "api-keys")).envelope()

    @not_replayed  # its answer holds the key, shown once: never stored for a replay
    @blp.arguments(ApiKeyRequest)
    @blp.response(201, NewApiKeySchema)
    def post(self, data):
        """Create a key for an agency officer; the key is returned once."""
        admin = _admin()
        user = services.find_user_by_email(data["email"])
        if user is None or user.role is not Role.agency_officer:
            raise ValidationFailed({"email": [_("No agency officer has this e-mail address.")]})
        raw, token = services.issue_api_key(admin, user, data["label"])
        token.rate_limit = data["rate_limit"]
        token.key = raw  # dumped once, never stored
        return token


def _key(key_id):
    try:
        token = db.session.get(AuthToken, uuid.UUID(key_id))
    except ValueError:
        token = None
    if token is None or token.kind is not TokenKind.api_key:
        raise NotFound()
    return token


@blp.route("/admin/api-keys/<key_id>")
class ApiKeyItem(MethodView):
    @blp.arguments(RateLimitRequest)
    @blp.response(200, ApiKeySchema)
    def patch(self, data, key_id):
        """Set the key's request rate limit (null: the configured default); a revoked key: 404."""
        admin = _admin()
        return admin_services.set_rate_limit(admin, _key(key_id), data["rate_limit"])

    @blp.response(204)
    def delete(self, key_id):
        """Revoke a key: it stops working at once."""
        admin = _admin()
        services.revoke_token(_key(key_id), admin)
