"""The links relationship emails carry, made and checked only here: logging a session from its
follow-up email ("log-session") and answering a review check-in ("check-in")."""

from __future__ import annotations

from portal import tokens  # noqa: F401

# --- logging a session ---------------------------------------------------------------------------


# --- answering a check-in ------------------------------------------------------------------------
