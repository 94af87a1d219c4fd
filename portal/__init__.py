"""The mentoring portal: an application factory in the flaskr / microblog tradition.

The factory imports the portal's modules inside its functions: this package runs first
whenever any of them is imported, so importing them at the top would be a cycle.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app. ``test_config`` overrides settings read from the environment."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("PORTAL_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    from portal import config

    env = None
    if test_config and "PORTAL_ENV" in test_config:
        # Tests and benchmarks name their environment; the rules checked are that one's.
        env = {**os.environ, "PORTAL_ENV": test_config["PORTAL_ENV"]}
    app.config.update(config.load(app.instance_path, env))
    if test_config:
        app.config.update(test_config)
        if ("SQLALCHEMY_DATABASE_URI" in test_config
                and "SQLALCHEMY_ENGINE_OPTIONS" not in test_config):
            # The options follow the database named here, not the environment's DATABASE_URL.
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config.engine_options(
                test_config["SQLALCHEMY_DATABASE_URI"], env if env is not None else os.environ)
    config.make_instance_folder(app.instance_path)
    _create_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])

    register_url_converters(app)  # before any route is added: routes bind their converters
    register_extensions(app)
    register_areas(app)
    register_template_helpers(app)
    from portal.errors import register_error_handlers

    register_error_handlers(app)
    return app


def _create_sqlite_file(url: str) -> None:
    """Create an embedded database file readable by the portal's own user only.

    SQLite gives its -wal and -shm files the database file's permissions.
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    try:
        descriptor = os.open(parsed.database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except FileNotFoundError:
        return  # a folder that does not exist: SQLite's own error says so on first use
    os.close(descriptor)


def register_url_converters(app: Flask) -> None:
    """Make every ``<int:...>`` and ``<name>`` in a route refuse what no record could match.

    An id past the id columns' INTEGER range, or a path segment holding a control character
    (NUL above all), made PostgreSQL raise an error; now such an address is simply not found.
    """
    from werkzeug.routing import IntegerConverter, UnicodeConverter

    class IdConverter(IntegerConverter):
        # ASCII digits with no leading zero (so each record has one address, and no digits from
        # other scripts, which int() accepts), up to the largest INTEGER in SQL.
        regex = r"[1-9][0-9]{0,9}"

        def __init__(self, map, *args, **kwargs) -> None:
            kwargs.setdefault("max", 2**31 - 1)
            super().__init__(map, *args, **kwargs)

    class SegmentConverter(UnicodeConverter):
        def __init__(self, map, *args, **kwargs) -> None:
            super().__init__(map, *args, **kwargs)
            self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f]", 1)

    app.url_map.converters.update(int=IdConverter, default=SegmentConverter,
                                  string=SegmentConverter)


def register_extensions(app: Flask) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from portal import (
        models,  # noqa: F401  (every table known to the metadata and Alembic)
        ratelimit,
        redaction,
        security,
    )
    from portal.extensions import csrf, db, login_manager, mail, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "..", "migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    ratelimit.init_app(app)
    security.init_app(app)
    redaction.init_app(app)  # no emailed link's token in any log line
    hops = app.config["TRUST_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _load_user(user_id: str):
    """Find the person behind a session, refusing a session from before their last sign-out."""
    from portal.accounts.models import User
    from portal.extensions import db

    try:
        uid, version = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_version != version or user.erased_at is not None:
        return None
    return user


#: The areas, each a package with an ``init_app(app)`` that registers its blueprint, dashboard
#: panels, commands and hooks: the only place anything is wired, in the order pages list them.
AREAS = ("main", "accounts", "schemes", "mentors", "calls", "agreements", "relationships",
         "evaluations", "equality", "admin", "mail", "personal_data", "retention")


def register_areas(app: Flask) -> None:
    import importlib

    for area in AREAS:
        importlib.import_module(f"portal.{area}").init_app(app)
    from portal import demo, health, links

    app.register_blueprint(health.bp)
    links.init_app(app)  # /done: where every emailed link's action lands, without its token
    demo.register(app)  # `flask demo seed`


def register_template_helpers(app: Flask) -> None:
    from portal import templating

    templating.init_app(app)
