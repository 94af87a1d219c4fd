"""Schemes: the unit of configuration, loaded from scheme packs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow

#: The defaults of a pack's [running] settings (see Scheme.running).
RUNNING_DEFAULTS: dict[str, Any] = {
    "quiet_weeks": 6,
    "actions_by": "mentee",
    "action_plan_each_session": False,
    "midpoint_check_in": False,
    "one_mentor_at_a_time": False,
}


class Scheme(Base):
    __tablename__ = "scheme"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable short name used in URLs and by the pack loader to update a scheme in place.
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text)
    #: Longer description shown on the scheme page, paragraphs separated by blank lines.
    about: Mapped[str] = mapped_column(sa.Text, default="")
    #: The administrator mailbox that receives signed agreements.
    admin_email: Mapped[str] = mapped_column(sa.String(254))
    #: Reply-To for the scheme's emails (defaults to the administrator mailbox).
    reply_to: Mapped[str | None] = mapped_column(sa.String(254))
    mentor_eligibility: Mapped[str] = mapped_column(sa.Text)
    mentee_eligibility: Mapped[str] = mapped_column(sa.Text)
    needs_line_manager_approval: Mapped[bool] = mapped_column(default=False)
    #: Organisation domains a line manager's address must end in (or be a subdomain of), such
    #: as ["westsuffolk.gov.uk"]; empty means any address that is not the mentee's own.
    line_manager_domains: Mapped[list] = mapped_column(default=list)
    max_open_requests: Mapped[int] = mapped_column(default=3)
    shortlist_limit: Mapped[int] = mapped_column(default=5)
    request_reminder_days: Mapped[int] = mapped_column(default=3)
    request_expiry_days: Mapped[int] = mapped_column(default=7)
    #: How long signed agreements are kept after a relationship ends.
    retention_years: Mapped[int] = mapped_column(default=6)
    expertise_areas: Mapped[list] = mapped_column(default=list)
    #: {"sections": [{"title", "party", "clauses": [...]}], "terms": {name: default}, "notes": ...}
    agreement_template: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: {"mentor": [questions], "mentee": [questions], "window_days", "anonymous",
    #: "at_midpoint", "follow_up_months"}: the pack's [evaluation] table, checked at load.
    evaluation_form: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The scheme's own look, from its pack's [brand] table: {"organisation", "colour" (#rrggbb,
    #: checked for contrast at load), "logo" (a file in packs/logos/), "logo_alt"}. Empty: the
    #: portal's own.
    brand: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: How the running relationship works, from the pack's [running] table: "quiet_weeks" (no
    #: session booked or logged for this many weeks sends a nudge; default 6), "actions_by"
    #: (who records the action plan: mentee, mentor or both), "action_plan_each_session"
    #: (the follow-up after each session asks for one), "midpoint_check_in" (a check-in half way
    #: through as well as on the review date), "one_mentor_at_a_time" (a mentee working with a
    #: mentor cannot ask another for a call; otherwise they are warned). Empty: the defaults.
    running: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Abbreviations and the words they stand for, from the pack's [search] table: groups of
    #: forms that search treats as one, such as [["TfL", "Transport for London"]]. Empty: none.
    search_synonyms: Mapped[list] = mapped_column(default=list)
    #: The privacy notice's own facts, from the pack's [privacy] table: "controller",
    #: "contact", "lawful_basis" (any left out take their defaults: see privacy_notice).
    privacy: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The optional equality-monitoring questions, from the pack's [equality] table:
    #: {"purpose": why the scheme asks (optional), "questions": [{"key", "question", "hint"
    #: (optional), "options"}]}, checked at load. Empty: the scheme asks none.
    equality: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def running_setting(self, key: str) -> Any:
        """One of the pack's [running] settings, or its default (RUNNING_DEFAULTS)."""
        return (self.running or {}).get(key, RUNNING_DEFAULTS[key])

    def __repr__(self) -> str:
        return f"<Scheme {self.slug}>"

    @property
    def equality_questions(self) -> list[dict[str, Any]]:
        """The equality-monitoring questions the scheme asks, in order; [] when none."""
        return list((self.equality or {}).get("questions") or [])

    @property
    def privacy_notice(self) -> dict[str, str]:
        """Who is responsible for people's data in this scheme, whom to contact, and on what
        basis it is used: the pack's [privacy] table, with defaults for what it leaves out."""
        given = self.privacy or {}
        return {
            "controller": given.get("controller") or (self.brand or {}).get("organisation")
            or self.name,
            "contact": given.get("contact") or self.admin_email,
            "lawful_basis": given.get("lawful_basis") or DEFAULT_LAWFUL_BASIS,
        }


#: The usual basis for a public body's staff mentoring scheme, unless its pack says otherwise.
DEFAULT_LAWFUL_BASIS = (
    "Article 6(1)(e) of the UK GDPR: the organisation's public task, which includes developing "
    "the skills of the people who work for it and for its partners. Taking part is voluntary.")
