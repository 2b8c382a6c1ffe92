import datetime as dt
import uuid

from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, LargeBinary, String, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import BigIntPK, UTCDateTime, enum_column, new_uuid, utcnow

from .enums import AGENCY_KINDS, District, OrgKind, Role, TokenKind


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind, "org_kind"), index=True)
    district: Mapped[District] = mapped_column(enum_column(District, "district"))
    # Unique where present: enterprises must have one, agencies may.
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    contact_person: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list["User"]] = relationship(back_populates="organisation")

    __table_args__ = (
        CheckConstraint("kind <> 'enterprise' OR credit_code IS NOT NULL", name="enterprise_has_credit_code"),
    )

    @property
    def is_agency(self) -> bool:
        return self.kind in AGENCY_KINDS

    def __repr__(self):
        return f"<Organisation {self.name} {self.kind.value}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    password_hash: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    active: Mapped[bool] = mapped_column(default=True)
    # the enterprise's first user (who registered it, or the first account created in it): invites colleagues
    # (accounts.access.can_invite_colleagues). Set when the account is created in an enterprise that has none.
    first_of_enterprise: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="users", lazy="joined")
    mfa: Mapped["UserMfa | None"] = relationship(lazy="joined", uselist=False, viewonly=True)

    @property
    def is_active(self):
        return self.active

    def __repr__(self):
        return f"<User {self.email} {self.role.value}>"


class AuthToken(db.Model):
    """Web sessions, API tokens and agency API keys. Only the SHA-256 of the secret is stored."""

    __tablename__ = "auth_tokens"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[TokenKind] = mapped_column(enum_column(TokenKind, "token_kind"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # web sessions: the last request seen (written at most once a minute), for the idle timeout
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # API keys: requests per API_KEY_RATE_WINDOW_SECONDS set by the administrator (None: API_KEY_RATE_LIMIT)
    rate_limit: Mapped[int | None] = mapped_column(Integer)

    user: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("kind = 'api_key' OR expires_at IS NOT NULL", name="only_api_keys_never_expire"),
    )

    def is_valid(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ThrottleCounter(db.Model):
    """Attempts per key (a SHA-256 of what is counted: an account, an address and an account, ...)
    within a fixed window. Reserved atomically before the attempt is checked (see accounts.throttle)."""

    __tablename__ = "throttle_counters"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    window_ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class PendingRegistration(db.Model):
    """A registration waiting for its e-mail confirmation. Only the SHA-256 of the link's token is
    stored, and the password only as its argon2id hash; the link works once, until ``expires_at``."""

    __tablename__ = "pending_registrations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    credit_code: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[District] = mapped_column(enum_column(District, "district"))
    contact_person: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class UserMfa(db.Model):
    """A user's TOTP enrolment. The secrets are AES-GCM encrypted (accounts/mfa.py); never stored in clear."""

    __tablename__ = "user_mfa"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary(128))  # the confirmed secret
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # the highest time step accepted so far: a code of that step or an older one is refused (used once)
    last_step: Mapped[int | None] = mapped_column(BigInteger)
    pending_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary(128))  # shown, not yet confirmed
    pending_created_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(db.Model):
    """One-time recovery codes; only the SHA-256 of each is stored."""

    __tablename__ = "mfa_recovery_codes"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class MfaChallenge(db.Model):
    """Between a verified password and a started session: the second step (or the enrolment) to complete.

    Server-side so that the attempts it counts cannot be reset by replaying an older cookie.
    """

    __tablename__ = "mfa_challenges"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10))  # "login" (enter a code) or "enrol" (must enrol first)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class PasswordReset(db.Model):
    """A single-use password-reset link; only the SHA-256 of its token is stored."""

    __tablename__ = "password_resets"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ColleagueInvitation(db.Model):
    """An enterprise's first user invites a colleague by e-mail: a single-use link (only the SHA-256 of its
    token is stored) that works until ``expires_at``, unless cancelled. Opening it, the colleague chooses a
    name and a password and becomes an enterprise user of the same enterprise."""

    __tablename__ = "colleague_invitations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    invited_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    email: Mapped[str] = mapped_column(String(254), index=True)  # lower-cased
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    accepted_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id], lazy="joined")

    __table_args__ = (
        CheckConstraint("accepted_at IS NULL OR cancelled_at IS NULL", name="accepted_or_cancelled"),
        CheckConstraint("(accepted_at IS NULL) = (accepted_user_id IS NULL)", name="accepted_has_user"),
    )

    def is_pending(self, now: dt.datetime) -> bool:
        return self.accepted_at is None and self.cancelled_at is None and self.expires_at > now
