"""The dashboard's first panels: what to do next, and a task list for each chemistry call and
relationship (both worked out in portal.main.next_step)."""

from __future__ import annotations

from portal.dashboard import panel
from portal.main.next_step import journey_of


@panel(0)
def next_step_panel(user):
    """Everyone: the one thing to do now, or what they are waiting for."""
    return "main/_next_step.html", {"step": journey_of(user).next_step}


@panel(5)
def tasks_panel(user):
    """Mentors and mentees: where each call and relationship stands, step by step."""
    tracks = journey_of(user).tracks
    if not tracks:
        return None
    return "main/_tasks.html", {"tracks": tracks}
