"""`flask demo seed`: five schemes and about sixty invented people to try the portal with."""

from __future__ import annotations

import re
from collections import Counter

import sqlalchemy as sa

from portal.accounts.models import Membership, Role, User
from portal.calls.models import LineManagerApproval
from portal.calls.requesting import refusal
from portal.extensions import db
from portal.mentors.models import MentorProfile, ProfileExpertise, ProfileState, Sector
from portal.schemes.models import Scheme

SIGN_IN = "http://portal.test/sign-in"
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def seed(runner) -> str:
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return result.output


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def counts() -> dict[str, int]:
    return {model.__name__: count(model) for model in
            (Scheme, User, Membership, MentorProfile, ProfileExpertise, LineManagerApproval)}


def profiles() -> list[MentorProfile]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(MentorProfile)))


def holders(role: Role) -> dict[User, set[str]]:
    """Each person with the role, and the slugs of the schemes they hold it in."""
    found: dict[User, set[str]] = {}
    for membership in db.session.scalars(sa.select(Membership).where(Membership.role == role)):
        found.setdefault(membership.user, set()).add(membership.scheme.slug)
    return found


def test_demo_seed_creates_five_schemes_with_published_mentors_in_each(runner):
    seed(runner)

    slugs = {s.slug for s in db.session.scalars(sa.select(Scheme))}
    assert slugs == {"herts-planning", "west-suffolk", "east-midlands-childrens", "gla-group",
                     "act-project"}
    everyone = profiles()
    assert 55 <= len(everyone) <= 65
    published = Counter(p.scheme.slug for p in everyone if p.state == ProfileState.PUBLISHED)
    assert set(published) == slugs
    assert min(published.values()) >= 8
    # Each profile belongs to a mentor of its scheme.
    for profile in everyone:
        assert profile.user.has_role(Role.MENTOR, profile.scheme_id)


def test_demo_seed_creates_mentees_and_administrators(runner):
    seed(runner)
    slugs = {s.slug for s in db.session.scalars(sa.select(Scheme))}

    mentees = holders(Role.MENTEE)
    assert set().union(*mentees.values()) == slugs
    assert 5 <= len(mentees) <= 10
    both = [user for user, schemes in mentees.items()
            if any(user.has_role(Role.MENTOR, m.scheme_id) for m in user.memberships
                   if m.role == Role.MENTEE)]
    assert len(both) == 1

    admins = holders(Role.ADMIN)
    assert sorted(len(schemes) for schemes in admins.values()) == [1, 5]


def test_demo_mentors_are_varied_like_real_people(runner):
    seed(runner)
    everyone = profiles()

    assert len({p.display_name for p in everyone}) == len(everyone)
    assert len({p.organisation for p in everyone}) >= 40
    assert len({p.job_title for p in everyone}) >= 50
    for profile in everyone:
        assert 2 <= len(profile.expertise) <= 4
        assert set(profile.expertise) <= set(profile.scheme.expertise_areas)
        assert 1 <= profile.capacity <= 4
        for text in (profile.background, profile.offer, profile.experience):
            assert 2 <= len(re.findall(r"[.?!](?:\s|$)", text)) <= 4, text
            # A profile never shows contact details.
            assert "@" not in text and not re.search(r"\d{5}", text)
    states = Counter(p.state for p in everyone)
    assert states[ProfileState.DRAFT] >= 2 and states[ProfileState.HIDDEN] >= 1
    assert 2 <= sum(not p.accepting for p in everyone) <= 6
    assert {p.meeting_format for p in everyone} == {"in_person", "online", "either"}
    sectors = {(p.scheme.slug, p.sector) for p in everyone}
    assert ("herts-planning", Sector.PRIVATE) in sectors  # private-sector mentors are welcome
    assert ("act-project", Sector.VOLUNTARY) in sectors
    assert {sector for slug, sector in sectors if slug == "gla-group"} == {Sector.PUBLIC}
    # Written like people, not filled in from a template: no opening dominates.
    for field in ("background", "offer", "experience"):
        openings = Counter(" ".join(getattr(p, field).split()[:3]) for p in everyone)
        assert openings.most_common(1)[0][1] <= len(everyone) // 6, field


def test_running_demo_seed_twice_changes_no_counts(runner):
    seed(runner)
    before = counts()

    output = seed(runner)

    assert counts() == before
    assert "Added 0 people and 0 mentor profiles" in output


def test_demo_seed_keeps_changes_made_while_trying_the_portal(runner):
    seed(runner)
    profile = profiles()[0]
    profile.job_title = "Chief Planner"
    profile.scheme.name = "Renamed by an administrator"
    db.session.commit()

    seed(runner)

    profile = db.session.get(MentorProfile, profile.id)
    assert profile.job_title == "Chief Planner"
    assert profile.scheme.name == "Renamed by an administrator"


def test_demo_seed_builds_on_schemes_already_loaded(runner):
    assert runner.invoke(args=["schemes", "load"]).exit_code == 0

    seed(runner)

    assert count(Scheme) == 5
    assert 55 <= count(MentorProfile) <= 65


def test_output_names_a_sign_in_address_for_each_kind_of_person(runner):
    output = seed(runner)

    assert SIGN_IN in output
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    printed = [users[address] for address in ADDRESS.findall(output)]  # each one exists
    scheme_ids = {s.id for s in db.session.scalars(sa.select(Scheme))}
    assert any(set(u.scheme_ids(Role.ADMIN)) == scheme_ids for u in printed)
    assert any(len(u.scheme_ids(Role.ADMIN)) == 1 for u in printed)
    assert {sid for u in printed for sid in u.scheme_ids(Role.MENTEE)} == scheme_ids
    mentors = [u for u in printed if u.has_role(Role.MENTOR) and not u.has_role(Role.MENTEE)]
    assert len(mentors) >= 3


def test_output_points_to_the_local_mailbox_in_development(app, runner):
    app.config["PORTAL_ENV"] = "development"
    app.config["BASE_URL"] = "http://localhost:5000"

    output = seed(runner)

    assert "http://localhost:5000/sign-in" in output
    assert "http://localhost:5000/dev/mail/" in output


def test_a_demo_person_can_ask_for_a_sign_in_link(runner, client, mailbox):
    output = seed(runner)
    mentee = re.search(r"Mentees, one for each scheme:\n\s+(\S+)", output).group(1)

    response = client.post_form("/sign-in", {"email": mentee})

    assert response.status_code == 303
    assert mailbox.last(mentee).template == "sign_in"


def test_demo_seed_refuses_a_production_portal(app, runner):
    app.config["PORTAL_ENV"] = "production"

    result = runner.invoke(args=["demo", "seed"])

    assert result.exit_code == 1
    assert "cannot be added to a production portal" in result.output
    assert counts() == dict.fromkeys(counts(), 0)


def test_printed_mentees_can_request_a_chemistry_call_straight_away(runner):
    output = seed(runner)
    block = output.split("Mentees, one for each scheme:")[1].split("\n\n")[0]
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    for address in ADDRESS.findall(block):
        mentee = users[address]
        scheme_id = mentee.scheme_ids(Role.MENTEE)[0]
        mentor = next(p for p in profiles() if p.scheme_id == scheme_id and p.has_capacity
                      and p.state == ProfileState.PUBLISHED and p.user_id != mentee.id)
        # Where the scheme asks for a line manager's agreement, it has been given.
        assert refusal(mentee, mentor) is None, address


def test_one_hertfordshire_mentee_still_has_to_ask_their_line_manager(runner):
    output = seed(runner)
    address = output.split("still needs to ask their line manager:")[1].split()[0]
    mentee = db.session.scalar(sa.select(User).where(User.email == address))
    mentor = next(p for p in profiles() if p.scheme.slug == "herts-planning" and p.has_capacity
                  and p.state == ProfileState.PUBLISHED)

    assert refusal(mentee, mentor).code == "approval_needed"


def test_one_pair_is_already_under_way_with_a_session_booked(runner, client, login):
    from portal.agreements.models import Agreement, AgreementState
    from portal.relationships.models import ActionItem, MentoringSession, Relationship

    output = seed(runner)
    seed(runner)  # twice: still one pair
    (relationship,) = db.session.scalars(sa.select(Relationship)).all()
    assert relationship.may_sessions_start
    agreement = db.session.scalars(sa.select(Agreement)).one()
    assert agreement.state == AgreementState.SUBMITTED and agreement.signed_version is not None
    assert count(MentoringSession) == 1 and count(ActionItem) == 1
    assert relationship.profile.places_taken == 1
    assert f"{relationship.mentee.email}" in output and "is under way" in output
    login(relationship.mentee)
    page = client.get(f"/relationships/{relationship.id}").get_data(as_text=True)
    assert "Your next session is on" in page
    assert "List what went well" in page
