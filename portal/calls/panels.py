"""Dashboard panels: a mentee's requests and calls; a mentor's incoming requests, calls and
places. Also the template helper behind each "Request a chemistry call" link."""

from __future__ import annotations

from flask_login import current_user

from portal.accounts.models import Role, User
from portal.calls import queries, requesting
from portal.calls.models import CallState
from portal.calls.outcome import may_decide
from portal.dashboard import panel, shared
from portal.db import utcnow
from portal.mentors import queries as mentor_queries


@panel(20)
def mentee_panel(user: User):
    if not user.has_role(Role.MENTEE):
        return None
    calls = shared(queries.mentee_calls, user)
    approvals = []
    for membership in user.memberships:
        scheme = membership.scheme
        if (membership.role == Role.MENTEE and membership.active
                and scheme.needs_line_manager_approval):
            approvals.append((scheme, queries.latest_approval(user.id, scheme.id)))
    working = queries.mentee_is_working_with_someone(user)
    if not calls and working:
        return None  # their calls ended long ago: the task list shows where they are now
    now = utcnow()
    accepted = [c for c in calls if c.state == CallState.ACCEPTED]
    return "calls/_panel_mentee.html", {
        # "You have not requested a chemistry call yet" only when that is true.
        "never_requested": not calls and not working,
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
    calls = shared(queries.mentor_calls, user)
    now = utcnow()
    accepted = [c for c in calls if c.state == CallState.ACCEPTED]
    return "calls/_panel_mentor.html", {
        "incoming": [c for c in calls if c.state == CallState.REQUESTED],
        "upcoming": sorted((c for c in accepted if c.scheduled_at > now),
                           key=lambda c: c.scheduled_at),
        "to_decide": [c for c in accepted if c.scheduled_at <= now],
        "may_decide": {c.id for c in accepted if may_decide(c, "mentor")},
        # The profiles the mentor's own panel and task list show, read once.
        "places": queries.mentor_places(
            [p for _, p in shared(mentor_queries.profiles_of, user) if p is not None]),
    }


def call_request_status(profile) -> dict | None:
    """For templates/calls/_request_link.html: may the signed-in mentee request a call with
    this mentor, and if not, why. None when the link is not for this person at all."""
    if not current_user.is_authenticated or not current_user.has_role(Role.MENTEE,
                                                                      profile.scheme_id):
        return None
    reason = requesting.refusal(current_user, profile)
    if reason is not None and reason.code == "self":
        return None
    return {"allowed": reason is None, "reason": reason}
