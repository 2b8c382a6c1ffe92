"""API: the signed receipts of the hand-overs (routing/receipts.py) — lists, and each receipt's file."""
from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from core.pagination import CursorArgs, page_list, page_schema, window
from core.schemas import Computed, OutSchema, coded
from core.security import api_actor

from . import receipts

blp = Blueprint("receipts", __name__, description="Signed receipts of every hand-over (verifiable offline)")


class ReceiptSchema(OutSchema):
    id = fields.UUID(required=True)
    kind = coded(receipts.KINDS, receipts.KIND_LABELS, name="ReceiptKind", required=True,
                 metadata={"description": "submitted, delivered, opened, acknowledged, case_file"})
    event = Computed(lambda r: receipts.EVENTS[r.kind], fields.String(), required=True)
    complaint_id = fields.UUID(required=True)
    referral_id = fields.UUID(metadata={"description": "The referral of a hand-over receipt (null otherwise)"})
    issued_at = fields.AwareDateTime(required=True)
    sha256 = fields.String(required=True, metadata={"description": "SHA-256 of the receipt's file (its deposit-log leaf)"})
    download_url = Computed(lambda r: url_for("receipts.ReceiptFile", receipt_id=r.id), fields.String(), required=True)


ReceiptPage = page_schema(ReceiptSchema, "ReceiptPage")

_TEXT = {"type": "string"}
# the receipt's file (routing/receipts.py): signed as it is, so documented inline, open to members a later format adds
RECEIPT_DOCUMENT = {
    "type": "object", "additionalProperties": True,
    "required": ["format", "id", "event", "issuer", "issued_at", "when", "what", "key", "signature"],
    "properties": {
        "format": _TEXT, "id": {"type": "string", "format": "uuid"}, "event": _TEXT, "issuer": _TEXT,
        "issued_at": {"type": "string", "format": "date-time"}, "when": {"type": "string", "format": "date-time"},
        "who": {"type": "object", "nullable": True, "additionalProperties": True,
                "description": "The user and organisation that handed over (null: the platform itself)"},
        "what": {"type": "object", "additionalProperties": True,
                 "description": "The complaint, the referral and its letter's SHA-256, the files' SHA-256"},
        "key": {"type": "string", "description": "SHA-256 (hex) of the platform's raw Ed25519 public key"},
        "signature": {"type": "string", "description": "base64 Ed25519 signature of the canonical JSON without "
                                                       "this member"}}}


def _page(items, args, name, parent):
    return page_list(items, window(args, name, parent.id), key=lambda r: (r.issued_at, str(r.id))).envelope()


@blp.route("/complaints/<complaint_id>/receipts")
class ComplaintReceipts(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, ReceiptPage)
    def get(self, args, complaint_id):
        """The complaint's signed receipts, oldest first: its enterprise sees the submission receipt, the clerks
        of its centre every hand-over's (anyone else: 404)."""
        complaint, items = receipts.complaint_receipts(api_actor(), complaint_id)
        return _page(items, args, "complaint_receipts", complaint)


@blp.route("/referrals/<referral_id>/receipts")
class ReferralReceipts(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, ReceiptPage)
    def get(self, args, referral_id):
        """The referral's receipts (delivered, first opened, acknowledged), oldest first: its own agency and
        the clerks of the complaint's centre (anyone else: 404)."""
        referral, items = receipts.referral_receipts_of(api_actor(), referral_id)
        return _page(items, args, "referral_receipts", referral)


@blp.route("/receipts/<receipt_id>")
class ReceiptFile(MethodView):
    @blp.response(200, description="The signed receipt, exactly as issued")
    @blp.doc(responses={"200": {"description": "The signed receipt (canonical JSON with its Ed25519 signature and "
                                               "the key's fingerprint), exactly as issued",
                                "content": {"application/json": {"schema": RECEIPT_DOCUMENT}}}})
    def get(self, receipt_id):
        """Download one receipt: verify it offline with `python -m routing.verify_receipt receipt.json key.pem`
        and the platform's public key."""
        return receipts.response(receipts.get_visible_receipt(api_actor(), receipt_id))
