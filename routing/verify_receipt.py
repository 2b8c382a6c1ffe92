"""Check a signed receipt (or a case file's manifest.json) offline: ``python -m routing.verify_receipt FILE KEY``.

FILE is the receipt as downloaded; KEY the platform's public key (the PEM file from the deposit log's public
page, or the 32 raw bytes, or their base64 or hex). Needs only the ``cryptography`` package, no app, no
database: the signed bytes are the canonical JSON of the receipt without its ``signature`` member (keys
sorted, no whitespace, UTF-8, non-ASCII characters as they are), and the signature is Ed25519 over them.

Exit status 0 when the signature is valid (the receipt's event, time and key fingerprint are printed),
1 when it is not, 2 when the files cannot be read.

By hand with OpenSSL 3 and jq instead::

    jq -cS 'del(.signature)' receipt.json | tr -d '\\n' > signed.bin
    jq -r .signature receipt.json | base64 -d > signature.bin
    openssl pkeyutl -verify -pubin -inkey public_key.pem -rawin -in signed.bin -sigfile signature.bin
"""
import base64
import binascii
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key


def load_public_key(raw: bytes) -> Ed25519PublicKey:
    """A PEM public key, or the raw 32 bytes (as such, base64 or hex)."""
    text = raw.strip()
    if text.startswith(b"-----BEGIN"):
        key = load_pem_public_key(text)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    if len(raw) == 32:
        return Ed25519PublicKey.from_public_bytes(raw)
    for decode in (bytes.fromhex, lambda s: base64.b64decode(s, validate=True)):
        try:
            candidate = decode(text.decode("ascii"))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            continue
        if len(candidate) == 32:
            return Ed25519PublicKey.from_public_bytes(candidate)
    raise ValueError("not an Ed25519 public key")


def signed_bytes(receipt: dict) -> bytes:
    body = {k: v for k, v in receipt.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def check(document: bytes, key: Ed25519PublicKey) -> dict:
    """The receipt if its signature is valid under ``key``; ValueError otherwise."""
    receipt = json.loads(document)
    if not isinstance(receipt, dict) or not isinstance(receipt.get("signature"), str):
        raise ValueError("no signature")
    signature = base64.b64decode(receipt["signature"], validate=True)
    try:
        key.verify(signature, signed_bytes(receipt))
    except InvalidSignature:
        raise ValueError("the signature does not match") from None
    fingerprint = hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()
    if receipt.get("key") not in (None, fingerprint):
        raise ValueError("signed by another key than the one it names")
    return receipt


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m routing.verify_receipt RECEIPT.json PUBLIC_KEY", file=sys.stderr)
        return 2
    try:
        with open(args[0], "rb") as f:
            document = f.read()
        with open(args[1], "rb") as f:
            key = load_public_key(f.read())
    except (OSError, ValueError) as exc:
        print(f"cannot read: {exc}", file=sys.stderr)
        return 2
    try:
        receipt = check(document, key)
    except (ValueError, binascii.Error) as exc:
        print(f"INVALID: {exc}")
        return 1
    print(f"VALID: {receipt.get('event')} {receipt.get('id')} issued {receipt.get('issued_at')} "
          f"key {receipt.get('key')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
