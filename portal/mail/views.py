"""The local mail viewer: registered only in the development configuration, and even then
shown only to a browser on the same machine (its emails carry working sign-in links)."""

from flask import Blueprint, abort, render_template

from portal.auth import from_this_machine, public
from portal.mail import queries

bp = Blueprint("devmail", __name__, url_prefix="/dev/mail")


@bp.before_request
def _only_from_this_machine():
    """404 for any other client, as if the mailbox were not there."""
    if not from_this_machine():
        abort(404)


@bp.route("/")
@public("development only: the local mailbox of the embedded default")
def index():
    """Development, this machine only: every email the portal has sent, newest first."""
    messages = queries.latest()
    return render_template("devmail/index.html", messages=messages)


@bp.route("/<int:message_id>")
@public("development only: one message in the local mailbox")
def show(message_id: int):
    """Development, this machine only: one email as it was sent."""
    message = queries.message_or_404(message_id)
    return render_template("devmail/show.html", message=message)
