"""Mentor profiles: who may see them, and the verbs that change them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from portal import audit
from portal.accounts.models import Role, User
from portal.db import lock, utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.mentors.models import (
    PROFILE_TRANSITIONS,
    MeetingFormat,
    MentorProfile,
    ProfileExpertise,
    ProfileState,
)
from portal.schemes.models import Scheme

#: The fields a person edits, in form order.
FIELDS = ("display_name", "job_title", "organisation", "sector", "grade", "expertise",
          "background", "offer", "experience", "meeting_format", "location", "capacity",
          "accepting")

#: What a published profile must have, and how to ask for it.
REQUIRED_TO_PUBLISH = {
    "display_name": "Enter your name",
    "job_title": "Enter your job title",
    "organisation": "Enter your organisation",
    "expertise": "Select at least one area of expertise",
    "background": "Describe your professional background",
    "offer": "Say what you can offer a mentee",
    "location": "Enter your location, so mentees know where you could meet in person",
}


class IncompleteProfile(DomainError):
    """A profile that cannot be published until the listed parts are filled in."""

    def __init__(self, missing: dict[str, str]):
        super().__init__("Your profile is not ready to publish yet.",
                         next_step="Add what is missing, then publish it.",
                         title="Your profile is not ready to publish")
        self.missing = missing


def missing_for_publication(values: Mapping[str, Any]) -> dict[str, str]:
    """The parts a profile needs before it can be seen by mentees: field -> what to do."""
    missing = {}
    for name, message in REQUIRED_TO_PUBLISH.items():
        value = values.get(name)
        if name == "location" and values.get("meeting_format") == MeetingFormat.ONLINE:
            continue  # meeting online only: no need to say where you are
        if not value or (isinstance(value, str) and not value.strip()):
            missing[name] = message
    return missing


def values_of(profile: MentorProfile) -> dict[str, Any]:
    values = {name: getattr(profile, name) for name in FIELDS if name != "expertise"}
    values["expertise"] = profile.expertise
    return values


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


def for_owner(profile_id: int, user: User) -> MentorProfile | None:
    """The profile for its owner to manage; None (404) if ``user`` may not even see it."""
    profile = for_viewer(profile_id, user)
    if profile is not None and profile.user_id != user.id:
        raise NotAllowed("Only the mentor who wrote this profile can change it.",
                         title="This is not your profile")
    return profile


def profiles_of(user: User) -> list[tuple[Scheme, MentorProfile | None]]:
    """Each scheme where ``user`` is a mentor, with their profile there (None if not started)."""
    mine = {p.scheme_id: p for p in db.session.scalars(
        sa.select(MentorProfile).where(MentorProfile.user_id == user.id)
        .options(lazyload(MentorProfile.user)))}
    schemes = sorted({m.scheme for m in user.memberships if m.role == Role.MENTOR},
                     key=lambda s: s.name)
    return [(scheme, mine.get(scheme.id)) for scheme in schemes]


# --- verbs ---------------------------------------------------------------------------------------

def _locked(profile_id: int) -> MentorProfile:
    # No eager joins: PostgreSQL cannot lock the nullable side of an outer join, and locking
    # the owner's and the scheme's rows too would hold up everyone else.
    profile = lock(db.session(), sa.select(MentorProfile).where(MentorProfile.id == profile_id)
                   .options(lazyload(MentorProfile.user), lazyload(MentorProfile.scheme)))
    if profile is None:
        raise DomainError("This profile no longer exists.", status=404, title="Profile not found")
    return profile


def _check_owner(profile: MentorProfile, user: User) -> None:
    if profile.user_id != user.id:
        raise NotAllowed("Only the mentor who wrote this profile can change it.",
                         title="This is not your profile")


def _apply(profile: MentorProfile, values: Mapping[str, Any]) -> None:
    allowed = set(profile.scheme.expertise_areas or [])
    for name in FIELDS:
        if name == "expertise":
            wanted = [area for area in dict.fromkeys(values.get("expertise") or [])
                      if area in allowed or area in profile.expertise]
            keep = [link for link in profile.expertise_links if link.area in wanted]
            have = {link.area for link in keep}
            profile.expertise_links = keep + [ProfileExpertise(area=a) for a in wanted
                                              if a not in have]
        elif name in values:
            value = values[name]
            setattr(profile, name, value.strip() if isinstance(value, str) else value)


def create(user: User, scheme: Scheme, values: Mapping[str, Any]) -> MentorProfile:
    """Start a draft profile for a mentor in ``scheme``."""
    if not user.has_role(Role.MENTOR, scheme.id):
        raise NotAllowed(f"You are not a mentor in {scheme.name}.",
                         next_step="Join the scheme as a mentor first, from its page.")
    existing = db.session.scalar(sa.select(MentorProfile.id).where(
        MentorProfile.user_id == user.id, MentorProfile.scheme_id == scheme.id))
    if existing is not None:
        raise DomainError(f"You already have a profile in {scheme.name}.",
                          next_step="Edit your existing profile instead.")
    profile = MentorProfile(user=user, scheme=scheme, state=ProfileState.DRAFT,
                            display_name=user.full_name)
    db.session.add(profile)
    _apply(profile, values)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:  # the same form sent twice at once
        db.session.rollback()
        raise DomainError(f"You already have a profile in {scheme.name}.",
                          next_step="Edit your existing profile instead.") from None
    audit.record(db.session, "mentor_profile", profile.id, "created", actor_id=user.id,
                 scheme=scheme.slug)
    db.session.commit()
    return profile


def update(profile_id: int, user: User, values: Mapping[str, Any]) -> MentorProfile:
    """Save changes to a profile. Its state stays as it was; a published profile must stay
    complete."""
    profile = _locked(profile_id)
    _check_owner(profile, user)
    merged = {**values_of(profile), **values}
    if profile.state != ProfileState.DRAFT:
        missing = missing_for_publication(merged)
        if missing:
            raise IncompleteProfile(missing)
    _apply(profile, values)
    audit.record(db.session, "mentor_profile", profile.id, "updated", actor_id=user.id)
    db.session.commit()
    return profile


def _check_move(profile: MentorProfile, to: ProfileState) -> None:
    if to not in PROFILE_TRANSITIONS[profile.state]:
        raise DomainError(_WRONG_STATE[(profile.state, to)],
                          next_step="Nothing has changed. Go to your mentor profile to see where "
                                    "things stand.",
                          title=_WRONG_STATE_TITLE[to])


_WRONG_STATE = {
    (ProfileState.PUBLISHED, ProfileState.PUBLISHED): "Your profile is already published.",
    (ProfileState.DRAFT, ProfileState.HIDDEN):
        "Your profile is a draft, so mentees cannot see it already. There is nothing to hide.",
    (ProfileState.HIDDEN, ProfileState.HIDDEN): "Your profile is already hidden.",
}
_WRONG_STATE_TITLE = {ProfileState.PUBLISHED: "Your profile cannot be published",
                      ProfileState.HIDDEN: "Your profile cannot be hidden"}


def publish(profile_id: int, user: User) -> MentorProfile:
    """Let mentees in the scheme find and see the profile."""
    profile = _locked(profile_id)
    _check_owner(profile, user)
    _check_move(profile, ProfileState.PUBLISHED)
    missing = missing_for_publication(values_of(profile))
    if missing:
        raise IncompleteProfile(missing)
    profile.state = ProfileState.PUBLISHED
    profile.published_at = utcnow()
    audit.record(db.session, "mentor_profile", profile.id, "published", actor_id=user.id)
    db.session.commit()
    return profile


def hide(profile_id: int, user: User) -> MentorProfile:
    """Take a published profile out of search and off mentees' screens, keeping its text."""
    profile = _locked(profile_id)
    _check_owner(profile, user)
    _check_move(profile, ProfileState.HIDDEN)
    profile.state = ProfileState.HIDDEN
    audit.record(db.session, "mentor_profile", profile.id, "hidden", actor_id=user.id)
    db.session.commit()
    return profile
