"""The HTTP answer for an evidence download, shared by the portal and the API."""
from urllib.parse import quote

from flask import Response, stream_with_context

from core.extensions import db


def evidence_response(evidence, chunks):
    # Authenticate and decrypt the first chunk before answering, so a damaged file is an error
    # rather than a 200 with a broken body. The audit row is committed before the first byte.
    first = next(chunks, b"")
    db.session.commit()

    def body():
        yield first
        yield from chunks

    ascii_name = evidence.display_name.encode("ascii", "replace").decode().replace('"', "")
    response = Response(stream_with_context(body()), mimetype=evidence.media_type.split(";")[0])
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(evidence.display_name)}")
    response.headers["Content-Length"] = str(evidence.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
