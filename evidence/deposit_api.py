"""API: the deposit log. Public (no token): the log's key and latest checkpoint, the checkpoints, consistency
proofs, the verification of a digest or a file. With a token: an evidence file's certificate (whoever may see
the file) and a checkpoint on demand (administrators and supervisors)."""
import base64

from flask import request
from flask_babel import gettext as _
from flask.views import MethodView
from flask_smorest import Blueprint

from core import signing
from core.errors import PermissionDenied, ValidationFailed
from core.limits import accepts_files
from core.pagination import CursorArgs, desc, fetch, page_schema, window
from core.security import api_actor
from core.timeutil import iso_utc

from . import access, checkpoints, deposits
from .deposit_schemas import (CertificateSchema, CheckpointSchema, ConsistencyArgs, ConsistencySchema, LogSchema,
                              VerifyResultSchema, VerifySchema)
from .models import DepositCheckpoint

blp = Blueprint("deposits_api", __name__, description="The evidence deposit log (存证): checkpoints, proofs, verification")

CheckpointPage = page_schema(CheckpointSchema, "CheckpointPage")

UPLOAD_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "The file to look for (hashed, not kept)"}}}}}}}


def _log():
    return {"origin": deposits.origin(), "public_key": base64.b64encode(signing.public_key_raw()).decode(),
            "public_key_pem": signing.public_key_pem(),
            "verifier_key": checkpoints.verifier_key(deposits.origin(), signing.public_key_raw()),
            "fingerprint": signing.key_fingerprint(), "latest": deposits.latest_checkpoint()}


def _result(sha256):
    found = deposits.verify_digest(sha256)
    return {"sha256": sha256, "found": bool(found), "leaves": found}


@blp.route("/deposits")
class DepositLog(MethodView):
    @blp.doc(security=[])
    @blp.response(200, LogSchema)
    def get(self):
        """The log: its origin (key name), the Ed25519 public key and the latest signed checkpoint. Public."""
        return _log()


@blp.route("/deposits/checkpoints")
class Checkpoints(MethodView):
    @blp.doc(security=[])
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, CheckpointPage)
    def get(self, args):
        """Every checkpoint, newest first (never rewritten). Public."""
        return fetch(deposits.checkpoint_list(), [desc(DepositCheckpoint.size)],
                     window(args, "deposit-checkpoints")).envelope()

    @blp.response(201, CheckpointSchema)
    @blp.alt_response(200, schema=CheckpointSchema, description="Nothing was added since the latest checkpoint: it is answered")
    def post(self):
        """Take a checkpoint now (administrators and supervisors; another role: 403)."""
        if not access.can_take_checkpoint(api_actor()):
            raise PermissionDenied()
        checkpoint, new = deposits.take_checkpoint()
        return checkpoint, 201 if new else 200


@blp.route("/deposits/consistency")
class Consistency(MethodView):
    @blp.doc(security=[])
    @blp.arguments(ConsistencyArgs, location="query")
    @blp.response(200, ConsistencySchema)
    def get(self, args):
        """The RFC 9162 consistency proof between two checkpoints, named by their sizes (first ≤ second). Public."""
        first, second = deposits.checkpoint_of_size(args["first"]), deposits.checkpoint_of_size(args["second"])
        errors = {}
        if first is None:
            errors["first"] = [_("No checkpoint has this size.")]
        if second is None:
            errors["second"] = [_("No checkpoint has this size.")]
        if not errors and first.size > second.size:
            errors["first"] = [_("The first checkpoint must not be larger than the second.")]
        if errors:
            raise ValidationFailed(errors)
        return {"first": first, "second": second, "proof": deposits.consistency(first, second)}


@blp.route("/deposits/verify")
class Verify(MethodView):
    @blp.doc(security=[])
    @blp.arguments(VerifySchema)
    @blp.response(200, VerifyResultSchema)
    def post(self, data):
        """Whether the log holds this SHA-256; each entry's inclusion proof checked against the latest signed
        checkpoint (``verified``). A file instead: POST /deposits/verify/upload. Public."""
        return _result(data["sha256"].lower())


@blp.route("/deposits/verify/upload")
class VerifyUpload(MethodView):
    @accepts_files
    @blp.doc(security=[], **UPLOAD_DOC)
    @blp.response(200, VerifyResultSchema)
    @blp.alt_response(413, description="The file is larger than allowed")
    def post(self):
        """The same for a file (multipart, field ``file``): hashed here and not kept. Public."""
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ValidationFailed({"file": [_("Choose a file.")]})
        return _result(deposits.sha256_of_stream(upload.stream))


@blp.route("/complaints/<complaint_id>/evidence/<evidence_id>/certificate")
class Certificate(MethodView):
    @blp.response(200, CertificateSchema)
    def get(self, complaint_id, evidence_id):
        """An evidence file's deposit certificate as data: its leaf, the inclusion proof in the latest
        checkpoint (``pending`` until one covers it) and the key. Whoever may see the file; anyone else: 404."""
        evidence = access.visible_evidence(api_actor(), complaint_id, evidence_id)
        cert = deposits.certificate(evidence)
        leaf = cert["leaf"]
        return {"evidence_id": evidence.id, "display_name": evidence.display_name, "sha256": evidence.sha256,
                "size": evidence.size, "deposited_at": iso_utc(leaf.deposited_at) if leaf else None,
                "leaf_data": deposits.leaf_data(leaf).decode() if leaf else None, "inclusion": cert["proof"],
                "public_key": cert["public_key"], "origin": cert["origin"]}
