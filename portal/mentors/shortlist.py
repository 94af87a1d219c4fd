"""A mentee's shortlist: the mentors they are thinking of asking for a chemistry call."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from portal import audit
from portal.accounts.models import Role, User
from portal.db import lock
from portal.errors import DomainError
from portal.extensions import db
from portal.mentors.models import MentorProfile, ShortlistEntry
from portal.schemes.models import Scheme


class ShortlistFull(DomainError):
    """The scheme's shortlist limit is reached."""


def _not_available() -> DomainError:
    return DomainError("This mentor's profile is not available.", status=404,
                       title="Profile not found",
                       next_step="Search for another mentor in your scheme.")


def _lock_mentee(mentee: User) -> None:
    # One shortlist change at a time per mentee, so two quick clicks cannot pass the limit.
    lock(db.session(), sa.select(User).where(User.id == mentee.id))


def _entry(mentee: User, profile_id: int) -> ShortlistEntry | None:
    return db.session.scalar(sa.select(ShortlistEntry).where(
        ShortlistEntry.mentee_id == mentee.id, ShortlistEntry.profile_id == profile_id))


def add(mentee: User, profile_id: int) -> ShortlistEntry:
    """Put a published profile from one of the mentee's schemes on their shortlist.

    Adding a mentor who is already there changes nothing (a double click is not an error).
    """
    _lock_mentee(mentee)
    profile = db.session.get(MentorProfile, profile_id)
    if (profile is None or not profile.is_visible
            or not mentee.has_role(Role.MENTEE, profile.scheme_id)):
        raise _not_available()
    if profile.user_id == mentee.id:
        raise DomainError("This is your own mentor profile, so you cannot shortlist it.",
                          next_step="Search for another mentor in your scheme.")
    existing = _entry(mentee, profile_id)
    if existing is not None:
        return existing
    scheme = profile.scheme
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ShortlistEntry).where(
        ShortlistEntry.mentee_id == mentee.id, ShortlistEntry.scheme_id == scheme.id))
    if count >= scheme.shortlist_limit:
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
    _lock_mentee(mentee)
    entry = _entry(mentee, profile_id)
    if entry is None:
        db.session.rollback()
        return
    db.session.delete(entry)
    audit.record(db.session, "mentor_profile", profile_id, "unshortlisted", actor_id=mentee.id)
    db.session.commit()


def save_note(mentee: User, profile_id: int, note: str) -> ShortlistEntry:
    """Keep a private note about a shortlisted mentor. Only the mentee ever sees it."""
    _lock_mentee(mentee)
    entry = _entry(mentee, profile_id)
    if entry is None:
        raise DomainError("This mentor is not on your shortlist.", status=404,
                          title="Not on your shortlist",
                          next_step="Add the mentor to your shortlist first.")
    entry.note = note.strip()
    # The note itself stays out of the audit trail: it is private.
    audit.record(db.session, "shortlist_entry", entry.id, "note_saved", actor_id=mentee.id)
    db.session.commit()
    return entry


# --- reading -------------------------------------------------------------------------------------

def entries_of(mentee: User) -> list[ShortlistEntry]:
    """The mentee's whole shortlist, in the order they added mentors, with profiles loaded."""
    return list(db.session.scalars(
        sa.select(ShortlistEntry).where(ShortlistEntry.mentee_id == mentee.id)
        .options(joinedload(ShortlistEntry.profile).options(
            lazyload(MentorProfile.user), selectinload(MentorProfile.expertise_links)))
        .order_by(ShortlistEntry.created_at, ShortlistEntry.id)))


def shortlisted_ids(mentee: User, profile_ids: Iterable[int]) -> set[int]:
    """Which of these profiles the mentee has shortlisted (one query for a page of results)."""
    ids = list(profile_ids)
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(ShortlistEntry.profile_id).where(
        ShortlistEntry.mentee_id == mentee.id, ShortlistEntry.profile_id.in_(ids))))


def counts_by_scheme(mentee: User) -> dict[int, int]:
    return dict(db.session.execute(
        sa.select(ShortlistEntry.scheme_id, sa.func.count())
        .where(ShortlistEntry.mentee_id == mentee.id).group_by(ShortlistEntry.scheme_id)).all())


def mentee_schemes(mentee: User) -> list[Scheme]:
    return sorted({m.scheme for m in mentee.memberships if m.role == Role.MENTEE},
                  key=lambda s: s.name)
