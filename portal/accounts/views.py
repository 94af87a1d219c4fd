"""Sign in, register, join a scheme, accept an invitation to administer one, sign out, and a
person's own account (their name, phone number and email address)."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from portal.accounts import details, links, signin
from portal.accounts.forms import (
    DetailsForm,
    EmailChangeForm,
    JoinForm,
    RegisterForm,
    SignInForm,
)
from portal.accounts.models import Role
from portal.admin import appointing, inviting, leavers
from portal.admin.forms import AcceptInvitationForm
from portal.auth import client_ip, public, signed_in, viewer
from portal.forms import ConfirmForm
from portal.links import done
from portal.schemes.queries import get_scheme_or_404, list_schemes

bp = Blueprint("accounts", __name__)


def _start_session(user) -> None:
    session.clear()
    login_user(user)
    session.permanent = True
    session["signed_in_at"] = session["seen"] = time.time()


def _known_device_cookie() -> str:
    # __Host- makes browsers refuse it unless Secure, for this host only, as with the session.
    return "__Host-known-device" if current_app.config.get("SESSION_COOKIE_SECURE") \
        else "known-device"


def _remember_device(response, user):
    """Mark this browser as one the person has signed in from: its link requests then skip the
    cap that many clients together could use up (see portal/accounts/signin.py)."""
    response.set_cookie(_known_device_cookie(), signin.device_mark(user.email),
                        max_age=signin.KNOWN_DEVICE_DAYS * 24 * 3600, path="/",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
                        httponly=True, samesite="Lax")
    return response


@bp.route("/sign-in", methods=["GET", "POST"])
@public("anyone may ask for a sign-in link")
def sign_in():
    """Anyone: ask for a sign-in link to be emailed to their address."""
    form = SignInForm(next=request.args.get("next"))
    if form.validate_on_submit():
        signin.request_sign_in(form.email.data, client_ip(), form.next.data,
                               device=request.cookies.get(_known_device_cookie()))
        session["link_sent_to"] = masked_email(form.email.data)
        return redirect(url_for("accounts.check_email"), 303)
    return render_template("accounts/sign_in.html", form=form), 200 if not form.errors else 400


@bp.route("/sign-in/check-your-email")
@public("confirmation page after asking for a link")
def check_email():
    """Anyone: the page after asking for a link, showing part of the address it went to."""
    response = make_response(render_template("accounts/check_email.html",
                                             email=session.get("link_sent_to")))
    response.headers["Cache-Control"] = "no-store"  # it shows part of the person's address
    return response


def masked_email(email: str) -> str:
    """'jo•••@council.gov.uk': enough to spot a mistyped address, while the session cookie
    (signed, not encrypted) carries no one's email address."""
    local, _, domain = signin.normalise_email(email).rpartition("@")
    return f"{local[:2]}•••@{domain}"


@bp.route("/sign-in/<token>", methods=["GET", "POST"])
@public("emailed sign-in link, authorised by its token")
def use_sign_in_link(token: str):
    """Anyone with the emailed sign-in link (its token): confirm, then be signed in."""
    links.check_sign_in_link(token)  # a used, expired or tampered link stops here
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("errors/csrf.html"), 400
        user, next_path = signin.sign_in(token, client_ip())
        _start_session(user)
        flash(f"You are signed in as {user.full_name}.", "success")
        return _remember_device(redirect(next_path or url_for("main.dashboard"), 303), user)
    return render_template("accounts/continue.html", form=form,
                           action=url_for("accounts.use_sign_in_link", token=token),
                           title="Sign in to the mentoring portal",
                           lede="Select continue to finish signing in.")


@bp.route("/register")
@public("list of schemes to register for")
def register_choose():
    """Anyone: choose a scheme to register for."""
    return render_template("accounts/register_choose.html", schemes=list_schemes())


@bp.route("/schemes/<slug>/register", methods=["GET", "POST"])
@public("registration form")
def register(slug: str):
    """Anyone: register for a scheme in one or more roles; we email a link to confirm."""
    scheme = get_scheme_or_404(slug)
    form = RegisterForm()
    if form.validate_on_submit():
        signin.start_registration(scheme, [Role(r) for r in form.roles.data], form.full_name.data,
                                  form.email.data, client_ip(),
                                  device=request.cookies.get(_known_device_cookie()))
        session["link_sent_to"] = masked_email(form.email.data)
        return redirect(url_for("accounts.check_email"), 303)
    status = 400 if form.errors else 200
    return render_template("accounts/register.html", form=form, scheme=scheme), status


@bp.route("/register/<token>", methods=["GET", "POST"])
@public("emailed registration link, authorised by its token")
def confirm_registration(token: str):
    """Anyone with the emailed registration link (its token): finish registering and sign in."""
    link = links.check_registration_link(token)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("errors/csrf.html"), 400
        user = signin.complete_registration(token, client_ip())
        _start_session(user)
        flash(f"You have joined {link.scheme.name}.", "success")
        return _remember_device(redirect(url_for("main.dashboard"), 303), user)
    return render_template("accounts/continue.html", form=form,
                           action=url_for("accounts.confirm_registration", token=token),
                           title=f"Confirm your registration for {link.scheme.name}",
                           lede="Select continue to confirm your email address and finish "
                                "registering.")


@bp.route("/admin-invitation/<token>", methods=["GET", "POST"])
@public("emailed invitation to administer a scheme, authorised by its token")
def admin_invitation(token: str):
    """Anyone with the emailed invitation (its token), unless signed in as someone else: see
    who invited them to administer which scheme; POST accepts (making their account if they
    have none), then /done.

    Accepting does not sign anyone in: the invitation lives 14 days, far longer than a sign-in
    link should, and whoever holds a forwarded copy must not get into the desk with it. The
    invitee signs in as usual, by a link sent to their address."""
    link = links.check_invitation_link(token, viewer())
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("errors/csrf.html"), 400
        signed_in = viewer() is not None
        _, scheme = appointing.accept_invitation(token, viewer(), ip_address=client_ip())
        if signed_in:
            return done(f"You are now an administrator of {scheme.name}",
                        "You can see its requests, agreements and administrators from "
                        "administration.", link=("Go to administration", url_for("admin.index")))
        return done(f"You are now an administrator of {scheme.name}",
                    "Sign in with your email address to use administration: we will email you "
                    "a link.", link=("Sign in", url_for("accounts.sign_in", next="/admin")))
    return render_template("admin/invitation.html", form=form, link=link,
                           action=url_for("accounts.admin_invitation", token=token))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public("emailed invitation to join a scheme as a mentor or mentee, authorised by its token")
def join_invitation(token: str):
    """Anyone with the emailed invitation (its token), unless signed in as someone else: see
    which scheme and role they are invited to, with its eligibility statement; POST, with
    their name and the statement confirmed, registers them (or adds the role to their
    account), then /done.

    Accepting does not sign anyone in, as for administrators' invitations: the invitation lives
    30 days, and whoever holds a forwarded copy must not get into the account with it."""
    link = links.check_join_link(token, viewer())
    invitation = link.invitation
    form = AcceptInvitationForm()
    if request.method == "GET":
        form.full_name.data = (viewer().full_name if viewer() is not None
                               else invitation.full_name)
    elif form.validate_on_submit():
        signed_in = viewer() is not None
        user, _ = inviting.accept(token, viewer(), form.full_name.data, ip_address=client_ip())
        role = "a mentor" if invitation.role == Role.MENTOR else "a mentee"
        title = f"You have joined {invitation.scheme.name} as {role}"
        if signed_in:
            return done(title, "Your dashboard shows what to do first.",
                        link=("Go to your dashboard", url_for("main.dashboard")))
        return done(title, f"Sign in with {user.email} to start: we will email you a link.",
                    link=("Sign in", url_for("accounts.sign_in", next="/dashboard")))
    return render_template("accounts/invitation.html", form=form, invitation=invitation,
                           scheme=invitation.scheme,
                           existing=signin.find_user(invitation.email) is not None,
                           action=url_for("accounts.join_invitation", token=token)), (
        400 if form.errors else 200)


@bp.route("/schemes/<slug>/join", methods=["GET", "POST"])
@signed_in
def join(slug: str):
    """Signed-in people: join another scheme in one or more roles."""
    scheme = get_scheme_or_404(slug)
    form = JoinForm()
    if form.validate_on_submit():
        signin.join_scheme(current_user, scheme, [Role(role) for role in form.roles.data])
        flash(f"You have joined {scheme.name}.", "success")
        return redirect(url_for("main.dashboard"), 303)
    return render_template("accounts/join.html", form=form, scheme=scheme), (
        400 if form.errors else 200)


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out():
    """Signed-in people: sign out, ending all their sessions on every device."""
    signin.sign_out(current_user)
    logout_user()
    session.clear()
    return redirect(url_for("accounts.signed_out"), 303)


@bp.route("/session/keep-alive", methods=["POST"])
@signed_in
def keep_alive():
    """Signed-in people: stay signed in (the timeout warning's "Stay signed in" button)."""
    session["seen"] = time.time()
    return "", 204


@bp.route("/signed-out")
@public("page shown after signing out")
def signed_out():
    """Anyone: the page shown after signing out, or after a session has timed out."""
    return render_template("accounts/signed_out.html", timed_out=request.args.get("timeout"))


# --- your own account ------------------------------------------------------------------------

@bp.route("/account")
@signed_in
def account():
    """Signed-in people: their own account: name, email address, phone number, and the schemes
    they take part in and how."""
    return render_template("accounts/account.html", user=current_user)


@bp.route("/account/details", methods=["GET", "POST"])
@signed_in
def change_details():
    """Signed-in people: change their own name and phone number."""
    form = DetailsForm(obj=current_user) if request.method == "GET" else DetailsForm()
    if form.validate_on_submit():
        details.change_details(current_user.id, full_name=form.full_name.data,
                               phone=form.phone.data or "", ip_address=client_ip())
        flash("Your details have been saved.", "success")
        return redirect(url_for("accounts.account"), 303)
    return render_template("accounts/details.html", form=form), 400 if form.errors else 200


@bp.route("/account/email", methods=["GET", "POST"])
@signed_in
def change_email():
    """Signed-in people: ask to move their account to a new email address (a link goes to the
    new address; nothing changes until it is used)."""
    form = EmailChangeForm()
    if form.validate_on_submit():
        details.ask_to_change_email(current_user.id, form.email.data, ip_address=client_ip())
        flash(f"We have emailed a link to {masked_email(form.email.data)}. Your email address "
              f"changes when you use it, within {links.email_change_link_hours()} hours.",
              "success")
        return redirect(url_for("accounts.account"), 303)
    return render_template("accounts/email.html", form=form), 400 if form.errors else 200


@bp.route("/account/email/<token>", methods=["GET", "POST"])
@public("emailed link to confirm a new email address, authorised by its token")
def confirm_email(token: str):
    """Anyone with the link emailed to the new address (its token): confirm, and the account
    moves to that address; every session of the account ends."""
    link = links.check_email_change_link(token, viewer())
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("errors/csrf.html"), 400
        user = details.confirm_email_change(token, ip_address=client_ip())
        logout_user()
        session.clear()
        return done("Your email address has changed",
                    f"Your account now uses {user.email}. We have told your previous address.",
                    "For your security, you have been signed out everywhere. Sign in again "
                    "with your new address.",
                    link=("Sign in", url_for("accounts.sign_in")))
    return render_template("accounts/continue.html", form=form,
                           action=url_for("accounts.confirm_email", token=token),
                           title="Confirm your new email address",
                           lede=f"Select continue to move your account to {link.new_email}. "
                                "You will then sign in with that address.")


@bp.route("/schemes/<slug>/leave", methods=["GET", "POST"])
@signed_in
def leave(slug: str):
    """Signed-in people who are a mentor or mentee in the scheme (404 for anyone else): leave
    it (GET says what will happen and asks to confirm)."""
    scheme = get_scheme_or_404(slug)
    if not any(m.scheme_id == scheme.id and m.role in (Role.MENTOR, Role.MENTEE)
               for m in current_user.memberships):
        abort(404)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("errors/csrf.html"), 400
        leavers.leave(scheme.id, current_user, ip_address=client_ip())
        flash(f"You have left {scheme.name}.", "success")
        return redirect(url_for("accounts.account"), 303)
    return render_template("accounts/leave.html", scheme=scheme, form=form)
