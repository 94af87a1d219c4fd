"""What the administrators' pages read: their schemes, an agreement or approval they may see
(anything else is "not found"), and the line managers' approvals with what to check about each.

The agreements' own counts, lists and audit trail are in portal.agreements.queries.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort

from portal.accounts.models import Membership, Role, User
from portal.agreements import queries as agreement_queries
from portal.agreements.models import Agreement
from portal.audit import AuditEvent
from portal.calls.addresses import in_domains, mailbox_key
from portal.calls.models import ApprovalState, LineManagerApproval
from portal.extensions import db
from portal.schemes.models import Scheme
from portal.schemes.queries import get_scheme_or_404


def administered(user: User) -> list[Scheme]:
    """The schemes ``user`` administers, by name."""
    ids = user.scheme_ids(Role.ADMIN)
    return list(db.session.scalars(sa.select(Scheme).where(Scheme.id.in_(ids))
                                   .order_by(Scheme.name)))


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
