"""The dashboard panel: the evaluations waiting for the person's answers."""

from __future__ import annotations

from portal.dashboard import panel
from portal.db import utcnow
from portal.evaluations import queries


@panel(35)
def evaluations_panel(user):
    """Mentors and mentees: each evaluation still open for their answers, and when it closes."""
    waiting = queries.waiting_for(user.id, utcnow())
    if not waiting:
        return None
    return "evaluations/_panel.html", {
        "rows": [(evaluation, queries.other_name(evaluation)) for evaluation in waiting]}
