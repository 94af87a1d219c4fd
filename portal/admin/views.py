"""The scheme administrators' pages: their schemes' agreements, each one's audit trail and PDF,
and every line manager's approval, so an administrator can query one.

An administrator sees only the schemes they administer; anything else is "not found".
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.accounts.models import Role
from portal.admin import queries
from portal.agreements import canonical, pdf, submission
from portal.agreements import queries as agreement_queries
from portal.agreements.models import AgreementState
from portal.auth import client_ip, role_required
from portal.calls.models import ApprovalState
from portal.forms import ConfirmForm

bp = Blueprint("admin", __name__)

PAGE_SIZE = 50


@bp.route("/admin")
@role_required(Role.ADMIN)
def index():
    """Administrators: the schemes they run, with how many agreements are in each state."""
    schemes = queries.administered(current_user)
    counts = agreement_queries.state_counts_by_scheme(scheme.id for scheme in schemes)
    return render_template("admin/index.html", schemes=schemes, counts=counts,
                           states=list(AgreementState))


@bp.route("/admin/schemes/<slug>/agreements")
@role_required(Role.ADMIN)
def agreements(slug: str):
    """Administrators: the agreements in one of their schemes, by state if asked."""
    scheme = queries.scheme_or_404(slug, current_user)
    state = request.args.get("state") or None
    if state is not None and state not in {s.value for s in AgreementState}:
        abort(404)
    return render_template("admin/agreements.html", scheme=scheme,
                           items=agreement_queries.for_scheme(scheme.id, state, PAGE_SIZE),
                           state=state, counts=agreement_queries.state_counts(scheme.id),
                           states=list(AgreementState), page_size=PAGE_SIZE)


@bp.route("/admin/agreements/<reference>")
@role_required(Role.ADMIN)
def agreement(reference: str):
    """Administrators: one of their schemes' agreements, with its text and audit trail."""
    item = queries.agreement_or_404(reference, current_user)
    events = agreement_queries.audit_trail(item)
    version = item.current_version
    snapshot = version.snapshot if version else canonical.snapshot_of(item)
    return render_template("admin/agreement.html", agreement=item, version=version,
                           relationship=item.relationship,
                           events=events, blocks=canonical.blocks(snapshot), form=ConfirmForm(),
                           hash_ok=version is None or canonical.sha256(version.text)
                           == version.sha256)


@bp.route("/admin/agreements/<reference>/pdf")
@role_required(Role.ADMIN)
def agreement_pdf(reference: str):
    """Administrators: download one of their schemes' agreements as a PDF."""
    return pdf.download(queries.agreement_or_404(reference, current_user))


@bp.route("/admin/agreements/<reference>/acknowledge", methods=["POST"])
@role_required(Role.ADMIN)
def acknowledge(reference: str):
    """Administrators: confirm receipt of a submitted agreement; we tell the pair."""
    item = queries.agreement_or_404(reference, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    submission.acknowledge(item.id, current_user, ip_address=client_ip())
    flash("You have confirmed receipt. We have told the mentor and the mentee.", "success")
    return redirect(url_for("admin.agreement", reference=reference), 303)


# --- line managers' approvals --------------------------------------------------------------------

APPROVAL_LABELS = {ApprovalState.PENDING: ("Waiting for an answer", "govuk-tag--yellow"),
                   ApprovalState.APPROVED: ("Approved", "govuk-tag--green"),
                   ApprovalState.DECLINED: ("Not approved", "govuk-tag--red"),
                   ApprovalState.REPLACED: ("Replaced by a later request", "govuk-tag--grey")}


@bp.route("/admin/schemes/<slug>/approvals")
@role_required(Role.ADMIN)
def approvals(slug: str):
    """Administrators: line managers' approvals in one of their schemes, by state, in pages."""
    scheme = queries.scheme_or_404(slug, current_user)
    state = request.args.get("state") or None
    if state is not None and state not in {s.value for s in ApprovalState}:
        abort(404)
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    rows, more = queries.approvals_page(scheme.id, state, page, PAGE_SIZE)
    return render_template(
        "admin/approvals.html", scheme=scheme, rows=rows, state=state, page=page, more=more,
        counts=queries.approval_counts(scheme.id), labels=APPROVAL_LABELS,
        warnings=queries.approval_warnings([item for item, _ in rows], scheme))


@bp.route("/admin/approvals/<int:approval_id>")
@role_required(Role.ADMIN)
def approval(approval_id: int):
    """Administrators: one line manager's approval in their schemes, with its history."""
    item = queries.approval_or_404(approval_id, current_user)
    return render_template("admin/approval.html", approval=item, scheme=item.scheme,
                           events=queries.approval_events(item),
                           history=queries.approval_history(item), labels=APPROVAL_LABELS,
                           warnings=queries.approval_warnings([item], item.scheme)[item.id])
