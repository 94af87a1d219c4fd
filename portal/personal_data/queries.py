"""Every read of the personal-data area: a person's downloads, and everything the portal holds
about one person, kind by kind, for their download.

What goes in is what is about them or what they wrote, and of the records they share with
someone else (a call, an agreement, a relationship) what both of them see. What only someone
else or the scheme's administrators see stays out: a mentor's reasons and notes for declining
go to the mentor's download, not the mentee's; the other person's answers after a call, at a
check-in or in their own evaluation, their reason for ending, their IP address and browser
when signing, and a line manager's IP address never go in. Emailed links in the copies of
emails are replaced by [link], so a forwarded download opens nothing.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from flask import abort

from portal import db as portal_db
from portal.accounts.models import Membership, User
from portal.agreements import pdf
from portal.agreements.models import Agreement
from portal.audit import AuditEvent
from portal.calls.models import ChemistryCall, LineManagerApproval
from portal.drafts import FormDraft
from portal.equality.models import EqualityDone
from portal.evaluations.models import Evaluation, EvaluationSignoff
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mentors.models import MentorProfile, ShortlistEntry
from portal.personal_data.models import DataExport, ExportState
from portal.redaction import TOKEN
from portal.relationships.models import ActionItem, CheckIn, MentoringSession, Relationship
from portal.schemes.models import Scheme

#: All a download can say about a scheme's equality monitoring questions.
EQUALITY_FACT = (
    "You have been through the equality monitoring questions: you answered them or said no "
    "thanks, and we do not keep which. Any answers are stored only as anonymous counts, which "
    "cannot be linked back to you, so they cannot be included here.")

# --- a person's downloads --------------------------------------------------------------------


def exports_of(user_id: int) -> list[DataExport]:
    """The person's downloads, newest first."""
    return list(db.session.scalars(sa.select(DataExport).where(DataExport.user_id == user_id)
                                   .order_by(DataExport.requested_at.desc(), DataExport.id.desc())))


def waiting_of(user_id: int) -> DataExport | None:
    return db.session.scalar(sa.select(DataExport).where(
        DataExport.user_id == user_id, DataExport.state == ExportState.WAITING).limit(1))


def own_or_404(export_id: int, user: User) -> DataExport:
    """The download, if it is ``user``'s own; 404 for anyone else."""
    export = db.session.get(DataExport, export_id)
    if export is None or export.user_id != user.id:
        abort(404)
    return export


def lock_user(user_id: int) -> User:
    """The account, locked. Why: two asks for a download at the same moment (a double click)
    make one: the second waits, then finds the first waiting."""
    return portal_db.lock(db.session(), sa.select(User).where(User.id == user_id))


def waiting_ids(limit: int) -> list[int]:
    """The oldest downloads still to build."""
    return list(db.session.scalars(
        sa.select(DataExport.id).where(DataExport.state == ExportState.WAITING)
        .order_by(DataExport.requested_at, DataExport.id).limit(limit)))


def lock(export_id: int) -> DataExport | None:
    """The download, locked and read fresh. Why: two workers may pick the same waiting one;
    the second waits, then finds it built."""
    stmt = (sa.select(DataExport).where(DataExport.id == export_id)
            .execution_options(populate_existing=True))
    return portal_db.lock(db.session(), stmt)


# --- everything about one person -------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _row(obj: Any, *names: str) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in names}


def collect(user: User) -> tuple[dict[str, list[dict[str, Any]]], dict[str, bytes]]:
    """Everything about ``user``: records by kind (each a list of plain dicts, for JSON), and
    the files that go with them (signed PDFs) by name."""
    kinds: dict[str, list[dict[str, Any]]] = {}
    files: dict[str, bytes] = {}
    uid = user.id

    kinds["account"] = [_row(user, "full_name", "email", "phone", "job_title", "organisation",
                             "grade", "created_at", "last_signed_in_at")]
    kinds["memberships"] = [
        {"scheme": m.scheme.name, **_row(m, "role", "created_at", "eligibility_confirmed_at")}
        for m in db.session.scalars(sa.select(Membership).where(Membership.user_id == uid)
                                    .order_by(Membership.id))]

    profiles = list(db.session.scalars(sa.select(MentorProfile).where(
        MentorProfile.user_id == uid).order_by(MentorProfile.id)))
    kinds["mentor_profiles"] = [
        {"scheme": p.scheme.name, "expertise": [link.area for link in p.expertise_links],
         **_row(p, "display_name", "job_title", "organisation", "sector", "grade", "background",
                "offer", "experience", "meeting_format", "location", "capacity", "accepting",
                "state", "published_at", "created_at", "updated_at")} for p in profiles]

    kinds["shortlist"] = [
        {"mentor": entry.profile.display_name, **_row(entry, "note", "created_at", "updated_at")}
        for entry in db.session.scalars(sa.select(ShortlistEntry).where(
            ShortlistEntry.mentee_id == uid).order_by(ShortlistEntry.id))]

    calls = []
    for call in db.session.scalars(sa.select(ChemistryCall).where(
            sa.or_(ChemistryCall.mentee_id == uid, ChemistryCall.mentor_id == uid))
            .order_by(ChemistryCall.id)):
        role = "mentee" if call.mentee_id == uid else "mentor"
        other = call.mentor if role == "mentee" else call.mentee
        record = {"your_role": role, "with": other.full_name, "scheme": call.scheme.name,
                  "proposed_times": [_plain(t.starts_at) for t in call.proposed_times],
                  **_row(call, "state", "hopes", "experience", "flexible", "preferred_format",
                         "requested_at", "answered_at", "scheduled_at", "duration_minutes",
                         "meeting_details", "ended_at")}
        if role == "mentor":
            record |= _row(call, "decline_reason", "decline_note")
        record |= {"your_decision_after_the_call": _plain(getattr(call, f"{role}_decision")),
                   "your_note_after_the_call": getattr(call, f"{role}_reason")}
        calls.append(record)
    kinds["chemistry_calls"] = calls

    kinds["line_manager_approvals"] = [
        {"scheme": a.scheme.name,
         **_row(a, "manager_name", "manager_email", "state", "requested_at", "decided_at")}
        for a in db.session.scalars(sa.select(LineManagerApproval).where(
            LineManagerApproval.mentee_id == uid).order_by(LineManagerApproval.id))]

    relationships = list(db.session.scalars(sa.select(Relationship).where(
        sa.or_(Relationship.mentee_id == uid, Relationship.mentor_id == uid))
        .order_by(Relationship.id)))
    ids = [r.id for r in relationships]
    kinds["relationships"] = [
        {"your_role": r.party(uid), "with": (r.mentor if r.party(uid) == "mentee"
                                             else r.mentee).full_name,
         "scheme": r.scheme.name, "ended_by_you": r.ended_by_id == uid,
         **_row(r, "state", "created_at", "activated_at", "ended_at", "end_kind",
                "end_category"),
         **({"your_reason_for_ending": r.end_reason} if r.ended_by_id == uid else {})}
        for r in relationships]

    agreements = []
    for agreement in db.session.scalars(sa.select(Agreement).where(
            Agreement.relationship_id.in_(ids)).order_by(Agreement.id)):
        party = agreement.party(uid)
        versions = []
        for version in agreement.versions:
            signatures = []
            for signature in version.signatures:
                mine = signature.user_id == uid
                signatures.append({"party": signature.party, "typed_name": signature.typed_name,
                                   "signed_at": _plain(signature.signed_at), "via": signature.via,
                                   **(_row(signature, "ip_address", "user_agent") if mine
                                      else {})})
            versions.append({"number": version.number, "sha256": version.sha256,
                             "sent_at": _plain(version.created_at),
                             "cancelled_at": _plain(version.voided_at),
                             "signatures": signatures, "text": version.text})
            if version.signed_by_both:
                files[f"agreements/{pdf.filename(agreement, version)}"] = pdf.render(
                    agreement, version)
        agreements.append({"your_role": party, "reference": agreement.reference,
                           "scheme": agreement.scheme.name,
                           **_row(agreement, "state", "created_at", "signed_at", "submitted_at",
                                  "acknowledged_at", f"{party}_email", f"{party}_phone"),
                           "versions": versions})
    kinds["agreements"] = agreements

    kinds["sessions"] = [
        _row(s, "relationship_id", "state", "starts_at", "duration_minutes", "format", "place",
             "booked_at", "cancelled_at", "late_notice", "logged_at", "held_on", "held_minutes")
        for s in db.session.scalars(sa.select(MentoringSession).where(
            MentoringSession.relationship_id.in_(ids)).order_by(MentoringSession.id))]
    kinds["actions"] = [
        _row(a, "relationship_id", "goal", "what", "owner", "due_on", "created_at", "done_at")
        for a in db.session.scalars(sa.select(ActionItem).where(
            ActionItem.relationship_id.in_(ids)).order_by(ActionItem.id))]
    check_ins = []
    for check_in in db.session.scalars(sa.select(CheckIn).where(
            CheckIn.relationship_id.in_(ids)).order_by(CheckIn.id)):
        party = check_in.relationship.party(uid)
        check_ins.append({**_row(check_in, "relationship_id", "kind", "due_on", "sent_at"),
                          "your_answer": _plain(getattr(check_in, f"{party}_answer")),
                          "answered_at": _plain(getattr(check_in, f"{party}_answered_at"))})
    kinds["check_ins"] = check_ins

    kinds["evaluations"] = [
        {"questions_and_answers": [
            {"question": q, "answer": (e.answers or [])[n] if n < len(e.answers or []) else None}
            for n, q in enumerate(e.questions)],
         **_row(e, "relationship_id", "party", "kind", "state", "opened_at", "closes_at",
                "submitted_at")}
        for e in db.session.scalars(sa.select(Evaluation).where(Evaluation.user_id == uid)
                                    .order_by(Evaluation.id))]
    for signoff in db.session.scalars(sa.select(EvaluationSignoff).where(
            EvaluationSignoff.relationship_id.in_(ids),
            EvaluationSignoff.signed_at.is_not(None))):
        # Imported here: the evaluations area's signing imports this area's neighbours'
        # verbs, and is needed only for the PDF.
        from portal.evaluations import signing
        files[f"evaluations/{signing.filename(signoff)}"] = signing.attachment(signoff).data

    # Only the fact: the answers are kept as counts that nothing ties to anyone, and not even
    # whether the person answered or declined is kept.
    kinds["equality_monitoring"] = [
        {"scheme": scheme_name, "what_we_hold": EQUALITY_FACT}
        for scheme_name in db.session.scalars(
            sa.select(Scheme.name).join(EqualityDone, EqualityDone.scheme_id == Scheme.id)
            .where(EqualityDone.user_id == uid).order_by(Scheme.name))]

    kinds["activity"] = [
        {**_row(event, "at", "subject_type", "subject_id", "action", "ip_address"),
         "detail": event.detail}
        for event in db.session.scalars(sa.select(AuditEvent).where(sa.or_(
            AuditEvent.actor_id == uid,
            sa.and_(AuditEvent.subject_type == "user", AuditEvent.subject_id == uid)))
            .order_by(AuditEvent.at, AuditEvent.id))]

    kinds["emails"] = [
        {**_row(m, "to_address", "subject", "template", "state", "created_at", "sent_at"),
         "text": TOKEN.sub("[link]", m.body_text or "")}
        for m in db.session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.to_address == user.email).order_by(OutboxMessage.id))]

    kinds["drafts"] = [_row(d, "form", "fields", "saved_at") for d in db.session.scalars(
        sa.select(FormDraft).where(FormDraft.user_id == uid).order_by(FormDraft.id))]
    return kinds, files
