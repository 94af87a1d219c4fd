"""A line manager approves (or not) a mentee taking part, through an emailed link, no account.

The mentee chooses the address the link goes to, so the address is checked: it must not be the
mentee's own in any disguise, and it must be at one of the scheme's organisations when the
scheme's pack lists them (``line_manager_domains``).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from portal import audit, mail, tokens
from portal.accounts.models import Role, User
from portal.calls.models import APPROVAL_TRANSITIONS, ApprovalState, LineManagerApproval
from portal.calls.requesting import latest_approval
from portal.calls.shared import find_mentors_url
from portal.db import lock, utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.schemes.models import Scheme
from portal.templating import format_date


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
    lock(db.session(), sa.select(User).where(User.id == mentee.id))
    current = latest_approval(mentee.id, scheme.id)
    if current is not None and current.state == ApprovalState.APPROVED:
        raise DomainError("Your line manager has already approved your taking part.",
                          next_step="You can request chemistry calls now.")
    if current is not None and current.state == ApprovalState.PENDING:
        _move(current, ApprovalState.REPLACED)
    approval = LineManagerApproval(scheme_id=scheme.id, mentee_id=mentee.id,
                                   manager_name=manager_name.strip(), manager_email=manager_email)
    db.session.add(approval)
    db.session.flush()
    audit.record(db.session, "line_manager_approval", approval.id, "requested",
                 actor_id=mentee.id, ip_address=ip, manager_email=manager_email,
                 replaced=current.id if current is not None and current.state ==
                 ApprovalState.REPLACED else None)
    token = tokens.make("line-manager", a=approval.id, s="pending")
    mail.queue(manager_email, "line_manager_request", scheme=scheme, approval=approval,
               token=token, name=approval.manager_name, mentee_name=mentee.full_name)
    db.session.commit()
    return approval


def check_link(token: str, viewer: User | None = None) -> LineManagerApproval:
    """The approval an emailed link is for. The mentee cannot use their manager's link."""
    payload = tokens.load("line-manager", token, what="approval link")
    approval = db.session.get(LineManagerApproval, payload["a"])
    if approval is None:
        raise tokens.LinkError("This approval link is not valid.", next_step="invalid", status=400)
    if viewer is not None and viewer.id == approval.mentee_id:
        raise NotAllowed("This link is for your line manager. Only they can approve your "
                         "taking part.", title="This link is for your line manager")
    # Requests sent before an address rule existed, or before the scheme named its
    # organisations: the link must not approve what asking today would refuse.
    if approval.state == ApprovalState.PENDING and manager_address_problem(
            approval.mentee, approval.scheme, approval.manager_email) is not None:
        raise NotAllowed(f"This request cannot be approved from this address. Ask "
                         f"{approval.mentee.full_name} to send a new request to their line "
                         "manager's work email address.", title="This request cannot be answered")
    return approval


def decide(token: str, approve: bool, *, viewer: User | None = None,
           ip: str | None = None) -> LineManagerApproval:
    """The manager's answer; the mentee is told either way."""
    approval_id = check_link(token, viewer).id
    approval = lock(db.session(), sa.select(LineManagerApproval)
                    .where(LineManagerApproval.id == approval_id)
                    .options(lazyload("*")).execution_options(populate_existing=True))
    if approval.state != ApprovalState.PENDING:
        raise DomainError(outcome_text(approval), title="This request has already been answered")
    _move(approval, ApprovalState.APPROVED if approve else ApprovalState.DECLINED)
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


def mailbox_key(address: str) -> str:
    """The mailbox an address reaches, as most email services read it: letter case, a "+tag"
    and dots before the @ make no difference, so Jo.Smith+boss@x and josmith@x are one."""
    local, _, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0].replace('.', '')}@{domain.rstrip('.')}"


def in_domains(address: str, domains: list[str]) -> bool:
    """Whether the address is at one of the domains or a subdomain of one (hr.x.gov.uk is
    at x.gov.uk; notx.gov.uk is not)."""
    domain = address.strip().lower().rpartition("@")[2].rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in domains)


def manager_address_problem(mentee: User, scheme: Scheme, address: str) -> str | None:
    """Why ``address`` cannot be the mentee's line manager's, or None if it can. The mentee's
    other accounts are covered too: one person's accounts share a mailbox key."""
    if mailbox_key(address) == mailbox_key(mentee.email):
        return "This is your own email address. Enter your line manager's work email address"
    domains = scheme.line_manager_domains or []
    if domains and not in_domains(address, domains):
        return (f"Enter your line manager's work email address. {scheme.name} can only ask "
                f"line managers with an address ending in {either(domains)}")
    return None


def either(domains: list[str]) -> str:
    """["a", "b", "c"] as "a, b or c"."""
    return " or ".join(filter(None, [", ".join(domains[:-1]), domains[-1]]))


def outcome_text(approval: LineManagerApproval) -> str:
    """What happened to an approval request, for a link that can no longer act."""
    mentee = approval.mentee.full_name
    when = format_date(approval.decided_at or approval.requested_at)
    if approval.state == ApprovalState.APPROVED:
        return f"You approved {mentee} taking part on {when}. Thank you."
    if approval.state == ApprovalState.DECLINED:
        return f"You said on {when} that {mentee} should not take part at the moment."
    if approval.state == ApprovalState.REPLACED:
        return (f"{mentee} has since sent a new request, so this link no longer works. "
                "Use the link in the most recent email.")
    return f"{mentee} is waiting for your answer."


def _move(approval: LineManagerApproval, to: ApprovalState) -> None:
    if to not in APPROVAL_TRANSITIONS[approval.state]:
        raise DomainError(outcome_text(approval))
    approval.state = to
