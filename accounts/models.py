import datetime as dt
import uuid

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Uuid
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
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="users", lazy="joined")

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

    user: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("kind = 'api_key' OR expires_at IS NOT NULL", name="only_api_keys_never_expire"),
    )

    def is_valid(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class LoginFailure(db.Model):
    """One row per failed login, keyed by account and by IP; read for throttling, pruned by age."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)
