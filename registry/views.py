"""The registry's pages: demonstration bases (/registry/bases), the think tank (/registry/experts, inviting
experts to a consultation), an expert's own start page (/expert), the talent pool (/registry/talent) and the
staffing of a key case. Thin: parse with the API's schema, call one service, render."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.directory import agency_directory
from accounts.enums import Role
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.limits import page_arg
from core.pages import load, only, posted
from core.pagination import Pages
from routing.consultations import get_visible_consultation
from routing.presenters import LABELS as ROUTING_LABELS

from . import access, bases, experts, talent
from .schemas import (BaseFilters, BaseRequest, ExpertCreateRequest, ExpertFilters, ExpertRequest, InviteExpertsRequest,
                      OfficerFilters, StaffRequest, TagRequest)

bp = Blueprint("registry", __name__)
PER_PAGE = 50
FILTERS = ("kind", "district", "industry", "status", "q")


@bp.context_processor
def _labels():
    return ROUTING_LABELS  # the consultations' states on an expert's page


def _args(names):
    return {name: request.args.get(name, "").strip()[:200] for name in names if request.args.get(name, "").strip()}


# --- demonstration bases ------------------------------------------------------------------------------------

def _base_filters():
    """The list's filters from the query string, loaded with the API's schema (a bad one: 422 with its error)."""
    raw = _args(FILTERS)
    return raw, load(BaseFilters(), raw)


@bp.get("/registry/bases")
@login_required
def bases_page():
    if not access.can_view_bases(current_user):
        raise NotFound()
    errors, status = {}, 200
    try:
        raw, filters = _base_filters()
    except ValidationFailed as exc:
        raw, filters, errors, status = _args(FILTERS), {}, exc.errors, 422
    page = page_arg()
    found = bases.list_bases(current_user, Pages(page, PER_PAGE), **filters)
    return render_template("registry/bases.html", found=found, counts=bases.complaint_counts(found.items),
                           targets=bases.target_table(current_user), zones=bases.zone_table(current_user),
                           filters=raw, errors=errors, page=page, per_page=PER_PAGE,
                           can_manage=access.can_manage_bases(current_user)), status


def _base_form(base=None, errors=None, values=None, status=200):
    return render_template("registry/base_form.html", base=base, errors=errors or {}, values=values or {},
                           centres=bases.centres(), can_manage=access.can_manage_bases(current_user),
                           complaints=bases.complaint_counts([base])[base.id] if base is not None else None), status


BASE_FIELDS = ("kind", "name", "district", "host_name", "host_credit_code", "industry", "status", "centre_id")


@bp.get("/registry/bases/new")
@login_required
def new_base():
    if not access.can_manage_bases(current_user):
        raise NotFound()
    return _base_form()


@bp.post("/registry/bases")
@login_required
def create_base():
    if not access.can_manage_bases(current_user):
        raise NotFound()
    values = posted(*BASE_FIELDS)
    try:
        base = bases.create_base(current_user, load(BaseRequest(), values))
    except ValidationFailed as exc:
        db.session.rollback()
        return _base_form(errors=exc.errors, values=values, status=422)
    flash(_("The base %(name)s has been registered.", name=base.name))
    return redirect(url_for("registry.base_page", base_id=base.id))


@bp.get("/registry/bases/<base_id>")
@login_required
def base_page(base_id):
    return _base_form(bases.get_visible_base(current_user, base_id))


@bp.post("/registry/bases/<base_id>")
@login_required
def update_base(base_id):
    base = bases.get_visible_base(current_user, base_id)
    if not access.can_manage_bases(current_user):
        raise NotFound()
    values = posted(*BASE_FIELDS)
    try:
        bases.update_base(current_user, base, load(BaseRequest(), values))
    except ValidationFailed as exc:
        db.session.rollback()
        return _base_form(bases.get_visible_base(current_user, base_id), errors=exc.errors, values=values, status=422)
    flash(_("The base %(name)s has been saved.", name=base.name))
    return redirect(url_for("registry.base_page", base_id=base.id))


# --- the think tank --------------------------------------------------------------------------------------

EXPERT_FIELDS = ("kind", "affiliation", "expertise")
CONFLICT_ROWS = 3


def _conflict_rows():
    rows = []
    for i in range(20):  # at most the schema's 20 rows
        row = {k: request.form.get(f"conflicts-{i}-{k}", "").strip() for k in ("name", "credit_code", "note")}
        if any(row.values()):
            rows.append({k: v for k, v in row.items() if v})
    return rows


def _experts_page(errors=None, values=None, status=200):
    page = page_arg()
    raw = _args(("kind", "q"))
    try:
        wanted = load(ExpertFilters(), raw)
    except ValidationFailed as exc:
        wanted, errors, status = {"kind": None, "q": None}, {**(errors or {}), **exc.errors}, 422
    found = experts.list_experts(current_user, Pages(page, PER_PAGE), **wanted)
    can_manage = access.can_manage_experts(current_user)
    return render_template("registry/experts.html", found=found, page=page, per_page=PER_PAGE, q=raw.get("q", ""),
                           kind=raw.get("kind", ""), can_manage=can_manage,
                           accounts=experts.unprofiled_experts() if can_manage else [],
                           errors=errors or {}, values=values or {}, rows=range(CONFLICT_ROWS)), status


@bp.get("/registry/experts")
@login_required
def experts_page():
    if not access.can_view_experts(current_user):
        raise NotFound()
    return _experts_page()


@bp.post("/registry/experts")
@login_required
def create_expert():
    if not access.can_manage_experts(current_user):
        raise NotFound()
    values = posted("user_id", *EXPERT_FIELDS)
    try:
        expert = experts.create_expert(current_user, load(ExpertCreateRequest(), {**values,
                                                                                  "conflicts": _conflict_rows()}))
    except ValidationFailed as exc:
        db.session.rollback()
        return _experts_page(exc.errors, values, 422)
    flash(_("The profile of %(name)s has been saved.", name=expert.user.name))
    return redirect(url_for("registry.expert_page", expert_id=expert.user_id))


def _expert_form(expert, errors=None, values=None, status=200):
    return render_template("registry/expert.html", expert=expert, errors=errors or {}, values=values or {},
                           can_manage=access.can_manage_experts(current_user),
                           rows=range(max(len(expert.conflicts) + 1, CONFLICT_ROWS))), status


@bp.get("/registry/experts/<expert_id>")
@login_required
def expert_page(expert_id):
    return _expert_form(experts.get_visible_expert(current_user, expert_id))


@bp.post("/registry/experts/<expert_id>")
@login_required
def update_expert(expert_id):
    expert = experts.get_visible_expert(current_user, expert_id)
    if not access.can_manage_experts(current_user):
        raise NotFound()
    values = posted(*EXPERT_FIELDS)
    try:
        experts.update_expert(current_user, expert, load(ExpertRequest(), {**values, "conflicts": _conflict_rows()}))
    except ValidationFailed as exc:
        db.session.rollback()
        return _expert_form(experts.get_visible_expert(current_user, expert_id), exc.errors, values, 422)
    flash(_("The profile of %(name)s has been saved.", name=expert.user.name))
    return redirect(url_for("registry.expert_page", expert_id=expert.user_id))


def _invite_page(consultation, errors=None, status=200, failure=None):
    return render_template("registry/invite_experts.html", consultation=consultation,
                           candidates=experts.invitable_experts(consultation), errors=errors or {}, failure=failure,
                           can_invite=access.can_invite_experts(current_user, consultation)), status


@bp.get("/registry/consultations/<consultation_id>/experts")
@login_required
def invite_page(consultation_id):
    only(Role.clerk, Role.supervisor)
    return _invite_page(get_visible_consultation(current_user, consultation_id))


@bp.post("/registry/consultations/<consultation_id>/experts")
@login_required
def invite_experts(consultation_id):
    only(Role.clerk, Role.supervisor)
    consultation = get_visible_consultation(current_user, consultation_id)
    try:
        ids = load(InviteExpertsRequest(), {"expert_ids": request.form.getlist("expert_ids")})["expert_ids"]
        experts.invite(current_user, consultation, ids)
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        consultation = get_visible_consultation(current_user, consultation_id)
        return _invite_page(consultation, getattr(exc, "errors", None) or {}, exc.status, failure=exc)
    flash(_("The experts have been invited; they see the consultation when they sign in."))
    return redirect(url_for("centre.consultation_page", consultation_id=consultation.id))


@bp.get("/expert")
@login_required
def expert_home():
    """An expert's start page: the consultations it is invited to."""
    if not access.is_expert(current_user):
        raise NotFound()
    return render_template("registry/expert_home.html", invitations=experts.own_invitations(current_user))


# --- the talent pool --------------------------------------------------------------------------------------

def _talent_page(errors=None, status=200, tagged=None):
    page = page_arg()
    filters = _args(("tag", "q", "agency_id"))
    try:
        wanted = load(OfficerFilters(), filters)
    except ValidationFailed as exc:
        wanted, errors, status = {"tag": None, "q": None, "agency_id": None}, {**(errors or {}), **exc.errors}, 422
    found = talent.search_officers(current_user, Pages(page, PER_PAGE), **wanted)
    return render_template("registry/talent.html", found=found, filters=filters, page=page, per_page=PER_PAGE,
                           agencies=agency_directory() if current_user.role is Role.supervisor else [],
                           errors=errors or {}, tagged=tagged,
                           can_tag={r["officer"].id: access.can_tag_officer(current_user, r["officer"])
                                    for r in found.items}), status


@bp.get("/registry/talent")
@login_required
def talent_page():
    if not access.can_view_talent(current_user):
        raise NotFound()
    return _talent_page()


@bp.post("/registry/talent/<officer_id>/tags")
@login_required
def add_tag(officer_id):
    officer = talent.get_visible_officer(current_user, officer_id)
    try:
        data = load(TagRequest(), posted("tag"))
        if request.form.get("remove"):
            talent.remove_tag(current_user, officer, data["tag"])
        else:
            talent.add_tag(current_user, officer, data["tag"])
    except ValidationFailed as exc:
        db.session.rollback()
        return _talent_page(exc.errors, 422, tagged=officer.id)
    flash(_("The talent pool has been updated."))
    return redirect(url_for("registry.talent_page"))


@bp.get("/registry/key-cases/<supervision_id>/staff")
@login_required
def staff_page(supervision_id, errors=None, status=200):
    supervision = talent.get_supervision(current_user, supervision_id)
    filters = _args(("tag", "q"))
    try:
        wanted = load(OfficerFilters(), filters)
    except ValidationFailed as exc:
        wanted, errors, status = {"tag": None, "q": None, "agency_id": None}, {**(errors or {}), **exc.errors}, 422
    found = talent.search_officers(current_user, Pages(1, PER_PAGE), **wanted)
    return render_template("registry/staff.html", supervision=supervision, staff=talent.staff_of(supervision),
                           found=found, filters=filters, errors=errors or {},
                           can_staff=access.can_staff(current_user, supervision)), status


@bp.post("/registry/key-cases/<supervision_id>/staff")
@login_required
def staff(supervision_id):
    supervision = talent.get_supervision(current_user, supervision_id)
    try:
        ids = load(StaffRequest(), {"officer_ids": request.form.getlist("officer_ids")})["officer_ids"]
        talent.staff(current_user, supervision, ids)
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        return staff_page(supervision_id, getattr(exc, "errors", None) or {"officer_ids": [str(exc.message)]},
                          exc.status)
    flash(_("The officers have been assigned to the key case."))
    return redirect(url_for("registry.staff_page", supervision_id=supervision.id))
