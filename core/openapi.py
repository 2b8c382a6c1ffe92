"""The OpenAPI document, made to say what the API does (an apispec plugin beside flask-smorest's own).

For every operation, from what its view declares and what the platform does to every request:
- an ``operationId`` ``<method>_<snake view class>`` (``get_referral_item``): the generated client's names;
- the error answers it can give, each with the one ``Error`` schema: 401/403 unless it is public (``security:
  []``), 404 when its path names an object (or is administration's, which others do not see), 400/413/415/422 with a body (422 also with query parameters),
  409 for every POST, PUT and PATCH (a state, a uniqueness, a concurrent change, or a POST's ``Idempotency-Key``
  still running) and for a DELETE that declares it, 412/428 and the ``If-Match`` header on views marked ``core.http.versioned_change``, 429 everywhere (with
  ``Retry-After``); no catch-all ``default``: a status not listed is a bug the contract test finds;
- the ``ETag`` response header on views marked ``versioned_read``/``versioned_change``;
- the ``Idempotency-Key`` header on every POST.

For every schema field: decimals as strings with a pattern, enums typed with their values and an ``x-labels``
extension ``{value: {"zh": ..., "en": ...}}`` (the labels an ``EnumValue`` was given, or registered for its enum
with ``register_labels``); an answer's field that may be null says so (``nullable``) unless it is ``required``.
``GET /api/v1/labels`` (core/views.py) serves every registered enumeration with its labels.
"""
import enum
import re

from apispec import BasePlugin
from flask_babel import force_locale
from marshmallow import fields

LANGUAGES = ("zh", "en")
METHODS = ("get", "put", "post", "patch", "delete")
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}

# enum class -> {member or value: lazy label}; filled by register_labels (EnumValue(labels=...) calls it)
LABELS: dict = {}
_app = None  # the application whose babel resolves the labels (set by init_app)

RESPONSES = {
    400: ("BadRequest", "The body could not be read (not UTF-8, not JSON, nested too deeply)."),
    401: ("Unauthorized", "No valid bearer token (or API key) was sent."),
    403: ("Forbidden", "The caller's role may not do this."),
    404: ("NotFound", "The object does not exist, or the caller may not see it (the two look the same)."),
    409: ("Conflict", "The current state refuses it (a refused trigger lists `allowed_triggers`, `state` and "
                      "`trigger`), a uniqueness, a concurrent change, or the same Idempotency-Key still running."),
    410: ("Gone", "The stored file is damaged (code evidence_damaged): nothing was sent."),
    412: ("PreconditionFailed", "If-Match names a version that is not the current one (code stale_version)."),
    413: ("PayloadTooLarge", "The body (or a file) is larger than allowed."),
    415: ("UnsupportedMediaType", "The body's media type (or a file's type) is not accepted."),
    422: ("ValidationError", "Fields (body, query or headers) are missing or invalid: `errors` names each one."),
    428: ("PreconditionRequired", "A change of a versioned object needs If-Match (the ETag the caller read)."),
    429: ("TooManyRequests", "Too many requests: wait for Retry-After seconds."),
}


def file_answer(*media_types, description, stored=False):
    """``@blp.doc(**file_answer(...))`` for a view answering a file: its media types (``*/*``: any the file has)
    as binary content; ``stored``: an evidence file of the vault, which answers 410 when it is damaged."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    if not all(media.startswith("text/") for media in media_types):
        # any bytes: what a generated client reads a file as (openapi-python-client knows no */* nor application/pdf)
        media_types = (*media_types, "application/octet-stream")
    responses = {"200": {"description": description, "content": {media: binary for media in media_types}}}
    if stored:
        responses["410"] = "Gone"
    return {"responses": responses}


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def register_labels(enumeration, labels) -> None:
    """Make ``labels`` (member or value -> lazy label) the labels of ``enumeration`` (an Enum class, or the name
    of a set of codes that is not one, e.g. "ReferralTrigger") in the document and in GET /labels."""
    if enumeration is None or not labels:
        return
    name = enumeration if isinstance(enumeration, str) else enumeration.__name__
    known = LABELS.setdefault(name, {})
    for key, label in labels.items():
        known.setdefault(key.value if isinstance(key, enum.Enum) else key, label)


def resolved_labels(labels) -> dict:
    """{value: {"zh": ..., "en": ...}} of lazy labels (in an application context of its own if needed)."""
    from flask import has_app_context

    def resolve():
        out = {}
        for language in LANGUAGES:
            with force_locale(language):
                for value, label in labels.items():
                    out.setdefault(str(value), {})[language] = str(label)
        return out

    if has_app_context() or _app is None:
        return resolve()
    with _app.app_context():
        return resolve()


def enumerations() -> dict:
    """Every registered enumeration: {name: {value: {"zh", "en"}}}."""
    return {name: resolved_labels(labels) for name, labels in sorted(LABELS.items())}


def _field_labels(field):
    enum_class = getattr(field, "enum", None)
    labels = {}
    if enum_class is not None:
        labels.update(LABELS.get(enum_class.__name__, {}))
    own = getattr(field, "labels", None) or (field.metadata or {}).get("labels")
    if isinstance(own, str):  # the name of a registered set of codes
        own = LABELS.get(own)
    if own:
        labels.update({(k.value if isinstance(k, enum.Enum) else k): v for k, v in own.items()})
    return labels


def field_properties(self, field, ret, **kwargs):
    """apispec attribute function: decimals as strings, enums typed and labelled, nullable answers."""
    out = {}
    documented_as = getattr(field, "documented_as", None)
    if documented_as is not None:  # a computed value (core.schemas.Computed): documented as its field says
        inner = self.field2property(documented_as)
        ret.clear()
        ret.update({"readOnly": True, **inner})
    elif isinstance(field, fields.Decimal):
        out.update(type="string", pattern=DECIMAL_PATTERN, maxLength=32)
        ret.pop("format", None)
        if field.places is not None:
            places = -field.places.as_tuple().exponent if hasattr(field.places, "as_tuple") else field.places
            out["pattern"] = rf"^-?[0-9]+\.[0-9]{{{places}}}$"
        if "pattern" in ret:  # the field's own (e.g. never negative) wins
            out["pattern"] = ret["pattern"]
            out["description"] = (ret.get("description", "") + f" A decimal string with {places} decimals.").strip()
    elif "enum" in ret or isinstance(field, fields.Enum):
        if isinstance(field, fields.Enum) and "enum" not in ret:
            out["enum"] = [m.value for m in field.enum]
        out.setdefault("type", "string")
        labels = _field_labels(field)
        if labels:
            values = [v for v in (ret.get("enum") or out.get("enum") or []) if v is not None]
            out["x-labels"] = resolved_labels({v: labels[v] for v in values if v in labels} or labels)
    parent = getattr(field, "parent", None)  # a schema's own field (not a list's items)
    if getattr(parent, "_describes_answers", False) and not field.required or ret.get("nullable"):
        out["nullable"] = True
        values = out.get("enum") or ret.get("enum")
        if values is not None and None not in values:
            out["enum"] = [*values, None]
        if "$ref" in ret:  # OpenAPI 3.0 ignores a $ref's siblings
            out["allOf"] = [{"$ref": ret.pop("$ref")}]
    return out


class ContractPlugin(BasePlugin):
    """Completes each operation as flask-smorest registers it (see the module's docstring)."""

    def __init__(self, app):
        self.app = app
        self.spec = None

    def init_spec(self, spec):
        self.spec = spec
        for status, (name, description) in RESPONSES.items():
            response = {"description": description, "content": ERROR_CONTENT}
            if status == 429:
                response["headers"] = {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}
            spec.components.response(name, response)
        spec.components.header("ETag", {"description": 'The version of the object read or changed: "<version>". '
                                        "Send it back as If-Match to change the object.",
                                        "schema": {"type": "string", "pattern": r'^(W/)?"[0-9]+"$'}})
        spec.components.header("RetryAfter", {"description": "Seconds to wait before trying again.",
                                              "schema": {"type": "integer", "minimum": 0}})
        spec.components.header("IdempotentReplayed", {
            "description": "true when this is the stored answer of an earlier request with the same Idempotency-Key.",
            "schema": {"type": "string", "enum": ["true"]}})
        spec.components.parameter("IfMatch", "header", {
            "name": "If-Match", "required": True,
            "description": 'The ETag of the version the change is based on ("<version>"): a stale one answers 412, '
                           "none 428.",
            "schema": {"type": "string", "maxLength": 100}})
        spec.components.parameter("IdempotencyKey", "header", {
            "name": "Idempotency-Key", "required": False,
            "description": "Any unique key (1-200 printable ASCII characters): a retry with the same key and body "
                           "answers the first answer again (Idempotent-Replayed: true) without doing anything twice; "
                           "the same key with another body answers 422 idempotency_key_reused; while the first is "
                           "still running, 409 idempotency_in_progress.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$"}})

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        view = self.app.view_functions.get(rule.endpoint) if rule is not None else None
        view_class = getattr(view, "view_class", None)
        for method, operation in (operations or {}).items():
            if method not in METHODS:
                continue
            func = getattr(view_class, method, None) if view_class is not None else view
            name = view_class.__name__ if view_class is not None else rule.endpoint.rsplit(".", 1)[-1]
            complete_operation(operation, method, path, func, name)


def _error(status):
    return RESPONSES[status][0]


def complete_operation(operation, method, path, func, view_name):
    operation.setdefault("operationId", f"{method}_{snake(view_name)}")
    responses = operation.setdefault("responses", {})
    responses = {str(code): response for code, response in responses.items()}
    responses.pop("default", None)
    public = operation.get("security") == []
    has_body = "requestBody" in operation or method in ("post", "put", "patch") and _has_body_schema(operation)
    has_query = any(isinstance(p, dict) and p.get("in") == "query" for p in operation.get("parameters", []))
    versioned_change = getattr(func, "__versioned_change__", False)
    versioned_read = getattr(func, "__versioned_read__", False)
    wanted = {429}
    if not public:
        wanted |= {401, 403}
    if "{" in path or "/admin/" in path:  # administration answers 404 to anyone else: it does not exist for them
        wanted.add(404)
    if has_body:
        wanted |= {400, 413, 415, 422}
    if has_query:
        wanted.add(422)
    if method in ("post", "put", "patch"):  # a state or a uniqueness refuses; a POST's Idempotency-Key still runs
        wanted.add(409)
    if versioned_change:
        wanted |= {409, 412, 422, 428}
    for status in sorted(wanted):
        code = str(status)
        current = responses.get(code)
        if current is None or _is_smorest_default(current):
            responses[code] = _error(status)
    for code, response in list(responses.items()):
        if isinstance(response, dict) and int(code) >= 400 and "content" not in response:
            # a view's own words for an error (alt_response with a description): keep them, with the Error schema
            responses[code] = {**response, "content": ERROR_CONTENT}
    for code, response in responses.items():
        if not isinstance(response, dict) or not code.startswith("2"):
            continue
        headers = response.setdefault("headers", {})
        if versioned_change or versioned_read:
            headers.setdefault("ETag", {"$ref": "#/components/headers/ETag"})
        if method == "post" and not getattr(func, "__not_replayed__", False):  # a secret shown once is never replayed
            headers.setdefault("Idempotent-Replayed", {"$ref": "#/components/headers/IdempotentReplayed"})
        if not headers:
            response.pop("headers")
    operation["responses"] = dict(sorted(responses.items()))
    parameters = operation.setdefault("parameters", [])
    if versioned_change and "IfMatch" not in parameters:
        parameters.append("IfMatch")
    if method == "post" and "IdempotencyKey" not in parameters:
        parameters.append("IdempotencyKey")
    if not parameters:
        operation.pop("parameters")


def _has_body_schema(operation):
    return bool(operation.get("requestBody"))


def _is_smorest_default(response):
    return isinstance(response, str) and response.isupper()  # flask-smorest's "UNPROCESSABLE_ENTITY" and the like


def init_app(app):
    """Bind the API with this document's plugin and error schema; call before registering blueprints."""
    global _app
    from .errors import ErrorSchema
    from .extensions import api

    _app = app
    api.ERROR_SCHEMA = ErrorSchema
    api.init_app(app, spec_kwargs={"extra_plugins": [ContractPlugin(app)]})
    api.ma_plugin.converter.add_attribute_function(field_properties)

