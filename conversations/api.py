"""API: a complaint's conversation between the enterprise and its centre."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from core.limits import accepts_files
from core.openapi import file_answer
from core.pages import load
from core.pagination import CursorArgs, page_list, page_schema, window
from core.security import api_actor
from intake.downloads import evidence_response

from . import services
from .models import MAX_BODY
from .schemas import MessageOutSchema, MessageSchema

blp = Blueprint("messages", __name__, description="The conversation on a complaint between its enterprise and its centre")

MessagePage = page_schema(MessageOutSchema, "MessagePage")

UPLOAD_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["body"], "properties": {
        "body": {"type": "string", "maxLength": MAX_BODY, "description": "The message"},
        "file": {"type": "array", "items": {"type": "string", "format": "binary"},
                 "description": "Files to attach (repeatable; a few, each size-limited)"}}}}}}}


@blp.route("/complaints/<complaint_id>/messages")
class Messages(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, MessagePage)
    def get(self, args, complaint_id):
        """The conversation, oldest first: the complaint's enterprise and the clerks of its centre only
        (anyone else: 404). It exists once the complaint is submitted."""
        actor = api_actor()
        complaint = services.get_conversation_complaint(actor, complaint_id)
        return page_list(services.messages_of(actor, complaint), window(args, "messages", complaint.id),
                         key=lambda message: (message.created_at, message.id)).envelope()

    @blp.arguments(MessageSchema())
    @blp.response(201, MessageOutSchema())
    @blp.alt_response(409, description="The complaint is no longer open: the conversation is read-only")
    def post(self, data, complaint_id):
        """Write a message; the other side is notified (the clerk holding the complaint, else the centre's
        clerks; or the enterprise's users). Files: POST .../messages/upload as multipart."""
        actor = api_actor()
        return services.post_message(actor, services.get_conversation_complaint(actor, complaint_id), data["body"])


@blp.route("/complaints/<complaint_id>/messages/upload")
class MessageUpload(MethodView):
    @accepts_files
    @blp.doc(**UPLOAD_DOC)
    @blp.response(201, MessageOutSchema())
    @blp.alt_response(409, description="The complaint is no longer open: the conversation is read-only")
    @blp.alt_response(413, description="A file is larger than allowed")
    @blp.alt_response(415, description="The type is not allowed, or the content does not match the extension")
    def post(self, complaint_id):
        """Write a message with files (multipart: field ``body`` and ``file``, repeatable); an empty file, too
        many files or a refused one: nothing is kept."""
        actor = api_actor()
        complaint = services.get_conversation_complaint(actor, complaint_id)
        data = load(MessageSchema(), {"body": request.form.get("body", "")})
        return services.post_message(actor, complaint, data["body"], request.files.getlist("file"))


@blp.route("/complaints/<complaint_id>/messages/attachments/<attachment_id>")
class AttachmentContent(MethodView):
    @blp.response(200, description="The decrypted file, as an attachment")
    @blp.doc(**file_answer("*/*", description="The decrypted file, as an attachment (its own media type)", stored=True))
    def get(self, complaint_id, attachment_id):
        """Download a message's file (decrypted, as an attachment; every download is audited)."""
        actor = api_actor()
        complaint = services.get_conversation_complaint(actor, complaint_id)
        return evidence_response(*services.attachment_for_download(actor, complaint, attachment_id))
