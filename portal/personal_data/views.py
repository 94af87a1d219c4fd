"""Your data: ask for a download of everything the portal holds about you, and download it
when the worker has built it."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.auth import client_ip, signed_in
from portal.forms import ConfirmForm
from portal.personal_data import building, queries, requesting

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
