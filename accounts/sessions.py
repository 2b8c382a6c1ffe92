"""Web sessions and API tokens over their life: timeouts, and revoking a user's other sessions.

A web session is an AuthToken of kind web_session whose raw value sits in the signed cookie.
- Absolute timeout: expires_at = login + SESSION_LIFETIME_SECONDS.
- Idle timeout: a session unused for SESSION_IDLE_SECONDS is dead; last_seen_at is written at most
  once a minute (LAST_SEEN_RESOLUTION) to keep writes low, so the idle limit is exact to a minute.
- SESSION_SINGLE (default true): a new login revokes the user's other web sessions.
- Password change, password reset, disabling a user and "sign out everywhere" revoke every web
  session and API token of the user (revoke_all). Administrators' API keys for an agency's systems
  are machine credentials, not derived from the password: they survive the user's password change,
  reset and sign-out-everywhere (an administrator revokes them, DELETE /api/v1/admin/api-keys/<id>),
  but disabling the user revokes them too.
"""
import datetime as dt

from flask import current_app
from sqlalchemy import update

from core.audit import audit
from core.extensions import db
from core.models import utcnow

from . import services
from .enums import TokenKind
from .models import AuthToken, User

LAST_SEEN_RESOLUTION = dt.timedelta(seconds=60)


def begin(user: User) -> str:
    """Start a web session after every factor is verified; with SESSION_SINGLE, the other ones end."""
    raw, current = services.issue_token(user, TokenKind.web_session,
                                        lifetime=dt.timedelta(seconds=current_app.config["SESSION_LIFETIME_SECONDS"]))
    current.last_seen_at = current.created_at
    audit("login.succeeded", actor=user, channel="web")
    if current_app.config.get("SESSION_SINGLE", True):
        _revoke(user, (TokenKind.web_session,), keep=current, reason="new_login")
    return raw


def resolve(raw: str | None) -> AuthToken | None:
    """The live web session behind ``raw``: not revoked, not past its lifetime, not idle too long."""
    token = services.resolve_token(raw, (TokenKind.web_session,))
    if token is None:
        return None
    now = utcnow()
    idle = current_app.config.get("SESSION_IDLE_SECONDS")
    seen = token.last_seen_at or token.created_at
    if idle and seen + dt.timedelta(seconds=idle) <= now:
        return None
    if token.last_seen_at is None or now - token.last_seen_at >= LAST_SEEN_RESOLUTION:
        token.last_seen_at = now  # committed with the request (when it succeeds)
    return token


def _revoke(user: User, kinds, *, keep: AuthToken | None = None, reason: str) -> int:
    now = utcnow()
    query = update(AuthToken).where(AuthToken.user_id == user.id, AuthToken.kind.in_(kinds),
                                    AuthToken.revoked_at.is_(None),
                                    (AuthToken.expires_at.is_(None)) | (AuthToken.expires_at > now))
    if keep is not None:
        query = query.where(AuthToken.id != keep.id)
    count = db.session.execute(query.values(revoked_at=now).execution_options(synchronize_session="fetch")).rowcount
    if count:
        audit("sessions.revoked", actor=user, subject_type="user", subject_id=user.id, reason=reason, count=count,
              kinds=[k.value for k in kinds])
    return count


def revoke_all(user: User, *, reason: str, keep: AuthToken | None = None, include_api_keys: bool = False) -> int:
    """End every web session and API token of ``user`` (but ``keep``); API keys only if asked (disabling)."""
    kinds = (TokenKind.web_session, TokenKind.api_token) + ((TokenKind.api_key,) if include_api_keys else ())
    return _revoke(user, kinds, keep=keep, reason=reason)
