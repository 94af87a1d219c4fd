"""Home, dashboard, help and the service's own information pages."""

from flask import Blueprint, render_template
from flask_login import current_user

from portal.auth import public, signed_in
from portal.dashboard import panels_for
from portal.schemes.queries import list_schemes

bp = Blueprint("main", __name__)


@bp.route("/")
@public("the start page")
def home():
    """Anyone: the start page, with the schemes on offer."""
    return render_template("main/home.html", schemes=list_schemes())


@bp.route("/dashboard")
@signed_in
def dashboard():
    """Signed-in people: their dashboard, with what they need to do in each role."""
    return render_template("main/dashboard.html", panels=panels_for(current_user))


@bp.route("/accessibility")
@public("the accessibility statement must be public")
def accessibility():
    """Anyone: the accessibility statement."""
    return render_template("main/accessibility.html")


@bp.route("/privacy")
@public("the privacy notice must be public")
def privacy():
    """Anyone: the privacy notice, with a link to each scheme's own."""
    return render_template("main/privacy.html", schemes=list_schemes())


@bp.route("/help", endpoint="help")
@public("help must reach people before they can sign in")
def help_index():
    """Anyone: who the portal is for, the guide for each role, and each scheme's mailbox."""
    return render_template("main/help/index.html", schemes=list_schemes())


@bp.route("/help/mentees")
@public("help must reach people before they can sign in")
def help_mentees():
    """Anyone: how a mentee finds a mentor, asks for a chemistry call and signs an agreement."""
    return render_template("main/help/mentees.html")


@bp.route("/help/mentors")
@public("help must reach people before they can sign in")
def help_mentors():
    """Anyone: how a mentor publishes a profile, answers requests and signs an agreement."""
    return render_template("main/help/mentors.html")


@bp.route("/help/administrators")
@public("help must reach people before they can sign in")
def help_administrators():
    """Anyone: what a scheme administrator receives, confirms and can see in the portal."""
    return render_template("main/help/administrators.html")
