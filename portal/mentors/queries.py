"""Finding mentor profiles and shortlists: who may see which profile, pages' reads, and the rows
locked for a change. Searching is portal.mentors.search."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, lazyload, selectinload

from portal.accounts.models import Role, User
from portal.db import lock
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.mentors.models import MentorProfile, ShortlistEntry
from portal.relationships.models import Relationship, RelationshipState
from portal.schemes.models import Scheme

# --- who may see what ----------------------------------------------------------------------------


def may_view(profile: MentorProfile, viewer: User) -> bool:
    """Owners see their own profile in any state; people in its scheme see it once published."""
    if profile.user_id == viewer.id:
        return True
    return profile.is_visible and bool(viewer.roles_in(profile.scheme_id))


def for_viewer(profile_id: int, viewer: User) -> MentorProfile | None:
    """The profile if ``viewer`` may see it, else None (the caller answers 404, so a draft or
    hidden profile's existence is never revealed)."""
    profile = db.session.get(MentorProfile, profile_id)
    return profile if profile is not None and may_view(profile, viewer) else None


def visible_or_404(profile_id: int, viewer: User) -> MentorProfile:
    """The profile if ``viewer`` may see it; 404 otherwise."""
    profile = for_viewer(profile_id, viewer)
    if profile is None:
        abort(404)
    return profile


def for_owner(profile_id: int, user: User) -> MentorProfile | None:
    """The profile for its owner to manage; None (404) if ``user`` may not even see it."""
    profile = for_viewer(profile_id, user)
    if profile is not None and profile.user_id != user.id:
        raise NotAllowed("Only the mentor who wrote this profile can change it.",
                         title="This is not your profile")
    return profile


def owned_or_404(profile_id: int, user: User) -> MentorProfile:
    """The profile for its owner to manage; 404 if ``user`` may not see it, 403 if they may
    see it but it is someone else's."""
    profile = for_owner(profile_id, user)
    if profile is None:
        abort(404)
    return profile


def listed_or_visible_or_404(mentee: User, profile_id: int) -> None:
    """A mentor on the mentee's shortlist (even one hidden since), or one they may see; any
    other id is "not found", so another scheme's or a draft profile is never confirmed."""
    if not shortlisted_ids(mentee, [profile_id]) and for_viewer(profile_id, mentee) is None:
        abort(404)


# --- profiles ------------------------------------------------------------------------------------

def profile_by_id(profile_id: int) -> MentorProfile | None:
    """The profile, whoever may see it: for callers that have checked the viewer already."""
    return db.session.get(MentorProfile, profile_id)


def profile_id_in(user: User, scheme: Scheme) -> int | None:
    """The id of ``user``'s profile in ``scheme``, if they have started one."""
    return db.session.scalar(sa.select(MentorProfile.id).where(
        MentorProfile.user_id == user.id, MentorProfile.scheme_id == scheme.id))


def profiles_of(user: User) -> list[tuple[Scheme, MentorProfile | None]]:
    """Each scheme where ``user`` is a mentor, with their profile there (None if not started)."""
    mine = {p.scheme_id: p for p in db.session.scalars(
        sa.select(MentorProfile).where(MentorProfile.user_id == user.id)
        .options(lazyload(MentorProfile.user)))}
    return [(scheme, mine.get(scheme.id)) for scheme in user.schemes(Role.MENTOR)]


def lock_profile(profile_id: int) -> MentorProfile:
    """The profile, locked for an edit or a change of state."""
    # The profile row is the one lock every change to a profile takes, so two saves or a save
    # and a publish cannot interleave. No eager joins: PostgreSQL cannot lock the nullable side
    # of an outer join, and locking the owner's and the scheme's rows too would hold up
    # everyone else.
    profile = lock(db.session(), sa.select(MentorProfile).where(MentorProfile.id == profile_id)
                   .options(lazyload(MentorProfile.user), lazyload(MentorProfile.scheme)))
    if profile is None:
        raise DomainError("This profile no longer exists.", status=404, title="Profile not found")
    return profile


# --- shortlists ----------------------------------------------------------------------------------

def lock_mentee(mentee: User) -> None:
    """Lock the mentee's row before a change to their shortlist."""
    # One shortlist change at a time per mentee, so two quick clicks cannot pass the limit.
    lock(db.session(), sa.select(User).where(User.id == mentee.id))


def shortlist_entry(mentee: User, profile_id: int) -> ShortlistEntry | None:
    """The mentee's shortlist entry for this profile, if there is one."""
    return db.session.scalar(sa.select(ShortlistEntry).where(
        ShortlistEntry.mentee_id == mentee.id, ShortlistEntry.profile_id == profile_id))


def shortlist_size(mentee: User, scheme_id: int) -> int:
    """How many mentors are on the mentee's shortlist in one scheme."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(ShortlistEntry).where(
        ShortlistEntry.mentee_id == mentee.id, ShortlistEntry.scheme_id == scheme_id)) or 0


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
    """How many mentors are on the mentee's shortlist, by scheme id."""
    return dict(db.session.execute(
        sa.select(ShortlistEntry.scheme_id, sa.func.count())
        .where(ShortlistEntry.mentee_id == mentee.id).group_by(ShortlistEntry.scheme_id)).all())


def matched_scheme_ids(mentee: User) -> set[int]:
    """The schemes where ``mentee`` already has a mentor (a relationship being agreed or
    active)."""
    return set(db.session.scalars(
        sa.select(Relationship.scheme_id).where(
            Relationship.mentee_id == mentee.id,
            Relationship.state.in_([RelationshipState.AGREEING, RelationshipState.ACTIVE]))))


def mentee_schemes(mentee: User) -> list[Scheme]:
    """The schemes where ``mentee`` is a mentee, by name."""
    return mentee.schemes(Role.MENTEE)
