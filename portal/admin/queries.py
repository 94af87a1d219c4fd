"""What the administrators' pages read: their schemes, an agreement or approval they may see
(anything else is "not found"), the line managers' approvals with what to check about each,
each scheme's administrators, its people, its chemistry call requests with what people told
the scheme, and who is a site administrator.

The agreements' own counts, lists and audit trail are in portal.agreements.queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort

from portal.accounts.models import Membership, Role, User
from portal.admin.models import Invitation, InvitationState, InvitationUpload
from portal.agreements import queries as agreement_queries
from portal.agreements.models import Agreement
from portal.audit import AuditEvent
from portal.calls.addresses import in_domains, mailbox_key
from portal.calls.models import ApprovalState, CallState, ChemistryCall, LineManagerApproval
from portal.extensions import db
from portal.mail.models import MessageState, OutboxMessage
from portal.mentors.models import MentorProfile, ProfileState
from portal.relationships.models import Relationship, RelationshipState
from portal.schemes.models import Scheme
from portal.schemes.queries import get_scheme_or_404


def administered(user: User) -> list[Scheme]:
    """The schemes ``user`` administers, by name."""
    ids = user.scheme_ids(Role.ADMIN)
    if not ids:
        return []  # most people: no statement
    return list(db.session.scalars(sa.select(Scheme).where(Scheme.id.in_(ids))
                                   .order_by(Scheme.name)))


def is_site_admin(user: User) -> bool:
    """A site administrator is a person who administers every scheme (``flask admins grant
    EMAIL --all-schemes`` makes one). Nothing else records it: a scheme added later has its own
    administrators until the command is run again, and on a portal with one scheme its
    administrators are the site's."""
    ids = set(user.scheme_ids(Role.ADMIN))
    if not ids:
        return False
    return set(db.session.scalars(sa.select(Scheme.id))) <= ids


def site_admin_or_404(user: User) -> None:
    """Only a site administrator; "not found" for anyone else."""
    if not is_site_admin(user):
        abort(404)


def scheme_or_404(slug: str, user: User) -> Scheme:
    """The scheme, if ``user`` administers it; 404 for anyone else."""
    scheme = get_scheme_or_404(slug)
    if not user.has_role(Role.ADMIN, scheme.id):
        abort(404)
    return scheme


def agreement_or_404(reference: str, user: User) -> Agreement:
    """The agreement, if ``user`` administers its scheme; 404 for anyone else."""
    agreement = agreement_queries.by_reference(reference)
    if agreement is None or not user.has_role(Role.ADMIN, agreement.scheme_id):
        abort(404)
    return agreement


# --- line managers' approvals --------------------------------------------------------------

def approval_or_404(approval_id: int, user: User) -> LineManagerApproval:
    """The approval, if ``user`` administers its scheme; 404 for anyone else."""
    item = db.session.get(LineManagerApproval, approval_id)
    if item is None or not user.has_role(Role.ADMIN, item.scheme_id):
        abort(404)
    return item


def approval_counts(scheme_id: int) -> dict[ApprovalState, int]:
    """How many of a scheme's approvals are in each state (states with none left out)."""
    rows = db.session.execute(
        sa.select(LineManagerApproval.state, sa.func.count())
        .where(LineManagerApproval.scheme_id == scheme_id)
        .group_by(LineManagerApproval.state)).all()
    return {ApprovalState(state): count for state, count in rows}


def _requested_ip():
    """The audit event of the mentee's request, which holds the address they asked from."""
    return sa.and_(AuditEvent.subject_type == "line_manager_approval",
                   AuditEvent.subject_id == LineManagerApproval.id,
                   AuditEvent.action == "requested")


def approvals_page(scheme_id: int, state: str | None, page: int,
                   size: int) -> tuple[list[Any], bool]:
    """One page of a scheme's approvals, newest first, each with the IP address the mentee
    asked from; and whether there is a next page."""
    query = (sa.select(LineManagerApproval, AuditEvent.ip_address)
             .outerjoin(AuditEvent, _requested_ip())
             .where(LineManagerApproval.scheme_id == scheme_id)
             .order_by(LineManagerApproval.requested_at.desc(), LineManagerApproval.id.desc())
             .offset((page - 1) * size).limit(size + 1))
    if state:
        query = query.where(LineManagerApproval.state == state)
    rows = db.session.execute(query).all()
    return rows[:size], len(rows) > size


def approval_events(item: LineManagerApproval) -> list[Any]:
    """The approval's audit events, oldest first, each with the name of whoever acted."""
    return list(db.session.execute(
        sa.select(AuditEvent, User.full_name).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.subject_type == "line_manager_approval",
               AuditEvent.subject_id == item.id)
        .order_by(AuditEvent.at, AuditEvent.id)))


def approval_history(item: LineManagerApproval) -> list[LineManagerApproval]:
    """The mentee's requests in the scheme, oldest first: a replaced request points to the
    next one."""
    return list(db.session.scalars(
        sa.select(LineManagerApproval)
        .where(LineManagerApproval.mentee_id == item.mentee_id,
               LineManagerApproval.scheme_id == item.scheme_id)
        .order_by(LineManagerApproval.requested_at, LineManagerApproval.id)))


def approval_warnings(items: list[LineManagerApproval], scheme: Scheme) -> dict[int, list[str]]:
    """What an administrator may want to check about each approval, in one query for all: an
    address that is the mentee's own, outside the scheme's organisations, or that of someone
    in the scheme. The last is not refused when asking, as managers may take part themselves
    and the refusal would tell the mentee who has an account."""
    addresses = {a.manager_email for a in items} | {mailbox_key(a.manager_email) for a in items}
    members: dict[str, set[Role]] = {}
    for email, role in db.session.execute(
            sa.select(User.email, Membership.role).join(Membership)
            .where(Membership.scheme_id == scheme.id, User.email.in_(addresses))):
        members.setdefault(email, set()).add(Role(role))
    found = {}
    for item in items:
        notes = []
        if mailbox_key(item.manager_email) == mailbox_key(item.mentee.email):
            notes.append("The mentee's own address")
        if scheme.line_manager_domains and not in_domains(item.manager_email,
                                                          scheme.line_manager_domains):
            notes.append("Not at one of the scheme's organisations")
        roles = (members.get(item.manager_email, set())
                 | members.get(mailbox_key(item.manager_email), set()))
        for role in sorted(roles):
            notes.append("Also an administrator in this scheme" if role == Role.ADMIN
                         else f"Also a {role.value} in this scheme")
        found[item.id] = notes
    return found


# --- administrators -----------------------------------------------------------------------

def administrators(scheme_id: int) -> list[Any]:
    """A scheme's administrators by name, each with the day they became one."""
    return list(db.session.execute(
        sa.select(User, Membership.created_at).join(Membership)
        .where(Membership.scheme_id == scheme_id, Membership.role == Role.ADMIN)
        .order_by(User.full_name, User.id)))


def administrator_or_404(scheme: Scheme, user_id: int) -> User:
    """One of the scheme's administrators (the asker administers it: see scheme_or_404);
    "not found" for anyone else."""
    user = db.session.scalar(
        sa.select(User).join(Membership)
        .where(User.id == user_id, Membership.scheme_id == scheme.id,
               Membership.role == Role.ADMIN))
    if user is None:
        abort(404)
    return user


# --- chemistry call requests ----------------------------------------------------------------

def request_counts(scheme_id: int) -> dict[CallState, int]:
    """How many of a scheme's chemistry call requests are in each state (none: left out)."""
    rows = db.session.execute(
        sa.select(ChemistryCall.state, sa.func.count())
        .where(ChemistryCall.scheme_id == scheme_id)
        .group_by(ChemistryCall.state)).all()
    return {CallState(state): count for state, count in rows}


def requests_page(scheme_id: int, state: str | None, page: int,
                  size: int) -> tuple[list[ChemistryCall], bool]:
    """One page of a scheme's chemistry call requests, newest first, and whether there is a
    next page. The mentor, mentee and profile load in one query each for the page."""
    query = (sa.select(ChemistryCall).where(ChemistryCall.scheme_id == scheme_id)
             .order_by(ChemistryCall.requested_at.desc(), ChemistryCall.id.desc())
             .offset((page - 1) * size).limit(size + 1))
    if state:
        query = query.where(ChemistryCall.state == state)
    rows = list(db.session.scalars(query))
    return rows[:size], len(rows) > size


def schemeless_dead_letters(limit: int = 200) -> list[OutboxMessage]:
    """Emails about no scheme (sign-in links, for example) that could not be delivered, newest
    first: for site administrators."""
    return list(db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.state == MessageState.DEAD, OutboxMessage.scheme_id.is_(None))
        .order_by(OutboxMessage.id.desc()).limit(limit)))


def schemeless_dead_letter_count() -> int:
    """How many emails about no scheme could not be delivered."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.state == MessageState.DEAD, OutboxMessage.scheme_id.is_(None)))


def schemeless_dead_letter_or_404(message_id: int, user: User) -> OutboxMessage:
    """An undelivered email about no scheme, for a site administrator; "not found" otherwise."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.scheme_id is not None or not is_site_admin(user):
        abort(404)
    return message


# --- the scheme's people --------------------------------------------------------------------

@dataclass
class Person:
    """One person in a scheme, as the People page shows them."""

    user: User
    roles: list[Role]
    #: When they first took a role in the scheme.
    joined: Any
    #: The mentor profile's state in this scheme (None: a mentor with no profile yet, or not a
    #: mentor).
    profile: ProfileState | None = None
    #: A mentee's best mentoring in this scheme: active, then agreeing, then ended (None: none).
    match: RelationshipState | None = None
    #: When their mentor and mentee roles here were deactivated (None: they are active).
    deactivated: Any = None


_MATCH_ORDER = [RelationshipState.ACTIVE, RelationshipState.AGREEING, RelationshipState.ENDED]


def people_counts(scheme_id: int) -> dict[Role, int]:
    """How many people hold each role in the scheme (roles with none left out)."""
    rows = db.session.execute(
        sa.select(Membership.role, sa.func.count()).where(Membership.scheme_id == scheme_id)
        .group_by(Membership.role)).all()
    return {Role(role): count for role, count in rows}


def people_page(scheme_id: int, role: str | None, page: int,
                size: int) -> tuple[list[Person], bool]:
    """One page of the scheme's people by name, and whether there is a next page: four queries
    however long the page (the people, their roles, mentors' profiles, mentees' mentoring)."""
    member = sa.select(Membership.user_id).where(Membership.scheme_id == scheme_id)
    if role:
        member = member.where(Membership.role == role)
    users = list(db.session.scalars(
        sa.select(User).where(User.id.in_(member))
        .order_by(User.full_name, User.id).offset((page - 1) * size).limit(size + 1)))
    more, users = len(users) > size, users[:size]
    ids = [user.id for user in users]
    if not ids:
        return [], more
    found: dict[int, Person] = {}
    for user in users:
        found[user.id] = Person(user, [], None)
    for user_id, member_role, created_at, deactivated_at in db.session.execute(
            sa.select(Membership.user_id, Membership.role, Membership.created_at,
                      Membership.deactivated_at)
            .where(Membership.scheme_id == scheme_id, Membership.user_id.in_(ids))
            .order_by(Membership.created_at)):
        person = found[user_id]
        person.roles.append(Role(member_role))
        person.joined = person.joined or created_at
        person.deactivated = person.deactivated or deactivated_at
    for user_id, state in db.session.execute(
            sa.select(MentorProfile.user_id, MentorProfile.state)
            .where(MentorProfile.scheme_id == scheme_id, MentorProfile.user_id.in_(ids))):
        found[user_id].profile = ProfileState(state)
    for user_id, state in db.session.execute(
            sa.select(Relationship.mentee_id, Relationship.state)
            .where(Relationship.scheme_id == scheme_id, Relationship.mentee_id.in_(ids))):
        person, state = found[user_id], RelationshipState(state)
        if person.match is None or _MATCH_ORDER.index(state) < _MATCH_ORDER.index(person.match):
            person.match = state
    for person in found.values():
        person.roles.sort(key=list(Role).index)
    return list(found.values()), more


# --- bringing people in: uploads of people to invite ------------------------------------------

def upload_or_404(scheme: Scheme, upload_id: int) -> InvitationUpload:
    """One of the scheme's uploads (the asker administers it: see scheme_or_404); "not found"
    for anyone else's."""
    upload = db.session.get(InvitationUpload, upload_id)
    if upload is None or upload.scheme_id != scheme.id:
        abort(404)
    return upload


def recent_uploads(scheme_id: int, limit: int = 20) -> list[InvitationUpload]:
    """The scheme's latest uploads, newest first (the invitations page lists them)."""
    return list(db.session.scalars(
        sa.select(InvitationUpload).where(InvitationUpload.scheme_id == scheme_id)
        .order_by(InvitationUpload.id.desc()).limit(limit)))


def upload_progress(upload: InvitationUpload) -> dict[str, int]:
    """How the upload's invitations are doing: queued, sent and not delivered (emails), and
    accepted (people who have joined by theirs). One query."""
    counts = dict.fromkeys(("queued", "sent", "dead", "accepted"), 0)
    for state, message_state, count in db.session.execute(
            sa.select(Invitation.state, OutboxMessage.state, sa.func.count())
            .outerjoin(OutboxMessage, OutboxMessage.id == Invitation.message_id)
            .where(Invitation.upload_id == upload.id)
            .group_by(Invitation.state, OutboxMessage.state)):
        if message_state is not None:
            counts[MessageState(message_state).value] += count
        if InvitationState(state) == InvitationState.ACCEPTED:
            counts["accepted"] += count
    return counts


# --- leavers -----------------------------------------------------------------------------------

def member_or_404(scheme: Scheme, user_id: int) -> tuple[User, list[Membership]]:
    """A mentor or mentee of the scheme (the asker administers it: see scheme_or_404), with
    those memberships, deactivated or not; "not found" for anyone else."""
    memberships = list(db.session.scalars(sa.select(Membership).where(
        Membership.user_id == user_id, Membership.scheme_id == scheme.id,
        Membership.role.in_([Role.MENTOR, Role.MENTEE])).order_by(Membership.id)))
    if not memberships:
        abort(404)
    return memberships[0].user, memberships


def open_work(scheme_id: int, user_id: int) -> tuple[list[int], list[int], list[int]]:
    """The person's open work in the scheme: the ids of their profiles, of the chemistry call
    requests waiting for an answer, and of their relationships not yet ended."""
    profiles = list(db.session.scalars(sa.select(MentorProfile.id).where(
        MentorProfile.scheme_id == scheme_id, MentorProfile.user_id == user_id)))
    calls = list(db.session.scalars(sa.select(ChemistryCall.id).where(
        ChemistryCall.scheme_id == scheme_id, ChemistryCall.state == CallState.REQUESTED,
        sa.or_(ChemistryCall.mentor_id == user_id, ChemistryCall.mentee_id == user_id))
        .order_by(ChemistryCall.id)))
    relationships = list(db.session.scalars(sa.select(Relationship.id).where(
        Relationship.scheme_id == scheme_id, Relationship.state != RelationshipState.ENDED,
        sa.or_(Relationship.mentor_id == user_id, Relationship.mentee_id == user_id))
        .order_by(Relationship.id)))
    return profiles, calls, relationships
