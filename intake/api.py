"""API: complaints (drafts, submission, withdrawal), their evidence and their timeline."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from core.http import etag, if_match, versioned_change, versioned_read
from core.limits import accepts_files
from core.openapi import file_answer
from core.pagination import CursorArgs, page_list, page_schema, window
from core.security import api_actor
from routing import services as routing

from . import services
from .downloads import evidence_response
from .search import query_field
from .schemas import (ComplaintDraftSchema, ComplaintSchema, ComplaintSummarySchema, EvidenceSchema,
                      TimelineEventSchema, WithdrawSchema)

blp = Blueprint("complaints", __name__, description="Trade-secret complaints of an enterprise")


class ComplaintListArgs(CursorArgs):
    q = query_field()


ComplaintPage = page_schema(ComplaintSummarySchema, "ComplaintPage")
TimelinePage = page_schema(TimelineEventSchema, "TimelinePage")
EvidencePage = page_schema(EvidenceSchema, "EvidencePage")


@blp.route("/complaints")
class Complaints(MethodView):
    @blp.arguments(ComplaintListArgs(), location="query")
    @blp.response(200, ComplaintPage())
    def get(self, args):
        """The complaints this user may see (an enterprise: its own), most recently updated first; `q` finds
        them by reference, enterprise, infringer name or credit code."""
        return services.list_complaints(api_actor(), q=args["q"], window=window(args, "complaints")).envelope()

    @versioned_read
    @blp.arguments(ComplaintDraftSchema())
    @blp.response(201, ComplaintSchema())
    def post(self, data):
        """Create a draft. Every field is optional until submission."""
        complaint = services.create_draft(api_actor(), data)
        return complaint, etag(complaint)


@blp.route("/complaints/<complaint_id>")
class ComplaintItem(MethodView):
    @versioned_read
    @blp.response(200, ComplaintSchema())
    def get(self, complaint_id):
        complaint = services.get_visible_complaint(api_actor(), complaint_id)
        return complaint, etag(complaint)

    @versioned_change
    @blp.arguments(ComplaintDraftSchema())
    @blp.response(200, ComplaintSchema())
    def patch(self, data, complaint_id):
        """Change fields of a draft; the fields sent replace the stored ones (409 once submitted)."""
        actor = api_actor()
        complaint = services.get_visible_complaint(actor, complaint_id)
        complaint = services.update_draft(actor, complaint, data, expected_version=if_match(complaint))
        return complaint, etag(complaint)


@blp.route("/complaints/<complaint_id>/submit")
class Submit(MethodView):
    @versioned_change
    @blp.response(200, ComplaintSchema())
    @blp.alt_response(422, description="Every missing or invalid field, at once")
    def post(self, complaint_id):
        """Submit a complete draft: a reference number is issued and the centre takes it from here."""
        actor = api_actor()
        complaint = services.get_visible_complaint(actor, complaint_id)
        complaint = routing.submit_complaint(actor, complaint, expected_version=if_match(complaint))
        return complaint, etag(complaint)


@blp.route("/complaints/<complaint_id>/withdraw")
class Withdraw(MethodView):
    @versioned_change
    @blp.arguments(WithdrawSchema())
    @blp.response(200, ComplaintSchema())
    def post(self, data, complaint_id):
        """Withdraw an open complaint, with a reason."""
        actor = api_actor()
        complaint = services.get_visible_complaint(actor, complaint_id)
        complaint = routing.withdraw_complaint(actor, complaint, data["reason"], expected_version=if_match(complaint))
        return complaint, etag(complaint)


@blp.route("/complaints/<complaint_id>/timeline")
class Timeline(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, TimelinePage)
    def get(self, args, complaint_id):
        """Every row of the timeline this user may read, oldest first."""
        actor = api_actor()
        complaint = services.get_visible_complaint(actor, complaint_id)
        return page_list(services.timeline(actor, complaint, record=True),
                         window(args, "timeline", complaint.id), key=lambda event: (event.id,)).envelope()


UPLOAD_DOC = {"requestBody": {"content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}},
    "required": ["file"]}}}}}


@blp.route("/complaints/<complaint_id>/evidence")
class Evidence(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, EvidencePage)
    def get(self, args, complaint_id):
        """The complaint's evidence files, oldest first."""
        actor = api_actor()
        complaint = services.get_visible_complaint(actor, complaint_id)
        return page_list(services.list_evidence(actor, complaint), window(args, "evidence", complaint.id),
                         key=lambda evidence: (evidence.created_at, evidence.id)).envelope()

    @accepts_files
    @blp.doc(**UPLOAD_DOC)
    @blp.response(201, EvidenceSchema(many=True))
    @blp.alt_response(413, description="A file is larger than MAX_EVIDENCE_BYTES")
    @blp.alt_response(415, description="The type is not allowed, or the content does not match the extension")
    @blp.alt_response(422, description="No file was sent, too many files, or a file is empty (code empty_file: "
                                       "0 bytes)")
    def post(self, complaint_id):
        """Upload one or more files (field ``file``, repeatable) to a draft, or to a submitted complaint while it is open."""
        actor = api_actor()
        complaint = services.get_visible_complaint(actor, complaint_id)
        return services.add_evidence(actor, complaint, request.files.getlist("file"))


@blp.route("/complaints/<complaint_id>/evidence/<evidence_id>")
class EvidenceContent(MethodView):
    @blp.response(200, description="The decrypted file, as an attachment")
    @blp.doc(**file_answer("*/*", description="The decrypted file, as an attachment (its own media type)", stored=True))
    def get(self, complaint_id, evidence_id):
        """Download one file (decrypted, as an attachment; every download is audited)."""
        actor = api_actor()
        complaint = services.get_visible_complaint(actor, complaint_id)
        return evidence_response(*services.evidence_for_download(actor, complaint, evidence_id))
