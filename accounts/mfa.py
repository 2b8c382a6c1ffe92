"""Multi-factor authentication: TOTP (RFC 6238) with one-time recovery codes.

- Required for the roles in MFA_REQUIRED_ROLES (all staff by default), optional for enterprises.
- The TOTP secret is encrypted at rest with AES-GCM under a key derived from SECRET_KEY by HKDF
  (rotating SECRET_KEY therefore means re-enrolling: `flask users reset-mfa EMAIL`).
- A code is accepted for the previous, current and next 30-second step, and only once: the highest
  accepted step is stored and a code of that step or an older one is refused (an atomic UPDATE, so
  two parallel requests with the same code cannot both pass).
- Recovery codes: 10, shown once, stored as SHA-256, each works once (atomic UPDATE as well).
- Between the password and the session sits an MfaChallenge row: its attempts are counted on the
  server (5 per challenge, MFA_MAX_ATTEMPTS), and per user across challenges within a window
  (MFA_USER_MAX_ATTEMPTS per MFA_USER_WINDOW_SECONDS), so a known password does not buy unlimited guesses.
- Enrolment and its reset need the current password; every change is audited.
"""
import datetime as dt
import hashlib
import hmac
import secrets

import pyotp
import segno
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from core.audit import audit
from core.errors import PermissionDenied, TooManyRequests, ValidationFailed
from core.extensions import db
from core.models import utcnow
from core.outbox import emit

from .enums import Role
from .models import MfaChallenge, RecoveryCode, User, UserMfa

STEP_SECONDS = 30
RECOVERY_CODES = 10
CHALLENGE_SECONDS = 300
PENDING_SECRET_SECONDS = 900

DEFAULT_REQUIRED_ROLES = ("clerk", "agency_officer", "agency_head", "supervisor", "admin")


# --- who needs it ------------------------------------------------------------------------------

def parse_roles(value) -> frozenset[Role]:
    """MFA_REQUIRED_ROLES: role names (a comma-separated string from the environment) -> roles.
    An unknown name is a configuration error (checked at start-up, see views.init_login)."""
    if isinstance(value, str):  # from the environment: "clerk,admin"
        value = [v.strip() for v in value.split(",") if v.strip()]
    try:
        return frozenset(v if isinstance(v, Role) else Role(v) for v in value)
    except ValueError as exc:
        raise RuntimeError(f"MFA_REQUIRED_ROLES: {exc}; the roles are {', '.join(r.value for r in Role)}") from None


def required_roles() -> frozenset[Role]:
    return parse_roles(current_app.config.get("MFA_REQUIRED_ROLES", DEFAULT_REQUIRED_ROLES))


def is_required(user: User) -> bool:
    return user.role in required_roles()


def enrolment_of(user: User) -> UserMfa | None:
    return db.session.get(UserMfa, user.id)


def is_enrolled(user: User) -> bool:
    row = enrolment_of(user)
    return row is not None and row.confirmed_at is not None


def may_disable(user: User) -> bool:
    return is_enrolled(user) and not is_required(user)


# --- secrets at rest ---------------------------------------------------------------------------

def _key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    material = secret.encode() if isinstance(secret, str) else secret
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tsp:totp-secret:v1").derive(material)


def _encrypt(user: User, secret: str) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(_key()).encrypt(nonce, secret.encode(), user.id.bytes)


def _decrypt(user: User, blob: bytes) -> str:
    return AESGCM(_key()).decrypt(blob[:12], blob[12:], user.id.bytes).decode()


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- codes -------------------------------------------------------------------------------------

def current_step(now: dt.datetime | None = None) -> int:
    return int((now or utcnow()).timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    step = current_step(now)
    for candidate in (step - 1, step, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _normalise(code: str | None) -> str:
    """Digits and letters only (ASCII: a code never has others), upper-cased: "abcd-efgh" == "ABCDEFGH"."""
    if not isinstance(code, str):
        return ""
    return "".join(ch for ch in code[:200] if ch.isascii() and ch.isalnum()).upper()[:64]


def _use_totp(user: User, row: UserMfa, code: str) -> bool:
    step = _matching_step(_decrypt(user, row.secret_enc), code, utcnow())
    if step is None:
        return False
    claimed = db.session.execute(
        update(UserMfa).where(UserMfa.user_id == user.id,
                              (UserMfa.last_step.is_(None)) | (UserMfa.last_step < step))
        .values(last_step=step).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return False  # this code (or a later one) was already used
    row.last_step = step
    return True


def _use_recovery_code(user: User, code: str) -> bool:
    used = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _sha256(code),
                                   RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    return used.rowcount == 1


def check_code(user: User, code: str | None) -> str | None:
    """"totp" or "recovery" if ``code`` is a valid, unused second factor of ``user`` (now used up), else None."""
    row = enrolment_of(user)
    code = _normalise(code)
    if row is None or row.confirmed_at is None or not code:
        return None
    if len(code) == 6 and code.isdigit():
        return "totp" if _use_totp(user, row, code) else None
    if _use_recovery_code(user, code):
        audit("mfa.recovery_code_used", actor=user, remaining=remaining_recovery_codes(user))
        return "recovery"
    return None


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    codes = []
    for _i in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _j in range(16))  # 80 bits
        codes.append("-".join(raw[k:k + 4] for k in range(0, 16, 4)))
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_sha256(_normalise(c))) for c in codes)
    db.session.flush()
    return codes


# --- enrolment ---------------------------------------------------------------------------------

def start_enrolment(user: User) -> str:
    """A new secret to scan (pending until a code from it is confirmed). The caller has checked the password."""
    row = enrolment_of(user)
    if row is None:
        row = UserMfa(user_id=user.id)
        db.session.add(row)
    secret = pyotp.random_base32(32)
    row.pending_secret_enc = _encrypt(user, secret)
    row.pending_created_at = utcnow()
    db.session.flush()
    audit("mfa.enrolment_started", actor=user, subject_type="user", subject_id=user.id)
    return secret


def pending_secret(user: User) -> str | None:
    row = enrolment_of(user)
    if row is None or row.pending_secret_enc is None:
        return None
    if row.pending_created_at < utcnow() - dt.timedelta(seconds=PENDING_SECRET_SECONDS):
        return None
    return _decrypt(user, row.pending_secret_enc)


def provisioning_uri(user: User, secret: str) -> str:
    issuer = current_app.config.get("MFA_ISSUER") or "Trade-secret platform"
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """The otpauth URI as an SVG QR code in a data: URI (rendered here: nothing leaves the server)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def confirm_enrolment(user: User, code: str | None) -> list[str]:
    """Make the pending secret the user's once a code from it is right; returns the new recovery codes."""
    secret = pending_secret(user)
    if secret is None:
        raise ValidationFailed({"code": [_("Start the enrolment again: the code to scan has expired.")]})
    step = _matching_step(secret, _normalise(code), utcnow()) if len(_normalise(code)) == 6 else None
    if step is None:
        audit("mfa.enrolment_failed", actor=user, subject_type="user", subject_id=user.id)
        raise ValidationFailed({"code": [_("This code is not right. Enter the 6 digits your app shows now.")]})
    row = enrolment_of(user)
    replaced = row.confirmed_at is not None
    row.secret_enc = row.pending_secret_enc
    row.pending_secret_enc = None
    row.pending_created_at = None
    row.confirmed_at = utcnow()
    row.last_step = step
    codes = _new_recovery_codes(user)
    audit("mfa.reset" if replaced else "mfa.enrolled", actor=user, subject_type="user", subject_id=user.id)
    if replaced:  # a first enrolment changes no factor the user relied on
        emit("account.mfa_changed", user_ids=[user.id], params={"change": "reset"})
    return codes


def new_recovery_codes(user: User) -> list[str]:
    """Replace the recovery codes (the caller has checked the password)."""
    if not is_enrolled(user):
        raise PermissionDenied()
    codes = _new_recovery_codes(user)
    audit("mfa.recovery_codes_replaced", actor=user, subject_type="user", subject_id=user.id)
    return codes


def disable(user: User, actor: User | None = None) -> None:
    """Remove the enrolment: by the user (only where MFA is optional) or by an administrator's command."""
    if actor is None and is_required(user):
        raise PermissionDenied(_("Your role requires two-step verification."))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    row = enrolment_of(user)
    if row is not None:
        db.session.delete(row)
        db.session.flush()
    db.session.expire(user, ["mfa"])
    audit("mfa.disabled" if actor is None else "mfa.reset_by_admin", actor=actor or user,
          subject_type="user", subject_id=user.id)
    emit("account.mfa_changed", user_ids=[user.id], params={"change": "disabled" if actor is None else "reset_by_admin"})


# --- the step between password and session ---------------------------------------------------

def next_step(user: User) -> str | None:
    """After a verified password: "login" (ask for a code), "enrol" (must enrol first) or None (no MFA)."""
    if is_enrolled(user):
        return "login"
    if is_required(user):
        return "enrol"
    return None


def begin_challenge(user: User, purpose: str) -> str:
    prune_challenges()
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(MfaChallenge(user_id=user.id, token_hash=_sha256(raw), purpose=purpose, created_at=now,
                                expires_at=now + dt.timedelta(seconds=CHALLENGE_SECONDS)))
    db.session.flush()
    return raw


def find_challenge(raw: str | None, purpose: str) -> MfaChallenge | None:
    if not raw or not isinstance(raw, str):
        return None
    challenge = db.session.scalar(select(MfaChallenge).where(MfaChallenge.token_hash == _sha256(raw)))
    if (challenge is None or challenge.purpose != purpose or challenge.completed_at is not None
            or challenge.expires_at <= utcnow() or not challenge.user.is_active):
        return None
    return challenge


def _count_attempt(challenge: MfaChallenge) -> None:
    """Count one attempt before checking it (atomic), or refuse: 5 per challenge, a ceiling per user."""
    cfg = current_app.config
    counted = db.session.execute(
        update(MfaChallenge).where(MfaChallenge.id == challenge.id,
                                   MfaChallenge.attempts < cfg["MFA_MAX_ATTEMPTS"])
        .values(attempts=MfaChallenge.attempts + 1).execution_options(synchronize_session=False))
    since = utcnow() - dt.timedelta(seconds=cfg["MFA_USER_WINDOW_SECONDS"])
    recent = db.session.scalar(select(func.coalesce(func.sum(MfaChallenge.attempts), 0)).where(
        MfaChallenge.user_id == challenge.user_id, MfaChallenge.created_at > since))
    if counted.rowcount != 1 or recent > cfg["MFA_USER_MAX_ATTEMPTS"]:
        audit("mfa.throttled", actor=challenge.user)
        raise TooManyRequests(_("Too many wrong codes. Sign in again later."))


def complete_challenge(challenge: MfaChallenge, code: str | None) -> bool:
    """Check a code against a login challenge; True completes it. Wrong codes are counted and audited
    (the caller commits them even though it answers with an error)."""
    _count_attempt(challenge)
    kind = check_code(challenge.user, code)
    if kind is None:
        audit("mfa.failed", actor=challenge.user, channel="web")
        return False
    challenge.completed_at = utcnow()
    audit("mfa.verified", actor=challenge.user, channel="web", method=kind)
    return True


def count_password_attempt(challenge: MfaChallenge) -> None:
    """The enrolment page asks for the password again: its attempts count like codes."""
    _count_attempt(challenge)


def finish_challenge(challenge: MfaChallenge) -> None:
    challenge.completed_at = utcnow()


def check_api_login(user: User, code: str | None) -> None:
    """The token endpoint: a user with MFA must send a code ("totp": 6 digits or a recovery code)."""
    step = next_step(user)
    if step is None:
        return
    if step == "enrol":
        raise PermissionDenied(_("Your role requires two-step verification: sign in on the web and enrol first."))
    if not _normalise(code):
        raise ValidationFailed({"totp": [_("Enter the 6-digit code of your authenticator app.")]})
    challenge = MfaChallenge(user_id=user.id, token_hash=_sha256(secrets.token_urlsafe(32)), purpose="api",
                             created_at=utcnow(), expires_at=utcnow())
    db.session.add(challenge)
    db.session.flush()
    _count_attempt(challenge)
    kind = check_code(user, code)
    if kind is None:
        audit("mfa.failed", actor=user, channel="api")
        raise ValidationFailed({"totp": [_("This code is not right or was already used.")]})
    challenge.completed_at = utcnow()
    audit("mfa.verified", actor=user, channel="api", method=kind)


def prune_challenges() -> None:
    """Challenges older than the per-user window no longer matter."""
    since = utcnow() - dt.timedelta(seconds=max(current_app.config["MFA_USER_WINDOW_SECONDS"], CHALLENGE_SECONDS))
    db.session.execute(delete(MfaChallenge).where(MfaChallenge.created_at < since))
