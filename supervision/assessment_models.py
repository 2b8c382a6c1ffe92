"""The assessment's own tables (评估考核): scheme versions, frozen snapshots and the monthly bulletins.

Nothing here is ever updated after it is written: a change of the scheme is a new version row, a snapshot
keeps the scores, the breakdown and the records each indicator counted as they were when it was taken, and a
bulletin keeps the figures it was issued with (its PDF is drawn from them).
"""
import datetime as dt
import enum
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core.extensions import db
from core.models import UTCDateTime, enum_column, new_uuid, utcnow


class PeriodKind(enum.Enum):
    month = "month"
    quarter = "quarter"


PERIOD_KIND_LABELS = {PeriodKind.month: _l("Month"), PeriodKind.quarter: _l("Quarter")}


class AssessmentScheme(db.Model):
    """One version of the assessment scheme: ``indicators`` is a list of {method, weight, target} (weight an
    integer share of 100, target a decimal fraction as a string). The current scheme is the highest version."""

    __tablename__ = "assessment_schemes"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    indicators: Mapped[list] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)  # why it changed (≤ 500 characters, the form's schema)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))  # None: the default, saved
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint("version >= 1", name="scheme_version_positive"),)


class AssessmentSnapshot(db.Model):
    """The assessment of one period under one scheme version, frozen when taken. ``results`` holds, per group
    (centre, agency), the ranked organisations with their score and each indicator's value, points and the
    records it counted ({"kind", "id", "ref", "ok"}), so neither a later scheme nor a later record rewrites it."""

    __tablename__ = "assessment_snapshots"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    period_kind: Mapped[PeriodKind] = mapped_column(enum_column(PeriodKind, "assessment_period_kind"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)  # exclusive
    scheme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessment_schemes.id"))
    scheme_version: Mapped[int] = mapped_column(Integer)
    indicators: Mapped[list] = mapped_column(JSON)  # the scheme's indicators as they were
    results: Mapped[dict] = mapped_column(JSON)
    taken_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    scheme: Mapped[AssessmentScheme] = relationship()
    taken_by: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("period_kind", "period_start", "scheme_version", name="uq_snapshot_period_scheme"),
        CheckConstraint("period_end > period_start", name="snapshot_period_order"),
    )


class Bulletin(db.Model):
    """The monthly bulletin (通报) as issued: its figures (``data``) and the organisations it names."""

    __tablename__ = "bulletins"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    period_start: Mapped[dt.date] = mapped_column(Date, unique=True)  # the month's first day: one per month
    period_end: Mapped[dt.date] = mapped_column(Date)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. 2026-11
    data: Mapped[dict] = mapped_column(JSON)
    organisation_ids: Mapped[list] = mapped_column(JSON)  # str uuids of the organisations it names
    issued_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    issued_by: Mapped[User] = relationship()

    __table_args__ = (CheckConstraint("period_end > period_start", name="bulletin_period_order"),)
