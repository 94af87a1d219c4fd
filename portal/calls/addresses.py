"""Which addresses may receive a mentee's request for their line manager's approval.

The mentee chooses the address the link goes to, so the address is checked: it must not be the
mentee's own in any disguise, and it must be at one of the scheme's organisations when the
scheme's pack lists them (``line_manager_domains``).
"""

from __future__ import annotations

from portal.accounts.models import User
from portal.schemes.models import Scheme


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
