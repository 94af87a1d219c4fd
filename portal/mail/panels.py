"""The dashboard panel of the mail area: undelivered emails, for administrators."""

from __future__ import annotations

from portal.dashboard import panel
from portal.mail import queries


@panel(90)
def dead_letters_panel(user):
    """Administrators see at once when some of their schemes' emails could not be delivered."""
    count = queries.dead_letter_count(user)
    if not count:
        return None
    return "mail/_dashboard_panel.html", {"count": count}
