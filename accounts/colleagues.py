"""An enterprise's first user invites colleagues of the same enterprise.

The invitation goes by e-mail through the outbox (an address event: the colleague has no account yet): a
random token of which only the SHA-256 is stored, working once, until it expires (7 days, or
INVITATION_LINK_LIFETIME_SECONDS) or the inviter cancels it. The colleague opens it, chooses a name and a
password, and becomes an enterprise user of that enterprise (never its first user).

Inviting an address that already has an account is refused with a field error: the inviter is a signed-in
enterprise user whose every invitation is audited and throttled (INVITATION_THROTTLE_MAX per enterprise per
day, counted before anything is checked), and a silent answer would leave an invitation nobody can accept
in the inviter's list. Enumerating accounts through it costs a trail and 20 addresses a day.
"""
import datetime as dt
import hashlib
import secrets
import uuid

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core.audit import audit
from core.errors import Conflict, NotFound, TooManyRequests, ValidationFailed
from core.extensions import db
from core.models import utcnow
from core.outbox import emit

from . import throttle
from .access import can_invite_colleagues
from .enums import Role
from .models import ColleagueInvitation, User
from .passwords import hash_password, password_problem
from .schemas import password_message
from .services import find_user_by_email, normalise_email

DEFAULT_LIFETIME_SECONDS = 7 * 24 * 3600
DEFAULT_THROTTLE_MAX = 20  # invitations per enterprise per day
THROTTLE_WINDOW_SECONDS = 24 * 3600


def _sha256(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _lifetime() -> dt.timedelta:
    return dt.timedelta(seconds=current_app.config.get("INVITATION_LINK_LIFETIME_SECONDS", DEFAULT_LIFETIME_SECONDS))


def colleagues(actor: User) -> list[User]:
    """Every account of the actor's enterprise, the actor's included, by name."""
    if not can_invite_colleagues(actor):
        raise NotFound()
    return list(db.session.scalars(select(User).where(User.organisation_id == actor.organisation_id)
                                   .order_by(User.name, User.email)))


def pending_invitations(actor: User) -> list[ColleagueInvitation]:
    if not can_invite_colleagues(actor):
        raise NotFound()
    now = utcnow()
    return list(db.session.scalars(select(ColleagueInvitation).where(
        ColleagueInvitation.organisation_id == actor.organisation_id, ColleagueInvitation.accepted_at.is_(None),
        ColleagueInvitation.cancelled_at.is_(None), ColleagueInvitation.expires_at > now)
        .order_by(ColleagueInvitation.created_at.desc())))


def invite(actor: User, email: str) -> ColleagueInvitation:
    """Invite ``email`` (already checked for its form by the schema) to the actor's enterprise."""
    if not can_invite_colleagues(actor):
        raise NotFound()
    email = normalise_email(email)
    limit = current_app.config.get("INVITATION_THROTTLE_MAX", DEFAULT_THROTTLE_MAX)
    counts = throttle.reserve([throttle.key("invite", str(actor.organisation_id))], THROTTLE_WINDOW_SECONDS)
    if any(count > limit for count in counts.values()):
        raise TooManyRequests(_("Your enterprise has sent too many invitations today; try again tomorrow."))
    if find_user_by_email(email) is not None:
        raise ValidationFailed({"email": [_("This address already has an account on the platform: it cannot be "
                                            "invited. Ask the person to sign in with it.")]})
    now = utcnow()
    if db.session.scalar(select(ColleagueInvitation.id).where(
            ColleagueInvitation.organisation_id == actor.organisation_id, ColleagueInvitation.email == email,
            ColleagueInvitation.accepted_at.is_(None), ColleagueInvitation.cancelled_at.is_(None),
            ColleagueInvitation.expires_at > now)):
        raise ValidationFailed({"email": [_("This address already has a pending invitation. Cancel it first to "
                                            "send a new one.")]})
    raw = secrets.token_urlsafe(32)
    invitation = ColleagueInvitation(organisation_id=actor.organisation_id, invited_by_id=actor.id, email=email,
                                     token_hash=_sha256(raw), created_at=now, expires_at=now + _lifetime())
    db.session.add(invitation)
    db.session.flush()
    emit("account.invitation", url=f"/invitation/{raw}", subject_type="organisation",
         subject_id=actor.organisation_id,
         params={"email_to": email, "language": actor.language, "enterprise": actor.organisation.name,
                 "inviter": actor.name, "expires_at": invitation.expires_at.isoformat()})
    audit("invitation.sent", actor=actor, subject_type="organisation", subject_id=actor.organisation_id,
          email=email, invitation_id=str(invitation.id))
    return invitation


def cancel(actor: User, invitation_id) -> ColleagueInvitation:
    """Cancel a pending invitation of the actor's enterprise. Another enterprise's (or none): 404."""
    if not can_invite_colleagues(actor):
        raise NotFound()
    try:
        invitation_id = uuid.UUID(str(invitation_id))
    except ValueError:
        raise NotFound() from None
    invitation = db.session.get(ColleagueInvitation, invitation_id)
    if invitation is None or invitation.organisation_id != actor.organisation_id:
        raise NotFound()
    if not invitation.is_pending(utcnow()):
        raise Conflict(_("This invitation is no longer pending: it was accepted, cancelled or has expired."))
    invitation.cancelled_at = utcnow()
    audit("invitation.cancelled", actor=actor, subject_type="organisation", subject_id=actor.organisation_id,
          email=invitation.email, invitation_id=str(invitation.id))
    return invitation


def find_invitation(raw: str | None) -> ColleagueInvitation | None:
    """The invitation a link stands for, while it is pending (neither accepted, cancelled nor expired)."""
    if not isinstance(raw, str) or not 20 <= len(raw) <= 100:
        return None
    invitation = db.session.scalar(select(ColleagueInvitation).where(ColleagueInvitation.token_hash == _sha256(raw)))
    if invitation is None or not invitation.is_pending(utcnow()):
        return None
    return invitation


def accept(raw: str | None, data: dict) -> User:
    """The invited colleague's account, once: the link is used up by one conditional UPDATE, so two
    acceptances at once make one account. Unknown, used, cancelled or expired link: 404. The address
    taken meanwhile: 409, nothing created."""
    invitation = find_invitation(raw)
    if invitation is None:
        raise NotFound(_("This invitation link is unknown, used, cancelled or expired. Ask your colleague for a "
                         "new one."))
    problem = password_problem(data["password"], email=invitation.email)
    if problem:
        raise ValidationFailed({"password": [password_message(problem)]})
    taken = Conflict(_("This e-mail address already has an account. Sign in with it."))
    if find_user_by_email(invitation.email) is not None:
        raise taken
    try:
        with db.session.begin_nested():
            user = User(organisation_id=invitation.organisation_id, email=invitation.email, name=data["name"],
                        phone=data.get("phone") or None, role=Role.enterprise_user,
                        password_hash=hash_password(data["password"]), language=data.get("language") or "zh")
            db.session.add(user)
    except IntegrityError:
        raise taken from None
    now = utcnow()
    used = db.session.execute(
        update(ColleagueInvitation)
        .where(ColleagueInvitation.id == invitation.id, ColleagueInvitation.accepted_at.is_(None),
               ColleagueInvitation.cancelled_at.is_(None), ColleagueInvitation.expires_at > now)
        .values(accepted_at=now, accepted_user_id=user.id).execution_options(synchronize_session=False))
    if used.rowcount != 1:  # accepted or cancelled by another request at this moment: the account goes too
        raise NotFound(_("This invitation link is unknown, used, cancelled or expired. Ask your colleague for a "
                         "new one."))
    audit("invitation.accepted", actor=user, subject_type="organisation", subject_id=invitation.organisation_id,
          invitation_id=str(invitation.id))
    return user
