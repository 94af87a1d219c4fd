"""Pages of a running relationship: its overview, sessions, action plan and check-ins."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("relationships", __name__, url_prefix="/relationships")

# --- the relationship page, sessions and the action plan ------------------------------------------


# --- check-ins -----------------------------------------------------------------------------------
