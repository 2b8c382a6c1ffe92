"""API: bearer tokens and enterprise self-registration."""
from flask import g, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from core.errors import TooManyRequests, Unauthenticated, ValidationFailed
from core.extensions import db
from core.security import api_actor

from . import mfa, services
from .schemas import EnterpriseRegistrationSchema, TokenRequestSchema, TokenSchema, UserSchema

blp = Blueprint("auth", __name__, description="Sign-in tokens and enterprise registration")


@blp.route("/auth/tokens")
class Tokens(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    @blp.alt_response(401, description="Wrong e-mail address or password")
    @blp.alt_response(403, description="Two-step verification is required but not set up (enrol on the web)")
    @blp.alt_response(429, description="Too many failures for this account or address within a minute")
    @blp.doc(security=[])
    def post(self, data):
        """Exchange an e-mail address and password (and, with two-step verification, a code) for a bearer token
        that expires."""
        user = services.authenticate(data["email"], data["password"], request.remote_addr)
        if user is None:
            db.session.commit()  # keep the failure for throttling
            raise Unauthenticated(_("Wrong e-mail address or password."))
        try:
            mfa.check_api_login(user, data.get("totp"))
        except (ValidationFailed, TooManyRequests):
            db.session.commit()  # the attempt counts and its audit row stays
            raise
        raw, token = services.issue_api_token(user)
        return {"token": raw, "token_type": "Bearer", "expires_at": token.expires_at, "user": user}


@blp.route("/auth/tokens/current")
class CurrentToken(MethodView):
    @blp.response(204)
    def delete(self):
        """Revoke the token this request was made with."""
        services.revoke_token(g.api_token, api_actor())


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    def get(self):
        """Who the token belongs to."""
        return api_actor()


@blp.route("/enterprises")
class Enterprises(MethodView):
    @blp.arguments(EnterpriseRegistrationSchema)
    @blp.response(201, UserSchema)
    @blp.doc(security=[])
    def post(self, data):
        """Register an enterprise and its first user (the unified social credit code is checked)."""
        return services.register_enterprise(data)
