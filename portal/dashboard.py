"""Dashboard panels: each area adds what a person needs to see next, without the dashboard
view knowing every area. A panel is a function of the signed-in user that returns
(template, context) or None when it has nothing to show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Panel = Callable[[Any], tuple[str, dict] | None]
_panels: list[tuple[int, Panel]] = []


def panel(order: int) -> Callable[[Panel], Panel]:
    """Register a dashboard panel; lower ``order`` shows first."""

    def register(fn: Panel) -> Panel:
        _panels.append((order, fn))
        _panels.sort(key=lambda item: item[0])
        return fn

    return register


def panels_for(user) -> list[tuple[str, dict]]:
    shown = []
    for _, fn in _panels:
        result = fn(user)
        if result is not None:
            shown.append(result)
    return shown
