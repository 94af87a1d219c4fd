"""Safe by default: a start without settings cannot expose the local mailbox, a weak key is
refused, and what the portal tells strangers (headers, cookies, /health) gives nothing away."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from portal import config
from portal.extensions import db
from portal.templating import HTMX_CDN_URL
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parent.parent
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.7"}  # a documentation address: not this machine


def _served(app):
    with app.app_context():
        db.create_all()
    return app.test_client()


# --- fail closed ---------------------------------------------------------------------------------

def test_without_portal_env_the_production_rules_apply(tmp_path):
    with pytest.raises(config.ConfigError) as error:
        config.load(str(tmp_path), {})
    text = str(error.value)
    assert text.startswith("PORTAL_ENV is not set, so the portal applies its production rules.")
    assert "set PORTAL_ENV=development" in text
    assert "SECRET_KEY must be set in production" in text


def test_the_app_started_as_the_readme_starts_it_refuses_without_portal_env(tmp_path):
    """`gunicorn wsgi:app` with everything but PORTAL_ENV: no mailbox, no start at all."""
    env = {"PATH": os.environ.get("PATH", ""), "PORTAL_INSTANCE_PATH": str(tmp_path),
           "SECRET_KEY": "Zq8dL3vT0pWm5sXa9cRb2nYe7uKj4hGf", "MAIL_SERVER": "",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}"}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "PORTAL_ENV is not set" in result.stderr
    assert "Production needs real mail" in result.stderr


@pytest.mark.parametrize("key, reason", [
    ("k" * 48, "not a repeated pattern"),
    ("abcdef" * 8, "not a repeated pattern"),
    ("short-but-random-8f3", "at least 32 characters"),
])
def test_production_refuses_a_weak_secret_key(tmp_path, key, reason):
    from tests.test_config import PRODUCTION

    with pytest.raises(config.ConfigError) as error:
        config.load(str(tmp_path), {**PRODUCTION, "SECRET_KEY": key})
    assert reason in str(error.value)


def test_a_generated_key_and_the_embedded_database_are_private_to_the_portal(tmp_path):
    instance = tmp_path / "instance"
    env = {"PATH": os.environ.get("PATH", ""), "PORTAL_ENV": "development",
           "PORTAL_INSTANCE_PATH": str(instance)}
    probe = "import wsgi"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600
    assert stat.S_IMODE((instance / "portal.db").stat().st_mode) == 0o600


def test_local_mailbox_answers_only_a_browser_on_this_machine(tmp_path):
    client = _served(make_app(tmp_path, PORTAL_ENV="development"))
    assert client.get("/dev/mail/").status_code == 200
    assert client.get("/dev/mail/", environ_base=ELSEWHERE).status_code == 404
    assert client.get("/dev/mail/1", environ_base=ELSEWHERE).status_code == 404
    # A proxy on this machine that the portal was not told to trust forwards someone else.
    forwarded = client.get("/dev/mail/", headers={"X-Forwarded-For": "203.0.113.7"})
    assert forwarded.status_code == 404


def test_local_mailbox_behind_a_trusted_proxy_follows_the_real_client(tmp_path):
    client = _served(make_app(tmp_path, PORTAL_ENV="development", TRUST_PROXY_HOPS=1))
    assert client.get("/dev/mail/", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 404
    assert client.get("/dev/mail/", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


# --- headers and cookies --------------------------------------------------------------------------

GOVUK_MARKER = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"


def _csp(client) -> dict[str, str]:
    policy = client.get("/").headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";")}


def test_scripts_come_only_from_the_portal_when_htmx_is_vendored(client):
    policy = _csp(client)
    # Besides the portal's own files, only GOV.UK Frontend's one-line "JavaScript is on"
    # marker, by its hash: the one GOV.UK Frontend's documentation gives for it.
    assert policy["script-src"] == f"script-src 'self' {GOVUK_MARKER}"
    assert policy["object-src"] == "object-src 'none'"


def test_with_htmx_from_the_cdn_only_its_pinned_file_may_run(tmp_path):
    policy = _csp(_served(make_app(tmp_path, HTMX_SOURCE="cdn")))
    assert policy["script-src"] == f"script-src 'self' {HTMX_CDN_URL} {GOVUK_MARKER}"
    assert policy["object-src"] == "object-src 'none'"


def test_production_session_cookie_is_host_only_and_secure(tmp_path):
    from tests.test_config import PRODUCTION

    os.environ["PORTAL_INSTANCE_PATH"] = str(tmp_path / "instance")
    settings = config.load(str(tmp_path), PRODUCTION)
    assert settings["SESSION_COOKIE_NAME"] == "__Host-session"
    assert settings["SESSION_COOKIE_SECURE"] is True
    app = make_app(tmp_path, **{k: v for k, v in settings.items()
                                if k.startswith("SESSION_COOKIE")})
    client = _served(app)
    response = client.get("/sign-in")  # the form's CSRF token starts a session
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie


def test_the_session_cookie_never_carries_an_email_address(app, client):
    response = client.post_form("/sign-in", {"email": "Jo.Bloggs@testborough.gov.uk"})
    assert response.status_code == 303
    cookie = client.get_cookie("session").value
    content = repr(app.session_interface.get_signing_serializer(app).loads(cookie)).lower()
    assert "bloggs" not in content  # only "jo•••@testborough.gov.uk"
    # The page still helps the person spot a mistyped address.
    page = client.get("/sign-in/check-your-email").get_data(as_text=True)
    assert "testborough.gov.uk" in page and "Jo.Bloggs" not in page


# --- /health ---------------------------------------------------------------------------------

def test_health_tells_the_public_only_up_or_down(client):
    response = client.get("/health", environ_base=ELSEWHERE)
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    forwarded = client.get("/health", headers={"X-Forwarded-For": "203.0.113.7"})
    assert forwarded.json == {"status": "ok"}


def test_health_gives_monitoring_its_figures_with_the_token(tmp_path):
    token = "m0nit0r-Token-8d2f9a7c1e5b3"
    client = _served(make_app(tmp_path, HEALTH_TOKEN=token))
    details = client.get("/health", environ_base=ELSEWHERE,
                         headers={"Authorization": f"Bearer {token}"})
    assert details.json["dead_letters"] == 0 and details.json["rate_limits"] == "memory"
    wrong = client.get("/health", environ_base=ELSEWHERE,
                       headers={"Authorization": "Bearer not-the-token-at-all-no"})
    assert wrong.json == {"status": "ok"}


def test_health_hides_the_database_error_from_the_public(tmp_path):
    from tests.support.mail_sink import free_port

    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/portal"
    client = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url).test_client()
    response = client.get("/health", environ_base=ELSEWHERE)
    assert response.status_code == 503
    assert response.json == {"status": "error"}


def test_the_privacy_notice_lists_every_cookie_the_portal_sets(client, make, login, app):
    """Each cookie set on signing in is named in the notice, with how long it lasts."""
    from portal import tokens

    person = make.mentee(make.scheme(), email="cookies@testborough.gov.uk")
    with app.test_request_context():
        token = tokens.make("sign-in", uid=person.id)
        db.session.commit()
    response = client.post_form(f"/sign-in/{token}")
    names = {header.split("=", 1)[0] for header in response.headers.getlist("Set-Cookie")}
    notice = client.get("/privacy").get_data(as_text=True)
    assert names == {"session", "known-device"}
    for name in names:
        assert f'<td class="govuk-table__cell">{name}</td>' in notice
    assert f"at most {app.config['SESSION_MAX_HOURS']} hours" in notice
