import datetime as dt
import uuid

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core.extensions import db
from core.models import UTCDateTime, new_uuid, utcnow


class EvidenceFile(db.Model):
    """One encrypted file in the vault. The original filename is only a display name."""

    __tablename__ = "evidence_files"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    # The vault knows complaints only by id (evidence sits left of intake in the dependency order).
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"))
    uploaded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    display_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)  # generated, never from the filename
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)  # nonce + AES-GCM(EVIDENCE_KEY, data key)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the last time a failed download of this file was reported to the administrators (at most daily)
    damage_reported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    uploaded_by: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint("size >= 0", name="size_not_negative"),
        Index("ix_evidence_files_complaint", "complaint_id", "created_at"),
    )
