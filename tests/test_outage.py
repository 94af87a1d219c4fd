"""What people see while the database restarts: 503 with Retry-After and the portal's own "try
again in a moment" page, nothing half-made, and the next request after it is back works.

On PostgreSQL the portal reaches the database through a TCP proxy that the test cuts, the way a
restart or a failover drops every connection and refuses new ones for a moment. On SQLite the
real cause is another process holding the write lock ("database is locked").
"""

from __future__ import annotations

import logging
import sqlite3
import time

import pytest
import sqlalchemy as sa

from portal.audit import AuditEvent
from portal.extensions import db
from portal.mentors.models import ShortlistEntry
from tests.conftest import PG_URL, Client, make_app, sign_in
from tests.support.tcp_proxy import TcpProxy

HTMX = {"HX-Request": "true"}
TRY_AGAIN = ("Sorry, there is a problem with the service", "Try again in a moment.",
             "Anything you sent has not been saved; you can send it again.")
on_postgres = pytest.mark.postgres_only
on_sqlite = pytest.mark.skipif(bool(PG_URL), reason="SQLite's own write lock")


def assert_try_again_page(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    for words in TRY_AGAIN:
        assert words in page
    assert '<h1 class="govuk-heading-l">' in page
    for detail in ("Traceback", "OperationalError", "psycopg", "sqlite", "SELECT", "INSERT"):
        assert detail not in page


def shortlisted(mentee_id: int) -> list[int]:
    """What the database holds now (on PostgreSQL, read past the proxy)."""
    db.session.rollback()
    return list(db.session.scalars(sa.select(ShortlistEntry.profile_id)
                                   .where(ShortlistEntry.mentee_id == mentee_id)))


def shortlist_audits(profile_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.subject_type == "mentor_profile", AuditEvent.subject_id == profile_id,
        AuditEvent.action == "shortlisted"))


def no_tracebacks(caplog) -> None:
    logged = [record for record in caplog.records if record.exc_info or record.exc_text]
    assert not logged, [record.getMessage() for record in logged]


@pytest.fixture
def proxy():
    url = sa.engine.make_url(PG_URL)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def portal(tmp_path, app, proxy):
    """A second portal on the same database, through the proxy (``app`` makes the tables,
    empties them afterwards and lets the test read past the proxy)."""
    proxied = make_app(tmp_path / "proxied", SQLALCHEMY_DATABASE_URI=proxy.url(PG_URL))
    proxied.test_client_class = Client
    return proxied


@pytest.fixture
def people(make):
    scheme = make.scheme()
    profile = make.mentor(scheme, name="Grace Hopper")
    mentee = make.mentee(scheme)
    return profile, mentee


@on_postgres
def test_pages_answer_503_during_a_restart_and_200_once_it_is_back(portal, proxy, people,
                                                                     caplog):
    _, mentee = people
    client = portal.test_client()
    sign_in(client, mentee)
    assert client.get("/shortlist").status_code == 200

    caplog.set_level(logging.INFO)
    proxy.cut()
    started = time.monotonic()
    during = client.get("/shortlist")
    took = time.monotonic() - started
    assert_try_again_page(during)
    assert took < 2, f"the 503 took {took:.2f}s"
    # The page links to nothing that needs the database and does not say who is signed in.
    assert "Sign out" not in during.get_data(as_text=True)
    assert mentee.full_name not in during.get_data(as_text=True)
    # htmx asks for a fragment: the same 503, which htmx-config never swaps into the page.
    assert_try_again_page(client.get("/search?q=grace", headers=HTMX))
    # A page anyone may see, too.
    assert_try_again_page(client.get("/schemes"))

    proxy.restore()
    for _ in range(3):  # the pool recovers at once: no stale connection fails a later request
        assert client.get("/shortlist").status_code == 200
    warnings = [r.getMessage() for r in caplog.records if "Database unavailable" in r.getMessage()]
    assert len(warnings) == 3 and all("503" in line for line in warnings)
    no_tracebacks(caplog)


@on_postgres
def test_a_change_sent_during_a_restart_is_not_saved_and_can_be_sent_again(portal, proxy,
                                                                            people, caplog):
    profile, mentee = people
    client = portal.test_client()
    sign_in(client, mentee)
    token = client.csrf_token()

    proxy.cut()
    try:
        during = client.post(f"/shortlist/{profile.id}/add", data={"csrf_token": token})
    finally:
        proxy.restore()
    assert_try_again_page(during)

    assert shortlisted(mentee.id) == []
    again = client.post(f"/shortlist/{profile.id}/add", data={"csrf_token": token})
    assert again.status_code == 303
    assert shortlisted(mentee.id) == [profile.id]
    assert shortlist_audits(profile.id) == 1
    no_tracebacks(caplog)


@on_sqlite
def test_a_change_that_finds_sqlite_locked_answers_503_and_can_be_sent_again(app, client, people,
                                                                             caplog):
    profile, mentee = people
    sign_in(client, mentee)
    token = client.csrf_token()
    profile_id, mentee_id = profile.id, mentee.id

    # Wait 0.2s for the lock instead of the portal's 10s, to keep the test quick.
    def short_busy_timeout(dbapi_connection, record, proxy):
        dbapi_connection.execute("PRAGMA busy_timeout=200")

    sa.event.listen(db.engine, "checkout", short_busy_timeout)
    db.session.remove()
    db.engine.dispose()
    # Another process (a command, a backup) holds the write lock.
    other = sqlite3.connect(sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database,
                            isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        during = client.post(f"/shortlist/{profile_id}/add", data={"csrf_token": token})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert_try_again_page(during)

    assert shortlisted(mentee_id) == []
    assert client.post(f"/shortlist/{profile_id}/add",
                       data={"csrf_token": token}).status_code == 303
    assert shortlisted(mentee_id) == [profile_id]
    assert shortlist_audits(profile_id) == 1
    no_tracebacks(caplog)


@on_sqlite
def test_a_database_error_that_is_a_bug_is_not_dressed_up_as_an_outage(app, client, people):
    _, mentee = people
    sign_in(client, mentee)
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE shortlist_entry"))
    # TESTING lets the error through; in production it is the 500 page with its traceback.
    with pytest.raises(sa.exc.OperationalError, match="no such table"):
        client.get("/shortlist")
