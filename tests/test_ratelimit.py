"""Rate limits for sign-in and registration links: in memory for one process, in Redis when
REDIS_URL is set (shared by every app process), and what happens when Redis is down."""

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
from portal.ratelimit import MemoryCounter, RedisCounter
from tests.conftest import PG_URL, Client, make_app
from tests.mail_sink import free_port

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
    return f"portal-test:{uuid.uuid4().hex}:"


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


def test_memory_counter_counts_per_key():
    counter = MemoryCounter()
    assert [counter.hit("a", 60) for _ in range(3)] == [1, 2, 3]
    assert counter.hit("b", 60) == 1
    counter.reset()
    assert counter.hit("a", 60) == 1


def test_redis_counters_are_shared_between_processes(redis_url):
    prefix = unique_prefix()
    first, second = RedisCounter(redis_url, prefix=prefix), RedisCounter(redis_url, prefix=prefix)
    try:
        assert first.hit("link:addr:x", 60) == 1
        assert second.hit("link:addr:x", 60) == 2
        assert first.hit("link:addr:x", 60) == 3
        assert second.hit("link:addr:y", 60) == 1
        [key] = first._redis.keys(f"{prefix}link:addr:x:*")
        assert 0 < first._redis.ttl(key) <= 65  # counters expire with their window
        assert first.status() == "redis"
    finally:
        first.reset()
    assert first._redis.keys(f"{prefix}*") == []


def test_redis_window_starts_again_after_it_ends(redis_url):
    counter = RedisCounter(redis_url, prefix=unique_prefix())
    start = dt.datetime(2026, 3, 2, 9, 0, 1, tzinfo=dt.UTC)
    try:
        with time_machine.travel(start, tick=False):
            assert [counter.hit("k", 60) for _ in range(3)] == [1, 2, 3]
        with time_machine.travel(start + dt.timedelta(seconds=60), tick=False):
            assert counter.hit("k", 60) == 1
    finally:
        counter.reset()


def test_sign_in_link_limit_holds_across_two_app_processes(app, tmp_path, redis_url):
    prefix = unique_prefix()
    email = f"flood-{uuid.uuid4().hex[:8]}@testborough.gov.uk"
    first = app_on_redis(tmp_path, redis_url, prefix, "one")
    second = app_on_redis(tmp_path, redis_url, prefix, "two")
    assert isinstance(first.extensions["ratelimit"], RedisCounter)
    answers = []
    try:
        for process in (first, second, first, second, first, second):
            with process.app_context():
                answers.append(ask_for_link(process.test_client(), email).status_code)
                db.session.remove()
    finally:
        first.extensions["ratelimit"].reset()
        for process in (first, second):
            with process.app_context():
                db.engine.dispose()
    # Five links per address, wherever the requests land; in-memory counters would allow 6.
    assert answers == [303, 303, 303, 303, 303, 429]


def test_redis_down_fails_open_to_counting_in_memory(caplog):
    clock = [1000.0]
    counter = RedisCounter(f"redis://127.0.0.1:{free_port()}/0", retry_after=30,
                           clock=lambda: clock[0])
    with caplog.at_level(logging.WARNING, logger="portal.ratelimit"):
        counts = [counter.hit("link:addr:x", 900) for _ in range(6)]
    assert counts == [1, 2, 3, 4, 5, 6]  # still counted, so the limit of 5 still holds
    assert counter.status() == "memory (redis unreachable)"
    assert len(caplog.records) == 1  # one warning, not one per request
    assert "Redis did not answer" in caplog.records[0].getMessage()

    clock[0] += 31  # after the pause Redis is tried again (and is still down)
    with caplog.at_level(logging.WARNING, logger="portal.ratelimit"):
        assert counter.hit("link:addr:x", 900) == 7
    assert len(caplog.records) == 2


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_counting_goes_back_to_redis_when_it_returns(tmp_path):
    port = free_port()
    clock = [1000.0]
    counter = RedisCounter(f"redis://127.0.0.1:{port}/0", retry_after=30, clock=lambda: clock[0])
    assert counter.hit("k", 900) == 1  # down: memory
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
        assert counter.hit("k", 900) == 2  # still in the pause: memory
        clock[0] += 31
        assert counter.hit("k", 900) == 1  # Redis again, with a fresh count
        assert counter.status() == "redis"
        client.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    counter._redis.close()


def test_sign_in_still_works_and_is_limited_while_redis_is_down(app, tmp_path):
    down = another_app(tmp_path, "down", REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    with down.app_context():
        client = down.test_client()
        answers = [ask_for_link(client, "down@testborough.gov.uk").status_code for _ in range(6)]
        health = client.get("/health").json
        assert ratelimit.status() == "memory (redis unreachable)"
        db.session.remove()
        db.engine.dispose()
    assert answers == [303] * 5 + [429]
    assert health["rate_limits"] == "memory (redis unreachable)"
