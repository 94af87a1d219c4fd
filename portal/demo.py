"""Demo data: the five shipped schemes and about sixty invented people to try the portal with.

The people are data, in portal/schemes/demo-people.toml beside the scheme packs; this module
reads them and seeds them. `flask demo seed` creates whatever is missing and leaves everything
else alone, so it is safe to run again, and changes made while trying the portal survive. Every
person is invented. Addresses are on made-up domains, and phone numbers come from Ofcom's range
kept for drama (07700 900xxx).
"""

from __future__ import annotations

import datetime as dt
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.accounts.models import Membership, Role, User
from portal.calls.models import ApprovalState, LineManagerApproval
from portal.db import utcnow
from portal.extensions import db
from portal.mentors.models import (
    MeetingFormat,
    MentorProfile,
    ProfileExpertise,
    ProfileState,
    Sector,
)
from portal.schemes import packs
from portal.schemes.models import Scheme

PEOPLE_FILE = Path(__file__).parent / "schemes" / "demo-people.toml"


@dataclass(frozen=True)
class DemoMentor:
    scheme: str
    name: str
    job_title: str
    organisation: str
    grade: str
    areas: tuple[str, ...]
    background: str
    offer: str
    experience: str
    location: str
    email: str
    meeting_format: MeetingFormat = MeetingFormat.EITHER
    capacity: int = 2
    sector: Sector = Sector.PUBLIC
    accepting: bool = True
    state: ProfileState = ProfileState.PUBLISHED


@dataclass(frozen=True)
class DemoPerson:
    """A mentee or an administrator: someone with memberships but no profile."""

    name: str
    email: str
    roles: tuple[tuple[str, Role], ...]
    #: (name, email) of a line manager who has already agreed, in schemes that ask for one.
    line_manager: tuple[str, str] | None = None


def address(name: str, domain: str) -> str:
    """'Siobhán O'Neill' -> 'siobhan.oneill@domain'."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    local = ".".join("".join(c for c in part if c.isalnum()) for part in plain.split())
    return f"{local}@{domain}"


def phone(n: int) -> str:
    """A number from Ofcom's drama range, which never rings anyone."""
    return f"07700 900{n:03d}"


@dataclass(frozen=True)
class People:
    """Everyone in the demo, in the file's order (which fixes each person's phone number)."""

    domains: dict[str, str]
    mentors: tuple[DemoMentor, ...]
    administrators: tuple[DemoPerson, ...]
    mentees: tuple[DemoPerson, ...]
    #: Mentors who registered as mentees too, as the GLA Group toolkit invites people to.
    both: tuple[DemoPerson, ...]
    #: Pairs whose mentoring is under way: (scheme slug, mentee, mentor's name).
    pairs: tuple[tuple[str, DemoPerson, str], ...] = ()

    @property
    def others(self) -> tuple[DemoPerson, ...]:
        return (*self.administrators, *self.mentees, *self.both,
                *(mentee for _, mentee, _ in self.pairs))


def load_people(path: Path = PEOPLE_FILE) -> People:
    """Read the demo people: addresses come from each name and its scheme's domain."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    domains = data["domains"]
    schemes = [slug for slug in domains if slug != "administrators"]
    mentors = []
    for row in data["mentors"]:
        row = dict(row)
        row.pop("also_mentee", None)
        mentors.append(DemoMentor(
            **{**row, "areas": tuple(row["areas"]),
               "email": address(row["name"], domains[row["scheme"]]),
               "meeting_format": MeetingFormat(row.get("meeting_format", "either")),
               "sector": Sector(row.get("sector", "public")),
               "state": ProfileState(row.get("state", "published"))}))
    administrators = []
    for row in data["administrators"]:
        of = schemes if row["schemes"] == "all" else row["schemes"]
        domain = domains["administrators"] if row["schemes"] == "all" else domains[of[0]]
        administrators.append(DemoPerson(row["name"], address(row["name"], domain),
                                         tuple((slug, Role.ADMIN) for slug in of)))
    mentees = []
    for row in data["mentees"]:
        domain = domains[row["scheme"]]
        manager = row.get("line_manager")
        mentees.append(DemoPerson(row["name"], address(row["name"], domain),
                                  ((row["scheme"], Role.MENTEE),),
                                  (manager, address(manager, domain)) if manager else None))
    both = tuple(DemoPerson(m.name, m.email, ((m.scheme, Role.MENTEE),))
                 for m, row in zip(mentors, data["mentors"], strict=True) if row.get("also_mentee"))
    pairs = tuple((row["scheme"], DemoPerson(row["mentee"],
                                             address(row["mentee"], domains[row["scheme"]]),
                                             ((row["scheme"], Role.MENTEE),)), row["mentor"])
                  for row in data.get("pairs", []))
    return People(domains, tuple(mentors), tuple(administrators), tuple(mentees), both, pairs)


# --- seeding -----------------------------------------------------------------------------------

@dataclass
class Tally:
    created: int = 0
    existing: int = 0

    def add(self, created: bool) -> None:
        if created:
            self.created += 1
        else:
            self.existing += 1


def _schemes(session, people: People) -> dict[str, Scheme]:
    """The shipped schemes, creating any that are missing (existing ones are not overwritten)."""
    schemes = {}
    for path in packs.pack_paths():
        data = packs.read_pack(path)
        scheme = session.scalar(sa.select(Scheme).where(Scheme.slug == data["slug"]))
        if scheme is None:
            scheme, _ = packs.load_pack(session, data)
        schemes[scheme.slug] = scheme
    missing = {m.scheme for m in people.mentors} - set(schemes)
    if missing:
        raise click.ClickException(f"No scheme pack for {', '.join(sorted(missing))}.")
    return schemes


def _member(user: User, scheme: Scheme, role: Role) -> None:
    if not any(m.scheme is scheme and m.role == role for m in user.memberships):
        user.memberships.append(Membership(scheme=scheme, role=role,
                                           eligibility_confirmed_at=utcnow()))


def _profile(session, user: User, scheme: Scheme, mentor: DemoMentor) -> bool:
    """Add the mentor's profile unless they already have one in the scheme."""
    if user.id is not None and session.scalar(sa.select(MentorProfile.id).where(
            MentorProfile.user_id == user.id, MentorProfile.scheme_id == scheme.id)):
        return False
    unknown = set(mentor.areas) - set(scheme.expertise_areas)
    if unknown:
        raise click.ClickException(f"{mentor.name}: {', '.join(sorted(unknown))} is not an "
                                   f"expertise area of {scheme.slug}. No demo data was added.")
    session.add(MentorProfile(
        user=user, scheme=scheme, display_name=mentor.name, job_title=mentor.job_title,
        organisation=mentor.organisation, sector=mentor.sector, grade=mentor.grade,
        background=mentor.background, offer=mentor.offer, experience=mentor.experience,
        meeting_format=mentor.meeting_format, location=mentor.location,
        capacity=mentor.capacity, accepting=mentor.accepting, state=mentor.state,
        published_at=None if mentor.state == ProfileState.DRAFT else utcnow(),
        expertise_links=[ProfileExpertise(area=area) for area in mentor.areas],
    ))
    return True


def _approved(session, user: User, scheme: Scheme, name: str, email: str) -> None:
    """Record that the mentee's line manager has agreed, so they can request calls at once."""
    if user.id is not None and session.scalar(sa.select(LineManagerApproval.id).where(
            LineManagerApproval.mentee_id == user.id,
            LineManagerApproval.scheme_id == scheme.id)):
        return
    now = utcnow()
    session.add(LineManagerApproval(scheme=scheme, mentee=user, manager_name=name,
                                    manager_email=email, state=ApprovalState.APPROVED,
                                    requested_at=now, decided_at=now))


def seed() -> dict[str, Tally]:
    """Create the demo schemes and people that are missing, in one transaction."""
    session = db.session
    people = load_people()
    schemes = _schemes(session, people)
    names: dict[str, str] = {}  # email -> name, in a fixed order so phone numbers are stable
    for person in (*people.mentors, *people.others):
        names.setdefault(person.email, person.name)
    users = {u.email: u for u in session.scalars(sa.select(User).where(User.email.in_(names)))}
    tallies = {"people": Tally(), "profiles": Tally()}
    for n, (email, name) in enumerate(names.items()):
        created = email not in users
        if created:
            users[email] = User(email=email, full_name=name, phone=phone(n))
            session.add(users[email])
        tallies["people"].add(created)
    for mentor in people.mentors:
        user, scheme = users[mentor.email], schemes[mentor.scheme]
        _member(user, scheme, Role.MENTOR)
        tallies["profiles"].add(_profile(session, user, scheme, mentor))
    for person in people.others:
        for slug, role in person.roles:
            _member(users[person.email], schemes[slug], role)
            if person.line_manager and role == Role.MENTEE:
                _approved(session, users[person.email], schemes[slug], *person.line_manager)
    session.commit()
    tallies["pairs"] = Tally()
    for slug, mentee, mentor_name in people.pairs:
        mentor = next(m for m in people.mentors if m.name == mentor_name and m.scheme == slug)
        tallies["pairs"].add(_running_pair(users[mentee.email], users[mentor.email],
                                           schemes[slug]))
    return tallies


#: The terms the demo pair agreed, as they would type them.
PAIR_TERMS = {
    "duration_months": 12, "sessions": 5, "frequency": "Every two to three months",
    "min_minutes": 60, "max_minutes": 90, "meeting_format": "either",
    "meeting_place": "Alternating between our offices, or a video call",
    "contact_between": "Only to rearrange sessions", "notice_hours": 48,
    "arranges_meetings": "mentee", "sets_agenda": "mentee",
    "goals": ["Lead my team through the next inspection with confidence",
              "Build a network of peers in other councils"],
    "phone": "",
}


def _running_pair(mentee: User, mentor: User, scheme: Scheme) -> bool:
    """A pair whose mentoring is under way, made through the portal's own verbs (each commits):
    they said "let's work together" after a call, agreed the terms, both signed, the mentee
    submitted; the first session is booked and the action plan begun. Nothing if the pair
    already exist (the demo may be seeded again)."""
    from portal.agreements import signing, submission, terms
    from portal.agreements.models import Agreement
    from portal.relationships import actions, sessions
    from portal.relationships.models import ActionOwner, Relationship, SessionFormat
    from portal.templating import LONDON

    session = db.session
    profile = session.scalars(sa.select(MentorProfile).where(
        MentorProfile.user_id == mentor.id, MentorProfile.scheme_id == scheme.id)).one()
    if session.scalar(sa.select(Relationship.id).where(Relationship.mentee_id == mentee.id,
                                                       Relationship.profile_id == profile.id)):
        return False
    # As after both said yes: the relationship holds one of the mentor's places.
    relationship = Relationship(scheme=scheme, mentor=mentor, mentee=mentee,
                                profile_id=profile.id)
    profile.places_taken += 1
    session.add(relationship)
    session.commit()  # the agreement opens with the relationship
    agreement = session.scalars(sa.select(Agreement).where(
        Agreement.relationship_id == relationship.id)).one()
    today = utcnow().astimezone(LONDON).date()
    for person in (mentee, mentor):
        terms.update_terms(agreement.id, person,
                           {**PAIR_TERMS, "start_date": today, "email": person.email,
                            "review_date": today + dt.timedelta(days=182)},
                           ip_address="127.0.0.1")
    terms.send_for_signatures(agreement.id, mentee, ip_address="127.0.0.1")
    for person in (mentor, mentee):
        version = session.get(Agreement, agreement.id).current_version
        signing.sign(agreement.id, person, version_number=version.number,
                     shown_sha256=version.sha256, typed_name=person.full_name, confirmed=True,
                     ip_address="127.0.0.1", user_agent="Demo data", via="portal")
    submission.submit(agreement.id, mentee, ip_address="127.0.0.1", via="portal")
    first = dt.datetime.combine(today + dt.timedelta(days=10), dt.time(10), tzinfo=LONDON)
    sessions.book(relationship.id, mentee, starts_at=first.astimezone(dt.UTC), minutes=60,
                  format=SessionFormat.IN_PERSON,
                  place="County Hall, Room 2.14")
    actions.record(relationship.id, mentee,
                   what="List what went well and what did not at the last inspection",
                   owner=ActionOwner.MENTEE, due_on=today + dt.timedelta(days=7),
                   goal=PAIR_TERMS["goals"][0], session_id=None)
    return True


def sign_in_guide(base_url: str, development: bool) -> list[str]:
    """Lines telling a person trying the demo whom to sign in as, and how."""
    people = load_people()
    schemes = {s.slug: s.name for s in db.session.scalars(sa.select(Scheme))}

    def scheme(slug: str) -> str:
        return schemes.get(slug, slug)

    lines = [
        "How to sign in (there are no passwords):",
        f"  1. Open the sign-in page: {base_url}/sign-in",
        "  2. Enter one of the email addresses below and ask for a link.",
    ]
    if development:
        lines.append(f"  3. Open the link from the local mailbox: {base_url}/dev/mail/")
    else:
        lines.append("  3. Open the link from the email the portal sends.")
    for admin in people.administrators:
        slugs = [slug for slug, _ in admin.roles]
        lines += ["", f"Administrator of {scheme(slugs[0])} only:" if len(slugs) == 1
                  else "Administrator of all five schemes:" if len(slugs) == 5
                  else f"Administrator of all {len(slugs)} schemes:",
                  f"  {admin.email:<44} {admin.name}"]
    lines += ["", "Mentees, one for each scheme:"]
    in_order = [slug for slug in people.domains if slug != "administrators"]
    for slug in in_order:
        mentee = next(p for p in people.mentees if p.roles[0][0] == slug)
        lines.append(f"  {mentee.email:<44} {scheme(slug)}")
    waiting = people.mentees[-1]
    lines += ["", "A mentee who still needs to ask their line manager:",
              f"  {waiting.email:<44} {scheme(waiting.roles[0][0])}"]
    for slug, mentee, mentor in people.pairs:
        lines += ["", f"A mentee whose mentoring with {mentor} is under way:",
                  f"  {mentee.email:<44} {scheme(slug)}"]
    for both in people.both:
        lines += ["", "Mentor and mentee in the same scheme:",
                  f"  {both.email:<44} {scheme(both.roles[0][0])}"]
    lines += ["", "Mentors:"]
    also_mentees = {p.email for p in people.both}
    for slug in in_order:
        mentor = next(m for m in people.mentors if m.scheme == slug and m.email not in also_mentees
                      and m.state == ProfileState.PUBLISHED and m.accepting)
        lines.append(f"  {mentor.email:<44} {mentor.job_title}, {mentor.organisation}")
    draft = next(m for m in people.mentors if m.state == ProfileState.DRAFT)
    lines += ["", "A mentor whose profile is still a draft:",
              f"  {draft.email:<44} {scheme(draft.scheme)}"]
    return lines


def register(app: Flask) -> None:
    demo_cli = AppGroup("demo", help="Demo data for trying the portal.")

    @demo_cli.command("seed")
    def seed_command() -> None:
        """Create the five schemes, about sixty mentors, some mentees and two administrators."""
        if current_app.config["PORTAL_ENV"] == "production":
            raise click.ClickException("Demo data is for trying the portal. It cannot be added "
                                       "to a production portal.")
        try:
            tallies = seed()
        except packs.PackError as error:
            raise click.ClickException(f"{error}. No demo data was added.") from None
        profiles = db.session.scalar(sa.select(sa.func.count()).select_from(MentorProfile))
        published = db.session.scalar(sa.select(sa.func.count()).select_from(MentorProfile)
                                       .where(MentorProfile.state == ProfileState.PUBLISHED))
        people, made = tallies["people"], tallies["profiles"]
        click.echo(f"Demo data ready. Added {people.created} people and {made.created} mentor "
                   f"profiles; {people.existing} people were already there.")
        click.echo(f"The portal now has {profiles} mentor profiles, {published} of them published.")
        click.echo("")
        config = current_app.config
        for line in sign_in_guide(config["BASE_URL"], config["PORTAL_ENV"] == "development"):
            click.echo(line)

    app.cli.add_command(demo_cli)


