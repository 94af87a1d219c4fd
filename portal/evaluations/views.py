"""Evaluation pages: a person's own evaluation form (answers kept as a draft while they type,
sent once), and the scheme's evaluations for its administrators."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import drafts
from portal.accounts.models import Role
from portal.admin import queries as admin_queries
from portal.auth import client_ip, role_required, signed_in
from portal.evaluations import answering, queries
from portal.evaluations.forms import answer_form
from portal.evaluations.models import EvaluationState

bp = Blueprint("evaluations", __name__)


@bp.route("/evaluations/<int:evaluation_id>", methods=["GET", "POST"])
@signed_in
def answer(evaluation_id: int):
    """The evaluation's own person (404 for anyone else): answer its questions, once, while
    it is open; afterwards the page says when they were sent, or when it closed."""
    evaluation = queries.own_or_404(evaluation_id, current_user)
    other_name = queries.other_name(evaluation)
    if evaluation.state == EvaluationState.SUBMITTED or evaluation.is_closed():
        if request.method == "POST":
            answering.refuse_if_done(evaluation)
        return render_template("evaluations/done.html", evaluation=evaluation,
                               other_name=other_name)
    key = answering.draft_key(evaluation.id)
    draft = drafts.newer_than(current_user.id, key, None) if request.method == "GET" else None
    form = answer_form(evaluation.questions,
                       **({"formdata": drafts.formdata(draft)} if draft else {}))
    if form.validate_on_submit():
        answering.submit(evaluation.id, current_user, form.answers(), ip=client_ip())
        flash("Your answers have been sent. Thank you.", "success")
        return redirect(url_for("evaluations.answer", evaluation_id=evaluation.id), 303)
    return render_template("evaluations/answer.html", evaluation=evaluation, form=form,
                           draft=draft, other_name=other_name), 400 if form.errors else 200


@bp.route("/evaluations/<int:evaluation_id>/draft", methods=["POST"])
@signed_in
def draft(evaluation_id: int):
    """The evaluation's own person: keep what the form holds as a draft (htmx, as they type),
    so nothing is lost if their session ends before they send it."""
    evaluation = queries.own_or_404(evaluation_id, current_user)
    answering.refuse_if_done(evaluation)
    return drafts.keep(answer_form(evaluation.questions), answering.draft_key(evaluation.id),
                       current_user.id, request.form)


@bp.route("/admin/schemes/<slug>/evaluations")
@role_required(Role.ADMIN)
def scheme_results(slug: str):
    """Administrators of the scheme: how many evaluations were sent and answered, and the
    answers, without names where the pack promises anonymity."""
    scheme = admin_queries.scheme_or_404(slug, current_user)
    return render_template("evaluations/results.html", scheme=scheme,
                           groups=queries.results(scheme.id),
                           threshold=queries.ANONYMOUS_THRESHOLD)
