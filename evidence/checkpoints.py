"""Checkpoints of the deposit log in the C2SP signed-note checkpoint format (c2sp.org/tlog-checkpoint).

The body is the origin line (the log's name, DEPOSIT_LOG_ORIGIN), the tree size in decimal, the root hash in
standard base64, then one extension line with the time it was taken ("time <RFC 3339 UTC>"); each line ends
with a newline. The signed note (c2sp.org/signed-note) is the body, an empty line and one signature line
"— <key name> <base64(key id ‖ signature)>", the key id being the first four bytes of
SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ the 32-byte Ed25519 public key) and the signature Ed25519 over the body's
bytes (core/signing). Pure functions but for `sign_checkpoint` (which uses the platform's key).
"""
import base64
import binascii
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from core import signing
from core.timeutil import iso_utc

ED25519_ALGORITHM = b"\x01"
SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space
_NAME = re.compile(r"^[^\s+]+$")


def key_id(name: str, public_raw: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519_ALGORITHM + public_raw).digest()[:4]


def verifier_key(name: str, public_raw: bytes) -> str:
    """The signed-note verifier key string "<name>+<hex key id>+<base64(0x01 ‖ public key)>"."""
    return f"{name}+{key_id(name, public_raw).hex()}+{base64.b64encode(ED25519_ALGORITHM + public_raw).decode()}"


def body(origin: str, size: int, root: bytes, taken_at: dt.datetime) -> str:
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\ntime {iso_utc(taken_at)}\n"


def sign_checkpoint(origin: str, size: int, root: bytes, taken_at: dt.datetime) -> str:
    """The signed note of a checkpoint under the platform's key, named by the origin."""
    text = body(origin, size, root, taken_at)
    signature = signing.sign(text.encode())
    line = base64.b64encode(key_id(origin, signing.public_key_raw()) + signature).decode()
    return f"{text}\n{SIGNATURE_PREFIX}{origin} {line}\n"


@dataclass
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: list[str]
    text: str  # the signed body
    signatures: list[tuple[str, bytes, bytes]] = field(default_factory=list)  # (key name, key id, signature)

    @property
    def time(self) -> str | None:
        for line in self.extensions:
            if line.startswith("time "):
                return line[5:]
        return None


def parse(note: str) -> Checkpoint | None:
    """The checkpoint a signed note holds, or None if it is not one (strictly: no stray spaces, a positive
    decimal size without leading zeros, a 32-byte root, at least one well-formed signature line)."""
    if not isinstance(note, str) or not note.endswith("\n") or "\r" in note:
        return None
    text, sep, signatures = note.partition("\n\n")
    if not sep:
        return None
    text += "\n"
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        return None
    origin, size_text, root_text, *extensions = lines
    if not re.fullmatch(r"0|[1-9][0-9]{0,18}", size_text):
        return None
    try:
        root = base64.b64decode(root_text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(root) != 32 or base64.b64encode(root).decode() != root_text:
        return None
    checkpoint = Checkpoint(origin, int(size_text), root, extensions, text)
    for line in signatures[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            return None
        parts = line[len(SIGNATURE_PREFIX):].split(" ")
        if len(parts) != 2 or not _NAME.match(parts[0]):
            return None
        try:
            raw = base64.b64decode(parts[1], validate=True)
        except (binascii.Error, ValueError):
            return None
        if len(raw) < 5:
            return None
        checkpoint.signatures.append((parts[0], raw[:4], raw[4:]))
    return checkpoint if checkpoint.signatures else None


def verify(note: str, public_raw: bytes, *, name: str | None = None) -> Checkpoint | None:
    """The checkpoint if ``note`` is well formed and carries a valid Ed25519 signature by the key
    (``name`` defaults to the origin line), else None."""
    checkpoint = parse(note)
    if checkpoint is None:
        return None
    name = name or checkpoint.origin
    wanted = key_id(name, public_raw)
    for signer, kid, signature in checkpoint.signatures:
        if signer == name and kid == wanted and len(signature) == 64 \
                and signing.verify(checkpoint.text.encode(), signature, public_raw):
            return checkpoint
    return None
