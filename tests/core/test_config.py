"""Production configuration: the app refuses development secrets and a missing database."""
import base64
import secrets

import pytest

from app import DEV_EVIDENCE_KEY, DEV_SECRET_KEY, create_app

ENVIRONMENT_SETTINGS = ("APP_ENV", "SECRET_KEY", "EVIDENCE_KEY", "DATABASE_URL")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for key in ENVIRONMENT_SETTINGS:
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def production(database_urls, db_kind, tmp_path):
    return {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "EVIDENCE_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "DATABASE_URL": database_urls[db_kind],
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
    }


def test_production_with_proper_settings_starts_and_answers(production):
    app = create_app(production)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_the_development_secret_key(production):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**production, "SECRET_KEY": DEV_SECRET_KEY})


def test_production_refuses_a_short_secret_key(production):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**production, "SECRET_KEY": "short"})


def test_production_refuses_the_development_evidence_key(production):
    with pytest.raises(RuntimeError, match="EVIDENCE_KEY"):
        create_app({**production, "EVIDENCE_KEY": DEV_EVIDENCE_KEY})


@pytest.mark.parametrize("key", ["", "not base64!", base64.b64encode(b"sixteen byte key").decode()])
def test_production_refuses_an_evidence_key_that_is_not_32_bytes(production, key):
    with pytest.raises(RuntimeError, match="EVIDENCE_KEY"):
        create_app({**production, "EVIDENCE_KEY": key})


def test_production_refuses_to_start_without_database_url(production):
    settings = {k: v for k, v in production.items() if k != "DATABASE_URL"}
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(settings)


def test_production_refuses_the_defaults(tmp_path):
    with pytest.raises(RuntimeError) as excinfo:
        create_app({"APP_ENV": "production", "EVIDENCE_DIR": str(tmp_path)})
    message = str(excinfo.value)
    assert "SECRET_KEY" in message and "EVIDENCE_KEY" in message and "DATABASE_URL" in message


def test_production_settings_come_from_the_environment(production, monkeypatch):
    for key, value in production.items():
        monkeypatch.setenv(key, value)
    app = create_app()
    assert app.config["SECRET_KEY"] == production["SECRET_KEY"]
    monkeypatch.setenv("SECRET_KEY", DEV_SECRET_KEY)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_development_mode_accepts_the_development_keys(tmp_path):
    app = create_app({"APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}"})
    assert app.config["SECRET_KEY"] == DEV_SECRET_KEY
    assert app.config["SESSION_COOKIE_SECURE"] is False
