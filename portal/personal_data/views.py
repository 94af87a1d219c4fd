"""Your data: ask for a download of everything the portal holds about you, and download it
when the worker has built it; delete your account; and an administrator carrying out a
person's erasure request from the desk."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, session, url_for
from flask_login import current_user, logout_user

from portal import links
from portal.accounts.models import Role
from portal.admin import queries as admin_queries
from portal.auth import client_ip, role_required, signed_in
from portal.forms import ConfirmForm
from portal.personal_data import building, erasure, queries, requesting
from portal.personal_data.forms import DeleteAccountForm, EraseForm

bp = Blueprint("personal_data", __name__)


@bp.route("/account/data", methods=["GET", "POST"])
@signed_in
def data():
    """Signed-in people: their downloads (waiting, ready until when, expired); POST asks for a
    new one, built by the worker, and emailed about when ready."""
    form = ConfirmForm()
    if form.validate_on_submit():
        requesting.ask(current_user, ip_address=client_ip())
        flash("We are preparing your data. We will email you when it is ready to download, "
              "usually within a few minutes.", "success")
        return redirect(url_for("personal_data.data"), 303)
    return render_template("personal_data/data.html", form=form,
                           exports=queries.exports_of(current_user.id),
                           keep_days=building.KEEP_DAYS)


@bp.route("/account/data/<int:export_id>/download")
@signed_in
def download(export_id: int):
    """The download's own person (404 for anyone else): the ZIP, while it is kept."""
    export = queries.own_or_404(export_id, current_user)
    if not export.is_downloadable():
        abort(404)
    response = Response(export.archive, mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="mentoring-portal-your-data-{export.ready_at:%Y-%m-%d}.zip"')
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@signed_in
def delete_account():
    """Signed-in people: delete their own account (GET says what goes and what stays, and asks
    them to confirm)."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        erasure.erase(current_user.id, current_user, ip_address=client_ip())
        logout_user()
        session.clear()
        return links.done("Your account has been deleted",
                          "Your name, email address and what you wrote have been removed. "
                          "Signed agreements keep the name you signed with until your scheme's "
                          "retention period ends.",
                          "Thank you for taking part.")
    return render_template("personal_data/delete.html", form=form), 400 if form.errors else 200


@bp.route("/admin/schemes/<slug>/people/<int:user_id>/erase", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def erase(slug: str, user_id: int):
    """Administrators of the scheme: carry out a person's erasure request, by the same rules as
    deleting one's own account (only for someone whose every scheme they administer)."""
    scheme = admin_queries.scheme_or_404(slug, current_user)
    person, _ = admin_queries.member_or_404(scheme, user_id)
    form = EraseForm()
    if form.validate_on_submit():
        name = person.full_name
        erasure.erase(person.id, current_user, ip_address=client_ip(),
                      reason=form.reason.data or "")
        flash(f"{name}'s account has been deleted.", "success")
        return redirect(url_for("admin.people", slug=slug), 303)
    return render_template("personal_data/erase.html", form=form, scheme=scheme,
                           person=person), 400 if form.errors else 200
