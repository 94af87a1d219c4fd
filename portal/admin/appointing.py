"""Appointing a scheme's administrators: by an operator at the command line, by another
administrator's emailed invitation, and removing one.

The rules:

- Every change to a scheme's administrators locks the scheme's row first, so two removals at
  the same moment cannot leave a scheme with none.
- From the desk, a scheme always keeps at least one administrator. An operator at the command
  line may remove the last one (they can appoint another the same way); the command says so.
- An administrator invites and removes administrators of their own schemes only.
- An invitation link works once, for the address it was sent to, and only while the person who
  sent it still administers the scheme. It creates the account if there is none.
- A site administrator is a person who administers every scheme (see
  ``portal.admin.queries.is_site_admin``): ``all_schemes`` grants or revokes every one.
- Every grant and removal is audited on the scheme (``admin_granted`` and ``admin_revoked``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from portal import audit, mail, tokens
from portal.accounts import links
from portal.accounts.models import Membership, Role, User
from portal.accounts.signin import find_user, join, normalise_email
from portal.db import lock
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.schemes.models import Scheme


@dataclass
class Outcome:
    """What a grant or revoke at the command line did, scheme by scheme."""

    user: User
    changed: list[Scheme] = field(default_factory=list)
    unchanged: list[Scheme] = field(default_factory=list)
    #: Schemes that have no administrator after a revoke.
    left_without: list[Scheme] = field(default_factory=list)


def _person(email: str) -> User:
    user = find_user(email)
    if user is None:
        raise DomainError(
            f"There is no account for {normalise_email(email)}.",
            next_step=f"They register first at {mail.absolute_url('accounts.register_choose')} "
                      "(any role will do), or an administrator invites them from the desk. "
                      "Then run this again.", title="No such person")
    return user


def _lock_schemes(slug: str | None, all_schemes: bool) -> list[Scheme]:
    """Lock the schemes named (in id order, so two commands never wait on each other)."""
    if all_schemes == (slug is not None):
        raise DomainError("Name one scheme, or ask for every scheme (not both).")
    slugs = list(db.session.scalars(sa.select(Scheme.slug).order_by(Scheme.slug)))
    if slug is not None and slug not in slugs:
        raise DomainError(f"There is no scheme {slug!r}.",
                          next_step="The schemes are: " + (", ".join(slugs) or "none yet") + ".",
                          title="No such scheme")
    ids = list(db.session.scalars(
        sa.select(Scheme.id).where(sa.true() if all_schemes else Scheme.slug == slug)
        .order_by(Scheme.id)))
    if not ids:
        raise DomainError("There are no schemes yet.", title="No such scheme")
    return [lock(db.session, sa.select(Scheme).where(Scheme.id == scheme_id))
            for scheme_id in ids]


def _admin_count(scheme_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Membership).where(
        Membership.scheme_id == scheme_id, Membership.role == Role.ADMIN))


def _membership(user: User, scheme_id: int) -> Membership | None:
    return next((m for m in user.memberships
                 if m.scheme_id == scheme_id and m.role == Role.ADMIN), None)


def grant(email: str, slug: str | None = None, *, all_schemes: bool = False,
          actor: User | None = None, ip_address: str | None = None) -> Outcome:
    """Make an existing account an administrator of one scheme, or of every scheme (a site
    administrator). Granting what is held already changes nothing and says so."""
    schemes = _lock_schemes(slug, all_schemes)
    user = _person(email)
    outcome = Outcome(user)
    for scheme in schemes:
        if _membership(user, scheme.id) is not None:
            outcome.unchanged.append(scheme)
            continue
        join(user, scheme, Role.ADMIN)
        audit.record(db.session, "scheme", scheme.id, "admin_granted",
                     actor_id=actor.id if actor else None, ip_address=ip_address,
                     user_id=user.id, email=user.email, by="command line")
        outcome.changed.append(scheme)
    db.session.commit()
    return outcome


def revoke(email: str, slug: str | None = None, *, all_schemes: bool = False,
           actor: User | None = None, ip_address: str | None = None) -> Outcome:
    """Take away a person's administrator role in one scheme, or in every scheme. Revoking
    what is not held changes nothing and says so; a scheme left with no administrator is
    reported."""
    schemes = _lock_schemes(slug, all_schemes)
    user = _person(email)
    outcome = Outcome(user)
    for scheme in schemes:
        membership = _membership(user, scheme.id)
        if membership is None:
            outcome.unchanged.append(scheme)
            continue
        user.memberships.remove(membership)
        audit.record(db.session, "scheme", scheme.id, "admin_revoked",
                     actor_id=actor.id if actor else None, ip_address=ip_address,
                     user_id=user.id, email=user.email, by="command line")
        outcome.changed.append(scheme)
    db.session.flush()
    outcome.left_without = [s for s in outcome.changed if _admin_count(s.id) == 0]
    db.session.commit()
    return outcome


def _lock_scheme(scheme_id: int) -> Scheme:
    scheme = lock(db.session, sa.select(Scheme).where(Scheme.id == scheme_id))
    if scheme is None:
        raise DomainError("This scheme no longer exists.", status=404)
    return scheme


def _refuse_unless_admin(user: User | None, scheme: Scheme) -> None:
    if user is None or _membership(user, scheme.id) is None:
        raise NotAllowed(f"Only an administrator of {scheme.name} can do this.")


def invite(scheme_id: int, inviter: User, email: str, full_name: str, *,
           ip_address: str | None = None) -> None:
    """An administrator emails an invitation to become an administrator of their scheme. An
    address that is an administrator already is refused (the form says so first)."""
    scheme = _lock_scheme(scheme_id)
    _refuse_unless_admin(inviter, scheme)
    email = normalise_email(email)
    existing = find_user(email)
    if existing is not None and _membership(existing, scheme.id) is not None:
        raise DomainError(f"{existing.full_name} is already an administrator of {scheme.name}.")
    token = links.make_invitation_link(scheme, inviter, email, full_name.strip())
    mail.queue(email, "admin_invitation", scheme=scheme, inviter=inviter, token=token,
               name=existing.full_name if existing else full_name.strip(),
               existing=existing is not None, days=links.invitation_link_days())
    audit.record(db.session, "scheme", scheme.id, "admin_invited", actor_id=inviter.id,
                 ip_address=ip_address, email=email)
    db.session.commit()


def accept_invitation(token: str, signed_in: User | None, *,
                      ip_address: str | None = None) -> tuple[User, Scheme]:
    """Use an invitation link (once): the address's account, made if there is none, becomes an
    administrator of the scheme. Refused if the inviter no longer administers it."""
    link = links.check_invitation_link(token, signed_in, lock=True)
    scheme = _lock_scheme(link.scheme.id)
    inviter = db.session.get(User, link.payload["by"])
    if inviter is None or _membership(inviter, scheme.id) is None:
        raise tokens.LinkError(
            f"The person who invited you is no longer an administrator of {scheme.name}, so "
            "this invitation has been withdrawn.",
            next_step=f"Ask another administrator of {scheme.name} to invite you again.")
    links.spend_invitation_link(link)
    user = find_user(link.email)
    if user is None:
        user = User(email=link.email, full_name=link.full_name)
        db.session.add(user)
        db.session.flush()
        audit.record(db.session, "user", user.id, "registered", actor_id=user.id,
                     ip_address=ip_address, scheme=scheme.slug, roles=[Role.ADMIN.value])
    if _membership(user, scheme.id) is None:
        join(user, scheme, Role.ADMIN)
        audit.record(db.session, "scheme", scheme.id, "admin_granted", actor_id=user.id,
                     ip_address=ip_address, user_id=user.id, email=user.email,
                     by="invitation", invited_by=inviter.id)
    db.session.commit()
    return user, scheme


def remove(scheme_id: int, user_id: int, actor: User, *, ip_address: str | None = None) -> User:
    """An administrator removes another administrator of their scheme, or themselves (the page
    asks them to confirm that first). The last administrator is never removed."""
    scheme = _lock_scheme(scheme_id)
    _refuse_unless_admin(actor, scheme)
    user = db.session.get(User, user_id)
    membership = _membership(user, scheme.id) if user is not None else None
    if membership is None:
        raise DomainError(f"This person is no longer an administrator of {scheme.name}.",
                          next_step="Nothing else is needed.")
    if _admin_count(scheme.id) <= 1:
        raise DomainError(f"{user.full_name} is the only administrator of {scheme.name}, so "
                          "they cannot be removed.",
                          next_step="Invite another administrator first.",
                          title="A scheme needs an administrator")
    user.memberships.remove(membership)
    audit.record(db.session, "scheme", scheme.id, "admin_revoked", actor_id=actor.id,
                 ip_address=ip_address, user_id=user.id, email=user.email, by="desk")
    db.session.commit()
    return user
