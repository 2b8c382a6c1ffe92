"""Hostile input stopped at the request boundary, before any view, schema or database sees it.

One ``before_request`` hook (registered ahead of CSRF protection, which reads the form) decides,
per request:

* how many bytes the body may have, by kind: a JSON body ``JSON_MAX_BYTES``, a form post
  ``FORM_MAX_BYTES``, and only a multipart body to a view marked with :func:`accepts_files` the
  size of an upload (``MAX_EVIDENCE_BYTES`` x ``MAX_FILES_PER_UPLOAD`` + a margin, streamed to
  temporary files by Werkzeug). A declared Content-Length over the limit answers 413 before a byte is read; a chunked
  body is cut off at the limit with the same 413;
* that an API call sends the media type its operation takes: JSON, or multipart/form-data for an
  upload; anything else with a body (text/plain, a form) answers 415 instead of being read as an
  empty object;
* that a JSON body is UTF-8, nested at most ``JSON_MAX_DEPTH`` levels (a linear scan of the bytes
  that skips string contents, before the parser's recursion can overflow), valid JSON without NaN
  or Infinity, an object, and holds only values the databases can store: no NUL character and no lone
  surrogate in any string or key, no number beyond a 64-bit integer or a finite double;
* that no query-string or form value holds a NUL character.

Failures are DomainErrors: the API answers the JSON error body, pages the error page; a 422 names
the fields (dotted paths such as ``infringers.0.name``).

The web pages' page numbers and sizes are bounded here too (``page_field``, ``per_page_field`` for a page's
filter schema such as the queue's, ``page_arg`` for the others), so no OFFSET overflows a database integer.
The API pages by cursor instead: ``cursor`` and ``limit`` (core/pagination.py).
"""
import json
import math

from flask import current_app, request
from flask_babel import gettext as _
from marshmallow import fields, validate

from .errors import BadRequestBody, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

KIB = 1024
MIB = 1024 * KIB

# The settings (defaults in app.py) leave room for the largest legitimate bodies: a complaint draft
# holds up to ~100,000 characters of text, as JSON with \uXXXX escapes ~600 KB, as a percent-encoded
# form of Chinese text ~900 KB; JSON_MAX_DEPTH 32, where the deepest body the API takes has 4 levels.
UPLOAD_MARGIN_BYTES = 1 * MIB  # the multipart framing and the form's text fields beside the files
MAX_FORM_PARTS = 200  # fields and files of one form (the complaint form, all boxes ticked, has under 70)

PAGE_MAX = 10_000
PER_PAGE_MAX = 100

INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1  # a BIGINT on both databases
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def init_app(app) -> None:
    """Install the limits. Call before CSRFProtect.init_app: its hook reads the form."""
    cfg = app.config
    # the default for every request; upload views raise it for themselves (see limit_request)
    cfg["MAX_CONTENT_LENGTH"] = max(cfg["JSON_MAX_BYTES"], cfg["FORM_MAX_BYTES"])
    cfg["MAX_FORM_MEMORY_SIZE"] = cfg["FORM_MAX_BYTES"]
    cfg["MAX_FORM_PARTS"] = MAX_FORM_PARTS
    app.before_request(limit_request)


def upload_max_bytes(cfg) -> int:
    return cfg["MAX_EVIDENCE_BYTES"] * cfg["MAX_FILES_PER_UPLOAD"] + UPLOAD_MARGIN_BYTES


def accepts_files(view):
    """Mark a view (or a MethodView's method) as an upload: its body may be multipart with files."""
    view.accepts_files = True
    return view


def _view_accepts_files() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if view is None:
        return False
    if getattr(view, "accepts_files", False):
        return True
    view_class = getattr(view, "view_class", None)
    method = getattr(view_class, request.method.lower(), None) if view_class else None
    return bool(getattr(method, "accepts_files", False))


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def limit_request():
    cfg = current_app.config
    uploads = _view_accepts_files()
    mimetype = request.mimetype
    if uploads and mimetype == "multipart/form-data":  # only files may be that large
        limit = upload_max_bytes(cfg)
    elif _is_json(mimetype):
        limit = cfg["JSON_MAX_BYTES"]
    else:
        limit = cfg["FORM_MAX_BYTES"]
    too_large = PayloadTooLarge(_("The request body is larger than the %(size)s allowed here.", size=_size(limit)))
    # A chunked body has no length to check first: Werkzeug stops reading it at the limit without an
    # error, so it may read one byte more, and that byte tells the body was too large.
    chunked = request.content_length is None and _has_body()
    request.max_content_length = limit + 1 if chunked else limit
    request.max_form_memory_size = cfg["FORM_MAX_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise too_large

    if request.path.startswith("/api/") and (_has_body() or (request.method in BODY_METHODS and mimetype)):
        wanted = "multipart/form-data" if uploads else "application/json"
        if not (mimetype == wanted or (not uploads and _is_json(mimetype))):
            raise UnsupportedMediaType(_("Send the body as %(type)s.", type=wanted))

    errors = {}
    _check_texts(request.args, errors)
    if _is_json(mimetype) and _has_body():
        raw = request.get_data(cache=True)
        if len(raw) > limit:
            raise too_large
        _check_json_body(raw, cfg, errors)
    elif mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = request.form  # parsed now, within the limits; a file's name is only a display name (the vault's)
        if chunked and request.stream.tell() > limit:
            raise too_large
        _check_texts(form, errors)
    if errors:
        raise ValidationFailed(errors)


def _size(n: int) -> str:
    return f"{n // MIB} MiB" if n >= MIB and n % MIB == 0 else f"{math.ceil(n / KIB)} KiB"


# --- query strings and forms ----------------------------------------------------------------------

def _check_texts(multidict, errors) -> None:
    for key, value in multidict.items(multi=True):
        problem = _text_problem(key) or _text_problem(value)
        if problem:
            errors.setdefault(_safe_name(key), []).append(problem)


# --- JSON -------------------------------------------------------------------------------------------

class _BadNumber:
    """A number the parser met that no column can hold (kept as a marker, reported with its path)."""

    __slots__ = ()


_BAD_NUMBER = _BadNumber()


def _parse_int(text):
    if len(text) > 20:  # more digits than any 64-bit integer, and too many to convert cheaply
        return _BAD_NUMBER
    value = int(text)
    return value if INT_MIN <= value <= INT_MAX else _BAD_NUMBER


def _parse_float(text):
    value = float(text)
    return value if math.isfinite(value) else _BAD_NUMBER


def _parse_constant(_name):  # NaN, Infinity, -Infinity: not JSON (RFC 8259), not storable
    return _BAD_NUMBER


def _check_json_body(raw: bytes, cfg, errors) -> None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequestBody(_("The body is not valid UTF-8.")) from None
    max_depth = cfg["JSON_MAX_DEPTH"]
    if json_too_deep(text, max_depth):
        raise BadRequestBody(_("The JSON body is nested more than %(depth)s levels deep.", depth=max_depth))
    try:
        value = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except ValueError as exc:
        line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        if line is None:
            raise BadRequestBody(_("The body is not valid JSON.")) from None
        raise BadRequestBody(_("The body is not valid JSON (line %(line)s, column %(column)s).",
                               line=line, column=column)) from None
    if not isinstance(value, dict):  # every operation takes an object; schemas' hooks need not guess
        errors["_schema"] = [_("Invalid input type.")]
        return
    _check_json_value(value, "", errors)


def json_too_deep(text: str, max_depth: int) -> bool:
    """Whether arrays and objects in ``text`` nest more than ``max_depth`` levels (string contents
    skipped). Linear and without recursion, whatever the text is (valid JSON or not); it stops at the
    first level too deep, so 100,000 opening brackets cost no more than ``max_depth`` of them."""
    if text.count("[") + text.count("{") <= max_depth:  # most bodies: decided at C speed
        return False
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _check_json_value(value, path, errors) -> None:
    """Walk the parsed body (its depth is bounded) and collect what cannot be stored, by path."""
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{_safe_name(key)}" if path else _safe_name(key)
            problem = _text_problem(key)
            if problem:
                errors.setdefault(name, []).append(problem)
            _check_json_value(item, name, errors)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json_value(item, f"{path}.{index}" if path else str(index), errors)
    elif isinstance(value, str):
        problem = _text_problem(value)
        if problem:
            errors.setdefault(path or "_body", []).append(problem)
    elif value is _BAD_NUMBER:
        errors.setdefault(path or "_body", []).append(_("The number is out of range."))


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return _("Text may not contain NUL characters.")
    if _has_lone_surrogate(text):
        return _("Text may not contain lone surrogates (invalid Unicode).")
    return None


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _safe_name(name: str) -> str:
    """A field name fit to echo in an error body or page: NUL and lone surrogates become U+FFFD."""
    name = name[:100]
    if "\x00" in name or _has_lone_surrogate(name):
        name = "".join("\ufffd" if char == "\x00" or "\ud800" <= char <= "\udfff" else char for char in name)
    return name


# --- paging -----------------------------------------------------------------------------------------

def page_field(**kwargs):
    """``page`` of a list's query: 1 to PAGE_MAX (an OFFSET never overflows)."""
    return fields.Integer(load_default=1, validate=validate.Range(min=1, max=PAGE_MAX), **kwargs)


def per_page_field(default=20, **kwargs):
    return fields.Integer(load_default=default, validate=validate.Range(min=1, max=PER_PAGE_MAX), **kwargs)


def page_arg(name: str = "page", values=None) -> int:
    """A page number from a page's query string (or ``values``, e.g. a form): anything but a number
    from 1 to PAGE_MAX shows the first page."""
    value = (request.args if values is None else values).get(name, "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 6:
        return 1
    number = int(value)
    return number if 1 <= number <= PAGE_MAX else 1
