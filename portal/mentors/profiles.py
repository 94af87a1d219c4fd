"""Mentor profiles: what a published profile needs, and the verbs that write them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from portal import audit, drafts
from portal.accounts.models import Role, User
from portal.db import utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.mentors import queries
from portal.mentors.models import (
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


# --- verbs ---------------------------------------------------------------------------------------

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
    if queries.profile_id_in(user, scheme) is not None:
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
    drafts.discard(user.id, drafts.profile_key(scheme.id))
    db.session.commit()
    return profile


def update(profile_id: int, user: User, values: Mapping[str, Any]) -> MentorProfile:
    """Save changes to a profile. Its state stays as it was; a published profile must stay
    complete."""
    profile = queries.lock_profile(profile_id)
    _check_owner(profile, user)
    merged = {**values_of(profile), **values}
    if profile.state != ProfileState.DRAFT:
        missing = missing_for_publication(merged)
        if missing:
            raise IncompleteProfile(missing)
    _apply(profile, values)
    audit.record(db.session, "mentor_profile", profile.id, "updated", actor_id=user.id)
    drafts.discard(user.id, drafts.profile_key(profile.scheme_id))
    db.session.commit()
    return profile


def publish(profile_id: int, user: User) -> MentorProfile:
    """Let mentees in the scheme find and see the profile."""
    profile = queries.lock_profile(profile_id)
    _check_owner(profile, user)
    missing = missing_for_publication(values_of(profile))
    # A profile that is already published is told so, before anything about what is missing.
    profile.move_to(ProfileState.PUBLISHED)
    if missing:
        # Undoes the move, and ends the transaction (and its lock) so the page that says what
        # is missing reads the profile afresh.
        db.session.rollback()
        raise IncompleteProfile(missing)
    profile.published_at = utcnow()
    audit.record(db.session, "mentor_profile", profile.id, "published", actor_id=user.id)
    db.session.commit()
    return profile


def hide(profile_id: int, user: User) -> MentorProfile:
    """Take a published profile out of search and off mentees' screens, keeping its text."""
    profile = queries.lock_profile(profile_id)
    _check_owner(profile, user)
    profile.move_to(ProfileState.HIDDEN)
    audit.record(db.session, "mentor_profile", profile.id, "hidden", actor_id=user.id)
    db.session.commit()
    return profile
