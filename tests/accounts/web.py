"""Helpers for the server-rendered pages: CSRF tokens from forms, signing in through the form."""
import re

from sqlalchemy import func, select

CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url="/login"):
    """The hidden csrf_token of the form on ``url`` (tests run with CSRF enabled)."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    match = CSRF_INPUT.search(page.get_data(as_text=True))
    assert match, f"no csrf_token input on {url}"
    return match.group(1)


SECRET = re.compile(r'data-testid="totp-secret">([A-Z2-7]+)<')


def web_login(client, user, next_url=None, **kw):
    """Sign in through the forms: the password, then the second step where there is one (a code of the
    user's authenticator, see tests/totp.py), or the enrolment a staff user without one must complete.
    Returns the last answer (a 302 to the page after the login, or the recovery-codes page after enrolling)."""
    from tests.totp import next_code

    token = csrf_token(client, "/login")
    url = "/login" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data={"csrf_token": token, "email": user["email"], "password": user["password"]},
                           **kw)
    location = response.headers.get("Location", "") if response.status_code == 302 else ""
    if location.endswith("/login/mfa"):
        token = csrf_token(client, "/login/mfa")
        return client.post("/login/mfa", data={"csrf_token": token, "code": next_code(user)}, **kw)
    if location.endswith("/account/mfa"):
        return enrol_on_page(client, user)
    return response


def enrol_on_page(client, user):
    """Complete the enrolment page as a person with an authenticator app would; remembers the secret."""
    from tests.totp import first_code

    token = csrf_token(client, "/account/mfa")
    page = client.post("/account/mfa", data={"csrf_token": token, "password": user["password"]})
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    user["totp_secret"] = SECRET.search(html).group(1)
    code, user["totp_last_step"] = first_code(user["totp_secret"])
    token = CSRF_INPUT.search(html).group(1)
    response = client.post("/account/mfa/confirm", data={"csrf_token": token, "code": code})
    assert response.status_code == 200, response.status_code
    user["recovery_codes"] = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", response.get_data(as_text=True))
    return response


def session_sid(client):
    with client.session_transaction() as session:
        return session.get("sid")


def count_rows(app, model):
    from core.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def field_errors(html, field):
    """The error messages a form page shows next to ``field``."""
    return re.findall(rf'<small class="error" data-field="{re.escape(field)}">([^<]*)</small>', html)
