"""Fixtures: every test runs against SQLite, and against PostgreSQL too when TEST_DATABASE_URL is set.

The schema is created once per database per session; after each test every table is emptied, so
each test starts from an empty database with real commits (threads and processes see them).
"""
import contextlib
import io
import os
import re
import socket
import uuid

import pytest
from sqlalchemy import create_engine, make_url, text

from app import create_app

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
DATABASES = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])

PASSWORD = "correct-horse-battery"


def pytest_sessionstart(session):
    if REQUIRE_POSTGRES and not TEST_DATABASE_URL:
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")


def _postgres_url():
    url = TEST_DATABASE_URL
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    return url


@pytest.fixture(scope="session")
def postgres_url():
    """A database of this test run's own on the server of TEST_DATABASE_URL, dropped at the end.

    Several runs (and pytest-xdist workers) can then share one server without touching each other.
    """
    if not TEST_DATABASE_URL:
        yield None
        return
    base = make_url(_postgres_url())
    name = f"test_run_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            # a test database need not survive a power cut: commits return without waiting for the disk
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        if REQUIRE_POSTGRES:
            raise
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory, postgres_url):
    """Create the schema once per database kind."""
    from core.extensions import db

    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"}
    if postgres_url:
        urls["postgresql"] = postgres_url
    for url in urls.values():
        app = create_app({"DATABASE_URL": url, "APP_ENV": "testing"})
        with app.app_context():
            db.create_all()
            seed_reference_data()
            db.session.commit()
            db.engine.dispose()
    return urls


# Reference data every database has (seeded by `make run` too): kept across tests, not emptied.
REFERENCE_TABLES = {"deadline_rules", "calendar_years", "calendar_days", "calendar_version"}


def seed_reference_data():
    from deadlines.rules_seed import seed_rules

    seed_rules()
    try:
        from deadlines.calendar_cli import seed_calendar
    except ImportError:  # the calendar arrives with its own module
        return
    seed_calendar()


@contextlib.contextmanager
def reference_data_kept(app):
    """The deadline rules and the calendar are kept across tests: whatever a fuzzing run changed in them (an
    administrator's valid edit is a possible example) is put back as it was."""
    from sqlalchemy import delete, insert, select

    from core.extensions import db

    with app.app_context():
        tables = [t for t in db.metadata.sorted_tables if t.name in REFERENCE_TABLES]
        saved = {t.name: [dict(row._mapping) for row in db.session.execute(select(t))] for t in tables}
    try:
        yield
    finally:
        with app.app_context():
            db.session.rollback()
            for table in reversed(tables):
                db.session.execute(delete(table))
            for table in tables:
                if saved[table.name]:
                    db.session.execute(insert(table), saved[table.name])
            db.session.commit()


def _empty_all_tables(engine, metadata):
    """DELETE rather than TRUNCATE: on tables of a few rows it is many times faster on PostgreSQL."""
    tables = [t.name for t in metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    with engine.begin() as conn:
        for table in reversed(tables):
            conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture(params=DATABASES)
def db_kind(request):
    return request.param


_APPS = {}


def _app_for(db_kind, url, overrides):
    """One application per database and configuration, built once: creating one costs ~0.2 s."""
    key = (db_kind, tuple(sorted((k, repr(v)) for k, v in overrides.items())))
    if key not in _APPS:
        config = {
            "APP_ENV": "testing",
            "TESTING": True,
            "DATABASE_URL": url,
            "WTF_CSRF_ENABLED": True,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
            "ARGON2_PARALLELISM": 1,
            "SECRET_KEY": "test-secret-key-" + uuid.uuid4().hex,
            **overrides,
        }
        app = create_app(config)
        _APPS[key] = (app, dict(app.config))
    return _APPS[key]


@pytest.fixture
def app(db_kind, database_urls, tmp_path, request):
    from core.extensions import db

    if request.node.get_closest_marker("postgres_only") and db_kind != "postgresql":
        pytest.skip("PostgreSQL only")
    marker = request.node.get_closest_marker("config")
    app, pristine = _app_for(db_kind, database_urls[db_kind], dict(marker.kwargs) if marker else {})
    app.config.clear()
    app.config.update(pristine)  # whatever a previous test changed is undone
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    yield app
    with app.app_context():
        db.session.remove()
        _empty_all_tables(db.engine, db.metadata)
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


# --- factories ---------------------------------------------------------------------------------

VALID_CODES = ["91310115MA1H7GQ5XY", "91310106MA1FY3K2R1", "91310107MA1G8B0KLP", "91310116MA1JD4W7UA"]


def make_credit_code(n: int) -> str:
    """A valid unified social credit code, different for each n."""
    from accounts.credit_code import check_character

    body = f"91310000MA{n:07d}"
    return body + check_character(body)


@pytest.fixture
def create_org(app):
    from accounts import services
    from accounts.enums import District, OrgKind
    from core.extensions import db

    counter = iter(range(1, 10_000_000))

    def factory(kind="enterprise", district="pudong", name=None, credit_code=None):
        with app.app_context():
            kind = OrgKind(kind)
            n = next(counter)
            if kind is OrgKind.enterprise and credit_code is None:
                credit_code = make_credit_code(n)
            org = services.create_organisation(
                name=name or f"{kind.value}-{n}", kind=kind, district=District(district), credit_code=credit_code,
                contact_person="联系人", phone="13800000000", email=f"contact{n}@{kind.value}.example")
            db.session.commit()
            return org.id

    return factory


@pytest.fixture
def create_user(app, create_org):
    from accounts import services
    from accounts.enums import Role
    from accounts.models import Organisation
    from core.extensions import db

    counter = iter(range(1, 10_000_000))
    default_kinds = {"enterprise_user": "enterprise", "clerk": "rights_center", "agency_officer": "market_regulation",
                     "supervisor": "supervisor_office", "admin": "supervisor_office"}

    def factory(role="enterprise_user", org_id=None, email=None, password=PASSWORD, language="en", mfa=None,
                **org_kwargs):
        """A user; with two-step verification enrolled where its role requires it (or ``mfa=True``).
        The login helpers (api_login, tests/accounts/web.py) complete the second step with its codes."""
        from accounts import mfa as mfa_service
        from tests.totp import enrol

        org_id = org_id or create_org(kind=default_kinds[role], **org_kwargs)
        with app.app_context():
            org = db.session.get(Organisation, org_id)
            user = services.create_user(organisation=org, email=email or f"{role}{next(counter)}@test.example",
                                        name=f"{role} user", password=password, role=Role(role), language=language)
            made = {"id": user.id, "email": user.email, "password": password, "org_id": org_id}
            if mfa if mfa is not None else mfa_service.is_required(user):
                made.update(enrol(user))
            db.session.commit()
            return made

    return factory


# The API's changes of a versioned object (core/http.py: versioned_change) and the object whose ETag they need
VERSIONED_CHANGE = re.compile(r"^(/api/v1/(?:complaints|referrals|consultations)/[^/?]+)"
                              r"(?:/(?:submit|withdraw|transitions|holder|supplements|referrals|steps))?(?:\?.*)?$")


class ApiClient:
    """The test client with a bearer token and JSON helpers.

    Like a real client, a change of a versioned object sends the version it read: when the caller gives no
    If-Match, the client GETs the object first and sends its ETag. ``headers={"If-Match": None}`` sends none
    (the 428 tests); an explicit If-Match is sent as given."""

    def __init__(self, client, token=None, language="en"):
        self.client = client
        self.token = token
        self.language = language

    def headers(self, extra=None):
        headers = {"Accept-Language": self.language}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return {k: v for k, v in headers.items() if v is not None}

    def etag(self, url) -> str | None:
        """The ETag of the object a change of ``url`` needs (None: not a versioned change, or not readable)."""
        match = VERSIONED_CHANGE.match(url)
        if match is None:
            return None
        read = self.client.get(match.group(1), headers=self.headers())
        return read.headers.get("ETag") if read.status_code == 200 else None

    def _change_headers(self, url, extra):
        extra = dict(extra or {})
        if "If-Match" not in extra and (tag := self.etag(url)):
            extra["If-Match"] = tag
        return self.headers(extra)

    def get(self, url, **kw):
        return self.client.get(url, headers=self.headers(kw.pop("headers", None)), **kw)

    def post(self, url, json=None, **kw):
        return self.client.post(url, json=json, headers=self._change_headers(url, kw.pop("headers", None)), **kw)

    def patch(self, url, json=None, **kw):
        return self.client.patch(url, json=json, headers=self._change_headers(url, kw.pop("headers", None)), **kw)

    def put(self, url, json=None, **kw):
        return self.client.put(url, json=json, headers=self._change_headers(url, kw.pop("headers", None)), **kw)

    def delete(self, url, **kw):
        return self.client.delete(url, headers=self.headers(kw.pop("headers", None)), **kw)


def token_request(user) -> dict:
    """The body of POST /api/v1/auth/tokens for a factory user: with a fresh code if it has MFA."""
    from tests.totp import next_code

    body = {"email": user["email"], "password": user["password"]}
    code = next_code(user)
    if code:
        body["totp"] = code
    return body


@pytest.fixture
def api_login(client):
    def login(user, language="en"):
        response = client.post("/api/v1/auth/tokens", json=token_request(user))
        assert response.status_code == 201, response.get_json()
        return ApiClient(client, response.get_json()["token"], language)

    return login


@pytest.fixture
def anonymous_api(client):
    return ApiClient(client)


@pytest.fixture
def rights_centre(create_org):
    return create_org(kind="rights_center", district="municipal", name="上海市商业秘密保护维权中心")


COMPLETE_DRAFT = {
    "contact_name": "王敏",
    "contact_phone": "13800000001",
    "contact_email": "legal@chengchuan.example",
    "secret_category": "technical",
    "secret_description": "工业机械臂运动控制固件的源代码及调参参数表。",
    "confidentiality_measures": "保密协议、竞业限制、权限受控的代码仓库。",
    "commercial_value": "两年研发投入，年销量约3,000台。",
    "infringers": [{"kind": "former_employee", "name": "李某", "district": "pudong"},
                   {"kind": "competitor", "name": "上海锐驰自动化有限公司", "district": "minhang"}],
    "infringing_acts": ["electronic_intrusion", "disclosure_or_use_of_improperly_acquired"],
    "discovered_on": "2026-09-15",
    "estimated_loss": "1200000.00",
    "estimated_illegal_gains": None,
    "remedies": ["criminal_investigation", "civil_damages", "injunction_preservation"],
    "preferred_tracks": ["criminal", "civil"],
    "facts": "离职前复制代码仓库；展会上发现相同参数表。",
}


@pytest.fixture
def complete_draft():
    import copy

    return copy.deepcopy(COMPLETE_DRAFT)


def pdf_file(name="exhibit.pdf", size=1000):
    body = b"%PDF-1.4\n" + b"x" * max(0, size - 9 - 7) + b"\n%%EOF\n"  # the vault checks the trailer
    return (io.BytesIO(body), name)


@pytest.fixture
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(app):
    """The test's app served for real on a free loopback port (threaded): its base URL, e.g. for an HTTP
    client of its own (a generated API client, a client killed mid-request)."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
