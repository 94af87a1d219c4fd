"""Looking relationships, their sessions, actions and check-ins up, for pages, links and the
sweeps, and locking a relationship for a change (each lock with its reason)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import orm

from portal import db as portal_db
from portal.accounts.models import User
from portal.agreements import queries as agreement_queries
from portal.agreements.models import Agreement
from portal.errors import DomainError
from portal.extensions import db
from portal.relationships.models import (
    ActionItem,
    CheckIn,
    EndKind,
    MentoringSession,
    Relationship,
    RelationshipReminder,
    RelationshipState,
    SessionState,
)


class RelationshipNotFound(DomainError):
    """Also what someone outside the pair sees: they learn nothing about it."""

    status = 404

    def __init__(self) -> None:
        super().__init__("We cannot find this mentoring relationship.",
                         title="Mentoring relationship not found")


def get(relationship_id: int) -> Relationship | None:
    return db.session.get(Relationship, relationship_id)


def for_party_or_404(relationship_id: int, user: User) -> tuple[Relationship, str]:
    """The relationship and the viewer's part in it ("mentor" or "mentee"); anyone else gets
    404, as if it did not exist."""
    relationship = get(relationship_id)
    party = relationship.party(user.id) if relationship is not None else None
    if party is None:
        raise RelationshipNotFound()
    return relationship, party


def lock(relationship_id: int) -> Relationship:
    """The relationship, locked and read fresh.

    Why: every change within a relationship (booking, cancelling or logging a session, an
    action, a check-in answer, a reminder) first takes this one lock, so two changes at once
    happen one after the other, each seeing what the other did."""
    stmt = (sa.select(Relationship).where(Relationship.id == relationship_id)
            .options(orm.lazyload("*"))
            .execution_options(populate_existing=True))
    relationship = portal_db.lock(db.session(), stmt)
    if relationship is None:
        raise RelationshipNotFound()
    return relationship


# --- sessions and the action plan -----------------------------------------------------------------

class SessionNotFound(DomainError):
    """A session or action that does not exist, or belongs to a pair the viewer is not in."""

    status = 404

    def __init__(self) -> None:
        super().__init__("We cannot find this mentoring session or action.",
                         title="Not found")


def agreement_of(relationship: Relationship):
    """The relationship's agreement: its agreed terms (sessions, duration, notice, who books,
    goals)."""
    return agreement_queries.for_relationship(relationship.id)


def session_for_party_or_404(session_id: int, user: User) -> tuple[MentoringSession, str]:
    """A session and the viewer's part in its relationship; anyone else gets 404."""
    session = db.session.get(MentoringSession, session_id)
    party = session.relationship.party(user.id) if session is not None else None
    if party is None:
        raise SessionNotFound()
    return session, party


def action_for_party_or_404(action_id: int, user: User) -> tuple[ActionItem, Relationship, str]:
    """An action, its relationship and the viewer's part in it; anyone else gets 404."""
    action = db.session.get(ActionItem, action_id)
    relationship = get(action.relationship_id) if action is not None else None
    party = relationship.party(user.id) if relationship is not None else None
    if party is None:
        raise SessionNotFound()
    return action, relationship, party


def get_session(session_id: int) -> MentoringSession | None:
    return db.session.get(MentoringSession, session_id)


def fresh_session(relationship: Relationship, session_id: int) -> MentoringSession:
    """A session of this (locked) relationship, read again now that the lock is held."""
    session = db.session.scalar(
        sa.select(MentoringSession).where(MentoringSession.id == session_id,
                                          MentoringSession.relationship_id == relationship.id)
        .execution_options(populate_existing=True))
    if session is None:
        raise SessionNotFound()
    return session


def fresh_action(relationship: Relationship, action_id: int) -> ActionItem:
    """An action of this (locked) relationship, read again now that the lock is held."""
    action = db.session.scalar(
        sa.select(ActionItem).where(ActionItem.id == action_id,
                                    ActionItem.relationship_id == relationship.id)
        .execution_options(populate_existing=True))
    if action is None:
        raise SessionNotFound()
    return action


def sessions_of(relationship_id: int) -> list[MentoringSession]:
    """A relationship's sessions, booked and logged, in the order they were added."""
    return list(db.session.scalars(
        sa.select(MentoringSession).where(MentoringSession.relationship_id == relationship_id)
        .order_by(MentoringSession.id)))


def actions_of(relationship_id: int) -> list[ActionItem]:
    """A relationship's action plan, in the order the actions were recorded."""
    return list(db.session.scalars(
        sa.select(ActionItem).where(ActionItem.relationship_id == relationship_id)
        .order_by(ActionItem.created_at, ActionItem.id)))


def actions_for_session(session_id: int) -> int:
    """How many actions were recorded against one session."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem)
                             .where(ActionItem.session_id == session_id)) or 0


def _not_reminded(kind: str):
    """No reminder of ``kind`` has been sent about the session (its id is the key)."""
    return ~sa.exists().where(RelationshipReminder.relationship_id
                              == MentoringSession.relationship_id,
                              RelationshipReminder.kind == kind,
                              RelationshipReminder.key == sa.cast(MentoringSession.id, sa.String))


def booked_sessions_started(now: dt.datetime, kind: str) -> list[int]:
    """Ids of booked sessions of running relationships whose start has passed and that have
    had no reminder of ``kind`` (their end is checked by the sweep, under the lock)."""
    return list(db.session.scalars(
        sa.select(MentoringSession.id).join(MentoringSession.relationship)
        .where(MentoringSession.state == SessionState.BOOKED,
               MentoringSession.starts_at <= now,
               Relationship.state == RelationshipState.ACTIVE, _not_reminded(kind))
        .order_by(MentoringSession.id)))


def held_sessions_without_plan(kind: str) -> list[MentoringSession]:
    """Sessions that took place, with no action recorded against them and no reminder of
    ``kind`` sent, in running relationships (their relationship and scheme loaded: whether
    the scheme asks for a plan, and whether it is time, is for the sweep)."""
    return list(db.session.scalars(
        sa.select(MentoringSession).join(MentoringSession.relationship)
        .where(MentoringSession.state == SessionState.HELD,
               Relationship.state == RelationshipState.ACTIVE, _not_reminded(kind),
               ~sa.exists().where(ActionItem.session_id == MentoringSession.id))
        .order_by(MentoringSession.id)))



# --- check-ins and quiet pairs -------------------------------------------------------------------

class CheckInNotFound(DomainError):
    """A check-in that does not exist, or is not this pair's: what someone outside sees."""

    status = 404

    def __init__(self) -> None:
        super().__init__("We cannot find this check-in.", title="Check-in not found")


def get_check_in(check_in_id: int) -> CheckIn | None:
    return db.session.get(CheckIn, check_in_id)


def check_in_for_party_or_404(relationship_id: int, check_in_id: int,
                              user: User) -> tuple[CheckIn, str]:
    """A check-in of this relationship and the viewer's part in it; anyone outside the pair (or
    a check-in of another relationship) gets 404."""
    relationship, party = for_party_or_404(relationship_id, user)
    check_in = get_check_in(check_in_id)
    if check_in is None or check_in.relationship_id != relationship.id:
        raise CheckInNotFound()
    return check_in, party


def lock_check_in(check_in_id: int) -> CheckIn:
    """A check-in read fresh under its relationship's lock (see ``lock``): two answers, or an
    answer and the reminder sweep, happen one after the other."""
    found = get_check_in(check_in_id)
    if found is None:
        raise CheckInNotFound()
    relationship_id = found.relationship_id
    db.session.rollback()  # ends the read, so the lock starts the transaction
    lock(relationship_id)
    check_in = db.session.scalar(sa.select(CheckIn).where(CheckIn.id == check_in_id)
                                 .execution_options(populate_existing=True))
    if check_in is None:
        raise CheckInNotFound()
    return check_in


def check_ins_of(relationship_id: int) -> list[CheckIn]:
    """A relationship's check-ins, earliest first."""
    return list(db.session.scalars(
        sa.select(CheckIn).where(CheckIn.relationship_id == relationship_id)
        .order_by(CheckIn.due_on, CheckIn.id)
        .execution_options(populate_existing=True)))


def running_with_agreements() -> list[tuple[Relationship, Agreement]]:
    """Every active relationship with its agreement (for its dates), in one query."""
    pairs = list(db.session.execute(
        sa.select(Relationship, Agreement)
        .join(Agreement, Agreement.relationship_id == Relationship.id)
        .where(Relationship.state == RelationshipState.ACTIVE)
        .order_by(Relationship.id)).unique())
    return pairs


def check_in_kinds(relationship_ids: list[int]) -> dict[int, dict[str, dt.date]]:
    """For each relationship, the check-ins it has had: kind -> the date it was due."""
    found: dict[int, dict[str, dt.date]] = {rid: {} for rid in relationship_ids}
    if not relationship_ids:
        return found
    for rid, kind, due_on in db.session.execute(
            sa.select(CheckIn.relationship_id, CheckIn.kind, CheckIn.due_on)
            .where(CheckIn.relationship_id.in_(relationship_ids))):
        found[rid][kind] = due_on
    return found


def check_ins_to_remind(sent_before: dt.datetime) -> list[tuple[int, str]]:
    """(check-in id, party) of each person in a running relationship who has not answered a
    check-in sent before ``sent_before`` and has not been reminded of it."""
    found = []
    rows = db.session.execute(
        sa.select(CheckIn.id, CheckIn.relationship_id, CheckIn.mentor_answer,
                  CheckIn.mentee_answer)
        .join(Relationship, Relationship.id == CheckIn.relationship_id)
        .where(Relationship.state == RelationshipState.ACTIVE, CheckIn.sent_at <= sent_before,
               sa.or_(CheckIn.mentor_answer.is_(None), CheckIn.mentee_answer.is_(None)))
        .order_by(CheckIn.id)).all()
    if not rows:
        return found
    sent = reminder_keys([row.relationship_id for row in rows], "check_in")
    for row in rows:
        for party in ("mentor", "mentee"):
            if getattr(row, f"{party}_answer") is None and \
                    check_in_reminder_key(row.id, party) not in sent[row.relationship_id]:
                found.append((row.id, party))
    return found


def check_in_reminder_key(check_in_id: int, party: str) -> str:
    """The key of the one reminder a person gets about a check-in."""
    return f"{check_in_id}-{party}"


def reminder_keys(relationship_ids: list[int], *kinds: str
                  ) -> dict[int, dict[str, dt.datetime]]:
    """For each relationship, the reminders of these kinds it has had: key (as "kind:key" when
    more than one kind is asked for) -> when it was sent."""
    found: dict[int, dict[str, dt.datetime]] = {rid: {} for rid in relationship_ids}
    if not relationship_ids:
        return found
    for rid, kind, key, sent_at in db.session.execute(
            sa.select(RelationshipReminder.relationship_id, RelationshipReminder.kind,
                      RelationshipReminder.key, RelationshipReminder.sent_at)
            .where(RelationshipReminder.relationship_id.in_(relationship_ids),
                   RelationshipReminder.kind.in_(kinds))):
        found[rid][key if len(kinds) == 1 else f"{kind}:{key}"] = sent_at
    return found


def reminder_sent_at(relationship_id: int, kind: str, key: str) -> dt.datetime | None:
    """When a reminder was sent, if it was."""
    return db.session.scalar(
        sa.select(RelationshipReminder.sent_at)
        .where(RelationshipReminder.relationship_id == relationship_id,
               RelationshipReminder.kind == kind, RelationshipReminder.key == key))


def running() -> list[Relationship]:
    """Every active relationship (with its scheme), for the quiet-pair sweep."""
    return list(db.session.scalars(
        sa.select(Relationship).where(Relationship.state == RelationshipState.ACTIVE)
        .order_by(Relationship.id)))


def session_activity(relationship_ids: list[int]) -> dict[int, dt.datetime | None]:
    """For each relationship, the latest moment a session was booked or logged (None: never),
    in one query."""
    found: dict[int, dt.datetime | None] = dict.fromkeys(relationship_ids)
    if not relationship_ids:
        return found
    for rid, booked, logged in db.session.execute(
            sa.select(MentoringSession.relationship_id, sa.func.max(MentoringSession.booked_at),
                      sa.func.max(MentoringSession.logged_at))
            .where(MentoringSession.relationship_id.in_(relationship_ids))
            .group_by(MentoringSession.relationship_id)):
        moments = [m for m in (booked, logged) if m is not None]
        found[rid] = max(moments) if moments else None
    return found


def quiet_clocks(scheme_ids: list[int]) -> sa.Subquery:
    """The quiet-pair clock of every running pair of these schemes, in SQL: ``rid``, its
    ``scheme_id`` and ``at``, the latest of the relationship starting and its sessions'
    bookings and logs (the same moments as quiet.last_activity over session_activity)."""
    running = sa.and_(Relationship.scheme_id.in_(scheme_ids),
                      Relationship.state == RelationshipState.ACTIVE)
    moments = sa.union_all(
        sa.select(Relationship.id.label("rid"), Relationship.activated_at.label("at"))
        .where(running),
        *[sa.select(MentoringSession.relationship_id, column)
          .join(Relationship, Relationship.id == MentoringSession.relationship_id).where(running)
          for column in (MentoringSession.booked_at, MentoringSession.logged_at)]).subquery()
    return (sa.select(Relationship.id.label("rid"), Relationship.scheme_id.label("scheme_id"),
                      sa.func.max(moments.c.at).label("at"))
            .join(moments, moments.c.rid == Relationship.id)
            .where(moments.c.at.is_not(None))
            .group_by(Relationship.id, Relationship.scheme_id).subquery())


def held_count(relationship_id: int) -> int:
    """How many sessions a pair has logged as having taken place."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(MentoringSession)
        .where(MentoringSession.relationship_id == relationship_id,
               MentoringSession.state == SessionState.HELD)) or 0


class RunningOverview:
    """Where one running relationship stands, for the dashboard: counts, dates and states only
    (never notes or actions)."""

    def __init__(self) -> None:
        self.held = 0
        #: Booked and not yet logged or cancelled.
        self.booked = 0
        #: The earliest start of those booked sessions.
        self.next_booked: dt.datetime | None = None
        self.first_held: dt.date | None = None
        self.check_ins: list[CheckIn] = []


def running_overviews(relationship_ids: list[int]) -> dict[int, RunningOverview]:
    """Each relationship's sessions and check-ins, summed up: two queries however many."""
    found = {rid: RunningOverview() for rid in relationship_ids}
    if not relationship_ids:
        return found
    for rid, state, count, starts, held_on in db.session.execute(
            sa.select(MentoringSession.relationship_id, MentoringSession.state, sa.func.count(),
                      sa.func.min(MentoringSession.starts_at),
                      sa.func.min(MentoringSession.held_on))
            .where(MentoringSession.relationship_id.in_(relationship_ids),
                   MentoringSession.state.in_([SessionState.BOOKED, SessionState.HELD]))
            .group_by(MentoringSession.relationship_id, MentoringSession.state)):
        overview = found[rid]
        if state == SessionState.HELD:
            overview.held, overview.first_held = count, held_on
        else:
            overview.booked, overview.next_booked = count, starts
    for check_in in db.session.scalars(
            sa.select(CheckIn).where(CheckIn.relationship_id.in_(relationship_ids))
            .options(orm.lazyload(CheckIn.relationship))
            .order_by(CheckIn.due_on, CheckIn.id)):
        found[check_in.relationship_id].check_ins.append(check_in)
    return found


# --- endings -------------------------------------------------------------------------------------

def ended_early_with(mentee_id: int, profile_ids: list[int]) -> dict[int, dt.datetime]:
    """For a mentee's shortlist: the mentors (by profile) whose relationship with them ended
    early, and when (the latest, if more than one). One query."""
    if not profile_ids:
        return {}
    rows = db.session.execute(
        sa.select(Relationship.profile_id, sa.func.max(Relationship.ended_at))
        .where(Relationship.mentee_id == mentee_id, Relationship.profile_id.in_(profile_ids),
               Relationship.state == RelationshipState.ENDED,
               Relationship.end_kind == EndKind.ENDED_EARLY)
        .group_by(Relationship.profile_id))
    return {profile_id: ended_at for profile_id, ended_at in rows}

