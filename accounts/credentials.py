"""Password change, password reset by e-mail link, and disabling a user: each ends the user's sessions.

A reset link carries a random token of which only the SHA-256 is stored; it works once and for
PASSWORD_RESET_SECONDS (1 hour). The request answers the same whether or not the address has an
account (and does the same work: see request_reset); at most RESET_MAX_PER_HOUR links are sent per
address per hour. The link goes by e-mail only
(core/outbox.py emit(); the event is e-mail-only, never an in-app notification). A reset does not sign
in: the next login still asks for the second factor, so a reset never bypasses MFA.
"""
import datetime as dt
import hashlib
import secrets

from flask import current_app
from flask_babel import get_locale, gettext as _
from sqlalchemy import select, update

from core.audit import audit
from core.errors import ValidationFailed
from core.extensions import db
from core.models import utcnow
from core.outbox import emit

from . import sessions, throttle
from .models import PasswordReset, User
from .passwords import hash_password, password_problem, verify_password
from .schemas import password_message
from .services import MAX_EMAIL_LENGTH, email_for_audit, find_user_by_email, normalise_email, plausible_email

RESET_MAX_PER_HOUR = 3  # per address
RESET_MAX_PER_IP_PER_HOUR = 30


def _sha256(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def check_new_password(user: User, password: str, field="new_password") -> None:
    problem = password_problem(password, email=user.email)
    if problem is None and verify_password(user.password_hash, password):
        raise ValidationFailed({field: [_("The new password must differ from the current one.")]})
    if problem:
        raise ValidationFailed({field: [password_message(problem)]})


def change_password(user: User, new_password: str, *, keep=None) -> None:
    """The caller has checked the current password. Every other web session and API token ends."""
    check_new_password(user, new_password)
    user.password_hash = hash_password(new_password)
    sessions.revoke_all(user, reason="password_changed", keep=keep)
    audit("password.changed", actor=user, subject_type="user", subject_id=user.id)
    emit("account.password_changed", user_ids=[user.id])


def request_reset(email: str, ip: str | None = None) -> None:
    """Send a reset link if ``email`` belongs to an active account (and not too many were sent).

    The same work whether or not it does, so neither the answer nor its timing tells: the attempt is
    counted (per address, and per client address), a token is drawn and hashed, and one e-mail is queued
    in the outbox -- the link to the account's address, or, to a plausible address without an active
    account, a note that no account of the platform uses it. Past RESET_MAX_PER_HOUR requests for an
    address (or RESET_MAX_PER_IP_PER_HOUR from one client), nothing more is sent for an hour.
    """
    email = normalise_email(email)[:MAX_EMAIL_LENGTH + 1]
    plausible = plausible_email(email)
    keys = {throttle.key("reset", email): RESET_MAX_PER_HOUR}
    if ip:
        keys[throttle.key("resetip", ip)] = RESET_MAX_PER_IP_PER_HOUR
    counts = throttle.reserve(list(keys), 3600)
    user = find_user_by_email(email) if plausible else None
    raw = secrets.token_urlsafe(32)
    token_hash = _sha256(raw)
    now = utcnow()
    lifetime = dt.timedelta(seconds=current_app.config["PASSWORD_RESET_SECONDS"])
    if any(counts[k] > limit for k, limit in keys.items()):
        audit("password.reset_throttled", actor=user, email=email_for_audit(email))
        return
    if user is None or not user.is_active:
        audit("password.reset_requested", email=email_for_audit(email), known=False)
        if plausible:
            emit("account.reset_no_account", url="/password/forgot",
                 params={"email_to": email, "language": str(get_locale() or "zh")})
        return
    db.session.add(PasswordReset(user_id=user.id, token_hash=token_hash, created_at=now, expires_at=now + lifetime))
    db.session.flush()
    audit("password.reset_requested", actor=user, known=True)
    emit("account.password_reset", user_ids=[user.id], url=f"/password/reset/{raw}",
         params={"minutes": int(lifetime.total_seconds() // 60)})


def find_reset(raw: str | None) -> PasswordReset | None:
    if not raw or len(raw) > 100:
        return None
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _sha256(raw)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    user = db.session.get(User, reset.user_id)
    return reset if user is not None and user.is_active else None


def reset_password(reset: PasswordReset, new_password: str) -> User:
    user = db.session.get(User, reset.user_id)
    problem = password_problem(new_password, email=user.email)
    if problem:
        raise ValidationFailed({"new_password": [password_message(problem)]})
    used = db.session.execute(update(PasswordReset).where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
                              .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if used.rowcount != 1:  # a parallel request used it first
        raise ValidationFailed({"new_password": [_("This link was already used.")]})
    # the other links of the user die with this one
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                       .values(used_at=utcnow()).execution_options(synchronize_session=False))
    user.password_hash = hash_password(new_password)
    sessions.revoke_all(user, reason="password_reset")
    audit("password.reset", actor=user, subject_type="user", subject_id=user.id)
    emit("account.password_changed", user_ids=[user.id])
    return user


def set_active(user: User, active: bool, *, actor: User | None = None) -> None:
    """Disable (every session, API token and API key of the user ends) or enable again."""
    user.active = active
    if not active:
        sessions.revoke_all(user, reason="user_disabled", include_api_keys=True)
    audit("user.disabled" if not active else "user.enabled", actor=actor, subject_type="user", subject_id=user.id)
