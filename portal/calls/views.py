"""Chemistry call pages: request, answer (signed in or from the emailed link), follow up."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import htmx, links
from portal.accounts.models import Role
from portal.auth import client_ip, public, role_required, signed_in, viewer
from portal.calls import answering, approval, lifecycle, outcome, queries, requesting
from portal.calls import links as call_links
from portal.calls.forms import (
    AcceptForm,
    DeclineForm,
    LineManagerAnswerForm,
    LineManagerForm,
    OutcomeForm,
    RequestForm,
    RescheduleForm,
)
from portal.calls.models import ApprovalState, CallFormat, CallState, Decision, DeclineReason
from portal.errors import NotAllowed
from portal.forms import ConfirmForm
from portal.mentors import queries as mentor_queries
from portal.schemes.queries import get_scheme_or_404
from portal.templating import format_datetime

bp = Blueprint("calls", __name__, url_prefix="/calls")

def _done(endpoint: str, message: str, **values):
    flash(message, "success")
    return redirect(url_for(endpoint, **values), 303)


# --- request ------------------------------------------------------------------------------------

@bp.route("/new/<int:profile_id>", methods=["GET", "POST"])
@role_required(Role.MENTEE)
def new(profile_id: int):
    """Mentees: ask a mentor for a chemistry call, choosing up to three times."""
    # The same rule as the profile page: a profile the mentee may not see is "not found", so
    # the refusal below never names another scheme's mentor or a draft or hidden profile.
    profile = mentor_queries.for_viewer(profile_id, current_user)
    if profile is None:
        abort(404)
    reason = requesting.refusal(current_user, profile)
    if reason is not None:
        return render_template("calls/refused.html", profile=profile, reason=reason), (
            403 if reason.not_allowed else 409)
    form = RequestForm(obj=current_user)  # the mentee's work, as they gave it last time
    if form.validate_on_submit():
        call = requesting.request_call(
            current_user, profile.id, hopes=form.hopes.data, experience=form.experience.data or "",
            times=form.times, flexible=form.flexible.data,
            preferred_format=CallFormat(form.preferred_format.data), ip=client_ip(),
            work={"job_title": form.job_title.data, "organisation": form.organisation.data,
                  "grade": form.grade.data or ""})
        return _done("calls.show", f"Your request has been sent to {profile.display_name}.",
                     call_id=call.id)
    return render_template("calls/new.html", form=form, profile=profile,
                           current_mentors=requesting.current_mentors(current_user,
                                                                      profile.scheme)), (
        400 if form.errors else 200)


@bp.route("/<int:call_id>")
@signed_in
def show(call_id: int):
    """The call's mentor or mentee: the chemistry call, where it stands and what comes next."""
    call, party = queries.call_for(call_id, current_user)
    return render_template("calls/show.html", call=call, party=party,
                           others=queries.other_open_requests(call) if party == "mentee"
                           and call.state == CallState.ACCEPTED else [],
                           may_decide=outcome.may_decide(call, party),
                           what_happened_text=call.what_happened(party))


# --- the mentor answers, signed in (dashboard, htmx inline or whole pages) -----------------------

def _accept_form(call) -> AcceptForm:
    form = _own_ids(AcceptForm(), call)
    form.set_times(queries.time_choices(call))
    return form


def _own_ids(form, call):
    """Give the form's fields ids of their own: the dashboard can hold several answer forms at
    once, and a label must name its own form's field. Field names, and so what is posted, stay
    the same."""
    for field in form:
        field.id = f"call-{call.id}-{field.id}"
    return form


def _answered_row(call, message: str):
    """After an inline answer: the dashboard row as it now is; else the call's page."""
    if htmx.is_fragment_request():
        return htmx.render("calls/show.html", fragment="calls/_incoming_row.html", call=call,
                           message=message, bare=True)
    return _done("calls.show", message, call_id=call.id)


@bp.route("/<int:call_id>/accept", methods=["GET", "POST"])
@role_required(Role.MENTOR)
def accept(call_id: int):
    """The call's mentor: accept the request and set a time (on its page or the dashboard)."""
    call = queries.call_for_mentor(call_id, current_user)
    if not call.awaits_answer:
        answering.refuse_if_answered(call, request.method)
        if htmx.is_fragment_request():  # a dashboard left open: show the row as it now is
            return _answered_row(call, call.what_happened("mentor"))
        return redirect(url_for("calls.show", call_id=call.id), 303)
    form = _accept_form(call)
    if form.validate_on_submit():
        call = answering.accept_call(call.id, current_user, proposed_time_id=form.proposed_time_id,
                                     other_start=form.start, details=form.details.data,
                                     via="portal", ip=client_ip())
        return _answered_row(call, f"You accepted. The call is on "
                                   f"{format_datetime(call.scheduled_at)}. We have sent you "
                                   "both an invite.")
    return htmx.render("calls/accept.html", fragment="calls/_accept_form.html", form=form,
                       call=call, action=url_for("calls.accept", call_id=call.id), inline=True,
                       status=400 if form.errors else 200)


@bp.route("/<int:call_id>/decline", methods=["GET", "POST"])
@role_required(Role.MENTOR)
def decline(call_id: int):
    """The call's mentor: decline the request, with a reason and note if they wish."""
    call = queries.call_for_mentor(call_id, current_user)
    if not call.awaits_answer:
        answering.refuse_if_answered(call, request.method)
        if htmx.is_fragment_request():  # a dashboard left open: show the row as it now is
            return _answered_row(call, call.what_happened("mentor"))
        return redirect(url_for("calls.show", call_id=call.id), 303)
    form = _own_ids(DeclineForm(), call)
    if form.validate_on_submit():
        call = answering.decline_call(call.id, current_user, reason=_reason(form),
                                      note=form.note.data or "", via="portal", ip=client_ip())
        return _answered_row(call, f"You declined the request from {call.mentee.full_name}. "
                                   "We have let them know kindly.")
    return htmx.render("calls/decline.html", fragment="calls/_decline_form.html", form=form,
                       call=call, action=url_for("calls.decline", call_id=call.id), inline=True,
                       status=400 if form.errors else 200)


def _reason(form: DeclineForm) -> DeclineReason | None:
    return DeclineReason(form.reason.data) if form.reason.data else None


# --- the mentor answers from the emailed link, without signing in --------------------------------

@bp.route("/answer/<token>")
@public("the mentor's emailed link to answer a request, authorised by its token")
def answer(token: str):
    """Anyone with the emailed link (its token): the mentor chooses to accept or decline."""
    call = call_links.check_answer_call_link(token, viewer())
    if not call_links.answer_call_link_is_live(call):
        return _spent_answer_link(call)
    return render_template("calls/answer.html", call=call, token=token)


def _spent_answer_link(call):
    """The mentor, signed in, goes to the call's own page; anyone else (the link may have been
    forwarded or left open) sees only what became of the request, and a way to sign in."""
    if viewer() is not None:  # check_answer_call_link has refused anyone but the mentor
        return redirect(url_for("calls.show", call_id=call.id), 303)
    raise call_links.spent_answer_call_link(call)


def _answered_from_link(call, title: str, *paragraphs: str):
    return links.done(title, *paragraphs,
                      link=("See the chemistry call", url_for("calls.show", call_id=call.id)))


@bp.route("/answer/<token>/accept", methods=["GET", "POST"])
@public("the mentor's emailed Accept link, authorised by its token")
def answer_accept(token: str):
    """Anyone with the emailed link (its token): the mentor accepts the request."""
    call = call_links.check_answer_call_link(token, viewer())
    if not call_links.answer_call_link_is_live(call):
        answering.refuse_if_answered(call, request.method)
        return _spent_answer_link(call)
    form = _accept_form(call)
    if form.validate_on_submit():
        call = answering.accept_call(call.id, call.mentor, proposed_time_id=form.proposed_time_id,
                                     other_start=form.start, details=form.details.data,
                                     via="email", ip=client_ip())
        return _answered_from_link(call, "You accepted the request",
                                   f"The call is on {format_datetime(call.scheduled_at)} (UK "
                                   "time). We have sent you both an invite.")
    return render_template("calls/accept.html", form=form, call=call, inline=False,
                           action=url_for("calls.answer_accept", token=token)), (
        400 if form.errors else 200)


@bp.route("/answer/<token>/decline", methods=["GET", "POST"])
@public("the mentor's emailed Decline link, authorised by its token")
def answer_decline(token: str):
    """Anyone with the emailed link (its token): the mentor declines the request."""
    call = call_links.check_answer_call_link(token, viewer())
    if not call_links.answer_call_link_is_live(call):
        answering.refuse_if_answered(call, request.method)
        return _spent_answer_link(call)
    form = DeclineForm()
    if form.validate_on_submit():
        answering.decline_call(call.id, call.mentor, reason=_reason(form),
                               note=form.note.data or "", via="email", ip=client_ip())
        return _answered_from_link(call, "You declined the request",
                                   f"We have let {call.mentee.full_name} know kindly.")
    return render_template("calls/decline.html", form=form, call=call, inline=False,
                           action=url_for("calls.answer_decline", token=token)), (
        400 if form.errors else 200)


# --- the mentee withdraws ------------------------------------------------------------------------

@bp.route("/<int:call_id>/withdraw", methods=["GET", "POST"])
@signed_in
def withdraw(call_id: int):
    """The call's mentee: withdraw their request."""
    call, party = queries.call_for(call_id, current_user)
    form = ConfirmForm()
    if form.validate_on_submit():
        lifecycle.withdraw(call.id, current_user, ip=client_ip())
        return _done("main.dashboard", f"You have withdrawn your request to "
                                       f"{call.profile.display_name}.")
    if party != "mentee":
        abort(403, description="Only the mentee who made the request can withdraw it.")
    return render_template("calls/confirm.html", form=form, call=call, action="withdraw")


@bp.route("/<int:call_id>/withdraw-others", methods=["GET", "POST"])
@signed_in
def withdraw_others(call_id: int):
    """The call's mentee: once a mentor has accepted, withdraw their other requests."""
    call, party = queries.call_for(call_id, current_user)
    if party != "mentee":
        raise NotAllowed("Only the mentee who made this request can withdraw their other "
                         "requests.")
    form = ConfirmForm()
    if form.validate_on_submit():
        count = lifecycle.withdraw_others(call.id, current_user, ip=client_ip())
        return _done("calls.show", f"You have withdrawn {count} other "
                                   f"request{'s' if count != 1 else ''}.", call_id=call.id)
    return render_template("calls/withdraw_others.html", form=form, call=call,
                           others=queries.other_open_requests(call))


# --- changes to an accepted call -----------------------------------------------------------------

@bp.route("/<int:call_id>/cancel", methods=["GET", "POST"])
@signed_in
def cancel(call_id: int):
    """The call's mentor: cancel an accepted call; we tell the mentee."""
    call, party = queries.call_for(call_id, current_user)
    form = ConfirmForm()
    if form.validate_on_submit():
        lifecycle.cancel(call.id, current_user, ip=client_ip())
        return _done("calls.show", "You have cancelled the call. We have told "
                                   f"{call.mentee.full_name}.", call_id=call.id)
    if party != "mentor":
        abort(403, description="Only the mentor can cancel a call. You can withdraw instead.")
    return render_template("calls/confirm.html", form=form, call=call, action="cancel")


@bp.route("/<int:call_id>/reschedule", methods=["GET", "POST"])
@signed_in
def reschedule(call_id: int):
    """The call's mentor or mentee: move an accepted call, or after "we did not meet" propose
    a new time; both get an updated invite."""
    call, party = queries.call_for(call_id, current_user)
    if call.state == CallState.ACCEPTED:
        lifecycle.refuse_once_past(call, "moved")  # its time has passed: say so on the GET too
    form = RescheduleForm()
    if request.method == "GET":
        form.details.data = call.meeting_details
    if form.validate_on_submit():
        lifecycle.reschedule(call.id, current_user, start=form.start, details=form.details.data,
                             ip=client_ip())
        return _done("calls.show", "The call has moved. We have sent you both an updated "
                                   "invite.", call_id=call.id)
    return render_template("calls/reschedule.html", form=form, call=call, party=party), (
        400 if form.errors else 200)


# --- after the call ------------------------------------------------------------------------------

@bp.route("/<int:call_id>/outcome", methods=["GET", "POST"])
@signed_in
def decide(call_id: int):
    """The call's mentor or mentee: after the call, say whether they want to work together
    (or that they did not meet). An answer, once given, cannot be changed."""
    call, party = queries.call_for(call_id, current_user)
    form = OutcomeForm()
    if request.method == "POST":
        refused = outcome.refusal(call, party)
        if refused is not None:
            raise refused  # before the form: an answer given cannot be changed
    if form.validate_on_submit():
        call = outcome.decide(call.id, current_user, Decision(form.decision.data),
                              reason=form.reason.data or "", ip=client_ip())
        return _done("calls.show", _answered_message(call, party), call_id=call.id)
    return render_template("calls/outcome.html", form=form, call=call, party=party,
                           may_decide=outcome.may_decide(call, party)), (
        400 if form.errors else 200)


def _answered_message(call, party: str) -> str:
    other = call.name_of("mentee" if party == "mentor" else "mentor")
    if call.state == CallState.MATCHED:
        return ("You both want to work together. We have emailed you both about the next step: "
                "your mentoring agreement.")
    if call.state == CallState.NOT_TAKEN_FORWARD:
        return "Thank you for letting us know. We will tell the other person kindly."
    if call.did_not_happen:
        return (f"Thank you. We have told {other} that the call did not take place. Either of "
                "you can now propose a new time.")
    return (f"Thank you. We have emailed {other} to ask for their answer. We will tell you when "
            "the other person has answered.")


@bp.route("/after/<token>", methods=["GET", "POST"])
@public("the emailed one-tap answers after a chemistry call, authorised by their token")
def after_call(token: str):
    """Anyone with the emailed link (its token): the person it was sent to says how the call
    went. GET only shows the chosen answer and one button; the POST answers."""
    call, person = call_links.check_call_outcome_link(token, viewer())
    party = call.party(person.id)
    if not call_links.call_outcome_link_is_live(call, party):
        if request.method == "GET" and viewer() is not None:
            # The person themselves, signed in: their call's own page says where it stands.
            return redirect(url_for("calls.show", call_id=call.id), 303)
        raise call_links.spent_call_outcome_link(call, party)
    form = OutcomeForm()
    if form.validate_on_submit():
        call = outcome.decide(call.id, person, Decision(form.decision.data),
                              reason=form.reason.data or "", via="email", ip=client_ip())
        return _answered_from_outcome_link(call, party)
    chosen = form.decision.data if request.method == "POST" else request.args.get("answer")
    answer = Decision(chosen) if chosen in {d.value for d in Decision} else None
    return render_template("calls/after_call.html", form=form, call=call, party=party,
                           answer=answer, token=token), 400 if form.errors else 200


def _answered_from_outcome_link(call, party: str):
    other = call.name_of("mentee" if party == "mentor" else "mentor")
    see = ("See the chemistry call", url_for("calls.show", call_id=call.id))
    if call.state == CallState.MATCHED:
        return links.done("You both want to work together",
                          f"You and {other} both said \u201clet\u2019s work together\u201d.",
                          "We have emailed you both about the next step: agreeing the terms of "
                          "your mentoring.", link=see)
    if call.state == CallState.NOT_TAKEN_FORWARD:
        return links.done("Thank you for letting us know",
                          f"We will tell {other} kindly, without giving a reason.",
                          "There is nothing more you need to do.", link=see)
    if call.did_not_happen:
        return links.done("Thank you for letting us know",
                          f"We have told {other} that the call did not take place.",
                          "Either of you can now propose a new time for the call.",
                          link=("Propose a new time",
                                url_for("calls.reschedule", call_id=call.id)))
    return links.done("Thank you", f"We have asked {other} for their answer too.",
                      "We will email you when they have replied.", link=see)


# --- line manager approval -----------------------------------------------------------------------

@bp.route("/approval/<slug>", methods=["GET", "POST"])
@role_required(Role.MENTEE)
def ask_line_manager(slug: str):
    """Mentees: ask their line manager to approve their taking part, if the scheme needs it."""
    scheme = get_scheme_or_404(slug)
    if not scheme.needs_line_manager_approval:
        abort(404)
    form = LineManagerForm(current_user, scheme)
    if form.validate_on_submit():
        sent = approval.ask_line_manager(current_user, scheme, form.manager_name.data,
                                         form.manager_email.data, ip=client_ip())
        return _done("main.dashboard", f"We have emailed {sent.manager_name} to ask for their "
                                       "approval.")
    current = queries.latest_approval(current_user.id, scheme.id)
    return render_template("calls/ask_line_manager.html", form=form, scheme=scheme,
                           current=current), 400 if form.errors else 200


@bp.route("/line-manager/<token>", methods=["GET", "POST"])
@public("a line manager's emailed link; they have no account, the token authorises them")
def line_manager(token: str):
    """Anyone with the emailed link (its token): the line manager approves the mentee or not."""
    item = call_links.check_line_manager_link(token, viewer())
    form = LineManagerAnswerForm()
    if form.validate_on_submit():
        approve = form.decision.data == "approve"
        item = approval.decide(token, approve, viewer=viewer(), ip=client_ip())
        return links.done("Thank you", f"We have told {item.mentee.full_name} that you "
                          + ("approved their taking part." if approve else
                             "did not approve their taking part at the moment."),
                          "There is nothing more you need to do.")
    if item.state != ApprovalState.PENDING:
        raise call_links.spent_line_manager_link(item)
    return render_template("calls/line_manager.html", form=form, approval=item, token=token), (
        400 if form.errors else 200)

