"""Evaluation pages: a person's own evaluation form (answers kept as a draft while they type,
sent once), and the scheme's evaluations for its administrators."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import drafts, links, tokens
from portal.accounts.models import Role
from portal.admin import queries as admin_queries
from portal.auth import client_ip, public, role_required, signed_in, viewer
from portal.evaluations import answering, queries, record, signing
from portal.evaluations import links as evaluation_links
from portal.evaluations.forms import SignEvaluationForm, answer_form
from portal.evaluations.models import EvaluationSignoff, EvaluationState
from portal.forms import ConfirmForm
from portal.templating import format_date

bp = Blueprint("evaluations", __name__)


@bp.route("/evaluations/<int:evaluation_id>", methods=["GET", "POST"])
@signed_in
def answer(evaluation_id: int):
    """The evaluation's own person (404 for anyone else): answer its questions, once, while
    it is open; afterwards the page says when they were sent, or when it closed."""
    evaluation = queries.own_or_404(evaluation_id, current_user)
    other_name = queries.other_name(evaluation)
    together = signing.signs_together(evaluation)
    if evaluation.state == EvaluationState.SUBMITTED or evaluation.is_closed():
        if request.method == "POST":
            answering.refuse_if_done(evaluation)
        signoff = queries.latest_signoff(evaluation.relationship_id) if together else None
        return render_template("evaluations/done.html", evaluation=evaluation,
                               other_name=other_name, together=together, signoff=signoff,
                               party=evaluation.party, form=ConfirmForm())
    key = answering.draft_key(evaluation.id)
    draft = drafts.newer_than(current_user.id, key, None) if request.method == "GET" else None
    if draft:
        form = answer_form(evaluation.questions, formdata=drafts.formdata(draft))
    else:  # answers taken back to change them start from what was sent
        form = answer_form(evaluation.questions, data={
            f"answer_{n}": given for n, given in enumerate(evaluation.answers or [], 1)})
    if form.validate_on_submit():
        answering.submit(evaluation.id, current_user, form.answers(), ip=client_ip())
        flash("Your answers have been sent. Thank you.", "success")
        return redirect(url_for("evaluations.answer", evaluation_id=evaluation.id), 303)
    return render_template("evaluations/answer.html", evaluation=evaluation, form=form,
                           draft=draft, other_name=other_name,
                           together=together), 400 if form.errors else 200


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
                           threshold=queries.ANONYMOUS_THRESHOLD,
                           signed=queries.signed_signoffs(scheme.id))


# --- the evaluation both people sign (packs with signed_together) ----------------------------

def _sign_page(signoff: EvaluationSignoff, signer, party: str, form: SignEvaluationForm,
               action: str, status: int = 200):
    if request.method == "GET":
        form.sha256.data = signoff.sha256
    already = signoff.signature_of(party)
    return render_template("evaluations/sign.html", signoff=signoff, signer=signer,
                           party=party, form=form, action=action, already=already,
                           blocks=record.blocks(signoff.snapshot)), status


def _sign_post(signoff: EvaluationSignoff, signer, form: SignEvaluationForm, via: str,
               action: str, party: str):
    """Sign, or show the form again with its errors (signing twice changes nothing)."""
    if signoff.signature_of(party) is None and not form.validate_on_submit():
        if form.csrf_token.errors:
            return render_template("errors/csrf.html"), 400
        return _sign_page(signoff, signer, party, form, action, status=400)
    if signoff.signature_of(party) is not None and not ConfirmForm().validate_on_submit():
        abort(400)
    signed, _ = signing.sign(signoff.id, signer, shown_sha256=form.sha256.data or "",
                             typed_name=form.full_name.data or "",
                             confirmed=bool(form.confirm.data), ip_address=client_ip(),
                             user_agent=request.headers.get("User-Agent", ""), via=via)
    return signed


@bp.route("/evaluations/<int:evaluation_id>/sign", methods=["GET", "POST"])
@signed_in
def sign(evaluation_id: int):
    """The evaluation's own person, where both sign it together: read the whole form, both
    people's answers, and sign the version waiting for signatures."""
    evaluation = queries.own_or_404(evaluation_id, current_user)
    signoff = queries.latest_signoff(evaluation.relationship_id)
    if not signing.signs_together(evaluation) or signoff is None:
        abort(404)
    evaluation_links.refuse_voided(signoff)
    form = SignEvaluationForm(signer=current_user)
    action = url_for("evaluations.sign", evaluation_id=evaluation.id)
    if request.method == "POST":
        result = _sign_post(signoff, current_user, form, "portal", action, evaluation.party)
        if not isinstance(result, EvaluationSignoff):
            return result
        flash("You have signed the evaluation." if not result.signed_by_both else
              "You have both signed the evaluation. We have emailed you both the PDF.",
              "success")
        return redirect(url_for("evaluations.answer", evaluation_id=evaluation.id), 303)
    return _sign_page(signoff, current_user, evaluation.party, form, action)


@bp.route("/evaluations/sign/<token>", methods=["GET", "POST"])
@public("emailed link to sign an evaluation, authorised by its token")
def sign_link(token: str):
    """Anyone with the emailed signing link (its token): the person it was sent to reads the
    whole form and signs it."""
    link = evaluation_links.check_sign_link(token, viewer())
    form = SignEvaluationForm(signer=link.user)
    action = url_for("evaluations.sign_link", token=token)
    if request.method == "POST":
        result = _sign_post(link.signoff, link.user, form, "email link", action, link.party)
        if not isinstance(result, EvaluationSignoff):
            return result
        next_step = ("You have both signed. We have emailed you both the signed form as a PDF, "
                     "and sent it to the scheme's administrators." if result.signed_by_both
                     else "We will email you both the signed form when the other person has "
                          "signed it too.")
        return links.done("You have signed the evaluation", f"Reference {result.reference}.",
                          next_step)
    if link.signature is not None:
        raise tokens.LinkError(f"This link has already been used: the evaluation was signed on "
                               f"{format_date(link.signature.signed_at)}.", next_step="used")
    return _sign_page(link.signoff, link.user, link.party, form, action)


@bp.route("/evaluations/<int:evaluation_id>/change", methods=["POST"])
@signed_in
def change(evaluation_id: int):
    """The evaluation's own person, where both sign it together and before both have signed:
    take their sent answers back to change them (the version waiting for signatures is
    cancelled and the other person told)."""
    queries.own_or_404(evaluation_id, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    signing.change_answers(evaluation_id, current_user, ip_address=client_ip())
    flash("Change your answers and send them again. You will both be asked to sign the new "
          "version.", "success")
    return redirect(url_for("evaluations.answer", evaluation_id=evaluation_id), 303)


@bp.route("/evaluations/signed/<signed_reference>/pdf")
@signed_in
def signed_pdf(signed_reference: str):
    """The mentor or mentee, or an administrator of the scheme: the evaluation both signed, as
    a PDF with its audit page."""
    signoff = queries.signed_signoff_or_404(signed_reference, current_user)
    response = Response(signing.attachment(signoff).data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{signing.filename(signoff)}"')
    return response
