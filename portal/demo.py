"""Demo data: the five shipped schemes and about sixty invented people to try the portal with.

`flask demo seed` creates whatever is missing and leaves everything else alone, so it is safe to
run again, and changes made while trying the portal survive. Every person is invented. Addresses
are on made-up domains, and phone numbers come from Ofcom's range kept for drama (07700 900xxx).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

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

HERTS, SUFFOLK, EAST_MIDS, GLA, ACT = (
    "herts-planning", "west-suffolk", "east-midlands-childrens", "gla-group", "act-project",
)

#: One invented domain per scheme, so an address shows which scheme its owner belongs to.
DOMAINS = {
    HERTS: "demo-herts.gov.uk",
    SUFFOLK: "demo-westsuffolk.gov.uk",
    EAST_MIDS: "demo-eastmidlands.gov.uk",
    GLA: "demo-london.gov.uk",
    ACT: "demo-act.org.uk",
}
ADMIN_DOMAIN = "demo-mentoring.gov.uk"

IN_PERSON, ONLINE, EITHER = MeetingFormat.IN_PERSON, MeetingFormat.ONLINE, MeetingFormat.EITHER
PUBLIC, PRIVATE, VOLUNTARY = Sector.PUBLIC, Sector.PRIVATE, Sector.VOLUNTARY
DRAFT, HIDDEN = ProfileState.DRAFT, ProfileState.HIDDEN


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
    meeting_format: MeetingFormat = EITHER
    capacity: int = 2
    sector: Sector = PUBLIC
    accepting: bool = True
    state: ProfileState = ProfileState.PUBLISHED

    @property
    def email(self) -> str:
        return address(self.name, DOMAINS[self.scheme])


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


def _schemes(session) -> dict[str, Scheme]:
    """The shipped schemes, creating any that are missing (existing ones are not overwritten)."""
    schemes = {}
    for path in packs.pack_paths():
        data = packs.read_pack(path)
        scheme = session.scalar(sa.select(Scheme).where(Scheme.slug == data["slug"]))
        if scheme is None:
            scheme, _ = packs.load_pack(session, data)
        schemes[scheme.slug] = scheme
    missing = {m.scheme for m in MENTORS} - set(schemes)
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
        published_at=None if mentor.state == DRAFT else utcnow(),
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
    schemes = _schemes(session)
    people: dict[str, str] = {}  # email -> name, in a fixed order so phone numbers are stable
    for person in (*MENTORS, *OTHERS):
        people.setdefault(person.email, person.name)
    users = {u.email: u for u in session.scalars(sa.select(User).where(User.email.in_(people)))}
    tallies = {"people": Tally(), "profiles": Tally()}
    for n, (email, name) in enumerate(people.items()):
        created = email not in users
        if created:
            users[email] = User(email=email, full_name=name, phone=phone(n))
            session.add(users[email])
        tallies["people"].add(created)
    for mentor in MENTORS:
        user, scheme = users[mentor.email], schemes[mentor.scheme]
        _member(user, scheme, Role.MENTOR)
        tallies["profiles"].add(_profile(session, user, scheme, mentor))
    for person in OTHERS:
        for slug, role in person.roles:
            _member(users[person.email], schemes[slug], role)
            if person.line_manager and role == Role.MENTEE:
                _approved(session, users[person.email], schemes[slug], *person.line_manager)
    session.commit()
    return tallies


def sign_in_guide(base_url: str, development: bool) -> list[str]:
    """Lines telling a person trying the demo whom to sign in as, and how."""
    schemes = {s.slug: s.name for s in db.session.scalars(sa.select(Scheme))}
    lines = [
        "How to sign in (there are no passwords):",
        f"  1. Open the sign-in page: {base_url}/sign-in",
        "  2. Enter one of the email addresses below and ask for a link.",
    ]
    if development:
        lines.append(f"  3. Open the link from the local mailbox: {base_url}/dev/mail/")
    else:
        lines.append("  3. Open the link from the email the portal sends.")
    lines += ["", "Administrator of all five schemes:",
              f"  {ALL_SCHEMES_ADMIN.email:<44} {ALL_SCHEMES_ADMIN.name}",
              "", f"Administrator of {schemes.get(GLA, GLA)} only:",
              f"  {ONE_SCHEME_ADMIN.email:<44} {ONE_SCHEME_ADMIN.name}",
              "", "Mentees, one for each scheme:"]
    for slug in DOMAINS:
        mentee = next(p for p in MENTEES if p.roles[0][0] == slug)
        lines.append(f"  {mentee.email:<44} {schemes.get(slug, slug)}")
    waiting = MENTEES[-1]
    lines += ["", "A mentee who still needs to ask their line manager:",
              f"  {waiting.email:<44} {schemes.get(waiting.roles[0][0], waiting.roles[0][0])}"]
    lines += ["", "Mentor and mentee in the same scheme:",
              f"  {BOTH.email:<44} {schemes.get(GLA, GLA)}", "", "Mentors:"]
    for slug in DOMAINS:
        mentor = next(m for m in MENTORS if m.scheme == slug and m.email != BOTH.email
                      and m.state == ProfileState.PUBLISHED and m.accepting)
        lines.append(f"  {mentor.email:<44} {mentor.job_title}, {mentor.organisation}")
    draft = next(m for m in MENTORS if m.state == DRAFT)
    lines += ["", "A mentor whose profile is still a draft:",
              f"  {draft.email:<44} {schemes.get(draft.scheme, draft.scheme)}"]
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


# --- the people --------------------------------------------------------------------------------

ALL_SCHEMES_ADMIN = DemoPerson("Sam Okafor", address("Sam Okafor", ADMIN_DOMAIN),
                               tuple((slug, Role.ADMIN) for slug in DOMAINS))
ONE_SCHEME_ADMIN = DemoPerson("Nadia Rahman", address("Nadia Rahman", DOMAINS[GLA]),
                              ((GLA, Role.ADMIN),))

MENTEES = (
    DemoPerson("Jade Thornton", address("Jade Thornton", DOMAINS[HERTS]), ((HERTS, Role.MENTEE),),
               ("Graham Stokes", address("Graham Stokes", DOMAINS[HERTS]))),
    DemoPerson("Callum Reid", address("Callum Reid", DOMAINS[SUFFOLK]), ((SUFFOLK, Role.MENTEE),),
               ("Denise Farrow", address("Denise Farrow", DOMAINS[SUFFOLK]))),
    DemoPerson("Aisha Begum", address("Aisha Begum", DOMAINS[EAST_MIDS]),
               ((EAST_MIDS, Role.MENTEE),)),
    DemoPerson("Oliver Grant", address("Oliver Grant", DOMAINS[GLA]), ((GLA, Role.MENTEE),)),
    DemoPerson("Tomasz Nowak", address("Tomasz Nowak", DOMAINS[ACT]), ((ACT, Role.MENTEE),)),
    #: Has not asked her line manager yet: sign in as her to try that step.
    DemoPerson("Rhiannon Pryce", address("Rhiannon Pryce", DOMAINS[HERTS]),
               ((HERTS, Role.MENTEE),)),
)


HERTS_MENTORS = (
    DemoMentor(
        HERTS, "Priya Raghavan", "Head of Planning Policy",
        "St Albans City and District Council", "Head of service",
        ("Planning policy and local plans", "Working with councillors and committees",
         "Leading a planning team"),
        "Most of my career has been in plan-making. I started as a graduate in a London borough "
        "and moved to Hertfordshire in 2012. I have taken a local plan through two examinations, "
        "and the one that went badly taught me far more than the one that went well.",
        "I can help you think through the politics of policy work, get ready for an examination "
        "hearing, or decide whether management is really for you. I came back to work after a "
        "career break and I am glad to talk about that too.",
        "Two graduates have been through RTPI chartership with me as their mentor, and I trained "
        "as a coach last year. Expect a lot of questions from me before you get any answers.",
        "St Albans",
    ),
    DemoMentor(
        HERTS, "Tom Whitfield", "Principal Planning Officer (major applications)",
        "Dacorum Borough Council", "Principal planner",
        ("Development management", "Major and strategic sites",
         "Infrastructure and developer contributions"),
        "Twelve years in development management, the last five on large housing schemes around "
        "Hemel Hempstead. Before planning I was a site engineer, so I often look at an "
        "application from the builder's side.",
        "Negotiating section 106 agreements. Writing committee reports that members actually "
        "read. Keeping a heavy caseload moving without giving up your weekends.",
        "I have informally supported several new starters in our team. This is my first formal "
        "scheme, so I will be learning alongside you.",
        "Hemel Hempstead",
        meeting_format=IN_PERSON,
    ),
    DemoMentor(
        HERTS, "Adebayo Ogunleye", "Associate Director",
        "Hartwell Kerr Planning", "Associate director",
        ("Appeals and inquiries", "Major and strategic sites", "Career development in planning"),
        "I spent eight years as a council planner in Watford before moving into consultancy. "
        "These days I mostly act for housebuilders and landowners at appeal, and I have given "
        "evidence at more public inquiries than I would like to count.",
        "If you are weighing up a move between the public and private sectors, I will give you an "
        "honest picture of both. I can also help you prepare for hearings and build the "
        "confidence to hold your ground under cross-examination.",
        "I have mentored through the RTPI for four years, mostly early-career planners in "
        "councils. A few have since moved into consultancy, and one now works for me, which I try "
        "not to take personally.",
        "Watford",
        meeting_format=ONLINE, capacity=3, sector=PRIVATE,
    ),
    DemoMentor(
        HERTS, "Marta Kowalczyk", "Senior Conservation Officer",
        "East Hertfordshire District Council", "Senior planner",
        ("Heritage and conservation", "Urban design and placemaking"),
        "I qualified as an architect in Kraków and came to the UK in 2008, then retrained in "
        "building conservation. I now look after listed buildings and conservation areas in a "
        "district that has a great many of both, from Bishop's Stortford out to the villages.",
        "Reading a historic building, giving heritage advice that case officers can actually use, "
        "and persuading colleagues that conservation is not there to block things. I am also "
        "happy to talk about building a professional career in your second language.",
        "I have hosted placement students from two universities. I have not been a formal mentor "
        "before, but explaining how old buildings work is one of my favourite things.",
        "Hertford",
        capacity=1,
    ),
    DemoMentor(
        HERTS, "Siobhán Gallagher", "Planning Enforcement Team Leader",
        "Watford Borough Council", "Team leader",
        ("Planning enforcement", "Leading a planning team",
         "Working with councillors and committees"),
        "Enforcement has been my world for fifteen years. I have dealt with everything from "
        "neighbours arguing over a fence to prosecutions in the Crown Court. Three years ago I "
        "took over leading the team I had worked in.",
        "Difficult conversations, staying calm with angry residents, and judging when formal "
        "action is worth it. I can also talk about managing people who were your peers the week "
        "before.",
        "I have line-managed and informally mentored about a dozen officers. I am practical and I "
        "say what I think.",
        "Watford",
        meeting_format=IN_PERSON, accepting=False,
    ),
    DemoMentor(
        HERTS, "Wei Chen", "Principal Urban Designer",
        "Hertfordshire County Council", "Principal officer",
        ("Urban design and placemaking", "Major and strategic sites",
         "Climate and environmental policy"),
        "Landscape architect by training, urban designer more or less by accident. I work on the "
        "design of the county's larger new communities, running design reviews and writing design "
        "codes with colleagues in the districts.",
        "I can help planners without a design background feel confident about design. We could "
        "look at how to read a masterplan, what to ask at a pre-application meeting, and how to "
        "push for quality without sounding precious about it.",
        "I run design training for planning officers across the county and I have mentored two "
        "junior designers. I like working from drawings and site visits more than from documents.",
        "Hertford",
    ),
    DemoMentor(
        HERTS, "Hannah Lloyd", "Senior Planning Officer",
        "North Hertfordshire District Council", "Senior planner",
        ("Development management", "Neighbourhood planning", "Career development in planning"),
        "I came into planning through an apprenticeship at nineteen, without a degree, and "
        "qualified through the degree apprenticeship while working full time. I now handle "
        "householder and minor applications and support two neighbourhood plan groups.",
        "If you are early in your career, studying alongside work, or wondering whether you "
        "belong in a profession full of graduates, I have been exactly there. I can help with "
        "chartership, study habits and managing your time.",
        "I mentor apprentices in the council and visit schools to talk about planning careers. I "
        "keep things informal.",
        "Letchworth Garden City",
    ),
    DemoMentor(
        HERTS, "Imran Qureshi", "Director", "Qureshi Planning Ltd", "Director",
        ("Development management", "Appeals and inquiries", "Career development in planning",
         "Leading a planning team"),
        "I set up a small consultancy in Hoddesdon ten years ago, after a long spell in local "
        "government that ended with me running a development management team. We are six people "
        "now, working mostly on small housing sites and changes of use.",
        "Running a small business, handling clients and living with fee targets. I can also help "
        "council planners understand what an applicant is thinking when they send in something "
        "that looks half finished.",
        "Everyone who has worked for me has gone through chartership with my support. Outside "
        "work I mentor young people through a local enterprise scheme.",
        "Hoddesdon",
        meeting_format=IN_PERSON, capacity=1, sector=PRIVATE,
    ),
    DemoMentor(
        HERTS, "Chloe Barnes", "Infrastructure and Growth Manager",
        "Stevenage Borough Council", "Manager",
        ("Infrastructure and developer contributions", "Housing delivery",
         "Major and strategic sites"),
        "I manage developer contributions for the town centre regeneration programme. That puts "
        "me between planning, finance, and the county's education and highways teams, and I spend "
        "a lot of my time translating between them.",
        "How viability assessments work and how to read one with a critical eye. How "
        "contributions end up as school places and bus services. I am good with spreadsheets and "
        "happy to share the ones I use.",
        "I mentored one colleague through a council-wide scheme a couple of years ago. We met "
        "over coffee once a month and it worked well for both of us.",
        "Stevenage",
    ),
    DemoMentor(
        HERTS, "Daniel Mensah", "Head of Development Management",
        "Welwyn Hatfield Borough Council", "Head of service",
        ("Leading a planning team", "Working with councillors and committees",
         "Development management", "Career development in planning"),
        "I have led development management teams in three councils in the East of England. Before "
        "that I was a case officer in south London for six years.",
        "Stepping into management, handling performance problems kindly and firmly, and building "
        "a working relationship with your planning committee chair. I am also open to talking "
        "about being one of few Black senior planners and what I have learned from it.",
        "I mentor through a national leadership programme for planning managers. I also support a "
        "network for planners from ethnic minority backgrounds, where I run the odd workshop.",
        "Welwyn Garden City",
        meeting_format=ONLINE, capacity=3,
    ),
    DemoMentor(
        HERTS, "Ruth Ellison", "Planning Policy Officer (climate)",
        "Three Rivers District Council", "Planner",
        ("Climate and environmental policy", "Planning policy and local plans"),
        "I moved into planning from environmental consultancy, where I wrote ecological "
        "assessments for developers. I now lead on the climate and biodiversity policies in our "
        "emerging local plan.",
        "Biodiversity net gain, sustainable design standards and the evidence you need to defend "
        "them at examination. I can also help if you are coming into planning from another field.",
        "This would be my first time as a mentor. Having a mentor myself made a real difference, "
        "and I would like to pass that on.",
        "Rickmansworth",
        capacity=1, state=DRAFT,
    ),
    DemoMentor(
        HERTS, "Kieran O'Donnell", "Senior Planner", "Chiltern Edge Planning", "Senior planner",
        ("Neighbourhood planning", "Heritage and conservation", "Development management"),
        "I work for a small consultancy that helps parish councils and community groups write "
        "neighbourhood plans. Before that I was a heritage officer at Hertsmere for five years.",
        "Engaging a community properly, not just through a drop-in at the village hall. Writing "
        "policies an examiner will accept. Balancing new homes with the character of a village.",
        "I help run an informal network for young planners in the county. Three people have asked "
        "me to mentor them through it so far, and we still meet up now and then.",
        "Berkhamsted",
        sector=PRIVATE,
    ),
)

BOTH_COUNCILS = "Forest Heath and St Edmundsbury councils"

SUFFOLK_MENTORS = (
    DemoMentor(
        SUFFOLK, "Gary Pettit", "Service Manager, Waste and Street Scene",
        "St Edmundsbury Borough Council", "Service manager",
        ("Waste and street scene", "Leadership and management", "Project management"),
        "I joined the council as a refuse loader in 1998 and worked my way up through supervisor "
        "and depot manager. I now run waste collection, grounds maintenance and street cleansing "
        "for both councils.",
        "Leading frontline teams, planning round changes, and making the case for money for "
        "vehicles and depots. If you have come up from the frontline and sometimes feel out of "
        "place in office meetings, I understand that feeling well.",
        "Over the years a fair few supervisors have come to me when moving into management. I did "
        "the councils' mentor training last spring.",
        "Bury St Edmunds",
        meeting_format=IN_PERSON,
    ),
    DemoMentor(
        SUFFOLK, "Lucy Hammond", "Principal Environmental Health Officer",
        "Forest Heath District Council", "Principal officer",
        ("Environmental health and licensing", "Career development"),
        "Eighteen years in environmental health, mostly food safety and health and safety at "
        "work. I also manage taxi and alcohol licensing, which means I deal with almost every "
        "part of the local economy, racing included.",
        "If you are working towards professional registration, I know the portfolio well. I can "
        "also help you juggle a varied inspection programme and give evidence at a licensing "
        "hearing without freezing.",
        "I supervise our trainee environmental health officers through their portfolios. Regular "
        "one-to-ones are second nature to me, and I keep them relaxed.",
        "Mildenhall",
    ),
    DemoMentor(
        SUFFOLK, "Rajesh Patel", "Senior Accountant",
        "Forest Heath and St Edmundsbury councils", "Band 9",
        ("Finance and procurement", "Project management"),
        "I am a CIPFA-qualified accountant with ten years in local government finance. I support "
        "the housing and leisure services with budget setting, savings plans and business cases.",
        "Making sense of budgets if numbers make you nervous. Writing a business case that "
        "finance will back. Studying for a professional qualification while holding down a job.",
        "Two trainees have sat their CIPFA exams with me in their corner. Both passed, which I "
        "take more credit for than I should.",
        "Bury St Edmunds",
        meeting_format=ONLINE, capacity=3,
    ),
    DemoMentor(
        SUFFOLK, "Emma Sutherland", "HR Business Partner",
        "Forest Heath and St Edmundsbury councils", "Band 10",
        ("HR and organisational development", "Career development", "Leadership and management"),
        "My HR career started in the NHS and moved into local government nine years ago. Here I "
        "support managers in the operational services through restructures, recruitment and the "
        "occasional difficult case.",
        "Getting ready for interviews and promotion, writing a development plan that means "
        "something, and managing people fairly. I am also glad to talk about part-time and "
        "flexible careers, which I have had for eight years.",
        "I helped design the councils' mentor training. I am mentoring two colleagues at the "
        "moment, so I have no room until one of them finishes.",
        "Bury St Edmunds",
        accepting=False,
    ),
    DemoMentor(
        SUFFOLK, "Mark Brewster", "Building Control Manager",
        "St Edmundsbury Borough Council", "Service manager",
        ("Planning and building control", "Leadership and management"),
        "I trained as a building surveyor in private practice and joined the council twelve years "
        "ago. I manage the building control team, which competes with approved inspectors for "
        "work, so we run partly like a business.",
        "Technical progression in building control and registration with the regulator. I can "
        "also share what I have learned about leading a team that has to win its own work.",
        "I have supervised several surveyors through their professional assessments. My profile "
        "is hidden for a few months while we restructure the team.",
        "Bury St Edmunds",
        meeting_format=IN_PERSON, capacity=1, state=HIDDEN,
    ),
    DemoMentor(
        SUFFOLK, "Sophie Clarke", "Customer Services Team Leader",
        "Forest Heath District Council", "Team leader",
        ("Customer services", "Digital and IT", "Leadership and management"),
        "I started on the phones in the contact centre and now lead a team of fourteen advisers. "
        "For the last two years I have worked with IT on moving more of our services online.",
        "My team takes the brunt when things go wrong, so I know a lot about keeping people "
        "going. I can help you coach staff through difficult calls, or design online forms that "
        "residents can actually use.",
        "I buddy new team leaders across the councils and I enjoy it. This would be my first time "
        "on the formal scheme.",
        "Mildenhall",
    ),
    DemoMentor(
        SUFFOLK, "Ahmed Hassan", "Housing Options Manager",
        "St Edmundsbury Borough Council", "Service manager",
        ("Housing and homelessness", "Leadership and management", "Customer services"),
        "I have worked in housing for fifteen years, first for a housing association in Ipswich "
        "and then here. My team helps people who are homeless or about to lose their home, which "
        "can be hard and very rewarding work.",
        "Demanding frontline work takes its toll, and we can talk about how you look after "
        "yourself. We could also go through homelessness law, or how to build good working "
        "relationships with landlords and partner agencies.",
        "I mentor through the councils' scheme and through a regional housing network. I listen "
        "more than I talk.",
        "Bury St Edmunds",
    ),
    DemoMentor(
        SUFFOLK, "Jo Kingsley", "Senior Democratic Services Officer",
        "Forest Heath and St Edmundsbury councils", "Band 7",
        ("Democratic services and governance", "Career development"),
        "I clerk council and cabinet meetings and look after the constitution and the register of "
        "members' interests. Before this I was a parish clerk in a village near Haverhill.",
        "I can show you how decisions really get made in a council. I have worked with elected "
        "members of every party, and I know how to write a report that survives scrutiny.",
        "I have not mentored formally, but new officers often come to me to understand how the "
        "councils work. I finished the mentor training in the autumn.",
        "Haverhill",
    ),
    DemoMentor(
        SUFFOLK, "Nathan Frost", "Economic Development Officer",
        "St Edmundsbury Borough Council", "Band 8",
        ("Economic development", "Project management"),
        "I support local businesses and run the town centre programme. I came to the council from "
        "a business support charity and before that I ran a café for five years, so I know what "
        "small businesses are up against.",
        "I have run projects with small teams and smaller budgets, so I am strong on the "
        "practical side. I can also help with partnership working and writing funding bids.",
        "I mentored two apprentices in my café days. Here I have supported graduate trainees, but "
        "this would be my first time on the formal scheme.",
        "Bury St Edmunds",
        capacity=1,
    ),
    DemoMentor(
        SUFFOLK, "Helen Marsh", "Assistant Director, Leisure and Communities",
        "Forest Heath and St Edmundsbury councils", "Assistant director",
        ("Leisure, culture and communities", "Leadership and management", "Career development"),
        "I have worked in leisure and community services for over twenty years, in three councils "
        "and a leisure trust. I now lead services that include sports centres, museums, grants to "
        "community groups and parks.",
        "Senior leadership, working with boards and trusts, and moving from specialist roles into "
        "general management. I am open about the mistakes I made along the way.",
        "Mentoring managers has been part of my job in two councils, and I am a trained coach. I "
        "usually have room for one or two mentees at a time.",
        "Bury St Edmunds",
        meeting_format=IN_PERSON,
    ),
    DemoMentor(
        SUFFOLK, "Karen Osei", "ICT Project Manager",
        "Forest Heath and St Edmundsbury councils", "Band 9",
        ("Digital and IT", "Project management", "Career development"),
        "I manage IT projects across both councils, from new telephony to moving systems to the "
        "cloud. I came into IT from the customer service side, so I never forget who the systems "
        "are for.",
        "Project management methods without the jargon, and how to run a project board that "
        "actually makes decisions. If you want to move into a technical role from a non-technical "
        "one, I have done exactly that.",
        "I mentor women moving into technology roles through a professional network. I have also "
        "supported two colleagues through their project management qualifications.",
        "Newmarket",
        meeting_format=ONLINE,
    ),
)

EAST_MIDS_MENTORS = (
    DemoMentor(
        EAST_MIDS, "Bernadette Walsh", "Assistant Director, Children's Social Care",
        "Derbyshire County Council", "Assistant director",
        ("Leadership and management", "Inspection and improvement planning",
         "Safeguarding and child protection"),
        "I qualified as a social worker in 1996 and have worked in child protection, fostering "
        "and, for the last eight years, senior management. I led our service through an "
        "inspection that found it required improvement, and then through the two years it took to "
        "turn that round.",
        "I can help you prepare for your first senior role, or build an improvement plan that "
        "staff actually believe in. We can also talk about holding on to your practice values "
        "while you manage budgets and politics.",
        "Team managers and heads of service from four councils have been my mentees. I prefer to "
        "work to your agenda and I will tell you honestly what I think.",
        "Matlock",
    ),
    DemoMentor(
        EAST_MIDS, "Marcus Thompson", "Principal Social Worker",
        "Nottingham City Council", "Principal social worker",
        ("Children's social work practice", "Practice supervision and quality assurance",
         "Workforce recruitment and retention"),
        "I have been a social worker for sixteen years, mostly in duty and assessment and child "
        "protection teams in the city. As principal social worker I look after practice standards "
        "and speak up for frontline staff with senior leaders.",
        "Reflective supervision, keeping good social workers in the job, and finding your voice "
        "as a practice leader. I am also glad to talk about being a Black man in a profession "
        "that is mostly women.",
        "I run our practice educator network and I have mentored newly qualified social workers "
        "through their first year. I try to be the manager I wish I had had early on.",
        "Nottingham",
        meeting_format=IN_PERSON, capacity=3,
    ),
    DemoMentor(
        EAST_MIDS, "Gurpreet Sandhu", "Head of Service, Children in Care",
        "Leicester City Council", "Head of service",
        ("Children in care and care leavers", "Commissioning and placement sufficiency",
         "Leadership and management"),
        "I lead the children in care, fostering and leaving care services. Before that I managed "
        "a residential children's home for six years, and that experience still shapes every "
        "decision I make about placements.",
        "Placement sufficiency, corporate parenting, and working with young people so they help "
        "shape the service. I can also talk about moving from residential care into social work "
        "management, which is a less common route.",
        "Three managers have been my mentees through a regional programme. I am direct and I "
        "value people who tell me when I have got it wrong.",
        "Leicester",
        accepting=False,
    ),
    DemoMentor(
        EAST_MIDS, "Fiona MacLeod", "Head of Early Help",
        "Lincolnshire County Council", "Head of service",
        ("Early help and family support", "Working with health and police partners",
         "Performance and data"),
        "I trained as a health visitor in Scotland and moved into early help when children's "
        "centres were at their peak. I now lead a service spread across a very large rural "
        "county, which has taught me a great deal about delivering help at a distance.",
        "Early help only works if partners trust it enough to refer families. I can help you "
        "build that trust, use data to show the difference you make, and work across health, "
        "schools and the police.",
        "I was mentored through a national programme myself and it changed how I lead. For the "
        "past three years I have mentored others in the region.",
        "Lincoln",
        meeting_format=ONLINE,
    ),
    DemoMentor(
        EAST_MIDS, "Dominic Reeve", "Service Manager, Youth Justice",
        "Nottinghamshire County Council", "Service manager",
        ("Youth justice", "Working with health and police partners",
         "Children's social work practice"),
        "I began as a youth worker and joined the youth offending service twenty years ago. I now "
        "manage the youth justice service and sit on the county's community safety partnership.",
        "Working with teenagers at risk of exploitation is my specialism. I can also help you "
        "keep the police and the courts on side while holding on to a child-first approach.",
        "I supervise the practice educators in our service. I have also mentored colleagues from "
        "two neighbouring youth justice services, mostly by video call.",
        "Mansfield",
        meeting_format=IN_PERSON,
    ),
    DemoMentor(
        EAST_MIDS, "Alison Hurst", "Head of SEND", "Derby City Council", "Head of service",
        ("Special educational needs and disability", "Education and school improvement",
         "Inspection and improvement planning"),
        "I was a special school teacher and then a deputy head before moving into the local "
        "authority. I now lead the SEND service, including assessments, the local offer and our "
        "written statement of action after a difficult area inspection.",
        "Working with parent carers when trust is low. Making the education, health and care plan "
        "process work on time. Leading an improvement plan under inspection.",
        "SENCOs and new SEND managers across the region ask me for support fairly often. I am "
        "patient and I like practical problems.",
        "Derby",
    ),
    DemoMentor(
        EAST_MIDS, "Samuel Adeyemi", "Team Manager, Child Protection",
        "Leicestershire County Council", "Team manager",
        ("Safeguarding and child protection", "Practice supervision and quality assurance"),
        "Eleven years in frontline child protection, the last four managing a team. I know what "
        "it is like to carry a heavy caseload and still try to do right by every family.",
        "Becoming a first-line manager is a big jump, and I remember it well. I can help you run "
        "supervision that supports people rather than just checking cases, and get through the "
        "hard days.",
        "I have supported several social workers through their first year in practice. This would "
        "be my first time mentoring someone outside my council, and I am looking forward to it.",
        "Loughborough",
        capacity=1,
    ),
    DemoMentor(
        EAST_MIDS, "Catherine Doyle", "Director of Children's Services (interim)",
        "Doyle Improvement Partners", "Director",
        ("Leadership and management", "Inspection and improvement planning",
         "Workforce recruitment and retention", "Commissioning and placement sufficiency"),
        "I spent thirty years in local authority children's services, the last seven as a "
        "director. Since retiring from permanent posts I have taken interim roles in councils "
        "that need to improve quickly.",
        "Preparing for director and assistant director roles. Working with lead members and chief "
        "executives. Staying well in senior jobs that can be lonely.",
        "I have mentored aspiring directors for many years. Several now lead services of their "
        "own, and they still ring me when things get tricky.",
        "Oakham",
        meeting_format=ONLINE, sector=PRIVATE,
    ),
    DemoMentor(
        EAST_MIDS, "Tariq Mahmood", "Performance and Intelligence Manager",
        "West Northamptonshire Council", "Manager",
        ("Performance and data", "Inspection and improvement planning"),
        "I came into children's services from a data analyst role in the NHS. I lead the team "
        "that produces performance reports, inspection data and the needs analysis behind our "
        "sufficiency strategy.",
        "Making data useful to practitioners and managers rather than something done to them. "
        "Getting ready for the data side of an inspection. Building dashboards that people use.",
        "Mostly analysts so far, but also, more unusually, team managers who wanted to get "
        "comfortable with numbers. I promise not to show you a spreadsheet in our first session.",
        "Northampton",
        meeting_format=ONLINE, capacity=3,
    ),
    DemoMentor(
        EAST_MIDS, "Rebecca Lowe", "Service Manager, Fostering",
        "Northamptonshire Children's Trust", "Service manager",
        ("Children in care and care leavers", "Workforce recruitment and retention"),
        "I have been a fostering social worker and supervising social worker, and I now manage "
        "our in-house fostering service. Recruiting and keeping foster carers is the hardest and "
        "most important part of my job.",
        "I can help you run recruitment campaigns that bring in new carers, and support carers "
        "through allegations. I can also talk about the shift from practitioner to manager.",
        "I have mentored two supervising social workers into management roles. I am finishing my "
        "profile while I check my diary for next year.",
        "Kettering",
        capacity=1, state=DRAFT,
    ),
    DemoMentor(
        EAST_MIDS, "Hugh Parry", "Head of School Effectiveness",
        "Rutland County Council", "Head of service",
        ("Education and school improvement", "Leadership and management"),
        "I was a secondary headteacher for nine years before joining the council. In a small "
        "authority I cover school improvement, admissions and the virtual school, so my days are "
        "varied.",
        "In a small authority you end up as the specialist in everything, and I can help you "
        "manage that. I also know a good deal about working with academy trusts and moving from "
        "school leadership into a council.",
        "I coached new headteachers for a regional leadership programme. I have mentored council "
        "officers for four years.",
        "Oakham",
        meeting_format=IN_PERSON,
    ),
    DemoMentor(
        EAST_MIDS, "Joanne Pickering", "Workforce Development Manager",
        "North Northamptonshire Council", "Manager",
        ("Workforce recruitment and retention", "Practice supervision and quality assurance",
         "Children's social work practice"),
        "I run the social work academy, which supports newly qualified social workers, "
        "apprentices and overseas recruits. I practised as a children's social worker for ten "
        "years before that.",
        "Planning your own professional development, and supporting colleagues recruited from "
        "overseas. I also design learning programmes for social workers and I am happy to share "
        "how.",
        "Mentoring practice educators is part of my job, and I am a trained coach. I like to "
        "agree clear goals early and review them often.",
        "Corby",
        capacity=3,
    ),
)

GLA_MENTORS = (
    DemoMentor(
        GLA, "Funmilayo Bakare", "Senior Policy Officer, Housing",
        "Greater London Authority", "Grade 10",
        ("Policy and strategy", "Housing and regeneration", "Career progression"),
        "Six years on housing policy at City Hall, on everything from affordable housing guidance "
        "to the evidence for the London Plan. Before that I was a researcher at a housing charity.",
        "I can help you write briefings that senior people and politicians actually read. I can "
        "also walk you through how policy gets from an idea to a published document, and help you "
        "think about your next step when the path is not obvious.",
        "Through a staff network for colleagues from Black, Asian and minority ethnic "
        "backgrounds, I have mentored four people. I also have a mentor of my own through this "
        "programme.",
        "City Hall, Royal Docks",
    ),
    DemoMentor(
        GLA, "James Holloway", "Head of Programme Management", "Transport for London", "Band 5",
        ("Project and programme management", "Transport and infrastructure",
         "Leadership and management"),
        "I have spent twenty years delivering transport projects, from station upgrades to "
        "signalling programmes. I now lead the programme management office for a large part of "
        "the capital portfolio.",
        "Planning and governance of large programmes, and reporting to boards without drowning "
        "them in detail. I can also help you make the move from delivering projects to leading "
        "the people who deliver them.",
        "Project managers across TfL and in two partner organisations have been my mentees. I "
        "will ask you to bring an agenda to each session.",
        "Stratford",
        meeting_format=IN_PERSON,
    ),
    DemoMentor(
        GLA, "Anjali Mehta", "Data Science Lead", "Transport for London", "Band 4",
        ("Data, digital and technology", "Career progression", "Equality, diversity and inclusion"),
        "I lead a small team that models how people travel around London, using ticketing and "
        "journey data. I did a PhD in physics before I found my way into public service.",
        "Moving into a data or technical role, or leading specialists when you are one yourself. "
        "I am also happy to talk about building a career as a woman in a technical field.",
        "I mentor through a women in data network. I co-chair our staff network for women in "
        "technology too, so I hear a lot about what helps and what does not.",
        "Canary Wharf",
        meeting_format=ONLINE, capacity=3,
    ),
    DemoMentor(
        GLA, "Sean Fitzgerald", "Station Commander", "London Fire Brigade", "Station commander",
        ("Operational and frontline services", "Leadership and management",
         "Confidence and personal impact"),
        "I joined the Brigade as a firefighter in 2004 and have served at stations in south and "
        "east London. I now command a station and its watches in Lewisham.",
        "Leading teams on shift work, and preparing for promotion processes and assessment "
        "centres. I can also share how I stay steady when things are at their most intense.",
        "I have coached firefighters through the development programme for promotion. Last year I "
        "mentored a new watch manager through their first six months.",
        "Lewisham",
        meeting_format=IN_PERSON,
    ),
    DemoMentor(
        GLA, "Olivia Chambers", "Detective Chief Inspector",
        "Metropolitan Police Service", "Detective chief inspector",
        ("Operational and frontline services", "Leadership and management", "Career progression"),
        "Twenty-two years in the Met, most of them as a detective in public protection and major "
        "crime. I now lead a team investigating child abuse across four boroughs.",
        "Promotion processes, leading investigators under pressure, and keeping a sense of "
        "perspective in difficult work. I am also happy to talk about balancing a police career "
        "with a young family.",
        "I have mentored officers and police staff through the Met's own scheme for six years. I "
        "am fully booked until the spring, but do shortlist me if you are happy to wait.",
        "Croydon",
        capacity=1, accepting=False,
    ),
    DemoMentor(
        GLA, "Ravi Shankar", "Head of Commercial",
        "Mayor's Office for Policing and Crime", "Grade 12",
        ("Finance and commercial", "Governance, legal and assurance"),
        "I am a chartered procurement professional. I have worked in central government, the NHS "
        "and now MOPAC, where I lead on commissioning and contracts for services that support "
        "victims of crime.",
        "Plenty of people do not think of themselves as commercial, and I can help change that. I "
        "can also show you how to run a fair procurement and work well with legal colleagues and "
        "auditors.",
        "My professional institute runs a mentoring programme and I have taken graduates and "
        "career changers through it. Most of them came to procurement by accident, as I did.",
        "Union Street, Southwark",
        meeting_format=ONLINE,
    ),
    DemoMentor(
        GLA, "Beatriz Santos", "Community Engagement Manager",
        "London Legacy Development Corporation", "Grade 9",
        ("Communications and engagement", "Housing and regeneration",
         "Equality, diversity and inclusion"),
        "I grew up in Newham and now work on engaging local people with the development of the "
        "Olympic Park neighbourhoods. I moved to London from Portugal as a teenager.",
        "Consultation that reaches people beyond the usual voices. Working with young people. "
        "Speaking confidently to a hostile public meeting, which I have done more than once.",
        "I mentor young people from east London through a local charity. This would be my first "
        "time mentoring a colleague.",
        "Stratford",
    ),
    DemoMentor(
        GLA, "Patrick Nwosu", "Head of HR Business Partnering",
        "Greater London Authority", "Grade 12",
        ("People and HR", "Leadership and management", "Career progression"),
        "Fifteen years in HR across local government and the GLA. I lead the team that advises "
        "directors on organisation design, recruitment and employee relations.",
        "Career planning, applications and interviews are my bread and butter. I can also help "
        "with difficult staffing situations and explain how the different GLA Group organisations "
        "work with their people.",
        "I have mentored colleagues across the Group. I also sit on the steering group for this "
        "programme, so I want to hear what could work better.",
        "City Hall, Royal Docks",
        meeting_format=ONLINE, capacity=3,
    ),
    DemoMentor(
        GLA, "Eleanor Whitcombe", "Principal Planner",
        "Old Oak and Park Royal Development Corporation", "Principal planner",
        ("Housing and regeneration", "Transport and infrastructure", "Policy and strategy"),
        "I work on the planning framework for one of London's largest regeneration areas, around "
        "the new high-speed rail station. Before that I was a planner in two London boroughs.",
        "Working in a small organisation with big ambitions, and planning around major "
        "infrastructure. I can also help you handle many partners at once without losing track.",
        "I have mentored planning graduates. I was a mentee on this programme two years ago, so I "
        "know what it is like on the other side.",
        "Park Royal",
    ),
    DemoMentor(
        GLA, "Connor Byrne", "Digital Product Manager", "Greater London Authority", "Grade 9",
        ("Data, digital and technology", "Project and programme management"),
        "I manage digital services at City Hall, including parts of the website and the systems "
        "behind grant programmes. I came from a start-up and still find public sector ways of "
        "working interesting.",
        "User research and agile delivery in a public body. If you are moving from a private "
        "company into the public sector, I can tell you what surprised me.",
        "I have not been a formal mentor before, though I regularly coach colleagues on service "
        "design methods. My profile is hidden while I finish a big release.",
        "City Hall, Royal Docks",
        meeting_format=ONLINE, capacity=1, state=HIDDEN,
    ),
    DemoMentor(
        GLA, "Margaret Osborne", "Head of Internal Audit", "Transport for London", "Band 5",
        ("Governance, legal and assurance", "Finance and commercial", "Leadership and management"),
        "I qualified as an accountant with a big firm and moved into public sector audit twelve "
        "years ago. I now lead a team that gives assurance on risk and controls across the "
        "organisation.",
        "I can help you understand governance and risk, and present to an audit committee with "
        "confidence. We can also talk about building a career in a specialist function without "
        "being pigeonholed.",
        "I have mentored trainee auditors for years. More recently I have supported colleagues "
        "preparing for senior leadership roles.",
        "Southwark",
    ),
    DemoMentor(
        GLA, "Yusuf Abdi", "Borough Commander's Staff Officer",
        "London Fire Brigade", "Watch manager",
        ("Operational and frontline services", "Equality, diversity and inclusion",
         "Confidence and personal impact"),
        "I have been a firefighter for twelve years and I am now on a staff officer posting, "
        "which has shown me how the Brigade works away from the stations. I chair our staff "
        "support group for Muslim colleagues.",
        "Finding your voice in a traditional organisation is something I have worked hard at. I "
        "can help you prepare for promotion and make the case for change on inclusion.",
        "New firefighters often come to me during their development. I have also supported "
        "colleagues through the promotion process.",
        "Union Street, Southwark",
    ),
    DemoMentor(
        GLA, "Harriet Lewis", "Head of Communications",
        "Mayor's Office for Policing and Crime", "Grade 12",
        ("Communications and engagement", "Confidence and personal impact", "Policy and strategy"),
        "I worked as a journalist for ten years before moving into communications in local "
        "government and then MOPAC. I handle the press office and public campaigns on policing "
        "and crime.",
        "Presenting with confidence and writing for the public. Handling the media when a story "
        "goes against you, which happens more often than you would think.",
        "Press officers and policy colleagues who wanted to communicate more clearly have been my "
        "mentees. I am candid and I laugh a lot.",
        "Union Street, Southwark",
        meeting_format=ONLINE,
    ),
    DemoMentor(
        GLA, "Kwame Boateng", "Senior Programme Manager, Regeneration",
        "Greater London Authority", "Grade 11",
        ("Housing and regeneration", "Project and programme management", "Career progression"),
        "I manage funding programmes for regeneration projects in outer London boroughs. I "
        "started as an apprentice at a housing association and I am the first in my family to "
        "work in the public sector.",
        "Getting on without a degree. Managing grant programmes and partnerships with boroughs. "
        "Thinking strategically about your career when nobody has shown you how.",
        "I mentor apprentices at City Hall. I have been a mentor on this programme since it "
        "started and I have room for a few more.",
        "City Hall, Royal Docks",
        capacity=4,
    ),
)

ACT_MENTORS = (
    DemoMentor(
        ACT, "Maria Nowicka", "City councillor", "Peterborough City Council", "Elected member",
        ("Becoming a councillor", "How local government works", "Shadowing a public role"),
        "I came to Peterborough from Poland in 2005 and worked in food packing for several years. "
        "I got involved in my residents' association and was elected as a councillor in 2018.",
        "I can explain what councillors do day to day, how to get selected and run a campaign, "
        "and how to balance council work with a job and a family. You are welcome to shadow me at "
        "ward surgeries and council meetings.",
        "I have mentored two people who went on to stand for election. One of them won, and now "
        "sits two seats along from me in the chamber.",
        "Peterborough",
        meeting_format=IN_PERSON,
    ),
    DemoMentor(
        ACT, "Grace Adjei", "Volunteer Coordinator",
        "Ipswich Community Volunteer Centre", "Coordinator",
        ("Volunteering", "Employment and careers", "Public speaking and confidence"),
        "I match volunteers with local charities and I run our programme for people using "
        "volunteering as a step back into work. I started as a volunteer here myself after my "
        "children started school.",
        "Together we can find volunteering that suits you and turn what you have done into a CV "
        "that employers notice. If speaking up in groups feels hard, we can work on that too.",
        "I support around twenty volunteers a year. I have been a mentor on ACT for two years and "
        "I love seeing people grow in confidence.",
        "Ipswich",
        meeting_format=IN_PERSON, capacity=4, sector=VOLUNTARY,
    ),
    DemoMentor(
        ACT, "Roger Pike", "Chair of Governors",
        "Fenland Villages Primary Federation", "Chair of governors",
        ("Becoming a school governor or trustee", "Public speaking and confidence"),
        "I was a farm manager for thirty years and became a school governor when my grandchildren "
        "started school. I now chair the governing board of three small village schools.",
        "I can explain what being a governor involves and how to get appointed. I can also help "
        "you read the data schools present to you, and ask the head a challenging question "
        "politely.",
        "I have welcomed and inducted new governors for several years. ACT will be my first "
        "formal mentoring.",
        "Wisbech",
        meeting_format=IN_PERSON, sector=VOLUNTARY,
    ),
    DemoMentor(
        ACT, "Amina Yusuf", "Community Development Officer", "Luton Borough Council", "Officer",
        ("Starting and running a community group", "Funding bids and grants",
         "Working with public services"),
        "I support community groups across the town, from faith groups to football clubs, to set "
        "themselves up and find funding. I grew up in Bury Park and many of the groups I work "
        "with are run by people I went to school with.",
        "I can help you set up a group properly, with a constitution and a bank account. We can "
        "also find and write grant applications together, and work out how to get a hearing from "
        "the council.",
        "Through ACT I have mentored new community leaders. I also volunteer on a leadership "
        "course for young women in the town.",
        "Luton",
        capacity=3,
    ),
    DemoMentor(
        ACT, "Stephen Doughty", "Adviser", "Norwich Community Advice Centre", "Senior adviser",
        ("Rights and advice", "Working with public services", "Employment and careers"),
        "I have been an adviser for fifteen years, mostly on employment, benefits and housing "
        "problems. Many of the people I help are working in agriculture or food processing and "
        "are new to the UK.",
        "Knowing your rights at work, and where to get help when they are ignored. I also know "
        "how to deal with public services when things go wrong, and how to train as an adviser "
        "yourself.",
        "I train and supervise our volunteer advisers. Several have gone on to paid advice work.",
        "Norwich",
        sector=VOLUNTARY,
    ),
    DemoMentor(
        ACT, "Lina Petrauskaitė", "Founder and coordinator",
        "Great Yarmouth Lithuanian Community Club", "Founder",
        ("Starting and running a community group", "Volunteering", "Campaigning and consultations"),
        "I moved to Great Yarmouth in 2007 and started a Saturday club for Lithuanian children, "
        "which has grown into a community group with its own hall. I work part time as a teaching "
        "assistant.",
        "Starting a group from nothing and keeping volunteers motivated. Making sure your "
        "community's voice is heard in council consultations.",
        "I have helped three other communities in the town start their own groups. I am a mentee "
        "turned mentor: ACT supported me when I started.",
        "Great Yarmouth",
        meeting_format=IN_PERSON, sector=VOLUNTARY,
    ),
    DemoMentor(
        ACT, "Paul Henderson", "Democratic Services Manager", "Colchester City Council", "Manager",
        ("How local government works", "Campaigning and consultations", "Shadowing a public role"),
        "Nineteen years in council democratic services. I organise council meetings, elections "
        "support and public petitions, and I am often the person who explains to residents how to "
        "get their point across.",
        "I can show you how decisions are made and where you can influence them. I can also help "
        "you ask a question at a council meeting, or organise a petition that gets taken "
        "seriously.",
        "I host shadowing visits for ACT and I have mentored junior colleagues. Two members of "
        "the public I mentored went on to join scrutiny panels as co-opted members.",
        "Colchester",
        meeting_format=IN_PERSON,
    ),
    DemoMentor(
        ACT, "Chidi Okonkwo", "Partner", "Okonkwo & Lane Accountants", "Partner",
        ("Funding bids and grants", "Becoming a school governor or trustee",
         "Employment and careers"),
        "I run a small accountancy practice in Bedford and I am treasurer of two local charities. "
        "I came to the UK to study and stayed to build a business.",
        "Charity finance and being a trustee. Preparing budgets for grant applications. Starting "
        "a business, or getting into professional work after studying abroad.",
        "A business enterprise programme for young people has been my main mentoring so far. I "
        "also support new trustees on charity boards.",
        "Bedford",
        sector=PRIVATE,
    ),
    DemoMentor(
        ACT, "Heather Quinn", "Resident Involvement Officer", "Westfen Homes", "Officer",
        ("Campaigning and consultations", "Public speaking and confidence",
         "Working with public services"),
        "I help tenants have a say in how their homes and estates are managed. I was a tenant rep "
        "myself before I was offered a job here.",
        "Joining or starting a tenants' group, and chairing your first meeting. Getting your "
        "landlord or the council to listen.",
        "I have supported dozens of tenant reps. I mentor through ACT when I have capacity, and I "
        "am still finishing this profile.",
        "King's Lynn",
        meeting_format=IN_PERSON, capacity=1, sector=VOLUNTARY, state=DRAFT,
    ),
    DemoMentor(
        ACT, "Hassan Rahimi", "Public Health Registrar",
        "Cambridgeshire County Council", "Specialty registrar",
        ("Working with public services", "Employment and careers", "Shadowing a public role"),
        "I qualified as a doctor in Iran and had to requalify after coming to the UK as a "
        "refugee. I am now training in public health at the county council.",
        "Getting qualifications from abroad recognised, finding your way through the NHS and "
        "council services, and finding work that uses your skills. You are welcome to shadow me "
        "for a day.",
        "I volunteer with a charity for refugee professionals. I have mentored four doctors "
        "through their UK registration.",
        "Cambridge",
    ),
    DemoMentor(
        ACT, "Janet Cole", "Town Clerk", "Brandon Town Council", "Town clerk",
        ("How local government works", "Becoming a councillor", "Volunteering"),
        "I have been a town and parish clerk for twenty years. I look after the council's "
        "meetings, budget and allotments, and I help new councillors find their feet.",
        "I can explain how town and parish councils work. Standing for the parish council is "
        "often the easiest way into public life, and I can help you decide whether it is for you.",
        "Our county association pairs new clerks with experienced ones, and I have done it "
        "several times. I enjoy helping people take their first steps into civic life.",
        "Brandon",
        meeting_format=IN_PERSON,
    ),
)

MENTORS: tuple[DemoMentor, ...] = (
    HERTS_MENTORS + SUFFOLK_MENTORS + EAST_MIDS_MENTORS + GLA_MENTORS + ACT_MENTORS
)

#: A GLA mentor who also registered as a mentee, as the GLA Group toolkit invites people to.
BOTH = DemoPerson(GLA_MENTORS[0].name, GLA_MENTORS[0].email, ((GLA, Role.MENTEE),))

OTHERS: tuple[DemoPerson, ...] = (ALL_SCHEMES_ADMIN, ONE_SCHEME_ADMIN, *MENTEES, BOTH)
