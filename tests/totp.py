"""Two-step verification in the tests: staff users are enrolled by the factories (conftest.create_user),
and the login helpers answer the second step with a code computed here, as an authenticator app would.

A code works once (the server keeps the last step used), so a user who signs in several times within
one 30-second step gets the code of the next step (accepted one step ahead), and after that one of its
recovery codes. A code of the previous step is only offered when the step does not end within 2 s.
"""
import datetime as dt

import pyotp

STEP = 30


def _now() -> float:
    return dt.datetime.now(dt.UTC).timestamp()  # the clock time-machine moves, as the server's


def first_code(secret: str) -> tuple[str, int]:
    """The code that confirms an enrolment (the earliest step that is safely accepted), and its step."""
    now = _now()
    step = int(now) // STEP
    first = step - 1 if STEP - now % STEP > 2 else step
    return pyotp.TOTP(secret).generate_otp(first), first


def enrol(user) -> dict:
    """Enrol ``user`` (a User, in an app context) through the real services; what a test needs to sign in."""
    from accounts import mfa

    secret = mfa.start_enrolment(user)
    code, first = first_code(secret)
    codes = mfa.confirm_enrolment(user, code)
    return {"totp_secret": secret, "totp_last_step": first, "recovery_codes": codes}


def next_code(user: dict) -> str | None:
    """A second factor for ``user`` (a factory dict) that the server accepts now, or None without MFA."""
    secret = user.get("totp_secret")
    if not secret:
        return None
    now = _now()
    step = int(now) // STEP
    earliest = step - 1 if STEP - now % STEP > 2 else step
    candidate = max(earliest, user["totp_last_step"] + 1)
    if candidate <= step + 1:
        user["totp_last_step"] = candidate
        return pyotp.TOTP(secret).generate_otp(candidate)
    if user.get("recovery_codes"):
        return user["recovery_codes"].pop()
    raise AssertionError("this user signed in too often within one step: no code or recovery code is left")


def code_at(user: dict, when: dt.datetime) -> str:
    return pyotp.TOTP(user["totp_secret"]).generate_otp(int(when.timestamp()) // STEP)
