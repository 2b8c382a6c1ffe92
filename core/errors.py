"""Domain errors that are also HTTP errors, and the JSON error body every API answer uses.

Every error body has the same shape: {"status", "code", "message"} plus "errors" (field -> list of
messages) for validation failures and "allowed_triggers" for refused transitions.
"""
from flask import jsonify, request
from flask_babel import gettext, lazy_gettext as _l
from marshmallow import fields
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from .schemas import OutSchema


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message = _l("The request could not be processed.")

    def __init__(self, message=None, **extra):
        super().__init__(str(message or self.default_message))
        self.message = message or self.default_message
        self.extra = extra

    def body(self):
        return {"status": self.status, "code": self.code, "message": str(self.message), **self.extra}


class ErrorSchema(OutSchema):
    """The body of every error answer (the OpenAPI component ``Error``)."""

    status = fields.Integer(required=True, metadata={"description": "The HTTP status, repeated."})
    code = fields.String(required=True, metadata={"description": "A stable code to branch on, e.g. not_found, "
                                                  "validation_error, invalid_trigger, stale_version."})
    message = fields.String(required=True, metadata={"description": "What happened, in the Accept-Language."})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "422: each invalid field (dotted for nested ones: infringers.0.name) with its messages."})
    allowed_triggers = fields.List(fields.String(), metadata={
        "description": "409 refused trigger: the triggers the caller may fire now."})
    state = fields.String(metadata={"description": "409 refused trigger: the object's current state."})
    trigger = fields.String(metadata={"description": "409 refused trigger: the trigger refused."})
    allowed_steps = fields.List(fields.String(), metadata={
        "description": "409 refused step (POST .../steps): the steps the caller may take now."})
    step = fields.String(metadata={"description": "409 refused step: the step refused."})
    allowed_actions = fields.List(fields.String(), metadata={
        "description": "409 refused appraisal action: the actions the caller may record now."})


class BadRequestBody(DomainError):
    """A body that is not what it claims to be: not UTF-8, not JSON, nested too deeply."""

    status = 400
    code = "invalid_body"
    default_message = _l("The request body could not be read.")


class NotFound(DomainError):
    """Missing *or not visible to this actor*: the two must be indistinguishable."""

    status = 404
    code = "not_found"
    default_message = _l("Not found.")


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    default_message = _l("Sign in first, or send a valid bearer token.")


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    default_message = _l("You are not allowed to do this.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _l("The request conflicts with the current state.")


class StaleVersion(Conflict):
    code = "stale_version"
    default_message = _l("Someone else changed this record; reload it and try again.")


class ValidationFailed(DomainError):
    """Field-level errors: ``errors`` maps field names (dotted for nested ones) to messages."""

    status = 422
    code = "validation_error"
    default_message = _l("Some fields are missing or invalid.")

    def __init__(self, errors, message=None):
        super().__init__(message)
        self.errors = errors

    def body(self):
        return {**super().body(), "errors": translate_messages(self.errors)}


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"
    default_message = _l("Too many attempts; wait a minute and try again.")


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    default_message = _l("The file is larger than the allowed size.")


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"
    default_message = _l("This type of file is not accepted.")


def translate_messages(messages):
    """Translate error messages (marshmallow's built-in English ones are in our catalogue too)."""
    if isinstance(messages, dict):
        return {str(k): translate_messages(v) for k, v in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [translate_messages(m) for m in messages]
    if isinstance(messages, str):
        return gettext(messages) if messages else messages
    return str(messages)


def flatten_errors(messages, prefix=""):
    """marshmallow's nested error dicts -> {"infringers.0.name": [...]} for forms and APIs, translated."""
    flat = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                flat.update(flatten_errors(value, name))
            else:
                flat[name] = translate_messages([str(v) for v in (value if isinstance(value, list) else [value])])
    else:
        flat[prefix or "_schema"] = translate_messages([str(m) for m in messages])
    return flat


def is_api_request():
    return request.path.startswith("/api/")


def register_error_handlers(app):
    @app.errorhandler(DomainError)
    def handle_domain_error(exc):
        if is_api_request():
            return jsonify(exc.body()), exc.status
        from flask import render_template

        return render_template("errors/error.html", error=exc), exc.status

    @app.errorhandler(StaleDataError)
    def handle_stale_data(exc):
        # The version column caught a concurrent write the explicit checks could not see.
        from .extensions import db

        db.session.rollback()
        if is_api_request() and request.headers.get("If-Match", "").strip():
            from .http import PreconditionFailed  # the API's conditional change: 412, as a stale If-Match

            return handle_domain_error(PreconditionFailed())
        return handle_domain_error(StaleVersion())

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc):
        if exc.code == 422 and is_api_request():
            # webargs (flask-smorest's @blp.arguments) puts marshmallow messages in exc.data
            messages = (getattr(exc, "data", None) or {}).get("messages", {})
            # messages are keyed by location (json, form, files, query): merge them
            merged = {}
            for location_messages in messages.values():
                merged.update(location_messages)
            return handle_domain_error(ValidationFailed(flatten_errors(merged)))
        if exc.code == 413:  # Werkzeug's own limits: a chunked body or a form past its size or parts
            return handle_domain_error(PayloadTooLarge(gettext("The request is larger than allowed.")))
        mapped = {404: NotFound, 415: UnsupportedMediaType, 429: TooManyRequests}
        if exc.code in mapped:
            return handle_domain_error(mapped[exc.code]())
        if is_api_request():
            body = {"status": exc.code, "code": (exc.name or "error").lower().replace(" ", "_"),
                    "message": gettext(exc.description) if exc.description else exc.name}
            response = jsonify(body)
            response.status_code = exc.code or 500
            return response
        if exc.response is not None:
            return exc
        # pages too speak the user's language (e.g. a form posted without its CSRF token after the session ended)
        page_error = DomainError(gettext(exc.description) if exc.description else exc.name)
        page_error.status = exc.code or 500
        page, status = handle_domain_error(page_error)
        return page, status, [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]  # e.g. Allow
