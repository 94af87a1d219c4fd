"""Fixed-window rate limits: counters in Redis when REDIS_URL is set, in memory otherwise.

When Redis cannot be reached the limits fail open to this process's own memory counters, and
Redis is tried again after a short pause. Sign-in and registration links are the front door of
an email-first portal: refusing every link while Redis is down (fail closed) would lock
everyone out, while counting in memory still caps each process, so a flood of link emails to
one address stays bounded (by the limit times the number of app processes) until Redis is back.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app

log = logging.getLogger(__name__)


class MemoryCounter:
    """Counters for one process: fine for the embedded default, not shared between processes."""

    backend = "memory"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def hit(self, key: str, window: int) -> int:
        now = time.monotonic()
        with self._lock:
            count, expires = self._counts.get(key, (0, now + window))
            if now >= expires:
                count, expires = 0, now + window
            count += 1
            self._counts[key] = (count, expires)
            if len(self._counts) > 100_000:  # keep memory bounded under a flood of addresses
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            return count

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def status(self) -> str:
        return "memory"


class RedisCounter:
    """Counters shared by every app process through Redis (INCR with an expiry).

    If Redis does not answer, counting falls back to memory for ``retry_after`` seconds.
    """

    backend = "redis"

    def __init__(self, url: str, *, prefix: str = "portal:rl:", retry_after: float = 30.0,
                 clock=time.monotonic) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._errors = (redis.RedisError, OSError)
        self.prefix = prefix
        self._retry_after = retry_after
        self._clock = clock
        self._down_until = 0.0
        self._fallback = MemoryCounter()

    def hit(self, key: str, window: int) -> int:
        if self._clock() < self._down_until:
            return self._fallback.hit(key, window)
        bucket = int(time.time() // window)
        name = f"{self.prefix}{key}:{bucket}"
        try:
            pipe = self._redis.pipeline()
            pipe.incr(name)
            pipe.expire(name, window + 5)
            count, _ = pipe.execute()
        except self._errors as error:
            self._down_until = self._clock() + self._retry_after
            log.warning("Rate-limit counters: Redis did not answer (%s); counting in this "
                        "process's memory for %d seconds", error, self._retry_after)
            return self._fallback.hit(key, window)
        return int(count)

    def reset(self) -> None:
        self._fallback.reset()
        try:
            for name in self._redis.scan_iter(f"{self.prefix}*"):
                self._redis.delete(name)
        except self._errors:
            pass

    def status(self) -> str:
        """Where counting happens now: in Redis, or in memory while Redis is unreachable."""
        if self._clock() < self._down_until:
            return "memory (redis unreachable)"
        return "redis"


def init_app(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    app.extensions["ratelimit"] = RedisCounter(url) if url else MemoryCounter()


def allow(key: str, limit: int, window: int | None = None) -> bool:
    """Count one attempt under ``key``; False once the limit for the window is passed."""
    window = window or current_app.config["RATE_LIMIT_WINDOW_SECONDS"]
    return current_app.extensions["ratelimit"].hit(key, window) <= limit


def status() -> str:
    """Where the counters live right now, for the health endpoint."""
    return current_app.extensions["ratelimit"].status()
