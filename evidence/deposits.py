"""The deposit log (存证): what other packages call to put a digest in the log.

``deposit()`` adds a leaf in the caller's transaction (so a rolled-back deposit leaves nothing).
A leaf's bytes — what the Merkle tree hashes, RFC 9162's leaf input — are ``leaf_data(leaf)``: canonical
JSON (sorted keys, no spaces, UTF-8) of its kind, subject, digest, size, reference and deposit time.
"""
import json
import uuid

from core.extensions import db
from core.timeutil import iso_utc

from .models import DepositLeaf

KINDS = frozenset({"evidence", "receipt", "case_file"})


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
