"""Configuration fails closed: exact APP_ENV values, no key from the source, strong keys in production,
per-installation keys generated (atomically, mode 0600) in development and testing."""
import base64
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app import OLD_DEV_EVIDENCE_KEY, OLD_DEV_SECRET_KEY, create_app

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENT_SETTINGS = ("APP_ENV", "SECRET_KEY", "EVIDENCE_KEY", "SIGNING_KEY", "DATABASE_URL", "WEBHOOK_ALLOWED_NETWORKS")


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
        "SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "DATABASE_URL": database_urls[db_kind],
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
    }


@pytest.fixture
def instance(tmp_path):
    return tmp_path / "instance"


def development(instance, **settings):
    return create_app({"APP_ENV": "development", "DATABASE_URL": f"sqlite:///{instance.parent / 'dev.db'}",
                       **settings}, instance_path=str(instance))


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_production_with_proper_settings_starts_and_answers(production, instance):
    app = create_app(production, instance_path=str(instance))
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not (instance / "secret_key").exists() and not (instance / "evidence_key").exists()


@pytest.mark.parametrize("value", ["Production", "PRODUCTION", "prod", "production ", "staging", "", "dev"])
def test_an_unknown_app_env_is_refused(production, instance, value):
    with pytest.raises(RuntimeError, match="APP_ENV"):
        create_app({**production, "APP_ENV": value}, instance_path=str(instance))


def test_an_unknown_app_env_from_the_environment_is_refused(monkeypatch, instance):
    monkeypatch.setenv("APP_ENV", "Production")
    with pytest.raises(RuntimeError, match="APP_ENV"):
        create_app(instance_path=str(instance))


WEAK_SECRET_KEYS = [OLD_DEV_SECRET_KEY, "short", "a" * 32, "a" * 200, "ab" * 40, "0123456789" * 4,
                    "abcdefghij" * 4, "password-password-password-password"]


@pytest.mark.parametrize("key", WEAK_SECRET_KEYS)
def test_production_refuses_a_weak_or_published_secret_key(production, instance, key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**production, "SECRET_KEY": key}, instance_path=str(instance))


WEAK_EVIDENCE_KEYS = [OLD_DEV_EVIDENCE_KEY, "", "not base64!", b64(b"sixteen byte key"), b64(b"\x00" * 32),
                      b64(b"\xff" * 32), b64(b"\x01\x02" * 16), b64(bytes(range(8)) * 4), b64(secrets.token_bytes(33)),
                      b64(secrets.token_bytes(32)) + "\n" + "AAAA"]


@pytest.mark.parametrize("key", ["", "not base64!", b64(b"sixteen byte key"), b64(b"\x00" * 32)])
def test_production_refuses_a_weak_signing_key(production, instance, key):
    with pytest.raises(RuntimeError, match="SIGNING_KEY"):
        create_app({**production, "SIGNING_KEY": key}, instance_path=str(instance))


@pytest.mark.parametrize("key", WEAK_EVIDENCE_KEYS)
def test_production_refuses_a_weak_or_published_evidence_key(production, instance, key):
    with pytest.raises(RuntimeError, match="EVIDENCE_KEY"):
        create_app({**production, "EVIDENCE_KEY": key}, instance_path=str(instance))


def test_production_refuses_to_start_without_database_url(production, instance):
    settings = {k: v for k, v in production.items() if k != "DATABASE_URL"}
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(settings, instance_path=str(instance))


def test_production_refuses_the_defaults_and_generates_nothing(tmp_path, instance):
    with pytest.raises(RuntimeError) as excinfo:
        create_app({"APP_ENV": "production", "EVIDENCE_DIR": str(tmp_path)}, instance_path=str(instance))
    message = str(excinfo.value)
    assert "SECRET_KEY" in message and "EVIDENCE_KEY" in message and "DATABASE_URL" in message
    assert "SIGNING_KEY" in message
    assert not (instance / "secret_key").exists() and not (instance / "evidence_key").exists()
    assert not (instance / "signing_key").exists()


def test_production_does_not_take_the_generated_development_keys(production, instance):
    development(instance)  # leaves instance/secret_key and instance/evidence_key behind
    settings = {k: v for k, v in production.items() if k not in ("SECRET_KEY", "EVIDENCE_KEY", "SIGNING_KEY")}
    with pytest.raises(RuntimeError) as excinfo:
        create_app(settings, instance_path=str(instance))
    assert "SECRET_KEY" in str(excinfo.value) and "EVIDENCE_KEY" in str(excinfo.value)
    assert "SIGNING_KEY" in str(excinfo.value)


def test_production_settings_come_from_the_environment(production, monkeypatch, instance):
    for key, value in production.items():
        monkeypatch.setenv(key, value)
    app = create_app(instance_path=str(instance))
    assert app.config["SECRET_KEY"] == production["SECRET_KEY"]
    assert app.config["EVIDENCE_KEY"] == production["EVIDENCE_KEY"]
    monkeypatch.setenv("SECRET_KEY", "a" * 32)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(instance_path=str(instance))


def test_production_settings_from_the_instance_config_file(production, instance):
    instance.mkdir()
    (instance / "config.py").write_text(
        f"SECRET_KEY = {production['SECRET_KEY']!r}\nEVIDENCE_KEY = {production['EVIDENCE_KEY']!r}\n"
        f"SIGNING_KEY = {production['SIGNING_KEY']!r}\n")
    settings = {k: v for k, v in production.items() if k not in ("SECRET_KEY", "EVIDENCE_KEY", "SIGNING_KEY")}
    app = create_app(settings, instance_path=str(instance))
    assert app.config["EVIDENCE_KEY"] == production["EVIDENCE_KEY"]


# --- development and testing: keys of the installation's own ------------------------------------

def test_development_generates_its_own_keys_once_and_reads_them_later(instance):
    app = development(instance)

    secret_file, evidence_file = instance / "secret_key", instance / "evidence_key"
    assert app.config["SECRET_KEY"] == secret_file.read_text().strip()
    assert app.config["EVIDENCE_KEY"] == evidence_file.read_text().strip()
    assert app.config["SIGNING_KEY"] == (instance / "signing_key").read_text().strip()
    assert len(base64.b64decode(app.config["SIGNING_KEY"], validate=True)) == 32
    assert app.config["SECRET_KEY"] != OLD_DEV_SECRET_KEY and app.config["EVIDENCE_KEY"] != OLD_DEV_EVIDENCE_KEY
    assert len(base64.b64decode(app.config["EVIDENCE_KEY"], validate=True)) == 32
    for path in (secret_file, evidence_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert [p.name for p in instance.iterdir() if p.name.startswith(".")] == []  # no temporary file left

    again = development(instance)
    assert (again.config["SECRET_KEY"], again.config["EVIDENCE_KEY"]) == (
        app.config["SECRET_KEY"], app.config["EVIDENCE_KEY"])


def test_two_installations_get_different_keys(tmp_path):
    first, second = development(tmp_path / "a"), development(tmp_path / "b")
    assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]
    assert first.config["EVIDENCE_KEY"] != second.config["EVIDENCE_KEY"]
    assert first.config["SIGNING_KEY"] != second.config["SIGNING_KEY"]


def test_testing_generates_its_evidence_key_too_and_has_no_secure_cookie(instance):
    app = create_app({"APP_ENV": "testing", "SECRET_KEY": secrets.token_urlsafe(48),
                      "DATABASE_URL": f"sqlite:///{instance.parent / 't.db'}"}, instance_path=str(instance))
    assert app.config["EVIDENCE_KEY"] == (instance / "evidence_key").read_text().strip()
    assert not (instance / "secret_key").exists()  # the configured one is used
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_processes_starting_together_agree_on_the_keys(instance):
    instance.mkdir()
    program = ("import sys; from pathlib import Path; from app import installation_key, evidence_key_problem; "
               "import base64, secrets; "
               "print(installation_key(Path(sys.argv[1]) / 'evidence_key', "
               "lambda: base64.b64encode(secrets.token_bytes(32)).decode(), evidence_key_problem))")
    processes = [subprocess.Popen([sys.executable, "-c", program, str(instance)], cwd=ROOT, stdout=subprocess.PIPE,
                                  text=True) for _ in range(6)]
    keys = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert all(process.returncode == 0 for process in processes)
    assert keys == {(instance / "evidence_key").read_text().strip()}
    assert sorted(p.name for p in instance.iterdir()) == ["evidence_key"]


def test_a_damaged_key_file_is_refused_not_replaced(instance):
    instance.mkdir()
    (instance / "evidence_key").write_text("not a key\n")
    with pytest.raises(RuntimeError, match="evidence_key"):
        development(instance)
    assert (instance / "evidence_key").read_text() == "not a key\n"


@pytest.mark.parametrize("settings", [{"SECRET_KEY": OLD_DEV_SECRET_KEY}, {"EVIDENCE_KEY": OLD_DEV_EVIDENCE_KEY},
                                      {"EVIDENCE_KEY": b64(b"\x00" * 32)}])
def test_development_refuses_a_published_or_null_key_too(instance, settings):
    with pytest.raises(RuntimeError, match="KEY"):
        development(instance, **settings)


def test_webhook_networks_come_from_the_environment_and_bad_ones_are_refused(monkeypatch, instance):
    import ipaddress

    monkeypatch.setenv("WEBHOOK_ALLOWED_NETWORKS", "10.20.0.0/16, fd00:1::/64")
    app = development(instance)
    assert app.config["WEBHOOK_ALLOWED_NETWORKS"] == (ipaddress.ip_network("10.20.0.0/16"),
                                                      ipaddress.ip_network("fd00:1::/64"))
    monkeypatch.setenv("WEBHOOK_ALLOWED_NETWORKS", "10.20.0.0/33")
    with pytest.raises(RuntimeError, match="WEBHOOK_ALLOWED_NETWORKS"):
        development(instance)
    monkeypatch.delenv("WEBHOOK_ALLOWED_NETWORKS")
    assert development(instance).config["WEBHOOK_ALLOWED_NETWORKS"] == ()
