"""Deleting an account: a person's own choice, or an erasure request an administrator carries
out from the desk, by the same rules.

What goes: the person's name, email address, phone and work details on the account (it stays
only as "Former participant", so the records others still need keep their shape), their
memberships, their mentor profiles' text and expertise (hidden from search at once), their
shortlist and private notes, form drafts, data downloads, their own evaluation answers, what
they wrote on chemistry call requests and after calls, their line managers' names and
addresses, the contact details on their agreements, the copies of emails sent to them (and any
still waiting to go), their name and address in other people's emails (and those emails' PDF
copies), and their address in the audit trail's details.

What stays, as the law allows: a signed agreement's or evaluation's text is the signed record
of both people, so it is kept, unchanged, until the scheme's retention period ends
(portal.retention), and the other person's PDF still verifies at /verify. The relationship's
dates, sessions and action plan stay for the other person's history.

Before anything is deleted, what is open is closed kindly, as for a leaver
(portal.admin.leavers): requests waiting for an answer close and the other person is told;
an arranged call is cancelled with a calendar cancellation; mentoring still running ends
(category "leaving"). Everything happens in one transaction, under the locks those verbs use:
the account, then every mentor profile involved (the lock that guards places), then each call
and relationship.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import abort, current_app

from portal import audit, mail, ratelimit
from portal import db as portal_db
from portal.accounts.models import Membership, Role, User
from portal.accounts.signin import address_limit_keys
from portal.admin.leavers import close_request
from portal.agreements.models import Agreement
from portal.audit import AuditEvent
from portal.calls import invites
from portal.calls.links import find_mentors_url
from portal.calls.models import CallState, ChemistryCall, LineManagerApproval
from portal.calls.places import give_place_back
from portal.calls.queries import lock_call, lock_profile
from portal.db import utcnow
from portal.drafts import FormDraft
from portal.equality.models import EqualityDone
from portal.errors import DomainError, NotAllowed
from portal.evaluations.models import Evaluation
from portal.extensions import db
from portal.mail.models import MessageState, OutboxAttachment, OutboxMessage
from portal.mentors.models import MentorProfile, ProfileExpertise, ProfileState, ShortlistEntry
from portal.personal_data.models import DataExport
from portal.relationships import ending
from portal.relationships import queries as relationship_queries
from portal.relationships.models import Relationship, RelationshipState
from portal.templating import format_date

ERASED_NAME = "Former participant"
#: Emails not yet sent, which go with the account.
UNSENT = (MessageState.QUEUED,)


def erased_email(user_id: int) -> str:
    """The address an erased account keeps: unique, and at a domain that never receives mail
    (.invalid is reserved for that)."""
    return f"erased-{user_id}@erased.invalid"


def may_erase(person: User, actor: User) -> None:
    """The person themselves, or an administrator of every scheme where the person is a mentor
    or mentee (an administrator of one scheme does not delete someone's part in another)."""
    if actor.id == person.id:
        return
    schemes = {m.scheme_id for m in person.memberships if m.role != Role.ADMIN}
    if not schemes or not all(actor.has_role(Role.ADMIN, scheme_id) for scheme_id in schemes):
        raise NotAllowed(f"{person.full_name} also takes part in a scheme you do not "
                         "administer. Ask a site administrator to delete the account.")


def erase(user_id: int, actor: User, *, ip_address: str | None, reason: str = "",
          still_due: Callable[[User], bool] | None = None) -> dict:
    """Delete ``user_id``'s account by the rules above; returns counts of what went.

    ``still_due``: for the retention sweep (which deletes an unused account in its person's
    name, after warning them), checked under the account's lock: False refuses, nothing
    changed (the person came back a moment ago)."""
    found = db.session.get(User, user_id)
    if found is None:
        abort(404)
    db.session.rollback()  # ends the read, so the lock starts the transaction
    person = portal_db.lock(db.session(), sa.select(User).where(User.id == user_id))
    if person.erased_at is not None:
        raise DomainError(f"This account was deleted on {format_date(person.erased_at)}.",
                          title="Already deleted")
    may_erase(person, actor)
    if still_due is not None and not still_due(person):
        raise DomainError("This account has been used again, so it is kept.")
    old_email, old_name = person.email, person.full_name
    counts = _close_open_work(person, actor, ip_address)
    counts |= _forget(person, old_email)
    person.full_name = ERASED_NAME
    person.email = erased_email(person.id)
    person.phone = person.job_title = person.organisation = person.grade = None
    person.session_version += 1  # every session of the account ends
    person.erased_at = utcnow()
    db.session.flush()
    _drop_unsent(old_email)
    counts["emails_naming_them"] = _scrub_mentions(old_email, old_name)
    by = ("retention" if still_due is not None
          else "self" if actor.id == person.id else "administrator")
    audit.record(db.session, "user", person.id, "erased",
                 actor_id=None if by == "retention" else actor.id, ip_address=ip_address, by=by,
                 reason=" ".join(reason.split()) or None, **counts)
    db.session.commit()
    _forget_rate_limits(old_email, person.id)
    return counts


def _close_open_work(person: User, actor: User, ip: str | None) -> dict:
    """Lock every mentor profile involved, then each open call and relationship; close the
    calls and end the relationships, each telling the other person."""
    uid = person.id
    profile_ids = set(db.session.scalars(sa.select(MentorProfile.id).where(
        MentorProfile.user_id == uid)))
    calls = list(db.session.scalars(sa.select(ChemistryCall.id).where(
        ChemistryCall.state.in_([CallState.REQUESTED, CallState.ACCEPTED]),
        sa.or_(ChemistryCall.mentor_id == uid, ChemistryCall.mentee_id == uid))
        .order_by(ChemistryCall.id)))
    relationships = list(db.session.scalars(sa.select(Relationship.id).where(
        Relationship.state != RelationshipState.ENDED,
        sa.or_(Relationship.mentor_id == uid, Relationship.mentee_id == uid))
        .order_by(Relationship.id)))
    profile_ids |= set(db.session.scalars(sa.select(ChemistryCall.profile_id).where(
        ChemistryCall.id.in_(calls))))
    profile_ids |= set(db.session.scalars(sa.select(Relationship.profile_id).where(
        Relationship.id.in_(relationships))))
    for profile_id in sorted(profile_ids):
        lock_profile(profile_id)
    closed = 0
    for call in [lock_call(call_id) for call_id in calls]:
        if call.state == CallState.REQUESTED:
            closed += close_request(call, person, actor, ip)
        elif call.state == CallState.ACCEPTED:
            closed += _cancel_arranged(call, person, actor, ip)
    ended = 0
    for relationship in [relationship_queries.lock(rid) for rid in relationships]:
        if relationship.state != RelationshipState.ENDED:
            ending.end_for_leaver(relationship, actor, ip=ip,
                                  reason="The account of one of the pair was deleted.")
            ended += 1
    return {"requests_closed": closed, "relationships_ended": ended}


def _cancel_arranged(call: ChemistryCall, leaver: User, actor: User, ip: str | None) -> int:
    """An arranged call is called off: the other person gets the calendar cancellation."""
    call.move_to(CallState.CANCELLED, "mentor" if call.mentor_id == leaver.id else "mentee")
    call.ended_at = utcnow()
    call.ended_by_id = actor.id
    give_place_back(call.profile)
    call.invite_sequence += 1
    audit.record(db.session, "chemistry_call", call.id, "cancelled", actor_id=actor.id,
                 ip_address=ip, because="account deleted")
    other_is_mentee = call.mentor_id == leaver.id
    other = call.mentee if other_is_mentee else call.mentor
    mail.queue(other.email, "call_cancelled", scheme=call.scheme, call=call,
               attachments=[invites.attachment(call, cancel=True)],
               name=call.mentee.full_name if other_is_mentee else call.profile.display_name,
               role="mentee" if other_is_mentee else "mentor",
               other_name=call.profile.display_name if other_is_mentee
               else call.mentee.full_name, by_you=False, find_url=find_mentors_url())
    return 1


def _forget(person: User, old_email: str) -> dict:
    """Delete or blank what is the person's own, in the caller's transaction."""
    uid = person.id
    profiles = list(db.session.scalars(sa.select(MentorProfile).where(
        MentorProfile.user_id == uid)))
    for profile in profiles:
        profile.display_name = ERASED_NAME
        for field in ("job_title", "organisation", "grade", "background", "offer", "experience",
                      "location"):
            setattr(profile, field, "")
        profile.accepting = False
        if profile.state != ProfileState.HIDDEN:
            profile.state = ProfileState.HIDDEN
    db.session.execute(sa.delete(ProfileExpertise).where(
        ProfileExpertise.profile_id.in_([p.id for p in profiles])))
    counts = {
        "profiles_blanked": len(profiles),
        "shortlist_entries": _delete(ShortlistEntry, ShortlistEntry.mentee_id == uid),
        "drafts": _delete(FormDraft, FormDraft.user_id == uid),
        "data_downloads": _delete(DataExport, DataExport.user_id == uid),
        "evaluations": _delete(Evaluation, Evaluation.user_id == uid),
        # The marker only: the counts the answers went into stay, tied to nobody.
        "equality_markers": _delete(EqualityDone, EqualityDone.user_id == uid),
        "line_manager_requests": _delete(LineManagerApproval,
                                         LineManagerApproval.mentee_id == uid),
    }
    db.session.execute(sa.update(ChemistryCall).where(ChemistryCall.mentee_id == uid)
                       .values(hopes="", experience="", mentee_reason=""))
    db.session.execute(sa.update(ChemistryCall).where(ChemistryCall.mentor_id == uid)
                       .values(decline_note="", mentor_reason=""))
    db.session.execute(sa.update(Relationship).where(Relationship.ended_by_id == uid)
                       .values(end_reason=None))
    for party in ("mentor", "mentee"):
        people = sa.select(Relationship.id).where(getattr(Relationship, f"{party}_id") == uid)
        db.session.execute(sa.update(Agreement).where(Agreement.relationship_id.in_(people))
                           .values({f"{party}_email": "", f"{party}_phone": ""}))
    counts["memberships"] = _delete(Membership, Membership.user_id == uid)
    counts["emails_blanked"] = _blank_sent(old_email, erased_email(uid))
    counts["audit_details_cleaned"] = _clean_audit(old_email)
    return counts


def _delete(model, condition) -> int:
    return db.session.execute(sa.delete(model).where(condition)).rowcount or 0


def _blank_sent(old_email: str, new_address: str) -> int:
    """Copies of emails sent (or failed) to the person: kept as a record that something was
    sent, without its text, attachments or the address."""
    sent = sa.select(OutboxMessage.id).where(OutboxMessage.to_address == old_email,
                                             OutboxMessage.state.not_in(UNSENT))
    db.session.execute(sa.delete(OutboxAttachment).where(OutboxAttachment.message_pk.in_(sent)))
    return db.session.execute(
        sa.update(OutboxMessage).where(OutboxMessage.to_address == old_email,
                                       OutboxMessage.state.not_in(UNSENT))
        .values(to_address=new_address, body_text="", body_html="")).rowcount or 0


def _drop_unsent(old_email: str) -> None:
    """Emails to the person not sent yet (including this transaction's) never go."""
    waiting = sa.select(OutboxMessage.id).where(OutboxMessage.to_address == old_email,
                                                OutboxMessage.state.in_(UNSENT))
    db.session.execute(sa.delete(OutboxAttachment).where(
        OutboxAttachment.message_pk.in_(waiting)))
    db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.to_address == old_email,
                                                      OutboxMessage.state.in_(UNSENT)))


def _scrub_mentions(old_email: str, old_name: str) -> int:
    """Other people's emails that name the person (sent, failed, or queued a moment ago by the
    closing above): the name becomes "Former participant" and the address "[deleted]", and
    their attachments (copies of signed PDFs, kept in the signed records) go."""
    mentions = [OutboxMessage.subject.contains(old_name), OutboxMessage.body_text.contains(
        old_name), OutboxMessage.body_text.contains(old_email),
        OutboxMessage.body_html.contains(old_email)]
    messages = list(db.session.scalars(sa.select(OutboxMessage).where(sa.or_(*mentions))))
    for message in messages:
        for field in ("subject", "body_text", "body_html"):
            value = getattr(message, field) or ""
            setattr(message, field,
                    value.replace(old_email, "[deleted]").replace(old_name, ERASED_NAME))
    db.session.execute(sa.delete(OutboxAttachment).where(
        OutboxAttachment.message_pk.in_([m.id for m in messages])))
    return len(messages)


def _clean_audit(old_email: str) -> int:
    """The address in audit events' details (an invitation, a deactivation) becomes
    "[deleted]"; the events, and the account's number in them, stay."""
    events = list(db.session.scalars(sa.select(AuditEvent).where(
        sa.cast(AuditEvent.detail, sa.Text).like(f"%{old_email}%"))))
    for event in events:
        event.detail = {key: ("[deleted]" if value == old_email else value)
                        for key, value in (event.detail or {}).items()}
    return len(events)


def _forget_rate_limits(old_email: str, user_id: int) -> None:
    """The counters keyed on the address go too. (Each network address's own counter for it
    lapses within RATE_LIMIT_WINDOW_SECONDS; they hold a hash of the address, not the
    address.)"""
    for key, limit in address_limit_keys(old_email, current_app.config):
        ratelimit.clear(key, limit)
    ratelimit.clear(f"change-email:{user_id}", current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"])

