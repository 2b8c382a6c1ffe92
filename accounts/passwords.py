"""argon2id password hashing; the cost parameters come from the configuration."""
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
