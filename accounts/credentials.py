"""Password change, password reset by e-mail link, and disabling a user: each ends the user's sessions.

A reset link carries a random token of which only the SHA-256 is stored; it works once and for
PASSWORD_RESET_SECONDS (1 hour). The request answers the same whether or not the address has an
account; at most RESET_MAX_PER_HOUR links are sent per account per hour. The link goes by e-mail only
(core/outbox.py emit(); the event is e-mail-only, never an in-app notification). A reset does not sign
in: the next login still asks for the second factor, so a reset never bypasses MFA.
"""
import datetime as dt
import hashlib
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from core.audit import audit
from core.errors import ValidationFailed
from core.extensions import db
from core.models import utcnow
from core.outbox import emit

from . import sessions
from .models import PasswordReset, User
from .passwords import hash_password, password_problem, verify_password
from .schemas import password_message
from .services import find_user_by_email

RESET_MAX_PER_HOUR = 3


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


def request_reset(email: str) -> None:
    """Send a reset link if ``email`` belongs to an active account (and not too many were sent)."""
    email = (email or "").strip().lower()[:254] if isinstance(email, str) else ""
    if any(ord(ch) < 32 or 0xD800 <= ord(ch) <= 0xDFFF for ch in email):  # no address has them (nor may the DB see them)
        email = ""
    user = find_user_by_email(email) if email else None
    if user is None or not user.is_active:
        audit("password.reset_requested", email=email, known=False)
        return
    now = utcnow()
    recent = db.session.scalar(select(func.count()).select_from(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.created_at > now - dt.timedelta(hours=1)))
    if recent >= RESET_MAX_PER_HOUR:
        audit("password.reset_throttled", actor=user)
        return
    raw = secrets.token_urlsafe(32)
    lifetime = dt.timedelta(seconds=current_app.config["PASSWORD_RESET_SECONDS"])
    db.session.add(PasswordReset(user_id=user.id, token_hash=_sha256(raw), created_at=now, expires_at=now + lifetime))
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
