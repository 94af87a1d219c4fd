"""Dashboard panels: each area adds what a person needs to see next, without the dashboard
view knowing every area. A panel is a function of the signed-in user that returns
(template, context) or None when it has nothing to show.

``@panel(order)`` only marks a function; the area's ``init_app`` adds it to the app with
``add_panels``, so nothing is registered by importing a module. Panels that need the same
rows (a mentee's calls are both a task list and a panel) load them through ``shared``, once
per request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g

Panel = Callable[[Any], tuple[str, dict] | None]


def panel(order: int) -> Callable[[Panel], Panel]:
    """Mark a function as a dashboard panel; lower ``order`` shows first."""

    def mark(fn: Panel) -> Panel:
        fn.panel_order = order
        return fn

    return mark


def add_panels(app: Flask, *panels: Panel) -> None:
    """Show these marked panels on this app's dashboard, in their order."""
    registered = app.extensions.setdefault("dashboard_panels", [])
    for fn in panels:
        if fn not in registered:
            registered.append(fn)
    registered.sort(key=lambda fn: fn.panel_order)


def shared(load: Callable[..., Any], *args: Any) -> Any:
    """``load(*args)``, loaded once per request however many panels ask for it.

    For the dashboard's reads only: a page that changes rows and then reads them again must
    call the query itself."""
    loaded = g.setdefault("_dashboard_shared", {})
    key = (load, args)
    if key not in loaded:
        loaded[key] = load(*args)
    return loaded[key]


def panels_for(user) -> list[tuple[str, dict]]:
    shown = []
    for fn in current_app.extensions.get("dashboard_panels", []):
        result = fn(user)
        if result is not None:
            shown.append(result)
    return shown
