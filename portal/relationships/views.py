"""Pages of a running relationship: its overview, sessions, action plan and check-ins."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import links
from portal.auth import client_ip, public, signed_in, viewer
from portal.errors import DomainError
from portal.forms import ConfirmForm
from portal.relationships import actions, check_ins, ending, progress, queries, sessions
from portal.relationships import links as relationship_links
from portal.relationships.forms import (
    ActionDoneForm,
    ActionForm,
    CheckInForm,
    EndForm,
    LogForm,
    SessionForm,
    UnbookedLogForm,
)
from portal.relationships.models import (
    ActionOwner,
    CheckIn,
    CheckInAnswer,
    EndCategory,
    SessionFormat,
    SessionState,
)
from portal.templating import format_date, format_datetime, london

bp = Blueprint("relationships", __name__, url_prefix="/relationships")

# --- the relationship page, sessions and the action plan ------------------------------------------

def _done(message: str, relationship_id: int, anchor: str | None = None):
    flash(message, "success")
    return redirect(url_for("relationships.show", relationship_id=relationship_id,
                            _anchor=anchor), 303)


def _status(form) -> int:
    return 400 if form.errors else 200


@bp.route("/<int:relationship_id>")
@signed_in
def show(relationship_id: int):
    """The pair only: progress against the agreement, sessions to come and past, the action
    plan by goal, and what to do next."""
    relationship, party = queries.for_party_or_404(relationship_id, current_user)
    agreement = queries.agreement_of(relationship)
    overview = progress.overview(relationship, agreement, queries.sessions_of(relationship.id),
                                 queries.actions_of(relationship.id))
    return render_template(
        "relationships/show.html", relationship=relationship, party=party, agreement=agreement,
        overview=overview, other=sessions.other_of(relationship, party),
        may_book=relationship.may_sessions_start and sessions.may_arrange(agreement, party),
        may_record=relationship.may_sessions_start and actions.may_record(relationship, party),
        who_records=actions.who_records_text(relationship), done_form=ActionDoneForm(),
        check_ins=queries.check_ins_of(relationship.id))


def _session_defaults(form: SessionForm, agreement) -> None:
    """A new session's form, filled in from the agreed terms."""
    low, high = agreement.min_minutes, agreement.max_minutes
    form.minutes.data = str(min(max(60, low), high) if low <= high else 60)
    form.format.data = {"online": SessionFormat.VIDEO.value}.get(
        agreement.meeting_format, SessionFormat.IN_PERSON.value)
    form.place.data = agreement.meeting_place


@bp.route("/<int:relationship_id>/sessions/new", methods=["GET", "POST"])
@signed_in
def book(relationship_id: int):
    """The pair, once sessions may start, and only whoever the agreement says books: book a
    session; both get a calendar invite."""
    relationship, party = queries.for_party_or_404(relationship_id, current_user)
    agreement = sessions.check_may_book(relationship, party)
    form = SessionForm()
    if request.method == "GET":
        _session_defaults(form, agreement)
    if form.validate_on_submit():
        session = sessions.book(relationship.id, current_user, starts_at=form.starts_at,
                                minutes=form.length, format=SessionFormat(form.format.data),
                                place=form.place.data, ip=client_ip())
        return _done(f"Your session is booked for {format_datetime(session.starts_at)}. We "
                     "have sent you both a calendar invite.", relationship.id)
    return render_template("relationships/session_form.html", form=form,
                           relationship=relationship, agreement=agreement, session=None,
                           other=sessions.other_of(relationship, party)), _status(form)


@bp.route("/sessions/<int:session_id>/change", methods=["GET", "POST"])
@signed_in
def change_session(session_id: int):
    """The pair, only whoever the agreement says books: move a booked session that has not
    started; both get an updated invite."""
    session, party = queries.session_for_party_or_404(session_id, current_user)
    relationship = session.relationship
    agreement = sessions.check_may_book(relationship, party)
    sessions.check_changeable(session, "moved")
    form = SessionForm()
    form.submit.label.text = "Change the session"
    if request.method == "GET":
        local = london(session.starts_at)
        form.day.data = f"{local.day} {local.month} {local.year}"
        form.time.data = local.strftime("%H:%M")
        form.minutes.data = str(session.duration_minutes)
        form.format.data = session.format.value
        form.place.data = session.place
    if form.validate_on_submit():
        session = sessions.change(session.id, current_user, starts_at=form.starts_at,
                                  minutes=form.length, format=SessionFormat(form.format.data),
                                  place=form.place.data, ip=client_ip())
        return _done(f"Your session has moved to {format_datetime(session.starts_at)}. We have "
                     "sent you both an updated invite.", relationship.id)
    return render_template("relationships/session_form.html", form=form,
                           relationship=relationship, agreement=agreement, session=session,
                           other=sessions.other_of(relationship, party)), _status(form)


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@signed_in
def cancel_session(session_id: int):
    """The pair: cancel a booked session before it starts, told first if it is inside the
    notice they agreed; both get the calendar cancellation."""
    session, party = queries.session_for_party_or_404(session_id, current_user)
    relationship = session.relationship
    sessions.check_changeable(session, "cancelled")
    agreement = queries.agreement_of(relationship)
    form = ConfirmForm()
    if form.validate_on_submit():
        session = sessions.cancel(session.id, current_user, ip=client_ip())
        late = (" You gave less notice than you agreed, so this is noted on your mentoring "
                "page." if session.late_notice else "")
        return _done(f"You have cancelled the session. We have told "
                     f"{sessions.other_of(relationship, party).full_name}.{late}",
                     relationship.id)
    notice_hours = agreement.notice_hours if agreement is not None else 0
    return render_template("relationships/cancel.html", form=form, session=session,
                           relationship=relationship, notice_hours=notice_hours,
                           late=not progress.notice_given(session, notice_hours),
                           other=sessions.other_of(relationship, party))


def _log_defaults(form: LogForm, session) -> None:
    form.held_on.data = london(session.starts_at).date()
    form.minutes.data = str(session.duration_minutes)
    answer = request.args.get("answer")
    form.outcome.data = answer if answer in ("met", "not_met") else None


@bp.route("/sessions/<int:session_id>/log", methods=["GET", "POST"])
@signed_in
def log_session(session_id: int):
    """The pair: once a booked session's start has passed, say whether it took place."""
    session, party = queries.session_for_party_or_404(session_id, current_user)
    sessions.check_loggable(session)
    form = LogForm()
    if request.method == "GET":
        _log_defaults(form, session)
    if form.validate_on_submit():
        sessions.log(session.id, current_user, met=form.met, held_on=form.held_on.data,
                     minutes=form.length, via="portal", ip=client_ip())
        return _done("Thank you: the session is logged." if form.met else
                     "Thank you: the session is logged as not having happened. You can book "
                     "another.", session.relationship_id)
    return render_template("relationships/log.html", form=form, session=session,
                           relationship=session.relationship,
                           other=sessions.other_of(session.relationship, party),
                           action=url_for("relationships.log_session", session_id=session.id),
                           back=url_for("relationships.show",
                                        relationship_id=session.relationship_id)), _status(form)


@bp.route("/log/<token>", methods=["GET", "POST"])
@public("the session follow-up email's log link, authorised by its token")
def log_link(token: str):
    """Anyone with the emailed link (its token): the person it was sent to says whether the
    session took place, without signing in. The GET only shows; the POST logs."""
    session, person = relationship_links.check_log_session_link(token, viewer())
    if not relationship_links.log_session_link_is_live(session):
        raise relationship_links.spent_log_session_link(session)
    sessions.check_loggable(session)
    relationship = session.relationship
    form = LogForm()
    if request.method == "GET":
        _log_defaults(form, session)
    if form.validate_on_submit():
        sessions.log(session.id, person, met=form.met, held_on=form.held_on.data,
                     minutes=form.length, via="email", ip=client_ip())
        return links.done("Thank you: the session is logged" if form.met else
                          "Thank you: the session is logged as not having happened",
                          "You can see your sessions and your action plan on your mentoring "
                          "page.",
                          link=("Go to your mentoring page",
                                url_for("relationships.show", relationship_id=relationship.id)))
    party = relationship.party(person.id)
    return render_template("relationships/log.html", form=form, session=session,
                           relationship=relationship, other=sessions.other_of(relationship, party),
                           action=url_for("relationships.log_link", token=token),
                           back=None), _status(form)


@bp.route("/<int:relationship_id>/sessions/log", methods=["GET", "POST"])
@signed_in
def log_unbooked(relationship_id: int):
    """The pair, once sessions may start: log in one step a session they did not book here."""
    relationship, party = queries.for_party_or_404(relationship_id, current_user)
    if not relationship.may_sessions_start:
        raise sessions.not_started_refusal(relationship, queries.agreement_of(relationship))
    form = UnbookedLogForm()
    if form.validate_on_submit():
        sessions.log_unbooked(relationship.id, current_user, held_on=form.held_on.data,
                              minutes=form.length, ip=client_ip())
        return _done("Thank you: the session is logged.", relationship.id)
    return render_template("relationships/log_unbooked.html", form=form,
                           relationship=relationship,
                           other=sessions.other_of(relationship, party)), _status(form)


def _session_label(session) -> str:
    day = progress.session_day(session)
    return f"Session on {format_date(day)}" if day else "Session"


@bp.route("/<int:relationship_id>/actions/new", methods=["GET", "POST"])
@signed_in
def new_action(relationship_id: int):
    """The pair, once sessions may start, and only whoever the scheme says records the action
    plan: add an action against a goal."""
    relationship, party = queries.for_party_or_404(relationship_id, current_user)
    agreement = actions.check_may_record(relationship, party)
    choices = [(s.id, _session_label(s)) for s in queries.sessions_of(relationship.id)
               if s.state in (SessionState.BOOKED, SessionState.HELD)]
    form = ActionForm()
    form.set_choices(list(agreement.goals), choices)
    if request.method == "GET":
        wanted = request.args.get("session", "")
        form.session.data = wanted if wanted in {str(sid) for sid, _ in choices} else ""
    if form.validate_on_submit():
        actions.record(relationship.id, current_user, what=form.what.data,
                       owner=ActionOwner(form.owner.data), due_on=form.due_on.data,
                       goal=form.goal_text, session_id=form.session_id, ip=client_ip())
        return _done("The action is added to your action plan.", relationship.id, "action-plan")
    return render_template("relationships/action_form.html", form=form,
                           relationship=relationship,
                           other=sessions.other_of(relationship, party)), _status(form)


@bp.route("/actions/<int:action_id>/done", methods=["POST"])
@signed_in
def action_done(action_id: int):
    """The pair, only whoever records the action plan: mark an action done, or not done."""
    action, relationship, _ = queries.action_for_party_or_404(action_id, current_user)
    form = ActionDoneForm()
    if not form.validate_on_submit():
        raise DomainError("Choose whether the action is done.", status=400,
                          title="There is a problem")
    done = form.done.data == "yes"
    actions.set_done(action.id, current_user, done=done, ip=client_ip())
    return _done("The action is marked as done." if done else
                 "The action is marked as not done.", relationship.id, "action-plan")



# --- check-ins -----------------------------------------------------------------------------------

def _check_in_page(check_in: CheckIn, party: str, form: CheckInForm, action: str, *,
                   by_link: bool, status: int = 200):
    relationship = check_in.relationship
    other = "mentee" if party == "mentor" else "mentor"
    return render_template(
        "relationships/check_in.html", check_in=check_in, relationship=relationship,
        party=party, person=relationship.mentor if party == "mentor" else relationship.mentee,
        other=relationship.mentor if other == "mentor" else relationship.mentee,
        own=check_in.answer_of(party), others=check_in.answer_of(other),
        may_answer=relationship_links.check_in_link_is_live(check_in, party), form=form,
        action=action, by_link=by_link), status


def _refused(check_in: CheckIn, party: str, form: CheckInForm, action: str, *, by_link: bool):
    """A post that did not validate: an expired form, or no answer we know (400, nothing
    changed)."""
    if form.csrf_token.errors:
        return render_template("errors/csrf.html"), 400
    return _check_in_page(check_in, party, form, action, by_link=by_link, status=400)


def _what_happens_next(check_in: CheckIn, given: CheckInAnswer) -> list[str]:
    scheme = check_in.relationship.scheme.name
    if given == CheckInAnswer.NEED_HELP:
        return [f"We have told the {scheme} administrators that you need help. They will "
                "contact you by email to talk about what would help."]
    if given == CheckInAnswer.WANT_TO_END:
        return [f"We have told the {scheme} administrators, in case you would like to talk it "
                "through with them first.",
                "You can end the mentoring yourself whenever you are ready. It is nobody's "
                "fault, and the other person is told only that it has ended, not why."]
    return ["Thank you. Keep going with your sessions and your action plan."]


@bp.route("/check-in/<token>", methods=["GET", "POST"])
@public("the emailed one-tap answers to a check-in, authorised by its token")
def check_in_link(token: str):
    """Anyone with the emailed link (its token): the person it was sent to answers the
    check-in. The GET only shows the answer they tapped, with one button; the POST answers."""
    check_in, person, party = relationship_links.check_check_in_link(token, viewer())
    if not relationship_links.check_in_link_is_live(check_in, party):
        if viewer() is not None:  # the link's own person (anyone else was refused above)
            return redirect(url_for("relationships.check_in",
                                    relationship_id=check_in.relationship_id,
                                    check_in_id=check_in.id), 303)
        raise relationship_links.spent_check_in_link(check_in, party)
    form = CheckInForm()
    action = url_for("relationships.check_in_link", token=token)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _refused(check_in, party, form, action, by_link=True)
        given = CheckInAnswer(form.answer.data)
        check_ins.answer(check_in.id, person, given, via="email link", ip=client_ip())
        onward = (("End the mentoring", url_for("relationships.end",
                                                relationship_id=check_in.relationship_id))
                  if given == CheckInAnswer.WANT_TO_END else
                  ("See the check-in", url_for("relationships.check_in",
                                               relationship_id=check_in.relationship_id,
                                               check_in_id=check_in.id)))
        return links.done(f"You said: {given.label}", *_what_happens_next(check_in, given),
                          link=onward)
    if request.args.get("answer") in {a.value for a in CheckInAnswer}:
        form.answer.data = request.args["answer"]
    return _check_in_page(check_in, party, form, action, by_link=True)


@bp.route("/<int:relationship_id>/check-ins/<int:check_in_id>", methods=["GET", "POST"])
@signed_in
def check_in(relationship_id: int, check_in_id: int):
    """The relationship's mentor or mentee: a check-in, their own answer (or the form to give
    it) and the other person's answer. Anyone else gets 404."""
    found, party = queries.check_in_for_party_or_404(relationship_id, check_in_id, current_user)
    form = CheckInForm()
    action = url_for("relationships.check_in", relationship_id=relationship_id,
                     check_in_id=check_in_id)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _refused(found, party, form, action, by_link=False)
        given = CheckInAnswer(form.answer.data)
        check_ins.answer(found.id, current_user, given, via="portal", ip=client_ip())
        flash(" ".join([f"You said: {given.label}.", *_what_happens_next(found, given)]),
              "success")
        return redirect(action, 303)
    return _check_in_page(found, party, form, action, by_link=False)


# --- ending ---------------------------------------------------------------------------------------

@bp.route("/<int:relationship_id>/end", methods=["GET", "POST"])
@signed_in
def end(relationship_id: int):
    """Either of the pair, or an administrator of the scheme (404 for anyone else): end the
    relationship, without blame, giving a reason only the administrators see."""
    relationship = queries.get(relationship_id)
    if relationship is None or not ending.may_see_ending(relationship, current_user):
        raise queries.RelationshipNotFound()
    party = relationship.party(current_user.id)
    form = EndForm()
    if party is None:  # an administrator: the reason is for the scheme's records
        form.for_administrator = True
        form.category.label.text = "Why is the scheme ending it?"
        form.reason.label.text = "The reason"
        form.category.description = "The pair are not shown the reason."
        form.submit.label.text = "End this mentoring relationship"
    if form.validate_on_submit():
        category = EndCategory(form.category.data) if form.category.data else None
        ending.end(relationship.id, current_user, category=category,
                   reason=form.reason.data or "", ip=client_ip())
        flash("The mentoring relationship has ended. We have emailed you both.", "success")
        return redirect(url_for("main.dashboard"), 303)
    return render_template("relationships/end.html", form=form, relationship=relationship,
                           party=party, other_name=ending.other_name(relationship, party)), (
        400 if form.errors else 200)

