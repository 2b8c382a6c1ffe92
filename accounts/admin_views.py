"""The administrator's pages: a home with counts, the organisation directory, staff users, API keys.

Every page answers 404 to anyone but an administrator (as the calendar, rule and delivery pages do). The
rules are in accounts.admin_services; these views parse the form, call one service and render.
"""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required

from core.confirm import confirmation_page
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.pages import load, only, posted
from core.schemas import EnumValue, Name, StrictSchema

from . import admin_services as svc, rate_limit
from .enums import District, OrgKind, Role

bp = Blueprint("admin", __name__, url_prefix="/admin")

ORG_FIELDS = ("name", "kind", "district", "credit_code", "contact_person", "phone", "email")
ORG_LABELS = {"name": _l("Name"), "kind": _l("Kind"), "district": _l("District"),
              "credit_code": _l("Unified social credit code"), "contact_person": _l("Contact person"),
              "phone": _l("Phone"), "email": _l("E-mail address")}
USER_FIELDS = ("name", "email", "phone", "role", "organisation", "language")
USER_LABELS = {"name": _l("Name"), "email": _l("E-mail address"), "phone": _l("Phone"), "role": _l("Role"),
               "organisation": _l("Organisation"), "language": _l("Language")}
KEY_LABELS = {"user": _l("Agency officer"), "label": _l("Label"), "rate_limit": _l("Requests per minute")}
FILTER_LABELS = {"q": _l("Search"), "kind": _l("Kind"), "district": _l("District"), "role": _l("Role"),
                 "organisation": _l("Organisation")}
LANGUAGES = {"zh": _l("Chinese"), "en": _l("English")}


class OrganisationFilter(StrictSchema):
    q = Name(max_length=100)
    kind = EnumValue(OrgKind)
    district = EnumValue(District)


class UserFilterSchema(StrictSchema):
    q = Name(max_length=100)
    role = EnumValue(Role)
    organisation = Name(max_length=40)


def _admin():
    only(Role.admin)
    return current_user._get_current_object()


def _filters(schema, names):
    args = {name: request.args.get(name, "").strip() for name in names}
    try:
        return load(schema, {k: v for k, v in args.items() if v}), args, {}
    except ValidationFailed as exc:
        return {}, args, exc.errors


@bp.before_request
@login_required
def _only_admins():
    only(Role.admin)


@bp.get("")
def home():
    return render_template("admin/home.html", counts=svc.counts(_admin()))


# --- organisations ---------------------------------------------------------------------------------------

@bp.get("/organisations")
def organisations():
    actor = _admin()
    args, form, errors = _filters(OrganisationFilter(), ("q", "kind", "district"))
    rows = svc.list_organisations(actor, **args) if not errors else []
    return render_template("admin/organisations.html", rows=rows, form=form, errors=errors, labels=FILTER_LABELS,
                           limit=svc.LIST_LIMIT), 422 if errors else 200


def _organisation_form(org=None):
    actor = _admin()
    if request.method == "GET":
        return render_template("admin/organisation_form.html", org=org, form={}, errors={}, labels=ORG_LABELS)
    form = posted(*ORG_FIELDS)
    try:
        data = load(svc.OrganisationForm(), form)
        if org is None:
            org = svc.create_organisation(actor, data)
            flash(_("The organisation %(name)s is created.", name=org.name))
        else:
            svc.update_organisation(actor, org, data)
            flash(_("The organisation %(name)s is saved.", name=org.name))
    except ValidationFailed as exc:
        db.session.rollback()
        return render_template("admin/organisation_form.html", org=org if org and org.id else None, form=form,
                               errors=exc.errors, labels=ORG_LABELS), 422
    return redirect(url_for("admin.organisations"))


@bp.route("/organisations/new", methods=["GET", "POST"])
def new_organisation():
    return _organisation_form()


@bp.route("/organisations/<org_id>", methods=["GET", "POST"])
def edit_organisation(org_id):
    return _organisation_form(svc.get_organisation(_admin(), org_id))


# --- users -----------------------------------------------------------------------------------------------

def _all_organisations():
    return svc.staff_organisations(_admin())


@bp.get("/users")
def users():
    actor = _admin()
    args, form, errors = _filters(UserFilterSchema(), ("q", "role", "organisation"))
    if "organisation" in args:
        org_id = svc.parse_id(args.pop("organisation"))
        if org_id is None:
            errors = {**errors, "organisation": [_("Choose an organisation from the list.")]}
        args["organisation_id"] = org_id
    rows = svc.list_users(actor, **args) if not errors else []
    return render_template("admin/users.html", rows=rows, form=form, errors=errors, labels=FILTER_LABELS,
                           organisations=_all_organisations(), limit=svc.LIST_LIMIT), 422 if errors else 200


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    actor = _admin()
    form, errors = {}, {}
    if request.method == "POST":
        form = posted(*USER_FIELDS)
        try:
            user = svc.create_staff_user(actor, load(svc.StaffUserForm(), form))
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            flash(_("%(name)s is created and receives an e-mail with a link to set a password.", name=user.name))
            return redirect(url_for("admin.user", user_id=user.id))
    else:
        form = {"organisation": request.args.get("organisation", "")[:40]}
    return render_template("admin/user_form.html", form=form, errors=errors, labels=USER_LABELS,
                           organisations=_all_organisations(), roles=svc.STAFF_ROLES,
                           languages=LANGUAGES), 422 if errors else 200


@bp.get("/users/<user_id>")
def user(user_id):
    actor = _admin()
    return render_template("admin/user.html", user=svc.get_user(actor, user_id), svc=svc, actor=actor,
                           languages=LANGUAGES)


@bp.post("/users/<user_id>/disable")
def disable_user(user_id):
    actor = _admin()
    target = svc.get_user(actor, user_id)
    if not svc.may_disable(actor, target):
        svc.disable_user(actor, target)  # raises the reason (404, or: not yourself)
    page = confirmation_page(
        title=_("Disable %(name)s", name=target.name),
        message=_("%(name)s can no longer sign in; every session, API token and API key of this user ends at "
                  "once. You can enable the user again later; their keys stay revoked.", name=target.name),
        button=_("Disable the user"), cancel_url=url_for("admin.user", user_id=target.id))
    if page is not None:
        return page
    svc.disable_user(actor, target)
    flash(_("%(name)s is disabled.", name=target.name))
    return redirect(url_for("admin.user", user_id=target.id))


@bp.post("/users/<user_id>/enable")
def enable_user(user_id):
    actor = _admin()
    target = svc.get_user(actor, user_id)
    svc.enable_user(actor, target)
    flash(_("%(name)s is enabled and can sign in again.", name=target.name))
    return redirect(url_for("admin.user", user_id=target.id))


@bp.post("/users/<user_id>/sign-out-everywhere")
def sign_out_user(user_id):
    actor = _admin()
    target = svc.get_user(actor, user_id)
    if not svc.may_sign_out_everywhere(actor, target):
        svc.sign_out_everywhere(actor, target)  # raises
    page = confirmation_page(
        title=_("Sign %(name)s out everywhere", name=target.name),
        message=_("Every web session and API token of %(name)s ends; the user must sign in again. The API keys "
                  "of the user keep working.", name=target.name),
        button=_("Sign out everywhere"), cancel_url=url_for("admin.user", user_id=target.id))
    if page is not None:
        return page
    count = svc.sign_out_everywhere(actor, target)
    flash(_("%(name)s is signed out everywhere (%(num)d session(s) ended).", name=target.name, num=count))
    return redirect(url_for("admin.user", user_id=target.id))


@bp.post("/users/<user_id>/setup-link")
def send_setup_link(user_id):
    actor = _admin()
    target = svc.get_user(actor, user_id)
    if not target.active:
        raise NotFound()
    svc.send_setup_link(actor, target)
    flash(_("A link to set a password is sent to %(email)s.", email=target.email))
    return redirect(url_for("admin.user", user_id=target.id))


# --- API keys --------------------------------------------------------------------------------------------

def _keys_page(form=None, errors=None, created=None, raw=None, status=200):
    actor = _admin()
    response = render_template("admin/api_keys.html", keys=svc.list_api_keys(actor), holders=svc.key_holders(actor),
                               form=form or {}, errors=errors or {}, labels=KEY_LABELS, created=created, raw=raw,
                               svc=svc, actor=actor, default_rate_limit=current_app.config["API_KEY_RATE_LIMIT"])
    return response, status, {"Cache-Control": "no-store"}


@bp.get("/api-keys")
def api_keys():
    return _keys_page()


@bp.post("/api-keys")
def create_api_key():
    actor = _admin()
    form = posted("user", "label", "rate_limit")
    try:
        raw, token = svc.create_api_key(actor, load(svc.ApiKeyForm(), form))
    except ValidationFailed as exc:
        db.session.rollback()
        return _keys_page(form=form, errors=exc.errors, status=422)
    return _keys_page(created=token, raw=raw)  # the only time the key is shown


@bp.post("/api-keys/<key_id>/rate-limit")
def set_api_key_rate_limit(key_id):
    """The key's own request limit (empty: the configured default)."""
    actor = _admin()
    token = svc.get_api_key(actor, key_id)
    form = posted("rate_limit")
    try:
        svc.set_rate_limit(actor, token, load(svc.RateLimitForm(), form)["rate_limit"])
    except ValidationFailed as exc:
        db.session.rollback()
        return _keys_page(form={**form, "key": str(token.id)}, errors=exc.errors, status=422)
    flash(_("The API key %(label)s may make %(count)d requests a minute.", label=token.label or "",
            count=rate_limit.limit_of(token)))
    return redirect(url_for("admin.api_keys"))


@bp.post("/api-keys/<key_id>/revoke")
def revoke_api_key(key_id):
    actor = _admin()
    token = svc.get_api_key(actor, key_id)
    if not svc.may_revoke_key(actor, token):
        svc.revoke_api_key(actor, token)  # raises 404: already revoked
    page = confirmation_page(
        title=_("Revoke the API key %(label)s", label=token.label or ""),
        message=_("The systems using this key (for %(name)s) are refused from now on.", name=token.user.name),
        button=_("Revoke the key"), cancel_url=url_for("admin.api_keys"))
    if page is not None:
        return page
    svc.revoke_api_key(actor, token)
    flash(_("The API key %(label)s is revoked.", label=token.label or ""))
    return redirect(url_for("admin.api_keys"))
