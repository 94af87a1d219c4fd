"""Rate limits on the `limits` library: in Redis when REDIS_URL is set, in memory otherwise.

The strategy is a moving window: at most ``limit`` hits in any ``window`` seconds. A fixed
window would let twice the limit through across a window boundary (five links at 9:14:59 and
five more at 9:15:00), and its ``hit`` counts refused attempts too. A moving window's ``hit`` is
a check-and-count in one step (one Lua script in Redis, so processes cannot overshoot together)
that records nothing when it refuses, and ``test`` only looks. It keeps one timestamp per hit,
at most ``limit`` of them per key, which is nothing at these limits.

When Redis cannot be reached the limits fail open to this process's own memory counters, and
Redis is tried again after a short pause. Sign-in and registration links are the front door of
an email-first portal: refusing every link while Redis is down (fail closed) would lock
everyone out, while counting in memory still caps each process, so a flood of link emails to
one address stays bounded (by the limit times the number of app processes) until Redis is back.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable

from flask import Flask, current_app
from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

PREFIX = "portal:rl"  # Redis keys are portal:rl:LIMITER/<key>/<limit>/<window>/second


class RateLimits:
    """Moving-window limits in Redis (shared by every process) or in this process's memory.

    If Redis does not answer, counting falls back to memory for ``retry_after`` seconds.
    """

    def __init__(self, redis_url: str | None = None, *, prefix: str = PREFIX,
                 retry_after: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._redis_storage: RedisStorage | None = None
        if redis_url:
            import redis

            # Short timeouts: a request must not hang on Redis before failing open.
            self._redis_storage = RedisStorage(redis_url, key_prefix=prefix, socket_timeout=1,
                                               socket_connect_timeout=1)
            self._redis = MovingWindowRateLimiter(self._redis_storage)
            self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._retry_after = retry_after
        self._clock = clock
        self._down_until = 0.0

    @property
    def prefix(self) -> str | None:
        return self._redis_storage.key_prefix if self._redis_storage else None

    @prefix.setter
    def prefix(self, value: str) -> None:
        assert self._redis_storage is not None, "only Redis keys have a prefix"
        self._redis_storage.key_prefix = value

    def _run(self, method: str, key: str, limit: int, window: int) -> bool:
        item = RateLimitItemPerSecond(limit, window)
        if self._redis_storage is None or self._clock() < self._down_until:
            return getattr(self._memory, method)(item, key)
        try:
            return getattr(self._redis, method)(item, key)
        except self._errors as error:
            self._down_until = self._clock() + self._retry_after
            log.warning("Rate limits: Redis did not answer (%s); counting in this process's "
                        "memory for %d seconds", error, self._retry_after)
            return getattr(self._memory, method)(item, key)

    def test(self, key: str, limit: int, window: int) -> bool:
        """Whether one more hit would be allowed; counts nothing."""
        return self._run("test", key, limit, window)

    def hit(self, key: str, limit: int, window: int) -> bool:
        """Count one hit if the limit allows it; False (and nothing counted) if not."""
        return self._run("hit", key, limit, window)

    def clear(self, key: str, limit: int, window: int) -> None:
        """Forget the hits counted under ``key`` (both stores: one may hold them after Redis
        was away)."""
        item = RateLimitItemPerSecond(limit, window)
        self._memory.clear(item, key)
        if self._redis_storage is not None:
            with contextlib.suppress(*self._errors):
                self._redis.clear(item, key)

    def reset(self) -> None:
        """Forget every count (tests and operators)."""
        self._memory.storage.reset()
        if self._redis_storage is not None:
            with contextlib.suppress(*self._errors):  # nothing to forget if Redis is down
                self._redis_storage.reset()

    def status(self) -> str:
        """Where counting happens now: in Redis, or in memory (by choice or while Redis is
        unreachable)."""
        if self._redis_storage is None:
            return "memory"
        if self._clock() < self._down_until:
            return "memory (redis unreachable)"
        return "redis"


def init_app(app: Flask) -> None:
    app.extensions["ratelimit"] = RateLimits(app.config.get("REDIS_URL"))


def _window(window: int | None) -> int:
    return window or current_app.config["RATE_LIMIT_WINDOW_SECONDS"]


def test(key: str, limit: int, window: int | None = None) -> bool:
    """Whether ``key`` has room for one more hit in the window; counts nothing."""
    return current_app.extensions["ratelimit"].test(key, limit, _window(window))


def hit(key: str, limit: int, window: int | None = None) -> bool:
    """Count one hit under ``key`` if the limit allows it; False (counting nothing) if not."""
    return current_app.extensions["ratelimit"].hit(key, limit, _window(window))


def clear(key: str, limit: int, window: int | None = None) -> None:
    """Forget what was counted under ``key`` (an erased account's address)."""
    current_app.extensions["ratelimit"].clear(key, limit, _window(window))


def status() -> str:
    """Where the counters live right now, for the health endpoint."""
    return current_app.extensions["ratelimit"].status()
