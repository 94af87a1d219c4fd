"""Dashboard panels: a mentee's requests and calls; a mentor's incoming requests, calls and
places."""

from __future__ import annotations

from portal.accounts.models import Role, User
from portal.calls import queries
from portal.calls.models import CallState
from portal.calls.outcome import may_decide
from portal.calls.requesting import latest_approval
from portal.dashboard import panel
from portal.db import utcnow


@panel(20)
def mentee_panel(user: User):
    if not user.has_role(Role.MENTEE):
        return None
    calls = queries.mentee_calls(user)
    approvals = []
    for membership in user.memberships:
        scheme = membership.scheme
        if membership.role == Role.MENTEE and scheme.needs_line_manager_approval:
            approvals.append((scheme, latest_approval(user.id, scheme.id)))
    now = utcnow()
    accepted = [c for c in calls if c.state == CallState.ACCEPTED]
    return "calls/_panel_mentee.html", {
        "requests": [c for c in calls if c.state != CallState.ACCEPTED],
        "upcoming": sorted((c for c in accepted if c.scheduled_at > now),
                           key=lambda c: c.scheduled_at),
        "to_decide": [c for c in accepted if c.scheduled_at <= now],
        "may_decide": {c.id for c in accepted if may_decide(c, "mentee")},
        "open_requests": sum(1 for c in calls if c.state == CallState.REQUESTED),
        "approvals": approvals,
    }


@panel(21)
def mentor_panel(user: User):
    if not user.has_role(Role.MENTOR):
        return None
    calls = queries.mentor_calls(user)
    now = utcnow()
    accepted = [c for c in calls if c.state == CallState.ACCEPTED]
    return "calls/_panel_mentor.html", {
        "incoming": [c for c in calls if c.state == CallState.REQUESTED],
        "upcoming": sorted((c for c in accepted if c.scheduled_at > now),
                           key=lambda c: c.scheduled_at),
        "to_decide": [c for c in accepted if c.scheduled_at <= now],
        "may_decide": {c.id for c in accepted if may_decide(c, "mentor")},
        "places": queries.mentor_places(user),
    }
