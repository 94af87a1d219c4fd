"""Agreement pages: the terms, check your answers, signing, submission, and the verify page.

Emailed links (sign, submit, acknowledge) work without signing in: the token says who it is for.
Their GET only shows what will happen; the POST acts.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import tokens
from portal.accounts.forms import ConfirmForm
from portal.agreements import (
    canonical,
    panels,  # noqa: F401  (registers the dashboard panel)
    pdf,
    queries,
    signing,
    submission,
    terms,
    verification,
)
from portal.agreements.forms import SignForm, TermsForm, VerifyForm
from portal.agreements.models import SIGNABLE, Agreement, AgreementState, AgreementVersion
from portal.agreements.progress import next_step
from portal.auth import client_ip, public, signed_in
from portal.errors import DomainError
from portal.extensions import db

bp = Blueprint("agreements", __name__)


def _viewer():
    return current_user if current_user.is_authenticated else None


def _user_agent() -> str:
    return request.headers.get("User-Agent", "")


@bp.route("/agreements/<reference>")
@signed_in
def show(reference: str):
    agreement = queries.for_party_or_404(reference, current_user)
    party = agreement.party(current_user.id)
    version = agreement.current_version
    snapshot = version.snapshot if version else canonical.snapshot_of(agreement)
    return render_template("agreements/show.html", agreement=agreement, party=party,
                           version=version, blocks=canonical.blocks(snapshot),
                           step=next_step(agreement, current_user.id), form=ConfirmForm(),
                           missing=terms.missing_terms(agreement),
                           voided=[v for v in agreement.versions if v.voided_at])


@bp.route("/agreements/<reference>/terms", methods=["GET", "POST"])
@signed_in
def edit_terms(reference: str):
    agreement = queries.for_party_or_404(reference, current_user)
    party = agreement.party(current_user.id)
    if not agreement.is_editable:
        raise DomainError("This agreement has been submitted, so its terms can no longer change.")
    form = TermsForm()
    if request.method == "GET":
        form.fill_from(agreement, party)
        if form.review_date.data is None:
            form.review_date.data = terms.default_review_date(agreement, form.start_date.data)
    if form.validate_on_submit():
        was_sent = agreement.state != AgreementState.DRAFT
        changed = terms.update_terms(agreement.id, current_user, form.values(),
                                     ip_address=client_ip())
        if changed and was_sent:
            flash("The terms have changed, so the version sent for signatures was cancelled, "
                  "with any signatures on it. We have told you both by email.", "info")
        return redirect(url_for("agreements.check", reference=reference), 303)
    signed = agreement.current_version.signatures if agreement.current_version else []
    return render_template("agreements/terms.html", agreement=agreement, party=party, form=form,
                           signed=signed), 400 if form.errors else 200


@bp.route("/agreements/<reference>/check")
@signed_in
def check(reference: str):
    agreement = queries.for_party_or_404(reference, current_user)
    return render_template("agreements/check.html", agreement=agreement,
                           party=agreement.party(current_user.id),
                           blocks=canonical.blocks(canonical.snapshot_of(agreement)),
                           missing=terms.missing_terms(agreement), form=ConfirmForm())


@bp.route("/agreements/<reference>/send", methods=["POST"])
@signed_in
def send(reference: str):
    agreement = queries.for_party_or_404(reference, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    terms.send_for_signatures(agreement.id, current_user, ip_address=client_ip())
    flash("The agreement has been sent for signatures. We have emailed you both a link to "
          "sign it.", "success")
    return redirect(url_for("agreements.show", reference=reference), 303)


def _sign_page(agreement: Agreement, version: AgreementVersion, signer, form: SignForm,
               action: str, status: int = 200) -> tuple[str, int]:
    party = agreement.party(signer.id)
    if request.method == "GET":
        form.version.data = str(version.number)
        form.sha256.data = version.sha256
    return render_template(
        "agreements/sign.html", agreement=agreement, version=version, signer=signer,
        party=party, form=form, action=action, blocks=canonical.blocks(version.snapshot),
        already=version.signature_of(party),
    ), status


@bp.route("/agreements/<reference>/sign", methods=["GET", "POST"])
@signed_in
def sign(reference: str):
    agreement = queries.for_party_or_404(reference, current_user)
    version = agreement.current_version
    if version is None or (agreement.state not in SIGNABLE and
                           version.signature_of(agreement.party(current_user.id)) is None):
        raise DomainError("This agreement is not waiting for signatures.",
                          next_step=None if agreement.state != AgreementState.DRAFT else
                          "Check the terms and send it for signatures first.")
    form = SignForm(signer=current_user)
    action = url_for("agreements.sign", reference=reference)
    if request.method == "POST":
        return _sign_post(agreement, version, current_user, form, "portal", action,
                          url_for("agreements.show", reference=reference))
    return _sign_page(agreement, version, current_user, form, action)


@bp.route("/agreements/sign/<token>", methods=["GET", "POST"])
@public("emailed signing link, authorised by its token")
def sign_link(token: str):
    link = signing.check_link(token, _viewer())
    form = SignForm(signer=link.user)
    action = url_for("agreements.sign_link", token=token)
    if request.method == "POST":
        return _sign_post(link.agreement, link.version, link.user, form, "email link", action,
                          url_for("agreements.signed", token=token))
    if link.agreement.state not in SIGNABLE and link.version.signature_of(link.party) is None:
        raise DomainError("This agreement is not waiting for signatures.")
    return _sign_page(link.agreement, link.version, link.user, form, action)


def _sign_post(agreement, version, signer, form, via, action, done_url):
    party = agreement.party(signer.id)
    if version.signature_of(party) is not None:
        # Signing twice is harmless: say so, change nothing.
        if not ConfirmForm().validate_on_submit():
            abort(400)
        return redirect(done_url, 303)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            return render_template("errors/csrf.html"), 400
        return _sign_page(agreement, version, signer, form, action, status=400)
    try:
        number = int(form.version.data)
    except (TypeError, ValueError):
        abort(400)
    signing.sign(agreement.id, signer, version_number=number, shown_sha256=form.sha256.data or "",
                 typed_name=form.full_name.data, confirmed=bool(form.confirm.data),
                 ip_address=client_ip(), user_agent=_user_agent(), via=via)
    return redirect(done_url, 303)


@bp.route("/agreements/sign/<token>/done")
@public("confirmation after signing from an emailed link, authorised by its token")
def signed(token: str):
    link = signing.check_link(token, _viewer())
    signature = link.version.signature_of(link.party)
    if signature is None:
        return redirect(url_for("agreements.sign_link", token=token), 303)
    return render_template("agreements/signed.html", agreement=link.agreement,
                           version=link.version, signature=signature, party=link.party)


@bp.route("/agreements/<reference>/pdf")
@signed_in
def download(reference: str):
    agreement = queries.for_party_or_404(reference, current_user)
    return pdf_response(agreement)


def pdf_response(agreement: Agreement) -> Response:
    """The PDF of the version both signed (the administrator pages use it too)."""
    version = agreement.signed_version
    if version is None:
        abort(404)
    response = Response(pdf.render(agreement, version), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{pdf.filename(agreement, version)}"')
    return response


@bp.route("/agreements/<reference>/submit", methods=["POST"])
@signed_in
def submit(reference: str):
    agreement = queries.for_party_or_404(reference, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    submission.submit(agreement.id, current_user, ip_address=client_ip(), via="portal")
    return redirect(url_for("agreements.submitted", reference=reference), 303)


@bp.route("/agreements/<reference>/submitted")
@signed_in
def submitted(reference: str):
    agreement = queries.for_party_or_404(reference, current_user)
    if agreement.submitted_at is None:
        return redirect(url_for("agreements.show", reference=reference), 303)
    return render_template("agreements/submitted.html", agreement=agreement)


@bp.route("/agreements/submit/<token>", methods=["GET", "POST"])
@public("emailed link for the mentee to submit the agreement, authorised by its token")
def submit_link(token: str):
    link = submission.check_submit_link(token, _viewer())
    agreement = link.agreement
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("errors/csrf.html"), 400
        submission.submit(agreement.id, link.user, ip_address=client_ip(), via="email link",
                          version_number=link.version)
        return redirect(url_for("agreements.submit_done", token=token), 303)
    if agreement.state in (AgreementState.SUBMITTED, AgreementState.ACKNOWLEDGED):
        return render_template("agreements/submitted.html", agreement=agreement)
    if agreement.state != AgreementState.SIGNED_BY_BOTH:
        raise submission._not_yet_signed(agreement)
    return render_template("agreements/submit.html", agreement=agreement, form=form,
                           version=agreement.signed_version,
                           action=url_for("agreements.submit_link", token=token))


@bp.route("/agreements/submit/<token>/done")
@public("confirmation after submitting from an emailed link, authorised by its token")
def submit_done(token: str):
    link = submission.check_submit_link(token, _viewer())
    if link.agreement.submitted_at is None:
        return redirect(url_for("agreements.submit_link", token=token), 303)
    return render_template("agreements/submitted.html", agreement=link.agreement)


@bp.route("/agreements/acknowledge/<token>", methods=["GET", "POST"])
@public("emailed link for the scheme administrator, authorised by its token")
def acknowledge_link(token: str):
    link = submission.check_acknowledge_link(token, _viewer())
    agreement = link.agreement
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("errors/csrf.html"), 400
        submission.acknowledge(agreement.id, _viewer(), ip_address=client_ip(),
                               link=link.payload)
        return redirect(url_for("agreements.acknowledged", token=token), 303)
    if agreement.state != AgreementState.SUBMITTED:
        raise DomainError("This agreement has not been submitted yet.")
    return render_template("agreements/acknowledge.html", agreement=agreement,
                           version=link.version, form=form,
                           action=url_for("agreements.acknowledge_link", token=token))


@bp.route("/agreements/acknowledge/<token>/done")
@public("confirmation after acknowledging from an emailed link, authorised by its token")
def acknowledged(token: str):
    payload = tokens.load("acknowledge-agreement", token, what="link")
    agreement = db.session.get(Agreement, payload["a"])
    if agreement is None or agreement.state != AgreementState.ACKNOWLEDGED:
        return redirect(url_for("agreements.acknowledge_link", token=token), 303)
    return render_template("agreements/acknowledged.html", agreement=agreement)


@bp.route("/verify")
@public("anyone holding a signed agreement may check it")
def verify():
    form = VerifyForm(request.args)
    result = None
    if request.args and form.validate():
        result = verification.check(form.reference.data, form.sha256.data)
    return render_template("agreements/verify.html", form=form, result=result,
                           page_has_errors=bool(form.errors)), 400 if form.errors else 200
