"""The administrator's rules: the organisation directory, staff users, API keys.

Each function takes the acting administrator (``actor``) and flushes; the request boundary commits. Who may
do what is decided by the named predicates below, which the pages use to show exactly the buttons that
would succeed. A new staff user gets no password from the administrator: an e-mail (through the outbox)
carries a single-use link to set one, the same mechanism as a password reset (accounts.credentials).
"""
import datetime as dt
import hashlib
import secrets
import uuid

from flask import current_app
from flask_babel import gettext as _
from marshmallow import ValidationError, fields, pre_load, validate, validates_schema
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from core.audit import audit
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.models import utcnow
from core.outbox import emit
from core.schemas import Code, EmailAddress, EnumValue, Name, StrictSchema, validate_not_blank, validate_phone

from . import credentials, services, sessions
from .credit_code import normalise
from .enums import ROLES_BY_KIND, District, OrgKind, Role, TokenKind
from .models import AuthToken, Organisation, PasswordReset, User
from .passwords import hash_password
from .schemas import credit_code_length_message, validate_credit_code

STAFF_ROLES = (Role.clerk, Role.supervisor, Role.agency_officer, Role.agency_head, Role.admin,
               Role.expert)  # an expert: in the think tank's organisation (ROLES_BY_KIND)
LIST_LIMIT = 200  # rows on one page of a list; the filters narrow it down
SETUP_LINK_SECONDS = 3 * 24 * 3600  # a new user's "set your password" link


# --- who may do what ----------------------------------------------------------------------------------

def may_administer(actor) -> bool:
    return actor is not None and getattr(actor, "role", None) is Role.admin


def role_fits_organisation(role: Role, organisation: Organisation) -> bool:
    """A role belongs only in some kinds of organisation (an agency officer in an agency, a clerk in a centre)."""
    return role in ROLES_BY_KIND.get(organisation.kind, ())


def may_disable(actor, user: User) -> bool:
    """An administrator disables any active user but themselves (nobody could then undo it)."""
    return may_administer(actor) and user.active and user.id != actor.id


def may_enable(actor, user: User) -> bool:
    return may_administer(actor) and not user.active


def may_sign_out_everywhere(actor, user: User) -> bool:
    return may_administer(actor) and user.active and user.id != actor.id


def may_revoke_key(actor, token: AuthToken) -> bool:
    return may_administer(actor) and token.kind is TokenKind.api_key and token.revoked_at is None


def may_hold_api_key(user: User) -> bool:
    """API keys act for an agency's own systems: only active agency officers hold them."""
    return user.active and user.role is Role.agency_officer


def _require_admin(actor):
    if not may_administer(actor):
        raise NotFound()


def parse_id(raw) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw)) if raw and len(str(raw)) <= 40 else None
    except ValueError:
        return None


# --- organisations ---------------------------------------------------------------------------------------

class OrganisationForm(StrictSchema):
    name = Name(column=Organisation.name, required=True, validate=validate_not_blank)
    kind = EnumValue(OrgKind, required=True)
    district = EnumValue(District, required=True)
    credit_code = Code(column=Organisation.credit_code, load_default=None, validate=validate_credit_code,
                       too_long=credit_code_length_message)
    contact_person = Name(column=Organisation.contact_person, load_default=None)
    phone = Code(column=Organisation.phone, load_default=None, validate=validate_phone)
    email = EmailAddress(column=Organisation.email, load_default=None)

    @pre_load
    def tidy(self, data, **kwargs):
        if isinstance(data, dict) and isinstance(data.get("credit_code"), str):
            data = {**data, "credit_code": normalise(data["credit_code"])}
        return data

    @validates_schema
    def enterprise_code(self, data, **kwargs):
        if data.get("kind") is OrgKind.enterprise and not data.get("credit_code"):
            raise ValidationError(_("An enterprise needs its unified social credit code."), "credit_code")


def list_organisations(actor, *, q=None, kind=None, district=None) -> list[tuple[Organisation, int]]:
    """Organisations with their number of users, filtered; at most LIST_LIMIT."""
    _require_admin(actor)
    users = (select(User.organisation_id, func.count().label("n")).group_by(User.organisation_id).subquery())
    query = (select(Organisation, func.coalesce(users.c.n, 0))
             .outerjoin(users, users.c.organisation_id == Organisation.id).order_by(Organisation.name))
    if q:
        query = query.where(Organisation.name.ilike(f"%{_like(q)}%", escape="\\"))
    if kind is not None:
        query = query.where(Organisation.kind == kind)
    if district is not None:
        query = query.where(Organisation.district == district)
    return [tuple(row) for row in db.session.execute(query.limit(LIST_LIMIT))]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _get(actor, model, raw_id, *, kind=None):
    """The row of ``model`` with the id in a URL, or 404 (a malformed id too)."""
    _require_admin(actor)
    row_id = parse_id(raw_id)
    row = db.session.get(model, row_id) if row_id else None
    if row is None or (kind is not None and row.kind is not kind):
        raise NotFound()
    return row


def get_organisation(actor, raw_id) -> Organisation:
    return _get(actor, Organisation, raw_id)


def _check_organisation(data: dict, org: Organisation | None) -> None:
    errors = {}
    code = data.get("credit_code")
    if code:
        other = db.session.scalar(select(Organisation.id).where(Organisation.credit_code == code))
        if other is not None and (org is None or other != org.id):
            errors["credit_code"] = [_("An organisation with this credit code is already registered.")]
    same_name = select(Organisation.id).where(func.lower(Organisation.name) == data["name"].lower(),
                                              Organisation.kind == data["kind"])
    if org is not None:
        same_name = same_name.where(Organisation.id != org.id)
    if db.session.scalar(same_name.limit(1)) is not None:
        errors["name"] = [_("An organisation of this kind already has this name.")]
    if org is not None and data["kind"] is not org.kind:
        misfits = db.session.scalar(select(func.count()).select_from(User).where(
            User.organisation_id == org.id, User.role.not_in(ROLES_BY_KIND[data["kind"]])))
        if misfits:
            errors["kind"] = [_("%(num)d user(s) of this organisation have a role that does not belong in this "
                                "kind of organisation.", num=misfits)]
    if errors:
        raise ValidationFailed(errors)


def _save(apply, field="credit_code"):
    """Flush ``apply()`` in a savepoint: a unique value taken at this very moment is a field error, not a 500."""
    try:
        with db.session.begin_nested():
            return apply()
    except IntegrityError:
        raise ValidationFailed({field: [_("An organisation with this credit code is already registered.")]}) from None


def create_organisation(actor, data: dict) -> Organisation:
    _require_admin(actor)
    _check_organisation(data, None)

    def apply():
        org = Organisation(**data)
        db.session.add(org)
        db.session.flush()
        return org

    org = _save(apply)
    audit("organisation.created", actor=actor, subject_type="organisation", subject_id=org.id)
    return org


def update_organisation(actor, org: Organisation, data: dict) -> Organisation:
    _require_admin(actor)
    _check_organisation(data, org)
    changed = sorted(k for k, v in data.items() if getattr(org, k) != v)

    def apply():
        for key, value in data.items():
            setattr(org, key, value)
        db.session.flush()

    _save(apply)
    if changed:
        audit("organisation.changed", actor=actor, subject_type="organisation", subject_id=org.id, changed=changed)
    return org


# --- users -----------------------------------------------------------------------------------------------

class StaffUserForm(StrictSchema):
    name = Name(column=User.name, required=True, validate=validate_not_blank)
    email = EmailAddress(column=User.email, required=True)
    phone = Code(column=User.phone, load_default=None, validate=validate_phone)
    role = EnumValue(Role, required=True)
    organisation = fields.UUID(required=True)
    language = fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]))


def list_users(actor, *, q=None, organisation_id=None, role=None) -> list[User]:
    _require_admin(actor)
    query = select(User).order_by(User.name, User.email)
    if q:
        pattern = f"%{_like(q.lower())}%"
        query = query.where(or_(func.lower(User.name).like(pattern, escape="\\"),
                                User.email.like(pattern, escape="\\")))
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    if role is not None:
        query = query.where(User.role == role)
    return db.session.scalars(query.limit(LIST_LIMIT)).unique().all()


def staff_organisations(actor) -> list[Organisation]:
    """The organisations a staff user may be created in (every kind but enterprises)."""
    _require_admin(actor)
    return db.session.scalars(select(Organisation).where(Organisation.kind != OrgKind.enterprise)
                              .order_by(Organisation.name)).all()


def get_user(actor, raw_id) -> User:
    return _get(actor, User, raw_id)


def create_staff_user(actor, data: dict) -> User:
    """A staff user in an organisation whose kind fits the role, sent a link to set their own password."""
    _require_admin(actor)
    errors = {}
    org = db.session.get(Organisation, data["organisation"])
    if org is None:
        errors["organisation"] = [_("Choose an organisation from the list.")]
    if data["role"] not in STAFF_ROLES:
        errors["role"] = [_("Enterprise users register their enterprise themselves or are invited by a colleague.")]
    elif org is not None and not role_fits_organisation(data["role"], org):
        errors["role"] = [_("This role does not belong in this kind of organisation.")]
    if services.find_user_by_email(data["email"]) is not None:
        errors["email"] = [_("An account with this e-mail address already exists.")]
    if errors:
        raise ValidationFailed(errors)
    try:
        with db.session.begin_nested():
            # nobody knows this password: the user sets their own through the link
            user = User(organisation=org, email=services.normalise_email(data["email"]), name=data["name"],
                        phone=data.get("phone"), role=data["role"], language=data["language"],
                        password_hash=hash_password(secrets.token_urlsafe(32)))
            db.session.add(user)
            db.session.flush()
    except IntegrityError:  # the same address created at this moment
        raise ValidationFailed({"email": [_("An account with this e-mail address already exists.")]}) from None
    audit("user.created", actor=actor, subject_type="user", subject_id=user.id, role=user.role.value)
    send_setup_link(actor, user)
    return user


def send_setup_link(actor, user: User) -> None:
    """A single-use link to set a password (a PasswordReset row: the reset page sets it), by e-mail only."""
    _require_admin(actor)
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    lifetime = dt.timedelta(seconds=current_app.config.get("ACCOUNT_SETUP_SECONDS", SETUP_LINK_SECONDS))
    db.session.add(PasswordReset(user_id=user.id, token_hash=hashlib.sha256(raw.encode()).hexdigest(),
                                 created_at=now, expires_at=now + lifetime))
    db.session.flush()
    emit("account.setup", user_ids=[user.id], url=f"/password/reset/{raw}",
         params={"days": int(lifetime.total_seconds() // 86400), "organisation": user.organisation.name})
    audit("user.setup_link_sent", actor=actor, subject_type="user", subject_id=user.id)


def disable_user(actor, user: User) -> None:
    """The user can no longer sign in; every session, API token and API key of theirs ends."""
    if not may_disable(actor, user):
        raise ValidationFailed({"_schema": [_("You cannot disable your own account.")]}) if (
            may_administer(actor) and user.id == actor.id) else NotFound()
    credentials.set_active(user, False, actor=actor)


def enable_user(actor, user: User) -> None:
    if not may_enable(actor, user):
        raise NotFound()
    credentials.set_active(user, True, actor=actor)


def sign_out_everywhere(actor, user: User) -> int:
    """End every web session and API token of the user (as /account/sign-out-everywhere does); keys stay."""
    if not may_sign_out_everywhere(actor, user):
        raise NotFound()
    count = sessions.revoke_all(user, reason="sign_out_everywhere_by_admin")
    audit("user.signed_out_everywhere", actor=actor, subject_type="user", subject_id=user.id, count=count)
    return count


# --- API keys --------------------------------------------------------------------------------------------

RATE_LIMIT_MAX = 1_000_000


def rate_limit_field(strict=True, **kwargs):
    """An API key's own limit of requests per minute (empty: the configured default)."""
    if not kwargs.get("required"):
        kwargs["load_default"] = None
    return fields.Integer(allow_none=True, strict=strict, validate=validate.Range(min=1, max=RATE_LIMIT_MAX), **kwargs)


class ApiKeyForm(StrictSchema):
    user = fields.UUID(required=True)
    label = Name(column=AuthToken.label, required=True, validate=validate_not_blank)
    rate_limit = rate_limit_field(strict=False)


class RateLimitForm(StrictSchema):
    rate_limit = rate_limit_field(strict=False)


def list_api_keys(actor) -> list[AuthToken]:
    _require_admin(actor)
    return db.session.scalars(select(AuthToken).where(AuthToken.kind == TokenKind.api_key)
                              .order_by(AuthToken.revoked_at.is_not(None), AuthToken.created_at.desc())
                              .limit(LIST_LIMIT)).all()


def key_holders(actor) -> list[User]:
    """The users a key may be made for."""
    _require_admin(actor)
    return db.session.scalars(select(User).where(User.role == Role.agency_officer, User.active.is_(True))
                              .order_by(User.name, User.email)).unique().all()


def create_api_key(actor, data: dict) -> tuple[str, AuthToken]:
    """A long-lived key for an agency officer's systems; the raw key is returned once, only its hash kept."""
    _require_admin(actor)
    user = db.session.get(User, data["user"])
    if user is None or not may_hold_api_key(user):
        raise ValidationFailed({"user": [_("Choose an active agency officer from the list.")]})
    raw, token = services.issue_api_key(actor, user, data["label"])
    token.rate_limit = data.get("rate_limit")
    return raw, token


def get_api_key(actor, raw_id) -> AuthToken:
    return _get(actor, AuthToken, raw_id, kind=TokenKind.api_key)


def set_rate_limit(actor, token: AuthToken, rate_limit: int | None) -> AuthToken:
    """The key's own limit of requests per minute (None: the configured default again), from its next request on."""
    if not may_revoke_key(actor, token):  # a key in use, by an administrator
        raise NotFound()
    before = token.rate_limit
    token.rate_limit = rate_limit
    audit("api_key.rate_limit_set", actor=actor, subject_type="user", subject_id=token.user_id,
          token_id=str(token.id), before=before, after=rate_limit)
    db.session.flush()
    return token


def revoke_api_key(actor, token: AuthToken) -> None:
    if not may_revoke_key(actor, token):
        raise NotFound()
    services.revoke_token(token, actor)


# --- the home page ---------------------------------------------------------------------------------------

def counts(actor) -> dict:
    """What the administrator's home page counts (one query per figure, each a COUNT)."""
    _require_admin(actor)

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    return {"organisations": count(Organisation), "users": count(User),
            "disabled_users": count(User, User.active.is_(False)),
            "api_keys": count(AuthToken, AuthToken.kind == TokenKind.api_key, AuthToken.revoked_at.is_(None))}
