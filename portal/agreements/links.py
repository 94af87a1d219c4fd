"""The agreement's emailed links: sign, submit and acknowledge.

Each purpose's token is made and checked here only (on portal.tokens), so what a link carries
and what makes it dead are read in one place. A link's GET only shows what will happen; its POST
checks the link again and hands what the token is bound to (the agreement, the person, the
version) to the verb, which checks it once more under the agreement's lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal import tokens
from portal.accounts.models import Role, User
from portal.agreements.models import (
    Agreement,
    AgreementSignature,
    AgreementState,
    AgreementVersion,
)
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.templating import format_datetime

# --- sign: each party's own link to sign the version sent -----------------------------------


@dataclass(frozen=True)
class SignLink:
    """What an emailed signing link is for, once checked."""

    agreement: Agreement
    #: The version the token is bound to: the one the person is shown and signs.
    version: AgreementVersion
    user: User
    party: str
    #: Their signature on that version, if they have already signed it.
    signature: AgreementSignature | None


def make_sign_link(agreement: Agreement, person: User) -> str:
    """A token for ``person`` to sign the agreement's current version."""
    return tokens.make("sign-agreement", a=agreement.id, v=agreement.version, u=person.id)


def sign_link_days() -> int:
    """How many days a signing link lives, for the email to say."""
    return tokens.max_age("sign-agreement") // tokens.DAY


def check_sign_link(token: str, signed_in: User | None = None) -> SignLink:
    """The agreement, version and person a signing link is for; a dead link says why, and an
    agreement no longer waiting for signatures is refused unless they had signed it."""
    payload = tokens.load("sign-agreement", token, what="signing link")
    agreement = db.session.get(Agreement, payload["a"])
    user = db.session.get(User, payload["u"])
    if agreement is None or user is None or agreement.party(user.id) is None:
        raise tokens.LinkError("This signing link is not valid.", next_step="invalid", status=400)
    if signed_in is not None and signed_in.id != user.id:
        raise NotAllowed(f"This link was sent to {user.full_name} for them to sign. Use the link "
                         "in your own email, or sign from the agreement page.",
                         title="This link is for someone else")
    version = live_version(agreement, payload["v"])
    party = agreement.party(user.id)
    return SignLink(agreement, version, user, party,
                    agreement.signature_or_refuse(version, party))


def live_version(agreement: Agreement, number: int) -> AgreementVersion:
    """The version a signing link or signing page was for, while it still stands; a voided or
    never-sent one is a dead link that says why."""
    version = next((v for v in agreement.versions if v.number == number), None)
    if version is not None and version.voided_at is not None:
        # No name: a dead link may be opened by anyone who has it.
        raise tokens.LinkError(
            f"The terms were changed on {format_datetime(version.voided_at)}, after this link "
            "was sent. The signatures on the earlier version were cancelled, so this "
            "link no longer works.",
            next_step="When the new version is sent for signatures, you will get a new link "
                      "by email.", status=410)
    if version is None or number != agreement.version:
        raise tokens.LinkError("This signing link is for a version of the agreement that was "
                               "never sent.", next_step="invalid", status=400)
    return version


# --- submit: the mentee's link to send the signed agreement to the administrator ------------


@dataclass(frozen=True)
class SubmitLink:
    agreement: Agreement
    user: User
    #: The signed version the token is bound to.
    version: int


def make_submit_link(agreement: Agreement, mentee: User) -> str:
    """A token for the mentee to submit the agreement's current (signed) version."""
    return tokens.make("submit-agreement", a=agreement.id, v=agreement.version, u=mentee.id)


def check_submit_link(token: str, signed_in: User | None = None) -> SubmitLink:
    """What an emailed submit link is for; a link for an older version is dead."""
    payload = tokens.load("submit-agreement", token, what="link")
    agreement = db.session.get(Agreement, payload["a"])
    user = db.session.get(User, payload["u"])
    if agreement is None or user is None or agreement.party(user.id) != "mentee":
        raise tokens.LinkError("This link is not valid.", next_step="invalid", status=400)
    if signed_in is not None and signed_in.id != user.id:
        raise NotAllowed(f"This link was sent to {user.full_name}, the mentee, for them to "
                         "submit the agreement.", title="This link is for someone else")
    if payload["v"] != agreement.version:
        raise tokens.LinkError("The terms changed after this link was sent, so the signed "
                               "version it was for no longer stands.",
                               next_step="When you have both signed the new version, you will "
                                         "get a new link by email.")
    return SubmitLink(agreement, user, payload["v"])


def check_submit_version(agreement: Agreement, number: int | None) -> None:
    """Under the lock: the version a submit link was bound to must still be the current one
    (``None``: submitted from the portal, no link)."""
    if number is not None and number != agreement.version:
        raise tokens.LinkError("The terms changed after this link was sent, so the signed "
                               "version it was for no longer stands.")


# --- acknowledge: the administrator mailbox's single-use link to confirm receipt ------------


@dataclass(frozen=True)
class AcknowledgeLink:
    agreement: Agreement
    version: AgreementVersion
    payload: dict[str, Any]


def make_acknowledge_link(agreement: Agreement) -> str:
    """A single-use token for the scheme's administrator mailbox to confirm receipt of the
    agreement's current (signed) version."""
    return tokens.make("acknowledge-agreement", a=agreement.id, v=agreement.version)


def refuse_a_party(agreement: Agreement, viewer: User | None) -> None:
    """The pair cannot confirm their own agreement's receipt with a forwarded link."""
    if (viewer is not None and agreement.party(viewer.id) is not None
            and not viewer.has_role(Role.ADMIN, agreement.scheme_id)):
        raise NotAllowed("Only the scheme administrator can confirm they received this "
                         "agreement. The link was sent to their mailbox.",
                         next_step="You do not need to do anything: we will email you when "
                                   "they confirm it.")


def check_acknowledge_link(token: str, viewer: User | None = None) -> AcknowledgeLink:
    """The agreement an administrator's link acknowledges; used or outdated links are dead."""
    payload = tokens.load("acknowledge-agreement", token, what="link")
    agreement = db.session.get(Agreement, payload["a"])
    if agreement is None or payload["v"] != agreement.version or agreement.signed_version is None:
        raise tokens.LinkError("This link is not valid.", next_step="invalid", status=400)
    refuse_a_party(agreement, viewer)
    if agreement.state == AgreementState.ACKNOWLEDGED or tokens.is_used(db.session, payload):
        raise tokens.LinkError(
            f"This agreement was acknowledged on {format_datetime(agreement.acknowledged_at)}. "
            "Both people were told then.", next_step="Nothing else is needed.")
    if agreement.state != AgreementState.SUBMITTED:
        raise DomainError("This agreement has not been submitted yet.")
    return AcknowledgeLink(agreement, agreement.signed_version, payload)


def spend_acknowledge_link(link: AcknowledgeLink) -> None:
    """Mark the link used, in the caller's transaction; refuse if it was used already."""
    tokens.consume(db.session, "acknowledge-agreement", link.payload, what="link")
