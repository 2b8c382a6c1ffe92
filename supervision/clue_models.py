"""Clue linking's own tables: the match keys of every submitted complaint's suspected infringers, and
the links a clerk makes between two complaints (duplicate of, related to)."""
import datetime as dt
import enum
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core.extensions import db
from core.models import BigIntPK, UTCDateTime, enum_column, utcnow
from intake.models import Complaint

MAX_KEY = 420
MAX_LABEL = 200
MAX_LINK_MESSAGE = 2000


class ClueKind(enum.Enum):
    credit_code = "credit_code"  # the same unified social credit code
    org_name = "org_name"  # the same organisation name, normalised (supervision/clues.py: normalise_name)
    person_org = "person_org"  # the same person's name together with the same organisation


CLUE_KIND_LABELS = {
    ClueKind.credit_code: _l("Same credit code"),
    ClueKind.org_name: _l("Same organisation name"),
    ClueKind.person_org: _l("Same person with the same organisation"),
}


class ComplaintLinkKind(enum.Enum):
    duplicate = "duplicate"  # the complaint repeats the other one: it was closed
    related = "related"  # both stay open


COMPLAINT_LINK_KIND_LABELS = {
    ComplaintLinkKind.duplicate: _l("Duplicate of"),
    ComplaintLinkKind.related: _l("Related to"),
}


class ClueKey(db.Model):
    """One match key of a submitted complaint: complaints sharing (kind, key) name the same infringer.

    Written when the complaint is submitted (supervision/clues.py's flush listener) and by
    ``flask clues rebuild``; the index on (kind, key) makes matching one complaint an index lookup."""

    __tablename__ = "clue_keys"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    # the unique (complaint_id, kind, key) below is also the index by complaint
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    kind: Mapped[ClueKind] = mapped_column(enum_column(ClueKind, "clue_kind"))
    key: Mapped[str] = mapped_column(String(MAX_KEY))
    label: Mapped[str] = mapped_column(String(MAX_LABEL))  # the infringer as the complaint named it

    complaint: Mapped[Complaint] = relationship()

    __table_args__ = (
        UniqueConstraint("complaint_id", "kind", "key", name="uq_clue_keys_complaint_kind_key"),
        Index("ix_clue_keys_kind_key", "kind", "key", "complaint_id"),
    )


class ComplaintLink(db.Model):
    """A clerk's link from a complaint to another: a duplicate (the complaint was closed) or related."""

    __tablename__ = "complaint_links"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    other_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ComplaintLinkKind] = mapped_column(enum_column(ComplaintLinkKind, "complaint_link_kind"))
    message: Mapped[str | None] = mapped_column(Text)  # bounded by the link's schema (MAX_LINK_MESSAGE)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(foreign_keys=[complaint_id])
    other: Mapped[Complaint] = relationship(foreign_keys=[other_id])
    created_by: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("complaint_id", "other_id", name="uq_complaint_links_pair"),
        CheckConstraint("complaint_id <> other_id", name="link_not_to_itself"),
    )
