"""The conversation's pages: the thread on its own (where a refused message comes back with its errors),
posting, and downloading an attachment. The thread also shows on the enterprise's complaint page and the
centre's triage page (templates/conversations/_thread.html)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.errors import DomainError, PayloadTooLarge, UnsupportedMediaType
from core.extensions import db
from core.limits import accepts_files
from core.pages import load
from intake.downloads import evidence_response

from . import services
from .models import Side
from .presenters import thread_context
from .schemas import MessageSchema

bp = Blueprint("conversations", __name__, url_prefix="/complaints")


def _page(complaint, errors=None, status=200):
    return render_template("conversations/thread.html", complaint=complaint,
                           thread=thread_context(complaint, errors, request.form if errors else None)), status


def _back(complaint):
    """The page the author came from: the enterprise's complaint page or the centre's triage page."""
    if services.side_of(current_user, complaint) is Side.enterprise:
        return url_for("intake.show_complaint", complaint_id=complaint.id, _anchor="conversation")
    return url_for("centre.triage_page", complaint_id=complaint.id, _anchor="conversation")


@bp.get("/<complaint_id>/messages")
@login_required
def thread(complaint_id):
    return _page(services.get_conversation_complaint(current_user, complaint_id))


@bp.post("/<complaint_id>/messages")
@login_required
@accepts_files
def post_message(complaint_id):
    complaint = services.get_conversation_complaint(current_user, complaint_id)
    try:
        data = load(MessageSchema(), {"body": request.form.get("body", "")})
        services.post_message(current_user, complaint, data["body"], request.files.getlist("file"))
    except DomainError as exc:
        db.session.rollback()  # nothing of the message, nor any file already sealed, is kept
        complaint = services.get_conversation_complaint(current_user, complaint_id)
        field = "file" if isinstance(exc, (PayloadTooLarge, UnsupportedMediaType)) else "body"
        return _page(complaint, getattr(exc, "errors", None) or {field: [str(exc.message)]}, exc.status)
    flash(_("Your message has been sent."))
    return redirect(_back(complaint))


@bp.get("/<complaint_id>/messages/attachments/<attachment_id>")
@login_required
def download_attachment(complaint_id, attachment_id):
    complaint = services.get_conversation_complaint(current_user, complaint_id)
    return evidence_response(*services.attachment_for_download(current_user, complaint, attachment_id))
