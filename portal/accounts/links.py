"""The emailed links of accounts: signing in, confirming a registration, an invitation to
become a scheme's administrator, an invitation to join a scheme as a mentor or mentee, and
confirming a new email address. Each purpose is made and checked here only (on
portal/tokens.py); every one of these links works once."""

from __future__ import annotations

from dataclasses import dataclass

from portal import tokens
from portal.accounts.models import Role, User
from portal.admin.models import Invitation, InvitationState
from portal.auth import safe_path
from portal.errors import NotAllowed
from portal.extensions import db
from portal.schemes.models import Scheme


def make_sign_in_link(user: User, next_path: str | None = None) -> str:
    """A token that signs ``user`` in once, then goes to ``next_path`` if it is ours."""
    extra = {"next": safe_path(next_path)} if safe_path(next_path) else {}
    return tokens.make("sign-in", uid=user.id, **extra)


@dataclass(frozen=True)
class SignInLink:
    user: User
    payload: dict

    @property
    def next_path(self) -> str | None:
        return safe_path(self.payload.get("next"))


def check_sign_in_link(token: str, *, lock: bool = False) -> SignInLink:
    """The account a sign-in link is for, refusing a used, expired or tampered link (``lock``:
    first in the transaction that uses it)."""
    payload = tokens.load("sign-in", token, what="sign-in link", lock=lock)
    if tokens.is_used(db.session, payload):
        raise tokens.LinkError("This sign-in link has already been used.", next_step="used")
    user = db.session.get(User, payload["uid"])
    if user is None or user.erased_at is not None:
        raise tokens.LinkError("This sign-in link is not valid.", next_step="invalid", status=400)
    return SignInLink(user, payload)


def spend_sign_in_link(link: SignInLink) -> None:
    """Mark the link used, in the caller's transaction (a second use is refused)."""
    tokens.consume(db.session, "sign-in", link.payload, what="sign-in link")


def make_registration_link(email: str, scheme: Scheme, roles: list[Role], full_name: str) -> str:
    """A token that creates the account (or adds the roles) once the address is proven."""
    return tokens.make("register", e=email, s=scheme.id, r=[r.value for r in roles],
                       name=full_name)


@dataclass(frozen=True)
class RegistrationLink:
    scheme: Scheme
    payload: dict

    @property
    def email(self) -> str:
        return self.payload["e"]

    @property
    def full_name(self) -> str:
        return self.payload["name"]

    @property
    def roles(self) -> list[Role]:
        return [Role(role) for role in self.payload["r"]]


def check_registration_link(token: str, *, lock: bool = False) -> RegistrationLink:
    """The registration a confirmation link is for, refusing a used, expired or tampered one
    (``lock``: first in the transaction that uses it)."""
    payload = tokens.load("register", token, what="confirmation link", lock=lock)
    if tokens.is_used(db.session, payload):
        raise tokens.LinkError("This confirmation link has already been used.", next_step="used")
    scheme = db.session.get(Scheme, payload["s"])
    if scheme is None:
        raise tokens.LinkError("The scheme in this link no longer exists.", status=404)
    return RegistrationLink(scheme, payload)


def spend_registration_link(link: RegistrationLink) -> None:
    """Mark the link used, in the caller's transaction (a second use is refused)."""
    tokens.consume(db.session, "register", link.payload, what="confirmation link")


# --- an invitation to become a scheme's administrator ---------------------------------------


def make_invitation_link(scheme: Scheme, inviter: User, email: str, full_name: str) -> str:
    """A single-use token that makes whoever holds ``email`` an administrator of ``scheme``,
    creating their account if they have none. ``full_name`` is what the inviter called them."""
    return tokens.make("admin-invite", s=scheme.id, by=inviter.id, e=email, name=full_name)


def invitation_link_days() -> int:
    """How many days an invitation link lives, for the email to say."""
    return tokens.max_age("admin-invite") // tokens.DAY


@dataclass(frozen=True)
class InvitationLink:
    scheme: Scheme
    #: The administrator who sent it (None if their account has gone).
    inviter: User | None
    payload: dict

    @property
    def email(self) -> str:
        return self.payload["e"]

    @property
    def full_name(self) -> str:
        return self.payload["name"]


def check_invitation_link(token: str, signed_in: User | None = None, *,
                          lock: bool = False) -> InvitationLink:
    """The scheme and inviter of an invitation link, refusing a used, expired or tampered one,
    and anyone signed in with another address (``lock``: first in the transaction that uses
    it). Whether the inviter may still invite is checked by the verb that uses it."""
    payload = tokens.load("admin-invite", token, what="invitation link", lock=lock)
    if tokens.is_used(db.session, payload):
        raise tokens.LinkError("This invitation link has already been used.", next_step="used")
    scheme = db.session.get(Scheme, payload["s"])
    if scheme is None:
        raise tokens.LinkError("The scheme in this invitation no longer exists.", status=404)
    if signed_in is not None and signed_in.email != payload["e"]:
        raise NotAllowed("This invitation was sent to another email address. Sign out, then "
                         "open the link again, or ask for an invitation to your own address.",
                         title="This invitation is for someone else")
    return InvitationLink(scheme, db.session.get(User, payload["by"]), payload)


def spend_invitation_link(link: InvitationLink) -> None:
    """Mark the link used, in the caller's transaction (a second use is refused)."""
    tokens.consume(db.session, "admin-invite", link.payload, what="invitation link")


# --- change-email: the link sent to a new address, to confirm it ------------------------------


@dataclass(frozen=True)
class EmailChangeLink:
    user: User
    new_email: str
    payload: dict


def make_email_change_link(user: User, new_email: str) -> str:
    """A single-use token that moves ``user``'s account from their current address to
    ``new_email``, if they still have that current address when it is used."""
    return tokens.make("change-email", u=user.id, old=user.email, new=new_email)


def email_change_link_hours() -> int:
    return tokens.max_age("change-email") // 3600


def check_email_change_link(token: str, signed_in: User | None = None, *,
                            lock: bool = False) -> EmailChangeLink:
    """The account and new address a link is for; a used, expired or outdated one (the
    account's address changed since) is dead, and someone else signed in is refused."""
    payload = tokens.load("change-email", token, what="link", lock=lock)
    if tokens.is_used(db.session, payload):
        raise tokens.LinkError("This link has already been used.", next_step="used")
    user = db.session.get(User, payload["u"])
    if user is None or user.email != payload["old"]:
        raise tokens.LinkError("This link is for an email address change that no longer "
                               "applies: the account's address has changed since it was sent.",
                               next_step="If you still want to change it, ask again from "
                                         "Your account.")
    if signed_in is not None and signed_in.id != user.id:
        raise NotAllowed("This link confirms a change to someone else's account. Sign out, "
                         "then open the link again.", title="This link is for someone else")
    return EmailChangeLink(user, payload["new"], payload)


def spend_email_change_link(link: EmailChangeLink) -> None:
    """Mark the link used, in the caller's transaction (a second use is refused)."""
    tokens.consume(db.session, "change-email", link.payload, what="link")


# --- an invitation to join a scheme as a mentor or mentee (from an administrator's upload) ------


def make_join_link(invitation: Invitation) -> str:
    """A single-use token that registers ``invitation``'s address in its scheme and role (or
    adds the role to the account the address has)."""
    return tokens.make("join-invite", i=invitation.id)


def join_link_days() -> int:
    """How many days an invitation to join lives, for the email and the desk to say."""
    return tokens.max_age("join-invite") // tokens.DAY


@dataclass(frozen=True)
class JoinLink:
    invitation: Invitation
    payload: dict


def check_join_link(token: str, signed_in: User | None = None, *,
                    lock: bool = False) -> JoinLink:
    """The invitation a link is for, refusing a used, expired, replaced or tampered one, and
    anyone signed in with another address (``lock``: first in the transaction that uses it)."""
    payload = tokens.load("join-invite", token, what="invitation link", lock=lock)
    invitation = db.session.get(Invitation, payload["i"])
    if invitation is None:
        raise tokens.LinkError("The scheme in this invitation no longer exists.", status=404)
    if tokens.is_used(db.session, payload) or invitation.state == InvitationState.ACCEPTED:
        raise tokens.LinkError("This invitation link has already been used.", next_step="used")
    if invitation.state != InvitationState.PENDING:
        raise tokens.LinkError("This invitation has been replaced by a newer one.",
                               next_step="Use the link in the newest invitation email.")
    if signed_in is not None and signed_in.email != invitation.email:
        raise NotAllowed("This invitation was sent to another email address. Sign out, then "
                         "open the link again.", title="This invitation is for someone else")
    return JoinLink(invitation, payload)


def spend_join_link(link: JoinLink) -> None:
    """Mark the link used, in the caller's transaction (a second use is refused)."""
    tokens.consume(db.session, "join-invite", link.payload, what="invitation link")
