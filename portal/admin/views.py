"""The scheme administrators' pages: their schemes' agreements, each one's audit trail and PDF,
and every line manager's approval, so an administrator can query one.

An administrator sees only the schemes they administer; anything else is "not found".
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import orm

from portal.accounts.forms import ConfirmForm
from portal.accounts.models import Membership, Role, User
from portal.agreements import canonical, queries, submission
from portal.agreements.models import Agreement, AgreementState
from portal.agreements.views import pdf_response
from portal.audit import AuditEvent
from portal.auth import client_ip, role_required
from portal.calls.approval import in_domains, mailbox_key
from portal.calls.models import ApprovalState, LineManagerApproval
from portal.extensions import db
from portal.relationships.models import Relationship
from portal.schemes.models import Scheme
from portal.schemes.queries import get_scheme_or_404

bp = Blueprint("admin", __name__)

PAGE_SIZE = 50


def _administered() -> list[Scheme]:
    ids = current_user.scheme_ids(Role.ADMIN)
    return list(db.session.scalars(sa.select(Scheme).where(Scheme.id.in_(ids))
                                   .order_by(Scheme.name)))


def _scheme_or_404(slug: str) -> Scheme:
    scheme = get_scheme_or_404(slug)
    if not current_user.has_role(Role.ADMIN, scheme.id):
        abort(404)
    return scheme


def _agreement_or_404(reference: str) -> Agreement:
    agreement = queries.by_reference(reference)
    if agreement is None or not current_user.has_role(Role.ADMIN, agreement.scheme_id):
        abort(404)
    return agreement


@bp.route("/admin")
@role_required(Role.ADMIN)
def index():
    schemes = _administered()
    counts: dict[int, dict[str, int]] = {scheme.id: {} for scheme in schemes}
    rows = db.session.execute(
        sa.select(Agreement.scheme_id, Agreement.state, sa.func.count())
        .where(Agreement.scheme_id.in_(counts)).group_by(Agreement.scheme_id, Agreement.state))
    for scheme_id, state, count in rows:
        counts[scheme_id][AgreementState(state)] = count
    return render_template("admin/index.html", schemes=schemes, counts=counts,
                           states=list(AgreementState))


@bp.route("/admin/schemes/<slug>/agreements")
@role_required(Role.ADMIN)
def agreements(slug: str):
    scheme = _scheme_or_404(slug)
    state = request.args.get("state") or None
    if state is not None and state not in {s.value for s in AgreementState}:
        abort(404)
    counts = dict(db.session.execute(
        sa.select(Agreement.state, sa.func.count()).where(Agreement.scheme_id == scheme.id)
        .group_by(Agreement.state)).all())
    query = (sa.select(Agreement).where(Agreement.scheme_id == scheme.id)
             .options(orm.lazyload(Agreement.versions))  # the list never shows the text
             .order_by(Agreement.created_at.desc()).limit(PAGE_SIZE))
    if state:
        query = query.where(Agreement.state == state)
    items = list(db.session.scalars(query))
    return render_template("admin/agreements.html", scheme=scheme, items=items, state=state,
                           counts={AgreementState(k): v for k, v in counts.items()},
                           states=list(AgreementState), page_size=PAGE_SIZE)


@bp.route("/admin/agreements/<reference>")
@role_required(Role.ADMIN)
def agreement(reference: str):
    item = _agreement_or_404(reference)
    events = list(db.session.execute(
        sa.select(AuditEvent, User.full_name).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(sa.or_(
            sa.and_(AuditEvent.subject_type == "agreement", AuditEvent.subject_id == item.id),
            sa.and_(AuditEvent.subject_type == "relationship",
                    AuditEvent.subject_id == item.relationship_id)))
        .order_by(AuditEvent.at, AuditEvent.id)))
    version = item.current_version
    snapshot = version.snapshot if version else canonical.snapshot_of(item)
    return render_template("admin/agreement.html", agreement=item, version=version,
                           relationship=db.session.get(Relationship, item.relationship_id),
                           events=events, blocks=canonical.blocks(snapshot), form=ConfirmForm(),
                           hash_ok=version is None or canonical.sha256(version.text)
                           == version.sha256)


@bp.route("/admin/agreements/<reference>/pdf")
@role_required(Role.ADMIN)
def agreement_pdf(reference: str):
    return pdf_response(_agreement_or_404(reference))


@bp.route("/admin/agreements/<reference>/acknowledge", methods=["POST"])
@role_required(Role.ADMIN)
def acknowledge(reference: str):
    item = _agreement_or_404(reference)
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


def _requested_ip():
    """The audit event of the mentee's request, which holds the address they asked from."""
    return sa.and_(AuditEvent.subject_type == "line_manager_approval",
                   AuditEvent.subject_id == LineManagerApproval.id,
                   AuditEvent.action == "requested")


def _warnings(items: list[LineManagerApproval], scheme: Scheme) -> dict[int, list[str]]:
    """What an administrator may want to check about each approval, in one query for all: an
    address that is the mentee's own, outside the scheme's organisations, or that of someone
    in the scheme. The last is not refused when asking, as managers may take part themselves
    and the refusal would tell the mentee who has an account."""
    addresses = {a.manager_email for a in items} | {mailbox_key(a.manager_email) for a in items}
    members: dict[str, set[Role]] = {}
    for email, role in db.session.execute(
            sa.select(User.email, Membership.role).join(Membership)
            .where(Membership.scheme_id == scheme.id, User.email.in_(addresses))):
        members.setdefault(email, set()).add(Role(role))
    found = {}
    for item in items:
        notes = []
        if mailbox_key(item.manager_email) == mailbox_key(item.mentee.email):
            notes.append("The mentee's own address")
        if scheme.line_manager_domains and not in_domains(item.manager_email,
                                                          scheme.line_manager_domains):
            notes.append("Not at one of the scheme's organisations")
        roles = (members.get(item.manager_email, set())
                 | members.get(mailbox_key(item.manager_email), set()))
        for role in sorted(roles):
            notes.append("Also an administrator in this scheme" if role == Role.ADMIN
                         else f"Also a {role.value} in this scheme")
        found[item.id] = notes
    return found


@bp.route("/admin/schemes/<slug>/approvals")
@role_required(Role.ADMIN)
def approvals(slug: str):
    scheme = _scheme_or_404(slug)
    state = request.args.get("state") or None
    if state is not None and state not in {s.value for s in ApprovalState}:
        abort(404)
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    counts = dict(db.session.execute(
        sa.select(LineManagerApproval.state, sa.func.count())
        .where(LineManagerApproval.scheme_id == scheme.id)
        .group_by(LineManagerApproval.state)).all())
    query = (sa.select(LineManagerApproval, AuditEvent.ip_address)
             .outerjoin(AuditEvent, _requested_ip())
             .where(LineManagerApproval.scheme_id == scheme.id)
             .order_by(LineManagerApproval.requested_at.desc(), LineManagerApproval.id.desc())
             .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    if state:
        query = query.where(LineManagerApproval.state == state)
    rows = db.session.execute(query).all()
    rows, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    return render_template(
        "admin/approvals.html", scheme=scheme, rows=rows, state=state, page=page, more=more,
        counts={ApprovalState(k): v for k, v in counts.items()}, labels=APPROVAL_LABELS,
        warnings=_warnings([item for item, _ in rows], scheme))


@bp.route("/admin/approvals/<int:approval_id>")
@role_required(Role.ADMIN)
def approval(approval_id: int):
    item = db.session.get(LineManagerApproval, approval_id)
    if item is None or not current_user.has_role(Role.ADMIN, item.scheme_id):
        abort(404)
    events = list(db.session.execute(
        sa.select(AuditEvent, User.full_name).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.subject_type == "line_manager_approval",
               AuditEvent.subject_id == item.id)
        .order_by(AuditEvent.at, AuditEvent.id)))
    # The mentee's other requests in the scheme: a replaced request points to the next one.
    history = list(db.session.scalars(
        sa.select(LineManagerApproval)
        .where(LineManagerApproval.mentee_id == item.mentee_id,
               LineManagerApproval.scheme_id == item.scheme_id)
        .order_by(LineManagerApproval.requested_at, LineManagerApproval.id)))
    return render_template("admin/approval.html", approval=item, scheme=item.scheme,
                           events=events, history=history, labels=APPROVAL_LABELS,
                           warnings=_warnings([item], item.scheme)[item.id])
