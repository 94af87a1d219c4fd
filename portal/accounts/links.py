"""The emailed links of accounts: signing in, and confirming a registration. Each purpose is
made and checked here only (on portal/tokens.py); both links work once."""

from __future__ import annotations

from dataclasses import dataclass

from portal import tokens
from portal.accounts.models import Role, User
from portal.auth import safe_path
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
    if user is None:
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
