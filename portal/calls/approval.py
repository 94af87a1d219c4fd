"""A line manager approves (or not) a mentee taking part, through an emailed link, no account.

The mentee chooses the address the link goes to; ``addresses`` says which addresses may have it.
"""

from __future__ import annotations

from portal import audit, mail
from portal.accounts.models import Role, User
from portal.calls import queries
from portal.calls.addresses import manager_address_problem
from portal.calls.links import check_line_manager_link, find_mentors_url, make_line_manager_link
from portal.calls.models import ApprovalState, LineManagerApproval
from portal.db import utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.schemes.models import Scheme


def ask_line_manager(mentee: User, scheme: Scheme, manager_name: str, manager_email: str,
                     ip: str | None = None) -> LineManagerApproval:
    """Email the mentee's line manager a link to approve; an earlier pending request dies."""
    if not scheme.needs_line_manager_approval:
        raise DomainError(f"{scheme.name} does not need your line manager's approval.")
    if not mentee.has_role(Role.MENTEE, scheme.id):
        raise NotAllowed(f"Join {scheme.name} as a mentee first.")
    manager_email = manager_email.strip().lower()
    problem = manager_address_problem(mentee, scheme, manager_email)
    if problem is not None:
        raise DomainError(problem + ".")
    queries.lock_mentee(mentee.id)
    current = queries.latest_approval(mentee.id, scheme.id)
    if current is not None and current.state == ApprovalState.APPROVED:
        raise DomainError("Your line manager has already approved your taking part.",
                          next_step="You can request chemistry calls now.")
    if current is not None and current.state == ApprovalState.PENDING:
        current.move_to(ApprovalState.REPLACED)
    approval = LineManagerApproval(scheme_id=scheme.id, mentee_id=mentee.id,
                                   manager_name=manager_name.strip(), manager_email=manager_email)
    db.session.add(approval)
    db.session.flush()
    audit.record(db.session, "line_manager_approval", approval.id, "requested",
                 actor_id=mentee.id, ip_address=ip, manager_email=manager_email,
                 replaced=current.id if current is not None and current.state ==
                 ApprovalState.REPLACED else None)
    mail.queue(manager_email, "line_manager_request", scheme=scheme, approval=approval,
               token=make_line_manager_link(approval), name=approval.manager_name,
               mentee_name=mentee.full_name)
    db.session.commit()
    return approval


def decide(token: str, approve: bool, *, viewer: User | None = None,
           ip: str | None = None) -> LineManagerApproval:
    """The manager's answer; the mentee is told either way."""
    approval_id = check_line_manager_link(token, viewer).id
    approval = queries.lock_approval(approval_id)
    approval.move_to(ApprovalState.APPROVED if approve else ApprovalState.DECLINED)
    approval.decided_at = utcnow()
    approval.decided_ip = ip
    audit.record(db.session, "line_manager_approval", approval.id,
                 "approved" if approve else "declined", ip_address=ip,
                 manager_email=approval.manager_email)
    mentee = approval.mentee
    mail.queue(mentee.email, "line_manager_approved" if approve else "line_manager_declined",
               scheme=approval.scheme, approval=approval, name=mentee.full_name,
               find_url=find_mentors_url())
    db.session.commit()
    return approval
