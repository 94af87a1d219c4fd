"""Figures that are not page loads: the outbox's delivery rate and one agreement PDF.

Each is measured by a function of another area's code, found with a guarded import; until that
code exists the figure is skipped with a note. Each returns a Figure or raises Skip.
"""

from __future__ import annotations

import importlib
import inspect
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.scenarios import Skip


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    bar: str
    passed: bool | None
    note: str = ""


def _import(module: str):
    """The module, or Skip if it (not something it imports) does not exist yet."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name and module.startswith(error.name):
            raise Skip(f"{module.replace('.', '/')}.py does not exist yet") from None
        raise


def _call(fn: Callable, **offered: Any) -> Any:
    """Call ``fn`` with those of ``offered`` that it accepts."""
    accepted = inspect.signature(fn).parameters
    return fn(**{k: v for k, v in offered.items() if k in accepted})


def outbox_rate(database_url: str | None = None, quick: bool = False) -> Figure:
    """Messages per second from the outbox to a local SMTP sink (bench/outbox.py measures it)."""
    module = _import("bench.outbox")
    fn = next((getattr(module, name) for name in ("measure", "run", "benchmark", "main")
               if callable(getattr(module, name, None))), None)
    if fn is None:
        raise Skip("bench/outbox.py has no measure() function")
    offered = {"database_url": database_url, "quick": quick}
    if quick:
        offered["messages"] = 1000
    result = _call(fn, **offered)
    rate = _messages_per_second(result)
    note = "" if not isinstance(result, dict) else ", ".join(
        f"{k} {v}" for k, v in result.items() if not isinstance(v, dict | list))
    return Figure("outbox to a local SMTP sink", rate, "messages/s", ">= 500", rate >= 500, note)


def _messages_per_second(result: Any) -> float:
    if isinstance(result, int | float):
        return float(result)
    if isinstance(result, dict):
        for key in ("messages_per_second", "rate", "per_second", "mps"):
            if key in result:
                return float(result[key])
        numbers = [v for k, v in result.items() if "second" in k and isinstance(v, int | float)]
        if numbers:
            return float(numbers[0])
    value = getattr(result, "messages_per_second", None)
    if value is not None:
        return float(value)
    raise Skip(f"bench/outbox.py returned {result!r}, with no messages per second in it")


def agreement_pdf(repeat: int = 20) -> Figure:
    """Median time to render one signed agreement's PDF."""
    _import("portal.agreements.pdf")
    from bench import agreement_sample

    with agreement_sample.signed_agreement() as (render, agreement, version):
        render(agreement, version)  # fonts loaded once per process, as in a worker
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            render(agreement, version)
            times.append((time.perf_counter() - started) * 1000)
    median = statistics.median(times)
    return Figure("one agreement PDF", median, "ms", "<= 100", median <= 100,
                  f"median of {repeat}, worst {max(times):.1f} ms")


MEASURES = [outbox_rate, agreement_pdf]
