"""Which files the vault accepts: the content's signature and the extension must agree."""
import codecs
from pathlib import PurePath

from core.errors import UnsupportedMediaType

HEAD_BYTES = 8192

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

# extension -> (media type, kind of content it must be)
ALLOWED = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jpg": ("image/jpeg", "jpeg"),
    "jpeg": ("image/jpeg", "jpeg"),
    "gif": ("image/gif", "gif"),
    "webp": ("image/webp", "webp"),
    "tif": ("image/tiff", "tiff"),
    "tiff": ("image/tiff", "tiff"),
    "bmp": ("image/bmp", "bmp"),
    "doc": ("application/msword", "ole2"),
    "xls": ("application/vnd.ms-excel", "ole2"),
    "ppt": ("application/vnd.ms-powerpoint", "ole2"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "ooxml"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "ooxml"),
    "odt": ("application/vnd.oasis.opendocument.text", "odf"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "odf"),
    "odp": ("application/vnd.oasis.opendocument.presentation", "odf"),
    "zip": ("application/zip", "zip"),
    "txt": ("text/plain; charset=utf-8", "text"),
    "csv": ("text/csv; charset=utf-8", "text"),
    "md": ("text/markdown; charset=utf-8", "text"),
    "log": ("text/plain; charset=utf-8", "text"),
}


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(head, final=False)  # a multi-byte character cut at the end is fine
            return True
        except UnicodeDecodeError:
            continue
    return False


def _content_matches(kind: str, head: bytes) -> bool:
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if kind == "gif":
        return head[:6] in (b"GIF87a", b"GIF89a")
    if kind == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if kind == "tiff":
        return head[:4] in (b"II*\x00", b"MM\x00*")
    if kind == "bmp":
        return head[:2] == b"BM"
    if kind == "ole2":
        return head.startswith(OLE2)
    if kind == "ooxml":
        return head.startswith(ZIP_MAGICS[0]) and b"[Content_Types].xml" in head
    if kind == "odf":
        return head.startswith(ZIP_MAGICS[0]) and b"mimetypeapplication/vnd.oasis.opendocument" in head
    if kind == "zip":
        return head.startswith(ZIP_MAGICS)
    if kind == "text":
        return _is_text(head)
    return False


def extension_of(filename: str) -> str:
    return PurePath(filename or "").suffix.lower().lstrip(".")


def media_type_for(filename: str, head: bytes) -> str:
    """The media type to record, or 415 when the extension is not allowed or the content disagrees."""
    ext = extension_of(filename)
    if ext not in ALLOWED:
        raise UnsupportedMediaType()
    media_type, kind = ALLOWED[ext]
    if not head or not _content_matches(kind, head):
        raise UnsupportedMediaType()
    return media_type
