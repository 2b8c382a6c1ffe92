"""The evidence vault: encrypted at rest, checked by content, size-limited, all-or-nothing, audited."""
import base64
import datetime as dt
import hashlib
import io
import secrets
import uuid
import zipfile
from pathlib import Path

import pytest
import time_machine

from core.audit import AuditEntry
from evidence.models import EvidenceFile
from evidence.vault import TamperedEvidence
from intake.models import ComplaintEvent
from tests.evidence.support import (api_client, count, csrf_token, files_under, new_draft, pdf_bytes, read, rows,
                                    submitted, upload, upload_escaped, web_login)
from tests.paging import every

# Distinctive, so that finding it (or a piece of it) on disk would mean it is stored in clear.
PLAINTEXT = b"TRADE-SECRET-PLAINTEXT-7f3a9c: servo gain table v4.2; "
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100


@pytest.fixture
def user(create_user, rights_centre):
    return create_user()


@pytest.fixture
def api(api_login, user):
    return api_login(user)


@pytest.fixture
def draft(api):
    return new_draft(api)


@pytest.fixture
def evidence_dir(app):
    return Path(app.config["EVIDENCE_DIR"])


def download(api, complaint_id, evidence_id):
    return api.get(f"/api/v1/complaints/{complaint_id}/evidence/{evidence_id}")


def assert_nothing_stored(app, evidence_dir):
    assert count(app, EvidenceFile) == 0
    assert count(app, ComplaintEvent, ComplaintEvent.kind == "evidence_added") == 0
    assert count(app, AuditEntry, AuditEntry.action == "evidence.uploaded") == 0
    assert files_under(evidence_dir) == []  # neither a stored file nor a leftover in tmp/


# --- storing and reading back ----------------------------------------------------------------------

def test_several_files_in_one_upload_are_listed_with_their_hashes(api, draft):
    files = [(pdf_bytes(PLAINTEXT), "合同.pdf"), (PNG, "screenshot.png"), ("聊天记录\n".encode(), "chat.txt")]

    response = upload(api, draft["id"], *files)

    assert response.status_code == 201, response.get_json()
    listing = every(api, f"/api/v1/complaints/{draft['id']}/evidence")
    assert [(e["display_name"], e["size"], e["sha256"], e["media_type"]) for e in listing] == [
        ("合同.pdf", len(files[0][0]), hashlib.sha256(files[0][0]).hexdigest(), "application/pdf"),
        ("screenshot.png", len(PNG), hashlib.sha256(PNG).hexdigest(), "image/png"),
        ("chat.txt", len(files[2][0]), hashlib.sha256(files[2][0]).hexdigest(), "text/plain; charset=utf-8"),
    ]
    last = every(api, f"/api/v1/complaints/{draft['id']}/timeline")[-1]
    assert last["kind"] == "evidence_added" and len(last["payload"]["files"]) == 3


def test_a_download_returns_the_exact_bytes(api, draft):
    for size in (16, 64 * 1024, 64 * 1024 + 1, 200_000):  # around the vault's chunk size
        content = pdf_bytes((PLAINTEXT * (size // len(PLAINTEXT) + 1))[:size - 16], size=size)
        assert len(content) == size
        [evidence] = upload(api, draft["id"], (content, "exhibit.pdf")).get_json()

        response = download(api, draft["id"], evidence["id"])

        assert response.status_code == 200
        assert response.data == content, size
        assert hashlib.sha256(response.data).hexdigest() == evidence["sha256"] == hashlib.sha256(content).hexdigest()
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Type"] == "application/pdf"


def test_the_stored_file_is_encrypted_and_named_by_a_generated_key(api, draft, evidence_dir):
    content = pdf_bytes(PLAINTEXT * 3000)  # several chunks

    upload(api, draft["id"], (content, "servo-gains.pdf"))

    [stored] = files_under(evidence_dir)
    on_disk = stored.read_bytes()
    assert PLAINTEXT not in on_disk and PLAINTEXT[:16] not in on_disk and b"%PDF" not in on_disk
    assert "servo" not in str(stored) and not stored.name.endswith(".pdf")
    assert stored.resolve().is_relative_to(evidence_dir.resolve())
    assert len(on_disk) > len(content)  # the tags


def test_two_uploads_of_the_same_content_are_encrypted_differently(api, draft, evidence_dir):
    content = pdf_bytes(PLAINTEXT)

    upload(api, draft["id"], (content, "a.pdf"), (content, "a.pdf"))

    first, second = files_under(evidence_dir)
    assert first.name != second.name and first.read_bytes() != second.read_bytes()


def test_the_web_form_uploads_several_files(app, user, draft, api):
    web = web_login(app, user)
    page = f"/complaints/{draft['id']}"

    response = web.post(f"{page}/evidence", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(web, page),
        "file": [(io.BytesIO(pdf_bytes(PLAINTEXT)), "one.pdf"), (io.BytesIO(b"plain words"), "two.txt")]})

    assert response.status_code == 302
    names = [e["display_name"] for e in every(api, f"/api/v1/complaints/{draft['id']}/evidence")]
    assert names == ["one.pdf", "two.txt"]
    assert "one.pdf" in web.get(page).get_data(as_text=True)


def test_the_web_form_refuses_a_disguised_file_with_an_error_and_stores_nothing(app, user, draft, evidence_dir):
    web = web_login(app, user)
    page = f"/complaints/{draft['id']}"

    response = web.post(f"{page}/evidence", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(web, page), "file": [(io.BytesIO(EXE), "report.pdf")]})

    assert response.status_code == 415
    assert 'data-field="file"' in response.get_data(as_text=True)
    assert_nothing_stored(app, evidence_dir)


def test_the_web_form_needs_the_csrf_token(app, user, draft, evidence_dir):
    web = web_login(app, user)

    response = web.post(f"/complaints/{draft['id']}/evidence", content_type="multipart/form-data",
                        data={"file": [(io.BytesIO(pdf_bytes()), "one.pdf")]})

    assert response.status_code == 400
    assert_nothing_stored(app, evidence_dir)


# --- tampering: the whole file is authenticated before the first byte ---------------------------------

def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def truncate(path: Path, size: int) -> None:
    with open(path, "r+b") as f:
        f.truncate(size)


HEADER = 5 + 7  # magic, nonce prefix
SEALED_CHUNK = 64 * 1024 + 16
DAMAGE = {  # how the stored file is damaged -> the reason recorded
    "magic": (lambda p: flip_byte(p, 2), "bad_header"),
    "nonce": (lambda p: flip_byte(p, 8), "chunk_auth"),
    "first_chunk": (lambda p: flip_byte(p, HEADER + 40), "chunk_auth"),
    "later_chunk": (lambda p: flip_byte(p, HEADER + 2 * SEALED_CHUNK + 100), "chunk_auth"),
    "last_tag": (lambda p: flip_byte(p, p.stat().st_size - 5), "chunk_auth"),
    "truncated_in_a_chunk": (lambda p: truncate(p, p.stat().st_size - 1000), "chunk_auth"),
    "truncated_at_a_chunk_boundary": (lambda p: truncate(p, HEADER + 2 * SEALED_CHUNK), "chunk_auth"),
    "truncated_to_the_header": (lambda p: truncate(p, HEADER), "truncated"),
    "truncated_in_the_header": (lambda p: truncate(p, 3), "bad_header"),
    "emptied": (lambda p: truncate(p, 0), "bad_header"),
    "appended_to": (lambda p: p.write_bytes(p.read_bytes() + b"\x00" * 32), "chunk_auth"),
    "deleted": (lambda p: p.unlink(), "missing"),
}
BIG = 200 * 1024  # four chunks


@pytest.fixture
def admins(create_user):
    return [create_user("admin"), create_user("admin")]


def notices_of(app, user) -> list:
    """The in-app notifications of a user, after the worker has expanded the outbox."""
    from notifications.models import Notification
    from notifications.worker import expand_outbox

    with app.app_context():
        from core.extensions import db

        expand_outbox()
        db.session.commit()
    return rows(app, Notification, Notification.user_id == user["id"])


def stored_file(app, evidence_dir, evidence_id) -> Path:
    [row] = rows(app, EvidenceFile, EvidenceFile.id == uuid.UUID(evidence_id))
    return evidence_dir / row.storage_key[:2] / row.storage_key


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_or_missing_file_is_a_410_audited_and_reported_to_the_administrators(
        app, api, user, draft, evidence_dir, admins, create_user, damage):
    content = pdf_bytes((PLAINTEXT * (BIG // len(PLAINTEXT) + 1))[:BIG - 16], size=BIG)
    [evidence] = upload(api, draft["id"], (content, "servo-gains.pdf")).get_json()
    damage_file, reason = DAMAGE[damage]
    damage_file(stored_file(app, evidence_dir, evidence["id"]))

    response = download(api, draft["id"], evidence["id"])

    assert response.status_code == 410
    body = response.get_json()
    assert body["code"] == "evidence_damaged" and "administrators" in body["message"]
    assert PLAINTEXT not in response.data
    assert count(app, AuditEntry, AuditEntry.action == "evidence.downloaded") == 0
    [failed] = rows(app, AuditEntry, AuditEntry.action == "evidence.download_failed")
    assert (failed.subject_id, failed.actor_id, failed.details["reason"]) == (evidence["id"], user["id"], reason)
    for admin in admins:
        [notice] = notices_of(app, admin)
        assert notice.event == "evidence.damaged" and notice.params["evidence_id"] == evidence["id"]
        assert notice.params["reason"] == reason
    assert notices_of(app, create_user("clerk")) == []
    with app.app_context():
        from notifications.events import render

        subject, text = render("evidence.damaged", notice.params, "en")
        assert evidence["id"] in subject and notice.params["storage_key"] in text
        assert "servo" not in subject + text  # nothing of the complaint: the name stays with those who may see it


def test_an_intact_file_of_several_chunks_is_still_served_byte_for_byte(app, api, draft, admins):
    content = pdf_bytes((bytes(range(256)) * (BIG // 256))[:BIG - 16], size=BIG)
    [evidence] = upload(api, draft["id"], (content, "exhibit.pdf")).get_json()

    response = download(api, draft["id"], evidence["id"])

    assert response.status_code == 200 and response.data == content
    assert response.headers["Content-Length"] == str(BIG)
    assert count(app, AuditEntry, AuditEntry.action == "evidence.download_failed") == 0
    assert notices_of(app, admins[0]) == []


def test_the_administrators_are_told_once_a_day_per_file(app, api, user, draft, evidence_dir, admins):
    first, second = upload(api, draft["id"], (pdf_bytes(b"one"), "a.pdf"), (pdf_bytes(b"two"), "b.pdf")).get_json()
    stored_file(app, evidence_dir, first["id"]).unlink()
    stored_file(app, evidence_dir, second["id"]).unlink()
    now = dt.datetime.now(dt.UTC)

    with time_machine.travel(now, tick=False):
        for _ in range(5):
            assert download(api, draft["id"], first["id"]).status_code == 410
        assert download(api, draft["id"], second["id"]).status_code == 410
    with time_machine.travel(now + dt.timedelta(hours=23), tick=False):
        assert download(api_client(app, user), draft["id"], first["id"]).status_code == 410
    assert sorted(n.params["evidence_id"] for n in notices_of(app, admins[0])) == sorted([first["id"], second["id"]])
    with time_machine.travel(now + dt.timedelta(hours=24, minutes=1), tick=False):
        assert download(api_client(app, user), draft["id"], first["id"]).status_code == 410

    assert [n.params["evidence_id"] for n in notices_of(app, admins[0])].count(first["id"]) == 2
    assert count(app, AuditEntry, AuditEntry.action == "evidence.download_failed") == 8  # every attempt


def test_a_file_under_another_evidence_key_is_a_410(app, api, draft, admins):
    [evidence] = upload(api, draft["id"], (pdf_bytes(PLAINTEXT), "a.pdf")).get_json()
    app.config["EVIDENCE_KEY"] = base64.b64encode(secrets.token_bytes(32)).decode()  # restored after the test

    response = download(api, draft["id"], evidence["id"])

    assert response.status_code == 410
    [failed] = rows(app, AuditEntry, AuditEntry.action == "evidence.download_failed")
    assert failed.details["reason"] == "key_unwrap"


def test_a_stored_file_swapped_for_another_is_not_served(app, api, draft, evidence_dir):
    first, second = upload(api, draft["id"], (pdf_bytes(b"first"), "a.pdf"), (pdf_bytes(b"second"), "b.pdf")).get_json()
    a, b = stored_file(app, evidence_dir, first["id"]), stored_file(app, evidence_dir, second["id"])
    a_bytes, b_bytes = a.read_bytes(), b.read_bytes()
    a.write_bytes(b_bytes)
    b.write_bytes(a_bytes)

    assert download(api, draft["id"], first["id"]).status_code == 410
    assert download(api, draft["id"], second["id"]).status_code == 410


def test_the_web_download_of_a_damaged_file_is_the_error_page(app, user, draft, api, evidence_dir, admins):
    [evidence] = upload(api, draft["id"], (pdf_bytes(PLAINTEXT * 2000), "a.pdf")).get_json()
    flip_byte(stored_file(app, evidence_dir, evidence["id"]), HEADER + SEALED_CHUNK + 10)  # the second chunk
    web = web_login(app, user)

    response = web.get(f"/complaints/{draft['id']}/evidence/{evidence['id']}")

    assert response.status_code == 410
    assert response.mimetype == "text/html" and PLAINTEXT not in response.data
    assert "administrators have been told" in response.get_data(as_text=True)
    assert count(app, AuditEntry, AuditEntry.action == "evidence.download_failed") == 1
    assert len(notices_of(app, admins[0])) == 1


def test_the_vault_authenticates_every_chunk_before_handing_out_the_first(app, api, draft, evidence_dir):
    """The vault itself: open_verified raises before returning any iterator when the last chunk is bad."""
    from evidence.vault import open_verified

    content = pdf_bytes(PLAINTEXT, size=BIG)
    [evidence] = upload(api, draft["id"], (content, "a.pdf")).get_json()
    [row] = rows(app, EvidenceFile)
    with app.app_context():
        assert b"".join(open_verified(row.storage_key, row.wrapped_key, row.size, row.sha256)) == content
        with pytest.raises(TamperedEvidence) as excinfo:
            open_verified(row.storage_key, row.wrapped_key, row.size, "0" * 64)
        assert excinfo.value.reason == "digest_mismatch"
        with pytest.raises(TamperedEvidence) as excinfo:
            open_verified(row.storage_key, row.wrapped_key, row.size + 1, row.sha256)
        assert excinfo.value.reason == "size_mismatch"
        flip_byte(stored_file(app, evidence_dir, evidence["id"]), -5 % stored_file(app, evidence_dir, evidence["id"]).stat().st_size)
        with pytest.raises(TamperedEvidence):
            open_verified(row.storage_key, row.wrapped_key, row.size, row.sha256)


# --- refusals: size, type, state -------------------------------------------------------------------

@pytest.mark.config(MAX_EVIDENCE_BYTES=1000)
def test_a_file_over_the_limit_is_refused_with_413_and_leaves_nothing(app, api, draft, evidence_dir):
    response = upload(api, draft["id"], (pdf_bytes(size=1001), "big.pdf"))

    assert response.status_code == 413
    assert response.get_json()["code"] == "payload_too_large"
    assert_nothing_stored(app, evidence_dir)


@pytest.mark.config(MAX_EVIDENCE_BYTES=1000)
def test_a_file_at_the_limit_is_accepted(api, draft):
    assert upload(api, draft["id"], (pdf_bytes(size=1000), "fits.pdf")).status_code == 201


@pytest.mark.config(MAX_EVIDENCE_BYTES=1000)
def test_a_request_far_over_the_limit_is_refused_before_it_is_read(app, api, draft, evidence_dir):
    response = upload(api, draft["id"], (pdf_bytes(size=3 * 1024 * 1024), "huge.pdf"))

    assert response.status_code == 413
    assert_nothing_stored(app, evidence_dir)


REFUSED_FILES = [
    (EXE, "report.pdf"),  # a Windows executable named as a PDF
    (PNG, "scan.pdf"),  # an image named as a PDF
    (pdf_bytes(), "scan.png"),  # and the other way round
    (EXE, "setup.exe"),
    (b"<html><script>alert(1)</script></html>", "page.html"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg"),
    (pdf_bytes(), "report.pdf.exe"),
    (pdf_bytes(), "no-extension"),
    (b"\x00\x01\x02binary", "notes.txt"),
    (b"PK\x03\x04" + b"\x00" * 50, "contract.docx"),  # a ZIP that is not an Office document
]


def test_every_disguised_or_forbidden_file_is_refused_with_415(app, api, draft, evidence_dir):
    for content, name in REFUSED_FILES:
        response = upload(api, draft["id"], (content, name))

        assert response.status_code == 415, name
        assert response.get_json()["code"] == "unsupported_media_type"
        assert_nothing_stored(app, evidence_dir)


@pytest.mark.parametrize("name", ["empty.txt", "empty.pdf", "no-extension", "virus.exe"])
def test_an_empty_file_is_refused_as_empty_not_as_a_wrong_type(app, api, draft, evidence_dir, name):
    response = upload(api, draft["id"], (pdf_bytes(), "good.pdf"), (b"", name))

    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "empty_file"
    [message] = body["errors"]["file"]
    assert "is empty (0 bytes)" in message and name in message and "type" not in message
    assert_nothing_stored(app, evidence_dir)
    assert read(api, draft["id"]) == draft


def test_a_failure_in_a_multi_file_upload_keeps_none_of_the_files(app, api, draft, evidence_dir):
    response = upload(api, draft["id"], (pdf_bytes(PLAINTEXT), "good.pdf"), (EXE, "report.pdf"),
                      (pdf_bytes(), "also-good.pdf"))

    assert response.status_code == 415
    assert_nothing_stored(app, evidence_dir)
    assert read(api, draft["id"]) == draft


@pytest.mark.config(MAX_EVIDENCE_BYTES=1000)
def test_an_oversize_file_in_a_multi_file_upload_keeps_none_of_the_files(app, api, draft, evidence_dir):
    response = upload(api, draft["id"], (pdf_bytes(), "good.pdf"), (pdf_bytes(size=5000), "big.pdf"))

    assert response.status_code == 413
    assert_nothing_stored(app, evidence_dir)


def test_an_upload_without_a_file_is_a_field_error(app, api, draft, evidence_dir):
    response = api.client.post(f"/api/v1/complaints/{draft['id']}/evidence", headers=api.headers(),
                               data={"other": "x"}, content_type="multipart/form-data")

    assert response.status_code == 422
    assert "file" in response.get_json()["errors"]
    assert_nothing_stored(app, evidence_dir)


def test_evidence_cannot_be_added_to_a_withdrawn_complaint(app, api, complete_draft, evidence_dir):
    # while the complaint is open the enterprise may add evidence (tests/intake/test_later_evidence.py)
    complaint = api.post(f"/api/v1/complaints/{submitted(api, complete_draft)['id']}/withdraw",
                         json={"reason": "已和解。"}).get_json()
    assert complaint["state"] == "withdrawn"

    response = upload(api, complaint["id"], (pdf_bytes(), "late.pdf"))

    assert response.status_code == 409
    assert_nothing_stored(app, evidence_dir)
    assert read(api, complaint["id"]) == complaint


# --- filenames -------------------------------------------------------------------------------------

TRAVERSALS = {
    "../../etc/passwd.txt": "passwd.txt",
    "..\\..\\win.ini.txt": "win.ini.txt",
    "/etc/cron.d/evil.txt": "evil.txt",
    "C:\\Windows\\System32\\x.txt": "x.txt",
    "notes\x00.txt": "notes.txt",
    ".hidden.txt": "hidden.txt",
}


def test_a_path_in_the_filename_is_only_a_display_name(app, api, draft, evidence_dir, tmp_path):
    for filename, shown in TRAVERSALS.items():
        response = upload_escaped(api, draft["id"], (b"harmless text", filename))

        assert response.status_code == 201, response.get_json()
        [evidence] = response.get_json()
        assert evidence["display_name"] == shown
        assert download(api, draft["id"], evidence["id"]).data == b"harmless text"
    everything = files_under(tmp_path)
    assert len(everything) == len(TRAVERSALS)
    assert all(path.is_relative_to(evidence_dir) and "txt" not in path.name for path in everything)


def test_a_filename_with_unescaped_backslashes_is_still_a_harmless_name(app, api, draft, tmp_path):
    """The test client sends these raw (as old browsers did), and the parser reads the backslashes as escapes."""
    for filename in ("..\\..\\win.ini.txt", "C:\\Windows\\x.txt"):
        [evidence] = upload(api, draft["id"], (b"harmless text", filename)).get_json()

        name = evidence["display_name"]
        assert "/" not in name and "\\" not in name and not name.startswith("."), name
    assert len(files_under(tmp_path)) == 2


def test_a_long_filename_is_shortened_keeping_its_extension(api, draft):
    [evidence] = upload(api, draft["id"], (b"text", "很" * 300 + ".txt")).get_json()

    assert len(evidence["display_name"]) == 200 and evidence["display_name"] == "很" * 196 + ".txt"


def test_the_download_names_the_file_safely(api, draft):
    [evidence] = upload_escaped(api, draft["id"], (pdf_bytes(), '证据 "1".pdf')).get_json()
    assert evidence["display_name"] == '证据 "1".pdf'

    disposition = download(api, draft["id"], evidence["id"]).headers["Content-Disposition"]

    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" in disposition and "\n" not in disposition
    assert '"1"' not in disposition


HOSTILE_NAMES = {
    "invoice\u202efdp.txt": "invoicefdp.txt",  # a right-to-left override: shown as "invoicetxt.pdf"
    "\u2067notes\u2069.txt": "notes.txt",  # bidi isolates
    "a\u200b\u200d\ufeffb.txt": "ab.txt",  # zero-width characters and a BOM
    "line\u2028break.txt": "linebreak.txt",
    "CON.txt": "_CON.txt",
    "nul.txt": "_nul.txt",
    "Com1.tar.txt": "_Com1.tar.txt",
    "LPT9.txt": "_LPT9.txt",
    "aux .txt": "_aux .txt",
    "COM10.txt": "COM10.txt",  # not a device
    "console.txt": "console.txt",
    "notes.txt. . .": "notes.txt",  # Windows drops trailing dots and spaces
    "  spaced\u3000name.txt  ": "spaced name.txt",
    "what?<now>|*.txt": "what__now___.txt",
    "dir/sub\\file.txt": "file.txt",
}


def test_hostile_display_names_are_made_harmless(api, draft):
    for filename, shown in HOSTILE_NAMES.items():
        response = upload_escaped(api, draft["id"], (b"harmless text", filename))

        assert response.status_code == 201, (filename, response.get_json())
        assert response.get_json()[0]["display_name"] == shown, filename


def test_an_override_cannot_turn_an_executable_into_an_accepted_name(api, draft):
    response = upload(api, draft["id"], (pdf_bytes(), "report\u202efdp.exe"))  # looks like "reportexe.pdf"

    assert response.status_code == 415


def test_a_long_name_without_a_short_extension_is_cut_to_the_limit(api, draft):
    [evidence] = upload(api, draft["id"], (b"text", "a" * 150 + "." + "b" * 100 + ".txt")).get_json()

    assert len(evidence["display_name"]) == 200 and evidence["display_name"].endswith(".txt")


# --- the whole file: archives and PDFs -----------------------------------------------------------------

def zip_bytes(entries: dict, *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data,
                             compress_type=zipfile.ZIP_STORED if name == "mimetype" else compression)
    return out.getvalue()


def content_types(main: str) -> bytes:
    return (f'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/x" ContentType="{main}"/></Types>').encode()


WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
POWERPOINT = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
DOCX = zip_bytes({"[Content_Types].xml": content_types(WORD), "word/document.xml": PLAINTEXT * 5000,
                  "docProps/core.xml": b"<core/>"})
XLSX = zip_bytes({"[Content_Types].xml": content_types(EXCEL), "xl/workbook.xml": b"<workbook/>"})
PPTX = zip_bytes({"[Content_Types].xml": content_types(POWERPOINT), "ppt/presentation.xml": b"<p/>"})
ODT = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
ZIP = zip_bytes({"src/servo.c": PLAINTEXT * 100, "README": b"gains"}, compression=zipfile.ZIP_STORED)
SOLID_PDF = pdf_bytes(PLAINTEXT, size=100_000)

ACCEPTED_WHOLE = [(DOCX, "contract.docx"), (XLSX, "ledger.xlsx"), (PPTX, "slides.pptx"), (ODT, "memo.odt"),
                  (ZIP, "source.zip"), (DOCX, "source.zip"), (SOLID_PDF, "scan.pdf"),
                  (SOLID_PDF + b"\r\n", "scan.pdf"),  # whitespace after %%EOF is common
                  (zip_bytes({"a.txt": b"x"}) [:-2] + b"\x03\x00abc", "commented.zip")]


def with_comment(data: bytes, comment: bytes) -> bytes:
    return data[:-2] + len(comment).to_bytes(2, "little") + comment


ACCEPTED_WHOLE[-1] = (with_comment(zip_bytes({"a.txt": b"x"}), b"abc"), "commented.zip")

REFUSED_WHOLE = {
    "a PDF cut short": (SOLID_PDF[:-2000], "scan.pdf"),
    "a PDF without its trailer": (b"%PDF-1.4\n" + PLAINTEXT, "scan.pdf"),
    "a document cut short": (DOCX[:-10], "contract.docx"),
    "a document with something appended": (DOCX + b"#!/bin/sh\nrm -rf /\n", "contract.docx"),
    "an archive cut in its directory": (ZIP[:-40], "source.zip"),
    "an archive behind another file's start": (b"PK\x03\x04" + b"\x00" * 100 + ZIP, "source.zip"),
    "a spreadsheet named as a document": (XLSX, "contract.docx"),
    "a document named as a presentation": (DOCX, "slides.pptx"),
    "a macro document named as docx": (zip_bytes({
        "[Content_Types].xml": content_types("application/vnd.ms-word.document.macroEnabled.main+xml"),
        "word/document.xml": b"<d/>", "word/vbaProject.bin": b"\x00" * 10}), "contract.docx"),
    "macros hidden in a docx": (zip_bytes({"[Content_Types].xml": content_types(WORD), "word/document.xml": b"<d/>",
                                           "word/vbaProject.bin": b"\x00" * 10}), "contract.docx"),
    "an entry escaping the archive": (zip_bytes({"../../etc/cron.d/x": b"* * * * * root sh", "a": b"b"}),
                                      "source.zip"),
    "an absolute entry": (zip_bytes({"/etc/passwd": b"root", "a": b"b"}), "source.zip"),
    "a spreadsheet named as a text document": (zip_bytes({
        "mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<o/>"}), "memo.odt"),
    "an empty archive": (zip_bytes({}), "empty.zip"),
}


def test_whole_archives_and_pdfs_are_accepted(api, draft):
    for content, name in ACCEPTED_WHOLE:
        response = upload(api, draft["id"], (content, name))

        assert response.status_code == 201, (name, response.get_json())
        [evidence] = response.get_json()
        assert download(api, draft["id"], evidence["id"]).data == content


@pytest.mark.parametrize("case", list(REFUSED_WHOLE))
def test_a_file_whose_whole_does_not_match_its_type_is_refused(app, api, draft, evidence_dir, case):
    content, name = REFUSED_WHOLE[case]

    response = upload(api, draft["id"], (content, name))

    assert response.status_code == 415, case
    assert_nothing_stored(app, evidence_dir)


def test_the_whole_file_check_reads_in_bounded_pieces(app):
    """The check seeks and reads pieces: a 20 MiB archive is checked reading a small part of it."""
    from evidence.sniff import check_whole_file

    big = zip_bytes({"[Content_Types].xml": content_types(WORD), "word/document.xml": b"<d/>",
                     "word/media/scan.bin": secrets.token_bytes(20 * 1024 * 1024)}, compression=zipfile.ZIP_STORED)

    class CountingStream(io.BytesIO):
        read_total = 0

        def read(self, size=-1):
            assert size is not None and 0 <= size <= 1024 * 1024, size
            data = super().read(size)
            CountingStream.read_total += len(data)
            return data

    stream = CountingStream(big)
    stream.seek(8192)
    check_whole_file("report.docx", stream)
    assert stream.tell() == 8192 and CountingStream.read_total < 200 * 1024


# --- the audit log ---------------------------------------------------------------------------------

def test_every_download_is_audited(app, user, api, draft):
    [evidence] = upload(api, draft["id"], (pdf_bytes(), "a.pdf")).get_json()

    download(api, draft["id"], evidence["id"])
    download(api, draft["id"], evidence["id"])
    web = web_login(app, user)
    assert web.get(f"/complaints/{draft['id']}/evidence/{evidence['id']}").status_code == 200

    entries = rows(app, AuditEntry, AuditEntry.action == "evidence.downloaded")
    assert len(entries) == 3
    assert {(e.subject_type, e.subject_id, str(e.actor_id)) for e in entries} == {
        ("evidence", evidence["id"], str(user["id"]))}
    assert entries[0].details["sha256"] == evidence["sha256"]


def test_a_refused_download_is_not_audited_as_a_download(app, api, draft, create_user):
    [evidence] = upload(api, draft["id"], (pdf_bytes(), "a.pdf")).get_json()
    stranger = api_client(app, create_user())

    assert download(stranger, draft["id"], evidence["id"]).status_code == 404
    assert count(app, AuditEntry, AuditEntry.action == "evidence.downloaded") == 0
