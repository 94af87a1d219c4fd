"""Fixtures: an app on a real database (SQLite per test, or PostgreSQL when TEST_DATABASE_URL is
set), a client that carries CSRF tokens like a browser does, the outbox as a mailbox, and
builders for the state a test starts from."""

from __future__ import annotations

import contextvars
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient

from portal import create_app
from portal.accounts.models import Membership, Role, User
from portal.db import utcnow
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mentors.models import MentorProfile, ProfileExpertise, ProfileState
from portal.schemes.models import Scheme
from tests.support import made_once

made_once.install()


def _worker_database(url: str | None) -> str | None:
    """With pytest-xdist each worker gets a database of its own: <name>_<worker>."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    parsed = sa.engine.make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


PG_URL = _worker_database(os.environ.get("TEST_DATABASE_URL"))
BASE_URL = "http://portal.test"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres_only" in item.keywords and not PG_URL:
            item.add_marker(pytest.mark.skip(reason="needs TEST_DATABASE_URL (PostgreSQL)"))


@pytest.fixture(scope="session")
def _pg_schema() -> Iterator[None]:
    """On PostgreSQL: create the tables once; each test empties them afterwards."""
    if not PG_URL:
        yield
        return
    app = create_app({"SQLALCHEMY_DATABASE_URI": PG_URL, "PORTAL_ENV": "testing"})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def make_app(tmp_path, **overrides: Any) -> Flask:
    url = PG_URL or f"sqlite:///{tmp_path / 'test.db'}"
    config = {
        "PORTAL_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "BASE_URL": BASE_URL,
        "SERVER_NAME": None,
        "MAIL_TRANSPORT": "local",
        "MAIL_DELIVERY": "inline",
        "HTMX_SOURCE": "vendored",
        "WTF_CSRF_ENABLED": True,
        "REDIS_URL": None,
    }
    config.update(overrides)
    os.environ["PORTAL_INSTANCE_PATH"] = str(tmp_path / "instance")
    app = create_app(config)
    made_once.share_templates(app)
    _made.append(app)
    return app


#: Apps made during the current test, whose connection pools are closed after it: a pool left
#: to the garbage collector closes its PostgreSQL connections in whichever test runs then,
#: which fails that test with a ResourceWarning.
_made: list[Flask] = []


@pytest.fixture(autouse=True)
def _close_pools_of_apps_made_here() -> Iterator[None]:
    yield
    while _made:
        app = _made.pop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path | None:
    """On SQLite: the tables made once per test process, in a file each test copies (a copy
    takes about 1 ms, making the tables about 40)."""
    if PG_URL:
        return None
    folder = tmp_path_factory.mktemp("template")
    app = make_app(folder)
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    _made.remove(app)
    return folder / "test.db"


@pytest.fixture
def app(tmp_path, _pg_schema, _sqlite_template) -> Iterator[Flask]:
    if _sqlite_template is not None:
        shutil.copyfile(_sqlite_template, tmp_path / "test.db")
    app = make_app(tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        if PG_URL:
            # DELETE beats TRUNCATE here: the tables are tiny, and TRUNCATE pays a fixed cost
            # per table (new files, locks) that made teardown take seconds.
            with db.engine.begin() as conn:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())
        db.engine.dispose()


class Client(FlaskClient):
    """A test client that sends the page's CSRF token with every form, as a browser would.

    Each request runs in a context of its own, as in production: its own app context, ``g`` and
    database session, never the test's. Afterwards the test's session starts a new transaction,
    so what the test reads next is what the request committed.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.rollback()
        return response

    def csrf_token(self) -> str:
        page = self.get("/accessibility").get_data(as_text=True)
        return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


@pytest.fixture
def client(app) -> Client:
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- the outbox as a mailbox -------------------------------------------------------------------

class Mailbox:
    def all(self, to: str | None = None, template: str | None = None) -> list[OutboxMessage]:
        db.session.expire_all()
        query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
        if to:
            query = query.where(OutboxMessage.to_address == to.lower())
        if template:
            query = query.where(OutboxMessage.template == template)
        return list(db.session.scalars(query))

    def last(self, to: str, template: str | None = None) -> OutboxMessage:
        messages = self.all(to, template)
        assert messages, f"no email to {to}" + (f" from template {template}" if template else "")
        return messages[-1]

    def count(self, to: str | None = None, template: str | None = None) -> int:
        return len(self.all(to, template))

    @staticmethod
    def links(message: OutboxMessage) -> list[str]:
        """Portal links in the email, as paths for the test client."""
        urls = re.findall(r"https?://[^\s<>\"]+", message.body_text)
        return [url[len(BASE_URL):] for url in urls if url.startswith(BASE_URL)]

    def link(self, message: OutboxMessage, contains: str) -> str:
        found = [link for link in self.links(message) if contains in link]
        assert found, f"no link containing {contains!r} in: {message.body_text}"
        return found[0]


@pytest.fixture
def mailbox(app) -> Mailbox:
    return Mailbox()


# --- builders ----------------------------------------------------------------------------------

PACK_DEFAULTS: dict[str, Any] = {
    "summary": "A scheme for testing.",
    "admin_email": "admin-mailbox@scheme.gov.uk",
    "mentor_eligibility": "Anyone working in the test authority.",
    "mentee_eligibility": "Anyone working in the test authority.",
    "expertise_areas": ["Leadership", "Planning policy", "Development management",
                        "Project management", "Finance"],
    "agreement_template": {
        "sections": [
            {"title": "The mentor agrees to", "party": "mentor",
             "clauses": ["Listen without judging.", "Keep notes securely."]},
            {"title": "The mentee agrees to", "party": "mentee",
             "clauses": ["Come to each session prepared.", "Arrange the meetings."]},
            {"title": "We both agree to", "party": "both",
             "clauses": ["Give 48 hours' notice if we cannot attend."]},
            {"title": "Confidentiality and its limits", "party": "confidentiality",
             "clauses": ["What we discuss stays between us, except where someone may be harmed."]},
        ],
        "terms": {"notice_hours": 48, "sessions": 6, "duration_months": 12},
    },
}


class Builders:
    """Make the state a test starts from, through the models (the journey itself is tested
    through HTTP)."""

    def __init__(self) -> None:
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    @staticmethod
    def _begin_write() -> None:
        """On SQLite, end the session's read transaction and take the write lock first
        (BEGIN IMMEDIATE), as ``portal.db.lock`` does. A transaction that has read and then
        inserts fails at once with "database is locked" if another connection committed in
        between, and in the browser tests the live portal commits whenever it likes (emails
        marked sent after a page's request has answered)."""
        session = db.session()
        if session.get_bind().dialect.name != "sqlite":
            return
        if session.in_transaction():
            session.commit()
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})

    def scheme(self, **kwargs: Any) -> Scheme:
        self._begin_write()
        n = self._next()
        values = {**PACK_DEFAULTS, "slug": f"scheme-{n}", "name": f"Test scheme {n}", **kwargs}
        scheme = Scheme(**values)
        db.session.add(scheme)
        db.session.commit()
        return scheme

    def user(self, email: str | None = None, name: str | None = None,
             roles: dict[Scheme, list[Role | str]] | None = None) -> User:
        self._begin_write()
        n = self._next()
        user = User(email=(email or f"person{n}@testborough.gov.uk").lower(),
                    full_name=name or f"Person {n}")
        for scheme, scheme_roles in (roles or {}).items():
            for role in scheme_roles:
                user.memberships.append(Membership(scheme=scheme, role=Role(role),
                                                   eligibility_confirmed_at=utcnow()))
        db.session.add(user)
        db.session.commit()
        return user

    def mentor(self, scheme: Scheme, email: str | None = None, name: str | None = None,
               state: ProfileState = ProfileState.PUBLISHED, expertise: list[str] | None = None,
               **profile: Any) -> MentorProfile:
        user = self.user(email, name, roles={scheme: [Role.MENTOR]})
        self._begin_write()
        values = {"job_title": "Principal planner", "organisation": "Test Borough Council",
                  "background": "Twenty years in local government.",
                  "offer": "Help with career planning.", "location": "Hertford", **profile}
        item = MentorProfile(user=user, scheme=scheme, display_name=user.full_name, state=state,
                             published_at=utcnow() if state != ProfileState.DRAFT else None,
                             expertise_links=[ProfileExpertise(area=a)
                                              for a in (expertise or ["Leadership"])],
                             **values)
        db.session.add(item)
        db.session.commit()
        return item

    def mentee(self, scheme: Scheme, email: str | None = None, name: str | None = None) -> User:
        return self.user(email, name, roles={scheme: [Role.MENTEE]})

    def admin(self, scheme: Scheme, email: str | None = None) -> User:
        return self.user(email, "Scheme Administrator", roles={scheme: [Role.ADMIN]})

    def relationship(self, scheme: Scheme | None = None, **kwargs: Any):
        """A pair who both said "let's work together" after their chemistry call."""
        from portal.relationships.models import Relationship

        scheme = scheme or self.scheme()
        profile = self.mentor(scheme, name=kwargs.pop("mentor_name", None),
                              email=kwargs.pop("mentor_email", None))
        mentee = self.mentee(scheme, name=kwargs.pop("mentee_name", None),
                             email=kwargs.pop("mentee_email", None))
        self._begin_write()
        item = Relationship(scheme=scheme, mentor=profile.user, mentee=mentee,
                            profile_id=profile.id, **kwargs)
        db.session.add(item)
        db.session.commit()
        return item

    def active_relationship(self, scheme: Scheme | None = None, *, start_date=None,
                            review_date=None, duration_months: int = 12,
                            activated_at=None, **kwargs: Any):
        """A running pair: the agreement signed by both and submitted, so sessions may start
        (``activated_at`` defaults to now; the terms as given)."""
        from portal.agreements.models import Agreement, AgreementState
        from portal.relationships.models import RelationshipState

        relationship = self.relationship(scheme, **kwargs)
        self._begin_write()
        now = activated_at or utcnow()
        agreement = db.session.scalar(sa.select(Agreement).where(
            Agreement.relationship_id == relationship.id))
        agreement.start_date, agreement.review_date = start_date, review_date
        agreement.duration_months = duration_months
        agreement.terms_saved_at = agreement.sent_at = agreement.signed_at = now
        agreement.submitted_at = now
        agreement.state = AgreementState.SUBMITTED
        relationship.state = RelationshipState.ACTIVE
        relationship.activated_at = now
        db.session.commit()
        return relationship


@pytest.fixture
def make(app) -> Builders:
    return Builders()


def sign_in(client: FlaskClient, user: User) -> None:
    """Start a session for ``user`` the way a used sign-in link does."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["signed_in_at"] = session["seen"] = time.time()
        session.permanent = True


@pytest.fixture
def login(client):
    def _login(user: User) -> Client:
        sign_in(client, user)
        return client

    return _login


# --- query counting ----------------------------------------------------------------------------

class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []
        #: Each statement with its parameters, as run.
        self.runs: list[tuple[str, str]] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Count the SQL statements the app runs inside the ``with`` block (pages and commands)."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()

        def before(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK",
                                                           "SAVEPOINT", "RELEASE", "PRAGMA")):
                counter.statements.append(statement)
                counter.runs.append((statement, repr(args[0] if args else None)))

        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)

    return counting
