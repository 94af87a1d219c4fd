"""The links relationship emails carry, made and checked only here: logging a session from its
follow-up email ("log-session") and answering a review check-in ("check-in")."""

from __future__ import annotations

from portal import tokens
from portal.accounts.models import User
from portal.errors import NotAllowed
from portal.relationships import queries
from portal.relationships.models import (
    CheckIn,
    MentoringSession,
    RelationshipState,
    SessionState,
)
from portal.templating import format_date

# --- logging a session ---------------------------------------------------------------------------

def make_log_session_link(session: MentoringSession, person: User) -> str:
    """The token of one person's "How was your session?" link, bound to this session and this
    person (ids only). It acts while the session is still booked and not yet logged."""
    return tokens.make("log-session", s=session.id, u=person.id)


def check_log_session_link(token: str, viewer: User | None = None
                           ) -> tuple[MentoringSession, User]:
    """The session and the person an emailed log link is for.

    The link works without signing in; someone signed in as another person is refused, so a
    forwarded link is not used by mistake.
    """
    payload = tokens.load("log-session", token, what="link")
    session = queries.get_session(payload.get("s")) if isinstance(payload.get("s"), int) else None
    party = session.relationship.party(payload.get("u")) if session is not None else None
    if party is None:
        raise tokens.LinkError("This link is not valid.", next_step="invalid", status=400)
    relationship = session.relationship
    person = relationship.mentor if party == "mentor" else relationship.mentee
    if viewer is not None and viewer.id != person.id:
        raise NotAllowed(f"This link was sent to {person.full_name}. You are signed in as "
                         f"{viewer.full_name}.", title="This link is for someone else")
    return session, person


def log_session_link_is_live(session: MentoringSession) -> bool:
    """Log links are bound to the booked session: once it is logged or cancelled they only
    inform."""
    return session.state == SessionState.BOOKED


def spent_log_session_link(session: MentoringSession) -> tokens.LinkError:
    """What became of the session, for a log link that can no longer act. No names: whoever
    holds the link now may not be the person it was sent to."""
    logged = format_date(session.logged_at)
    if session.state == SessionState.HELD:
        return tokens.LinkError(f"This link has already been used: on {logged} the session was "
                                "logged as having taken place.", next_step="used")
    if session.state == SessionState.NOT_HELD:
        return tokens.LinkError(f"This link has already been used: on {logged} the session was "
                                "logged as not having happened.", next_step="used")
    return tokens.LinkError(f"This link no longer works: the session was cancelled on "
                            f"{format_date(session.cancelled_at)}.", next_step="used")



# --- answering a check-in ------------------------------------------------------------------------

def make_check_in_link(check_in: CheckIn, person: User) -> str:
    """The token of one person's one-tap answers to a check-in, bound to this check-in and this
    person (ids only). It acts while the relationship runs and this person has not answered."""
    return tokens.make("check-in", c=check_in.id, u=person.id)


def check_check_in_link(token: str, viewer: User | None = None) -> tuple[CheckIn, User, str]:
    """The check-in, the person and their part ("mentor" or "mentee") an emailed answer link
    is for.

    The link works without signing in; someone signed in as another person is refused, so a
    forwarded link is not used by mistake.
    """
    payload = tokens.load("check-in", token, what="link")
    check_in_id, user_id = payload.get("c"), payload.get("u")
    check_in = queries.get_check_in(check_in_id) if isinstance(check_in_id, int) else None
    party = (check_in.relationship.party(user_id)
             if check_in is not None and isinstance(user_id, int) else None)
    if party is None:
        raise tokens.LinkError("This link is not valid.", next_step="invalid", status=400)
    relationship = check_in.relationship
    person = relationship.mentor if party == "mentor" else relationship.mentee
    if viewer is not None and viewer.id != person.id:
        raise NotAllowed(f"This link was sent to {person.full_name}. You are signed in as "
                         f"{viewer.full_name}.", title="This link is for someone else")
    return check_in, person, party


def check_in_link_is_live(check_in: CheckIn, party: str) -> bool:
    """Answer links are bound to the open question: once this person has answered, or the
    relationship has ended, they only inform."""
    return (check_in.relationship.state == RelationshipState.ACTIVE
            and check_in.answer_of(party) is None)


def spent_check_in_link(check_in: CheckIn, party: str) -> tokens.LinkError:
    """What became of the question, for an answer link that can no longer act. No names:
    whoever holds the link now may not be the person it was sent to."""
    given = check_in.answer_of(party)
    if given is not None:
        when = format_date(getattr(check_in, f"{party}_answered_at"))
        return tokens.LinkError(f"This link has already been used: the answer "
                                f"\u201c{given.label}\u201d was given on {when}.",
                                next_step="used")
    return tokens.LinkError("This link no longer works: the mentoring relationship has ended.",
                            next_step="used")
