"""Agreement pages: the terms, check your answers, signing, submission, and the verify page.

Emailed links (sign, submit, acknowledge) work without signing in: the token says who it is for.
Their GET only shows what will happen; the POST acts, then goes to the token-free outcome page
(portal.links). A spent link tells only what happened.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import drafts, links, tokens
from portal.accounts.models import Role
from portal.agreements import (
    canonical,
    pdf,
    queries,
    signing,
    submission,
    terms,
    verification,
)
from portal.agreements import links as agreement_links
from portal.agreements.forms import SignForm, TermsForm, VerifyForm
from portal.agreements.models import Agreement, AgreementSignature, AgreementState, AgreementVersion
from portal.agreements.progress import next_step
from portal.auth import client_ip, public, signed_in, viewer
from portal.errors import DomainError
from portal.forms import ConfirmForm
from portal.templating import format_date

bp = Blueprint("agreements", __name__)


def _user_agent() -> str:
    return request.headers.get("User-Agent", "")


@bp.route("/agreements/<reference>")
@signed_in
def show(reference: str):
    """The agreement's mentor or mentee: the agreement, its current version and their next step."""
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
    """The agreement's mentor or mentee: change its terms, until it is submitted."""
    agreement = queries.for_party_or_404(reference, current_user)
    party = agreement.party(current_user.id)
    if not agreement.is_editable:
        raise DomainError("This agreement has been submitted, so its terms can no longer change.")
    draft = (drafts.newer_than(current_user.id, drafts.terms_key(agreement.id),
                               agreement.terms_saved_at) if request.method == "GET" else None)
    form = TermsForm(**({"formdata": drafts.formdata(draft)} if draft else {}))
    if request.method == "GET" and draft is None:
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
                           signed=signed, draft=draft), 400 if form.errors else 200


@bp.route("/agreements/<reference>/terms/draft", methods=["POST"])
@signed_in
def terms_draft(reference: str):
    """The agreement's mentor or mentee: keep what the terms form holds as a draft (htmx, as
    they type), so nothing is lost if their session ends before they save."""
    agreement = queries.for_party_or_404(reference, current_user)
    if not agreement.is_editable:
        raise DomainError("This agreement has been submitted, so its terms can no longer change.")
    return drafts.keep(TermsForm(), drafts.terms_key(agreement.id), current_user.id,
                       request.form)


@bp.route("/agreements/<reference>/check")
@signed_in
def check(reference: str):
    """The agreement's mentor or mentee: check its terms, and what is missing, before sending."""
    agreement = queries.for_party_or_404(reference, current_user)
    return render_template("agreements/check.html", agreement=agreement,
                           party=agreement.party(current_user.id),
                           blocks=canonical.blocks(canonical.snapshot_of(agreement)),
                           missing=terms.missing_terms(agreement), form=ConfirmForm())


@bp.route("/agreements/<reference>/send", methods=["POST"])
@signed_in
def send(reference: str):
    """The agreement's mentor or mentee: send it for signatures; we email them both a link."""
    agreement = queries.for_party_or_404(reference, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    terms.send_for_signatures(agreement.id, current_user, ip_address=client_ip())
    flash("The agreement has been sent for signatures. We have emailed you both a link to "
          "sign it.", "success")
    return redirect(url_for("agreements.show", reference=reference), 303)


def _sign_page(agreement: Agreement, version: AgreementVersion, signer,
               already: AgreementSignature | None, form: SignForm, action: str,
               status: int = 200) -> tuple[str, int]:
    if request.method == "GET":
        # The portal's page posts back the version it showed. A link's page carries the same
        # fields (the page is unchanged), but its POST signs the version its token is bound to.
        form.version.data = str(version.number)
        form.sha256.data = version.sha256
    return render_template(
        "agreements/sign.html", agreement=agreement, version=version, signer=signer,
        party=agreement.party(signer.id), form=form, action=action,
        blocks=canonical.blocks(version.snapshot), already=already,
    ), status


@bp.route("/agreements/<reference>/sign", methods=["GET", "POST"])
@signed_in
def sign(reference: str):
    """The agreement's mentor or mentee: sign its current version in the portal."""
    agreement = queries.for_party_or_404(reference, current_user)
    version = agreement.current_version
    already = agreement.signature_or_refuse(version, agreement.party(current_user.id))
    form = SignForm(signer=current_user)
    action = url_for("agreements.sign", reference=reference)
    if request.method == "POST":
        return _sign_post(agreement, version, current_user, already, form, "portal", action,
                          lambda: redirect(url_for("agreements.show", reference=reference), 303))
    return _sign_page(agreement, version, current_user, already, form, action)


@bp.route("/agreements/sign/<token>", methods=["GET", "POST"])
@public("emailed signing link, authorised by its token")
def sign_link(token: str):
    """Anyone with the emailed signing link (its token): the person it was sent to signs."""
    link = agreement_links.check_sign_link(token, viewer())
    form = SignForm(signer=link.user)
    action = url_for("agreements.sign_link", token=token)
    if request.method == "POST":
        return _sign_post(link.agreement, link.version, link.user, link.signature, form,
                          "email link", action, lambda: _signed_from_link(link),
                          number=link.version.number)
    if link.signature is not None:
        return _spent(link.agreement, f"This link has already been used: the agreement was "
                                      f"signed on {format_date(link.signature.signed_at)}.")
    return _sign_page(link.agreement, link.version, link.user, None, form, action)


def _sign_post(agreement, version, signer, already, form, via, action, answer, number=None):
    """Sign, then ``answer()``: the redirect after signing (signing twice only redirects).

    ``number`` is the version a link's token is bound to; without one (the portal's page) it
    is the version the page showed, posted back in its hidden field.
    """
    if already is not None:
        # Signing twice is harmless: say so, change nothing.
        if not ConfirmForm().validate_on_submit():
            abort(400)
        return answer()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            return render_template("errors/csrf.html"), 400
        return _sign_page(agreement, version, signer, None, form, action, status=400)
    if number is None:
        try:
            number = int(form.version.data)
        except (TypeError, ValueError):
            abort(400)
    signing.sign(agreement.id, signer, version_number=number, shown_sha256=form.sha256.data or "",
                 typed_name=form.full_name.data, confirmed=bool(form.confirm.data),
                 ip_address=client_ip(), user_agent=_user_agent(), via=via)
    return answer()


def _signed_from_link(link: agreement_links.SignLink):
    # Signing committed, so the link's agreement reads afresh from here.
    agreement = link.agreement
    version = next(v for v in agreement.versions if v.number == link.version.number)
    if not version.signed_by_both:
        other = agreement.person("mentee" if link.party == "mentor" else "mentor")
        next_step = (f"We are waiting for {other.full_name} to sign. We will email you both "
                     "the signed agreement when they have.")
    elif link.party == "mentee":
        next_step = ("You have both signed. We have emailed you both the agreement as a PDF. "
                     "Next, submit it to the scheme administrator before your first session. "
                     "The link is in your email.")
    else:
        next_step = (f"You have both signed. We have emailed you both the agreement as a PDF. "
                     f"Next, {agreement.mentee.full_name} submits it to the scheme "
                     "administrator. Your sessions can start after that.")
    return links.done("You have signed the agreement", f"Reference {agreement.reference}.",
                      next_step, link=_agreement_link(agreement))


def _agreement_link(agreement: Agreement) -> tuple[str, str]:
    return "Go to the agreement", url_for("agreements.show", reference=agreement.reference)


def _spent(agreement: Agreement, message: str):
    """A link that has done its work. Its own person, signed in, goes to the agreement; anyone
    else (the link may be forwarded, or open on a shared computer) learns only what happened."""
    person = viewer()
    if person is not None and agreement.party(person.id) is not None:
        return redirect(url_for("agreements.show", reference=agreement.reference), 303)
    raise tokens.LinkError(message, next_step="used")


@bp.route("/agreements/<reference>/pdf")
@signed_in
def download(reference: str):
    """The agreement's mentor or mentee: download it as a PDF."""
    agreement = queries.for_party_or_404(reference, current_user)
    return pdf.download(agreement)


@bp.route("/agreements/<reference>/submit", methods=["POST"])
@signed_in
def submit(reference: str):
    """The agreement's mentee: submit the signed agreement to the scheme administrator."""
    agreement = queries.for_party_or_404(reference, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    submission.submit(agreement.id, current_user, ip_address=client_ip(), via="portal")
    return redirect(url_for("agreements.submitted", reference=reference), 303)


@bp.route("/agreements/<reference>/submitted")
@signed_in
def submitted(reference: str):
    """The agreement's mentor or mentee: the page saying it has been submitted."""
    agreement = queries.for_party_or_404(reference, current_user)
    if agreement.submitted_at is None:
        return redirect(url_for("agreements.show", reference=reference), 303)
    return render_template("agreements/submitted.html", agreement=agreement)


@bp.route("/agreements/submit/<token>", methods=["GET", "POST"])
@public("emailed link for the mentee to submit the agreement, authorised by its token")
def submit_link(token: str):
    """Anyone with the emailed link (its token): the mentee submits the signed agreement."""
    link = agreement_links.check_submit_link(token, viewer())
    agreement = link.agreement
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("errors/csrf.html"), 400
        agreement = submission.submit(agreement.id, link.user, ip_address=client_ip(),
                                      via="email link", version_number=link.version)
        return links.done(
            "Your agreement has been submitted", f"Reference {agreement.reference}.",
            f"We sent it to the {agreement.scheme.name} administrator and told "
            f"{agreement.mentor.full_name}. Your mentoring sessions can start now.",
            "We will email you both when the administrator confirms they have received it.",
            link=_agreement_link(agreement))
    if agreement.state in (AgreementState.SUBMITTED, AgreementState.ACKNOWLEDGED):
        return _spent(agreement, f"This link has already been used: the agreement was "
                                 f"submitted on {format_date(agreement.submitted_at)}.")
    if agreement.state != AgreementState.SIGNED_BY_BOTH:
        raise submission.not_yet_signed(agreement)
    return render_template("agreements/submit.html", agreement=agreement, form=form,
                           version=agreement.signed_version,
                           action=url_for("agreements.submit_link", token=token))


@bp.route("/agreements/acknowledge/<token>", methods=["GET", "POST"])
@public("emailed link for the scheme administrator, authorised by its token")
def acknowledge_link(token: str):
    """Anyone with the emailed link (its token): the administrator confirms receipt."""
    link = agreement_links.check_acknowledge_link(token, viewer())
    agreement = link.agreement
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("errors/csrf.html"), 400
        agreement = submission.acknowledge(agreement.id, viewer(), ip_address=client_ip(),
                                           link=link)
        person = viewer()
        return links.done(
            "Receipt confirmed", f"Reference {agreement.reference}.",
            f"We have told {agreement.mentor.full_name} and {agreement.mentee.full_name} that "
            "you have their agreement.",
            link=("See the agreement in the administration pages",
                  url_for("admin.agreement", reference=agreement.reference))
            if person is not None and person.has_role(Role.ADMIN, agreement.scheme_id) else None)
    return render_template("agreements/acknowledge.html", agreement=agreement,
                           version=link.version, form=form,
                           action=url_for("agreements.acknowledge_link", token=token))


@bp.route("/verify")
@public("anyone holding a signed agreement may check it")
def verify():
    """Anyone: check a signed agreement's reference and SHA-256 hash against our records."""
    form = VerifyForm(request.args)
    result = None
    if request.args and form.validate():
        result = verification.check(form.reference.data, form.sha256.data)
    return render_template("agreements/verify.html", form=form, result=result,
                           page_has_errors=bool(form.errors)), 400 if form.errors else 200
