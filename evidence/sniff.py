"""Which files the vault accepts: the content's signature and the extension must agree, and for PDFs and
ZIP-based types (Office, OpenDocument, ZIP) the whole file's structure too."""
import codecs
import struct
import zlib
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


# --- the whole file, where the head says too little -------------------------------------------------
# A ZIP is read from its end (the end-of-central-directory record) and a PDF ends with %%EOF: a file cut
# short, something appended after the archive, an archive that does not start at byte 0 (another file
# with a ZIP behind it), an "Office document" whose parts are not the claimed type's (or carry macros) is
# refused. Everything is read with seeks and bounded reads: never the whole file in memory.

EOCD = b"PK\x05\x06"
EOCD_SIZE = 22
MAX_COMMENT = 0xFFFF
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_EOCD = b"PK\x06\x06"
CENTRAL_HEADER = b"PK\x01\x02"
LOCAL_HEADER = b"PK\x03\x04"
PDF_TAIL = 1024  # readers look for %%EOF this far from the end
MAX_CONTENT_TYPES = 1024 * 1024  # [Content_Types].xml, decompressed

OOXML_MAIN = {  # the main part each extension must declare
    "docx": (b"word/document.xml",
             b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": (b"xl/workbook.xml", b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "pptx": (b"ppt/presentation.xml",
             b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
}
ODF_MIMETYPES = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
    "odp": b"application/vnd.oasis.opendocument.presentation",
}
DEEP_KINDS = {"pdf", "zip", "ooxml", "odf"}


class _Refused(Exception):
    pass


def check_whole_file(filename: str, stream) -> None:
    """Check what the head cannot show, for PDFs and ZIP-based types; 415 if the file is not what it claims.

    ``stream`` is the seekable upload; its position is restored.
    """
    ext = extension_of(filename)
    kind = ALLOWED.get(ext, (None, None))[1]
    if kind not in DEEP_KINDS:
        return
    if not getattr(stream, "seekable", lambda: False)():
        raise UnsupportedMediaType()
    position = stream.tell()
    try:
        size = stream.seek(0, 2)
        if kind == "pdf":
            _check_pdf(stream, size)
        else:
            _check_zip(stream, size, kind, ext)
    except (_Refused, OSError, ValueError, zlib.error, struct.error):
        raise UnsupportedMediaType() from None
    finally:
        stream.seek(position)


def _read_at(stream, offset: int, length: int) -> bytes:
    stream.seek(offset)
    data = stream.read(length)
    if len(data) != length:
        raise _Refused("short read")
    return data


def _check_pdf(stream, size: int) -> None:
    tail_len = min(size, PDF_TAIL)
    if b"%%EOF" not in _read_at(stream, size - tail_len, tail_len):
        raise _Refused("no %%EOF trailer")


def _end_record(stream, size: int) -> tuple[int, int, int, int]:
    """(entries, central directory size, its offset, where the directory must end) from the end records."""
    tail_len = min(size, EOCD_SIZE + MAX_COMMENT)
    tail = _read_at(stream, size - tail_len, tail_len)
    at = tail.rfind(EOCD)
    while at >= 0:  # the record whose comment runs exactly to the end of the file
        if at + EOCD_SIZE <= len(tail):
            comment_len = struct.unpack_from("<H", tail, at + 20)[0]
            if at + EOCD_SIZE + comment_len == len(tail):
                break
        at = tail.rfind(EOCD, 0, at)
    if at < 0:
        raise _Refused("no end of central directory at the end of the file")
    eocd_offset = size - tail_len + at
    disk, cd_disk, disk_entries, entries, cd_size, cd_offset = struct.unpack_from("<HHHHII", tail, at + 4)
    if disk or cd_disk or disk_entries != entries:
        raise _Refused("multi-disk archive")
    if 0xFFFF not in (entries,) and 0xFFFFFFFF not in (cd_size, cd_offset):
        return entries, cd_size, cd_offset, eocd_offset
    # ZIP64: the locator sits right before the end record and points at the ZIP64 end record
    if eocd_offset < 20:
        raise _Refused("no ZIP64 locator")
    locator = _read_at(stream, eocd_offset - 20, 20)
    if locator[:4] != ZIP64_LOCATOR:
        raise _Refused("no ZIP64 locator")
    zip64_offset = struct.unpack_from("<Q", locator, 8)[0]
    record = _read_at(stream, zip64_offset, 56)
    if record[:4] != ZIP64_EOCD:
        raise _Refused("bad ZIP64 end record")
    disk, cd_disk, disk_entries, entries, cd_size, cd_offset = struct.unpack_from("<IIQQQQ", record, 16)
    if disk or cd_disk or disk_entries != entries:
        raise _Refused("multi-disk archive")
    return entries, cd_size, cd_offset, zip64_offset


def _entries(stream, entries: int, cd_offset: int, cd_end: int):
    """(name, method, compressed size, local header offset) of each central directory entry, streamed."""
    stream.seek(cd_offset)
    position = cd_offset
    for _ in range(entries):
        header = stream.read(46)
        if len(header) != 46 or header[:4] != CENTRAL_HEADER:
            raise _Refused("bad central directory entry")
        method, = struct.unpack_from("<H", header, 10)
        compressed, = struct.unpack_from("<I", header, 20)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", header, 28)
        local_offset, = struct.unpack_from("<I", header, 42)
        name = stream.read(name_len)
        stream.seek(extra_len + comment_len, 1)
        position += 46 + name_len + extra_len + comment_len
        if len(name) != name_len or position > cd_end:
            raise _Refused("central directory runs past its end")
        yield name, method, compressed, local_offset
    if position != cd_end:
        raise _Refused("central directory size does not match its entries")


def _unsafe_name(name: bytes) -> bool:
    parts = name.replace(b"\\", b"/").split(b"/")
    return name.startswith((b"/", b"\\")) or b".." in parts or b":" in parts[0] or b"\x00" in name


def _member(stream, local_offset: int, method: int, compressed: int, limit: int) -> bytes:
    header = _read_at(stream, local_offset, 30)
    if header[:4] != LOCAL_HEADER:
        raise _Refused("bad local header")
    name_len, extra_len = struct.unpack_from("<HH", header, 26)
    if compressed > limit:
        raise _Refused("member too large")
    data = _read_at(stream, local_offset + 30 + name_len + extra_len, compressed)
    if method == 0:
        return data
    if method != 8:
        raise _Refused("unsupported compression")
    inflater = zlib.decompressobj(-15)
    out = inflater.decompress(data, limit)
    if inflater.unconsumed_tail:
        raise _Refused("member too large")
    return out


def _check_zip(stream, size: int, kind: str, ext: str) -> None:
    entries, cd_size, cd_offset, cd_end = _end_record(stream, size)
    if entries == 0 or cd_offset + cd_size != cd_end:
        raise _Refused("central directory does not end where the end record is")
    wanted = {b"[Content_Types].xml", b"mimetype", *(OOXML_MAIN[ext][:1] if ext in OOXML_MAIN else ())}
    found = {}
    first_local = None
    for index, (name, method, compressed, local_offset) in enumerate(_entries(stream, entries, cd_offset, cd_end)):
        if _unsafe_name(name):
            raise _Refused("an entry's name leaves the archive")
        if local_offset >= cd_offset:
            raise _Refused("an entry lies outside the archive")
        first_local = local_offset if first_local is None else min(first_local, local_offset)
        if kind == "ooxml" and name.lower().endswith(b"vbaproject.bin"):
            raise _Refused("macros in a macro-free document type")
        if name in wanted and name not in found:
            found[name] = (index, method, compressed, local_offset)
    if first_local != 0:
        raise _Refused("the archive does not start at the beginning of the file")
    if kind == "ooxml":
        main, content_type = OOXML_MAIN[ext]
        if b"[Content_Types].xml" not in found or main not in found:
            raise _Refused("not this kind of Office document")
        _index, method, compressed, local_offset = found[b"[Content_Types].xml"]
        types = _member(stream, local_offset, method, compressed, MAX_CONTENT_TYPES)
        if content_type not in types or b"macroEnabled" in types:
            raise _Refused("the main part is not of the claimed type")
    elif kind == "odf":
        if b"mimetype" not in found or found[b"mimetype"][0] != 0:
            raise _Refused("no mimetype entry first")
        _index, method, compressed, local_offset = found[b"mimetype"]
        if method != 0 or _member(stream, local_offset, 0, compressed, 200).strip() != ODF_MIMETYPES[ext]:
            raise _Refused("mimetype of another document type")
