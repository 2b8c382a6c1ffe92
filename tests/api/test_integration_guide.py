"""docs/INTEGRATION.md's examples run: every ```python block, in order, in one namespace, against the live server.

The guide's examples read the platform's address and the credentials from the environment, as an agency's
system would: BASE_URL, API_KEY (an agency officer's key, issued by the administrator), ADMIN_TOKEN and
OFFICER_EMAIL (for the administrator's example). The world holds what an agency finds on its first day:
one referral to it, with two exhibits shared (and one to the police, which the agency must never see).
The generated-client section runs against a client generated from the served document as ``tsp_client``.
"""
import re
import sys
from pathlib import Path

import pytest

from accounts.models import User
from accounts.services import issue_api_key
from core.extensions import db
from tests.api.test_generated_client import generate, served_document
from tests.routing.conftest import USERS, World, make_people
from tests.routing.support import CUSTOMER_LIST, accepted, create_referrals, evidence_ids, item, ok

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "INTEGRATION.md"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.M | re.S)
LINK = re.compile(r"\[[^\]]+\]\(([^)#]+)(?:#[^)]*)?\)")


def blocks(language="python") -> list[tuple[int, str]]:
    """The guide's code blocks of ``language``: (the line the block starts on, its code)."""
    text = GUIDE.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(2)) + 1, m.group(2)) for m in FENCE.finditer(text) if m.group(1) == language]


@pytest.fixture
def world(app, client):
    orgs, users = make_people(app, USERS, code_base=9_500_000, domain="guide.example")
    return World(app, client, orgs, users)


@pytest.fixture
def tsp_client(live_server, tmp_path):
    """The guide's generated client, importable as ``tsp_client`` (as its section 10 makes it)."""
    generate(served_document(live_server), tmp_path, package="tsp_client")
    sys.path.insert(0, str(tmp_path))
    yield
    sys.path.remove(str(tmp_path))
    for name in [n for n in sys.modules if n == "tsp_client" or n.startswith("tsp_client.")]:
        del sys.modules[name]


def test_the_guide_has_examples_of_every_section():
    text = GUIDE.read_text(encoding="utf-8")
    sections = re.findall(r"^## \d+\. (.+)$", text, re.M)
    assert len(sections) == 10, sections
    assert len(blocks()) >= 9


def test_the_guide_links_to_files_that_exist():
    for target in LINK.findall(GUIDE.read_text(encoding="utf-8")):
        if not re.match(r"https?://", target):
            assert (GUIDE.parent / target).is_file(), target


def test_every_example_of_the_guide_runs(app, world, live_server, tsp_client, monkeypatch):
    complaint = accepted(world, CUSTOMER_LIST, files=2)
    files = evidence_ids(world, complaint["id"])
    ok(create_referrals(world, complaint["id"], item(world, "amr_city", "administrative", files),
                        item(world, "police", "criminal", files[:1])), 201)
    with app.app_context():
        raw, _key = issue_api_key(db.session.get(User, world.users["admin"]["id"]),
                                  db.session.get(User, world.users["amr_city"]["id"]), "guide")
        db.session.commit()
    monkeypatch.setenv("BASE_URL", live_server)
    monkeypatch.setenv("API_KEY", raw)
    monkeypatch.setenv("ADMIN_TOKEN", world.api("admin").token)
    monkeypatch.setenv("OFFICER_EMAIL", world.users["amr_city"]["email"])

    namespace = {"__name__": "integration_guide"}
    for line, code in blocks():
        try:
            # padded, so that a traceback names the guide's own line numbers
            exec(compile("\n" * (line - 1) + code, str(GUIDE), "exec"), namespace)  # noqa: S102
        except Exception as exc:
            raise AssertionError(f"the example at docs/INTEGRATION.md line {line} fails: {exc!r}") from exc
    assert namespace["referral"]["agency"]["id"] == world.org("amr_city")
