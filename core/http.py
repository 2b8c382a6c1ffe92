"""Optimistic concurrency over HTTP, one way: the ETag carries an object's version, If-Match checks it.

The API reads the version a client read ONLY from ``If-Match`` (``"<version>"``, weak ``W/"<version>"``
too). A change of a versioned object (a complaint, referral or consultation) without it answers 428
``precondition_required`` (config ``API_REQUIRE_IF_MATCH``); a stale one 412 ``stale_version``: the HTTP
answer for a failed precondition (RFC 9110 §13.1.1), where the web forms keep 409 — a form is not
conditional, it carries its hidden ``version`` field (``form_version``; ``FORMS_REQUIRE_VERSION``). A
concurrent write that slips past the check (the version column's UPDATE … WHERE version = n) answers the
same 412 to a conditional API request (core/errors.py).

The views are marked for the OpenAPI document (core/openapi.py documents If-Match, 412 and 428 on
``versioned_change`` views, the ETag header on ``versioned_read`` ones).
"""
from flask import current_app, request
from flask_babel import lazy_gettext as _l

from .extensions import db
from .errors import DomainError, StaleVersion, ValidationFailed


class PreconditionFailed(StaleVersion):
    """If-Match names a version the object has moved past."""

    status = 412
    code = "stale_version"


class PreconditionRequired(DomainError):
    status = 428
    code = "precondition_required"
    default_message = _l("Send If-Match with the ETag of the version you read (GET the object first).")


def versioned_change(view):
    """Marks a view that changes a versioned object: If-Match required (428), checked (412)."""
    view.__versioned_change__ = True
    return view


def versioned_read(view):
    """Marks a view whose answer is a versioned object: it carries its ETag."""
    view.__versioned_read__ = True
    return view


def _parse(header: str) -> int:
    value = header.strip().removeprefix("W/").strip('"')
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed({"If-Match": ["Not a valid integer."]}) from None


def if_match(entity) -> int | None:
    """The version the client read, from If-Match, checked against ``entity`` (412 when stale).

    Without If-Match: 428, unless ``API_REQUIRE_IF_MATCH`` is off (then None: unchecked). The version is
    handed on to the service too, whose own check (the web forms') then agrees."""
    header = request.headers.get("If-Match", "")
    if not header.strip():
        if current_app.config["API_REQUIRE_IF_MATCH"]:
            raise PreconditionRequired()
        return None
    version = _parse(header)
    if version != entity.version:
        raise PreconditionFailed()
    return version


def form_version() -> int | None:
    """The hidden ``version`` field of a web form (not the API's: If-Match only). Empty: unchecked, unless
    ``FORMS_REQUIRE_VERSION`` (then 428). A stale one is the service's 409 and the page says so."""
    raw = (request.form.get("version") or "").strip()
    if not raw:
        if current_app.config["FORMS_REQUIRE_VERSION"]:
            raise PreconditionRequired(_l("This form was sent without the version it was shown with: reload the "
                                          "page and try again."))
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed({"version": ["Not a valid integer."]}) from None


def etag(entity):
    """The headers of an answer that is a versioned object (flushed first: the version it will be stored with)."""
    db.session.flush()
    return {"ETag": f'"{entity.version}"'}
