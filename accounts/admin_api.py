"""API for administrators: long-lived API keys for agencies' own systems."""
import uuid

from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy import select

from core.errors import NotFound, ValidationFailed
from core.pagination import CursorArgs, asc, fetch, page_schema, window
from core.schemas import Computed, EmailAddress, Name, OutSchema, StrictSchema
from core.security import api_actor
from core.extensions import db

from . import services
from .enums import Role, TokenKind
from .models import AuthToken, User

blp = Blueprint("admin_api_keys", __name__, description="Administration: API keys")


class ApiKeyRequest(StrictSchema):
    email = EmailAddress(column=User.email, required=True, metadata={"description": "The agency user the key acts as."})
    label = Name(column=AuthToken.label, required=True)


class ApiKeySchema(OutSchema):
    id = fields.UUID()
    label = fields.String()
    user = Computed(lambda token: token.user.email, fields.String(), required=True,
                    metadata={"description": "The e-mail address of the user the key acts as."})
    created_at = fields.AwareDateTime()
    revoked_at = fields.AwareDateTime()


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

    @blp.arguments(ApiKeyRequest)
    @blp.response(201, NewApiKeySchema)
    def post(self, data):
        """Create a key for an agency officer; the key is returned once."""
        admin = _admin()
        user = services.find_user_by_email(data["email"])
        if user is None or user.role is not Role.agency_officer:
            raise ValidationFailed({"email": [_("No agency officer has this e-mail address.")]})
        raw, token = services.issue_api_key(admin, user, data["label"])
        token.key = raw  # dumped once, never stored
        return token


@blp.route("/admin/api-keys/<key_id>")
class ApiKeyItem(MethodView):
    @blp.response(204)
    def delete(self, key_id):
        """Revoke a key: it stops working at once."""
        admin = _admin()
        try:
            token = db.session.get(AuthToken, uuid.UUID(key_id))
        except ValueError:
            token = None
        if token is None or token.kind is not TokenKind.api_key:
            raise NotFound()
        services.revoke_token(token, admin)
