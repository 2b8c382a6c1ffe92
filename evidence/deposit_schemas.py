"""The deposit log's request and answer schemas, shared by its pages and its API."""
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validates

from core.schemas import Code, OutSchema, StrictSchema
from core.timeutil import iso_utc

from .deposits import is_sha256_hex

MAX_SIZE = 2**53


class VerifySchema(StrictSchema):
    sha256 = Code(64, required=True, metadata={
        "description": "The file's SHA-256, 64 hexadecimal digits (either case)"})

    @validates("sha256")
    def _hex(self, value, **kwargs):
        if not is_sha256_hex(value):
            raise ValidationError(str(_l("Enter the SHA-256 as 64 hexadecimal digits (0-9, a-f).")))


def _tree_size(value):
    if not 0 <= value <= MAX_SIZE:
        raise ValidationError(str(_l("No checkpoint has this size.")))


class ConsistencyArgs(StrictSchema):
    first = fields.Integer(required=True, validate=_tree_size,
                           metadata={"description": "The tree size of the earlier checkpoint", "minimum": 0,
                                     "maximum": MAX_SIZE})
    second = fields.Integer(required=True, validate=_tree_size,
                            metadata={"description": "The tree size of the later checkpoint", "minimum": 0,
                                      "maximum": MAX_SIZE})


class CheckpointSchema(OutSchema):
    size = fields.Integer(required=True, metadata={"description": "The tree size: how many leaves it covers"})
    root_hash = fields.String(required=True, metadata={"description": "The Merkle root, hex (RFC 9162)"})
    taken_at = fields.Function(lambda c: iso_utc(c.taken_at), required=True,
                               metadata={"description": "When it was taken (UTC)", "type": "string",
                                         "format": "date-time"})
    note = fields.String(required=True, metadata={"description": "The signed note (C2SP tlog-checkpoint), verbatim"})


class LogSchema(OutSchema):
    origin = fields.String(required=True, metadata={"description": "The log's origin line and key name"})
    public_key = fields.String(required=True, metadata={"description": "The Ed25519 public key, base64 of its 32 bytes"})
    public_key_pem = fields.String(required=True)
    verifier_key = fields.String(required=True, metadata={"description": "The signed-note verifier key"})
    fingerprint = fields.String(required=True, metadata={"description": "SHA-256 of the public key, hex"})
    latest = fields.Nested(CheckpointSchema, metadata={"description": "The latest checkpoint (none before the first)"})


class ConsistencySchema(OutSchema):
    first = fields.Nested(CheckpointSchema, required=True)
    second = fields.Nested(CheckpointSchema, required=True)
    proof = fields.List(fields.String(), required=True,
                        metadata={"description": "RFC 9162 consistency proof, hex hashes"})


class InclusionSchema(OutSchema):
    index = fields.Integer(metadata={"description": "The leaf's index in the log (none until sequenced)"})
    leaf_hash = fields.String(metadata={"description": "SHA-256(0x00 ‖ leaf data), hex"})
    pending = fields.Boolean(required=True, metadata={"description": "No checkpoint covers the leaf yet"})
    tree_size = fields.Integer()
    root_hash = fields.String()
    proof = fields.List(fields.String(), required=True, metadata={"description": "Hex hashes, from the leaf up"})
    checkpoint = fields.String(metadata={"description": "The signed checkpoint the proof leads to"})


class FoundLeafSchema(OutSchema):
    kind = fields.Function(lambda f: f.leaf.kind, required=True, metadata={
        "description": "What was deposited: evidence, receipt, case_file", "type": "string"})
    deposited_at = fields.Function(lambda f: iso_utc(f.leaf.deposited_at), required=True,
                                   metadata={"type": "string", "format": "date-time"})
    size = fields.Function(lambda f: f.leaf.size, required=True, metadata={"type": "integer"})
    verified = fields.Boolean(required=True, metadata={
        "description": "The inclusion proof was checked against the latest signed checkpoint"})
    inclusion = fields.Nested(InclusionSchema, attribute="proof", required=True)


class VerifyResultSchema(OutSchema):
    sha256 = fields.String(required=True)
    found = fields.Boolean(required=True, metadata={"description": "The digest is in the log"})
    leaves = fields.List(fields.Nested(FoundLeafSchema), required=True)


class CertificateSchema(OutSchema):
    evidence_id = fields.UUID(required=True)
    display_name = fields.String(required=True)
    sha256 = fields.String(required=True)
    size = fields.Integer(required=True)
    deposited_at = fields.String(metadata={"format": "date-time"})
    leaf_data = fields.String(metadata={"description": "The leaf's exact bytes (UTF-8 JSON): RFC 9162's leaf input"})
    inclusion = fields.Nested(InclusionSchema)
    public_key = fields.String(required=True)
    origin = fields.String(required=True)
