"""Administrators edit the deadline rules in the portal (the API has the same at /api/v1/admin/deadline-rules)."""
import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from accounts.enums import Role
from core.errors import NotFound, flatten_errors

from . import services
from .models import Unit
from .presenters import RULE_LABELS
from .schemas import RuleSchema

bp = Blueprint("deadline_rules", __name__, url_prefix="/admin/deadline-rules")


def _page(errors=None, editing=None, form=None, status=200):
    return render_template("deadlines/rules.html", rules=services.list_rules(), units=list(Unit),
                           labels=RULE_LABELS, errors=errors or {}, editing=editing, form=form or {}), status


@bp.get("/")
@login_required
def rules():
    if current_user.role is not Role.admin:
        raise NotFound()
    return _page()


@bp.post("/<code>")
@login_required
def update_rule(code):
    if current_user.role is not Role.admin:
        raise NotFound()
    form = request.form
    data = {"amount": form.get("amount", ""), "unit": form.get("unit", ""),
            "extension_amount": form.get("extension_amount") or None}
    errors = {}
    for name in ("reminders", "escalation"):
        try:
            data[name] = json.loads(form.get(name) or "[]")
        except ValueError:
            errors[name] = [_("Write a JSON list, e.g. %(example)s.",
                              example='[{"percent": 50}]' if name == "reminders" else
                              '[{"level": 1, "after_working_days": 0, "notify": "responsible"}]')]
    for name in ("amount", "extension_amount"):
        if isinstance(data[name], str) and data[name].strip().lstrip("-").isdigit():
            data[name] = int(data[name])
    if not errors:
        try:
            services.update_rule(current_user, code, RuleSchema().load(data))
        except ValidationError as exc:
            errors = flatten_errors(exc.messages)
    if errors:
        return _page(errors, editing=code, form=form, status=422)
    flash(_("Rule %(code)s saved: it applies to deadlines opened from now on.", code=code))
    return redirect(url_for("deadline_rules.rules"))
