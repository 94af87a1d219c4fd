"""Two runs of a command that overlap, as two cron jobs (or hosts) would: each in its own thread,
app context and database session, both past their first read before either writes."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any


def hold_until_both_arrive(module: Any, name: str, monkeypatch) -> None:
    """Make ``module.name`` (the function that locks a row) wait, the first time, until the
    other run reaches it too: both runs have then read the same work before either acts."""
    barrier = threading.Barrier(2)
    real = getattr(module, name)

    def held(*args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)  # only the first wait meets the other run
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, held)


def run_twice_at_once(app, run: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """``run()`` in two threads at once, each in an app context; their results."""
    from portal.extensions import db

    results: list[Any] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            with app.app_context():
                results.append(run())
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not errors, errors
    return results


def post_at_once(posts) -> list[int]:
    """Each (client, url, fields) posted in its own thread at the same moment (clients made
    beforehand in the test's thread, as two browsers would be); the statuses, sorted."""
    statuses: list[int] = []

    def post(client, url, fields):
        statuses.append(client.post(url, data=fields).status_code)

    threads = [threading.Thread(target=post, args=one) for one in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(statuses)
