"""Schemathesis drives every operation of the served OpenAPI document, as each role, over a world with data.

The world is the page scan's (tests/pages/world.py: complaints in every state, referrals to every agency kind,
a consultation, a key case, deadlines, webhooks, API keys). For each operation, Hypothesis generates a few
requests from the document (``EXAMPLES``); each is sent as every role and without a token. For every read
whose path names objects, the world's own objects are read too (so the answers checked have data in them).

Every answer must: not be a 5xx; have a status, a content type, headers and a body the document gives for it;
and without a token, an operation that needs one never answers 2xx. Failures are gathered and reported at once.
Run time: see ``test_the_api_keeps_its_contract``'s print (about 30-60 s per database on this machine).
"""
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from tests.conftest import DATABASES, reference_data_kept
from tests.pages import world as pages

EXAMPLES = 5  # generated requests per operation (each sent as every role and anonymously)
ROLES = {  # role -> the world's user
    "enterprise": "enterprise",
    "clerk": "clerk",
    "agency_officer": "amr_city",
    "agency_head": "head",
    "supervisor": "supervisor",
    "admin": "admin",
}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
# operations a role does not run: revoking the token the run signs in with would end that role's run
NOT_AS_ROLE = {"DELETE /api/v1/auth/tokens/current"}


@pytest.fixture(scope="module", params=DATABASES)
def fuzzed(request, database_urls, tmp_path_factory):
    app, world = pages.make_world(request.param, database_urls[request.param], tmp_path_factory)
    try:
        with reference_data_kept(app):  # an administrator's valid edit of a deadline rule is a possible example
            tokens = {role: world.api(user).token for role, user in ROLES.items()}
            yield app, world, tokens
    finally:
        pages.drop(app)


def _label(operation):
    return f"{operation.method.upper()} {operation.path}"


def _record(failures, label, role, case, response, exc):
    messages = [str(e).strip().splitlines()[0] for e in getattr(exc, "exceptions", [exc])]
    body = response.text[:300] if hasattr(response, "text") else ""
    failures.setdefault((label, role, response.status_code), (messages, case.path_parameters, case.query, body))


STATUSES = {}  # (operation, status) -> how many answers: printed, to show the run reached the operations' answers


def _send(case, role, token, failures, anonymous_2xx):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = case.call(headers=headers)
    except Exception as exc:  # the test client re-raises what the app did not handle: a 500
        failures.setdefault((_label(case.operation), role, 500), ([repr(exc)[:300]], case.path_parameters,
                                                                   case.query, ""))
        return None
    key = (_label(case.operation), response.status_code)
    STATUSES[key] = STATUSES.get(key, 0) + 1
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except AssertionError as exc:  # a Failure, or a FailureGroup of several
        _record(failures, _label(case.operation), role, case, response, exc)
    except BaseExceptionGroup as exc:
        _record(failures, _label(case.operation), role, case, response, exc)
    if token is None and 200 <= response.status_code < 300 and case.operation.definition.raw.get("security") != []:
        anonymous_2xx.add((_label(case.operation), response.status_code))
    return response


def _world_parameters(world, operation, user):
    """The path parameters filled with the world's objects (the first candidate), or None."""
    if not operation.path_parameters:
        return None
    filled = {}
    for parameter in operation.path_parameters:
        values = world.candidates(parameter.name, user)
        if not values:
            return None
        filled[parameter.name] = values[0]
    return filled


def test_the_api_keeps_its_contract(fuzzed):
    app, world, tokens = fuzzed
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, anonymous_2xx = {}, set()
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 55
    for operation in operations:
        label = _label(operation)
        callers = [(None, None)] + [(role, token) for role, token in tokens.items() if label not in NOT_AS_ROLE]

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            for role, token in callers:
                _send(case, role or "anonymous", token, failures, anonymous_2xx)
                filled = _world_parameters(world, operation, ROLES.get(role))
                if filled:  # the same request on the world's objects: answers with data, changes that succeed
                    real = operation.Case(path_parameters=filled, headers=case.headers, query=case.query,
                                          body=case.body, media_type=case.media_type)
                    _send(real, role or "anonymous", token, failures, anonymous_2xx)

        run()
    elapsed = time.monotonic() - started
    print(f"schemathesis: {len(operations)} operations in {elapsed:.1f} s")
    print(" ".join(f"{label}:{status}x{n}" for (label, status), n in sorted(STATUSES.items())))
    report = "\n".join(f"{label} as {role} -> {status}: {messages} path={path} query={query} body={body}"
                       for (label, role, status), (messages, path, query, body) in sorted(failures.items()))
    assert not failures, f"{len(failures)} non-conformances:\n{report}"
    assert not anonymous_2xx, anonymous_2xx
