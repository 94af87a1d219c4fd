"""Looking schemes up."""

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from portal.extensions import db
from portal.schemes.models import Scheme


def list_schemes() -> list[Scheme]:
    return list(db.session.scalars(sa.select(Scheme).order_by(Scheme.name)))


def get_scheme_or_404(slug: str) -> Scheme:
    scheme = db.session.scalar(sa.select(Scheme).where(Scheme.slug == slug))
    if scheme is None:
        abort(404)
    return scheme


def home_scheme() -> Scheme | None:
    """The scheme whose brand a page that is about no scheme wears: the signed-in person's,
    when they take part in exactly one (people in several see the portal's own)."""
    if not current_user.is_authenticated:
        return None
    schemes = {membership.scheme for membership in current_user.memberships}
    return schemes.pop() if len(schemes) == 1 else None
