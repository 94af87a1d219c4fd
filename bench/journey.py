"""The signed-in mentee's own state, made through the portal's domain functions after the bulk
load: a shortlist, chemistry call requests, and a relationship whose agreement the mentor has
signed. It fills the dashboard's panels and gives the agreement page something to show.

Each step is guarded: while an area is still being built, its step is left out and the reason
is kept in the manifest, and the rest of the benchmark carries on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from bench.agreement_sample import TERMS


def make(url: str, manifest: dict[str, Any]) -> dict[str, Any]:
    """Give the mentee their state in the database at ``url``; returns what was made."""
    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-journey",
                      "PORTAL_ENV": "testing", "BASE_URL": "https://portal.bench.localhost",
                      "MAIL_TRANSPORT": "local", "MAIL_DELIVERY": "worker", "REDIS_URL": None})
    made: dict[str, Any] = {"journey": [], "journey_skipped": []}
    with app.app_context():
        from portal.accounts.models import User

        mentee = db.session.get(User, manifest["mentee_ids"][0])
        open_ids = list(manifest["open_profile_ids"])
        steps: list[tuple[str, Callable]] = [
            ("shortlist", lambda: _shortlist(mentee, open_ids[0:4])),
            ("chemistry call requests", lambda: _requests(mentee, open_ids[4:6])),
            ("agreement signed by the mentor", lambda: _agreement(mentee, open_ids[6])),
        ]
        for name, step in steps:
            try:
                result = step()
            except Exception as error:  # noqa: BLE001  (an area still in progress)
                db.session.rollback()
                first_line = str(error).splitlines()[0] if str(error) else ""
                made["journey_skipped"].append(f"{name} ({type(error).__name__}: {first_line})")
                continue
            made["journey"].append(name)
            if isinstance(result, dict):
                made.update(result)
        db.session.remove()
        db.engine.dispose()
    return made


def _shortlist(mentee, profile_ids: list[int]) -> None:
    from portal.mentors import shortlist

    for profile_id in profile_ids:
        shortlist.add(mentee, profile_id)


def _requests(mentee, profile_ids: list[int]) -> None:
    from portal.calls.models import CallFormat
    from portal.calls.requesting import request_call
    from portal.db import utcnow

    soon = (utcnow() + dt.timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    for n, profile_id in enumerate(profile_ids):
        request_call(mentee, profile_id, hopes="Grow as a leader in my council.",
                     experience="Five years in planning.",
                     times=[soon + dt.timedelta(days=n, hours=h) for h in (0, 3)],
                     flexible=True, preferred_format=next(iter(CallFormat)))


def _agreement(mentee, profile_id: int) -> dict[str, Any]:
    import sqlalchemy as sa

    from portal.agreements import signing, terms
    from portal.agreements.models import Agreement
    from portal.extensions import db
    from portal.mentors.models import MentorProfile
    from portal.relationships.models import Relationship

    profile = db.session.get(MentorProfile, profile_id)
    db.session.add(Relationship(scheme_id=profile.scheme_id, mentor=profile.user, mentee=mentee,
                                profile_id=profile.id))
    db.session.commit()
    agreement = db.session.scalar(sa.select(Agreement).where(
        Agreement.relationship.has(Relationship.mentee_id == mentee.id)))
    terms.update_terms(agreement.id, mentee, {**TERMS, "email": mentee.email},
                       ip_address="127.0.0.1")
    version = terms.send_for_signatures(agreement.id, mentee, ip_address="127.0.0.1")
    signing.sign(agreement.id, profile.user, version_number=version.number,
                 shown_sha256=version.sha256, typed_name=profile.user.full_name, confirmed=True,
                 ip_address="127.0.0.1", user_agent="portal-bench/1", via="bench")
    return {"agreement_reference": agreement.reference}
