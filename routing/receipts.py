"""Signed receipts (回执) for every hand-over, the e-CODEX way: the platform vouches for who handed what over when.

A receipt is a small JSON document signed with the platform's Ed25519 key (core/signing.py), issued

- ``submitted``: when the enterprise submits its complaint (what it filed and the files, by digest);
- ``delivered``: when a referral is sent to its agency (the letter's digest and the shared files' digests);
- ``opened``: when a user of the referral's agency first opens it (its page or GET /api/v1/referrals/{id});
- ``acknowledged``: when the agency acknowledges it (签收, the referral machine's ``acknowledge`` row);
- ``case_file``: the signed manifest of a downloaded case file (routing/casefile.py).

The signed bytes are the canonical JSON (sorted keys, no spaces, UTF-8) of the document without its
``signature`` member; the stored file is the canonical JSON of the document with it. Each receipt's SHA-256
goes into the deposit log (evidence.deposits, kind ``receipt`` or ``case_file``), so the platform cannot
later issue another one in its place unnoticed. ``python -m routing.verify_receipt receipt.json key.pem``
checks one offline (it needs only ``cryptography``).

Who may download: a referral's receipts the clerks of the complaint's centre and the users of the
referral's own agency; the submission receipt the enterprise and the centre's clerks; others 404.
"""
import base64
import datetime as dt
import decimal
import enum
import hashlib
import json
import uuid

from flask import Response
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, Uuid, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.enums import AGENCY_ROLES, Role
from core import signing
from core.errors import NotFound
from core.extensions import db
from core.models import UTCDateTime, new_uuid, utcnow
from core.timeutil import iso_utc
from evidence import deposits
from evidence.models import EvidenceFile
from intake.models import Complaint
from intake.services import get_visible_complaint

from .effects import follow_up
from .models import Referral

FORMAT = "shanghai-trade-secrets/receipt/v1"
ISSUER = "上海市商业秘密保护平台"

SUBMITTED, DELIVERED, OPENED, ACKNOWLEDGED, CASE_FILE = "submitted", "delivered", "opened", "acknowledged", "case_file"
REFERRAL_KINDS = (DELIVERED, OPENED, ACKNOWLEDGED)
KINDS = (SUBMITTED, *REFERRAL_KINDS, CASE_FILE)
EVENTS = {SUBMITTED: "complaint.submitted", DELIVERED: "referral.delivered", OPENED: "referral.opened",
          ACKNOWLEDGED: "referral.acknowledged", CASE_FILE: "case_file.manifest"}
KIND_LABELS = {SUBMITTED: _l("Submission received"), DELIVERED: _l("Referral delivered to the agency"),
               OPENED: _l("Referral first opened by the agency"), ACKNOWLEDGED: _l("Referral acknowledged by the agency"),
               CASE_FILE: _l("Case file manifest")}


class Receipt(db.Model):
    """One signed receipt: the exact bytes served (``document``), their digest, and what it is about."""

    __tablename__ = "receipts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    kind: Mapped[str] = mapped_column(String(20))
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"))
    referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referrals.id"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    document: Mapped[str] = mapped_column(Text)  # canonical JSON with its signature, exactly as downloaded
    sha256: Mapped[str] = mapped_column(String(64))

    complaint: Mapped[Complaint] = relationship()
    referral: Mapped[Referral | None] = relationship()

    __table_args__ = (
        CheckConstraint("kind IN ('submitted', 'delivered', 'opened', 'acknowledged', 'case_file')",
                        name="receipt_kind_known"),
        CheckConstraint("(referral_id IS NULL) = (kind IN ('submitted', 'case_file'))", name="receipt_referral_kind"),
        # one receipt per referral and hand-over, one submission receipt per complaint (a race loses here)
        Index("uq_receipts_referral_kind", "referral_id", "kind", unique=True),
        Index("uq_receipts_submission", "complaint_id", unique=True,
              sqlite_where=text("kind = 'submitted'"), postgresql_where=text("kind = 'submitted'")),
        Index("ix_receipts_complaint", "complaint_id", "issued_at"),
    )

    @property
    def data(self) -> dict:
        return json.loads(self.document)

    @property
    def filename(self) -> str:
        return f"{self.data['what']['complaint']['reference']}-{self.kind}-{str(self.id)[:8]}.json"


# --- canonical JSON and the signature -------------------------------------------------------------------

def plain(value):
    """A value as JSON's own types: instants as RFC 3339 UTC, dates ISO, decimals as strings, ids as text."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return iso_utc(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def canonical(value) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8 (what is signed and what is hashed)."""
    return json.dumps(plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest(value) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def signed(document: dict) -> bytes:
    """The document with its ``key`` and ``signature``, as canonical JSON bytes."""
    body = {**plain(document), "key": signing.key_fingerprint()}
    body.pop("signature", None)
    signature = base64.b64encode(signing.sign(canonical(body))).decode()
    return canonical({**body, "signature": signature})


def verify_document(raw: bytes, public_raw: bytes | None = None) -> bool:
    """Whether ``raw`` (a receipt's file) carries a valid signature (default: the platform's key)."""
    try:
        body = json.loads(raw)
        signature = base64.b64decode(body.pop("signature"), validate=True)
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    return signing.verify(canonical(body), signature, public_raw)


# --- what a receipt says ----------------------------------------------------------------------------------

def _who(actor) -> dict | None:
    if actor is None or getattr(actor, "id", None) is None:
        return None
    org = actor.organisation
    return {"user": {"id": actor.id, "name": actor.name, "role": actor.role.value},
            "organisation": {"id": org.id, "name": org.name, "kind": org.kind.value}}


def _org(org) -> dict:
    return {"id": org.id, "name": org.name, "kind": org.kind.value}


def _file(e: EvidenceFile) -> dict:
    return {"id": e.id, "name": e.display_name, "media_type": e.media_type, "size": e.size, "sha256": e.sha256}


def complaint_filed(complaint: Complaint) -> dict:
    """What the enterprise filed, as data (its digest is the submission receipt's "what")."""
    return {"reference": complaint.reference, "enterprise": _org(complaint.enterprise),
            "secret_category": complaint.secret_category, "secret_description": complaint.secret_description,
            "confidentiality_measures": complaint.confidentiality_measures,
            "commercial_value": complaint.commercial_value,
            "infringers": [{"kind": i.kind, "name": i.name, "credit_code": i.credit_code} for i in complaint.infringers],
            "infringing_acts": list(complaint.infringing_acts or []), "discovered_on": complaint.discovered_on,
            "estimated_loss": complaint.estimated_loss, "estimated_illegal_gains": complaint.estimated_illegal_gains,
            "remedies": list(complaint.remedies or []), "preferred_tracks": list(complaint.preferred_tracks or []),
            "facts": complaint.facts, "submitted_at": complaint.submitted_at}


def _complaint(complaint: Complaint) -> dict:
    return {"id": complaint.id, "reference": complaint.reference}


def _referral_what(referral: Referral) -> dict:
    from .letters import letter_data  # the letter as data: its canonical JSON's digest names the letter

    letter = letter_data(referral)
    return {"complaint": _complaint(referral.complaint),
            "referral": {"id": referral.id, "letter_number": referral.letter_number, "track": referral.track,
                         "agency": _org(referral.agency)},
            "letter": {"sha256": digest(letter), "digest_of": "canonical JSON of routing.letters.letter_data"},
            "files": [{k: v for k, v in f.items() if k != "shared_at"} for f in letter["evidence"]]}


def _issue(kind, complaint, *, referral=None, actor=None, what: dict, when=None, extra=None) -> Receipt:
    receipt = Receipt(id=new_uuid(), kind=kind, complaint_id=complaint.id,
                      referral_id=referral.id if referral is not None else None,
                      actor_id=getattr(actor, "id", None), issued_at=utcnow())
    document = {"format": FORMAT, "id": receipt.id, "event": EVENTS[kind], "issuer": ISSUER,
                "issued_at": receipt.issued_at, "when": when or receipt.issued_at, "who": _who(actor),
                "what": what, **(extra or {})}
    raw = signed(document)
    receipt.document = raw.decode("utf-8")
    receipt.sha256 = hashlib.sha256(raw).hexdigest()
    db.session.add(receipt)
    db.session.flush()
    deposits.deposit(CASE_FILE if kind == CASE_FILE else "receipt", receipt.id, receipt.sha256, len(raw),
                     complaint_id=complaint.id, reference=complaint.reference)
    return receipt


def issue_submission(complaint: Complaint, actor) -> Receipt:
    """The enterprise's submission receipt: what it filed (digest and content) and its files' digests."""
    files = db.session.scalars(select(EvidenceFile).where(EvidenceFile.complaint_id == complaint.id)
                               .order_by(EvidenceFile.created_at, EvidenceFile.id)).all()
    filed = complaint_filed(complaint)
    return _issue(SUBMITTED, complaint, actor=actor, when=complaint.submitted_at, what={
        "complaint": _complaint(complaint), "centre": _org(complaint.centre) if complaint.centre else None,
        "filed": filed, "filed_sha256": digest(filed), "files": [_file(e) for e in files]})


def issue_for_referral(kind: str, referral: Referral, actor) -> Receipt | None:
    """A referral's hand-over receipt (delivered, opened, acknowledged), once: None if it exists already."""
    if find(referral, kind) is not None:
        return None
    extra = {"to": _org(referral.agency)} if kind == DELIVERED else {}
    if kind == ACKNOWLEDGED:
        extra["acknowledged_by_name"] = referral.acknowledged_by_name
    build = lambda: _issue(kind, referral.complaint, referral=referral, actor=actor,  # noqa: E731
                           what=_referral_what(referral), extra=extra)
    if db.session.get_bind().dialect.name == "sqlite":
        return build()  # SQLite writers are serialised; a savepoint there could commit early (see referrals.py)
    try:
        with db.session.begin_nested():  # two first opens at once: the unique index keeps one
            return build()
    except IntegrityError:
        return None


def issue_case_file_manifest(complaint: Complaint, actor, files: list[dict]) -> Receipt:
    """The case file's manifest: every entry's name, size and SHA-256, signed and deposited (kind case_file)."""
    return _issue(CASE_FILE, complaint, actor=actor, what={
        "complaint": _complaint(complaint), "files": files, "digest": "sha256 of each entry's bytes in the ZIP"})


def receipts_for_case_file(complaint: Complaint) -> list[Receipt]:
    """Every hand-over receipt of the complaint (its manifests excepted), in issue order."""
    return list(db.session.scalars(select(Receipt).where(Receipt.complaint_id == complaint.id,
                                                         Receipt.kind != CASE_FILE)
                                   .order_by(Receipt.issued_at, Receipt.id)))


def find(referral: Referral, kind: str) -> Receipt | None:
    return db.session.scalar(select(Receipt).where(Receipt.referral_id == referral.id, Receipt.kind == kind))


def opened_by(referral: Referral, actor) -> Receipt | None:
    """The first time a user of the referral's own agency opens it: the ``opened`` receipt."""
    if getattr(actor, "role", None) in AGENCY_ROLES and referral.agency_id == actor.organisation_id:
        return issue_for_referral(OPENED, referral, actor)
    return None


@follow_up("acknowledgement_receipt")
def acknowledged(t) -> None:
    """The referral machine's ``acknowledge`` row: the 签收 receipt (a follow-up, routing/effects.py)."""
    issue_for_referral(ACKNOWLEDGED, t.entity, t.actor)


# --- who may read them --------------------------------------------------------------------------------------

def can_read_receipt(actor, receipt: Receipt) -> bool:
    """A referral's receipts: the complaint's centre and the referral's agency; the submission receipt: the
    enterprise and the centre; a case file's manifest: the centre and the supervisors."""
    role, org = getattr(actor, "role", None), getattr(actor, "organisation_id", None)
    complaint = receipt.complaint
    if complaint is None:
        return False
    if role is Role.clerk:
        return complaint.centre_id == org
    if receipt.kind in REFERRAL_KINDS:
        return role in AGENCY_ROLES and receipt.referral.agency_id == org
    if receipt.kind == SUBMITTED:
        return role is Role.enterprise_user and complaint.enterprise_id == org
    if receipt.kind == CASE_FILE:
        return role is Role.supervisor
    return False


def can_list_complaint_receipts(actor, complaint: Complaint) -> bool:
    """The complaint's receipts: its enterprise (the submission receipt) and its centre's clerks (all)."""
    role, org = getattr(actor, "role", None), getattr(actor, "organisation_id", None)
    if complaint.reference is None:
        return False
    return (role is Role.clerk and complaint.centre_id == org) or (
        role is Role.enterprise_user and complaint.enterprise_id == org)


def can_list_referral_receipts(actor, referral: Referral) -> bool:
    """A referral's receipts: its own agency and the clerks of the complaint's centre."""
    role, org = getattr(actor, "role", None), getattr(actor, "organisation_id", None)
    return (role in AGENCY_ROLES and referral.agency_id == org) or (
        role is Role.clerk and referral.complaint.centre_id == org)


def receipts_for(actor, complaint: Complaint) -> list[Receipt]:
    """The receipts of the complaint this actor may read, in issue order (none if it may list none)."""
    if not can_list_complaint_receipts(actor, complaint):
        return []
    query = select(Receipt).where(Receipt.complaint_id == complaint.id, Receipt.kind != CASE_FILE)
    if actor.role is Role.enterprise_user:
        query = query.where(Receipt.kind == SUBMITTED)
    return list(db.session.scalars(query.order_by(Receipt.issued_at, Receipt.id)))


def referral_receipts(actor, referral: Referral) -> list[Receipt]:
    """The referral's hand-over receipts (none if the actor may not list them)."""
    if not can_list_referral_receipts(actor, referral):
        return []
    return list(db.session.scalars(select(Receipt).where(Receipt.referral_id == referral.id)
                                   .order_by(Receipt.issued_at, Receipt.id)))


def get_visible_receipt(actor, receipt_id) -> Receipt:
    """The receipt, or 404 (missing, malformed id, or not this actor's to read)."""
    try:
        key = uuid.UUID(str(receipt_id))
    except ValueError:
        raise NotFound() from None
    receipt = db.session.get(Receipt, key)
    if receipt is None or not can_read_receipt(actor, receipt):
        raise NotFound()
    return receipt


def complaint_receipts(actor, complaint_id) -> tuple[Complaint, list[Receipt]]:
    """The complaint and the receipts of it the actor may read; 404 if it may list none."""
    complaint = get_visible_complaint(actor, complaint_id)
    if not can_list_complaint_receipts(actor, complaint):
        raise NotFound()
    return complaint, receipts_for(actor, complaint)


def referral_receipts_of(actor, referral_id) -> tuple[Referral, list[Receipt]]:
    """The referral and its receipts; 404 if the actor may not list them."""
    from .access import get_visible_referral

    referral = get_visible_referral(actor, referral_id)
    if not can_list_referral_receipts(actor, referral):
        raise NotFound()
    return referral, referral_receipts(actor, referral)


def response(receipt) -> Response:
    """The receipt's file exactly as signed (what routing.verify_receipt checks)."""
    answer = Response(receipt.document.encode("utf-8"), mimetype="application/json")
    answer.headers["Content-Disposition"] = f'attachment; filename="{receipt.filename}"'
    answer.headers["Cache-Control"] = "no-store"
    return answer
