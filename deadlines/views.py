"""Administrators edit the deadline rules in the portal (the API has the same at /api/v1/admin/deadline-rules).

The page has real fields for everything: the time limit and its unit, the extension, one row per reminder
(an amount and what it counts) and one row per escalation level (working days after the breach, and who
is told). Rows are added and removed without JavaScript: a blank row is always there, a row is removed by
ticking its box, and "add a row" shows the form again with one more blank row (nothing saved).
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from marshmallow import ValidationError

from accounts.enums import Role
from core.errors import NotFound, flatten_errors
from core.openapi import register_labels
from core.pages import only

from . import services
from .models import Unit
from .presenters import RULE_LABELS
from .schemas import MAX_AMOUNT, RuleSchema

bp = Blueprint("deadline_rules", __name__, url_prefix="/admin/deadline-rules")

MAX_ROWS = 20  # as RuleSchema's lists
UNIT_LABELS = {Unit.working_days: _l("working days"), Unit.days: _l("calendar days"), Unit.hours: _l("hours, round the clock")}
register_labels(Unit, UNIT_LABELS)  # the API's x-labels and GET /labels
# what a reminder counts, with its bounds (deadlines.schemas._check_reminders)
REMINDER_KINDS = {
    "percent": (_l("percent of the time limit elapsed"), 1, 99),
    "working_days_before": (_l("working days before the due time"), 1, 60),
    "hours_before": (_l("hours before the due time"), 1, 720),
}
NOTIFY_LABELS = {"responsible": _l("the organisation that must act"), "supervisors": _l("the supervisor office")}
# The seeded rules' legal basis in words (an administrator's own text is shown as typed).
SOURCE_LABELS = {"platform rule": _l("Set by the platform (no legal time limit)"),
                 "policy target": _l("A target of the city's policy"),
                 "市场监督管理行政处罚程序规定 art. 18": _l("Market Regulation Administrative Penalty Procedure Provisions, art. 18"),
                 "市场监督管理行政处罚程序规定; 行政处罚法 art. 60":
                     _l("Market Regulation Administrative Penalty Procedure Provisions; Administrative Penalty Law, art. 60"),
                 "State Council Order 310 art. 5": _l("State Council Order No. 310, art. 5"),
                 "Order 310 art. 5": _l("State Council Order No. 310, art. 5"),
                 "Order 310 art. 8; 公安机关办理经济犯罪案件的若干规定 art. 16":
                     _l("State Council Order No. 310, art. 8; Provisions on Public Security Organs Handling Economic "
                        "Crime Cases, art. 16"),
                 "Order 310 art. 9": _l("State Council Order No. 310, art. 9"),
                 "Criminal Procedure Law art. 113": _l("Criminal Procedure Law, art. 113"),
                 "Civil Procedure Law art. 126": _l("Civil Procedure Law, art. 126"),
                 "Civil Procedure Law art. 104": _l("Civil Procedure Law, art. 104")}
STATUS_LABELS = {"V": _l("checked against the legal text"), "S": _l("from a secondary source"),
                 "U": _l("not yet checked"), "-": _l("set by the platform")}
FIELD_LABELS = {"amount": _l("Time limit"), "unit": _l("Counted in"), "extension_amount": _l("Extension"),
                "reminders": _l("Reminders"), "escalation": _l("Escalation")}


def _labels(rows_r, rows_e):
    labels = dict(FIELD_LABELS)
    for i in range(rows_r):
        labels[f"reminders.{i}.amount"] = labels[f"reminders.{i}.kind"] = _("Reminder %(n)d", n=i + 1)
    for i in range(rows_e):
        labels[f"escalation.{i}.after"] = labels[f"escalation.{i}.notify"] = _("Escalation level %(n)d", n=i + 1)
    return labels


def _rows_of(rule):
    reminders = [{"amount": str(number), "kind": kind} for item in rule.reminders or [] for kind, number in item.items()]
    escalation = [{"after": str(step.get("after_working_days", 0)), "notify": step.get("notify", "")}
                  for step in sorted(rule.escalation or [], key=lambda s: s.get("level", 0))]
    return reminders, escalation


def _posted_rows(prefix, names):
    """The rows of a posted list (at most MAX_ROWS, blank ones and ticked ones dropped), in order."""
    rows = []
    for i in range(MAX_ROWS + 1):
        row = {name: request.form.get(f"{prefix}-{i}-{name}", "").strip()[:20] for name in names}
        if request.form.get(f"{prefix}-{i}-remove") == "yes" or not any(row.values()):
            continue
        rows.append(row)
    return rows


def _whole(value, low, high):
    return int(value) if value.isdigit() and low <= int(value) <= high else None


def _parse_rows(reminders, escalation):
    """(reminders, escalation as the rule stores them, field errors keyed reminders.N.amount, ...)."""
    errors, out_r, out_e = {}, [], []
    for i, row in enumerate(reminders):
        spec = REMINDER_KINDS.get(row["kind"])
        if spec is None:
            errors[f"reminders.{i}.kind"] = [_("Choose what the reminder counts.")]
            continue
        number = _whole(row["amount"], spec[1], spec[2])
        if number is None:
            errors[f"reminders.{i}.amount"] = [_("Enter a whole number from %(low)d to %(high)d.", low=spec[1],
                                                 high=spec[2])]
            continue
        out_r.append({row["kind"]: number})
    if len(out_r) > MAX_ROWS or len(escalation) > MAX_ROWS:
        errors["reminders"] = [_("At most %(num)d rows.", num=MAX_ROWS)]
    if len({item for reminder in out_r for item in reminder.items()}) != len(out_r):
        errors["reminders"] = [_("Two reminders are the same: remove one.")]
    for i, row in enumerate(escalation):
        after = _whole(row["after"], 0, 60)
        if after is None:
            errors[f"escalation.{i}.after"] = [_("Enter a whole number from %(low)d to %(high)d.", low=0, high=60)]
        if row["notify"] not in NOTIFY_LABELS:
            errors[f"escalation.{i}.notify"] = [_("Choose who is told.")]
        if after is not None and row["notify"] in NOTIFY_LABELS:
            out_e.append({"level": i + 1, "after_working_days": after, "notify": row["notify"]})
    afters = [step["after_working_days"] for step in out_e]
    if afters != sorted(afters):
        errors["escalation"] = [_("Each level comes after the one before: list them from the earliest.")]
    return out_r, out_e, errors


def _page(errors=None, editing=None, form=None, rows=None, status=200):
    rules = services.list_rules()
    rows_by_code = {rule.code: _rows_of(rule) for rule in rules}
    if editing and rows is not None:
        rows_by_code[editing] = rows
    longest = max([len(r) + 1 for pair in rows_by_code.values() for r in pair] + [1])
    return render_template(
        "deadlines/rules.html", rules=rules, units=list(Unit), labels=RULE_LABELS, errors=errors or {},
        editing=editing, form=form or {}, rows=rows_by_code, field_labels=_labels(longest, longest),
        UNIT_LABELS=UNIT_LABELS, REMINDER_KINDS=REMINDER_KINDS, NOTIFY_LABELS=NOTIFY_LABELS,
        SOURCE_LABELS=SOURCE_LABELS, STATUS_LABELS=STATUS_LABELS, MAX_AMOUNT=MAX_AMOUNT), status


@bp.before_request
@login_required
def _only_admins():
    only(Role.admin)


@bp.get("/")
def rules():
    return _page()


@bp.post("/<code>")
def update_rule(code):
    if code not in {rule.code for rule in services.list_rules()}:
        raise NotFound()
    form = {name: request.form.get(name, "").strip()[:20] for name in ("amount", "unit", "extension_amount")}
    reminders = _posted_rows("reminders", ("amount", "kind"))
    escalation = _posted_rows("escalation", ("after", "notify"))
    if request.form.get("action") == "add-row":  # one more blank row of each list; nothing saved
        return _page(editing=code, form=form, rows=(reminders, escalation))
    data_r, data_e, errors = _parse_rows(reminders, escalation)
    data = {"amount": form["amount"], "unit": form["unit"], "extension_amount": form["extension_amount"] or None,
            "reminders": data_r, "escalation": data_e}
    for name in ("amount", "extension_amount"):
        if isinstance(data[name], str) and data[name].lstrip("-").isdigit():
            data[name] = int(data[name])
    try:
        loaded = RuleSchema().load(data)
    except ValidationError as exc:
        errors = {**flatten_errors(exc.messages), **errors}
    if not errors:
        services.update_rule(current_user, code, loaded)
        flash(_("The rule “%(name)s” is saved: it applies to deadlines opened from now on.",
                name=RULE_LABELS.get(code, code)))
        return redirect(url_for("deadline_rules.rules"))
    return _page(errors, editing=code, form=form, rows=(reminders, escalation), status=422)
