"""argon2id password hashing (the cost parameters come from the configuration) and the password rule."""
import functools
import gzip
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher() -> PasswordHasher:
    ext = current_app.extensions
    if "password_hasher" not in ext:
        cfg = current_app.config
        ext["password_hasher"] = PasswordHasher(
            time_cost=cfg["ARGON2_TIME_COST"],
            memory_cost=cfg["ARGON2_MEMORY_COST"],
            parallelism=cfg["ARGON2_PARALLELISM"],
            type=Type.ID,
        )
    return ext["password_hasher"]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_verify(password: str) -> None:
    """Spend the same time for an unknown e-mail as for a wrong password."""
    ext = current_app.extensions
    if "dummy_password_hash" not in ext:
        ext["dummy_password_hash"] = _hasher().hash("not-a-real-password")
    verify_password(ext["dummy_password_hash"], password)


# --- the password rule (ASVS 5.0 V6.2): length and a list of common passwords, no composition rules ---

MIN_LENGTH = 12
MAX_LENGTH = 128
_COMMON_FILE = Path(__file__).parent / "data" / "common-passwords.txt.gz"  # see data/README.md


@functools.cache
def common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().casefold() for line in handle if line.strip())


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why ``password`` is refused ("too_short", "too_long", "common", "email"), or None.

    Length counts characters (any Unicode, spaces included); nothing is truncated or composed.
    """
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    folded = password.strip().casefold()
    if folded in common_passwords():
        return "common"
    if email and folded in {email.strip().casefold(), email.strip().casefold().split("@")[0]}:
        return "email"
    return None
