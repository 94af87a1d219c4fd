"""A mentor's places: taken when a request is accepted, given back when the call ends without
a relationship.

Places (MentorProfile.places_taken) follow one rule:
- a place is taken when the mentor accepts a request (checked under the lock on the mentor's
  profile, ``queries.lock_call``, so two acceptances racing for the last place cannot both win);
- it is given back when an accepted call ends without a relationship: the mentee withdraws,
  the mentor cancels, or either says "not for us" after the call;
- when both say "let's work together" the place passes to the relationship, which gives it back
  when it ends. A request that is never accepted never takes a place.
"""

from __future__ import annotations

from portal.errors import DomainError
from portal.mentors.models import MentorProfile


def take_place(profile: MentorProfile) -> None:
    """Take one of the mentor's places, or refuse when none is free (call under the lock)."""
    if profile.places_taken >= profile.capacity:
        raise DomainError(
            f"You have no free places: {profile.places_taken} of {profile.capacity} are taken. "
            "Nothing has changed.",
            next_step="To accept this request, raise the number of mentees you can take on in "
                      "your profile, or wait until a place is free.",
            title="You have no free places")
    profile.places_taken += 1


def give_place_back(profile: MentorProfile) -> None:
    """Free the place an accepted call held."""
    profile.places_taken = max(0, profile.places_taken - 1)
