"""Forms for the running relationship: sessions, the action plan and check-ins."""

from __future__ import annotations

from portal.forms import PortalForm  # noqa: F401

# --- sessions and the action plan -----------------------------------------------------------------


# --- check-ins -----------------------------------------------------------------------------------
