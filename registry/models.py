"""The registry's tables: demonstration bases, the think tank's experts and their declared conflicts, the
talent pool's tags of officers, and the officers staffing a key case (a routing Supervision)."""
import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.enums import District
from accounts.models import Organisation, User
from core.extensions import db
from core.models import BigIntPK, UTCDateTime, enum_column, new_uuid, utcnow

from .enums import BaseKind, BaseStatus, ExpertKind, Industry


class DemoBase(db.Model):
    """A demonstration zone, station or point: where it is, who hosts it, its "3+6" industry, how far it
    has come and the rights-protection centre it belongs to."""

    __tablename__ = "demo_bases"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    kind: Mapped[BaseKind] = mapped_column(enum_column(BaseKind, "demo_base_kind"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[District] = mapped_column(enum_column(District, "district"))
    host_name: Mapped[str] = mapped_column(String(200))  # the host enterprise or park, as it is called
    host_credit_code: Mapped[str | None] = mapped_column(String(18))
    host_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))  # if on the platform
    industry: Mapped[Industry] = mapped_column(enum_column(Industry, "industry"))
    status: Mapped[BaseStatus] = mapped_column(enum_column(BaseStatus, "demo_base_status"))
    centre_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    host_org: Mapped[Organisation | None] = relationship(foreign_keys=[host_org_id])
    centre: Mapped[Organisation] = relationship(foreign_keys=[centre_id])

    __table_args__ = (UniqueConstraint("kind", "name"),)


class Expert(db.Model):
    """An expert of the think tank: the profile of a user with Role.expert."""

    __tablename__ = "experts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), unique=True)
    kind: Mapped[ExpertKind] = mapped_column(enum_column(ExpertKind, "expert_kind"))
    affiliation: Mapped[str] = mapped_column(String(200))
    expertise: Mapped[str] = mapped_column(String(200))  # the fields of expertise, as written
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    conflicts: Mapped[list["ExpertConflict"]] = relationship(back_populates="expert", cascade="all, delete-orphan",
                                                             order_by="ExpertConflict.id")


class ExpertConflict(db.Model):
    """A declared conflict of interest: an organisation by name and/or unified social credit code."""

    __tablename__ = "expert_conflicts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    note: Mapped[str | None] = mapped_column(String(200))

    expert: Mapped[Expert] = relationship(back_populates="conflicts")

    __table_args__ = (CheckConstraint("name IS NOT NULL OR credit_code IS NOT NULL", name="names_someone"),)


class TalentTag(db.Model):
    """The talent pool: an agency officer tagged with a field of expertise."""

    __tablename__ = "talent_tags"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    tag: Mapped[str] = mapped_column(String(100))
    added_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __table_args__ = (UniqueConstraint("user_id", "tag"),)


class SupervisionStaff(db.Model):
    """An officer of the talent pool assigned by a supervisor to a key case (a routing Supervision)."""

    __tablename__ = "supervision_staff"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    supervision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supervisions.id", ondelete="CASCADE"), index=True)
    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    assigned_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    officer: Mapped[User] = relationship(foreign_keys=[officer_id])

    __table_args__ = (UniqueConstraint("supervision_id", "officer_id"),)
