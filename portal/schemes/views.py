"""Public pages about the schemes, and each scheme's brand (its colour and logo)."""

import base64

from flask import Blueprint, abort, current_app, render_template, request

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


@bp.route("/schemes/<slug>/privacy")
@public("a privacy notice is for everyone, before they register")
def privacy(slug: str):
    """Anyone: the scheme's privacy notice: who is responsible for people's data, on what
    basis, who sees what, how long it is kept, people's rights and whom to contact."""
    scheme = get_scheme_or_404(slug)
    return render_template("schemes/privacy.html", scheme=scheme,
                           notice=scheme.privacy_notice,
                           ip_months=current_app.config["IP_RETENTION_MONTHS"])


@bp.route("/schemes/<slug>/brand.css")
@public("a scheme's colours are on every page about it")
def brand_css(slug: str):
    """Anyone: the scheme's brand colour as GOV.UK Frontend's custom property."""
    scheme = get_scheme_or_404(slug)
    colour = scheme.brand.get("colour")
    body = f":root {{ --govuk-brand-colour: {colour}; }}\n" if colour else ""
    return _cached(body, "text/css; charset=utf-8")


@bp.route("/schemes/<slug>/logo")
@public("a scheme's logo is on every page about it")
def logo(slug: str):
    """Anyone: the scheme's logo image, if its pack has one."""
    brand = get_scheme_or_404(slug).brand
    if not brand.get("logo_data"):
        abort(404)
    response = _cached(base64.b64decode(brand["logo_data"]), brand["logo_type"])
    # An SVG opened on its own is a document: nothing in it may run or load.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _cached(body, mimetype: str):
    """A response browsers may keep for a day and then check by its ETag."""
    response = current_app.response_class(body, mimetype=mimetype)
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response.make_conditional(request)
