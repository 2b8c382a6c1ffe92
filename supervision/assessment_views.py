"""The pages of the league tables, the assessment (scheme, snapshots, breakdown, records) and the bulletin."""
from decimal import Decimal

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.pages import load

from . import assessment, assessment_access as access, bulletin as bulletins
from .assessment_models import PERIOD_KIND_LABELS
from .assessment_schemas import BulletinForm, LeagueArgs, SCHEME_LABELS, SnapshotForm, scheme_form_schema
from .export import table_download
from .indicators import GROUP_LABELS, HIT_LABELS, LOWER_IS_BETTER, METHOD_LABELS, Group, Method
from .league import last_month, league_table, month_period, parse_floors, percent_text

bp = Blueprint("assessment", __name__, url_prefix="/supervision")


@bp.record_once
def _check_floors(state):
    parse_floors(state.app.config.get("LEAGUE_FLOORS", ""))  # a floor that cannot be read stops the start


@bp.app_template_global()
def assessment_cell(value, kind):
    """A figure as the pages show it: percentages with one decimal, nothing counted as a dash."""
    if value is None or value == "":
        return "—"
    if kind == "percent":
        return percent_text(Decimal(value))
    return value


def _args(schema, source):
    try:
        return load(schema, {k: v for k, v in source.items()}), {}
    except ValidationFailed as exc:
        return None, exc.errors


# --- league tables -----------------------------------------------------------------------------------------

@bp.get("/league")
@login_required
def league():
    if not access.can_view_league(current_user):
        raise NotFound()
    args, errors = _args(LeagueArgs(), request.args)
    month = (args or {}).get("month") or last_month()
    period = month_period(month)
    if period is None:
        errors = {"month": [_("Give a month as YYYY-MM, e.g. 2026-11.")]}
        month, period = last_month(), month_period(last_month())
    groups = [args["group"]] if args and args.get("group") else list(Group)
    tables = [league_table(group, period) for group in groups]
    if args and args.get("format") and not errors:
        return table_download(tables[0], args["format"])
    return render_template("supervision/league.html", tables=tables, month=month, errors=errors,
                           groups=groups, GROUP_LABELS=GROUP_LABELS), 422 if errors else 200


# --- the assessment ----------------------------------------------------------------------------------------

def _assessment_page(errors=None, form=None, status=200):
    return render_template("supervision/assessment.html", snapshots=assessment.all_snapshots(current_user),
                           scheme=assessment.current_scheme(), indicators=assessment.current_indicators(),
                           errors=errors or {}, form=form or {}, can_take=access.can_take_snapshot(current_user),
                           can_view_scheme=access.can_view_scheme(current_user), METHOD_LABELS=METHOD_LABELS, Method=Method,
                           PERIOD_KIND_LABELS=PERIOD_KIND_LABELS, period_label=assessment.period_label,
                           default_period=last_month()), status


@bp.get("/assessment")
@login_required
def assessment_home():
    if not access.can_view_assessment(current_user):
        raise NotFound()
    return _assessment_page()


@bp.post("/assessment/snapshots")
@login_required
def take_snapshot():
    if not access.can_take_snapshot(current_user):
        raise NotFound()
    try:
        data = load(SnapshotForm(), {"period_kind": request.form.get("period_kind", ""),
                                     "period": request.form.get("period", "")})
        snapshot = assessment.take_snapshot(current_user, data["period_kind"], data["period"])
    except ValidationFailed as exc:
        db.session.rollback()
        return _assessment_page(exc.errors, request.form, 422)
    flash(_("The assessment of %(period)s is taken and frozen.", period=assessment.period_label(snapshot)))
    return redirect(url_for("assessment.snapshot_page", snapshot_id=snapshot.id))


@bp.get("/assessment/snapshots/<snapshot_id>")
@login_required
def snapshot_page(snapshot_id):
    snapshot = assessment.get_snapshot(current_user, snapshot_id)
    fmt, group = request.args.get("format"), request.args.get("group")
    org = request.args.get("org")
    if org:
        org_group, result = assessment.organisation_result(snapshot, org)
        records = [(entry, assessment.records_table(snapshot, result, entry["method"]))
                   for entry in result["indicators"]]
        return render_template("supervision/assessment_breakdown.html", snapshot=snapshot, result=result,
                               group=org_group, records=records, METHOD_LABELS=METHOD_LABELS,
                               HIT_LABELS=HIT_LABELS, LOWER_IS_BETTER=LOWER_IS_BETTER, Method=Method,
                               GROUP_LABELS=GROUP_LABELS, period=assessment.period_label(snapshot))
    tables = [assessment.ranked_table(snapshot, g) for g in Group]
    if fmt:
        if fmt not in ("csv", "xlsx") or group not in {g.value for g in Group}:
            abort(404)
        return table_download(assessment.ranked_table(snapshot, Group(group)), fmt)
    return render_template("supervision/assessment_snapshot.html", snapshot=snapshot, tables=zip(Group, tables),
                           period=assessment.period_label(snapshot), METHOD_LABELS=METHOD_LABELS)


def _scheme_page(errors=None, form=None, status=200):
    if not access.can_view_scheme(current_user):
        raise NotFound()
    current = {i["method"]: i for i in assessment.current_indicators()}
    values = {}
    for method in Method:
        item = current.get(method.value)
        values[f"weight_{method.value}"] = item["weight"] if item else 0
        values[f"target_{method.value}"] = (format((Decimal(item["target"]) * 100).normalize(), "f") if item
                                            else "80")
    if form:
        values.update({k: v for k, v in form.items()})
    return render_template("supervision/assessment_scheme.html", versions=assessment.scheme_versions(),
                           values=values, errors=errors or {}, labels=SCHEME_LABELS, Method=Method,
                           METHOD_LABELS=METHOD_LABELS, LOWER_IS_BETTER=LOWER_IS_BETTER,
                           can_edit=access.can_edit_scheme(current_user)), status


@bp.get("/assessment/scheme")
@login_required
def scheme_page():
    return _scheme_page()


@bp.post("/assessment/scheme")
@login_required
def save_scheme():
    if not access.can_edit_scheme(current_user):
        raise NotFound()
    names = [f"{p}_{m.value}" for m in Method for p in ("weight", "target")]
    raw = {name: request.form.get(name, "") for name in names}
    raw["note"] = request.form.get("note", "") or None
    try:
        data = load(scheme_form_schema()(), raw)
        indicators = [{"method": m.value, "weight": data[f"weight_{m.value}"],
                       "target": data[f"target_{m.value}"] / 100} for m in Method]
        scheme = assessment.save_scheme(current_user, indicators, data.get("note"))
    except ValidationFailed as exc:
        db.session.rollback()
        return _scheme_page(exc.errors, request.form, 422)
    flash(_("Version %(version)d of the assessment scheme is saved; snapshots already taken keep theirs.",
            version=scheme.version))
    return redirect(url_for("assessment.scheme_page"))


# --- the bulletin ------------------------------------------------------------------------------------------

def _bulletins_page(errors=None, form=None, status=200):
    if not access.can_list_bulletins(current_user):
        raise NotFound()
    return render_template("supervision/bulletins.html", bulletins=bulletins.bulletins_for(current_user),
                           errors=errors or {}, form=form or {}, default_month=last_month(),
                           can_issue=access.can_issue_bulletin(current_user)), status


@bp.get("/bulletins")
@login_required
def bulletin_list():
    return _bulletins_page()


@bp.post("/bulletins")
@login_required
def issue_bulletin():
    if not access.can_issue_bulletin(current_user):
        raise NotFound()
    try:
        data = load(BulletinForm(), {"month": request.form.get("month", "")})
        issued = bulletins.issue_bulletin(current_user, data["month"])
    except ValidationFailed as exc:
        db.session.rollback()
        return _bulletins_page(exc.errors, request.form, 422)
    flash(_("The bulletin of %(month)s is issued and sent to the %(count)d organisations it names.",
            month=issued.number, count=len(issued.organisation_ids)))
    return redirect(url_for("assessment.bulletin_page", bulletin_id=issued.id))


@bp.get("/bulletins/<bulletin_id>")
@login_required
def bulletin_page(bulletin_id):
    found = bulletins.get_bulletin(current_user, bulletin_id)
    return render_template("supervision/bulletin.html", bulletin=found, title=bulletins.bulletin_title(found),
                           headline=bulletins.headline_table(found), leagues=bulletins.league_tables(found),
                           overdue=bulletins.overdue_table(found),
                           commendations=bulletins.commendation_lines(found))


@bp.get("/bulletins/<bulletin_id>/pdf")
@login_required
def bulletin_pdf(bulletin_id):
    found = bulletins.get_bulletin(current_user, bulletin_id)
    return Response(bulletins.bulletin_pdf(found), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="bulletin-{found.number}.pdf"', "Cache-Control": "no-store"})
