"""A signed agreement in a throwaway SQLite database, for timing its PDF.

Built the way the portal builds one: a relationship opens the agreement, the mentee fills in
the terms and sends it, and both sign, through the agreements area's own domain functions.
Anything that fails (that area is still changing) skips the figure with the reason.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.scenarios import Skip

TERMS = {
    "start_date": dt.date(2026, 3, 2), "duration_months": 12, "sessions": 6,
    "frequency": "Once every two months", "min_minutes": 45, "max_minutes": 90,
    "meeting_format": "either", "meeting_place": "Council offices in Hertford, or a video call",
    "contact_between": "By email, no more than once a fortnight", "notice_hours": 48,
    "arranges_meetings": "mentee", "sets_agenda": "mentee",
    "goals": ["Lead my first planning committee report", "Build a network outside my council"],
    "review_date": dt.date(2026, 6, 2), "email": "", "phone": "01632 960 001",
}


@contextlib.contextmanager
def signed_agreement() -> Iterator[tuple]:
    """Yields (render, agreement, version) inside the throwaway app's context."""
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as folder:
        try:
            from portal import create_app
            from portal.agreements import pdf
            from portal.extensions import db

            app = create_app({
                "PORTAL_ENV": "testing", "SECRET_KEY": "bench-pdf",
                "BASE_URL": "https://portal.bench.localhost",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'pdf.db'}",
                "MAIL_TRANSPORT": "local", "MAIL_DELIVERY": "worker", "REDIS_URL": None})
        except Exception as error:  # noqa: BLE001  (any failure of code in progress)
            raise Skip(f"the portal could not start: {type(error).__name__}: {error}") from None
        with app.app_context():
            try:
                agreement, version = _build()
            except Skip:
                raise
            except Exception as error:  # noqa: BLE001
                raise Skip(f"could not build a signed agreement: {type(error).__name__}: "
                           f"{error}") from None
            try:
                yield pdf.render, agreement, version
            finally:
                db.session.remove()
                db.engine.dispose()


def _build():
    import sqlalchemy as sa

    from portal.accounts.models import Membership, Role, User
    from portal.agreements import signing, terms
    from portal.agreements.models import Agreement
    from portal.db import utcnow
    from portal.extensions import db
    from portal.mentors.models import MentorProfile, ProfileState
    from portal.relationships.models import Relationship
    from portal.schemes.packs import PACK_DIR, load_pack, read_pack

    db.create_all()
    # The longest agreement the portal ships (GLA Group: seven sections, 28 clauses), as a
    # real scheme's PDF is; the benchmark's own schemes carry a three-clause stand-in.
    scheme, _ = load_pack(db.session, read_pack(PACK_DIR / "gla-group.toml"))
    now = utcnow()
    mentor = User(email="zoe.osuilleabhain@testborough.gov.uk", full_name="Zoë Ó Súilleabháin")
    mentee = User(email="lukasz.nowak@testborough.gov.uk", full_name="Łukasz Nowak")
    for user, role in ((mentor, Role.MENTOR), (mentee, Role.MENTEE)):
        user.memberships.append(Membership(scheme=scheme, role=role,
                                           eligibility_confirmed_at=now))
    profile = MentorProfile(user=mentor, scheme=scheme, display_name=mentor.full_name,
                            state=ProfileState.PUBLISHED, published_at=now)
    db.session.add_all([scheme, mentor, mentee, profile])
    db.session.flush()
    db.session.add(Relationship(scheme=scheme, mentor=mentor, mentee=mentee,
                                profile_id=profile.id))
    db.session.commit()
    agreement_id = db.session.scalar(sa.select(Agreement.id))
    terms.update_terms(agreement_id, mentee, {**TERMS, "email": mentee.email},
                       ip_address="127.0.0.1")
    version = terms.send_for_signatures(agreement_id, mentee, ip_address="127.0.0.1")
    number, sha256 = version.number, version.sha256
    for user in (mentor, mentee):
        signing.sign(agreement_id, user, version_number=number, shown_sha256=sha256,
                     typed_name=user.full_name, confirmed=True, ip_address="127.0.0.1",
                     user_agent="portal-bench/1", via="bench")
    agreement = db.session.get(Agreement, agreement_id)
    version = next(v for v in agreement.versions if v.number == number)
    if not version.signed_by_both:
        raise Skip("the sample agreement did not end up signed by both")
    return agreement, version
