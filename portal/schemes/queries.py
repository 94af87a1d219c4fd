"""Looking schemes up."""

import sqlalchemy as sa
from flask import abort

from portal.extensions import db
from portal.schemes.models import Scheme


def list_schemes() -> list[Scheme]:
    return list(db.session.scalars(sa.select(Scheme).order_by(Scheme.name)))


def get_scheme_or_404(slug: str) -> Scheme:
    scheme = db.session.scalar(sa.select(Scheme).where(Scheme.slug == slug))
    if scheme is None:
        abort(404)
    return scheme
