"""The evidence vault's services: store an uploaded file, list, and stream a download (audited)."""
import re
import unicodedata

from sqlalchemy import select

from core.audit import audit
from core.errors import PayloadTooLarge
from core.extensions import db

from .models import EvidenceFile
from .sniff import HEAD_BYTES, media_type_for
from .vault import TooLarge, open_decrypted, store

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def display_name(filename: str | None) -> str:
    """The last path component, without control characters, at most 255 characters.

    Only ever shown to people: the file's place on disk is a generated key.
    """
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _CONTROL.sub("", name).strip().lstrip(".") or "file"
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 250 - len(ext)] + dot + ext) if dot else name[:255]
    return name


def store_evidence(*, complaint_id, uploader, upload, max_bytes: int) -> EvidenceFile:
    """Sniff, encrypt and store one uploaded file (a werkzeug FileStorage) and add its row.

    415 if the type is not allowed or the content does not match the extension; 413 past max_bytes.
    """
    name = display_name(upload.filename)
    stream = upload.stream
    head = stream.read(HEAD_BYTES)
    media_type = media_type_for(name, head)
    try:
        blob = store(head, stream, max_bytes)
    except TooLarge:
        raise PayloadTooLarge() from None
    evidence = EvidenceFile(
        complaint_id=complaint_id, uploaded_by=uploader, display_name=name, media_type=media_type,
        size=blob.size, sha256=blob.sha256, storage_key=blob.storage_key, wrapped_key=blob.wrapped_key,
    )
    db.session.add(evidence)
    db.session.flush()
    audit("evidence.uploaded", actor=uploader, subject_type="evidence", subject_id=evidence.id,
          complaint_id=str(complaint_id), sha256=blob.sha256, size=blob.size)
    return evidence


def evidence_of(complaint_id) -> list[EvidenceFile]:
    return list(db.session.scalars(
        select(EvidenceFile).where(EvidenceFile.complaint_id == complaint_id).order_by(EvidenceFile.created_at)))


def find_evidence(complaint_id, evidence_id) -> EvidenceFile | None:
    return db.session.scalar(select(EvidenceFile).where(
        EvidenceFile.id == evidence_id, EvidenceFile.complaint_id == complaint_id))


def open_for_download(evidence: EvidenceFile, actor):
    """Record the download in the audit log (committed before the first byte) and return the chunks."""
    audit("evidence.downloaded", actor=actor, subject_type="evidence", subject_id=evidence.id,
          complaint_id=str(evidence.complaint_id), sha256=evidence.sha256)
    return open_decrypted(evidence.storage_key, evidence.wrapped_key)
