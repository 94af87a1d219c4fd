"""The evaluations area's emailed link: each person's link to sign the evaluation both people
sign (packs with signed_together). Made and checked here only, on portal.tokens.

The link is bound to one version. A version voided because someone took their answers back is
a dead link that says why; a version already signed by this person tells them so.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal import tokens
from portal.accounts.models import User
from portal.errors import NotAllowed
from portal.evaluations import queries
from portal.evaluations.models import EvaluationSignature, EvaluationSignoff
from portal.extensions import db
from portal.relationships.models import Relationship
from portal.templating import format_datetime


@dataclass(frozen=True)
class SignLink:
    signoff: EvaluationSignoff
    user: User
    party: str
    #: Their signature on that version, if they have already signed it.
    signature: EvaluationSignature | None


def make_sign_link(signoff: EvaluationSignoff, person: User) -> str:
    """A token for ``person`` to sign this version of the evaluation."""
    return tokens.make("sign-evaluation", s=signoff.id, u=person.id)


def sign_link_days() -> int:
    return tokens.max_age("sign-evaluation") // tokens.DAY


def check_sign_link(token: str, signed_in: User | None = None) -> SignLink:
    """The version and person a link is for; a voided version is a dead link that says why."""
    payload = tokens.load("sign-evaluation", token, what="signing link")
    signoff = queries.get_signoff(payload["s"])
    user = db.session.get(User, payload["u"])
    relationship = (db.session.get(Relationship, signoff.relationship_id)
                    if signoff is not None else None)
    if relationship is None or user is None or relationship.party(user.id) is None:
        raise tokens.LinkError("This signing link is not valid.", next_step="invalid", status=400)
    if signed_in is not None and signed_in.id != user.id:
        raise NotAllowed(f"This link was sent to {user.full_name} for them to sign. Use the link "
                         "in your own email.", title="This link is for someone else")
    party = relationship.party(user.id)
    signature = signoff.signature_of(party)
    if signature is None:
        refuse_voided(signoff)
    return SignLink(signoff, user, party, signature)


def refuse_voided(signoff: EvaluationSignoff) -> None:
    """A version replaced because someone changed their answers cannot be signed."""
    if signoff.voided_at is not None:
        raise tokens.LinkError(
            f"Answers on this evaluation were changed on {format_datetime(signoff.voided_at)}, "
            "after this link was sent, so this version can no longer be signed.",
            next_step="When the changed answers are sent, you will get a new link by email.")
