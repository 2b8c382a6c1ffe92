"""Accounts: organisations, users, login with throttling, sessions, API tokens and keys."""
import datetime as dt
import hashlib
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from core.audit import audit
from core.errors import Conflict, NotFound, PermissionDenied, TooManyRequests, ValidationFailed
from core.extensions import db
from core.outbox import emit
from core.models import utcnow

from .enums import ROLES_BY_KIND, OrgKind, Role, TokenKind
from . import throttle
from .models import AuthToken, Organisation, PendingRegistration, User
from .passwords import dummy_verify, hash_password, verify_password

TOKEN_PREFIX = "tsp_"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def find_user_by_email(email: str) -> User | None:
    email = normalise_email(email)
    if not plausible_email(email):  # never sent to the database: no 10 MiB parameter, no NUL on PostgreSQL
        return None
    return db.session.scalar(select(User).where(User.email == email))


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
    first = organisation.kind is OrgKind.enterprise and db.session.scalar(
        select(User.id).where(User.organisation_id == organisation.id).limit(1)) is None
    user = User(organisation=organisation, email=email.strip().lower(), name=name, phone=phone,
                role=role, password_hash=hash_password(password), language=language, first_of_enterprise=first)
    db.session.add(user)
    db.session.flush()
    return user


def _registration_throttle(email: str, ip: str | None) -> None:
    cfg = current_app.config
    keys = [throttle.key("regmail", email)] + ([throttle.key("regip", ip)] if ip else [])
    counts = throttle.reserve(keys, cfg["REGISTRATION_THROTTLE_WINDOW_SECONDS"])
    if any(count > cfg["REGISTRATION_THROTTLE_MAX"] for count in counts.values()):
        raise TooManyRequests(_("Too many registrations from here or for this e-mail address; try again in an hour."))


def request_registration(data: dict, ip: str | None) -> None:
    """Self-registration, step one: the same answer whoever asks, the truth only in an e-mail.

    Throttled per address and per e-mail address (429). Then one e-mail to the address given, through
    the outbox: a single-use confirmation link (the registration waits in PendingRegistration, only
    the token's hash and the password's hash stored) if neither the address nor the credit code is
    known; else a message saying the address already has an account, or that the organisation does
    (nothing is kept). Nothing in the answer, nor in its timing (the password is always hashed),
    tells which case it was.
    """
    email = normalise_email(data["email"])
    _registration_throttle(email, ip)
    password_hash = hash_password(data["password"])
    now = utcnow()
    params = {"email_to": email, "language": data.get("language") or "zh", "name": data["name"],
              "credit_code": data["credit_code"]}
    if find_user_by_email(email) is not None:
        emit("registration.account_exists", params=params, url="/login")
        audit("registration.refused", reason="account_exists", email=email_for_audit(email))
        return
    if db.session.scalar(select(Organisation.id).where(Organisation.credit_code == data["credit_code"])):
        emit("registration.organisation_exists", params=params, url="/login")
        audit("registration.refused", reason="organisation_exists", email=email_for_audit(email))
        return
    raw = secrets.token_urlsafe(32)
    expires_at = now + dt.timedelta(seconds=current_app.config["REGISTRATION_LINK_LIFETIME_SECONDS"])
    db.session.add(PendingRegistration(
        token_hash=_hash_token(raw), email=email, credit_code=data["credit_code"], name=data["name"],
        district=data["district"], contact_person=data["contact_person"], phone=data["phone"],
        language=params["language"], password_hash=password_hash, created_at=now, expires_at=expires_at))
    db.session.flush()
    emit("registration.confirm", params={**params, "expires_at": expires_at.isoformat()},
         url=f"/register/confirm/{raw}")
    audit("registration.requested", email=email)
    if secrets.randbelow(50) == 0:  # now and then, forget registrations never confirmed
        db.session.execute(delete(PendingRegistration).where(
            PendingRegistration.expires_at < now - dt.timedelta(days=1)))


def find_pending_registration(raw: str | None) -> PendingRegistration | None:
    """The registration a confirmation link stands for, while the link is unused and unexpired."""
    if not isinstance(raw, str) or not 20 <= len(raw) <= 100:
        return None
    pending = db.session.scalar(select(PendingRegistration).where(PendingRegistration.token_hash == _hash_token(raw)))
    if pending is None or pending.used_at is not None or pending.expires_at <= utcnow():
        return None
    return pending


def confirm_registration(raw: str | None) -> User:
    """Self-registration, step two (the e-mail's link): the enterprise and its first user, once.

    The link is used up by one conditional UPDATE, so two confirmations at once create one account.
    Unknown, used or expired link: 404. The address or the code taken meanwhile: 409, nothing created.
    """
    pending = find_pending_registration(raw)
    now = utcnow()
    if pending is None or db.session.execute(
            update(PendingRegistration)
            .where(PendingRegistration.id == pending.id, PendingRegistration.used_at.is_(None),
                   PendingRegistration.expires_at > now)
            .values(used_at=now).execution_options(synchronize_session=False)).rowcount != 1:
        raise NotFound(_("This confirmation link is unknown, used or expired. Register again."))
    taken = Conflict(_("This e-mail address or this enterprise already has an account. Sign in, or ask the "
                       "existing user of your organisation."))
    if find_user_by_email(pending.email) is not None or db.session.scalar(
            select(Organisation.id).where(Organisation.credit_code == pending.credit_code)):
        raise taken
    try:
        with db.session.begin_nested():
            org = Organisation(name=pending.name, kind=OrgKind.enterprise, district=pending.district,
                               credit_code=pending.credit_code, contact_person=pending.contact_person,
                               phone=pending.phone, email=pending.email)
            user = User(organisation=org, email=pending.email, name=pending.contact_person, phone=pending.phone,
                        role=Role.enterprise_user, password_hash=pending.password_hash, language=pending.language,
                        first_of_enterprise=True)
            db.session.add_all([org, user])
    except IntegrityError:  # the same address or code confirmed by another link at this moment
        raise taken from None
    audit("enterprise.registered", actor=user, subject_type="organisation", subject_id=org.id)
    return user


# --- login and throttling -------------------------------------------------------------------

MAX_EMAIL_LENGTH = 254


def normalise_email(email) -> str:
    return email.strip().lower() if isinstance(email, str) else ""


def plausible_email(email: str) -> bool:
    """Could be an address of ours: at most 254 characters, one @, no whitespace, control characters or
    lone surrogates (which no database takes)."""
    if not 0 < len(email) <= MAX_EMAIL_LENGTH or email.count("@") != 1:
        return False
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or 0xD800 <= ord(ch) <= 0xDFFF for ch in email):
        return False
    return True


def email_for_audit(email: str) -> str:
    """What an audit row may say about an address someone typed: itself if plausible, else a bounded marker."""
    if plausible_email(email):
        return email
    digest = hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"<invalid address: {len(email)} characters, sha256 {digest}>"


def _login_keys(email: str, ip: str | None) -> dict[str, tuple[str, int]]:
    """The throttle's keys with their limits: the account, the (address, account) pair, the address."""
    cfg = current_app.config
    per_account = cfg["LOGIN_THROTTLE_MAX_FAILURES"]
    keys = {"account": (throttle.key("acct", email), per_account)}
    if ip:
        keys["ip_account"] = (throttle.key("ipacct", ip, email), per_account)
        keys["ip"] = (throttle.key("ip", ip), cfg["LOGIN_THROTTLE_MAX_PER_IP"])
    return keys


def authenticate(email: str, password: str, ip: str | None) -> User | None:
    """The user, or None after recording the failure (the caller commits it even though it answers 401).

    The attempt is reserved first (throttle.reserve: atomic, committed at once), and the password
    is checked only when every count is within its limit, else 429. A success clears the account's
    counters and gives the address its attempt back. An address that cannot be ours (too long,
    control characters) is never looked up nor stored: it fails like a wrong password.
    """
    email = normalise_email(email)
    keys = _login_keys(email, ip)
    counts = throttle.reserve([k for k, _limit in keys.values()], current_app.config["LOGIN_THROTTLE_WINDOW_SECONDS"])
    if any(counts[k] > limit for k, limit in keys.values()):
        raise TooManyRequests()
    user = find_user_by_email(email) if plausible_email(email) else None
    if user is None:
        dummy_verify(password)
    if user is not None and user.is_active and verify_password(user.password_hash, password):
        throttle.clear([keys[name][0] for name in ("account", "ip_account") if name in keys])
        if "ip" in keys:
            throttle.release(keys["ip"][0])
        return user
    audit("login.failed", actor=user, email=email_for_audit(email))
    return None


# --- tokens: web sessions, API tokens, API keys -----------------------------------------------

def issue_token(user: User, kind: TokenKind, *, lifetime: dt.timedelta | None, label=None) -> tuple[str, AuthToken]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AuthToken(user=user, kind=kind, token_hash=_hash_token(raw), label=label,
                      expires_at=utcnow() + lifetime if lifetime else None)
    db.session.add(token)
    db.session.flush()
    return raw, token


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
