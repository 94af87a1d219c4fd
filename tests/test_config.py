"""Settings: the embedded default needs nothing; production refuses to start on a missing or
contradictory setting, and says which and why. Also the gunicorn settings file."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import config

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "P3vG0q-Lx8Rz1Wd_Tn5Ys2Ka7Mf9Hc4Ej6Ub",
    "BASE_URL": "https://mentoring.testborough.gov.uk",
    "DATABASE_URL": "postgresql://portal@db.testborough.gov.uk/portal",
    "MAIL_SERVER": "smtp.testborough.gov.uk",
    "MAIL_PORT": "587",
    "MAIL_USE_TLS": "true",
    "MAIL_USERNAME": "portal",
    "MAIL_PASSWORD": "correct horse battery staple",
    "MAIL_DEFAULT_SENDER": "Mentoring portal <mentoring@testborough.gov.uk>",
    "REDIS_URL": "redis://cache.testborough.gov.uk:6379/0",
}


def load(tmp_path, **env):
    return config.load(str(tmp_path), {k: v for k, v in env.items() if v is not None})


def test_embedded_default_needs_only_development_named(tmp_path):
    settings = load(tmp_path, PORTAL_ENV="development")
    assert settings["PORTAL_ENV"] == "development"
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.db'}"
    assert settings["MAIL_TRANSPORT"] == "local" and settings["MAIL_DELIVERY"] == "inline"
    assert settings["REDIS_URL"] is None
    assert (tmp_path / "secret_key").exists()  # generated once, kept for the next start
    assert load(tmp_path, PORTAL_ENV="development")["SECRET_KEY"] == settings["SECRET_KEY"]


def test_production_settings_are_read(tmp_path):
    settings = load(tmp_path, **PRODUCTION, MAIL_LEASE_SECONDS="600", MAIL_POLL_SECONDS="0.5")
    assert settings["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://portal@db.testborough.gov.uk/portal")
    assert settings["MAIL_TRANSPORT"] == "smtp"
    assert (settings["MAIL_SERVER"], settings["MAIL_PORT"], settings["MAIL_USE_TLS"]) == (
        "smtp.testborough.gov.uk", 587, True)
    assert (settings["MAIL_LEASE_SECONDS"], settings["MAIL_POLL_SECONDS"]) == (600, 0.5)
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert (settings["MAIL_WORKER_STALE_SECONDS"], settings["HEALTH_FAILS_ON_STALLED_MAIL"]) == (
        120, False)
    stricter = load(tmp_path, **PRODUCTION, MAIL_WORKER_STALE_SECONDS="300",
                    HEALTH_FAILS_ON_STALLED_MAIL="true")
    assert (stricter["MAIL_WORKER_STALE_SECONDS"], stricter["HEALTH_FAILS_ON_STALLED_MAIL"]) == (
        300, True)


@pytest.mark.parametrize("use_ssl, use_tls, port", [("true", None, 465), (None, "true", 587),
                                                    (None, None, 25)])
def test_mail_port_follows_the_chosen_security(tmp_path, use_ssl, use_tls, port):
    env = {**PRODUCTION, "MAIL_USE_SSL": use_ssl, "MAIL_USE_TLS": use_tls, "MAIL_PORT": None,
           "MAIL_SERVER": "localhost"}
    assert load(tmp_path, **env)["MAIL_PORT"] == port


@pytest.mark.parametrize("changes, message", [
    ({"SECRET_KEY": None}, "SECRET_KEY must be set in production"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32 characters"),
    ({"SECRET_KEY": "k" * 48}, "SECRET_KEY must be a long random string"),
    ({"BASE_URL": "http://mentoring.testborough.gov.uk"}, "BASE_URL must be the portal's https"),
    ({"MAIL_SERVER": None}, "Production needs real mail: set MAIL_SERVER"),
    ({"MAIL_SERVER": None, "MAIL_TRANSPORT": "smtp"}, "Production needs real mail"),
    ({"MAIL_TRANSPORT": "local"}, "Production needs real mail"),
    ({"MAIL_TRANSPORT": "carrier-pigeon"}, "MAIL_TRANSPORT must be local or smtp"),
    ({"MAIL_DELIVERY": "later"}, "MAIL_DELIVERY must be inline or worker"),
    ({"MAIL_USE_SSL": "true"}, "MAIL_USE_TLS (STARTTLS) and MAIL_USE_SSL cannot both be on"),
    ({"MAIL_USE_TLS": None, "MAIL_USE_SSL": "true"}, "MAIL_PORT 587 expects STARTTLS"),
    ({"MAIL_PORT": "465"}, "MAIL_PORT 465 expects SSL from the start"),
    ({"MAIL_PORT": "0"}, "MAIL_PORT must be between 1 and 65535"),
    ({"MAIL_PORT": "submission"}, "MAIL_PORT must be a whole number"),
    ({"MAIL_PASSWORD": None}, "MAIL_USERNAME and MAIL_PASSWORD go together"),
    ({"MAIL_USERNAME": None}, "MAIL_USERNAME and MAIL_PASSWORD go together"),
    ({"MAIL_USE_TLS": None, "MAIL_PORT": "25"}, "the password would cross the network"),
    ({"MAIL_DEFAULT_SENDER": "Mentoring portal"}, "MAIL_DEFAULT_SENDER must be an email address"),
    ({"MAIL_DEFAULT_SENDER": "Portal <no-reply@localhost>"}, "must be a real sender address"),
    ({"MAIL_MAX_ATTEMPTS": "0"}, "MAIL_MAX_ATTEMPTS must be at least 1"),
    ({"MAIL_BATCH_SIZE": "0"}, "MAIL_BATCH_SIZE must be at least 1"),
    ({"MAIL_TIMEOUT_SECONDS": "0"}, "MAIL_TIMEOUT_SECONDS must be at least 1"),
    ({"MAIL_POLL_SECONDS": "0"}, "MAIL_POLL_SECONDS must be more than 0"),
    ({"MAIL_POLL_SECONDS": "soon"}, "MAIL_POLL_SECONDS must be a number of seconds"),
    ({"MAIL_LEASE_SECONDS": "60"}, "MAIL_LEASE_SECONDS must be at least six times"),
    ({"MAIL_WORKER_STALE_SECONDS": "30"}, "MAIL_WORKER_STALE_SECONDS must be at least 90"),
    ({"MAIL_POLL_SECONDS": "120"}, "MAIL_WORKER_STALE_SECONDS must be at least 150"),
    ({"MAIL_WORKER_STALE_SECONDS": "soon"}, "MAIL_WORKER_STALE_SECONDS must be a whole number"),
    ({"REDIS_URL": "cache.testborough.gov.uk:6379"}, "REDIS_URL must start with redis://"),
    ({"HTMX_SOURCE": "somewhere"}, "HTMX_SOURCE must be cdn or vendored"),
    ({"MAX_FORM_KB": "-1"}, "MAX_FORM_KB must be at least 64"),
    ({"HEALTH_TOKEN": "short"}, "HEALTH_TOKEN must be at least 24 characters"),
    ({"PORTAL_ENV": "staging"}, "PORTAL_ENV must be development, production or testing"),
])
def test_a_missing_or_contradictory_setting_stops_the_start(tmp_path, changes, message):
    with pytest.raises(config.ConfigError) as error:
        load(tmp_path, **{**PRODUCTION, **changes})
    assert message in str(error.value)


def test_every_problem_is_reported_at_once(tmp_path):
    with pytest.raises(config.ConfigError) as error:
        load(tmp_path, **{**PRODUCTION, "BASE_URL": "http://x.gov.uk", "MAIL_BATCH_SIZE": "0",
                          "MAIL_PASSWORD": None})
    text = str(error.value)
    assert text.startswith("The portal cannot start until these settings are fixed:")
    assert text.count("\n- ") == 3


def test_a_mail_relay_on_the_same_machine_may_take_a_password_without_tls(tmp_path):
    settings = load(tmp_path, **{**PRODUCTION, "MAIL_SERVER": "localhost", "MAIL_PORT": "25",
                                 "MAIL_USE_TLS": None})
    assert settings["MAIL_USERNAME"] == "portal"


def test_development_allows_plain_local_settings(tmp_path):
    settings = load(tmp_path, PORTAL_ENV="development", MAIL_SERVER="localhost",
                    MAIL_PORT="1025")
    assert settings["MAIL_TRANSPORT"] == "smtp"


def test_start_up_error_is_clear_on_the_command_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "FLASK_APP": "portal:create_app", "PORTAL_ENV": "production",
           "PORTAL_INSTANCE_PATH": str(tmp_path), "BASE_URL": "http://insecure.gov.uk"}
    result = subprocess.run([sys.executable, "-m", "flask", "routes"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "The portal cannot start until these settings are fixed:" in result.stderr
    assert "SECRET_KEY must be set in production" in result.stderr


# --- gunicorn.conf.py ---------------------------------------------------------------------------

def gunicorn_settings(monkeypatch, **env):
    for name in ("PORT", "BIND", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT",
                 "GUNICORN_GRACEFUL_TIMEOUT", "GUNICORN_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    default = gunicorn_settings(monkeypatch)
    assert default.bind == "0.0.0.0:8000"
    assert default.preload_app is False  # each worker opens its own database pool
    assert default.accesslog == "-" and default.errorlog == "-"
    assert default.wsgi_app == "wsgi:app"
    assert 1 <= default.workers <= 8 and default.worker_class == "sync"

    tuned = gunicorn_settings(monkeypatch, PORT="5000", WEB_CONCURRENCY="3", GUNICORN_THREADS="4",
                              GUNICORN_GRACEFUL_TIMEOUT="45")
    assert tuned.bind == "0.0.0.0:5000"
    assert (tuned.workers, tuned.threads, tuned.worker_class) == (3, 4, "gthread")
    assert tuned.graceful_timeout == 45
    assert gunicorn_settings(monkeypatch, BIND="unix:/run/portal.sock").bind == (
        "unix:/run/portal.sock")


def test_gunicorn_recycles_workers_only_when_asked_and_never_two_together(monkeypatch):
    """A worker's restart stalls the requests it would have taken; two at once stalled the
    portal for a second or two. Off by default; when asked for, the jitter spreads each
    worker's restart over a range as wide as the interval itself."""
    default = gunicorn_settings(monkeypatch)
    assert (default.max_requests, default.max_requests_jitter) == (0, 0)  # 0: never recycled

    recycled = gunicorn_settings(monkeypatch, GUNICORN_MAX_REQUESTS="2000")
    assert (recycled.max_requests, recycled.max_requests_jitter) == (2000, 2000)


def test_access_log_leaves_out_the_tokens_of_emailed_links(app, monkeypatch):
    from portal import tokens

    settings = gunicorn_settings(monkeypatch)
    with app.test_request_context():
        token = tokens.make("sign-in", uid=42)
    line = f"GET /sign-in/{token}?next=/dashboard HTTP/1.1"
    assert settings.TOKEN.sub("[token]", line) == "GET /sign-in/[token]?next=/dashboard HTTP/1.1"
    assert settings.TOKEN.sub("[token]", "GET /mentors/42/profile HTTP/1.1") == (
        "GET /mentors/42/profile HTTP/1.1")


def test_wsgi_entry_point_builds_the_app_from_the_environment(tmp_path):
    """`gunicorn wsgi:app` (what gunicorn.conf.py names) gets a working portal."""
    root = Path(__file__).resolve().parent.parent
    env = {"PATH": os.environ.get("PATH", ""), "PORTAL_ENV": "development",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}"}
    probe = "import wsgi; print(type(wsgi.app).__name__, wsgi.app.config['PORTAL_ENV'])"
    out = subprocess.run([sys.executable, "-c", probe], cwd=root, env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["Flask", "development"]


def test_the_embedded_database_waits_for_a_writer_instead_of_failing(tmp_path):
    """WAL lets pages read while one request writes; the busy timeout makes a second writer
    wait its turn rather than fail at once with "database is locked"."""
    from tests.conftest import make_app

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'portal.db'}")
    with app.app_context():
        from portal.extensions import db

        with db.engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA busy_timeout").scalar() == 10000
            assert pragma("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_postgresql_connections_give_up_after_the_connect_timeout(tmp_path):
    from portal import config

    env = {"PORTAL_ENV": "testing", "DATABASE_URL": "postgresql://u@db.example/portal",
           "DATABASE_CONNECT_TIMEOUT": "3"}
    options = config.load(str(tmp_path), env)["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_pre_ping"] is True
    assert options["connect_args"]["connect_timeout"] == 3
    assert options["connect_args"]["keepalives"] == 1  # a silently dead connection is noticed
    sqlite = config.load(str(tmp_path), {"PORTAL_ENV": "testing"})["SQLALCHEMY_ENGINE_OPTIONS"]
    assert sqlite == {"pool_pre_ping": True}
    with pytest.raises(config.ConfigError, match="DATABASE_CONNECT_TIMEOUT must be at least 1"):
        config.load(str(tmp_path), {**env, "DATABASE_CONNECT_TIMEOUT": "0"})


def test_a_database_named_in_the_app_settings_gets_its_own_connection_options(tmp_path,
                                                                              monkeypatch):
    """A benchmark or tool that names an SQLite file in create_app's settings, on a machine
    whose DATABASE_URL is PostgreSQL, gets SQLite's options: PostgreSQL's connect_timeout made
    SQLite refuse to connect."""
    from portal import create_app
    from portal.extensions import db

    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/portal")
    app = create_app({"PORTAL_ENV": "testing", "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'own.db'}",
                      "MAIL_TRANSPORT": "local", "REDIS_URL": None})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT 1")) == 1
        db.engine.dispose()
