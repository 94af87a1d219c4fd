"""The dashboard panel: each agreement a person is party to, and their next step."""

from __future__ import annotations

from portal.agreements import queries
from portal.agreements.progress import next_step
from portal.dashboard import panel


@panel(30)
def agreements_panel(user):
    agreements = queries.for_person(user.id)
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
