"""What the desk's Relationships page reads: every pair in a scheme by stage, with the sessions
they have held and their last activity, newest activity first, in pages.

A pair's stage comes from its relationship and its agreement together (``STAGE``), and its last
activity is defined once, here, in SQL (``last_activity``): the latest of the pair being
matched, starting and ending; a session booked, logged or cancelled; an action written down or
done; an answer to a check-in; a signature on the agreement.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

import sqlalchemy as sa

from portal.agreements.models import Agreement, AgreementSignature, AgreementState, AgreementVersion
from portal.extensions import db
from portal.relationships.models import (
    ActionItem,
    CheckIn,
    MentoringSession,
    Relationship,
    RelationshipState,
    SessionState,
)


class Stage(enum.StrEnum):
    #: Matched; the agreement is still a draft (or none has opened yet).
    AGREEING = "agreeing"
    #: Sent for signatures, signed by one, or signed by both and not yet submitted.
    SIGNING = "signing"
    #: The mentee submitted the signed agreement; no administrator has confirmed receipt yet.
    SUBMITTED = "submitted"
    #: Submitted and confirmed: the mentoring is under way.
    ACTIVE = "active"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return {"agreeing": "Agreeing the terms", "signing": "Signing",
                "submitted": "Submitted, receipt not confirmed",
                "active": "Mentoring under way", "ended": "Ended"}[self.value]

    @property
    def tag(self) -> str:
        return {"agreeing": "govuk-tag--grey", "signing": "govuk-tag--yellow",
                "submitted": "govuk-tag--blue", "active": "govuk-tag--green",
                "ended": "govuk-tag--grey"}[self.value]


#: A pair's stage, from the relationship's state and its agreement's (outer-joined) state.
STAGE = sa.case(
    (Relationship.state == RelationshipState.ENDED, Stage.ENDED.value),
    (sa.and_(Relationship.state == RelationshipState.ACTIVE,
             Agreement.state == AgreementState.SUBMITTED), Stage.SUBMITTED.value),
    (Relationship.state == RelationshipState.ACTIVE, Stage.ACTIVE.value),
    (Agreement.state.in_([AgreementState.SENT, AgreementState.SIGNED_BY_ONE,
                          AgreementState.SIGNED_BY_BOTH]), Stage.SIGNING.value),
    else_=Stage.AGREEING.value)


def last_activity(scheme_id: int) -> sa.Subquery:
    """Each pair of the scheme (``rid``) with its last activity (``at``): the one definition,
    used by the Relationships page and its order. Every pair has one, as being matched counts."""
    in_scheme = Relationship.scheme_id == scheme_id
    moments = [
        sa.select(Relationship.id.label("rid"), column.label("at")).where(in_scheme)
        for column in (Relationship.created_at, Relationship.activated_at, Relationship.ended_at)]
    for model, columns in ((MentoringSession, ("booked_at", "logged_at", "cancelled_at")),
                           (ActionItem, ("created_at", "done_at")),
                           (CheckIn, ("mentor_answered_at", "mentee_answered_at"))):
        moments += [sa.select(model.relationship_id, getattr(model, name))
                    .join(Relationship, Relationship.id == model.relationship_id)
                    .where(in_scheme) for name in columns]
    moments.append(
        sa.select(Agreement.relationship_id, AgreementSignature.signed_at)
        .join(AgreementVersion, AgreementVersion.id == AgreementSignature.version_id)
        .join(Agreement, Agreement.id == AgreementVersion.agreement_id)
        .where(Agreement.scheme_id == scheme_id))
    every = sa.union_all(*moments).subquery()
    return (sa.select(every.c.rid, sa.func.max(every.c.at).label("at"))
            .where(every.c.at.is_not(None)).group_by(every.c.rid).subquery())


def _held(scheme_id: int) -> sa.Subquery:
    return (sa.select(MentoringSession.relationship_id.label("rid"),
                      sa.func.count().label("held"))
            .join(Relationship, Relationship.id == MentoringSession.relationship_id)
            .where(Relationship.scheme_id == scheme_id,
                   MentoringSession.state == SessionState.HELD)
            .group_by(MentoringSession.relationship_id).subquery())


@dataclass
class Pair:
    """One row of the Relationships page."""

    relationship: Relationship
    stage: Stage
    held: int
    last_activity: dt.datetime
    #: The agreement's public reference, for the link to its page (None: none opened).
    reference: str | None


def stage_counts(scheme_id: int) -> dict[Stage, int]:
    """How many of the scheme's pairs are at each stage (stages with none left out)."""
    rows = db.session.execute(
        sa.select(STAGE, sa.func.count())
        .select_from(Relationship)
        .outerjoin(Agreement, Agreement.relationship_id == Relationship.id)
        .where(Relationship.scheme_id == scheme_id).group_by(STAGE)).all()
    return {Stage(stage): count for stage, count in rows}


def pairs_page(scheme_id: int, stage: str | None, page: int,
               size: int) -> tuple[list[Pair], bool]:
    """One page of the scheme's pairs, latest activity first, and whether there is a next page:
    one query however long the page."""
    last, held = last_activity(scheme_id), _held(scheme_id)
    query = (sa.select(Relationship, STAGE, sa.func.coalesce(held.c.held, 0), last.c.at,
                       Agreement.reference)
             .outerjoin(Agreement, Agreement.relationship_id == Relationship.id)
             .join(last, last.c.rid == Relationship.id)
             .outerjoin(held, held.c.rid == Relationship.id)
             .where(Relationship.scheme_id == scheme_id)
             .order_by(last.c.at.desc(), Relationship.id.desc())
             .offset((page - 1) * size).limit(size + 1))
    if stage:
        query = query.where(stage == STAGE)
    rows = [Pair(relationship, Stage(stage_value), count, at, reference)
            for relationship, stage_value, count, at, reference in db.session.execute(query)]
    return rows[:size], len(rows) > size
