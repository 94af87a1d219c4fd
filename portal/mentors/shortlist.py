"""A mentee's shortlist: the mentors they are thinking of asking for a chemistry call."""

from __future__ import annotations

from portal import audit
from portal.accounts.models import Role, User
from portal.errors import DomainError
from portal.extensions import db
from portal.mentors import queries
from portal.mentors.models import ShortlistEntry


class ShortlistFull(DomainError):
    """The scheme's shortlist limit is reached."""


def _not_available() -> DomainError:
    return DomainError("This mentor's profile is not available.", status=404,
                       title="Profile not found",
                       next_step="Search for another mentor in your scheme.")


def add(mentee: User, profile_id: int) -> ShortlistEntry:
    """Put a published profile from one of the mentee's schemes on their shortlist.

    Adding a mentor who is already there changes nothing (a double click is not an error).
    A refusal ends the transaction, so the caller may show why and read on.
    """
    try:
        return _add(mentee, profile_id)
    except DomainError:
        db.session.rollback()  # nothing was changed; this lets the mentee's row go
        raise


def _add(mentee: User, profile_id: int) -> ShortlistEntry:
    queries.lock_mentee(mentee)
    profile = queries.profile_by_id(profile_id)
    if (profile is None or not profile.is_visible
            or not mentee.has_role(Role.MENTEE, profile.scheme_id)):
        raise _not_available()
    if profile.user_id == mentee.id:
        raise DomainError("This is your own mentor profile, so you cannot shortlist it.",
                          next_step="Search for another mentor in your scheme.")
    existing = queries.shortlist_entry(mentee, profile_id)
    if existing is not None:
        return existing
    scheme = profile.scheme
    if queries.shortlist_size(mentee, scheme.id) >= scheme.shortlist_limit:
        raise ShortlistFull(
            f"Your shortlist for {scheme.name} already has {scheme.shortlist_limit} mentors, "
            "which is as many as the scheme allows.",
            next_step="Nothing has changed. Remove a mentor from your shortlist if you want "
                      "to add this one.",
            title="Your shortlist is full")
    entry = ShortlistEntry(mentee_id=mentee.id, profile_id=profile.id, scheme_id=scheme.id)
    db.session.add(entry)
    db.session.flush()
    audit.record(db.session, "mentor_profile", profile.id, "shortlisted", actor_id=mentee.id)
    db.session.commit()
    return entry


def remove(mentee: User, profile_id: int) -> None:
    """Take a mentor off the shortlist (nothing happens if they are not on it)."""
    queries.lock_mentee(mentee)
    entry = queries.shortlist_entry(mentee, profile_id)
    if entry is None:
        db.session.rollback()
        return
    db.session.delete(entry)
    audit.record(db.session, "mentor_profile", profile_id, "unshortlisted", actor_id=mentee.id)
    db.session.commit()


def save_note(mentee: User, profile_id: int, note: str) -> ShortlistEntry:
    """Keep a private note about a shortlisted mentor. Only the mentee ever sees it."""
    queries.lock_mentee(mentee)
    entry = queries.shortlist_entry(mentee, profile_id)
    if entry is None:
        raise DomainError("This mentor is not on your shortlist.", status=404,
                          title="Not on your shortlist",
                          next_step="Add the mentor to your shortlist first.")
    entry.note = note.strip()
    # The note itself stays out of the audit trail: it is private.
    audit.record(db.session, "shortlist_entry", entry.id, "note_saved", actor_id=mentee.id)
    db.session.commit()
    return entry
