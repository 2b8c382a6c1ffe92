"""API: bearer tokens and enterprise self-registration."""
from flask import g, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from core.errors import TooManyRequests, Unauthenticated, ValidationFailed
from core.extensions import db
from core.idempotency import not_replayed
from core.security import api_actor

from . import mfa, services
from .schemas import (EnterpriseRegistrationSchema, RegistrationConfirmationSchema, RegistrationRequestedSchema,
                      TokenRequestSchema, TokenSchema, UserSchema)

blp = Blueprint("auth", __name__, description="Sign-in tokens and enterprise registration")


@blp.route("/auth/tokens")
class Tokens(MethodView):
    @not_replayed  # its answer holds the token, shown once; and the throttle's own connection must not wait for a claim
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
    @blp.response(202, RegistrationRequestedSchema)
    @blp.alt_response(429, description="Too many registrations from this address or for this e-mail address")
    @blp.doc(security=[])
    @not_replayed  # no one's request (and a token's answer is a secret): Idempotency-Key is ignored
    def post(self, data):
        """Register an enterprise: the answer is always the same; a confirmation link goes to the e-mail address.

        The link (or POST /enterprises/confirmations with its token) creates the enterprise and its
        first user. An address or a credit code that already has an account gets an e-mail saying so.
        """
        services.request_registration(data, request.remote_addr)
        return {"message": _("Check your e-mail: open the link we sent to complete the registration.")}


@blp.route("/enterprises/confirmations")
class EnterpriseConfirmations(MethodView):
    @blp.arguments(RegistrationConfirmationSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(404, description="The token is unknown, used or expired")
    @blp.alt_response(409, description="The address or the credit code has an account by now")
    @blp.doc(security=[])
    @not_replayed  # no one's request (and a token's answer is a secret): Idempotency-Key is ignored
    def post(self, data):
        """Confirm a registration with the token of the e-mailed link: creates the enterprise and its user."""
        return services.confirm_registration(data["token"])
