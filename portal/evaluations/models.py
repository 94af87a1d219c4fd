"""Evaluations: the questions a scheme's pack asks each person about their mentoring, at its end
(and, where the pack says, at the agreement's review date and some months after the end).

One row per person, kind and relationship, holding the questions exactly as the pack wrote them
when the evaluation opened, so a later change to the pack never changes what someone was asked.
An evaluation is open until its person sends their answers (once) or its window closes.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, Lifecycle, TransitionRefused, enum_column, utcnow
from portal.errors import DomainError
from portal.schemes.models import Scheme
from portal.schemes.packs import EVALUATION_DEFAULTS
from portal.templating import format_date


class EvaluationKind(enum.StrEnum):
    #: When the relationship ends, completed or early.
    END = "end"
    #: On the agreement's review date, where the pack asks (at_midpoint).
    MIDPOINT = "midpoint"
    #: Some months after the end, where the pack asks (follow_up_months).
    FOLLOW_UP = "follow_up"

    @property
    def label(self) -> str:
        return {"end": "At the end", "midpoint": "At the review date",
                "follow_up": "After the end"}[self.value]


class EvaluationState(enum.StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"


#: An evaluation is answered once; a closed window is a matter of time, not of state. Where the
#: pack has both people sign the evaluation together, a person may take their answers back to
#: change them until both have signed (portal.evaluations.signing.change_answers).
EVALUATION_LIFECYCLE: Lifecycle[EvaluationState] = Lifecycle({
    EvaluationState.OPEN: {EvaluationState.SUBMITTED},
    EvaluationState.SUBMITTED: {EvaluationState.OPEN},
})


def settings(scheme) -> dict[str, Any]:
    """The scheme's evaluation settings (its pack's [evaluation] keys), with the defaults for
    any it does not name."""
    form = scheme.evaluation_form or {}
    return {key: form.get(key, default) for key, default in EVALUATION_DEFAULTS.items()}


def questions_for(scheme, party: str) -> list[str]:
    """The pack's questions for ``party`` ("mentor" or "mentee"), exactly as written."""
    return list((scheme.evaluation_form or {}).get(party) or [])


class Evaluation(Base):
    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    relationship_id: Mapped[int] = mapped_column(
        sa.ForeignKey("relationship.id", ondelete="CASCADE"), index=True)
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    #: "mentor" or "mentee": whose questions these are.
    party: Mapped[str] = mapped_column(sa.String(10))
    kind: Mapped[EvaluationKind] = mapped_column(enum_column(EvaluationKind))
    state: Mapped[EvaluationState] = mapped_column(enum_column(EvaluationState),
                                                   default=EvaluationState.OPEN)
    #: The pack's questions for the party when it opened, exactly as written there.
    questions: Mapped[list] = mapped_column(default=list)
    #: One answer per question, in the same order ("" for one left blank); None until sent.
    answers: Mapped[list | None]
    #: What the pack promised when it opened: administrators see the answers without names.
    anonymous: Mapped[bool] = mapped_column(default=True)
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closes_at: Mapped[dt.datetime]
    submitted_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(lazy="joined")
    scheme: Mapped[Scheme] = relationship(lazy="select")

    __table_args__ = (sa.UniqueConstraint("relationship_id", "party", "kind"),)

    def is_closed(self, now: dt.datetime | None = None) -> bool:
        """Past its window without answers: nothing is accepted any more."""
        return self.submitted_at is None and (now or utcnow()) >= self.closes_at

    def window_open(self, now: dt.datetime | None = None) -> bool:
        """Before the closing time, answered or not (answers signed together may still be
        taken back to change them until then)."""
        return (now or utcnow()) < self.closes_at

    def is_waiting(self, now: dt.datetime | None = None) -> bool:
        return self.state == EvaluationState.OPEN and not self.is_closed(now)

    def move_to(self, state: EvaluationState) -> None:
        """Change state along an allowed transition, or refuse with nothing changed."""
        EVALUATION_LIFECYCLE.move(self, state, refuse=_refuse_move)


def _refuse_move(evaluation: Evaluation, to: EvaluationState) -> DomainError:
    if evaluation.state == EvaluationState.SUBMITTED and to == EvaluationState.SUBMITTED:
        return DomainError(f"You sent your answers on {format_date(evaluation.submitted_at)}. "
                           "They cannot be sent again or changed.", title="Already sent")
    return TransitionRefused(f"Evaluation cannot go from {evaluation.state} to {to}")


class EvaluationSignoff(Base):
    """One version of the evaluation both people sign, where the pack says they sign it
    together: both sets of end-of-mentoring answers as one exact text, and its SHA-256.

    Made when the second person sends their answers. A person who takes their answers back to
    change them voids it (its signatures no longer count); sending them again makes the next
    version. All versions of a relationship's evaluation share one reference (EV-XXXX-XXXX),
    printed on the PDF and checked at /verify like an agreement's."""

    __tablename__ = "evaluation_signoff"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), index=True)
    relationship_id: Mapped[int] = mapped_column(
        sa.ForeignKey("relationship.id", ondelete="CASCADE"), index=True)
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    #: Everything the text was made from (questions, answers, names), for the PDF's layout.
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The canonical plain text that is signed; its SHA-256 is recorded with each signature.
    text: Mapped[str] = mapped_column(sa.Text)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: When the second signature came in (the PDF went to both and to the scheme's mailbox).
    signed_at: Mapped[dt.datetime | None]
    voided_at: Mapped[dt.datetime | None]
    voided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    scheme: Mapped[Scheme] = relationship(lazy="joined")
    signatures: Mapped[list[EvaluationSignature]] = relationship(
        back_populates="signoff", cascade="all, delete-orphan",
        order_by="EvaluationSignature.signed_at", lazy="selectin")

    __table_args__ = (sa.UniqueConstraint("relationship_id", "number"),)

    def signature_of(self, party: str) -> EvaluationSignature | None:
        return next((s for s in self.signatures if s.party == party), None)

    @property
    def signed_by_both(self) -> bool:
        return {s.party for s in self.signatures} == {"mentor", "mentee"}


class EvaluationSignature(Base):
    """One person's signature on one version of the signed evaluation: who, the name they
    typed, when, from where, and the SHA-256 of the text they were shown."""

    __tablename__ = "evaluation_signature"

    id: Mapped[int] = mapped_column(primary_key=True)
    signoff_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluation_signoff.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    party: Mapped[str] = mapped_column(sa.String(10))
    typed_name: Mapped[str] = mapped_column(sa.String(200))
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ip_address: Mapped[str] = mapped_column(sa.String(64))
    user_agent: Mapped[str] = mapped_column(sa.String(500), default="")
    text_sha256: Mapped[str] = mapped_column(sa.String(64))
    #: "email link" or "portal"
    via: Mapped[str] = mapped_column(sa.String(20))

    signoff: Mapped[EvaluationSignoff] = relationship(back_populates="signatures")
    user: Mapped[User] = relationship(lazy="joined")

    #: A second signature by the same person on the same version cannot exist, even in a race.
    __table_args__ = (sa.UniqueConstraint("signoff_id", "party"),)


class EvaluationSignReminder(Base):
    """The one reminder a person gets to sign a version of the evaluation both people sign,
    a week after it was made: its unique key makes the sweep safe to run twice at once."""

    __tablename__ = "evaluation_sign_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    signoff_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluation_signoff.id", ondelete="CASCADE"))
    party: Mapped[str] = mapped_column(sa.String(10))
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("signoff_id", "party"),)


class EvaluationReminder(Base):
    """The one reminder a person gets about an evaluation they have not answered: its unique
    key makes the sweep safe to run twice at once."""

    __tablename__ = "evaluation_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluation.id", ondelete="CASCADE"), unique=True)
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
