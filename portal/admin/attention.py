"""What the desk's "Needs attention" list reads: for a scheme, everything an administrator may
want to act on, newest first, in pages, each with what it is, since when, and where to deal
with it.

- a note someone wrote for the scheme: a mentor's note when declining a request, and what the
  mentor or the mentee wrote for the scheme after a chemistry call;
- a "we need help" answer to a check-in, while the relationship runs;
- signing that has stalled: an agreement sent for signatures and still waiting for one after
  the agreements' reminders have all gone and had as long again to work (``STALLED_AFTER``);
- a quiet pair, by the quiet-pair sweep's own rule (portal.relationships.quiet.quiet_span);
- an email of the scheme that could not be delivered.

Notes and "we need help" stay until an administrator marks them as dealt with
(portal.admin.dealing); the others leave the list by themselves, once signed, once the pair is
active again, once the email is sent again (or the relationship ends).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from portal.admin.models import DealtWith
from portal.agreements import reminders
from portal.agreements.models import Agreement, AgreementState
from portal.calls.models import ChemistryCall
from portal.extensions import db
from portal.mail.models import MessageState, OutboxMessage
from portal.relationships import queries as relationship_queries
from portal.relationships.models import CheckIn, CheckInAnswer, Relationship, RelationshipState
from portal.relationships.quiet import quiet_span
from portal.schemes.models import Scheme

#: Signing has stalled once the last signing reminder has gone and had as long again to work.
STALLED_AFTER = reminders.SIGN_FIRST + reminders.SIGN_EVERY * reminders.SIGN_MAX


class Kind(enum.StrEnum):
    DECLINE_NOTE = "decline_note"
    MENTOR_NOTE = "mentor_note"
    MENTEE_NOTE = "mentee_note"
    NEED_HELP = "need_help"
    STALLED_SIGNING = "stalled_signing"
    QUIET = "quiet"
    UNDELIVERED = "undelivered"

    @property
    def label(self) -> str:
        return {"decline_note": "Mentors' notes when declining",
                "mentor_note": "Mentors' notes after a call",
                "mentee_note": "Mentees' notes after a call",
                "need_help": "\u201cWe need help\u201d", "stalled_signing": "Signing stalled",
                "quiet": "Quiet pairs", "undelivered": "Emails not delivered"}[self.value]


#: The kinds that stay until an administrator marks them as dealt with.
MARKABLE = {Kind.DECLINE_NOTE, Kind.MENTOR_NOTE, Kind.MENTEE_NOTE, Kind.NEED_HELP}


def _not_dealt_with(kind: Kind, subject_id) -> Any:
    return ~sa.exists().where(DealtWith.kind == kind.value, DealtWith.subject_id == subject_id)


def _row(scheme_id, kind: Kind, subject_id, since) -> sa.Select:
    return sa.select(scheme_id.label("scheme_id"),
                     sa.literal(kind.value, sa.String(30)).label("kind"),
                     subject_id.label("subject_id"), since.label("since"))


def _items(schemes: list[Scheme], now: dt.datetime) -> sa.Subquery:
    """Every open item of these schemes: ``scheme_id``, ``kind``, ``subject_id``, ``since``."""
    ids = [scheme.id for scheme in schemes]
    call = ChemistryCall
    notes = [
        _row(call.scheme_id, kind, call.id, sa.func.coalesce(at, call.requested_at))
        .where(call.scheme_id.in_(ids), text != "", _not_dealt_with(kind, call.id))
        for kind, text, at in ((Kind.DECLINE_NOTE, call.decline_note, call.answered_at),
                               (Kind.MENTOR_NOTE, call.mentor_reason, call.mentor_decided_at),
                               (Kind.MENTEE_NOTE, call.mentee_reason, call.mentee_decided_at))]
    mentor_help = CheckIn.mentor_answer == CheckInAnswer.NEED_HELP
    mentee_help = CheckIn.mentee_answer == CheckInAnswer.NEED_HELP
    need_help = (
        _row(Relationship.scheme_id, Kind.NEED_HELP, CheckIn.id,
             sa.case((sa.and_(mentor_help, mentee_help),
                      sa.case((CheckIn.mentor_answered_at < CheckIn.mentee_answered_at,
                               CheckIn.mentor_answered_at), else_=CheckIn.mentee_answered_at)),
                     (mentor_help, CheckIn.mentor_answered_at),
                     else_=CheckIn.mentee_answered_at))
        .join(Relationship, Relationship.id == CheckIn.relationship_id)
        .where(Relationship.scheme_id.in_(ids), Relationship.state == RelationshipState.ACTIVE,
               sa.or_(mentor_help, mentee_help), _not_dealt_with(Kind.NEED_HELP, CheckIn.id)))
    stalled = (
        _row(Agreement.scheme_id, Kind.STALLED_SIGNING, Agreement.id, Agreement.sent_at)
        .join(Relationship, Relationship.id == Agreement.relationship_id)
        .where(Agreement.scheme_id.in_(ids), Relationship.state != RelationshipState.ENDED,
               Agreement.state.in_([AgreementState.SENT, AgreementState.SIGNED_BY_ONE]),
               Agreement.sent_at <= now - STALLED_AFTER))
    clocks = relationship_queries.quiet_clocks(ids)
    cutoff = sa.case({scheme.id: now - quiet_span(scheme) for scheme in schemes},
                     value=clocks.c.scheme_id) if schemes else sa.null()
    quiet = (_row(clocks.c.scheme_id, Kind.QUIET, clocks.c.rid, clocks.c.at)
             .where(clocks.c.at <= cutoff))
    undelivered = (
        _row(OutboxMessage.scheme_id, Kind.UNDELIVERED, OutboxMessage.id,
             OutboxMessage.created_at)
        .where(OutboxMessage.scheme_id.in_(ids), OutboxMessage.state == MessageState.DEAD))
    return sa.union_all(*notes, need_help, stalled, quiet, undelivered).subquery()


def counts_by_scheme(schemes: list[Scheme], now: dt.datetime) -> dict[int, int]:
    """How many open items each scheme has, in one query for all (none: left out)."""
    if not schemes:
        return {}
    items = _items(schemes, now)
    return dict(db.session.execute(
        sa.select(items.c.scheme_id, sa.func.count()).group_by(items.c.scheme_id)).all())


def counts(scheme: Scheme, now: dt.datetime) -> dict[Kind, int]:
    """How many open items the scheme has of each kind (none: left out)."""
    items = _items([scheme], now)
    return {Kind(kind): count for kind, count in db.session.execute(
        sa.select(items.c.kind, sa.func.count()).group_by(items.c.kind))}


@dataclass
class Item:
    """One line of the list."""

    kind: Kind
    subject_id: int
    since: dt.datetime
    #: What it is, in a sentence.
    what: str
    #: The words someone wrote, for a note (None otherwise).
    words: str | None
    #: Where to deal with it: (endpoint, its values, the link's words).
    link: tuple[str, dict[str, Any], str]

    @property
    def markable(self) -> bool:
        return self.kind in MARKABLE


def page_of(scheme: Scheme, kind: str | None, page: int, size: int,
            now: dt.datetime) -> tuple[list[Item], bool]:
    """One page of the scheme's open items, newest first, and whether there is a next page: six
    queries however long the page (the page, then each kind's details at once)."""
    items = _items([scheme], now)
    query = (sa.select(items.c.kind, items.c.subject_id, items.c.since)
             .order_by(items.c.since.desc(), items.c.kind, items.c.subject_id.desc())
             .offset((page - 1) * size).limit(size + 1))
    if kind:
        query = query.where(items.c.kind == kind)
    rows = db.session.execute(query).all()
    more, rows = len(rows) > size, rows[:size]
    wanted: dict[str, list[int]] = {"call": [], "check_in": [], "agreement": [],
                                    "relationship": [], "message": []}
    for row_kind, subject_id, _ in rows:
        wanted[_SUBJECT[Kind(row_kind)]].append(subject_id)
    calls = {call.id: call for call in db.session.scalars(
        sa.select(ChemistryCall).where(ChemistryCall.id.in_(wanted["call"])))}
    check_ins = {check_in.id: (check_in, reference) for check_in, reference in db.session.execute(
        sa.select(CheckIn, Agreement.reference)
        .outerjoin(Agreement, Agreement.relationship_id == CheckIn.relationship_id)
        .where(CheckIn.id.in_(wanted["check_in"])))}
    agreements = {agreement.id: agreement for agreement in db.session.scalars(
        sa.select(Agreement).where(Agreement.id.in_(wanted["agreement"])))}
    pairs = {relationship.id: (relationship, reference)
             for relationship, reference in db.session.execute(
                 sa.select(Relationship, Agreement.reference)
                 .outerjoin(Agreement, Agreement.relationship_id == Relationship.id)
                 .where(Relationship.id.in_(wanted["relationship"])))}
    messages = {message.id: message for message in db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.id.in_(wanted["message"])))}
    found = []
    for row_kind, subject_id, since in rows:
        row_kind = Kind(row_kind)
        if row_kind in (Kind.DECLINE_NOTE, Kind.MENTOR_NOTE, Kind.MENTEE_NOTE):
            found.append(_note(scheme, row_kind, calls[subject_id], since))
        elif row_kind == Kind.NEED_HELP:
            found.append(_need_help(scheme, *check_ins[subject_id], since))
        elif row_kind == Kind.STALLED_SIGNING:
            found.append(_stalled(agreements[subject_id], since))
        elif row_kind == Kind.QUIET:
            found.append(_quiet(scheme, *pairs[subject_id], since))
        else:
            message = messages[subject_id]
            found.append(Item(row_kind, subject_id, since,
                              f"An email to {message.to_address} could not be delivered: "
                              f"\u201c{message.subject}\u201d.", None,
                              ("dead_letters.index", {}, "Send it again")))
    return found, more


_SUBJECT = {Kind.DECLINE_NOTE: "call", Kind.MENTOR_NOTE: "call", Kind.MENTEE_NOTE: "call",
            Kind.NEED_HELP: "check_in", Kind.STALLED_SIGNING: "agreement",
            Kind.QUIET: "relationship", Kind.UNDELIVERED: "message"}


def _pair_link(scheme: Scheme, reference: str | None) -> tuple[str, dict[str, Any], str]:
    if reference is None:
        return "admin.relationships", {"slug": scheme.slug}, "See the scheme's relationships"
    return "admin.agreement", {"reference": reference}, f"See agreement {reference}"


def _note(scheme: Scheme, kind: Kind, call: ChemistryCall, since: dt.datetime) -> Item:
    mentor, mentee = call.profile.display_name, call.mentee.full_name
    what, words = {
        Kind.DECLINE_NOTE: (f"{mentor} declined {mentee}'s request and wrote a note for the "
                            f"scheme.", call.decline_note),
        Kind.MENTOR_NOTE: (f"{mentor} wrote for the scheme after their call with {mentee}.",
                           call.mentor_reason),
        Kind.MENTEE_NOTE: (f"{mentee} wrote for the scheme after their call with {mentor}.",
                           call.mentee_reason),
    }[kind]
    return Item(kind, call.id, since, what, words,
                ("admin.requests", {"slug": scheme.slug, "state": call.state.value},
                 f"See request No. {call.id}"))


def _need_help(scheme: Scheme, check_in: CheckIn, reference: str | None,
               since: dt.datetime) -> Item:
    relationship = check_in.relationship
    who = [person.full_name for party, person in (("mentor", relationship.mentor),
                                                  ("mentee", relationship.mentee))
           if check_in.answer_of(party) == CheckInAnswer.NEED_HELP]
    return Item(Kind.NEED_HELP, check_in.id, since,
                f"{' and '.join(who)} answered \u201cWe need help\u201d at the "
                f"{check_in.kind} check-in of {relationship.mentee.full_name} and "
                f"{relationship.mentor.full_name}.", None, _pair_link(scheme, reference))


def _stalled(agreement: Agreement, since: dt.datetime) -> Item:
    version = agreement.current_version
    waiting = [agreement.person(party).full_name for party in ("mentor", "mentee")
               if version is None or version.signature_of(party) is None]
    return Item(Kind.STALLED_SIGNING, agreement.id, since,
                f"The agreement of {agreement.mentee.full_name} and {agreement.mentor.full_name} "
                f"is still waiting for {' and '.join(waiting)} to sign, after every reminder.",
                None, ("admin.agreement", {"reference": agreement.reference},
                       f"See agreement {agreement.reference}"))


def _quiet(scheme: Scheme, relationship: Relationship, reference: str | None,
           since: dt.datetime) -> Item:
    weeks = scheme.running_setting("quiet_weeks")
    return Item(Kind.QUIET, relationship.id, since,
                f"{relationship.mentee.full_name} and {relationship.mentor.full_name} have not "
                f"booked or logged a session for more than {weeks} weeks.", None,
                _pair_link(scheme, reference))


def subject_in_scheme(scheme_id: int, kind: str, subject_id: int) -> bool:
    """Is there a note or check-in of this kind with this id in the scheme (dealt with or not)?
    For marking an item as dealt with: anything else is "not found"."""
    if kind in (Kind.DECLINE_NOTE, Kind.MENTOR_NOTE, Kind.MENTEE_NOTE):
        query = sa.select(ChemistryCall.id).where(ChemistryCall.id == subject_id,
                                                  ChemistryCall.scheme_id == scheme_id)
    elif kind == Kind.NEED_HELP:
        query = (sa.select(CheckIn.id).join(Relationship)
                 .where(CheckIn.id == subject_id, Relationship.scheme_id == scheme_id))
    else:
        return False
    return db.session.scalar(query) is not None


def dealt_with(kind: str, subject_id: int) -> DealtWith | None:
    """Whether (and when, by whom) an item was marked as dealt with."""
    return db.session.scalar(sa.select(DealtWith).where(DealtWith.kind == kind,
                                                        DealtWith.subject_id == subject_id))
