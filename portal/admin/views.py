"""The scheme administrators' pages: their schemes' agreements, each one's audit trail and PDF,
every line manager's approval, so an administrator can query one, every chemistry call request
with what its people told the scheme, everyone in the scheme (and deactivating a leaver),
invitations to join it from an uploaded list, the scheme's relationships by stage and what
needs attention, the scheme's administrators (invite, remove), and the scheme's reports for a
date range. A site
administrator also sees the email that belongs to no scheme and could not be delivered.

An administrator sees only the schemes they administer; anything else is "not found".
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.accounts.links import invitation_link_days, join_link_days
from portal.accounts.models import Role
from portal.admin import (
    appointing,
    attention,
    dealing,
    invitation_file,
    inviting,
    leavers,
    pipeline,
    queries,
    reports,
)
from portal.admin.attention import Kind
from portal.admin.forms import (
    DeactivateForm,
    DealtWithForm,
    InviteForm,
    RemoveForm,
    ReportRangeForm,
    UploadForm,
)
from portal.admin.invitation_file import MAX_ROWS, FileProblem
from portal.admin.pipeline import Stage
from portal.agreements import canonical, pdf, submission
from portal.agreements import queries as agreement_queries
from portal.agreements.models import AgreementState
from portal.auth import client_ip, role_required
from portal.calls.models import ApprovalState, CallState
from portal.db import utcnow
from portal.errors import DomainError
from portal.forms import ConfirmForm
from portal.mail import dead_letters

bp = Blueprint("admin", __name__)

PAGE_SIZE = 50
#: Pages beyond this are "not found" (an offset the database could not hold is not a crash).
MAX_PAGE = 100_000


@bp.route("/admin")
@role_required(Role.ADMIN)
def index():
    """Administrators: the schemes they run, with how many agreements are in each state and
    how many things need their attention."""
    schemes = queries.administered(current_user)
    counts = agreement_queries.state_counts_by_scheme(scheme.id for scheme in schemes)
    return render_template("admin/index.html", schemes=schemes, counts=counts,
                           states=list(AgreementState),
                           attention=attention.counts_by_scheme(schemes, utcnow()),
                           site_admin=queries.is_site_admin(current_user))


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


# --- chemistry call requests, with what people told the scheme --------------------------------

REQUEST_LABELS = {
    CallState.REQUESTED: ("Waiting for the mentor", "govuk-tag--yellow"),
    CallState.ACCEPTED: ("Call arranged", "govuk-tag--blue"),
    CallState.DECLINED: ("Declined", "govuk-tag--red"),
    CallState.WITHDRAWN: ("Withdrawn by the mentee", "govuk-tag--grey"),
    CallState.EXPIRED: ("Not answered in time", "govuk-tag--grey"),
    CallState.CANCELLED: ("Call cancelled by the mentor", "govuk-tag--grey"),
    CallState.MATCHED: ("Working together", "govuk-tag--green"),
    CallState.NOT_TAKEN_FORWARD: ("Not taken forward", "govuk-tag--grey"),
}


def _filter_and_page(name: str, choices) -> tuple[str | None, int]:
    """A list page's filter (one of the enum ``choices``, or none) and page number from the
    address; anything else is "not found", never a crash or an unfiltered list."""
    value = request.args.get(name) or None
    if value is not None and value not in {choice.value for choice in choices}:
        abort(404)
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    return value, page


@bp.route("/admin/schemes/<slug>/requests")
@role_required(Role.ADMIN)
def requests(slug: str):
    """Administrators: the chemistry call requests in one of their schemes, by state, in pages,
    with a mentor's reason for declining and what each person told the scheme after the call."""
    scheme = queries.scheme_or_404(slug, current_user)
    state, page = _filter_and_page("state", CallState)
    rows, more = queries.requests_page(scheme.id, state, page, PAGE_SIZE)
    return render_template("admin/requests.html", scheme=scheme, rows=rows, state=state,
                           page=page, more=more, counts=queries.request_counts(scheme.id),
                           labels=REQUEST_LABELS)


# --- the scheme's people ----------------------------------------------------------------------

@bp.route("/admin/schemes/<slug>/people")
@role_required(Role.ADMIN)
def people(slug: str):
    """Administrators: everyone in one of their schemes, by name, in pages, with their roles,
    a mentor's profile state, whether a mentee has a match, when they joined and last signed
    in; by role if asked."""
    scheme = queries.scheme_or_404(slug, current_user)
    role, page = _filter_and_page("role", Role)
    rows, more = queries.people_page(scheme.id, role, page, PAGE_SIZE)
    return render_template("admin/people.html", scheme=scheme, rows=rows, role=role, page=page,
                           more=more, counts=queries.people_counts(scheme.id), roles=list(Role))


# --- the scheme's relationships by stage, and what needs attention -------------------------

@bp.route("/admin/schemes/<slug>/relationships")
@role_required(Role.ADMIN)
def relationships(slug: str):
    """Administrators: every pair in one of their schemes by stage (agreeing the terms,
    signing, submitted, under way, ended), with the sessions held and their last activity,
    latest activity first, in pages; by stage if asked."""
    scheme = queries.scheme_or_404(slug, current_user)
    stage, page = _filter_and_page("stage", Stage)
    rows, more = pipeline.pairs_page(scheme.id, stage, page, PAGE_SIZE)
    return render_template("admin/relationships.html", scheme=scheme, rows=rows, stage=stage,
                           page=page, more=more, counts=pipeline.stage_counts(scheme.id),
                           stages=list(Stage))


@bp.route("/admin/schemes/<slug>/attention")
@role_required(Role.ADMIN)
def needs_attention(slug: str):
    """Administrators: what needs attention in one of their schemes (notes for the scheme,
    "we need help" check-ins, stalled signing, quiet pairs, emails not delivered), newest
    first, in pages; by kind if asked."""
    scheme = queries.scheme_or_404(slug, current_user)
    kind, page = _filter_and_page("kind", Kind)
    now = utcnow()
    rows, more = attention.page_of(scheme, kind, page, PAGE_SIZE, now)
    return render_template("admin/attention.html", scheme=scheme, rows=rows, kind=kind,
                           page=page, more=more, counts=attention.counts(scheme, now),
                           kinds=list(Kind))


@bp.route("/admin/schemes/<slug>/attention/dealt-with", methods=["POST"])
@role_required(Role.ADMIN)
def dealt_with(slug: str):
    """Administrators: mark a note for the scheme, or a "we need help" check-in, of one of
    their schemes as dealt with, so it leaves the "Needs attention" list."""
    scheme = queries.scheme_or_404(slug, current_user)
    form = DealtWithForm()
    if not form.validate_on_submit():
        abort(400)
    dealing.mark(scheme.id, form.kind.data, int(form.item.data), current_user,
                 ip_address=client_ip())
    flash("Marked as dealt with. It is no longer on this list.", "success")
    kind = request.args.get("kind")
    return redirect(url_for("admin.needs_attention", slug=slug,
                            kind=kind if kind in {k.value for k in Kind} else None), 303)


@bp.route("/admin/schemes/<slug>/people/<int:user_id>/deactivate", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def deactivate(slug: str, user_id: int):
    """Administrators: deactivate a leaver's mentor and mentee roles in one of their schemes
    (GET says what will happen and asks to confirm, with an optional reason)."""
    scheme = queries.scheme_or_404(slug, current_user)
    person, memberships = queries.member_or_404(scheme, user_id)
    form = DeactivateForm()
    if form.validate_on_submit():
        leavers.deactivate(scheme.id, person.id, current_user, reason=form.reason.data or "",
                           ip_address=client_ip())
        flash(f"{person.full_name} is deactivated in {scheme.name}.", "success")
        return redirect(url_for("admin.people", slug=slug), 303)
    profiles, calls, relationships = queries.open_work(scheme.id, person.id)
    return render_template("admin/deactivate.html", scheme=scheme, person=person, form=form,
                           memberships=memberships, calls=len(calls),
                           relationships=len(relationships), has_profile=bool(profiles),
                           yourself=person.id == current_user.id), (400 if form.errors else 200)


@bp.route("/admin/schemes/<slug>/people/<int:user_id>/reactivate", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def reactivate(slug: str, user_id: int):
    """Administrators: give a deactivated person their roles in one of their schemes back
    (GET asks to confirm)."""
    scheme = queries.scheme_or_404(slug, current_user)
    person, memberships = queries.member_or_404(scheme, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        leavers.reactivate(scheme.id, person.id, current_user, ip_address=client_ip())
        flash(f"{person.full_name} is active again in {scheme.name}.", "success")
        return redirect(url_for("admin.people", slug=slug), 303)
    return render_template("admin/reactivate.html", scheme=scheme, person=person, form=form,
                           memberships=memberships), (400 if form.errors else 200)


# --- bringing people in: invitations from an uploaded list --------------------------------------

#: Rows of a preview shown a page at a time (its problems are all shown at once).
PREVIEW_PAGE_SIZE = 100


def room_for_a_list() -> None:
    """Before anything reads the form: the upload of a list of people may be as large as a
    list may be (``invitation_file.MAX_BYTES``), more than other forms. Run before every
    request; only this one changes."""
    if request.endpoint == "admin.invitations" and request.method == "POST":
        request.max_content_length = invitation_file.MAX_BYTES + 64 * 1024
        request.max_form_memory_size = invitation_file.MAX_BYTES + 1024


def _invitations_page(scheme, form, status=200):
    return render_template("admin/invitations.html", scheme=scheme, form=form,
                           uploads=queries.recent_uploads(scheme.id), max_rows=MAX_ROWS,
                           days=join_link_days()), status


@bp.route("/admin/schemes/<slug>/invitations", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def invitations(slug: str):
    """Administrators: upload a list of people (a CSV file, or pasted rows) to invite to one of
    their schemes as mentors or mentees; POST checks it and shows the preview (nothing is sent
    yet). Also lists the scheme's recent uploads."""
    scheme = queries.scheme_or_404(slug, current_user)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.upload()  # closed with the request, as every uploaded file is
        try:
            item = inviting.preview(
                scheme.id, current_user, Role(form.role.data), form.key.data,
                upload.read(invitation_file.MAX_BYTES + 1) if upload else form.rows.data,
                upload.filename if upload else None, ip_address=client_ip())
        except FileProblem as problem:
            (form.file if upload else form.rows).errors.append(
                f"{problem.message} {problem.next_step or ''}".strip())
        else:
            return redirect(url_for("admin.invitation_upload", slug=slug, upload_id=item.id), 303)
    elif request.method == "GET":
        form.key.data = secrets.token_urlsafe(32)
    return _invitations_page(scheme, form, 400 if form.errors else 200)


@bp.route("/admin/schemes/<slug>/invitations/<int:upload_id>")
@role_required(Role.ADMIN)
def invitation_upload(slug: str, upload_id: int):
    """Administrators: one upload of their scheme: before sending, every row with its problem
    and the button to send; after, how many invitations are queued, sent and accepted."""
    scheme = queries.scheme_or_404(slug, current_user)
    upload = queries.upload_or_404(scheme, upload_id)
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    ready = upload.ready
    shown = ready[(page - 1) * PREVIEW_PAGE_SIZE:page * PREVIEW_PAGE_SIZE]
    if page > 1 and not shown:
        abort(404)
    return render_template(
        "admin/invitation_upload.html", scheme=scheme, upload=upload, ready=ready, shown=shown,
        problems=upload.problems, page=page, more=len(ready) > page * PREVIEW_PAGE_SIZE,
        progress=queries.upload_progress(upload) if upload.sent_at else None,
        form=ConfirmForm(), days=join_link_days())


@bp.route("/admin/schemes/<slug>/invitations/<int:upload_id>/send", methods=["POST"])
@role_required(Role.ADMIN)
def send_invitations(slug: str, upload_id: int):
    """Administrators: send the invitations of one of their scheme's uploads, once (a second
    send, from a double-click or another tab, sends nothing more)."""
    scheme = queries.scheme_or_404(slug, current_user)
    queries.upload_or_404(scheme, upload_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    upload, sent_now = inviting.send(upload_id, current_user, ip_address=client_ip())
    if sent_now:
        flash(f"{upload.queued:,} invitation{'' if upload.queued == 1 else 's'} queued. Each "
              f"link works once, for {join_link_days()} days.", "success")
    else:
        flash("These invitations had already been sent: nobody was sent a second one.",
              "success")
    return redirect(url_for("admin.invitation_upload", slug=slug, upload_id=upload_id), 303)


# --- the scheme's administrators ---------------------------------------------------------------

def _administrators_page(scheme, form, status=200):
    return render_template("admin/administrators.html", scheme=scheme, form=form,
                           admins=queries.administrators(scheme.id)), status


@bp.route("/admin/schemes/<slug>/administrators")
@role_required(Role.ADMIN)
def administrators(slug: str):
    """Administrators: who administers one of their schemes, and a form to invite another."""
    scheme = queries.scheme_or_404(slug, current_user)
    return _administrators_page(scheme, InviteForm())


@bp.route("/admin/schemes/<slug>/administrators/invite", methods=["POST"])
@role_required(Role.ADMIN)
def invite(slug: str):
    """Administrators: email someone an invitation to administer one of their schemes."""
    scheme = queries.scheme_or_404(slug, current_user)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            appointing.invite(scheme.id, current_user, form.email.data, form.full_name.data,
                              ip_address=client_ip())
        except DomainError as error:
            if error.status != 409:
                raise
            form.email.errors.append(error.message)
        else:
            flash(f"We have emailed an invitation to {form.email.data.lower()}. It works once, "
                  f"for {invitation_link_days()} days.", "success")
            return redirect(url_for("admin.administrators", slug=slug), 303)
    return _administrators_page(scheme, form, 400)


@bp.route("/admin/schemes/<slug>/administrators/<int:user_id>/remove", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def remove_administrator(slug: str, user_id: int):
    """Administrators: remove an administrator of one of their schemes (GET asks to confirm;
    removing yourself needs a tick as well)."""
    scheme = queries.scheme_or_404(slug, current_user)
    person = queries.administrator_or_404(scheme, user_id)
    removing_self = person.id == current_user.id
    form = RemoveForm(removing_self=removing_self)
    if form.validate_on_submit():
        appointing.remove(scheme.id, person.id, current_user, ip_address=client_ip())
        if removing_self:
            flash(f"You are no longer an administrator of {scheme.name}.", "success")
            return redirect(url_for("main.dashboard"), 303)
        flash(f"{person.full_name} is no longer an administrator of {scheme.name}.", "success")
        return redirect(url_for("admin.administrators", slug=slug), 303)
    return render_template("admin/remove_administrator.html", scheme=scheme, person=person,
                           form=form, removing_self=removing_self,
                           only_one=len(queries.administrators(scheme.id)) <= 1), (
        400 if form.errors else 200)


# --- email that belongs to no scheme, for site administrators ---------------------------------

@bp.route("/admin/emails-without-a-scheme")
@role_required(Role.ADMIN)
def schemeless_emails():
    """Site administrators: undelivered emails that belong to no scheme (sign-in links, for
    example), which no scheme's administrator sees."""
    queries.site_admin_or_404(current_user)
    return render_template("admin/schemeless_emails.html",
                           messages=queries.schemeless_dead_letters(),
                           describe=dead_letters.describe)


@bp.route("/admin/emails-without-a-scheme/<int:message_id>/send-again", methods=["POST"])
@role_required(Role.ADMIN)
def schemeless_send_again(message_id: int):
    """Site administrators: put one undelivered email that belongs to no scheme back in the
    queue."""
    queries.schemeless_dead_letter_or_404(message_id, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    message = dead_letters.resend(message_id, actor=current_user, ip_address=client_ip())
    flash(f"The email to {message.to_address} will be sent again.", "success")
    return redirect(url_for("admin.schemeless_emails"), 303)


# --- reports ----------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(slug: str):
    """The scheme, the range form and the report for the range in the address (the last 12
    months if none is given); the report is None when the range is wrong."""
    scheme = queries.scheme_or_404(slug, current_user)
    form = ReportRangeForm(request.args)
    today = reports.uk_today()
    if not form.given():
        form.from_date.data, form.to_date.data = reports.default_range(today)
    elif not form.check(today):
        return scheme, form, None
    return scheme, form, reports.build(scheme, form.from_date.data, form.to_date.data)


def _reports_page(scheme, form, report):
    return render_template("admin/reports.html", scheme=scheme, form=form, report=report), (
        200 if report else 400)


def _download(scheme, form, report, body, mimetype: str, extension: str):
    if report is None:
        return _reports_page(scheme, form, report)
    return Response(body(report), mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{report.filename_stem}.{extension}"'})


@bp.route("/admin/schemes/<slug>/reports")
@role_required(Role.ADMIN)
def reports_page(slug: str):
    """Administrators: one of their schemes' figures for a date range (registrations, requests,
    matches, pairs, endings, sessions, evaluations), small numbers hidden, with downloads."""
    return _reports_page(*_report(slug))


@bp.route("/admin/schemes/<slug>/reports.csv")
@role_required(Role.ADMIN)
def reports_csv(slug: str):
    """Administrators: the same report as a CSV file (figures only, no free text)."""
    return _download(*_report(slug), reports.to_csv, "text/csv", "csv")


@bp.route("/admin/schemes/<slug>/reports.xlsx")
@role_required(Role.ADMIN)
def reports_xlsx(slug: str):
    """Administrators: the same report as a spreadsheet (.xlsx, figures only, no free text)."""
    return _download(*_report(slug), reports.to_xlsx, XLSX, "xlsx")
