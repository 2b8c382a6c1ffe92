"""Supervision's own tables. It reads the other packages' tables and writes none of them."""
import datetime as dt
import enum
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Organisation, User
from core.extensions import db
from core.models import BigIntPK, UTCDateTime, enum_column, utcnow


class Rating(enum.Enum):
    satisfied = "satisfied"
    basically_satisfied = "basically_satisfied"
    dissatisfied = "dissatisfied"


RATING_LABELS = {
    Rating.satisfied: _l("Satisfied"),
    Rating.basically_satisfied: _l("Basically satisfied"),
    Rating.dissatisfied: _l("Dissatisfied"),
}


class SatisfactionRating(db.Model):
    """An enterprise's rating of a concluded complaint (once). Satisfaction rate = satisfied and
    basically satisfied over all ratings; the centre is the complaint's when it was rated."""

    __tablename__ = "satisfaction_ratings"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"), unique=True)
    centre_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    rating: Mapped[Rating] = mapped_column(enum_column(Rating, "satisfaction_rating"))
    comment: Mapped[str | None] = mapped_column(Text)  # bounded by the rating's schema (2,000 characters)
    rated_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    rated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    centre: Mapped[Organisation] = relationship(foreign_keys=[centre_id])
    rated_by: Mapped[User] = relationship()


class SatisfactionReview(db.Model):
    """The centre's review of a complaint its enterprise rated dissatisfied (supervision/satisfaction.py): opened
    by the rating (the complaint is under review, rule R1 runs), completed when a clerk records what the centre
    did (the complaint is concluded again). One per rating, as a rating is given once."""

    __tablename__ = "satisfaction_reviews"
    __table_args__ = (
        CheckConstraint("(action IS NULL) = (reviewed_at IS NULL) AND (action IS NULL) = (reviewed_by_id IS NULL)",
                        name="reviewed_has_action"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("satisfaction_ratings.id"), unique=True)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"), unique=True)
    centre_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str | None] = mapped_column(Text)  # what the centre did; bounded by the review's schema (2,000)
    reviewed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    rating: Mapped[SatisfactionRating] = relationship()
    reviewed_by: Mapped[User | None] = relationship()


class SatisfactionReminder(db.Model):
    """The one reminder sent to an enterprise that has not rated a concluded complaint (the sweep's record that
    it was sent, so it is sent once)."""

    __tablename__ = "satisfaction_reminders"

    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"), primary_key=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
