"""Access rules for views: every route is public on purpose, or needs a signed-in person.

``public`` marks a view that anyone may open (emailed links check their own token);
``role_required`` needs a role in some scheme. Both leave a mark on the view function that the
URL-map test reads, so a new route without an access rule fails the test suite.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable

from flask import abort, current_app, request
from flask_login import current_user, login_required

from portal.accounts.models import Role


def public(reason: str) -> Callable:
    """Mark a view as open to anyone, saying why."""

    def mark(view: Callable) -> Callable:
        view.public_reason = reason
        return view

    return mark


def signed_in(view: Callable) -> Callable:
    """Any signed-in person."""
    wrapped = login_required(view)
    wrapped.access = "signed-in"
    return wrapped


def role_required(*roles: Role) -> Callable:
    """A signed-in person who holds one of ``roles`` in at least one scheme."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not any(current_user.has_role(role) for role in roles):
                abort(403, description=_role_message(roles))
            return view(*args, **kwargs)

        wrapped = login_required(wrapper)
        wrapped.access = "role"
        wrapped.required_roles = roles
        return wrapped

    return decorate


def _role_message(roles: tuple[Role, ...]) -> str:
    names = " or ".join(f"a {role.value}" if role != Role.ADMIN else "an administrator"
                        for role in roles)
    return f"This page is for {names} in a scheme."


def viewer():
    """The signed-in person, or None: for pages an emailed link opens, signed in or not."""
    return current_user if current_user.is_authenticated else None


def safe_path(path: str | None) -> str | None:
    """A path on this portal to go to next, or None: never another site.

    Browsers drop tabs and newlines from addresses, so "/\t/other.site" would become
    "//other.site": any white space or control character is refused, not only a leading "//".
    """
    if not path or len(path) > 500 or not path.startswith("/") or path.startswith("//"):
        return None
    if "\\" in path or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 0x7F for ch in path):
        return None
    return path


def client_ip() -> str:
    """The client's address (ProxyFix, configured by TRUST_PROXY_HOPS, sets remote_addr)."""
    return request.remote_addr or "unknown"


def from_this_machine() -> bool:
    """Whether the request comes from a browser or probe on this machine (loopback).

    Behind a proxy that is not trusted (TRUST_PROXY_HOPS=0) every request arrives from the
    proxy's own address, often loopback: one that says it was forwarded is someone else's.
    """
    forwarded = request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded")
    if forwarded and not current_app.config["TRUST_PROXY_HOPS"]:
        return False
    return is_loopback(request.remote_addr)


def is_loopback(address: str | None) -> bool:
    """Whether a client address is this machine (127.0.0.0/8 or ::1)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1 on a dual-stack socket
    return (mapped or ip).is_loopback
