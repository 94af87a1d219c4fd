"""Dead letters page: a scheme administrator sees the emails of their schemes that could not be
delivered, with the reason, and can send them again."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal import dashboard
from portal.accounts.models import Role
from portal.auth import client_ip, role_required
from portal.extensions import db
from portal.mail import dead_letters
from portal.mail.models import OutboxMessage

bp = Blueprint("dead_letters", __name__, url_prefix="/admin/emails-not-delivered")


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    schemes = {m.scheme_id: m.scheme for m in current_user.memberships if m.role == Role.ADMIN}
    messages = dead_letters.for_schemes(list(schemes))
    return render_template("mail/dead_letters.html", messages=messages, schemes=schemes,
                           describe=dead_letters.describe)


@bp.route("/<int:message_id>/send-again", methods=["POST"])
@role_required(Role.ADMIN)
def send_again(message_id: int):
    if not dead_letters.visible_to(db.session.get(OutboxMessage, message_id), current_user):
        abort(404)  # another scheme's email: do not say that it exists
    message = dead_letters.resend(message_id, actor=current_user, ip_address=client_ip())
    flash(f"The email to {message.to_address} will be sent again.", "success")
    return redirect(url_for("dead_letters.index"), 303)


@dashboard.panel(90)
def _panel(user):
    """Administrators see at once when some of their schemes' emails could not be delivered."""
    count = dead_letters.count_for(user)
    if not count:
        return None
    return "mail/_dashboard_panel.html", {"count": count}
