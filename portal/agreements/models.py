"""Mentoring agreements: the terms a pair agree, each version's exact text, and its signatures."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Mapped, mapped_column

from portal.accounts.models import User
from portal.db import Base, Lifecycle, enum_column, utcnow
from portal.errors import DomainError
from portal.relationships.models import Relationship
from portal.schemes.models import Scheme

__all__ = ["AGREEMENT_LIFECYCLE", "Agreement", "AgreementReminder", "AgreementSignature",
           "AgreementState", "AgreementVersion"]


class AgreementState(enum.StrEnum):
    #: The pair are filling in the terms; either may change them.
    DRAFT = "draft"
    #: Sent for signatures; nobody has signed this version yet.
    SENT = "sent"
    SIGNED_BY_ONE = "signed_by_one"
    SIGNED_BY_BOTH = "signed_by_both"
    #: The mentee sent it to the scheme administrator: sessions may start.
    SUBMITTED = "submitted"
    #: The administrator confirmed they received it.
    ACKNOWLEDGED = "acknowledged"
    #: The relationship ended before the agreement was submitted: it can no longer be signed.
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def tag(self) -> str:
        """The tag colour for this state (a CSS class)."""
        return _TAGS[self]


_LABELS = {
    AgreementState.DRAFT: "Draft",
    AgreementState.SENT: "Waiting for signatures",
    AgreementState.SIGNED_BY_ONE: "Signed by one",
    AgreementState.SIGNED_BY_BOTH: "Signed by both",
    AgreementState.SUBMITTED: "Submitted",
    AgreementState.ACKNOWLEDGED: "Acknowledged",
    AgreementState.WITHDRAWN: "Withdrawn",
}

_TAGS = {
    AgreementState.DRAFT: "govuk-tag--grey",
    AgreementState.SENT: "govuk-tag--yellow",
    AgreementState.SIGNED_BY_ONE: "govuk-tag--yellow",
    AgreementState.SIGNED_BY_BOTH: "govuk-tag--blue",
    AgreementState.SUBMITTED: "",
    AgreementState.ACKNOWLEDGED: "govuk-tag--purple",
    AgreementState.WITHDRAWN: "govuk-tag--grey",
}

#: The only state changes an agreement may make. Changing the terms after sending returns the
#: agreement to draft and voids the version sent.
AGREEMENT_LIFECYCLE: Lifecycle[AgreementState] = Lifecycle({
    AgreementState.DRAFT: {AgreementState.SENT, AgreementState.WITHDRAWN},
    AgreementState.SENT: {AgreementState.SIGNED_BY_ONE, AgreementState.DRAFT,
                          AgreementState.WITHDRAWN},
    AgreementState.SIGNED_BY_ONE: {AgreementState.SIGNED_BY_BOTH, AgreementState.DRAFT,
                                   AgreementState.WITHDRAWN},
    AgreementState.SIGNED_BY_BOTH: {AgreementState.SUBMITTED, AgreementState.DRAFT,
                                    AgreementState.WITHDRAWN},
    AgreementState.SUBMITTED: {AgreementState.ACKNOWLEDGED},
    AgreementState.ACKNOWLEDGED: set(),
    AgreementState.WITHDRAWN: set(),
})

#: States in which the terms may still change (a change after sending voids the version).
EDITABLE = {AgreementState.DRAFT, AgreementState.SENT, AgreementState.SIGNED_BY_ONE,
            AgreementState.SIGNED_BY_BOTH}
SIGNABLE = {AgreementState.SENT, AgreementState.SIGNED_BY_ONE}


class Agreement(Base):
    """One relationship's agreement: the scheme's clauses as they were when it opened, plus the
    terms the pair fill in. The text that is signed lives in AgreementVersion."""

    __tablename__ = "agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public reference, e.g. MA-7KQ4-M2XD: in URLs, on the PDF and on the verify page.
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    relationship_id: Mapped[int] = mapped_column(
        sa.ForeignKey("relationship.id", ondelete="CASCADE"), unique=True)
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id"))
    state: Mapped[AgreementState] = mapped_column(enum_column(AgreementState),
                                                  default=AgreementState.DRAFT)
    #: The version being drafted or signed; moves on each time a sent version is voided.
    version: Mapped[int] = mapped_column(default=1)
    #: The scheme's template (title, intro, submit_note, sections) copied when the agreement
    #: opened, so a later change to the scheme pack never alters this agreement.
    template: Mapped[dict[str, Any]] = mapped_column(default=dict)

    # The terms the pair fill in.
    start_date: Mapped[dt.date | None]
    duration_months: Mapped[int] = mapped_column(default=12)
    sessions: Mapped[int] = mapped_column(default=6)
    frequency: Mapped[str] = mapped_column(sa.String(200), default="")
    min_minutes: Mapped[int] = mapped_column(default=45)
    max_minutes: Mapped[int] = mapped_column(default=90)
    #: in_person, online or either
    meeting_format: Mapped[str] = mapped_column(sa.String(20), default="either")
    meeting_place: Mapped[str] = mapped_column(sa.String(300), default="")
    contact_between: Mapped[str] = mapped_column(sa.String(300), default="")
    notice_hours: Mapped[int] = mapped_column(default=48)
    #: mentee, mentor or both
    arranges_meetings: Mapped[str] = mapped_column(sa.String(10), default="mentee")
    sets_agenda: Mapped[str] = mapped_column(sa.String(10), default="mentee")
    goals: Mapped[list] = mapped_column(default=list)
    review_date: Mapped[dt.date | None]
    #: Contact details for the agreement; each party sets their own (email defaults to the account).
    mentor_email: Mapped[str] = mapped_column(sa.String(254), default="")
    mentor_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    mentee_email: Mapped[str] = mapped_column(sa.String(254), default="")
    mentee_phone: Mapped[str] = mapped_column(sa.String(40), default="")

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Set once someone has saved the terms form: before that the agreement cannot be sent.
    terms_saved_at: Mapped[dt.datetime | None]
    terms_saved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    sent_at: Mapped[dt.datetime | None]
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    signed_at: Mapped[dt.datetime | None]
    submitted_at: Mapped[dt.datetime | None]
    acknowledged_at: Mapped[dt.datetime | None]
    #: Null when acknowledged from the emailed link by a mailbox without an account.
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    relationship: Mapped[Relationship] = orm.relationship(lazy="joined")
    scheme: Mapped[Scheme] = orm.relationship(lazy="joined")
    versions: Mapped[list[AgreementVersion]] = orm.relationship(
        back_populates="agreement", cascade="all, delete-orphan",
        order_by="AgreementVersion.number",
        lazy="selectin")

    __table_args__ = (sa.Index("ix_agreement_scheme_state", "scheme_id", "state"),)

    @property
    def mentor(self) -> User:
        return self.relationship.mentor

    @property
    def mentee(self) -> User:
        return self.relationship.mentee

    def party(self, user_id: int) -> str | None:
        return self.relationship.party(user_id)

    def person(self, party: str) -> User:
        return self.mentor if party == "mentor" else self.mentee

    @property
    def current_version(self) -> AgreementVersion | None:
        """The version sent for signatures and not voided, if any."""
        for version in self.versions:
            if version.number == self.version and version.voided_at is None:
                return version
        return None

    @property
    def signed_version(self) -> AgreementVersion | None:
        """The version both parties signed, once there is one."""
        version = self.current_version
        return version if version is not None and version.signed_by_both else None

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE

    def signature_or_refuse(self, version: AgreementVersion | None,
                            party: str) -> AgreementSignature | None:
        """``party``'s signature on ``version`` if they have signed it; otherwise refuse unless
        the agreement is waiting for signatures. The one rule for "signable or already signed",
        used by the signing pages, the signing link and the verb."""
        signature = version.signature_of(party) if version is not None else None
        if signature is None and self.state == AgreementState.WITHDRAWN:
            raise DomainError("This agreement was withdrawn because the mentoring relationship "
                              "ended, so it can no longer be signed.",
                              next_step="Nothing else is needed.")
        if signature is None and (version is None or self.state not in SIGNABLE):
            raise DomainError("This agreement is not waiting for signatures.",
                              next_step="Check the terms and send it for signatures first."
                              if self.state == AgreementState.DRAFT else None)
        return signature

    def move_to(self, state: AgreementState) -> None:
        """Change state along an allowed transition, or refuse with nothing changed."""
        AGREEMENT_LIFECYCLE.move(self, state, refuse=lambda agreement, to: DomainError(
            f"This agreement is {agreement.state.label.lower()}, so it cannot become "
            f"{to.label.lower()}."))

    def __repr__(self) -> str:
        return f"<Agreement {self.reference} {self.state}>"


class AgreementVersion(Base):
    """The exact text of one version sent for signatures, and its SHA-256."""

    __tablename__ = "agreement_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement.id", ondelete="CASCADE"))
    number: Mapped[int]
    #: Everything the text was made from (clauses, terms, parties), for the PDF's layout.
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The canonical plain text that is signed; its SHA-256 is recorded with each signature.
    text: Mapped[str] = mapped_column(sa.Text)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    voided_at: Mapped[dt.datetime | None]
    voided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    void_reason: Mapped[str | None] = mapped_column(sa.String(200))

    agreement: Mapped[Agreement] = orm.relationship(back_populates="versions")
    signatures: Mapped[list[AgreementSignature]] = orm.relationship(
        back_populates="version", cascade="all, delete-orphan",
        order_by="AgreementSignature.signed_at", lazy="selectin")
    voided_by: Mapped[User | None] = orm.relationship(foreign_keys=[voided_by_id], lazy="joined")

    __table_args__ = (sa.UniqueConstraint("agreement_id", "number",
                                          name="uq_agreement_version_agreement_number"),)

    def signature_of(self, party: str) -> AgreementSignature | None:
        return next((s for s in self.signatures if s.party == party), None)

    @property
    def signed_by_both(self) -> bool:
        return {s.party for s in self.signatures} == {"mentor", "mentee"}


class AgreementSignature(Base):
    """One person's signature on one version: who, the name they typed, when, from where."""

    __tablename__ = "agreement_signature"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement_version.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    #: mentor or mentee
    party: Mapped[str] = mapped_column(sa.String(10))
    typed_name: Mapped[str] = mapped_column(sa.String(200))
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ip_address: Mapped[str] = mapped_column(sa.String(64))
    user_agent: Mapped[str] = mapped_column(sa.String(500), default="")
    #: SHA-256 of the version's text at the moment of signing.
    text_sha256: Mapped[str] = mapped_column(sa.String(64))
    #: "email link" or "portal"
    via: Mapped[str] = mapped_column(sa.String(20))

    version: Mapped[AgreementVersion] = orm.relationship(back_populates="signatures")
    user: Mapped[User] = orm.relationship(lazy="joined")

    __table_args__ = (
        # A second signature by the same party on the same version cannot exist, even in a race.
        sa.UniqueConstraint("version_id", "party", name="uq_agreement_signature_version_party"),
    )


class AgreementReminder(Base):
    """A reminder sent, so the reminder command is idempotent: one row per reminder."""

    __tablename__ = "agreement_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement.id", ondelete="CASCADE"))
    version: Mapped[int]
    #: "sign" (an unsigned party) or "submit" (the mentee, after both signed)
    kind: Mapped[str] = mapped_column(sa.String(10))
    party: Mapped[str] = mapped_column(sa.String(10))
    #: 1, 2, 3 ...
    number: Mapped[int]
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "version", "kind", "party", "number",
                            name="uq_agreement_reminder_once"),
    )
