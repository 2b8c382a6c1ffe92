import datetime as dt
import uuid

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core.extensions import db
from core.models import BigIntPK, UTCDateTime, new_uuid, utcnow


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


class DepositLeaf(db.Model):
    """One entry of the append-only deposit log (存证): the digest of something the platform holds.

    Written in the depositing transaction with no position; the log's sequencer (evidence/deposits.py)
    gives leaves their dense ``leaf_index`` in id order, under a lock, before a checkpoint covers them.
    Never updated after that, never deleted.
    """

    __tablename__ = "deposit_leaves"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # evidence, receipt, case_file (evidence/deposits.KINDS)
    subject: Mapped[str] = mapped_column(String(80), unique=True)  # "<kind>:<id of what was deposited>"
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    complaint_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    reference: Mapped[str | None] = mapped_column(String(20))
    deposited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    leaf_index: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    # SHA-256(0x00 ‖ leaf_data) hex, written by the sequencer with the index (`flask deposits verify` recomputes it)
    leaf_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint("size >= 0", name="deposit_size_not_negative"),
        CheckConstraint("leaf_index IS NULL OR leaf_index >= 0", name="leaf_index_not_negative"),
        Index("ix_deposit_leaves_sha256", "sha256"),  # the public verify page looks a digest up
    )


class DepositLogState(db.Model):
    """The deposit log's one counter row (id 1): how many leaves have an index. The sequencer locks it
    (SELECT ... FOR UPDATE on PostgreSQL; SQLite's write lock) so indexes are given by one writer at a time."""

    __tablename__ = "deposit_log_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (CheckConstraint("size >= 0", name="log_size_not_negative"),)


class DepositCheckpoint(db.Model):
    """A signed checkpoint of the deposit log (C2SP signed note): size, root and the note exactly as signed.
    Inserted once, never updated or deleted."""

    __tablename__ = "deposit_checkpoints"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    size: Mapped[int] = mapped_column(BigInteger, unique=True)
    root_hash: Mapped[str] = mapped_column(String(64))  # hex
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(String(2000))  # the signed note: body and signature lines

    __table_args__ = (CheckConstraint("size >= 0", name="checkpoint_size_not_negative"),)
