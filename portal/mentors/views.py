"""Mentor profiles, search and the shortlist."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from portal import drafts, htmx
from portal.accounts.models import Role
from portal.auth import role_required, safe_path, signed_in
from portal.errors import DomainError
from portal.mentors import profiles, queries
from portal.mentors import search as finder
from portal.mentors import shortlist as shortlisting
from portal.mentors.forms import NoteForm, ProfileForm, SearchForm
from portal.mentors.models import MentorProfile, ProfileState
from portal.relationships import queries as relationship_queries
from portal.schemes.queries import get_scheme_or_404

bp = Blueprint("mentors", __name__)


# --- a mentor's own profiles --------------------------------------------------------------------

@bp.route("/mentors/profiles")
@role_required(Role.MENTOR)
def my_profiles():
    """Mentors: their mentor profile in each scheme they mentor in."""
    return render_template("mentors/my_profiles.html",
                           items=queries.profiles_of(current_user))


@bp.route("/mentors/profiles/new/<slug>", methods=["GET", "POST"])
@role_required(Role.MENTOR)
def create_profile(slug: str):
    """Mentors in the scheme: create their profile there, saved as a draft."""
    scheme = get_scheme_or_404(slug)
    if not current_user.has_role(Role.MENTOR, scheme.id):
        abort(403, description=f"You are not a mentor in {scheme.name}. Join it as a mentor "
                               "first, from the scheme's page.")
    existing = next((p for s, p in queries.profiles_of(current_user)
                     if s.id == scheme.id and p is not None), None)
    if existing is not None:
        return redirect(url_for(".edit_profile", profile_id=existing.id), 303)
    draft = (drafts.newer_than(current_user.id, drafts.profile_key(scheme.id), None)
             if request.method == "GET" else None)
    form = ProfileForm(scheme=scheme, data={"display_name": current_user.full_name},
                       **({"formdata": drafts.formdata(draft)} if draft else {}))
    if form.validate_on_submit():
        profile = profiles.create(current_user, scheme, form.values())
        flash("Your profile is saved as a draft. Only you can see it. Check it, then publish it "
              "so that mentees can find you.", "success")
        return redirect(url_for(".preview_profile", profile_id=profile.id), 303)
    return render_template("mentors/edit.html", form=form, scheme=scheme, profile=None,
                           draft=draft), 400 if form.errors else 200


@bp.route("/mentors/profiles/new/<slug>/draft", methods=["POST"])
@role_required(Role.MENTOR)
def create_profile_draft(slug: str):
    """Mentors in the scheme: keep what the new-profile form holds as a draft (htmx, as they
    type), so nothing is lost if their session ends before they save."""
    scheme = get_scheme_or_404(slug)
    if not current_user.has_role(Role.MENTOR, scheme.id):
        abort(403, description=f"You are not a mentor in {scheme.name}.")
    return drafts.keep(ProfileForm(scheme=scheme), drafts.profile_key(scheme.id),
                       current_user.id, request.form)


@bp.route("/mentors/<int:profile_id>/edit", methods=["GET", "POST"])
@signed_in
def edit_profile(profile_id: int):
    """The profile's owner (signed in): edit their mentor profile."""
    profile = queries.owned_or_404(profile_id, current_user)
    draft = (drafts.newer_than(current_user.id, drafts.profile_key(profile.scheme_id),
                               profile.updated_at) if request.method == "GET" else None)
    form = ProfileForm(obj=profile, scheme=profile.scheme,
                       require_complete=profile.state != ProfileState.DRAFT,
                       **({"formdata": drafts.formdata(draft)} if draft else {}))
    if form.validate_on_submit():
        profiles.update(profile.id, current_user, form.values())
        flash("Your changes are saved." + (" Mentees can see them now."
                                           if profile.state == ProfileState.PUBLISHED else ""),
              "success")
        return redirect(url_for(".preview_profile", profile_id=profile_id), 303)
    return render_template("mentors/edit.html", form=form, scheme=profile.scheme,
                           profile=profile, draft=draft), 400 if form.errors else 200


@bp.route("/mentors/<int:profile_id>/edit/draft", methods=["POST"])
@signed_in
def edit_profile_draft(profile_id: int):
    """The profile's owner (signed in): keep what the edit form holds as a draft (htmx, as
    they type), so nothing is lost if their session ends before they save."""
    profile = queries.owned_or_404(profile_id, current_user)
    return drafts.keep(ProfileForm(scheme=profile.scheme), drafts.profile_key(profile.scheme_id),
                       current_user.id, request.form)


@bp.route("/mentors/<int:profile_id>/preview")
@signed_in
def preview_profile(profile_id: int):
    """The profile's owner (signed in): preview it, and what it lacks to be published."""
    profile = queries.owned_or_404(profile_id, current_user)
    return render_template("mentors/preview.html", profile=profile,
                           missing=profiles.missing_for_publication(profiles.values_of(profile)))


@bp.route("/mentors/<int:profile_id>/publish", methods=["POST"])
@signed_in
def publish_profile(profile_id: int):
    """The profile's owner (signed in): publish it, so mentees in its scheme can find it."""
    queries.owned_or_404(profile_id, current_user)
    try:
        profile = profiles.publish(profile_id, current_user)
    except profiles.IncompleteProfile as error:
        return render_template("mentors/preview.html",
                               profile=queries.owned_or_404(profile_id, current_user),
                               missing=error.missing, publish_refused=True,
                               page_has_errors=True), 409
    flash(f"Your profile is published. Mentees in {profile.scheme.name} can now find it.",
          "success")
    return redirect(url_for(".preview_profile", profile_id=profile_id), 303)


@bp.route("/mentors/<int:profile_id>/hide", methods=["POST"])
@signed_in
def hide_profile(profile_id: int):
    """The profile's owner (signed in): hide it from mentees, keeping what they wrote."""
    queries.owned_or_404(profile_id, current_user)
    profiles.hide(profile_id, current_user)
    flash("Your profile is hidden. Mentees cannot find or open it until you publish it again. "
          "Nothing you wrote is lost.", "success")
    return redirect(url_for(".preview_profile", profile_id=profile_id), 303)


# --- what everyone else sees ---------------------------------------------------------------------

@bp.route("/mentors/<int:profile_id>")
@signed_in
def profile(profile_id: int):
    """Signed-in people in its scheme (or its owner): a mentor's published profile."""
    profile = queries.visible_or_404(profile_id, current_user)
    can_shortlist = (profile.is_visible and profile.user_id != current_user.id
                     and current_user.has_role(Role.MENTEE, profile.scheme_id))
    shortlisted = can_shortlist and bool(queries.shortlisted_ids(current_user, [profile.id]))
    return render_template("mentors/profile.html", profile=profile, can_shortlist=can_shortlist,
                           shortlisted=shortlisted)


@bp.route("/search")
@role_required(Role.MENTEE)
def search():
    """Mentees: search the published mentor profiles in their schemes."""
    schemes = queries.mentee_schemes(current_user)
    form = SearchForm(request.args, schemes=schemes)
    criteria = form.clean()
    page = finder.search(finder.Criteria(**criteria), current_user,
                         per_page=current_app.config["SEARCH_PAGE_SIZE"],
                         window=current_app.config["SEARCH_RANK_WINDOW"])
    args = request.args.to_dict(flat=False)
    args.pop("page", None)

    def page_url(number: int) -> str:
        return url_for(".search", **args, page=number)

    def search_url(**changes) -> str:
        """This search with some of its values changed (None: dropped), from page 1."""
        changed = {**args, **changes}
        return url_for(".search", **{k: v for k, v in changed.items() if v not in (None, [])})

    # Nothing found is never a dead end: each filter in use, to drop (see SearchForm.in_use).
    drops = ([(label, search_url(**{name: None})) for name, label in form.in_use(criteria)]
             if not page.results else [])
    return htmx.render("mentors/search.html", fragment="mentors/_results.html", form=form,
                       page=page, schemes=schemes, page_url=page_url, search_url=search_url,
                       drops=drops,
                       shortlisted=queries.shortlisted_ids(current_user,
                                                             [p.id for p in page.results]),
                       oob=htmx.is_fragment_request())


# --- the shortlist -------------------------------------------------------------------------------

@bp.route("/shortlist")
@role_required(Role.MENTEE)
def shortlist():
    """Mentees: their shortlist of mentors, by scheme, with their private notes."""
    return _shortlist_page()


def _shortlist_page(failed: NoteForm | None = None, failed_id: int | None = None,
                    status: int = 200):
    entries = queries.entries_of(current_user)
    counts = queries.counts_by_scheme(current_user)
    notes = {entry.profile_id: _note_form(entry.profile, formdata=None, note=entry.note)
             for entry in entries}
    if failed is not None:
        notes[failed_id] = failed
    groups = [(scheme, [e for e in entries if e.scheme_id == scheme.id], counts.get(scheme.id, 0))
              for scheme in queries.mentee_schemes(current_user)]
    ended = relationship_queries.ended_early_with(current_user.id,
                                                  [entry.profile_id for entry in entries])
    return render_template("mentors/shortlist.html", groups=groups, notes=notes, ended=ended,
                           page_has_errors=failed is not None), status


def _note_form(profile: MentorProfile | None, profile_id: int | None = None, **kwargs) -> NoteForm:
    """The note form for one shortlisted mentor: its own field names, and a label naming them."""
    form = NoteForm(prefix=f"p{profile.id if profile else profile_id}", **kwargs)
    if profile is not None:
        form.note.label.text = f"Your private note about {profile.display_name}"
    return form


def _back() -> str:
    """Where a plain form post returns to: the page it came from, if it is one of ours."""
    return safe_path(request.form.get("next")) or url_for(".shortlist")


def _toggle_button(profile_id: int, shortlisted: bool, error: DomainError | None = None):
    profile = queries.for_viewer(profile_id, current_user)
    return htmx.render("mentors/_shortlist_button.html", profile=profile, profile_id=profile_id,
                       shortlisted=shortlisted, error=error, next_url=_back())


@bp.route("/shortlist/<int:profile_id>/add", methods=["POST"])
@role_required(Role.MENTEE)
def shortlist_add(profile_id: int):
    """Mentees: add a mentor they can see to their shortlist."""
    try:
        entry = shortlisting.add(current_user, profile_id)
    except DomainError as error:
        if not htmx.is_fragment_request():
            raise
        # htmx swaps only successful answers: show the reason where the button was.
        return _toggle_button(profile_id, shortlisted=False, error=error)
    if htmx.is_fragment_request():
        return _toggle_button(profile_id, shortlisted=True)
    flash(f"{entry.profile.display_name} is on your shortlist.", "success")
    return redirect(_back(), 303)


@bp.route("/shortlist/<int:profile_id>/remove", methods=["POST"])
@role_required(Role.MENTEE)
def shortlist_remove(profile_id: int):
    """Mentees: take a mentor off their shortlist."""
    queries.listed_or_visible_or_404(current_user, profile_id)
    shortlisting.remove(current_user, profile_id)
    if htmx.is_fragment_request():
        return _toggle_button(profile_id, shortlisted=False)
    flash("The mentor is no longer on your shortlist.", "success")
    return redirect(_back(), 303)


@bp.route("/shortlist/<int:profile_id>/note", methods=["POST"])
@role_required(Role.MENTEE)
def shortlist_note(profile_id: int):
    """Mentees: save their private note about a mentor on their shortlist."""
    queries.listed_or_visible_or_404(current_user, profile_id)
    form = _note_form(queries.profile_by_id(profile_id), profile_id)
    if not form.validate_on_submit():
        if htmx.is_fragment_request():
            return htmx.render("mentors/_note.html", form=form, profile_id=profile_id)
        return _shortlist_page(failed=form, failed_id=profile_id, status=400)
    shortlisting.save_note(current_user, profile_id, form.note.data or "")
    if htmx.is_fragment_request():
        return htmx.render("mentors/_note.html", form=form, profile_id=profile_id, saved=True)
    flash("Your note is saved.", "success")
    return redirect(url_for(".shortlist") + f"#mentor-{profile_id}", 303)
