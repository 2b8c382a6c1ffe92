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


def web_login(client, user, **kw):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"csrf_token": token, "email": user["email"], "password": user["password"]},
                       **kw)


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
