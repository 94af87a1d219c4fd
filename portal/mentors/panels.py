"""Dashboard panels: a mentor's profiles, a mentee's search and shortlist."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.dashboard import panel
from portal.mentors import queries


@panel(10)
def mentee_panel(user):
    """For mentees: how full each shortlist is, and where to search."""
    if not user.has_role(Role.MENTEE):
        return None
    counts = queries.counts_by_scheme(user)
    schemes = [(scheme, counts.get(scheme.id, 0)) for scheme in queries.mentee_schemes(user)]
    return "mentors/_panel_mentee.html", {"schemes": schemes, "total": sum(counts.values())}


@panel(12)
def mentor_panel(user):
    """For mentors: the state of their profile in each scheme, and what to do next."""
    if not user.has_role(Role.MENTOR):
        return None
    return "mentors/_panel_mentor.html", {"items": queries.profiles_of(user)}
