"""The deadline calculator (a page and GET /api/v1/calendar/due) and the administrator's calendar page."""
import datetime as dt

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.views import MethodView
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import ValidationError, fields, validate

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from accounts.enums import Role
from core.confirm import confirmation_page
from core.errors import NotFound, ValidationFailed, flatten_errors
from core.extensions import db
from core.limits import accepts_files
from core.schemas import OutSchema, StrictSchema
from core.security import api_actor
from core.timeutil import SHANGHAI

from . import calendar
from .calendar_cli import read_year_file
from .models import Deadline, DeadlineState

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
                           errors=errors or {}, form=form or {}, labels=FORM_LABELS,
                           next_year=dt.datetime.now(SHANGHAI).year + 1), status


FORM_LABELS = {"date": _l("Date"), "kind": _l("Kind"), "name": _l("Name of the day"),
               "file": _l("Calendar file"), "replace": _l("Replace the year")}
MAX_FILE_BYTES = 256 * 1024  # a year's notice is a few kilobytes of JSON


def _import_errors(problems):
    return {"file": [_("The file cannot be loaded: nothing was saved. Correct these points and upload it again:"),
                     *problems]}


@bp.post("/admin/calendar/import")
@login_required
@accepts_files
def import_year():
    """Load a year's official calendar from the uploaded JSON file, with `flask calendar load`'s checks."""
    _admin()
    upload = request.files.get("file")
    form = {"replace": request.form.get("replace", "")}
    if upload is None or not upload.filename:
        return _admin_page(errors={"file": [_("Choose the calendar file (JSON) to upload.")]}, form=form, status=422)
    raw = upload.stream.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        return _admin_page(errors={"file": [_("The file is larger than %(kb)d KB: this is not a calendar file.",
                                              kb=MAX_FILE_BYTES // 1024)]}, form=form, status=422)
    if not raw:
        return _admin_page(errors={"file": [_("The file is empty.")]}, form=form, status=422)
    try:
        spec = read_year_file(raw)
    except calendar.CalendarFileError as exc:
        return _admin_page(errors=_import_errors(exc.problems), form=form, status=422)
    if db.session.get(calendar.CalendarYear, spec.year) is not None and form["replace"] != "yes":
        return _admin_page(errors={"replace": [_("%(year)d is already loaded: tick the box to replace its calendar "
                                                 "with this file.", year=spec.year)]}, form=form, status=422)
    result = calendar.load_year(spec, actor=current_user)
    flash(_("The official calendar of %(year)d is loaded: %(off)d day(s) off, %(work)d make-up working day(s); "
            "the calendar is now version %(version)d.", year=result.year, off=len(spec.days_off),
            work=len(spec.workdays), version=result.version))
    return redirect(url_for("calendar.admin_calendar", year=result.year))


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
    listed = db.session.get(calendar.CalendarDay, day)
    if listed is None:
        raise NotFound()
    page = confirmation_page(
        title=_("Remove %(date)s from the calendar", date=day.isoformat()),
        message=_("%(date)s becomes an ordinary day again, and the running deadlines that count it are computed "
                  "again.", date=day.isoformat()),
        details=[str(KIND_LABELS[listed.kind])] + ([listed.name] if listed.name else []),
        button=_("Remove the day"), cancel_url=url_for("calendar.admin_calendar", year=day.year))
    if page is not None:
        return page
    calendar.remove_day(current_user, day)
    flash(_("%(date)s removed; the calendar is now version %(version)d.", date=day.isoformat(),
            version=calendar.current_version()))
    return redirect(url_for("calendar.admin_calendar", year=day.year))


# --- the provisional-year warning on every staff page ---------------------------------------------------

def provisional_years() -> list[int]:
    """The years without an official calendar that running deadlines are computed on (one query).

    A provisional deadline consulted a day of such a year, and every day it consulted lies between its
    start and its due time: so the years from the earliest to the latest provisional due time, less the
    official ones, are the years to load.
    """
    try:
        first, last = db.session.execute(
            select(func.min(Deadline.due_at), func.max(Deadline.due_at))
            .where(Deadline.provisional.is_(True), Deadline.closed_at.is_(None),
                   Deadline.state.in_((DeadlineState.open, DeadlineState.breached)))).one()
    except SQLAlchemyError:  # an error page after a failed transaction: no warning rather than a second error
        return []
    if first is None:
        return []
    official = set(calendar.official_years())
    return [year for year in range(first.astimezone(SHANGHAI).year, last.astimezone(SHANGHAI).year + 1)
            if year not in official]


@bp.app_context_processor
def provisional_warning():
    """``provisional_years`` for base.html: staff only, computed at most once per request."""
    if not getattr(current_user, "is_authenticated", False) or current_user.role is Role.enterprise_user:
        return {"provisional_years": []}
    if "provisional_years" not in g:
        g.provisional_years = provisional_years()
    return {"provisional_years": g.provisional_years}
