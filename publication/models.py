"""The publication's tables: typical cases, knowledge-base articles, questionnaire versions, self-assessments."""
import datetime as dt
import uuid

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Organisation, User
from core.extensions import db
from core.models import UTCDateTime, enum_column, new_uuid, utcnow
from intake.enums import Track
from intake.models import Complaint

from .enums import ArticleKind, CaseState, Industry

MAX_TITLE = 200
MAX_SUMMARY = 20000
MAX_ARTICLE = 20000
MAX_REASON = 2000


class TypicalCase(db.Model):
    """An anonymised summary of a concluded complaint. Only the texts here are ever published (never the
    complaint's own fields); a published case is unpublished, never deleted."""

    __tablename__ = "typical_cases"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"), index=True)
    state: Mapped[CaseState] = mapped_column(enum_column(CaseState, "typical_case_state"), default=CaseState.draft)
    title_zh: Mapped[str] = mapped_column(String(MAX_TITLE))
    title_en: Mapped[str | None] = mapped_column(String(MAX_TITLE))
    summary_zh: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    infringing_acts: Mapped[list] = mapped_column(JSON, default=list)  # intake.enums.InfringingAct values
    industry: Mapped[Industry] = mapped_column(enum_column(Industry, "industry"))
    track: Mapped[Track | None] = mapped_column(enum_column(Track, "track"))
    drafted_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    drafted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    unpublished_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    unpublished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    unpublish_reason: Mapped[str | None] = mapped_column(Text)

    complaint: Mapped[Complaint] = relationship()
    drafted_by: Mapped[User] = relationship(foreign_keys=[drafted_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    unpublished_by: Mapped[User | None] = relationship(foreign_keys=[unpublished_by_id])

    __table_args__ = (
        CheckConstraint(f"length(summary_zh) <= {MAX_SUMMARY}", name="summary_zh_bounded"),
        CheckConstraint(f"summary_en IS NULL OR length(summary_en) <= {MAX_SUMMARY}", name="summary_en_bounded"),
        CheckConstraint("state = 'draft' OR (approved_by_id IS NOT NULL AND published_at IS NOT NULL)",
                        name="published_was_approved"),
        CheckConstraint("approved_by_id IS NULL OR approved_by_id <> drafted_by_id", name="approver_not_drafter"),
        CheckConstraint("state <> 'unpublished' OR unpublished_at IS NOT NULL", name="unpublished_has_time"),
    )


class Article(db.Model):
    """A page of the knowledge base: a protection guide or a legal interpretation, in both languages."""

    __tablename__ = "knowledge_articles"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[ArticleKind] = mapped_column(enum_column(ArticleKind, "article_kind"))
    title_zh: Mapped[str] = mapped_column(String(MAX_TITLE))
    title_en: Mapped[str] = mapped_column(String(MAX_TITLE))
    body_zh: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint(f"length(body_zh) <= {MAX_ARTICLE} AND length(body_en) <= {MAX_ARTICLE}",
                        name="body_bounded"),
    )


class Questionnaire(db.Model):
    """One version of a questionnaire (``key``): a change by an administrator is a new version, so a submitted
    self-assessment keeps the questions it answered. ``content``: title and questions (publication.questionnaire)."""

    __tablename__ = "questionnaires"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("key", "version", name="one_per_version"),
                      CheckConstraint("version >= 1", name="version_positive"))


class SelfAssessment(db.Model):
    """An enterprise's answers to one questionnaire version, with the score computed when submitted."""

    __tablename__ = "self_assessments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    answers: Mapped[dict] = mapped_column(JSON)  # question key -> Answer value
    score: Mapped[int] = mapped_column(Integer)  # percent, 0..100
    submitted_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    questionnaire: Mapped[Questionnaire] = relationship()
    submitted_by: Mapped[User] = relationship()

    __table_args__ = (CheckConstraint("score >= 0 AND score <= 100", name="score_percent"),
                      Index("ix_self_assessments_org", "organisation_id", "submitted_at"))
