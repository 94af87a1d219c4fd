"""A person's own account details: their name and phone number, and their email address.

The name and phone change at once. What was signed keeps the name it was signed with: an
agreement's or evaluation's text is stored when it is sent for signatures, with the names of
that moment, and each signature keeps the name typed.

The email address is the sign-in identity, so it moves only when the new address confirms: a
link goes to the new address (not the old one), and only using it changes the account. Then
every session of the person ends (their session version moves on, as when signing out
everywhere) and the old address is told, so someone who took over a session cannot keep it or
move the account unnoticed. If the new address already belongs to an account, its owner is
told so by email instead and nothing changes; the page answers the same either way, so the
form cannot be used to find out who has an account.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from portal import audit, mail, ratelimit
from portal import db as portal_db
from portal.accounts import links
from portal.accounts.links import EmailChangeLink
from portal.accounts.models import User
from portal.accounts.signin import TooManyRequests, find_user, normalise_email
from portal.errors import DomainError
from portal.extensions import db


def lock_user(user_id: int) -> User:
    """The account, locked and read fresh. Why: two changes to one account (two tabs, or a
    change racing the email confirmation) happen one after the other."""
    user = portal_db.lock(db.session(), sa.select(User).where(User.id == user_id)
                          .execution_options(populate_existing=True))
    if user is None:
        raise DomainError("This account no longer exists.", status=404)
    return user


def change_details(user_id: int, *, full_name: str, phone: str, ip_address: str) -> User:
    """Change the person's own name and phone number."""
    user = lock_user(user_id)
    name = " ".join(full_name.split())
    if not name:
        raise DomainError("Enter your full name.", status=400)
    changed = sorted(field for field, before, after in (
        ("name", user.full_name, name), ("phone", user.phone or "", phone))
        if before != after)
    user.full_name, user.phone = name, phone or None
    if changed:
        audit.record(db.session, "user", user.id, "details_changed", actor_id=user.id,
                     ip_address=ip_address, fields=changed)
    db.session.commit()
    return user


def ask_to_change_email(user_id: int, new_email: str, *, ip_address: str) -> None:
    """Email a confirmation link to the new address (or, if an account has it already, tell
    that address so). Nothing about the account changes yet."""
    new_email = normalise_email(new_email)
    user = lock_user(user_id)
    if new_email == user.email:
        raise DomainError("That is already your email address.", status=400)
    limit = current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"]
    if not ratelimit.hit(f"change-email:{user.id}", limit):
        minutes = current_app.config["RATE_LIMIT_WINDOW_SECONDS"] // 60
        raise TooManyRequests(f"You have asked to change your email address too many times. "
                              f"Wait {minutes} minutes, then try again.",
                              title="Too many attempts")
    audit.record(db.session, "user", user.id, "email_change_asked", actor_id=user.id,
                 ip_address=ip_address)
    if find_user(new_email) is not None:
        mail.queue(new_email, "email_change_taken", name=None, email=new_email)
    else:
        mail.queue(new_email, "email_change_confirm", name=user.full_name,
                   token=links.make_email_change_link(user, new_email),
                   hours=links.email_change_link_hours(), old_email=user.email)
    db.session.commit()


def confirm_email_change(token: str, *, ip_address: str) -> User:
    """Use the link sent to the new address (once): the account moves to it, every session
    ends, and the old address is told."""
    link: EmailChangeLink = links.check_email_change_link(token, lock=True)
    user = lock_user(link.user.id)
    if user.email != link.payload["old"]:
        raise DomainError("The account's email address changed after this link was sent.")
    if find_user(link.new_email) is not None:
        raise _taken(link.new_email)
    links.spend_email_change_link(link)
    old_email = user.email
    user.email = link.new_email
    user.session_version += 1  # every session ends: sign in again with the new address
    audit.record(db.session, "user", user.id, "email_changed", actor_id=user.id,
                 ip_address=ip_address)
    mail.queue(old_email, "email_changed", name=user.full_name, new_email=user.email)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # another account took the address at this very moment
        db.session.rollback()
        raise _taken(link.new_email) from None
    return user


def _taken(email: str) -> DomainError:
    return DomainError(f"{email} is now used by another account, so this account cannot move "
                       "to it.", title="That address is taken")
