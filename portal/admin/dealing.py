"""Marking an item of a scheme's "Needs attention" list as dealt with: a note someone wrote for
the scheme, or a "we need help" check-in (the other kinds leave the list by themselves).

Rule: only an administrator of the scheme (the view checks that), only an item of that scheme
(anything else is "not found"), once (a second time, or two at once, says who did it first).
"""

from __future__ import annotations

import sqlalchemy as sa

from portal import audit
from portal.accounts.models import User
from portal.admin import attention
from portal.admin.models import DealtWith
from portal.db import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.templating import format_date


def _already(done: DealtWith) -> DomainError:
    who = db.session.get(User, done.dealt_by_id) if done.dealt_by_id else None
    return DomainError(f"{who.full_name if who else 'An administrator'} marked this as dealt "
                       f"with on {format_date(done.dealt_at)}.",
                       title="Already dealt with",
                       next_step="There is nothing more to do for it on this list.")


def mark(scheme_id: int, kind: str, subject_id: int, actor: User, *,
         ip_address: str | None = None) -> DealtWith:
    """Mark one note or check-in of the scheme as dealt with, audited, once."""
    if kind not in attention.MARKABLE or not attention.subject_in_scheme(scheme_id, kind,
                                                                         subject_id):
        raise DomainError("There is no such item on this scheme's list.", status=404,
                          title="Not found")
    # The unique key on (kind, subject_id) is the lock: of two marks at once, one is refused.
    done = attention.dealt_with(kind, subject_id)
    if done is not None:
        raise _already(done)
    done = DealtWith(scheme_id=scheme_id, kind=kind, subject_id=subject_id, dealt_at=utcnow(),
                     dealt_by_id=actor.id)
    db.session.add(done)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise _already(attention.dealt_with(kind, subject_id)) from None
    audit.record(db.session, "scheme", scheme_id, "attention_dealt_with", actor_id=actor.id,
                 ip_address=ip_address, kind=kind, item=subject_id)
    db.session.commit()
    return done
