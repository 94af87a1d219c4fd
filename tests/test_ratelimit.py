"""Rate limits for sign-in and registration links: in memory for one process, in Redis when
REDIS_URL is set (shared by every app process), the moving window, and what happens when Redis
is down."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import subprocess
import time
import uuid

import pytest
import redis
import time_machine

from portal import ratelimit
from portal.extensions import db
from portal.ratelimit import RateLimits
from tests.conftest import PG_URL, Client, make_app
from tests.support.mail_sink import free_port

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {REDIS_URL}: CI must test the real thing")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    return REDIS_URL


def unique_prefix() -> str:
    return f"portal-test-rl:{uuid.uuid4().hex}"


def another_app(tmp_path, name: str, **config):
    """An app process of its own (its own settings and counters). On SQLite it has a database
    file of its own; on PostgreSQL it shares the test database, which the ``app`` fixture
    empties afterwards."""
    app = make_app(tmp_path / name, **config)
    app.test_client_class = Client
    if not PG_URL:
        with app.app_context():
            db.create_all()
    return app


def app_on_redis(tmp_path, url: str, prefix: str, name: str):
    app = another_app(tmp_path, name, REDIS_URL=url)
    app.extensions["ratelimit"].prefix = prefix  # this test's keys only
    return app


def ask_for_link(client, email: str):
    return client.post_form("/sign-in", {"email": email})


def test_a_look_counts_nothing_and_a_refused_hit_counts_nothing():
    limits = RateLimits()
    assert limits.status() == "memory"
    assert all(limits.test("a", 3, 60) for _ in range(10))
    assert [limits.hit("a", 3, 60) for _ in range(5)] == [True, True, True, False, False]
    assert not limits.test("a", 3, 60)
    assert limits.hit("b", 3, 60)  # each key has its own count
    limits.reset()
    assert limits.hit("a", 3, 60)


@pytest.mark.parametrize("where", ["memory", "redis"])
def test_the_window_moves_so_a_boundary_never_lets_twice_the_limit_through(where, request):
    limits = (RateLimits(request.getfixturevalue("redis_url"), prefix=unique_prefix())
              if where == "redis" else RateLimits())
    start = dt.datetime(2026, 3, 2, 9, 14, 0, tzinfo=dt.UTC)
    try:
        with time_machine.travel(start, tick=False):
            assert [limits.hit("k", 3, 60) for _ in range(3)] == [True] * 3
        # A fixed window starting at 9:14:00 would allow three more from 9:15:00.
        with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
            assert not limits.test("k", 3, 60)
            assert not limits.hit("k", 3, 60)
        with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
            assert limits.hit("k", 3, 60)
        assert limits.status() == where
    finally:
        limits.reset()


def test_redis_limits_are_shared_between_processes_and_expire(redis_url):
    prefix = unique_prefix()
    first, second = RateLimits(redis_url, prefix=prefix), RateLimits(redis_url, prefix=prefix)
    connection = redis.Redis.from_url(redis_url)
    try:
        assert first.hit("link:addr:x", 3, 60)
        assert second.hit("link:addr:x", 3, 60)
        assert second.test("link:addr:x", 3, 60)
        assert first.hit("link:addr:x", 3, 60)
        assert not second.test("link:addr:x", 3, 60)
        assert not second.hit("link:addr:x", 3, 60)
        assert second.hit("link:addr:y", 3, 60)
        keys = connection.keys(f"{prefix}:*link:addr:x*")
        assert len(keys) == 1
        assert 0 < connection.ttl(keys[0]) <= 60  # counts expire with their window
        assert first.status() == "redis"
    finally:
        first.reset()
    assert connection.keys(f"{prefix}:*") == []
    connection.close()


def test_sign_in_link_limit_holds_across_two_app_processes(app, tmp_path, redis_url, mailbox):
    prefix = unique_prefix()
    email = f"flood-{uuid.uuid4().hex[:8]}@testborough.gov.uk"
    first = app_on_redis(tmp_path, redis_url, prefix, "one")
    second = app_on_redis(tmp_path, redis_url, prefix, "two")
    assert first.extensions["ratelimit"].status() == "redis"
    answers, sent = [], {}
    try:
        for process in (first, second, first, second, first, second):
            with process.app_context():
                answers.append(ask_for_link(process.test_client(), email).status_code)
                sent[id(process)] = mailbox.count(email)
                db.session.remove()
    finally:
        first.extensions["ratelimit"].reset()
        for process in (first, second):
            with process.app_context():
                db.engine.dispose()
    assert answers == [303] * 6  # the sixth is dropped silently
    # Five links per address, wherever the requests land; in-memory counters would send 6.
    # (On SQLite each process has a database of its own; on PostgreSQL they share one.)
    assert (max(sent.values()) if PG_URL else sum(sent.values())) == 5


def test_redis_down_fails_open_to_counting_in_memory(caplog):
    clock = [1000.0]
    limits = RateLimits(f"redis://127.0.0.1:{free_port()}/0", retry_after=30,
                        clock=lambda: clock[0])
    with caplog.at_level(logging.WARNING, logger="portal.ratelimit"):
        assert limits.test("link:addr:x", 5, 900)
        allowed = [limits.hit("link:addr:x", 5, 900) for _ in range(6)]
    assert allowed == [True] * 5 + [False]  # still counted, so the limit of 5 still holds
    assert limits.status() == "memory (redis unreachable)"
    assert len(caplog.records) == 1  # one warning, not one per request
    assert "Redis did not answer" in caplog.records[0].getMessage()

    clock[0] += 31  # after the pause Redis is tried again (and is still down)
    with caplog.at_level(logging.WARNING, logger="portal.ratelimit"):
        assert not limits.hit("link:addr:x", 5, 900)
    assert len(caplog.records) == 2


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_counting_goes_back_to_redis_when_it_returns(tmp_path):
    port = free_port()
    clock = [1000.0]
    limits = RateLimits(f"redis://127.0.0.1:{port}/0", retry_after=30, clock=lambda: clock[0])
    assert limits.hit("k", 2, 900)  # down: memory
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        assert limits.hit("k", 2, 900)  # still in the pause: memory
        assert not limits.hit("k", 2, 900)
        clock[0] += 31
        assert limits.hit("k", 2, 900)  # Redis again, with a fresh count
        assert limits.status() == "redis"
        assert client.keys("portal:rl:*")
        client.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    limits._redis_storage.storage.close()


def test_sign_in_still_works_and_is_limited_while_redis_is_down(app, tmp_path, mailbox):
    down = another_app(tmp_path, "down", REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
                       SIGN_IN_LIMIT_PER_CLIENT=7)
    with down.app_context():
        client = down.test_client()
        answers = [ask_for_link(client, "down@testborough.gov.uk").status_code for _ in range(7)]
        sent = mailbox.count("down@testborough.gov.uk")
        over = ask_for_link(client, "other@testborough.gov.uk").status_code
        health = client.get("/health").json
        assert ratelimit.status() == "memory (redis unreachable)"
        db.session.remove()
        db.engine.dispose()
    assert answers == [303] * 7
    assert sent == 5  # the address's limit holds in memory
    assert over == 429  # and so does the client's
    assert health["rate_limits"] == "memory (redis unreachable)"
