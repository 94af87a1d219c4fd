"""Settings, read from environment variables, with an embedded default that needs no services."""

from __future__ import annotations

import math
import os
import secrets
from email.utils import parseaddr
from pathlib import Path

from email_validator import EmailNotValidError, validate_email


class ConfigError(RuntimeError):
    """A missing or contradictory setting, reported at start-up."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None


def _float(env: dict, name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from None


def _secret_key(env: dict, instance_path: Path, environment: str) -> str:
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"]
    if environment == "production":
        return ""  # reported by _check with the other problems
    # Development: keep one generated key in the instance folder so sessions survive restarts.
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    make_instance_folder(instance_path)
    key = secrets.token_urlsafe(48)
    # Only the portal's own user may read the key: with it anyone could forge a sign-in link.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(key)
    return key


def make_instance_folder(instance_path: str | Path) -> None:
    """Create the instance folder readable by the portal's own user only (key and database)."""
    Path(instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)


def weak_secret_key(key: str) -> str | None:
    """Why a secret key is too easy to guess, or None. Long random strings pass."""
    if len(key) < 32:
        return "at least 32 characters"
    if len(set(key)) < 12:
        # "kkkk..." or "abcabc...": length alone proves nothing. A random URL-safe key of 32
        # characters or more has about 27 different ones.
        return "a long random string, not a repeated pattern"
    return None


def _database_url(env: dict, instance_path: Path) -> str:
    url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'portal.db'}"
    # Hosting platforms often hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def engine_options(url: str, env) -> dict:
    """The connection options for the database at ``url``: pre-ping every pooled connection
    before use (a database restart leaves them dead), and on PostgreSQL give up connecting
    after DATABASE_CONNECT_TIMEOUT seconds: a database host that stops answering (rather than
    refusing, as a restart does) would otherwise hold each request until the operating
    system's TCP timeout, minutes later."""
    options: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        options["connect_args"] = {
            "connect_timeout": _int(env, "DATABASE_CONNECT_TIMEOUT", 5),
            # A connection that dies silently (a failover, a network cut with no reset) is
            # noticed by the operating system in about a minute instead of hours: keepalive
            # probes while idle, and a limit on how long sent data may stay unacknowledged.
            "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
            "keepalives_count": 3, "tcp_user_timeout": 30_000,
        }
    return options


def load(instance_path: str, env: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment."""
    env = dict(os.environ if env is None else env)
    instance = Path(instance_path)
    # Fail closed: without PORTAL_ENV the strict production rules apply, so a portal started
    # on a server without it never opens the local mailbox to the network. Development must be
    # asked for by name (`make demo` does).
    environment = env.get("PORTAL_ENV") or "production"
    if environment not in {"development", "production", "testing"}:
        raise ConfigError(
            f"PORTAL_ENV must be development, production or testing, not {environment!r}"
        )

    mail_server = env.get("MAIL_SERVER", "")
    transport = env.get("MAIL_TRANSPORT") or ("smtp" if mail_server else "local")
    use_tls = _bool(env.get("MAIL_USE_TLS"))
    use_ssl = _bool(env.get("MAIL_USE_SSL"))

    config = {
        "PORTAL_ENV": environment,
        "SECRET_KEY": _secret_key(env, instance, environment),
        "SQLALCHEMY_DATABASE_URI": _database_url(env, instance),
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(_database_url(env, instance), env),
        "DATABASE_CONNECT_TIMEOUT": _int(env, "DATABASE_CONNECT_TIMEOUT", 5),
        "BASE_URL": env.get("BASE_URL", "http://localhost:5000").rstrip("/"),
        # Mail: "local" keeps every message in the outbox (shown by the development mail viewer);
        # "smtp" delivers through MAIL_SERVER. Delivery runs after commit ("inline") or in
        # the worker process ("worker").
        "MAIL_TRANSPORT": transport,
        "MAIL_DELIVERY": env.get("MAIL_DELIVERY", "inline"),
        "MAIL_SERVER": mail_server or "localhost",
        "MAIL_PORT": _int(env, "MAIL_PORT", 465 if use_ssl else (587 if use_tls else 25)),
        "MAIL_USE_TLS": use_tls,
        "MAIL_USE_SSL": use_ssl,
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER",
                                       "Mentoring portal <no-reply@localhost>"),
        # Flask-Mail would otherwise stay silent whenever TESTING is on.
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_TIMEOUT_SECONDS": _int(env, "MAIL_TIMEOUT_SECONDS", 20),
        "MAIL_MAX_ATTEMPTS": _int(env, "MAIL_MAX_ATTEMPTS", 8),
        "MAIL_BATCH_SIZE": _int(env, "MAIL_BATCH_SIZE", 100),
        # The worker: how often it looks for due messages when idle, and how long a claim on a
        # batch lasts before another worker may take the messages over (after a crash).
        "MAIL_POLL_SECONDS": _float(env, "MAIL_POLL_SECONDS", 1.0),
        "MAIL_LEASE_SECONDS": _int(env, "MAIL_LEASE_SECONDS", 300),
        # /health calls mail stalled when messages are due and no worker has recorded a
        # heartbeat for this long (portal.mail.heartbeat); with the second setting, it fails.
        "MAIL_WORKER_STALE_SECONDS": _int(env, "MAIL_WORKER_STALE_SECONDS", 120),
        "HEALTH_FAILS_ON_STALLED_MAIL": _bool(env.get("HEALTH_FAILS_ON_STALLED_MAIL")),
        "REDIS_URL": env.get("REDIS_URL") or None,
        # htmx comes from a CDN pinned by SRI, or from static/vendor for offline use and tests.
        "HTMX_SOURCE": env.get("HTMX_SOURCE", "cdn"),
        "SIGN_IN_LINK_MINUTES": _int(env, "SIGN_IN_LINK_MINUTES", 15),
        "SESSION_IDLE_MINUTES": _int(env, "SESSION_IDLE_MINUTES", 30),
        "SESSION_MAX_HOURS": _int(env, "SESSION_MAX_HOURS", 12),
        # What `flask retention apply` keeps (portal.retention): IP addresses and browser
        # strings for this many months, and accounts unused this long are warned.
        "IP_RETENTION_MONTHS": _int(env, "IP_RETENTION_MONTHS", 12),
        "INACTIVE_ACCOUNT_MONTHS": _int(env, "INACTIVE_ACCOUNT_MONTHS", 24),
        "INACTIVE_GRACE_DAYS": _int(env, "INACTIVE_GRACE_DAYS", 30),
        # Links to one address from one client, and from all clients together (see
        # portal.accounts.signin): the second caps a flood from many clients.
        "SIGN_IN_LIMIT_PER_ADDRESS": _int(env, "SIGN_IN_LIMIT_PER_ADDRESS", 5),
        "SIGN_IN_LIMIT_PER_ADDRESS_TOTAL": _int(env, "SIGN_IN_LIMIT_PER_ADDRESS_TOTAL", 15),
        "SIGN_IN_LIMIT_PER_CLIENT": _int(env, "SIGN_IN_LIMIT_PER_CLIENT", 30),
        "RATE_LIMIT_WINDOW_SECONDS": _int(env, "RATE_LIMIT_WINDOW_SECONDS", 15 * 60),
        "SEARCH_PAGE_SIZE": _int(env, "SEARCH_PAGE_SIZE", 20),
        # How many matches a search counts and ranks at most (portal.mentors.search).
        "SEARCH_RANK_WINDOW": _int(env, "SEARCH_RANK_WINDOW", 200),
        # The session is re-stamped at most every 30 seconds (portal.security); re-issuing the
        # cookie on every response as well only costs bytes and defeats shared caches.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": environment == "production",
        # The __Host- prefix makes browsers refuse the cookie unless it is Secure, for this
        # host only and for every path: a neighbouring subdomain cannot plant or read it.
        "SESSION_COOKIE_NAME": "__Host-session" if environment == "production" else "session",
        "REMEMBER_COOKIE_DURATION": 0,
        "WTF_CSRF_TIME_LIMIT": None,  # the session's own lifetime bounds the token
        "TRUST_PROXY_HOPS": _int(env, "TRUST_PROXY_HOPS", 0),
        # Bounded input: the largest form (a mentor profile, about 13,000 characters at its
        # limits) is under 160 kB even in 4-byte characters; anything bigger is refused, unread.
        "MAX_CONTENT_LENGTH": _int(env, "MAX_FORM_KB", 256) * 1024,
        "MAX_FORM_MEMORY_SIZE": 64 * 1024, "MAX_FORM_PARTS": 200,  # multipart: per part, parts
        # Monitoring that sends "Authorization: Bearer <HEALTH_TOKEN>" sees /health's figures;
        # everyone else off this machine sees only up or down.
        "HEALTH_TOKEN": env.get("HEALTH_TOKEN") or None,
        # Where the beta banner sends feedback on pages that belong to no one scheme (a
        # scheme's own pages send it to the scheme's mailbox); unset, the banner links to /help.
        "FEEDBACK_EMAIL": (env.get("FEEDBACK_EMAIL") or "").strip() or None,
    }
    config["PERMANENT_SESSION_LIFETIME"] = config["SESSION_MAX_HOURS"] * 3600
    _check(config, server_named=bool(mail_server), env_named=bool(env.get("PORTAL_ENV")))
    return config


def _check(config: dict, *, server_named: bool = True, env_named: bool = True) -> None:
    """Refuse to start on a contradictory or incomplete setting, naming every problem at once."""
    problems = _problems(config, server_named=server_named)
    if problems:
        preface = "" if env_named else (
            "PORTAL_ENV is not set, so the portal applies its production rules. To try it on "
            "this machine with the local mailbox, set PORTAL_ENV=development (make demo does).\n")
        raise ConfigError(preface + "The portal cannot start until these settings are fixed:\n"
                          + "\n".join(f"- {problem}" for problem in problems))


def _is_email_address(value: str) -> bool:
    """A plain address (no display name) that a mail link can use, checked offline."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _problems(config: dict, *, server_named: bool) -> list[str]:
    problems = []
    add = problems.append
    production = config["PORTAL_ENV"] == "production"
    smtp = config["MAIL_TRANSPORT"] == "smtp"
    if config["MAIL_TRANSPORT"] not in {"local", "smtp"}:
        add("MAIL_TRANSPORT must be local or smtp.")
    if config["MAIL_DELIVERY"] not in {"inline", "worker"}:
        add("MAIL_DELIVERY must be inline or worker.")
    if config["MAIL_USE_TLS"] and config["MAIL_USE_SSL"]:
        add("MAIL_USE_TLS (STARTTLS) and MAIL_USE_SSL cannot both be on: choose one.")
    if not 0 < config["MAIL_PORT"] < 65536:
        add(f"MAIL_PORT must be between 1 and 65535, not {config['MAIL_PORT']}.")
    elif config["MAIL_USE_SSL"] and config["MAIL_PORT"] in (25, 587):
        add(f"MAIL_PORT {config['MAIL_PORT']} expects STARTTLS, but MAIL_USE_SSL is on: "
            "use MAIL_USE_TLS instead, or port 465 for SSL.")
    elif config["MAIL_USE_TLS"] and config["MAIL_PORT"] == 465:
        add("MAIL_PORT 465 expects SSL from the start, but MAIL_USE_TLS (STARTTLS) is on: "
            "use MAIL_USE_SSL instead, or port 587 for STARTTLS.")
    if bool(config["MAIL_USERNAME"]) != bool(config["MAIL_PASSWORD"]):
        add("MAIL_USERNAME and MAIL_PASSWORD go together: set both or neither.")
    sender = parseaddr(config["MAIL_DEFAULT_SENDER"])[1]
    if "@" not in sender:
        add("MAIL_DEFAULT_SENDER must be an email address, such as 'Mentoring portal "
            f"<mentoring@council.gov.uk>', not {config['MAIL_DEFAULT_SENDER']!r}.")
    for name, low in (("MAIL_MAX_ATTEMPTS", 1), ("MAIL_BATCH_SIZE", 1),
                      ("MAIL_TIMEOUT_SECONDS", 1), ("DATABASE_CONNECT_TIMEOUT", 1),
                      ("IP_RETENTION_MONTHS", 1), ("INACTIVE_ACCOUNT_MONTHS", 1),
                      ("INACTIVE_GRACE_DAYS", 7)):
        if config[name] < low:
            add(f"{name} must be at least {low}.")
    if config["MAIL_POLL_SECONDS"] <= 0:
        add("MAIL_POLL_SECONDS must be more than 0.")
    if config["MAIL_LEASE_SECONDS"] < 6 * config["MAIL_TIMEOUT_SECONDS"]:
        add("MAIL_LEASE_SECONDS must be at least six times MAIL_TIMEOUT_SECONDS, so that a "
            "worker can finish a message before its claim runs out.")
    # A live worker goes up to a minute between rounds while the mail server or the database
    # is unreachable (or MAIL_POLL_SECONDS when idle), and stamps its heartbeat at most every
    # 10 seconds: a shorter limit would call a waiting worker stalled.
    least_stale = max(60, math.ceil(config["MAIL_POLL_SECONDS"])) + 30
    if config["MAIL_WORKER_STALE_SECONDS"] < least_stale:
        add(f"MAIL_WORKER_STALE_SECONDS must be at least {least_stale} (the longest a working "
            "mail worker may wait between rounds, plus 30 seconds), not "
            f"{config['MAIL_WORKER_STALE_SECONDS']}.")
    redis_url = config["REDIS_URL"]
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        add("REDIS_URL must start with redis://, rediss:// or unix://.")
    if config["HTMX_SOURCE"] not in {"cdn", "vendored"}:
        add("HTMX_SOURCE must be cdn or vendored.")
    if config["MAX_CONTENT_LENGTH"] < 64 * 1024:
        add("MAX_FORM_KB must be at least 64: the longest forms, written in any script, need "
            "that much.")
    if config["FEEDBACK_EMAIL"] and not _is_email_address(config["FEEDBACK_EMAIL"]):
        add("FEEDBACK_EMAIL must be an email address, such as mentoring@council.gov.uk, not "
            f"{config['FEEDBACK_EMAIL']!r}.")
    if config["HEALTH_TOKEN"] and len(config["HEALTH_TOKEN"]) < 24:
        add("HEALTH_TOKEN must be at least 24 characters: a long random string.")
    if production:
        if not config["SECRET_KEY"]:
            add("SECRET_KEY must be set in production: a long random string, for example from "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'.")
        elif weakness := weak_secret_key(config["SECRET_KEY"]):
            add(f"SECRET_KEY must be {weakness} in production, for example from "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'.")
        if not smtp or not server_named:
            add("Production needs real mail: set MAIL_SERVER (and MAIL_PORT), even when it is "
                "a relay on this machine (localhost).")
        if not config["BASE_URL"].startswith("https://"):
            add("BASE_URL must be the portal's https:// address in production.")
        if sender.endswith(("@localhost", ".local", ".localdomain")):
            add("MAIL_DEFAULT_SENDER must be a real sender address in production.")
        if (smtp and config["MAIL_USERNAME"] and not (config["MAIL_USE_TLS"]
                                                      or config["MAIL_USE_SSL"])
                and config["MAIL_SERVER"] not in {"localhost", "127.0.0.1", "::1"}):
            add("MAIL_USERNAME is set but neither MAIL_USE_TLS nor MAIL_USE_SSL is on: the "
                "password would cross the network unencrypted.")
    return problems
