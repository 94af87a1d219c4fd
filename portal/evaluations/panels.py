"""The dashboard panel: the evaluations waiting for the person's answers or signature."""

from __future__ import annotations

from portal.dashboard import panel
from portal.db import utcnow
from portal.evaluations import queries


@panel(35)
def evaluations_panel(user):
    """Mentors and mentees: each evaluation still open for their answers, and when it closes;
    and each evaluation both sign whose form waits for their signature."""
    waiting = queries.waiting_for(user.id, utcnow())
    to_sign = queries.to_sign(user.id)
    if not waiting and not to_sign:
        return None
    return "evaluations/_panel.html", {
        "rows": [(evaluation, queries.other_name(evaluation)) for evaluation in waiting],
        "to_sign": [(evaluation, queries.other_name(evaluation)) for evaluation in to_sign]}
