"""The evidence vault's services: store an uploaded file, list, and stream a download (audited)."""
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import or_, select, update

from accounts.enums import Role
from accounts.models import User
from core.audit import audit
from core.errors import DomainError, PayloadTooLarge, ValidationFailed
from core.extensions import db
from core.models import utcnow
from core.outbox import emit

from .deposits import deposit
from .models import EvidenceFile
from .sniff import HEAD_BYTES, check_whole_file, media_type_for
from .vault import StoredBlob, TamperedEvidence, TooLarge, open_verified, store

MAX_DISPLAY_NAME = 200
# Windows device names: "CON", "con.txt", "Com1.tar.gz" all open the device, whatever the extension
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10)),
                    "COM\u00b9", "COM\u00b2", "COM\u00b3", "LPT\u00b9", "LPT\u00b2", "LPT\u00b3", "CONIN$", "CONOUT$"}
_WINDOWS_FORBIDDEN = re.compile(r'[<>:|?*]')


def _visible(char: str) -> bool:
    """Not a control, format (bidi overrides and isolates, zero-width characters, BOM), surrogate,
    private-use or unassigned character, nor a line or paragraph separator."""
    return unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def display_name(filename: str | None) -> str:
    """A harmless name to show and offer when downloading; the file's place on disk is a generated key.

    The last path component (either separator), NFC, without control or bidi characters (a right-to-left
    override makes "exe.pdf" look like "fdp.exe"), other spaces made plain, "_" for the characters <>:|?*
    that Windows refuses,
    no leading dots (hidden) or trailing dots and spaces (which Windows drops), a Windows device name
    (CON, NUL, COM1, LPT1, ... with any extension) prefixed with "_", at most MAX_DISPLAY_NAME characters
    keeping the extension; "file" if nothing is left.
    """
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(" " if unicodedata.category(c) == "Zs" else c for c in name if _visible(c))
    name = _WINDOWS_FORBIDDEN.sub("_", name)
    name = re.sub(r" {2,}", " ", name).strip().lstrip(".").rstrip(". ")
    if name.split(".", 1)[0].rstrip(" ").upper() in WINDOWS_RESERVED:
        name = "_" + name
    if len(name) > MAX_DISPLAY_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = stem[: MAX_DISPLAY_NAME - len(ext) - 1].rstrip(". ") + dot + ext
        else:
            name = name[:MAX_DISPLAY_NAME].rstrip(". ")
    return name or "file"


@dataclass
class SealedUpload:
    """An uploaded file checked and stored encrypted in the vault; the caller adds the row that names it."""

    display_name: str
    media_type: str
    blob: StoredBlob


def seal_upload(upload, max_bytes: int) -> SealedUpload:
    """Sniff, encrypt and store one uploaded file (a werkzeug FileStorage): the vault's checks for every
    kind of row that keeps a file (evidence, a message's attachment). The stored file is deleted again if
    the transaction rolls back.

    422 for an empty (0-byte) file, whatever its name; 415 if the type is not allowed or the content does not
    match the extension; 413 past max_bytes.
    """
    name = display_name(upload.filename)
    stream = upload.stream
    head = stream.read(HEAD_BYTES)
    if not head:
        raise EmptyFile(name)
    media_type = media_type_for(name, head)
    check_whole_file(name, stream)  # archives and PDFs: their end and structure too (position kept)
    try:
        blob = store(head, stream, max_bytes)
    except TooLarge:
        raise PayloadTooLarge() from None
    return SealedUpload(name, media_type, blob)


def store_evidence(*, complaint_id, uploader, upload, max_bytes: int) -> EvidenceFile:
    """Sniff, encrypt and store one uploaded file (a werkzeug FileStorage) and add its row (seal_upload), and
    its leaf in the deposit log (evidence/deposits.py: the next checkpoint covers it)."""
    sealed = seal_upload(upload, max_bytes)
    name, media_type, blob = sealed.display_name, sealed.media_type, sealed.blob
    evidence = EvidenceFile(
        complaint_id=complaint_id, uploaded_by=uploader, display_name=name, media_type=media_type,
        size=blob.size, sha256=blob.sha256, storage_key=blob.storage_key, wrapped_key=blob.wrapped_key,
    )
    db.session.add(evidence)
    db.session.flush()
    deposit("evidence", evidence.id, blob.sha256, blob.size, complaint_id=complaint_id)  # its leaf in the deposit log
    audit("evidence.uploaded", actor=uploader, subject_type="evidence", subject_id=evidence.id,
          complaint_id=str(complaint_id), sha256=blob.sha256, size=blob.size)
    return evidence


class EmptyFile(ValidationFailed):
    """A file of 0 bytes: its own message (a file picked before it was written, a broken copy), not a wrong type."""

    code = "empty_file"

    def __init__(self, name: str):
        text = _("The file “%(name)s” is empty (0 bytes): choose the file again, or another one.", name=name)
        super().__init__({"file": [text]}, message=text)


def evidence_of(complaint_id) -> list[EvidenceFile]:
    return list(db.session.scalars(
        select(EvidenceFile).where(EvidenceFile.complaint_id == complaint_id).order_by(EvidenceFile.created_at)))


def find_evidence(complaint_id, evidence_id) -> EvidenceFile | None:
    return db.session.scalar(select(EvidenceFile).where(
        EvidenceFile.id == evidence_id, EvidenceFile.complaint_id == complaint_id))


class EvidenceDamaged(DomainError):
    """The stored file is missing or fails authentication: nothing of it is served."""

    status = 410
    code = "evidence_damaged"
    default_message = _l("This file is damaged or missing in the evidence vault and cannot be downloaded. "
                         "The administrators have been told.")


DAMAGE_NOTICE_INTERVAL = dt.timedelta(days=1)


class Download:
    """A download about to happen: ``open()`` authenticates the whole file first, then records it.

    Success: an ``evidence.downloaded`` audit row and the iterator of plaintext chunks. Damage: an
    ``evidence.download_failed`` audit row with the reason, a notice to every administrator (at most one
    a day per file), and EvidenceDamaged (410). The caller commits either way (intake/downloads.py):
    the failure must be kept although the answer is an error.
    """

    def __init__(self, evidence: EvidenceFile, actor):
        self.evidence = evidence
        self.actor = actor

    def open(self):
        evidence = self.evidence
        try:
            chunks = open_verified(evidence.storage_key, evidence.wrapped_key, evidence.size, evidence.sha256)
        except TamperedEvidence as exc:
            report_damage(evidence, self.actor, exc.reason, exc.detail)
            raise EvidenceDamaged() from exc
        audit("evidence.downloaded", actor=self.actor, subject_type=_subject_type(evidence), subject_id=evidence.id,
              complaint_id=str(evidence.complaint_id), sha256=evidence.sha256)
        return chunks


def _subject_type(row) -> str:
    """What the audit log calls a file kept in the vault: "evidence", or the row's own ``audit_subject``."""
    return getattr(row, "audit_subject", "evidence")


def open_for_download(evidence: EvidenceFile, actor) -> Download:
    """The download of a file someone may see; nothing is read or recorded until ``open()``."""
    return Download(evidence, actor)


def report_damage(evidence: EvidenceFile, actor, reason: str, detail: str | None = None) -> bool:
    """Audit the failed download and tell the administrators, unless they were told of this file in the
    last day (one conditional UPDATE decides, so parallel attempts send one notice). True if told."""
    audit("evidence.download_failed", actor=actor, subject_type=_subject_type(evidence), subject_id=evidence.id,
          complaint_id=str(evidence.complaint_id), sha256=evidence.sha256, reason=reason, detail=detail)
    now = utcnow()
    kept = type(evidence)  # EvidenceFile, or another row kept in the vault with the same columns
    claimed = db.session.execute(
        update(kept)
        .where(kept.id == evidence.id,
               or_(kept.damage_reported_at.is_(None), kept.damage_reported_at <= now - DAMAGE_NOTICE_INTERVAL))
        .values(damage_reported_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        return False
    admins = db.session.scalars(select(User.id).where(User.role == Role.admin, User.active.is_(True))).all()
    # no display name, complaint or content: administrators may see no complaint; the storage key
    # names the file to restore from the backup
    emit("evidence.damaged", user_ids=admins, subject_type=_subject_type(evidence), subject_id=evidence.id,
         params={"evidence_id": str(evidence.id), "storage_key": evidence.storage_key, "reason": reason,
                 "sha256": evidence.sha256})
    return True
