"""Where an agreement stands for one person, and what they do next."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from portal.agreements.models import Agreement, AgreementState
from portal.relationships.models import RelationshipState
from portal.templating import format_date


@dataclass(frozen=True)
class NextStep:
    text: str
    #: A link for the step, with its words; None when the person only waits.
    link: str | None = None
    link_text: str | None = None
    #: True when the person is the one who has to act now.
    yours: bool = False


def next_step(agreement: Agreement, user_id: int) -> NextStep:
    """What this party does next, or waits for: the one wording, on the agreement's page, the
    agreements panel and the dashboard's "What to do next"."""
    party = agreement.party(user_id)
    other = agreement.person("mentee" if party == "mentor" else "mentor").full_name
    state = agreement.state
    ref = agreement.reference
    relationship = agreement.relationship
    if relationship.state == RelationshipState.ENDED:
        ended = format_date(relationship.ended_at)
        kept = (" The signed agreement is kept for the scheme's records."
                if agreement.submitted_at is not None else
                " The agreement was withdrawn before it was submitted.")
        return NextStep(f"Your mentoring with {other} ended on {ended}.{kept}")
    if state == AgreementState.DRAFT:
        if agreement.terms_saved_at is None:
            return NextStep(f"Agree the terms of your mentoring agreement with {other}, then "
                            "fill them in.", url_for("agreements.edit_terms", reference=ref),
                            "Fill in the terms", True)
        return NextStep(f"Check the terms you and {other} agreed, then send the agreement for "
                        "signatures.", url_for("agreements.check", reference=ref),
                        "Check and send", True)
    if state in (AgreementState.SENT, AgreementState.SIGNED_BY_ONE):
        version = agreement.current_version
        if version is not None and version.signature_of(party) is not None:
            return NextStep(f"You have signed. Waiting for {other} to sign the agreement.")
        return NextStep("Read and sign your mentoring agreement.",
                        url_for("agreements.sign", reference=ref), "Sign the agreement", True)
    if state == AgreementState.SIGNED_BY_BOTH:
        if party == "mentee":
            return NextStep("You have both signed. Submit your agreement to the scheme "
                            "administrator before your first session.",
                            url_for("agreements.show", reference=ref),
                            "Submit to the scheme administrator", True)
        return NextStep(f"You have both signed. Waiting for {other} to send the agreement to "
                        "the scheme administrator before your first session.")
    if state == AgreementState.SUBMITTED:
        return NextStep(f"Your sessions with {other} can start. Waiting for the scheme "
                        "administrator to confirm they have received your agreement.")
    return NextStep("The scheme administrator has received your agreement. Your sessions "
                    f"with {other} can start.")
