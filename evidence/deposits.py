"""The deposit log (存证): an append-only RFC 9162 Merkle tree of digests, with signed checkpoints.

``deposit()`` adds a leaf in the caller's transaction (so a rolled-back deposit leaves nothing), without a
position. A leaf's bytes — what the Merkle tree hashes, RFC 9162's leaf input — are ``leaf_data(leaf)``:
canonical JSON (sorted keys, no spaces, UTF-8) of its kind, subject, digest, size, reference and deposit time.

``take_checkpoint()`` is the sequencer and the checkpointer in one transaction: it locks the log's counter row
(DepositLogState, SELECT ... FOR UPDATE on PostgreSQL; SQLite's single writer), gives every leaf still without
an index the next dense ``leaf_index`` in id order with its leaf hash, computes the root of the whole tree and
inserts a signed checkpoint (evidence/checkpoints.py) when the tree grew. A crash anywhere before its commit
leaves the leaves as they were (unindexed) and the checkpoints unchanged; the next run picks them up.
Checkpoints are inserted, never updated or deleted. Proofs (inclusion of a leaf in a checkpoint, consistency
between two checkpoints) are computed from the stored leaf hashes (evidence/merkle.py).
"""
import base64
import hashlib
import json
import threading
import uuid
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core import signing
from core.extensions import db
from core.models import utcnow
from core.timeutil import format_local, iso_utc

from . import checkpoints, merkle
from .models import DepositCheckpoint, DepositLeaf, DepositLogState

KINDS = frozenset({"evidence", "receipt", "case_file"})
STATE_ID = 1
SHA256_HEX = frozenset("0123456789abcdef")


def deposit(kind: str, subject_id, sha256_hex: str, size: int, *, complaint_id: uuid.UUID | None = None,
            reference: str | None = None) -> DepositLeaf:
    if kind not in KINDS:
        raise ValueError(f"unknown deposit kind {kind!r}")
    leaf = DepositLeaf(kind=kind, subject=f"{kind}:{subject_id}", sha256=sha256_hex.lower(), size=size,
                       complaint_id=complaint_id, reference=reference)
    db.session.add(leaf)
    db.session.flush()
    return leaf


def leaf_data(leaf: DepositLeaf) -> bytes:
    return json.dumps({"kind": leaf.kind, "subject": leaf.subject, "sha256": leaf.sha256, "size": leaf.size,
                       "reference": leaf.reference, "deposited_at": iso_utc(leaf.deposited_at)},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def origin() -> str:
    return current_app.config["DEPOSIT_LOG_ORIGIN"]


# --- the sequencer and the checkpoints ---------------------------------------------------------------

def _lock_state() -> DepositLogState:
    """The counter row, created if missing, locked until the transaction ends."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(DepositLogState).values(id=STATE_ID, size=0).on_conflict_do_nothing())
    return db.session.scalars(select(DepositLogState).where(DepositLogState.id == STATE_ID)
                              .with_for_update().execution_options(populate_existing=True)).one()


def sequence(state: DepositLogState | None = None) -> int:
    """Give the leaves without an index theirs (dense, in id order) under the counter's lock; the log's size."""
    state = state or _lock_state()
    size = state.size
    columns = (DepositLeaf.id, DepositLeaf.kind, DepositLeaf.subject, DepositLeaf.sha256, DepositLeaf.size,
               DepositLeaf.reference, DepositLeaf.deposited_at)
    pending = db.session.execute(select(*columns).where(DepositLeaf.leaf_index.is_(None))
                                 .order_by(DepositLeaf.id)).all()
    values = []
    for row in pending:  # a row has the attributes leaf_data reads
        values.append({"id": row.id, "leaf_index": size, "leaf_hash": merkle.leaf_hash(leaf_data(row)).hex()})
        size += 1
    for start in range(0, len(values), 1000):  # an UPDATE by primary key, executemany
        db.session.execute(update(DepositLeaf), values[start:start + 1000])
    for obj in list(db.session.identity_map.values()):  # leaves loaded before: their index is now set
        if isinstance(obj, DepositLeaf):
            db.session.expire(obj)
    if pending:  # indexes from here on are this transaction's own until it commits: never cached
        db.session.info.setdefault(SEQUENCED_FROM, state.size)
    state.size = size
    db.session.flush()
    return size


def take_checkpoint() -> tuple[DepositCheckpoint, bool]:
    """Sequence the log and sign a checkpoint of it if it grew (or none exists yet): (the latest, whether new)."""
    state = _lock_state()
    size = sequence(state)
    latest = latest_checkpoint()
    if latest is not None and latest.size == size:
        return latest, False
    root = tree(size).root(size)
    now = utcnow()
    checkpoint = DepositCheckpoint(size=size, root_hash=root.hex(), taken_at=now,
                                   note=checkpoints.sign_checkpoint(origin(), size, root, now))
    db.session.add(checkpoint)
    db.session.flush()
    return checkpoint, True


def scheduled_checkpoint() -> str | None:
    """The scheduler's job: a checkpoint when leaves were added since the last one (committed here)."""
    checkpoint, new = take_checkpoint()
    db.session.commit()
    return f"checkpoint of size {checkpoint.size}" if new else None


def latest_checkpoint() -> DepositCheckpoint | None:
    return db.session.scalar(select(DepositCheckpoint).order_by(DepositCheckpoint.size.desc()).limit(1))


def checkpoint_of_size(size: int) -> DepositCheckpoint | None:
    return db.session.scalar(select(DepositCheckpoint).where(DepositCheckpoint.size == size))


def checkpoint_list():
    """Every checkpoint (a select for the pages' and API's windows, which order it)."""
    return select(DepositCheckpoint)


def _hashes(start: int, stop: int) -> list[bytes]:
    rows = db.session.scalars(select(DepositLeaf.leaf_hash).where(DepositLeaf.leaf_index >= start,
                                                                  DepositLeaf.leaf_index < stop)
                              .order_by(DepositLeaf.leaf_index)).all()
    if len(rows) != stop - start:
        raise LogInconsistent(_("The deposit log has %(found)d indexed leaves below %(size)d.",
                                found=start + len(rows), size=stop))
    return [bytes.fromhex(h) for h in rows]


def leaf_hashes(size: int) -> list[bytes]:
    """The first ``size`` leaf hashes, read from the database (no cache)."""
    return _hashes(0, size)


SEQUENCED_FROM = "deposits.sequenced_from"


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _transaction_ended(session):
    """The indexes this transaction gave are committed (they may be cached now) or gone."""
    session.info.pop(SEQUENCED_FROM, None)


_TREES: dict[str, merkle.Tree] = {}
_TREES_LOCK = threading.Lock()  # per database: the committed leaf hashes with their complete subtrees


def tree(size: int) -> merkle.Tree:
    """A Merkle tree of at least the first ``size`` leaves. Indexed leaves never change, so the leaf hashes
    read once are kept per database (and per process) with their complete subtrees; only what is new is read.
    The cache is checked against the database on every use (its last hash must be the stored one; a database
    emptied or restored from an older backup resets it) and never holds the indexes the current transaction
    gave itself (uncommitted: a rollback would take them back) — those extend a copy."""
    key = db.session.get_bind().url.render_as_string(hide_password=True)
    with _TREES_LOCK:  # one thread at a time extends a database's tree
        return _tree(key, size)


def _tree(key: str, size: int) -> merkle.Tree:
    cached = _TREES.get(key)
    if cached is not None and len(cached):
        last = db.session.scalar(select(DepositLeaf.leaf_hash).where(DepositLeaf.leaf_index == len(cached) - 1))
        if last is None or bytes.fromhex(last) != cached.leaves[-1]:
            cached = None
    if cached is None:
        cached = _TREES[key] = merkle.Tree()
    own = db.session.info.get(SEQUENCED_FROM)
    committed = size if own is None else min(size, own)
    if committed > len(cached):
        cached.extend(_hashes(len(cached), committed))
    if size > len(cached):
        return cached.extended(_hashes(len(cached), size))
    return cached


class LogInconsistent(Exception):
    """The stored log contradicts itself (found by `flask deposits verify`; never expected)."""


# --- proofs --------------------------------------------------------------------------------------------

def leaf_of(kind: str, subject_id) -> DepositLeaf | None:
    return db.session.scalar(select(DepositLeaf).where(DepositLeaf.subject == f"{kind}:{subject_id}"))


def inclusion(leaf: DepositLeaf, checkpoint: DepositCheckpoint | None = None) -> dict:
    """The leaf's inclusion proof in ``checkpoint`` (default: the latest): index, tree size, leaf hash, proof
    hashes (hex, from the leaf up), root and the checkpoint's signed note; ``pending`` (and no proof) while no
    checkpoint covers the leaf yet."""
    checkpoint = checkpoint or latest_checkpoint()
    answer = {"index": leaf.leaf_index, "leaf_hash": leaf.leaf_hash, "leaf_data": leaf_data(leaf).decode(),
              "pending": True, "tree_size": None, "root_hash": None, "proof": [], "checkpoint": None}
    if leaf.leaf_index is None or checkpoint is None or checkpoint.size <= leaf.leaf_index:
        return answer
    proof = tree(checkpoint.size).inclusion_proof(leaf.leaf_index, checkpoint.size)
    answer.update(pending=False, tree_size=checkpoint.size, root_hash=checkpoint.root_hash,
                  proof=[p.hex() for p in proof], checkpoint=checkpoint.note)
    return answer


def consistency(first: DepositCheckpoint, second: DepositCheckpoint) -> list[str]:
    """The consistency proof (hex) that checkpoint ``first`` is a prefix of ``second`` (first.size <= second.size)."""
    if first.size == 0 or first.size == second.size:
        return []
    return [p.hex() for p in tree(second.size).consistency_proof(first.size, second.size)]


@dataclass
class Found:
    leaf: DepositLeaf
    proof: dict
    verified: bool  # the proof checked here against the checkpoint's signed root


def verify_digest(sha256_hex: str) -> list[Found]:
    """The leaves holding this SHA-256 (hex, any case), each with its inclusion proof in the latest checkpoint,
    checked: the checkpoint's signature, then the proof from the recomputed leaf hash to its root."""
    sha256_hex = sha256_hex.lower()
    leaves = db.session.scalars(select(DepositLeaf).where(DepositLeaf.sha256 == sha256_hex)
                                .order_by(DepositLeaf.id).limit(20)).all()
    latest = latest_checkpoint()
    found = []
    for leaf in leaves:
        proof = inclusion(leaf, latest)
        found.append(Found(leaf, proof, not proof["pending"] and check_inclusion(proof)))
    return found


def check_inclusion(proof: dict, public_raw: bytes | None = None) -> bool:
    """What a verifier does by hand with a certificate: the checkpoint's signature, the leaf hash from the leaf
    data, the path from it to the checkpoint's root."""
    public_raw = public_raw or signing.public_key_raw()
    checkpoint = checkpoints.verify(proof["checkpoint"] or "", public_raw)
    if checkpoint is None or checkpoint.size != proof["tree_size"]:
        return False
    leaf = merkle.leaf_hash(proof["leaf_data"].encode())
    try:
        path = [bytes.fromhex(p) for p in proof["proof"]]
    except (TypeError, ValueError):
        return False
    return merkle.verify_inclusion(proof["index"], checkpoint.size, leaf, path, checkpoint.root)


def sha256_of_stream(stream, chunk=1 << 16) -> str:
    digest = hashlib.sha256()
    while block := stream.read(chunk):
        digest.update(block)
    return digest.hexdigest()


def is_sha256_hex(value: str) -> bool:
    return len(value) == 64 and set(value.lower()) <= SHA256_HEX


# --- certificates ----------------------------------------------------------------------------------------

def certificate(evidence) -> dict:
    """What an evidence file's certificate states: the file, its leaf and the leaf's inclusion proof."""
    leaf = leaf_of("evidence", evidence.id)
    proof = inclusion(leaf) if leaf is not None else None
    return {"evidence": evidence, "leaf": leaf, "proof": proof, "origin": origin(),
            "public_key": base64.b64encode(signing.public_key_raw()).decode(),
            "verifier_key": checkpoints.verifier_key(origin(), signing.public_key_raw()),
            "fingerprint": signing.key_fingerprint()}


def certificate_lines(cert: dict) -> list[str]:
    evidence, leaf, proof = cert["evidence"], cert["leaf"], cert["proof"]
    lines = [_("Evidence deposit certificate"), "",
             _("File name: %(name)s", name=evidence.display_name),
             _("SHA-256: %(digest)s", digest=evidence.sha256),
             _("Size: %(size)d bytes", size=evidence.size)]
    if leaf is None:
        return lines + [_("This file has no entry in the deposit log.")]
    lines += [_("Deposit time: %(time)s (Shanghai time); %(utc)s", time=format_local(leaf.deposited_at),
                utc=iso_utc(leaf.deposited_at))]
    if proof["pending"]:
        return lines + ["", _("The deposit is recorded; the log's next checkpoint will include it. Download "
                              "the certificate again after the next checkpoint for the inclusion proof.")]
    lines += [_("Log index: %(index)d", index=proof["index"]),
              _("Tree size of the checkpoint: %(size)d", size=proof["tree_size"]),
              _("Root hash: %(root)s", root=proof["root_hash"]),
              "", _("Leaf data (its exact bytes):"), proof["leaf_data"],
              _("Leaf hash: %(hash)s", hash=proof["leaf_hash"]),
              "", _("Inclusion proof (from the leaf up):")]
    lines += [f"{n}. {h}" for n, h in enumerate(proof["proof"], 1)] or [_("(empty: the tree has one leaf)")]
    lines += ["", _("Signed checkpoint:")] + proof["checkpoint"].rstrip("\n").split("\n")
    lines += ["", _("Public key (%(alg)s, %(enc)s): %(key)s", alg="Ed25519", enc="base64", key=cert["public_key"]),
              _("Key fingerprint (SHA-256): %(fp)s", fp=cert["fingerprint"]),
              "", _("How to verify by hand")] + verification_steps() + ROOT_ALGORITHM.split("\n")
    return lines


# How to verify a certificate by hand: each step a sentence whose technical parts are codes (shown as <code>
# on the page, plain in the PDF), and the root's computation as pseudo-code (RFC 9162 2.1.3.2)
STEPS = [
    (_l("1. Compute the SHA-256 of the file: it must equal the digest above and the one in the leaf data."), {}),
    (_l("2. The leaf hash is %(formula)s over the leaf data's exact bytes: it must equal the leaf hash above."),
     {"formula": "SHA-256(0x00 ‖ leaf_data)"}),
    (_l("3. From the leaf hash, the log index and the tree size, compute the root with the proof's hashes as %(rfc)s "
        "section 2.1.3.2 says (below): it must equal the root hash above."), {"rfc": "RFC 9162"}),
    (_l("4. The checkpoint's third line is the root hash in %(b64)s. The last field of its signature line, decoded, "
        "is a 4-byte key id followed by the %(alg)s signature of the checkpoint's lines up to the empty line: check "
        "it with the log's public key, published on the deposit log's public page."),
     {"b64": "base64", "alg": "Ed25519"}),
    (_l("Or upload the file (or enter its SHA-256) on the public verification page."), {}),
]
ROOT_ALGORITHM = """fn = index; sn = size - 1; r = leaf_hash
for p in proof:
    if fn % 2 == 1 or fn == sn:
        r = SHA-256(0x01 ‖ p ‖ r)
        while fn % 2 == 0 and fn != 0: fn //= 2; sn //= 2
    else:
        r = SHA-256(0x01 ‖ r ‖ p)
    fn //= 2; sn //= 2
valid = (sn == 0 and r == root_hash)"""


def verification_steps(html: bool = False) -> list:
    """The steps in the current language: plain strings, or Markup with the codes in <code> (``html``)."""
    if not html:
        return [str(text) % codes if codes else str(text) for text, codes in STEPS]
    found = []
    for text, codes in STEPS:
        marks = {key: f"\x00{n}\x00" for n, key in enumerate(codes)}
        rendered = str(escape(str(text) % marks if codes else str(text)))
        for n, key in enumerate(codes):
            rendered = rendered.replace(f"\x00{n}\x00", str(Markup("<code>{}</code>").format(codes[key])))
        found.append(Markup(rendered))
    return found


def certificate_pdf(evidence_file) -> bytes:
    """The certificate as an A4 PDF in Chinese (core/pdf.py; 503 when its font is missing)."""
    from core.pdf import lines_pdf

    with force_locale("zh"):
        lines = certificate_lines(certificate(evidence_file))
        title = _("Evidence deposit certificate")
    return lines_pdf(lines, title=title)


# --- the whole log, re-checked ----------------------------------------------------------------------------

def audit_steps():
    """Everything `flask deposits verify` checks, as (count, iterator of problems-or-None): the leaves, the
    checkpoints, the stored evidence files. Each problem is a sentence naming the first inconsistency found."""
    from .models import EvidenceFile
    from .vault import TamperedEvidence, open_verified

    state = db.session.get(DepositLogState, STATE_ID)
    indexed = db.session.scalar(select(func.count()).select_from(DepositLeaf).where(DepositLeaf.leaf_index.isnot(None)))
    public_raw = signing.public_key_raw()

    shared = {"hashes": []}

    def leaves():
        hashes = shared["hashes"]
        query = select(DepositLeaf).where(DepositLeaf.leaf_index.isnot(None)).order_by(DepositLeaf.leaf_index)
        for leaf in db.session.scalars(query.execution_options(yield_per=1000)):
            if leaf.leaf_index != len(hashes):
                yield f"leaf index {len(hashes)} is missing (next is {leaf.leaf_index}, id {leaf.id})"
                return
            expected = merkle.leaf_hash(leaf_data(leaf)).hex()
            if leaf.leaf_hash != expected:
                yield f"leaf {leaf.leaf_index} (id {leaf.id}, {leaf.subject}): its data does not hash to its leaf hash"
                return
            hashes.append(bytes.fromhex(expected))
            yield None
        if (state.size if state else 0) != len(hashes):
            yield f"the log's counter says {state.size if state else 0} leaves, {len(hashes)} are indexed"

    def checkpoint_rows():
        hashes = shared["hashes"]
        rows = db.session.scalars(select(DepositCheckpoint).order_by(DepositCheckpoint.size)).all()
        roots = merkle.prefix_roots(hashes, [c.size for c in rows if c.size <= len(hashes)])
        for checkpoint in rows:
            parsed = checkpoints.verify(checkpoint.note, public_raw)
            if parsed is None:
                yield f"checkpoint of size {checkpoint.size}: the signature or the note is not valid"
                return
            if parsed.origin != origin() or parsed.size != checkpoint.size or parsed.root.hex() != checkpoint.root_hash:
                yield f"checkpoint of size {checkpoint.size}: the note does not match its row"
                return
            if checkpoint.size > len(hashes):
                yield f"checkpoint of size {checkpoint.size} covers more leaves than the log holds ({len(hashes)})"
                return
            if roots[checkpoint.size] != parsed.root:
                yield f"checkpoint of size {checkpoint.size}: its root is not the root of the log's first leaves"
                return
            yield None

    def files():
        for evidence in db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.created_at, EvidenceFile.id)):
            leaf = leaf_of("evidence", evidence.id)
            if leaf is None:
                yield f"evidence file {evidence.id} has no leaf in the deposit log"
                return
            if leaf.sha256 != evidence.sha256 or leaf.size != evidence.size:
                yield f"evidence file {evidence.id}: its leaf's digest or size differs from the file's record"
                return
            try:
                for _chunk in open_verified(evidence.storage_key, evidence.wrapped_key, evidence.size, evidence.sha256):
                    pass
            except TamperedEvidence as exc:
                yield f"evidence file {evidence.id} ({leaf.subject}, leaf {leaf.leaf_index}): {exc.reason}"
                return
            yield None

    count_checkpoints = db.session.scalar(select(func.count()).select_from(DepositCheckpoint))
    count_files = db.session.scalar(select(func.count()).select_from(EvidenceFile))
    return [("leaves", indexed, leaves), ("checkpoints", count_checkpoints, checkpoint_rows),
            ("evidence files", count_files, files)]


def backfill() -> int:
    """Deposit the evidence files stored before the log existed (none of them has a leaf): how many."""
    from .models import EvidenceFile

    subjects = set(db.session.scalars(select(DepositLeaf.subject).where(DepositLeaf.kind == "evidence")))
    added = 0
    for evidence in db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.created_at, EvidenceFile.id)):
        if f"evidence:{evidence.id}" not in subjects:
            deposit("evidence", evidence.id, evidence.sha256, evidence.size, complaint_id=evidence.complaint_id)
            added += 1
    return added

