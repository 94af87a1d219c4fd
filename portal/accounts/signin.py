"""Signing in and registering by emailed one-time links. No passwords.

Neither the pages nor the timing say whether an address has an account: every request for a
link answers "check your email", and the email itself says what to do next.

Limits on link emails (sign-in and registration share them), checked in this order:

1. Per client (network address), ``SIGN_IN_LIMIT_PER_CLIENT`` requests in the window. Every
   request it lets through counts, whatever happens next. Over it, the client is shown "too many
   attempts" (429): that is its own doing.
2. Per address and client, ``SIGN_IN_LIMIT_PER_ADDRESS`` links: one client cannot send an
   address more than this, however often it asks.
3. Per address from all clients, ``SIGN_IN_LIMIT_PER_ADDRESS_TOTAL`` links (15 unless set),
   so many clients together cannot flood a mailbox either. A browser that has
   signed in to this address before (the known-device cookie, an HMAC of the address) skips this
   cap, so an attacker with many network addresses cannot use it up to lock the owner out.

Only links actually sent count against 2 and 3. When 2 or 3 is reached the link is dropped
silently and the page says "check your email" as usual: the address's owner never sees an
error that someone else caused, and the page still says nothing about the account. One log line
with a hash prefix of the address lets operators see it happen. Mail to one address in a window
is bounded by the total cap, plus the cap of 2 for each network address of the owner's own
browsers.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

import sqlalchemy as sa
from flask import current_app

from portal import audit, mail, ratelimit
from portal.accounts import links
from portal.accounts.models import Membership, Role, User
from portal.db import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.schemes.models import Scheme

log = logging.getLogger(__name__)

KNOWN_DEVICE_DAYS = 180


class TooManyRequests(DomainError):
    status = 429


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def _digest(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:24]


def device_mark(email: str) -> str:
    """The known-device cookie's value for an address: an HMAC, so it cannot be made up and
    does not show the address."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"known-device:" + normalise_email(email).encode(),
                    hashlib.sha256).hexdigest()[:32]


def is_known_device(email: str, mark: str | None) -> bool:
    return bool(mark) and hmac.compare_digest(mark, device_mark(email))


def address_limit_keys(email: str, config) -> list[tuple[str, int]]:
    """The rate-limit counters kept for an address across every network address, with their
    limits: forgotten when the account is deleted."""
    return [(f"link:addr:{_digest(normalise_email(email))}",
             config["SIGN_IN_LIMIT_PER_ADDRESS_TOTAL"])]


def _may_send_link(email: str, client: str, known_device: bool) -> bool:
    """Apply the limits (see the module docstring): raise for a client over its own limit,
    return False to drop a link that would go over an address's limit."""
    config = current_app.config
    if not ratelimit.hit(f"link:client:{client}", config["SIGN_IN_LIMIT_PER_CLIENT"]):
        minutes = config["RATE_LIMIT_WINDOW_SECONDS"] // 60
        raise TooManyRequests(
            f"You have asked for too many links. Wait {minutes} minutes, then try again.",
            title="Too many attempts",
        )
    digest = _digest(email)
    one_client = config["SIGN_IN_LIMIT_PER_ADDRESS"]
    all_clients = config["SIGN_IN_LIMIT_PER_ADDRESS_TOTAL"]
    limits = [(f"link:addr-client:{digest}:{client}", one_client, "for one client")]
    if not known_device:
        limits.append((f"link:addr:{digest}", all_clients, "for all clients"))
    # Look first, then count: a link dropped by the second limit must not use up the first.
    # Each hit is itself a check, so requests racing past the look still cannot overshoot.
    full = next((name for key, limit, name in limits if not ratelimit.test(key, limit)), None)
    if full is None and all(ratelimit.hit(key, limit) for key, limit, _ in limits):
        return True
    log.warning("Link email to address sha256:%s not sent: its limit %s is reached",
                digest[:12], full or "(counted by a request at the same moment)")
    return False


def request_sign_in(email: str, client: str, next_path: str | None = None,
                    device: str | None = None) -> None:
    """Email a sign-in link to an account holder, or a registration pointer to anyone else
    (unless the limits drop it: the caller answers the same either way)."""
    email = normalise_email(email)
    if not _may_send_link(email, client, is_known_device(email, device)):
        return
    user = find_user(email)
    minutes = current_app.config["SIGN_IN_LINK_MINUTES"]
    if user is None:
        mail.queue(email, "no_account", email=email)
    else:
        token = links.make_sign_in_link(user, next_path)
        mail.queue(email, "sign_in", user=user, token=token, minutes=minutes)
    db.session.commit()


def sign_in(token: str, client: str) -> tuple[User, str | None]:
    """Use a sign-in link (once); returns the person it signs in and where they were going."""
    link = links.check_sign_in_link(token, lock=True)
    links.spend_sign_in_link(link)
    user = link.user
    user.last_signed_in_at = utcnow()
    audit.record(db.session, "user", user.id, "signed_in", actor_id=user.id, ip_address=client)
    db.session.commit()
    return user, link.next_path


def sign_out(user: User) -> None:
    """End every session of this person: their session version moves on."""
    user.session_version += 1
    db.session.commit()


def start_registration(scheme: Scheme, roles: list[Role], full_name: str, email: str,
                       client: str, device: str | None = None) -> None:
    """Email a link that creates the account (or adds the roles) once the address is proven
    (unless the limits drop it: the caller answers the same either way)."""
    email = normalise_email(email)
    if not _may_send_link(email, client, is_known_device(email, device)):
        return
    token = links.make_registration_link(email, scheme, roles, full_name.strip())
    existing = find_user(email)
    mail.queue(email, "confirm_registration", scheme=scheme, roles=roles, token=token,
               existing=existing, name=full_name.strip(),
               minutes=current_app.config["SIGN_IN_LINK_MINUTES"])
    db.session.commit()


def complete_registration(token: str, client: str) -> User:
    """Create the account if needed and add the scheme roles; the link works once."""
    link = links.check_registration_link(token, lock=True)
    links.spend_registration_link(link)
    scheme = link.scheme
    user = find_user(link.email)
    if user is None:
        user = User(email=link.email, full_name=link.full_name)
        db.session.add(user)
        db.session.flush()
    for role in link.roles:
        join(user, scheme, role)
    user.last_signed_in_at = utcnow()
    audit.record(db.session, "user", user.id, "registered", actor_id=user.id, ip_address=client,
                 scheme=scheme.slug, roles=[role.value for role in link.roles])
    db.session.commit()
    return user


def join_scheme(user: User, scheme: Scheme, roles: list[Role]) -> None:
    """A signed-in person joins another scheme in these roles, having confirmed eligibility."""
    for role in roles:
        join(user, scheme, role)
    db.session.commit()


def join(user: User, scheme: Scheme, role: Role) -> Membership:
    """Give a person a role in a scheme, having confirmed its eligibility statement."""
    for membership in user.memberships:
        if membership.scheme_id == scheme.id and membership.role == role:
            return membership
    membership = Membership(scheme=scheme, role=role, eligibility_confirmed_at=utcnow())
    user.memberships.append(membership)
    return membership
