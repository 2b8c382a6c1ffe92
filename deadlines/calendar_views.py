"""The deadline calculator (a page and GET /api/v1/calendar/due) and the administrator's calendar page."""
import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.views import MethodView
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import ValidationError, fields, validate

from accounts.enums import Role
from core.errors import NotFound, ValidationFailed, flatten_errors
from core.extensions import db
from core.schemas import OutSchema, StrictSchema
from core.security import api_actor
from core.timeutil import SHANGHAI

from . import calendar

bp = Blueprint("calendar", __name__)
blp = ApiBlueprint("calendar_api", __name__, description="The official calendar and the deadline calculator")

UNIT_LABELS = {
    "working_days": _l("Working days"),
    "days": _l("Calendar days (a last day on a rest day moves to the next working day)"),
    "hours": _l("Hours"),
}
KIND_LABELS = {
    calendar.DayKind.day_off: _l("Day off"),
    calendar.DayKind.workday: _l("Make-up working day"),
}
WEEKDAYS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
            _l("Sunday"))
CALCULATOR_ROLES = tuple(r for r in Role if r.value in (
    "clerk", "agency_officer", "agency_head", "supervisor", "admin"))


def _amount(value):
    if value < 0 or value > calendar.MAX_AMOUNT:
        raise ValidationError(_("Enter a whole number from 0 to %(max)d.", max=calendar.MAX_AMOUNT))


class DueArgsSchema(StrictSchema):
    start = fields.AwareDateTime(required=True, format="iso", default_timezone=SHANGHAI, metadata={
        "description": "ISO-8601; without an offset it is Shanghai time"})
    amount = fields.Integer(required=True, validate=_amount, metadata={"minimum": 0, "maximum": calendar.MAX_AMOUNT})
    unit = fields.String(required=True, validate=validate.OneOf(calendar.UNITS, error="Not a valid choice."))


class DueSchema(OutSchema):
    start = fields.String(metadata={"description": "The start, ISO-8601 in UTC"})
    amount = fields.Integer()
    unit = fields.String()
    due_at = fields.String(metadata={"description": "ISO-8601 in UTC"})
    due_at_local = fields.String(metadata={"description": "ISO-8601 in Asia/Shanghai"})
    provisional = fields.Boolean(metadata={
        "description": "A day of a year with no official calendar was consulted (weekends and statutory "
                       "holidays only); recomputed when that year's calendar is loaded"})
    skipped = fields.List(fields.Date(), metadata={"description": "The rest days skipped"})
    calendar_version = fields.Integer()


def answer(start: dt.datetime, amount: int, unit: str) -> dict:
    due = calendar.calculate(start, amount, unit)
    return {"start": start.astimezone(dt.UTC).isoformat(), "amount": amount, "unit": unit,
            "due_at": due.due_at.isoformat(), "due_at_local": due.due_at.astimezone(SHANGHAI).isoformat(),
            "provisional": due.provisional, "skipped": due.skipped, "calendar_version": due.calendar_version}


@blp.route("/calendar/due")
class DueCalculator(MethodView):
    @blp.arguments(DueArgsSchema, location="query")
    @blp.response(200, DueSchema)
    def get(self, args):
        """The due time of a period from a start: counted in working days, calendar days or hours.

        The start day is not counted; make-up working days count as working days; a day-based period
        ends at 23:59:59 Shanghai time.
        """
        api_actor()
        return answer(args["start"], args["amount"], args["unit"])


# --- pages ------------------------------------------------------------------------------------------

def _only(*roles):
    if current_user.role not in roles:
        raise NotFound()


@bp.context_processor
def labels():
    return {"WEEKDAYS": WEEKDAYS, "UNIT_LABELS": UNIT_LABELS, "KIND_LABELS": KIND_LABELS, "SHANGHAI": SHANGHAI}


@bp.get("/calendar/due")
@login_required
def calculator():
    _only(*CALCULATOR_ROLES)
    form = {name: request.args.get(name, "").strip() for name in ("start", "amount", "unit")}
    result, errors, status = None, {}, 200
    if any(form.values()):
        try:
            args = DueArgsSchema().load({k: v for k, v in form.items() if v})
            result = calendar.calculate(args["start"], args["amount"], args["unit"])
        except ValidationError as exc:
            errors, status = flatten_errors(exc.messages), 422
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
    names = {}
    if result is not None:
        snap = calendar.snapshot()
        names = {day: snap.day_name(day) for day in result.skipped}
    return render_template("deadlines/calculator.html", form=form, result=result, errors=errors, names=names,
                           earliest=calendar.earliest_year()), status


def _admin():
    _only(Role.admin)


@bp.get("/admin/calendar")
@login_required
def admin_calendar():
    _admin()
    return _admin_page()


def _admin_page(errors=None, form=None, status=200):
    years = calendar.years()
    shown = request.args.get("year", type=int)
    if shown is None and form and form.get("date"):
        try:
            shown = dt.date.fromisoformat(form["date"]).year
        except ValueError:
            shown = None
    if shown not in {y.year for y in years}:
        this_year = dt.datetime.now(SHANGHAI).year
        shown = this_year if this_year in {y.year for y in years} else (years[-1].year if years else None)
    return render_template("deadlines/calendar_admin.html", years=years, shown=shown,
                           days=calendar.year_days(shown) if shown else [], version=calendar.current_version(),
                           errors=errors or {}, form=form or {}), status


@bp.post("/admin/calendar/days")
@login_required
def set_day():
    _admin()
    form = {name: request.form.get(name, "").strip() for name in ("date", "kind", "name")}
    try:
        try:
            day = dt.date.fromisoformat(form["date"])
        except ValueError:
            raise ValidationFailed({"date": [_("Enter a date such as 2027-01-01.")]}) from None
        calendar.set_day(current_user, day, form["kind"], form["name"])
    except ValidationFailed as exc:
        db.session.rollback()
        return _admin_page(errors=exc.errors, form=form, status=422)
    flash(_("%(date)s saved; the calendar is now version %(version)d.", date=day.isoformat(),
            version=calendar.current_version()))
    return redirect(url_for("calendar.admin_calendar", year=day.year))


@bp.post("/admin/calendar/days/<day>/remove")
@login_required
def remove_day(day):
    _admin()
    try:
        day = dt.date.fromisoformat(day)
    except ValueError:
        raise NotFound() from None
    if not calendar.remove_day(current_user, day):
        raise NotFound()
    flash(_("%(date)s removed; the calendar is now version %(version)d.", date=day.isoformat(),
            version=calendar.current_version()))
    return redirect(url_for("calendar.admin_calendar", year=day.year))
