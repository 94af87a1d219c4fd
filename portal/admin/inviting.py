"""Bringing people in: an administrator uploads names and addresses to invite as mentors or
mentees, sees each row's problem, then sends one emailed invitation per good row; each invitee
joins by their link.

The rules:

- An upload is read and checked when it arrives (the preview); nothing is sent then. Its rows
  and their problems are kept with it, so the send works from what the administrator saw.
- The upload form carries a random key: the same form posted twice makes one upload.
- Sending locks the scheme's row, then the upload's: of two sends at once (a double-click, two
  tabs, the back button) the second waits, finds the upload sent, and sends nothing. Every
  good row is checked again as it is sent (someone may have joined, or been invited by another
  upload, since the preview), and the database holds one pending invitation per address and
  role in a scheme (``Invitation.pending_key``).
- The invitations' emails go to the outbox in the send's one transaction, for the worker (or
  `flask mail deliver`) to deliver: the request does not wait for the mail server.
- An invitation lives ``join_link_days`` (30) days and works once, for its address only. Using
  it registers the address in the scheme and role, or adds the role to the account the address
  has. It does not sign anyone in: it lives far longer than a sign-in link should, and whoever
  holds a forwarded copy must not get into the account with it (as for administrators'
  invitations). The invitee signs in as usual, by a link sent to their address.
- Only the scheme's administrators upload and send; uploads, sends and acceptances are audited
  on the scheme.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import sqlalchemy as sa
from wtforms.validators import Email, ValidationError

from portal import audit, mail
from portal.accounts import links
from portal.accounts.forms import RegisterForm
from portal.accounts.models import Membership, Role, User
from portal.accounts.signin import find_user, join, normalise_email
from portal.admin import invitation_file
from portal.admin.models import (
    Invitation,
    InvitationState,
    InvitationUpload,
    UploadState,
)
from portal.db import lock, utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.schemes.models import Scheme

#: The check registration gives an address (its form's own validator), so an address the
#: upload takes is one the person could have registered with.
_ADDRESS = next(v for v in RegisterForm.email.kwargs["validators"] if isinstance(v, Email))
_ROLE_WORDS = {Role.MENTOR: "a mentor", Role.MENTEE: "a mentee"}


def address_problem(email: str) -> str | None:
    """Why an address cannot be invited, in words, or None."""
    if not email:
        return "No email address"
    if len(email) > 254:
        return "The email address is too long"
    try:
        _ADDRESS(None, SimpleNamespace(data=email))
    except ValidationError:
        return "Not an email address in the correct format"
    return None


def _lock_scheme(scheme_id: int, actor: User) -> Scheme:
    scheme = lock(db.session, sa.select(Scheme).where(Scheme.id == scheme_id))
    if scheme is None:
        raise DomainError("This scheme no longer exists.", status=404)
    if not actor.has_role(Role.ADMIN, scheme.id):
        raise NotAllowed(f"Only an administrator of {scheme.name} can do this.")
    return scheme


def _pending_since() -> dt.datetime:
    return utcnow() - dt.timedelta(days=links.join_link_days())


def _members(scheme_id: int, role: Role, emails: set[str]) -> set[str]:
    if not emails:
        return set()
    return set(db.session.scalars(
        sa.select(User.email).join(Membership)
        .where(Membership.scheme_id == scheme_id, Membership.role == role,
               User.email.in_(emails))))


def _pending(scheme_id: int, role: Role, emails: set[str]) -> dict[str, dt.datetime]:
    """The addresses among ``emails`` with an invitation in this role whose link still works,
    each with when it was sent."""
    if not emails:
        return {}
    return dict(db.session.execute(
        sa.select(Invitation.email, Invitation.created_at)
        .where(Invitation.scheme_id == scheme_id, Invitation.role == role,
               Invitation.state == InvitationState.PENDING,
               Invitation.created_at > _pending_since(), Invitation.email.in_(emails))).all())


def _check(rows: list[invitation_file.Row], scheme_id: int, role: Role) -> list[dict]:
    """Each row as the preview shows it, with its problem (None: ready)."""
    checked, seen = [], {}
    for row in rows:
        email = normalise_email(row.email)
        problem = address_problem(email)
        if problem is None and email in seen:
            problem = f"The same address as line {seen[email]}"
        if problem is None and not row.name:
            problem = "No name"
        if problem is None:
            seen[email] = row.line
        checked.append({"line": row.line, "name": row.name, "email": email,
                        "problem": problem})
    good = {row["email"] for row in checked if row["problem"] is None}
    members, pending = _members(scheme_id, role, good), _pending(scheme_id, role, good)
    for row in checked:
        if row["problem"] is not None:
            continue
        if row["email"] in members:
            row["problem"] = f"Already {_ROLE_WORDS[role]} in this scheme"
        elif row["email"] in pending:
            sent = pending[row["email"]]
            row["problem"] = (f"Invited already, on {sent.day} {sent:%B %Y}; the invitation "
                              "has not been used yet")
    return checked


def preview(scheme_id: int, actor: User, role: Role, key: str, data: bytes | str,
            filename: str | None = None, *, ip_address: str | None = None) -> InvitationUpload:
    """Read and check an upload, and keep it for the administrator to send (nothing is sent).
    The same form (``key``) posted again gives back the first upload."""
    if role not in _ROLE_WORDS:
        raise DomainError("Invite people as mentors or as mentees.")
    rows = invitation_file.read(data)  # a file that is not a list of people stops here
    scheme = _lock_scheme(scheme_id, actor)
    existing = db.session.scalar(sa.select(InvitationUpload).where(InvitationUpload.key == key))
    if existing is not None:
        if existing.scheme_id != scheme.id:
            raise DomainError("This upload form belongs to another scheme.", status=400)
        db.session.rollback()
        return existing
    upload = InvitationUpload(key=key, scheme_id=scheme.id, role=role,
                              filename=(filename or "")[:200] or None,
                              rows=_check(rows, scheme.id, role), created_by_id=actor.id)
    db.session.add(upload)
    db.session.flush()
    audit.record(db.session, "scheme", scheme.id, "invitations_uploaded", actor_id=actor.id,
                 ip_address=ip_address, upload_id=upload.id, role=role.value,
                 rows=len(upload.rows), ready=len(upload.ready))
    db.session.commit()
    return upload


def send(upload_id: int, actor: User, *, ip_address: str | None = None) -> tuple[
        InvitationUpload, bool]:
    """Queue one invitation email for each good row of an upload, once. Returns the upload and
    whether this call sent it (False: it had been sent already, and nothing more was)."""
    scheme_id = db.session.scalar(sa.select(InvitationUpload.scheme_id)
                                  .where(InvitationUpload.id == upload_id))
    if scheme_id is None:
        raise DomainError("This upload no longer exists.", status=404)
    scheme = _lock_scheme(scheme_id, actor)
    # The upload's own row, locked as well: the scheme's lock already orders every send in it.
    upload = lock(db.session, sa.select(InvitationUpload).where(InvitationUpload.id == upload_id))
    if upload.state == UploadState.SENT:
        return upload, False
    if not upload.ready:
        raise DomainError("None of the rows in this upload can be invited.",
                          next_step="Correct the file and upload it again.")
    role = Role(upload.role)
    emails = {row["email"] for row in upload.ready}
    members, pending = _members(scheme.id, role, emails), _pending(scheme.id, role, emails)
    # Invitations whose link has run out free their address for this one.
    for stale in db.session.scalars(
            sa.select(Invitation).where(
                Invitation.scheme_id == scheme.id, Invitation.role == role,
                Invitation.state == InvitationState.PENDING,
                Invitation.created_at <= _pending_since(), Invitation.email.in_(emails))):
        stale.move_to(InvitationState.EXPIRED)
    db.session.flush()
    invitations = [
        Invitation(upload_id=upload.id, scheme_id=scheme.id, role=role, email=row["email"],
                   full_name=row["name"], pending_key=Invitation.key_for(scheme.id, role,
                                                                          row["email"]))
        for row in upload.ready if row["email"] not in members and row["email"] not in pending]
    db.session.add_all(invitations)
    db.session.flush()
    existing = {u.email: u for u in db.session.scalars(
        sa.select(User).where(User.email.in_({i.email for i in invitations})))}
    messages = []
    for invitation in invitations:
        token = links.make_join_link(invitation)
        messages.append(mail.queue(
            invitation.email, "scheme_invitation", scheme=scheme, inviter=actor,
            role=_ROLE_WORDS[role], name=invitation.full_name,
            existing=invitation.email in existing, token=token, days=links.join_link_days(),
            inline=False))
    db.session.flush()
    for invitation, message in zip(invitations, messages, strict=True):
        invitation.message_id = message.id
    upload.move_to(UploadState.SENT)
    upload.sent_by_id, upload.sent_at, upload.queued = actor.id, utcnow(), len(invitations)
    audit.record(db.session, "scheme", scheme.id, "invitations_sent", actor_id=actor.id,
                 ip_address=ip_address, upload_id=upload.id, role=role.value,
                 queued=len(invitations), skipped=len(upload.ready) - len(invitations))
    db.session.commit()
    return upload, True


def accept(token: str, signed_in: User | None, full_name: str, *,
           ip_address: str | None = None) -> tuple[User, Invitation]:
    """Use an invitation to join (once): its address's account, made with ``full_name`` if
    there is none, takes the invitation's role in its scheme, the eligibility statement
    confirmed by the form."""
    link = links.check_join_link(token, signed_in, lock=True)
    links.spend_join_link(link)
    invitation = link.invitation
    scheme, role = invitation.scheme, Role(invitation.role)
    user = find_user(invitation.email)
    if user is None:
        user = User(email=invitation.email, full_name=" ".join(full_name.split())[:200]
                    or invitation.full_name)
        db.session.add(user)
        db.session.flush()
        audit.record(db.session, "user", user.id, "registered", actor_id=user.id,
                     ip_address=ip_address, scheme=scheme.slug, roles=[role.value],
                     by="invitation")
    join(user, scheme, role)
    invitation.move_to(InvitationState.ACCEPTED)
    invitation.accepted_at, invitation.user_id = utcnow(), user.id
    audit.record(db.session, "scheme", scheme.id, "invitation_accepted", actor_id=user.id,
                 ip_address=ip_address, invitation_id=invitation.id, role=role.value)
    db.session.commit()
    return user, invitation

