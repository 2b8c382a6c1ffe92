"""An agency's system, as an integrator would write it: a client generated from the served openapi.json.

The document is read from the live server, a client is generated from it with openapi-python-client
(as the integration guide, docs/INTEGRATION.md, tells an agency to do), imported, and the whole agency
journey is driven through its functions — no request is written by hand: the administrator issues an
API key; the agency learns of its new referral from the changes feed, reads it, downloads the shared
evidence and checks each file against the SHA-256 the referral states, acknowledges, accepts, adds a
note and concludes, each change sent with the ETag it read as If-Match and with an Idempotency-Key
(a retry of the same POST answers the first result, replayed, and does nothing twice); the feed, read
on from its cursor, then has every step, each event once. The world before the agency's turn (the
enterprise files, the clerk refers) is set up with the routing tests' helpers.
"""
import hashlib
import json
import importlib
import inspect
import re
import subprocess
import sys
import types
import typing
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from core.extensions import db
from routing.models import Referral, ReferralNote

from tests.routing.conftest import USERS, World, make_people
from tests.routing.support import CUSTOMER_LIST, accepted, create_referrals, evidence_ids, item, ok

GENERATE_TIMEOUT = 120  # seconds; it takes 2-5 s (the generator, then ruff over what it wrote)
FEED_PAGE = 2  # a small page, so the journey also follows next_cursor over several pages

NEW_REFERRAL = "referral.created"  # the event (for systems) an agency's system turns into a new case


# --- the generated client ------------------------------------------------------------------------

def served_document(base_url) -> str:
    response = httpx.get(f"{base_url}/api/v1/openapi.json", timeout=30)
    assert response.status_code == 200, response.text[:500]
    return response.text


def generate(document: str, where: Path, package=None) -> tuple[str, subprocess.CompletedProcess]:
    """The client of ``document``, generated into ``where``/``package`` (by default a name of its own, so that
    clients of several tests never meet in sys.modules): (the package's name, the generator's run)."""
    spec = where / "openapi.json"
    spec.write_text(document, encoding="utf-8")
    package = package or f"agency_client_{uuid.uuid4().hex[:12]}"
    bin_dir = str(Path(sys.executable).parent)  # the generator runs ruff, installed beside it
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(where), "LANG": "C.UTF-8"}
    run = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(spec),
         "--output-path", str(where / package), "--meta", "none"],
        capture_output=True, text=True, timeout=GENERATE_TIMEOUT, env=env, cwd=where)
    assert run.returncode == 0, run.stdout + run.stderr
    return package, run


class Generated:
    """The generated package, its operations found by method and path as its own code states them."""

    def __init__(self, package: str, where: Path, document: dict):
        self.package = package
        self.document = document
        self.where = str(where)
        sys.path.insert(0, self.where)
        self.root = importlib.import_module(package)
        self.models = importlib.import_module(f"{package}.models")
        self.operations = {}
        for path in sorted((where / package / "api").glob("*/*.py")):
            if path.name == "__init__.py":
                continue
            source = path.read_text(encoding="utf-8")
            method = re.search(r'"method": "(\w+)"', source).group(1)
            url = re.search(r'"url": "([^"]+)"', source).group(1)
            self.operations[(method, url)] = f"{package}.api.{path.parent.name}.{path.stem}"

    def close(self):
        sys.path.remove(self.where)
        for name in [n for n in sys.modules if n == self.package or n.startswith(self.package + ".")]:
            del sys.modules[name]

    def operation(self, method: str, path: str) -> types.ModuleType:
        assert (method, path) in self.operations, f"the client has no {method.upper()} {path}: not generated"
        module = importlib.import_module(self.operations[(method, path)])
        operation_id = self.document["paths"][path][method].get("operationId")
        if operation_id:  # the stable name of the client's function is the document's operationId
            assert module.__name__.rsplit(".", 1)[1] == operation_id, (module.__name__, operation_id)
        return module

    def client(self, base_url, token):
        return self.root.AuthenticatedClient(base_url=base_url, token=token, timeout=httpx.Timeout(30),
                                             headers={"Accept-Language": "en"})


def body_types(module) -> list[type]:
    """The model classes the operation's body may be (several for a oneOf)."""
    annotation = inspect.signature(module._get_kwargs).parameters["body"].annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return [t for t in typing.get_args(annotation) if isinstance(t, type)]
    return [annotation]


class Agency:
    """The agency's system: one generated client and one credential; ``call`` runs an operation."""

    def __init__(self, generated: Generated, client):
        self.generated = generated
        self.client = client

    def call(self, method, path, *, body=None, variant=None, if_match=None, idempotency_key=None, **params):
        """The generated function of ``method path`` with ``params``; ``body`` (a dict) is built into the
        body's model (``variant``: the oneOf member by its component name); a POST sends an Idempotency-Key
        and a change of a versioned object If-Match, as the document declares them."""
        module = self.generated.operation(method, path)
        accepts = inspect.signature(module.sync_detailed).parameters
        kwargs = dict(params)
        if body is not None:
            choices = body_types(module)
            if variant is not None:
                named = [t for t in choices if t.__name__ == variant]
                assert named, f"{method.upper()} {path}: no body {variant} among {[t.__name__ for t in choices]}"
                choices = named
            assert len(choices) == 1, f"{method.upper()} {path}: which body of {[t.__name__ for t in choices]}?"
            kwargs["body"] = choices[0].from_dict(body)
        if method == "post":
            assert "idempotency_key" in accepts, f"POST {path} declares no Idempotency-Key header"
            kwargs["idempotency_key"] = idempotency_key or str(uuid.uuid4())
        if if_match is not None:
            assert "if_match" in accepts, f"{method.upper()} {path} declares no If-Match header"
            kwargs["if_match"] = if_match
        return module.sync_detailed(client=self.client, **kwargs)


def answer(response, status=200):
    assert response.status_code == status, (response.status_code, response.content[:2000])
    return response.parsed


def as_dict(model) -> dict:
    return model.to_dict() if hasattr(model, "to_dict") else model


# --- the world -------------------------------------------------------------------------------------

@pytest.fixture
def world(app, client):
    orgs, users = make_people(app, USERS, code_base=9_400_000, domain="client.example")
    return World(app, client, orgs, users)


@pytest.fixture
def generated(live_server, tmp_path):
    document = served_document(live_server)
    package, _run = generate(document, tmp_path)
    generated = Generated(package, tmp_path, json.loads(document))
    yield generated
    generated.close()


def referred(world) -> tuple[dict, dict, dict]:
    """A complaint filed with two exhibits and accepted; referred to the city's market regulator (with the
    exhibits) and to the police (nothing of which the regulator may see): (complaint, amr's, police's)."""
    complaint = accepted(world, CUSTOMER_LIST, files=2)
    files = evidence_ids(world, complaint["id"])
    assert len(files) == 2
    made = ok(create_referrals(world, complaint["id"], item(world, "amr_city", "administrative", files),
                               item(world, "police", "criminal", files[:1])), 201)
    by_agency = {r["agency"]["id"]: r for r in made}
    return complaint, by_agency[world.org("amr_city")], by_agency[world.org("police")]


def drain(agency: Agency, after=None) -> tuple[list[dict], str]:
    """Every event of the feed after ``after`` (None: from the start), page by page: (events, next cursor)."""
    events = []
    cursor = after
    while True:
        params = {"limit": FEED_PAGE} | ({"after": cursor} if cursor is not None else {})
        page = as_dict(answer(agency.call("get", "/api/v1/changes", **params)))
        assert page["next_cursor"], page  # always present: the cursor to poll with next
        events.extend(page["items"])
        if not page["items"]:
            assert cursor is None or page["next_cursor"] == cursor
            return events, page["next_cursor"]
        assert page["next_cursor"] == page["items"][-1]["cursor"]
        cursor = page["next_cursor"]


# --- the tests -------------------------------------------------------------------------------------

def test_the_served_document_generates_a_client_without_warnings(live_server, tmp_path):
    """The generator skips what it cannot read (and says so): a truthful document loses nothing."""
    _package, run = generate(served_document(live_server), tmp_path)
    output = run.stdout + run.stderr
    assert "Warning" not in output and "WARNING" not in output and "Error" not in output, output


def test_the_agency_journey_through_the_generated_client(app, world, live_server, generated):
    complaint, referral, police_referral = referred(world)
    rid = referral["id"]

    # the administrator issues the agency's system its key (through the same client)
    admin = Agency(generated, generated.client(live_server, world.api("admin").token))
    issued = as_dict(answer(admin.call("post", "/api/v1/admin/api-keys", body={
        "email": world.users["amr_city"]["email"], "label": "市场监管执法办案系统"}), 201))
    agency = Agency(generated, generated.client(live_server, issued["key"]))

    # 1. the new referral, from the changes feed: the agency's own, not the police's
    events, cursor = drain(agency)
    assert len({e["id"] for e in events}) == len(events)
    new = [e for e in events if e["event"] == NEW_REFERRAL]
    assert [(e["subject_type"], str(e["subject_id"])) for e in new] == [("referral", rid)], events
    assert all(str(e.get("subject_id")) != police_referral["id"] for e in events)

    # 2. read it: the facts as data, the ETag its version
    read = agency.call("get", "/api/v1/referrals/{referral_id}", referral_id=rid)
    data = as_dict(answer(read))
    etag = read.headers["ETag"]
    assert data["id"] == rid and data["state"] == "sent" and etag == f'"{data["version"]}"'
    assert data["complaint"]["reference"] == complaint["reference"]
    facts = data["complaint_details"]  # what the letter says, as fields
    assert facts["estimated_loss"] == CUSTOMER_LIST["estimated_loss"] and facts["facts"] == CUSTOMER_LIST["facts"]
    assert [i["credit_code"] for i in facts["infringers"]] == [i.get("credit_code") for i in CUSTOMER_LIST["infringers"]]

    # 3. each shared file downloaded and checked against the digest and size the referral states
    shared = data["shared_evidence"]
    assert len(shared) == 2
    for evidence in shared:
        assert evidence["download_url"].endswith(f"/api/v1/referrals/{rid}/evidence/{evidence['id']}")
        download = agency.call("get", "/api/v1/referrals/{referral_id}/evidence/{evidence_id}",
                               referral_id=rid, evidence_id=str(evidence["id"]))
        assert download.status_code == 200
        assert hashlib.sha256(download.content).hexdigest() == evidence["sha256"]
        assert len(download.content) == evidence["size"]

    # 4. acknowledge (If-Match: the ETag read; the retry of the same POST is the first answer, replayed)
    transitions = "/api/v1/referrals/{referral_id}/transitions"
    key = str(uuid.uuid4())
    acknowledge = {"trigger": "acknowledge", "officer_name": "郑刚"}
    first = agency.call("post", transitions, referral_id=rid, if_match=etag, idempotency_key=key,
                        body=acknowledge, variant="ReferralAcknowledgeRequest")
    acknowledged = as_dict(answer(first))
    assert acknowledged["state"] == "acknowledged" and first.headers["ETag"] != etag
    retry = agency.call("post", transitions, referral_id=rid, if_match=etag, idempotency_key=key,
                        body=acknowledge, variant="ReferralAcknowledgeRequest")
    assert answer(retry).to_dict() == acknowledged
    assert retry.headers["Idempotent-Replayed"] == "true" and retry.headers["ETag"] == first.headers["ETag"]
    etag = first.headers["ETag"]

    # 5. accept: a case is opened
    accepted_ = agency.call("post", transitions, referral_id=rid, if_match=etag,
                            body={"trigger": "accept", "case_number": "沪市监立〔2026〕12号"},
                            variant="ReferralAcceptRequest")
    assert as_dict(answer(accepted_))["state"] == "accepted"
    stale = agency.call("post", transitions, referral_id=rid, if_match=etag, variant="ReferralAcceptRequest",
                        body={"trigger": "accept", "case_number": "沪市监立〔2026〕12号"})
    assert stale.status_code == 412 and stale.parsed.code == "stale_version"  # the version read is gone
    etag = accepted_.headers["ETag"]

    # 6. a note (retried with its key: one note)
    notes = "/api/v1/referrals/{referral_id}/notes"
    note = {"text": "已调取CRM导出日志，约谈赵某。", "public": False}
    key = str(uuid.uuid4())
    posted = as_dict(answer(agency.call("post", notes, referral_id=rid, idempotency_key=key, body=note), 201))
    again = agency.call("post", notes, referral_id=rid, idempotency_key=key, body=note)
    assert as_dict(answer(again, 201)) == posted and again.headers["Idempotent-Replayed"] == "true"
    listed = as_dict(answer(agency.call("get", notes, referral_id=rid)))
    assert [n["text"] for n in listed["items"]] == [note["text"]]

    # 7. conclude with the decision (amounts are decimal strings)
    read = agency.call("get", "/api/v1/referrals/{referral_id}", referral_id=rid)
    etag = read.headers["ETag"]  # the version now (a note may have moved it on)
    concluded = agency.call("post", transitions, referral_id=rid, if_match=etag, variant="ReferralConcludeRequest",
                            body={"trigger": "conclude", "outcome": {
                                "result": "penalty_decision", "decision_number": "沪市监罚〔2026〕88号",
                                "fine_amount": "500000.00", "summary": "责令停止违法行为，罚款。"}})
    final = as_dict(answer(concluded))
    assert final["state"] == "concluded" and final["allowed_triggers"] == []
    assert final["outcome"]["fine_amount"] == "500000.00"

    # 8. the feed, read on from its cursor: every step of the journey once, nothing seen before again
    later, cursor_after = drain(agency, cursor)
    assert cursor_after != cursor
    assert not {e["id"] for e in later} & {e["id"] for e in events}
    assert len({e["id"] for e in later}) == len(later)
    mine = [(e["event"], e["data"].get("trigger")) for e in later if str(e["subject_id"]) == rid]
    assert mine == [("referral.transitioned", "acknowledge"), ("referral.transitioned", "accept"),
                    ("referral.note_added", None), ("referral.transitioned", "conclude")], later
    assert drain(agency, cursor_after) == ([], cursor_after)
    with app.app_context():
        row = db.session.get(Referral, uuid.UUID(rid))
        assert row.state.value == "concluded"
        assert db.session.scalar(select(func.count()).select_from(ReferralNote)
                                 .where(ReferralNote.referral_id == row.id)) == 1
