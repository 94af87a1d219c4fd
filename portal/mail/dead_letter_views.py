"""Dead letters page: a scheme administrator sees the emails of their schemes that could not be
delivered, with the reason, and can send them again."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.accounts.models import Role
from portal.auth import client_ip, role_required
from portal.mail import dead_letters, queries

bp = Blueprint("dead_letters", __name__, url_prefix="/admin/emails-not-delivered")


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    """Administrators: their schemes' emails that could not be delivered, and why."""
    schemes = {scheme.id: scheme for scheme in current_user.schemes(Role.ADMIN)}
    messages = queries.dead_letters(list(schemes))
    return render_template("mail/dead_letters.html", messages=messages, schemes=schemes,
                           describe=dead_letters.describe)


@bp.route("/<int:message_id>/send-again", methods=["POST"])
@role_required(Role.ADMIN)
def send_again(message_id: int):
    """Administrators: put one of their schemes' undelivered emails back in the queue."""
    queries.visible_or_404(message_id, current_user)
    message = dead_letters.resend(message_id, actor=current_user, ip_address=client_ip())
    flash(f"The email to {message.to_address} will be sent again.", "success")
    return redirect(url_for("dead_letters.index"), 303)

