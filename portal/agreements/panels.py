"""The dashboard panel: each agreement a person is party to, and their next step."""

from __future__ import annotations

from portal.agreements import queries
from portal.agreements.progress import next_step
from portal.dashboard import panel, shared
from portal.relationships.models import RelationshipState


@panel(30)
def agreements_panel(user):
    # The task list's agreements (it also shows those ended lately), loaded once.
    agreements = [a for a in shared(queries.on_dashboard, user.id)
                  if a.relationship.state != RelationshipState.ENDED]
    if not agreements:
        return None
    rows = []
    for agreement in agreements:
        party = agreement.party(user.id)
        other = agreement.person("mentee" if party == "mentor" else "mentor")
        rows.append({"agreement": agreement, "party": party, "other": other,
                     "step": next_step(agreement, user.id),
                     "sessions_may_start": agreement.relationship.may_sessions_start})
    return "agreements/_panel.html", {"rows": rows}
