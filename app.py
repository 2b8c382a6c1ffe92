"""Application factory, configuration and CLI of the trade-secret rights-protection platform."""
import base64
import decimal
import json
import math
import os
import secrets
import zlib
from collections import Counter
from pathlib import Path

from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy import event
from sqlalchemy.engine import Engine

from core.security import TrustedProxies, parse_networks

# The keys earlier versions shipped as defaults. They are public: kept only to be refused, never used.
OLD_DEV_SECRET_KEY = "dev-secret-key-not-for-production"
OLD_DEV_EVIDENCE_KEY = base64.b64encode(b"dev-evidence-key-not-for-prod!!!").decode()
APP_ENVS = ("development", "testing", "production")
# Where development and testing keep the keys generated on first run (inside the instance folder).
SECRET_KEY_FILE = "secret_key"
EVIDENCE_KEY_FILE = "evidence_key"
SIGNING_KEY_FILE = "signing_key"

# Documented defaults; the instance file (instance/config.py) and then the environment override them.
DEFAULTS = {
    "APP_ENV": "development",  # development | testing | production
    # No key has a default. Production must set both (environment or instance/config.py); development and
    # testing generate them on first run into instance/secret_key and instance/evidence_key (mode 0600).
    "SECRET_KEY": None,  # sessions and CSRF: >= 32 characters, >= 128 bits of estimated entropy in production
    "EVIDENCE_KEY": None,  # base64 of 32 random bytes: wraps each evidence file's data key
    "SIGNING_KEY": None,  # base64 of a 32-byte Ed25519 seed: signs the deposit log's checkpoints and the receipts
    "DATABASE_URL": None,  # default: SQLite under instance/
    "EVIDENCE_DIR": None,  # default: instance/evidence
    "MAX_EVIDENCE_BYTES": 50 * 1024 * 1024,
    "MAX_FILES_PER_UPLOAD": 10,
    # Request bodies by kind (core/limits.py): an upload may be MAX_EVIDENCE_BYTES x MAX_FILES_PER_UPLOAD + 1 MiB
    "JSON_MAX_BYTES": 1024 * 1024,
    "FORM_MAX_BYTES": 2 * 1024 * 1024,
    "JSON_MAX_DEPTH": 32,
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_COST": 65536,  # KiB
    "ARGON2_PARALLELISM": 2,
    # Login throttle: attempts per account and per (address, account) within the window; the next one
    # answers 429 unless a success cleared them. Per address alone the much higher LOGIN_THROTTLE_MAX_PER_IP.
    "LOGIN_THROTTLE_MAX_FAILURES": 5,
    "LOGIN_THROTTLE_MAX_PER_IP": 100,
    "LOGIN_THROTTLE_WINDOW_SECONDS": 60,
    # Registration requests per address and per e-mail address within the window
    "REGISTRATION_THROTTLE_MAX": 5,
    "REGISTRATION_THROTTLE_WINDOW_SECONDS": 3600,
    "REGISTRATION_LINK_LIFETIME_SECONDS": 24 * 3600,  # the confirmation link sent by e-mail
    # Addresses or CIDR networks (comma-separated) of the reverse proxies whose X-Forwarded-For is
    # believed; empty: the connection's address is the client's
    "TRUSTED_PROXIES": "",
    "SESSION_LIFETIME_SECONDS": 12 * 3600,  # absolute: a web session ends this long after its login
    "SESSION_IDLE_SECONDS": 30 * 60,  # a web session unused this long ends (accurate to a minute)
    "SESSION_SINGLE": True,  # a new login ends the user's other web sessions
    "PASSWORD_RESET_SECONDS": 3600,  # a password-reset link works once, this long
    # two-step verification (TOTP) is required for these roles (comma-separated in the environment)
    "MFA_REQUIRED_ROLES": ("clerk", "agency_officer", "agency_head", "supervisor", "admin", "expert"),
    "MFA_ISSUER": "上海商业秘密一站式受理",  # the name authenticator apps show
    "MFA_MAX_ATTEMPTS": 5,  # codes per sign-in (then the password again)
    "MFA_USER_MAX_ATTEMPTS": 15,  # codes per user within MFA_USER_WINDOW_SECONDS, over all sign-ins
    "MFA_USER_WINDOW_SECONDS": 900,
    "API_TOKEN_LIFETIME_SECONDS": 8 * 3600,
    "SMTP_HOST": "localhost",
    "SMTP_PORT": 25,
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,
    "SMTP_TLS": False,
    "MAIL_FROM": "noreply@tradesecret.example",
    # the address people reach the platform at: the links in e-mails and webhooks are absolute with it
    # (development: the address `make run` serves; production: e.g. https://tradesecret.example)
    "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
    # the TrueType font the PDFs embed (Debian's fonts-wqy-zenhei, installed by `make fonts`); a font
    # collection (.ttc) takes the index of its font
    "PDF_FONT_PATH": "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "PDF_FONT_INDEX": 0,
    # Webhooks reach only public addresses; private networks an administrator trusts are listed here
    # (CIDRs; in the environment separated by commas), e.g. "10.20.0.0/16,fd00:1::/64". Default: none.
    "WEBHOOK_ALLOWED_NETWORKS": (),
    # The notification worker: a failed e-mail or webhook call is retried after NOTIFY_RETRY_BASE_SECONDS,
    # doubling per attempt (with jitter) up to NOTIFY_RETRY_MAX_SECONDS; after NOTIFY_MAX_ATTEMPTS attempts
    # it is dead: shown to administrators (/admin/deliveries, `flask notifications dead`), who may retry it.
    "NOTIFY_RETRY_BASE_SECONDS": 30,
    "NOTIFY_RETRY_MAX_SECONDS": 3600,
    "NOTIFY_MAX_ATTEMPTS": 8,
    "NOTIFY_TIMEOUT_SECONDS": 10,  # per SMTP connection or webhook call
    "SWEEP_INTERVAL_SECONDS": 30,  # the deadline sweep
    "DELIVERY_INTERVAL_SECONDS": 10,  # expanding the outbox and delivering e-mails and webhooks
    # The deposit log (evidence/deposits.py): its name, the origin line of its signed checkpoints and the
    # signature's key name (no spaces, no "+"), and how often the scheduler takes a checkpoint (when it grew)
    "DEPOSIT_LOG_ORIGIN": "deposits.tradesecrets.sh.example/log",
    "DEPOSIT_CHECKPOINT_INTERVAL_SECONDS": 300,
    "CRIMINAL_FILING_THRESHOLD": 300000,  # RMB, loss or illegal gains (Criminal Law art. 219)
    "CRIMINAL_FILING_THRESHOLD_AFTER_PENALTY": 100000,  # RMB, after a penalty within two years (法释〔2025〕5号)
    # Versions (core/http.py): the API takes a version only from If-Match; a change of a complaint, referral
    # or consultation without it answers 428 (412 when stale). A web form without its hidden version field
    # is unchecked unless FORMS_REQUIRE_VERSION (then 428 too).
    "API_REQUIRE_IF_MATCH": True,
    "FORMS_REQUIRE_VERSION": False,
    # Idempotency-Key on the API's POSTs (core/idempotency.py): a successful answer is replayed for this
    # long; a duplicate waits at most IDEMPOTENCY_WAIT_SECONDS for the first (PostgreSQL), else 409
    "IDEMPOTENCY_TTL_SECONDS": 24 * 3600,
    "IDEMPOTENCY_WAIT_SECONDS": 10,
    # Requests per minute per API key (accounts/rate_limit.py), unless the administrator set the key's own
    # limit; over it: 429 with Retry-After
    "API_KEY_RATE_LIMIT": 600,
    # League tables (supervision/league.py): the floors below which a centre or agency is marked, as
    # "indicator=fraction" pairs (on_time_rate, reply_rate, satisfaction_rate)
    "LEAGUE_FLOORS": "on_time_rate=0.92,satisfaction_rate=0.85",
    # Satisfaction (supervision/satisfaction.py): the enterprise rates a concluded complaint once, within this
    # many days of its conclusion; unrated after SATISFACTION_REMINDER_DAYS, it is reminded once
    "SATISFACTION_WINDOW_DAYS": 15,
    "SATISFACTION_REMINDER_DAYS": 5,
}
INT_SETTINGS = {k for k, v in DEFAULTS.items() if isinstance(v, int) and not isinstance(v, bool)}
BOOL_SETTINGS = {k for k, v in DEFAULTS.items() if isinstance(v, bool)}


class DecimalJSONProvider(DefaultJSONProvider):
    """JSON numbers with a fraction become Decimal, never float (amounts of money)."""

    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_float", decimal.Decimal)
        return json.loads(s, **kwargs)


def _from_environment() -> dict:
    values = {}
    for key in DEFAULTS:
        raw = os.environ.get(key)
        if raw is None:
            continue
        if key in BOOL_SETTINGS:
            values[key] = raw.lower() in ("1", "true", "yes", "on")
        elif key in INT_SETTINGS:
            values[key] = int(raw)
        else:
            values[key] = raw
    return values


def configure(app: Flask, test_config: dict | None) -> None:
    app.config.update(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(_from_environment())
    if test_config:
        app.config.update(test_config)
    cfg = app.config
    if cfg["APP_ENV"] not in APP_ENVS:  # exactly one of these: "Production" is not production
        raise RuntimeError(f"APP_ENV must be one of {', '.join(APP_ENVS)} (exactly), not {cfg['APP_ENV']!r}")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    cfg["WEBHOOK_ALLOWED_NETWORKS"] = parse_networks(cfg.get("WEBHOOK_ALLOWED_NETWORKS"), "WEBHOOK_ALLOWED_NETWORKS")
    cfg["SQLALCHEMY_DATABASE_URI"] = cfg.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'platform.db'}"
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://"):
        cfg["SQLALCHEMY_DATABASE_URI"] = cfg["SQLALCHEMY_DATABASE_URI"].replace("postgresql://", "postgresql+psycopg://", 1)
    cfg["EVIDENCE_DIR"] = cfg.get("EVIDENCE_DIR") or str(Path(app.instance_path) / "evidence")
    # a server connection may have died while pooled; an SQLite file cannot
    cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": not cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")})
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg["SESSION_COOKIE_SECURE"] = cfg["APP_ENV"] not in ("development", "testing")
    cfg["WTF_CSRF_TIME_LIMIT"] = None  # tied to the session, which expires by itself
    cfg["BABEL_DEFAULT_LOCALE"] = "zh"
    cfg["BABEL_DEFAULT_TIMEZONE"] = "Asia/Shanghai"
    cfg["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(app.root_path) / "translations")
    cfg.update({
        "API_TITLE": "Trade-secret rights-protection platform API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {"components": {"securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearerAuth": []}]},
    })
    if cfg["APP_ENV"] == "production":
        refuse_development_secrets(cfg)
    else:
        instance = Path(app.instance_path)
        if not cfg.get("SECRET_KEY"):
            cfg["SECRET_KEY"] = installation_key(instance / SECRET_KEY_FILE, lambda: secrets.token_urlsafe(48),
                                                 secret_key_problem)
        if not cfg.get("EVIDENCE_KEY"):
            cfg["EVIDENCE_KEY"] = installation_key(
                instance / EVIDENCE_KEY_FILE, lambda: base64.b64encode(secrets.token_bytes(32)).decode(),
                evidence_key_problem)
        if not cfg.get("SIGNING_KEY"):
            cfg["SIGNING_KEY"] = installation_key(
                instance / SIGNING_KEY_FILE, lambda: base64.b64encode(secrets.token_bytes(32)).decode(),
                signing_key_problem)
        # a key from the source is public, in any environment
        if cfg["SECRET_KEY"] == OLD_DEV_SECRET_KEY:
            raise RuntimeError("SECRET_KEY is the published development key: unset it to have one generated")
        problem = evidence_key_problem(cfg["EVIDENCE_KEY"])
        if problem:
            raise RuntimeError(problem)


def installation_key(path: Path, generate, problem_of) -> str:
    """The key kept in ``path``, generated there (mode 0600) on first use.

    Created atomically: the key is written to a file of this process's own and linked to ``path``,
    which fails if another process got there first; then both read the one that won. A reader never
    sees a half-written key.
    """
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(generate() + "\n")
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process created it first: use theirs
        finally:
            tmp.unlink(missing_ok=True)
    key = path.read_text().strip()
    problem = problem_of(key)
    if problem:
        raise RuntimeError(f"{path}: {problem}; delete the file to have a new key generated")
    return key


def _entropy_bits(text: str) -> float:
    """A rough estimate: the smaller of the length times the Shannon entropy of the characters (few
    distinct characters) and the size zlib compresses it to (repeated patterns), in bits."""
    counts = Counter(text)
    shannon = -len(text) * sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
    compressed = (len(zlib.compress(text.encode("utf-8"), 9)) - 8) * 8  # less zlib's header and checksum
    return min(shannon, compressed)


def secret_key_problem(key) -> str | None:
    if not key or not isinstance(key, str):
        return "SECRET_KEY must be set"
    if key == OLD_DEV_SECRET_KEY:
        return "SECRET_KEY is the published development key"
    if len(key) < 32 or len(set(key)) < 10 or _entropy_bits(key) < 128:
        return ("SECRET_KEY must be a random value of at least 32 characters and 128 bits of entropy "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')")
    return None


def signing_key_problem(key) -> str | None:
    """What is wrong with a SIGNING_KEY (the base64 of an Ed25519 private key's 32-byte seed), if anything."""
    if not key or not isinstance(key, str):
        return "SIGNING_KEY must be set"
    try:
        raw = base64.b64decode(key, validate=True)
    except ValueError:
        raw = b""
    if len(raw) != 32 or len(set(raw)) < 16:
        return "SIGNING_KEY must be the base64 of 32 random bytes (an Ed25519 seed)"
    return None


def evidence_key_problem(key) -> str | None:
    if not key or not isinstance(key, str):
        return "EVIDENCE_KEY must be set"
    try:
        raw = base64.b64decode(key, validate=True)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        return "EVIDENCE_KEY must be the base64 of 32 random bytes"
    if key == OLD_DEV_EVIDENCE_KEY or raw == base64.b64decode(OLD_DEV_EVIDENCE_KEY):
        return "EVIDENCE_KEY is the published development key"
    if len(set(raw)) < 16:  # all zeros, a repeated byte, a short pattern: 32 random bytes have ~30 distinct
        return ("EVIDENCE_KEY must be the base64 of 32 random bytes "
                "(e.g. python -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())')")
    return None


def refuse_development_secrets(cfg) -> None:
    """Production starts only with both keys set (environment or instance/config.py), strong, and a database."""
    problems = [p for p in (secret_key_problem(cfg.get("SECRET_KEY")), evidence_key_problem(cfg.get("EVIDENCE_KEY")),
                            signing_key_problem(cfg.get("SIGNING_KEY"))) if p]
    if not cfg.get("DATABASE_URL"):
        problems.append("DATABASE_URL must be set")
    if problems:
        raise RuntimeError("refusing to start in production: " + "; ".join(problems))


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """The application; ``instance_path`` (default: instance/ beside this file) holds the instance
    configuration, the generated development keys, and by default the SQLite database and evidence."""
    app = Flask(__name__, instance_relative_config=True, static_folder="static", template_folder="templates",
                instance_path=instance_path)
    app.json = DecimalJSONProvider(app)
    configure(app, test_config)
    app.wsgi_app = TrustedProxies(app.wsgi_app, parse_networks(app.config["TRUSTED_PROXIES"]))

    from core.extensions import babel, csrf, db, login_manager, migrate
    from core.security import select_locale, set_security_headers
    from core import errors, limits, openapi, templating

    limits.init_app(app)  # body limits per kind: before CSRF protection, which reads the form
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path) / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Asia/Shanghai")
    login_manager.init_app(app)
    openapi.init_app(app)  # the API, with the plugin that completes its OpenAPI document
    templating.init_app(app)

    _import_models()
    _register_blueprints(app)
    errors.register_error_handlers(app)
    _register_request_hooks(app, db, set_security_headers)
    _register_cli(app)
    return app


def _import_models():
    """Every package's models, so metadata (create_all, Alembic) sees all tables."""
    import accounts.models  # noqa: F401
    import core.audit  # noqa: F401
    import evidence.models  # noqa: F401
    import intake.models  # noqa: F401
    import routing.models  # noqa: F401
    import routing.receipts  # noqa: F401
    import core.outbox  # noqa: F401
    import core.idempotency  # noqa: F401
    import notifications.models  # noqa: F401
    import deadlines.models  # noqa: F401
    import deadlines.calendar  # noqa: F401
    import conversations.models  # noqa: F401
    import supervision.models  # noqa: F401
    import supervision.assessment_models  # noqa: F401
    import supervision.clue_models  # noqa: F401
    import supervision.clues  # noqa: F401  (the submission's match keys: a before_flush listener)
    import publication.models  # noqa: F401
    import registry.models  # noqa: F401
    import supervision.indexes  # noqa: F401


def _register_blueprints(app):
    from core.extensions import api, csrf
    from accounts import admin_api, admin_views, api as accounts_api, presenters as accounts_presenters
    from accounts import directory_api
    from accounts import views as accounts_views
    from agencies import api as agencies_api, views as agencies_views
    from deadlines import api as deadlines_api, calendar_views, extension_views, views as deadline_views
    from routing import api as routing_api, links as routing_links, views as routing_views
    from routing import assignment_views  # noqa: F401  (its routes join the centre blueprint before it is registered)
    from routing import casefile_api, casefile_views, receipt_api, receipt_views as routing_receipt_views
    from core import views as core_views
    from intake import api as intake_api, receipt_views, views as intake_views
    from notifications import api as notifications_api, views as notifications_views
    from notifications import feed_api as notifications_feed_api

    from deadlines import notices as deadline_notices, presenters as deadline_presenters, targets as deadline_targets

    accounts_views.init_login(app)
    accounts_presenters.init_app(app)
    deadline_presenters.init_app(app)
    deadline_notices.init_app(app)
    deadline_targets.init_app(app)  # the submission receipt's response targets
    routing_links.init_app(app)  # where notifications about complaints, referrals and consultations lead
    app.register_blueprint(core_views.bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(intake_views.bp)
    app.register_blueprint(receipt_views.bp)
    app.register_blueprint(routing_views.bp)
    app.register_blueprint(agencies_views.bp)
    app.register_blueprint(routing_receipt_views.bp)
    app.register_blueprint(casefile_views.bp)
    app.register_blueprint(notifications_views.bp)
    app.register_blueprint(calendar_views.bp)
    app.register_blueprint(deadline_views.bp)
    app.register_blueprint(extension_views.bp)
    import conversations
    from conversations import api as conversations_api, views as conversations_views

    conversations.init_app(app)
    app.register_blueprint(conversations_views.bp)
    from supervision import assessment_api, assessment_views, dashboard_api, dashboard_views
    from supervision import satisfaction_api, satisfaction_views
    from supervision import clue_api, clue_views
    from evidence import access as evidence_access, deposit_api, deposit_views
    from intake import services as intake_services
    from publication import api as publication_api, views as publication_views
    import registry
    from registry import api as registry_api, views as registry_views

    app.register_blueprint(dashboard_views.bp)
    app.register_blueprint(assessment_views.bp)
    satisfaction_views.init_app(app)  # the rating partial on the complaint page and the triage page
    app.register_blueprint(satisfaction_views.bp)
    app.register_blueprint(clue_views.bp)

    def visible_evidence(actor, complaint_id, evidence_id):
        """An evidence file for its certificate: whoever may download it (intake's rule), else 404."""
        complaint = intake_services.get_visible_complaint(actor, complaint_id)
        return intake_services.evidence_for_download(actor, complaint, evidence_id)[0]

    evidence_access.init_app(app, visible_evidence)
    app.register_blueprint(deposit_views.bp)
    app.register_blueprint(publication_views.bp)
    registry.init_app(app)
    app.register_blueprint(registry_views.bp)
    api_blueprints = [accounts_api.blp, admin_api.blp, intake_api.blp, routing_api.blp, agencies_api.blp,
                      deadlines_api.blp, calendar_views.blp, notifications_api.blp, conversations_api.blp,
                      directory_api.blp, core_views.labels_blp, notifications_feed_api.blp]
    api_blueprints += [dashboard_api.blp, assessment_api.blp, satisfaction_api.blp, clue_api.blp]
    api_blueprints += [deposit_api.blp, receipt_api.blp, casefile_api.blp, publication_api.blp]
    api_blueprints += [registry_api.blp]
    for blp in api_blueprints:
        csrf.exempt(blp)  # bearer tokens only: no cookie ever authenticates an API call
        api.register_blueprint(blp, url_prefix="/api/v1")
    app.register_blueprint(core_views.api_docs_bp)


def _register_request_hooks(app, db, set_security_headers):
    from accounts import rate_limit
    from accounts.services import resolve_token
    from accounts.enums import TokenKind
    from core import idempotency

    @app.before_request
    def authenticate_api():
        if request.path.startswith("/api/"):
            header = request.headers.get("Authorization", "")
            raw = header[7:].strip() if header[:7].lower() == "bearer " else None
            token = resolve_token(raw, (TokenKind.api_token, TokenKind.api_key))
            g.api_user = token.user if token else None
            g.api_token = token
            g.authenticated = token is not None
            if token is not None and token.kind is TokenKind.api_key:
                if (refused := rate_limit.check(token)) is not None:
                    return refused  # 429 with Retry-After, before anything else is done
            # Idempotency-Key: the API key's own scope, or the user's (tokens come and go)
            credential = None if token is None else (
                f"key:{token.id}" if token.kind is TokenKind.api_key else f"user:{token.user_id}")
            return idempotency.begin(credential)

    @app.after_request
    def commit_or_roll_back(response):
        """One commit per request: services only flush; an error answer keeps nothing."""
        if response.status_code < 400:
            idempotency.record(response)  # the answer of an Idempotency-Key, in the effect's transaction
            db.session.commit()
        else:
            db.session.rollback()
        return set_security_headers(rate_limit.add_headers(response))


def _register_cli(app):
    from accounts.cli import orgs_cli, users_cli
    from demo import seed_demo_command
    from notifications.cli import notifications_cli
    from deadlines.calendar_cli import calendar_cli
    from deadlines.cli import deadlines_cli
    from routing.cli import state_diagrams_command
    from scheduler import scheduler_command
    from evidence.deposit_cli import deposits_cli

    app.cli.add_command(state_diagrams_command)
    app.cli.add_command(deadlines_cli)
    app.cli.add_command(calendar_cli)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(orgs_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(notifications_cli)
    from supervision.clue_cli import clues_cli

    app.cli.add_command(clues_cli)
    app.cli.add_command(deposits_cli)


