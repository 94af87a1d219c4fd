"""An agreement opens in the same transaction as the relationship it belongs to.

The chemistry-call step creates the Relationship (state AGREEING) when both people say yes; it
does not need to know about agreements. A session hook sees the new relationship, copies the
scheme's template into a new agreement, and emails both people the link to agree the terms.
That email (agreement_opened) is the only one each person gets when both said yes: it says
what happens next, so the chemistry-call step sends none of its own.
The hook is installed by the area's ``init_app`` (``install``), not by importing this module.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal import mail
from portal.accounts.models import User
from portal.agreements import canonical
from portal.agreements.models import Agreement
from portal.relationships.models import Relationship, RelationshipState
from portal.schemes.models import Scheme

#: Crockford's base 32: no I, L, O or U, so a reference read aloud or retyped survives.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

DEFAULT_TERMS: dict[str, Any] = {
    "duration_months": 12, "sessions": 6, "frequency": "About once every two months",
    "min_minutes": 45, "max_minutes": 90, "notice_hours": 48,
    "contact_between": "By email, when either of us needs to",
    "arranges_meetings": "mentee", "sets_agenda": "mentee", "meeting_format": "either",
    "review_after_months": 3,
}


#: The references' prefixes: MA for an agreement, EV for an evaluation both people signed.
PREFIXES = ("MA", "EV")


def new_reference(prefix: str = "MA") -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{prefix}-{code[:4]}-{code[4:]}"


def normalise_reference(value: str) -> str:
    """A reference as people type it: any case, with or without dashes, O for 0, I or L for 1.
    Eight characters without a prefix are an agreement's."""
    raw = "".join(ch for ch in value.upper() if ch.isalnum())
    prefix = next((p for p in PREFIXES if raw.startswith(p) and len(raw) == 10), "MA")
    if raw.startswith(prefix) and len(raw) == 10:
        raw = raw[2:]
    raw = raw.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    return f"{prefix}-{raw[:4]}-{raw[4:]}" if len(raw) == 8 else value.strip().upper()


def template_terms(scheme: Scheme) -> dict[str, Any]:
    """The scheme's default terms, every key filled in."""
    given = (scheme.agreement_template or {}).get("terms") or {}
    return {**DEFAULT_TERMS, **{k: v for k, v in given.items() if k in DEFAULT_TERMS}}


def open_agreement(session: Session, relationship: Relationship) -> Agreement:
    """Open the agreement for a pair who want to work together; email both of them."""
    scheme = relationship.scheme or session.get(Scheme, relationship.scheme_id)
    mentor = relationship.mentor or session.get(User, relationship.mentor_id)
    mentee = relationship.mentee or session.get(User, relationship.mentee_id)
    template = scheme.agreement_template or {}
    terms = template_terms(scheme)
    agreement = Agreement(
        reference=new_reference(), relationship=relationship, scheme=scheme,
        template={
            "title": canonical.clean(template.get("title") or canonical.DEFAULT_TITLE),
            "intro": template.get("intro") or canonical.DEFAULT_INTRO,
            "submit_note": template.get("submit_note") or canonical.DEFAULT_SUBMIT_NOTE,
            "sections": [{"title": s["title"], "party": s.get("party", "both"),
                          "clauses": list(s["clauses"])} for s in template.get("sections", [])],
            "review_after_months": terms["review_after_months"],
        },
        duration_months=terms["duration_months"], sessions=terms["sessions"],
        frequency=terms["frequency"], min_minutes=terms["min_minutes"],
        max_minutes=terms["max_minutes"], notice_hours=terms["notice_hours"],
        contact_between=terms["contact_between"], arranges_meetings=terms["arranges_meetings"],
        sets_agenda=terms["sets_agenda"], meeting_format=terms["meeting_format"],
        goals=[], mentor_email=mentor.email, mentor_phone=mentor.phone or "",
        mentee_email=mentee.email, mentee_phone=mentee.phone or "",
    )
    session.add(agreement)
    for person, other in ((mentor, mentee), (mentee, mentor)):
        mail.queue(person.email, "agreement_opened", scheme=scheme, agreement=agreement,
                   name=person.full_name, other=other,
                   is_mentee=person.id == mentee.id)
    return agreement


def open_for_new_relationships(session: Session, flush_context: Any, instances: Any) -> None:
    """The before_flush hook: an agreement for each new relationship being agreed."""
    # Objects added here are inserted by this same flush, in the relationship's transaction.
    for obj in list(session.new):
        if isinstance(obj, Relationship) and obj.state in (None, RelationshipState.AGREEING):
            open_agreement(session, obj)


def install(target: Any = Session) -> None:
    """Open agreements for new relationships in every session of ``target`` (a Session class,
    sessionmaker or scoped_session; by default every SQLAlchemy session). Safe to call twice."""
    if not event.contains(target, "before_flush", open_for_new_relationships):
        event.listen(target, "before_flush", open_for_new_relationships)
