"""The HTTP answer for an evidence download, shared by the portal and the API."""
from urllib.parse import quote

from flask import Response, stream_with_context

from core.extensions import db
from evidence.services import EvidenceDamaged


def evidence_response(evidence, download):
    """The whole file is authenticated before the answer begins: a damaged or missing file is a 410
    (evidence_damaged), never a 200 with a broken body. Either outcome's audit row (and the
    administrators' notice) is committed before anything is sent."""
    try:
        chunks = download.open()
    except EvidenceDamaged:
        db.session.commit()  # the failed attempt and the notice are kept although the answer is an error
        raise
    db.session.commit()

    def body():
        yield from chunks

    ascii_name = evidence.display_name.encode("ascii", "replace").decode().replace('"', "")
    response = Response(stream_with_context(body()), mimetype=evidence.media_type.split(";")[0])
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(evidence.display_name)}")
    response.headers["Content-Length"] = str(evidence.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
