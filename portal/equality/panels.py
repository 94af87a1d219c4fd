"""The dashboard panel: the optional equality-monitoring questions of each scheme that asks them
and whose questions the person has not been through."""

from __future__ import annotations

from portal.dashboard import panel
from portal.equality import queries


@panel(60)
def equality_panel(user):
    """Mentors and mentees of schemes that ask: a link to each scheme's questions, marked
    optional, until they answer or say no thanks."""
    schemes = queries.waiting_schemes(user)
    if not schemes:
        return None
    return "equality/_panel.html", {"schemes": schemes}
