"""Dashboard panels: a mentor's profiles, a mentee's search and shortlist."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.dashboard import panel, shared
from portal.mentors import queries


@panel(40)
def mentee_panel(user):
    """For mentees still looking for a mentor: how full each shortlist is, and where to search.
    It comes after the task lists and calls, and goes once they have a mentor in every scheme."""
    if not user.has_role(Role.MENTEE):
        return None
    matched = queries.matched_scheme_ids(user)
    looking = [scheme for scheme in queries.mentee_schemes(user) if scheme.id not in matched]
    if not looking:
        return None
    counts = queries.counts_by_scheme(user)
    schemes = [(scheme, counts.get(scheme.id, 0)) for scheme in looking]
    return "mentors/_panel_mentee.html", {"schemes": schemes, "total": sum(counts.values())}


@panel(12)
def mentor_panel(user):
    """For mentors: the state of their profile in each scheme, and what to do next."""
    if not user.has_role(Role.MENTOR):
        return None
    return "mentors/_panel_mentor.html", {"items": shared(queries.profiles_of, user)}
