"""Public pages about the schemes."""

from flask import Blueprint, render_template

from portal.auth import public
from portal.schemes.queries import get_scheme_or_404, list_schemes

bp = Blueprint("schemes", __name__)


@bp.route("/schemes")
@public("the schemes on offer are public information")
def index():
    """Anyone: the schemes on offer."""
    return render_template("schemes/index.html", schemes=list_schemes())


@bp.route("/schemes/<slug>")
@public("a scheme's description and eligibility are public information")
def show(slug: str):
    """Anyone: one scheme's description and who may take part."""
    return render_template("schemes/show.html", scheme=get_scheme_or_404(slug))
