"""The equality-monitoring page: a scheme's optional questions, for its mentors and mentees."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth import signed_in
from portal.equality import answering, queries
from portal.equality.forms import questions_form
from portal.forms import ConfirmForm

bp = Blueprint("equality", __name__)


@bp.route("/schemes/<slug>/equality", methods=["GET", "POST"])
@signed_in
def questions(slug: str):
    """Mentors and mentees of a scheme whose pack asks equality-monitoring questions (404 for
    anyone else): answer any of them, once; afterwards the page says it is done."""
    scheme = queries.member_scheme_or_404(slug, current_user)
    marker = queries.done_of(current_user.id, scheme.id)
    if marker is not None:
        if request.method == "POST":
            answering.refuse_if_done(marker)
        return render_template("equality/done.html", scheme=scheme, marker=marker)
    form = questions_form(scheme.equality_questions)
    if request.method == "POST" and set(request.form) - {field.name for field in form}:
        abort(400, description="The form sent answers to questions this scheme does not ask.")
    if form.validate_on_submit():
        answering.send(scheme.id, current_user, form.answers())
        flash("Your answers have been counted. Thank you.", "success")
        return redirect(url_for("equality.questions", slug=scheme.slug), 303)
    return render_template("equality/questions.html", scheme=scheme, form=form,
                           decline=ConfirmForm()), 400 if form.errors else 200


@bp.route("/schemes/<slug>/equality/no-thanks", methods=["POST"])
@signed_in
def decline(slug: str):
    """Mentors and mentees of the scheme (404 for anyone else): say "No thanks" to its
    equality-monitoring questions, so they are not asked again; nothing is counted."""
    scheme = queries.member_scheme_or_404(slug, current_user)
    if not ConfirmForm().validate_on_submit():
        return render_template("errors/csrf.html"), 400
    answering.decline(scheme.id, current_user)
    flash("You will not be asked these questions again.", "success")
    return redirect(url_for("equality.questions", slug=scheme.slug), 303)
