"""Optimistic concurrency over HTTP: ETag carries the version, If-Match (or a `version` field) checks it."""
from flask import request

from .errors import ValidationFailed


def versioned_change(view):
    """Marks a view that changes a versioned object: the document asks for If-Match (412, 428) and shows ETag."""
    view.__versioned_change__ = True
    return view


def versioned_read(view):
    """Marks a view that reads a versioned object: the document shows the ETag header of its answer."""
    view.__versioned_read__ = True
    return view


def expected_version(body_version=None):
    """The version the client says it read: If-Match wins over a `version` field in the body."""
    header = request.headers.get("If-Match")
    if header:
        value = header.strip().removeprefix("W/").strip('"')
        try:
            return int(value)
        except ValueError:
            raise ValidationFailed({"If-Match": ["Not a valid integer."]}) from None
    return body_version


def with_etag(response, version):
    response.set_etag(str(version))
    return response


def etag(entity):
    return {"ETag": f'"{entity.version}"'}
