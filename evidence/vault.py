"""Encrypted storage of evidence files.

Layout of a stored file: ``MAGIC | nonce prefix (7 bytes) | chunk*``. Each chunk is up to CHUNK bytes
of plaintext sealed with AES-256-GCM under the file's own data key; the nonce is the prefix, a
4-byte chunk counter and a last-chunk flag, so chunks cannot be reordered, dropped or cut off
without the tag failing. A download (open_verified) authenticates the whole file first, then streams
it authenticating each chunk again, so no byte of a damaged file is ever sent. The data key
is wrapped with EVIDENCE_KEY (AES-GCM, the storage key as associated data).

Files are written to a temporary name, fsynced and renamed into place, so a crash never leaves a
half file under a real name; a rolled-back transaction deletes the files it had stored.
"""
import base64
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

MAGIC = b"TSEV1"
PREFIX_LEN = 7
CHUNK = 64 * 1024
TAG = 16


class TamperedEvidence(Exception):
    """A stored file failed authentication: missing, altered, truncated or wrapped with another key."""

    # reason codes: what the administrators' notice names (translated there)
    REASONS = ("missing", "unreadable", "bad_header", "key_unwrap", "truncated", "chunk_auth", "size_mismatch",
               "digest_mismatch")

    def __init__(self, storage_key: str, reason: str, detail: str | None = None):
        super().__init__(f"{storage_key}: {reason}" + (f" ({detail})" if detail else ""))
        self.storage_key = storage_key
        self.reason = reason
        self.detail = detail


class TooLarge(Exception):
    pass


@dataclass
class StoredBlob:
    storage_key: str
    sha256: str
    size: int
    wrapped_key: bytes


def _master_key() -> bytes:
    key = base64.b64decode(current_app.config["EVIDENCE_KEY"])
    if len(key) != 32:
        raise RuntimeError("EVIDENCE_KEY must be the base64 of 32 bytes")
    return key


def _root() -> Path:
    return Path(current_app.config["EVIDENCE_DIR"])


def path_for(storage_key: str) -> Path:
    return _root() / storage_key[:2] / storage_key


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def store(head: bytes, rest, max_bytes: int) -> StoredBlob:
    """Encrypt ``head`` then the chunks read from ``rest`` (a binary stream); raise TooLarge past max_bytes.

    The file lands under its final name only when complete; the current session deletes it again
    if its transaction rolls back.
    """
    storage_key = secrets.token_hex(20)
    data_key = AESGCM.generate_key(bit_length=256)
    aead = AESGCM(data_key)
    prefix = secrets.token_bytes(PREFIX_LEN)
    digest = hashlib.sha256()
    size = 0
    tmp_dir = _root() / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    tmp_path = tmp_dir / f"{storage_key}.part"
    aad = storage_key.encode()
    try:
        with open(tmp_path, "wb") as out:
            out.write(MAGIC + prefix)
            buffer = bytearray(head)
            counter = 0
            eof = False
            while True:
                while len(buffer) <= CHUNK and not eof:  # read ahead to know which chunk is last
                    more = rest.read(CHUNK)
                    if not more:
                        eof = True
                    buffer += more
                piece, buffer = bytes(buffer[:CHUNK]), buffer[CHUNK:]
                size += len(piece)
                if size > max_bytes:
                    raise TooLarge()
                digest.update(piece)
                last = eof and not buffer
                out.write(aead.encrypt(_nonce(prefix, counter, last), piece, aad))
                counter += 1
                if last:
                    break
            out.flush()
            os.fsync(out.fileno())
        final = path_for(storage_key)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp_path, final)
        _fsync_dir(final.parent)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    _delete_on_rollback(final)
    key_nonce = secrets.token_bytes(12)
    wrapped = key_nonce + AESGCM(_master_key()).encrypt(key_nonce, data_key, aad)
    return StoredBlob(storage_key, digest.hexdigest(), size, wrapped)


def _chunks(source, aead, prefix: bytes, aad: bytes, storage_key: str):
    """The plaintext chunks of an open stored file, each authenticated before it is yielded.

    The nonce carries the chunk's position and whether it is the last one, so a dropped, reordered or
    cut-off chunk (the file truncated anywhere) and anything appended fail like an altered byte.
    """
    source.seek(len(MAGIC) + PREFIX_LEN)
    counter = 0
    block = source.read(CHUNK + TAG)
    while True:
        following = source.read(CHUNK + TAG)
        last = not following
        try:
            yield aead.decrypt(_nonce(prefix, counter, last), block, aad)
        except InvalidTag as exc:
            raise TamperedEvidence(storage_key, "truncated" if not block else "chunk_auth",
                                   f"chunk {counter}") from exc
        if last:
            return
        block, counter = following, counter + 1


def _open(storage_key: str, wrapped_key: bytes):
    """(open file, AEAD, nonce prefix) of a stored file, or TamperedEvidence with the reason."""
    aad = storage_key.encode()
    try:
        data_key = AESGCM(_master_key()).decrypt(wrapped_key[:12], wrapped_key[12:], aad)
    except (InvalidTag, ValueError) as exc:
        raise TamperedEvidence(storage_key, "key_unwrap") from exc
    try:
        source = open(path_for(storage_key), "rb")
    except FileNotFoundError:
        raise TamperedEvidence(storage_key, "missing") from None
    except OSError as exc:
        raise TamperedEvidence(storage_key, "unreadable", exc.strerror or type(exc).__name__) from None
    header = source.read(len(MAGIC) + PREFIX_LEN)
    if len(header) != len(MAGIC) + PREFIX_LEN or header[: len(MAGIC)] != MAGIC:
        source.close()
        raise TamperedEvidence(storage_key, "bad_header")
    return source, AESGCM(data_key), header[len(MAGIC):]


def open_verified(storage_key: str, wrapped_key: bytes, size: int | None = None, sha256: str | None = None):
    """Authenticate the whole stored file, then return an iterator over its plaintext chunks.

    A first pass decrypts every chunk (nothing is kept: plaintext never touches the disk, and memory
    holds one chunk) and compares the size and SHA-256 with the recorded ones; only then does the
    caller get the iterator of a second pass over the same open file, which authenticates each chunk
    again before yielding it. Any damage (missing file, header, key, a chunk, truncation, another
    file's content) raises TamperedEvidence before the first byte is handed out.
    """
    source, aead, prefix = _open(storage_key, wrapped_key)
    aad = storage_key.encode()
    try:
        digest, total = hashlib.sha256(), 0
        for piece in _chunks(source, aead, prefix, aad, storage_key):
            digest.update(piece)
            total += len(piece)
        if size is not None and total != size:
            raise TamperedEvidence(storage_key, "size_mismatch", f"{total} bytes")
        if sha256 is not None and digest.hexdigest() != sha256:
            raise TamperedEvidence(storage_key, "digest_mismatch")
    except BaseException:
        source.close()
        raise
    return _streaming(source, aead, prefix, aad, storage_key)


def _streaming(source, aead, prefix, aad, storage_key):
    with source:
        yield from _chunks(source, aead, prefix, aad, storage_key)


def open_decrypted(storage_key: str, wrapped_key: bytes):
    """Yield the plaintext chunk by chunk, each authenticated before it is yielded (one pass)."""
    source, aead, prefix = _open(storage_key, wrapped_key)
    with source:
        yield from _chunks(source, aead, prefix, storage_key.encode(), storage_key)


def _delete_on_rollback(path: Path) -> None:
    from core.extensions import db

    db.session().info.setdefault("vault_new_files", []).append(path)


@event.listens_for(Session, "after_commit")
def _forget_new_files(session):
    session.info.pop("vault_new_files", None)


@event.listens_for(Session, "after_soft_rollback")
def _delete_new_files(session, previous_transaction):
    if previous_transaction.parent is not None:  # a savepoint: the outer transaction decides
        return
    for path in session.info.pop("vault_new_files", []):
        Path(path).unlink(missing_ok=True)
