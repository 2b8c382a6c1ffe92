"""Accounts: organisations, users, login with throttling, sessions, API tokens and keys."""
import datetime as dt
import hashlib
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from core.audit import audit
from core.errors import PermissionDenied, TooManyRequests, ValidationFailed
from core.extensions import db
from core.models import utcnow

from .enums import ROLES_BY_KIND, OrgKind, Role, TokenKind
from .models import AuthToken, LoginFailure, Organisation, User
from .passwords import dummy_verify, hash_password, verify_password

TOKEN_PREFIX = "tsp_"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def _check_unique_org(credit_code, email):
    errors = {}
    if credit_code and db.session.scalar(select(Organisation.id).where(Organisation.credit_code == credit_code)):
        errors["credit_code"] = [_("An organisation with this credit code is already registered.")]
    if email and find_user_by_email(email):
        errors["email"] = [_("An account with this e-mail address already exists.")]
    if errors:
        raise ValidationFailed(errors)


def create_organisation(*, name, kind, district, credit_code=None, contact_person=None, phone=None, email=None):
    if credit_code:
        _check_unique_org(credit_code, None)
    org = Organisation(name=name, kind=kind, district=district, credit_code=credit_code,
                       contact_person=contact_person, phone=phone, email=email)
    db.session.add(org)
    db.session.flush()
    return org


def create_user(*, organisation, email, name, password, role, phone=None, language="zh"):
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise ValidationFailed({"role": [_("This role does not belong in this kind of organisation.")]})
    if find_user_by_email(email):
        raise ValidationFailed({"email": [_("An account with this e-mail address already exists.")]})
    user = User(organisation=organisation, email=email.strip().lower(), name=name, phone=phone,
                role=role, password_hash=hash_password(password), language=language)
    db.session.add(user)
    db.session.flush()
    return user


def register_enterprise(data: dict) -> User:
    """Self-registration: a new enterprise organisation and its first user, in one transaction."""
    _check_unique_org(data["credit_code"], data["email"])
    org = create_organisation(
        name=data["name"], kind=OrgKind.enterprise, district=data["district"], credit_code=data["credit_code"],
        contact_person=data["contact_person"], phone=data["phone"], email=data["email"],
    )
    user = create_user(organisation=org, email=data["email"], name=data["contact_person"], phone=data["phone"],
                       password=data["password"], role=Role.enterprise_user, language=data.get("language") or "zh")
    audit("enterprise.registered", actor=user, subject_type="organisation", subject_id=org.id)
    return user


# --- login and throttling -------------------------------------------------------------------

def _throttle_keys(email: str, ip: str | None) -> list[str]:
    keys = [f"account:{email.strip().lower()}"]
    if ip:
        keys.append(f"ip:{ip}")
    return keys


def check_login_allowed(email: str, ip: str | None) -> None:
    """Raise 429 once an account or an IP has had the configured number of failures in the window."""
    cfg = current_app.config
    since = utcnow() - dt.timedelta(seconds=cfg["LOGIN_THROTTLE_WINDOW_SECONDS"])
    counts = db.session.execute(
        select(LoginFailure.key, func.count()).where(
            LoginFailure.key.in_(_throttle_keys(email, ip)), LoginFailure.at > since
        ).group_by(LoginFailure.key)
    ).all()
    if any(count >= cfg["LOGIN_THROTTLE_MAX_FAILURES"] for _key, count in counts):
        raise TooManyRequests()


def authenticate(email: str, password: str, ip: str | None) -> User | None:
    """The user, or None after recording the failure (the caller commits it even though it answers 401)."""
    check_login_allowed(email, ip)
    user = find_user_by_email(email)
    if user is None:
        dummy_verify(password)
    if user is not None and user.is_active and verify_password(user.password_hash, password):
        return user
    now = utcnow()
    db.session.add_all(LoginFailure(key=key, at=now) for key in _throttle_keys(email, ip))
    # keep the table small: failures older than an hour no longer matter
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < now - dt.timedelta(hours=1)))
    audit("login.failed", actor=user, email=email.strip().lower())
    return None


# --- tokens: web sessions, API tokens, API keys -----------------------------------------------

def issue_token(user: User, kind: TokenKind, *, lifetime: dt.timedelta | None, label=None) -> tuple[str, AuthToken]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AuthToken(user=user, kind=kind, token_hash=_hash_token(raw), label=label,
                      expires_at=utcnow() + lifetime if lifetime else None)
    db.session.add(token)
    db.session.flush()
    return raw, token


def start_web_session(user: User) -> str:
    """A fresh session id at every login (the old one, if any, is simply never accepted again)."""
    raw, _token = issue_token(user, TokenKind.web_session,
                              lifetime=dt.timedelta(seconds=current_app.config["SESSION_LIFETIME_SECONDS"]))
    audit("login.succeeded", actor=user, channel="web")
    return raw


def issue_api_token(user: User) -> tuple[str, AuthToken]:
    raw, token = issue_token(user, TokenKind.api_token,
                             lifetime=dt.timedelta(seconds=current_app.config["API_TOKEN_LIFETIME_SECONDS"]))
    audit("login.succeeded", actor=user, channel="api", token_id=str(token.id))
    return raw, token


def issue_api_key(admin: User, user: User, label: str) -> tuple[str, AuthToken]:
    """Long-lived keys for an agency's own systems; only administrators create them."""
    if admin.role is not Role.admin:
        raise PermissionDenied()
    raw, token = issue_token(user, TokenKind.api_key, lifetime=None, label=label)
    audit("api_key.created", actor=admin, subject_type="user", subject_id=user.id, token_id=str(token.id))
    return raw, token


def resolve_token(raw: str | None, kinds: tuple[TokenKind, ...]) -> AuthToken | None:
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(AuthToken).where(AuthToken.token_hash == _hash_token(raw)))
    if token is None or token.kind not in kinds or not token.is_valid(utcnow()) or not token.user.is_active:
        return None
    return token


def revoke_token(token: AuthToken, actor: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit("token.revoked", actor=actor, subject_type="token", subject_id=token.id, kind=token.kind.value)


def revoke_raw_token(raw: str | None, actor: User) -> None:
    token = resolve_token(raw, tuple(TokenKind))
    if token is not None:
        revoke_token(token, actor)
