"""The platform's Ed25519 signing key (SIGNING_KEY): the deposit log's checkpoints and the receipts.

One key signs everything the platform vouches for, so one public key (published on the deposit log's
public page) verifies any of it offline. SIGNING_KEY is the base64 of the private key's 32-byte seed;
development and testing generate one per installation (instance/signing_key, app.py), production
requires it to be set.
"""
import base64
import hashlib
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import current_app


@lru_cache(maxsize=4)
def _private_key(seed_b64: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed_b64))


def private_key() -> Ed25519PrivateKey:
    return _private_key(current_app.config["SIGNING_KEY"])


def public_key_raw() -> bytes:
    """The 32 bytes of the public key."""
    return private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_pem() -> str:
    return private_key().public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def key_fingerprint() -> str:
    """SHA-256 of the raw public key, hex: how people name the key."""
    return hashlib.sha256(public_key_raw()).hexdigest()


def sign(data: bytes) -> bytes:
    """The 64-byte Ed25519 signature of ``data``."""
    return private_key().sign(data)


def verify(data: bytes, signature: bytes, public_raw: bytes | None = None) -> bool:
    """Whether ``signature`` is ``data``'s, under ``public_raw`` (default: the platform's key)."""
    key = Ed25519PublicKey.from_public_bytes(public_raw if public_raw is not None else public_key_raw())
    try:
        key.verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True
