"""The conversation's business rules: reading it, posting a message (with files), downloading a file.

Who may do what is conversations.access; services flush and never commit (one commit per request).
"""
import uuid

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts.enums import Role
from accounts.models import User
from core.audit import audit
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.outbox import emit
from evidence import services as vault
from intake.models import Complaint

from .access import can_post_message, can_read_conversation, side_of
from .models import Message, MessageAttachment, Side

# Defaults; the application's configuration may set either.
MAX_ATTACHMENTS = 5  # files per message
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # per file (and never more than MAX_EVIDENCE_BYTES)


def _parse_id(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound() from None


def get_conversation_complaint(actor, complaint_id) -> Complaint:
    """The complaint whose conversation ``actor`` may read, or 404 (missing, or not a party to it)."""
    complaint = db.session.get(Complaint, _parse_id(complaint_id))
    if complaint is None or not can_read_conversation(actor, complaint):
        raise NotFound()
    return complaint


def messages_of(actor, complaint: Complaint) -> list[Message]:
    """The conversation, oldest first (the newest last, next to the form)."""
    if not can_read_conversation(actor, complaint):
        raise NotFound()
    return list(db.session.scalars(
        select(Message).where(Message.complaint_id == complaint.id)
        .options(selectinload(Message.attachments), selectinload(Message.author))
        .order_by(Message.created_at, Message.id)))


def limits() -> dict:
    cfg = current_app.config
    return {"files": cfg.get("MAX_MESSAGE_ATTACHMENTS", MAX_ATTACHMENTS),
            "bytes": min(cfg.get("MAX_ATTACHMENT_BYTES", MAX_ATTACHMENT_BYTES), cfg["MAX_EVIDENCE_BYTES"])}


def _is_empty(upload) -> bool:
    stream = upload.stream
    position = stream.tell()
    empty = not stream.read(1)
    stream.seek(position)
    return empty


def _check_uploads(uploads) -> list:
    uploads = [u for u in uploads if u and u.filename]
    if len(uploads) > limits()["files"]:
        raise ValidationFailed({"file": [_("Attach at most %(count)d files to one message.", count=limits()["files"])]})
    empty = [vault.display_name(u.filename) for u in uploads if _is_empty(u)]
    if empty:
        raise ValidationFailed({"file": [_("The file %(name)s is empty.", name=name) for name in empty]})
    return uploads


def post_message(actor, complaint: Complaint, body: str, uploads=()) -> Message:
    """Add ``actor``'s message (``body`` already loaded by MessageSchema) and its files, and tell the other
    side. Refused uploads (empty, too many, too large, a type the vault does not take) leave nothing: the
    files already sealed are deleted when the request rolls back (the vault's hook)."""
    if not can_read_conversation(actor, complaint):
        raise NotFound()
    if not can_post_message(actor, complaint):
        raise Conflict(_("This complaint is no longer open: its conversation can be read but not continued."))
    if not body.strip():
        raise ValidationFailed({"body": [_("This field cannot be blank.")]})
    uploads = _check_uploads(uploads)
    side = side_of(actor, complaint)
    message = Message(complaint_id=complaint.id, author=actor, side=side, body=body)
    db.session.add(message)
    max_bytes = limits()["bytes"]
    for position, upload in enumerate(uploads):
        sealed = vault.seal_upload(upload, max_bytes)
        message.attachments.append(MessageAttachment(
            complaint_id=complaint.id, position=position, display_name=sealed.display_name,
            media_type=sealed.media_type, size=sealed.blob.size, sha256=sealed.blob.sha256,
            storage_key=sealed.blob.storage_key, wrapped_key=sealed.blob.wrapped_key))
    db.session.flush()
    audit("conversation.message_posted", actor=actor, subject_type="complaint", subject_id=complaint.id,
          message_id=str(message.id), side=side.value,
          files=[{"id": str(a.id), "name": a.display_name, "sha256": a.sha256} for a in message.attachments])
    _notify_other_side(complaint, message)
    return message


def centre_recipients(complaint: Complaint) -> list[uuid.UUID]:
    """Who at the centre hears of the enterprise's message: the clerk holding the complaint, else every
    active clerk of the centre."""
    holder = complaint.claimed_by
    if holder is not None and holder.active and holder.organisation_id == complaint.centre_id:
        return [holder.id]
    return list(db.session.scalars(select(User.id).where(
        User.organisation_id == complaint.centre_id, User.role == Role.clerk, User.active.is_(True))))


def _notify_other_side(complaint: Complaint, message: Message) -> None:
    params = {"reference": complaint.reference, "enterprise": complaint.enterprise.name,
              "author": message.author.name, "files": len(message.attachments)}
    common = {"subject_type": "complaint", "subject_id": complaint.id, "params": params}
    if message.side is Side.enterprise:
        emit("conversation.enterprise_wrote", user_ids=centre_recipients(complaint),
             url=url_for("centre.triage_page", complaint_id=complaint.id, _anchor="conversation"), **common)
    else:
        emit("conversation.centre_wrote", organisation_ids=[complaint.enterprise_id],
             url=url_for("intake.show_complaint", complaint_id=complaint.id, _anchor="conversation"), **common)


def attachment_for_download(actor, complaint: Complaint, attachment_id):
    """(attachment, download) for a party to the conversation, else 404; the download is audited
    (evidence.services.Download: the whole file is authenticated first)."""
    if not can_read_conversation(actor, complaint):
        raise NotFound()
    attachment = db.session.scalar(select(MessageAttachment).where(
        MessageAttachment.id == _parse_id(attachment_id), MessageAttachment.complaint_id == complaint.id))
    if attachment is None:
        raise NotFound()
    return attachment, vault.open_for_download(attachment, actor)
