"""Helpers of the server-rendered pages of every package: who may open a page, the posted form, loading it
with the API's schema, the status of a re-rendered page, datetime-local inputs in Shanghai time, and the
start page of a signed-in user (a hook: the core knows no role; accounts registers it)."""
import datetime as dt

from flask import current_app, request
from flask_login import current_user
from marshmallow import ValidationError

from .errors import NotFound, ValidationFailed, flatten_errors
from .timeutil import SHANGHAI


def only(*roles):
    """Pages of one side of the platform: anyone else gets the same 404 as for a missing page."""
    if current_user.role not in roles:
        raise NotFound()


def posted(*names, prefix=""):
    """The named fields of the posted form, stripped; empty ones left out so load defaults apply."""
    data = {}
    for name in names:
        value = request.form.get(prefix + name, "").strip()
        if value:
            data[name] = value
    return data


def load(schema, data):
    """Load with the API's schema; its errors become the same ValidationFailed the services raise."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from None


def failure_status(failure):
    return failure.status if failure is not None else 200


def local_to_utc(value: str) -> str:
    """A datetime-local value (Shanghai time) as an aware UTC ISO string; anything else unchanged."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value  # the schema reports it
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(dt.UTC).isoformat()


def utc_to_local_input(moment) -> str:
    """An aware datetime as the value of a datetime-local input, in Shanghai time."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") if moment else ""



def register_start_page(app, start_page):
    """*start_page(user)* gives the URL a signed-in user starts from, or None: the home page redirects there."""
    app.extensions["start_page"] = start_page


def start_page_for(user):
    start_page = current_app.extensions.get("start_page")
    return start_page(user) if start_page else None
