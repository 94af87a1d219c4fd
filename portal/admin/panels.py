"""The dashboard panel of the administration area: the schemes a person administers, with
the agreements waiting for them to confirm receipt and the way to each page of their desk; and,
for a site administrator, the email about no scheme that could not be delivered."""

from __future__ import annotations

from portal.admin import queries
from portal.agreements import queries as agreement_queries
from portal.agreements.models import AgreementState
from portal.dashboard import panel


@panel(80)
def admin_panel(user):
    """Administrators: each scheme they run, and how many agreements wait for them."""
    schemes = queries.administered(user)
    if not schemes:
        return None
    counts = agreement_queries.state_counts_by_scheme(scheme.id for scheme in schemes)
    return "admin/_panel.html", {
        "rows": [(scheme, counts[scheme.id].get(AgreementState.SUBMITTED, 0))
                 for scheme in schemes],
        "schemeless": (queries.schemeless_dead_letter_count()
                       if queries.is_site_admin(user) else 0)}
