"""Helpers shared by the intake and evidence tests: logins, drafts, uploads, rows and files."""
import io
import re
from pathlib import Path

from sqlalchemy import func, select

from tests.accounts.web import web_login as form_login
from tests.conftest import ApiClient, token_request
from tests.paging import every

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


# --- logging in ----------------------------------------------------------------------------------

def csrf_token(client, url="/login") -> str:
    """The CSRF token of the client's session, read from a page's form."""
    response = client.get(url)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no csrf_token on {url} ({response.status_code})"
    return match.group(1)


def web_login(app, user):
    """A test client of its own, signed in through the login form."""
    client = app.test_client()
    response = form_login(client, user)  # the password, then the second step of staff
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def api_client(app, user, language="en") -> ApiClient:
    """A test client of its own with a bearer token of its own."""
    client = app.test_client()
    response = client.post("/api/v1/auth/tokens", json=token_request(user))
    assert response.status_code == 201, response.get_json()
    return ApiClient(client, response.get_json()["token"], language)


# --- complaints ------------------------------------------------------------------------------------

def new_draft(api, data=None) -> dict:
    response = api.post("/api/v1/complaints", json=data or {})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def submitted(api, complete_draft) -> dict:
    draft = new_draft(api, complete_draft)
    response = api.post(f"/api/v1/complaints/{draft['id']}/submit")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def read(api, complaint_id) -> dict:
    response = api.get(f"/api/v1/complaints/{complaint_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def timeline(api, complaint_id) -> list:
    """Every row of the complaint's timeline (all its pages)."""
    return every(api, f"/api/v1/complaints/{complaint_id}/timeline")


# --- evidence ------------------------------------------------------------------------------------

def upload(api, complaint_id, *files):
    """POST files (each a (bytes, name) pair) in the repeatable multipart field ``file``."""
    data = {"file": [(io.BytesIO(content), name) for content, name in files]}
    return api.client.post(f"/api/v1/complaints/{complaint_id}/evidence", headers=api.headers(), data=data,
                           content_type="multipart/form-data")


def upload_escaped(api, complaint_id, *files):
    """Like upload, but with the filename quoted as curl does (backslash and quote escaped), so that
    the server really receives backslashes (the test client's encoder sends them raw and the parser
    then takes them for escapes)."""
    boundary = "----test-boundary-4e1f"
    body = b""
    for content, name in files:
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{quoted}\"\r\n"
                 f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return api.client.post(f"/api/v1/complaints/{complaint_id}/evidence", headers=api.headers(), data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")


PDF_TRAILER = b"\n%%EOF\n"


def pdf_bytes(text: bytes = b"evidence", size: int | None = None) -> bytes:
    """A file the vault takes for a PDF: the signature first, the %%EOF trailer last (``size`` bytes in all)."""
    body = b"%PDF-1.4\n" + text
    if size is not None:
        body += b"x" * (size - len(body) - len(PDF_TRAILER))
    return body + PDF_TRAILER


def files_under(directory) -> list[Path]:
    """Every regular file under a directory (none if it does not exist)."""
    root = Path(directory)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- the database --------------------------------------------------------------------------------

def count(app, model, *conditions) -> int:
    from core.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def rows(app, model, *conditions) -> list:
    from core.extensions import db

    with app.app_context():
        found = db.session.scalars(select(model).where(*conditions)).all()
        db.session.expunge_all()
        return found


# --- the second step of an irreversible action (core/confirm.py) -----------------------------------

CONFIRM_FORM_RE = re.compile(r'<form method="post" action="([^"]+)">(.*?)</form>', re.S)
HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def confirm(client, response, status=302):
    """Press the confirm button of a confirmation page (the first answer of an irreversible POST)."""
    import html as html_lib

    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="confirm"' in page, (response.status_code, page[-2000:])
    [form] = [m for m in CONFIRM_FORM_RE.finditer(page) if 'name="confirmed" value="yes"' in m.group(2)]
    data = {}
    for name, value in HIDDEN_RE.findall(form.group(2)):
        data.setdefault(html_lib.unescape(name), []).append(html_lib.unescape(value))
    answer = client.post(html_lib.unescape(form.group(1)), data=data)
    assert answer.status_code == status, (answer.status_code, answer.get_data(as_text=True)[-2000:])
    return answer
