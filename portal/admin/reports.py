"""The desk's Reports: a scheme's figures for a date range, for its administrators' committee
papers, with small numbers hidden (``portal.admin.suppression``, the one rule).

Every figure is a count, a category, a rate or a median: nothing anyone typed (no names, notes
or reasons). The figures are read in a fixed number of queries (one per figure or group,
however many people the scheme has); medians are worked out here, from the times themselves,
so they are the same on every database.

The range runs over whole UK days, from the start of the first to the end of the last.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

import sqlalchemy as sa

from portal.accounts.models import Membership, Role
from portal.admin import suppression
from portal.admin.suppression import Cell
from portal.agreements.models import Agreement
from portal.calls.models import CallState, ChemistryCall
from portal.equality import queries as equality_queries
from portal.equality.answering import options_of
from portal.evaluations.models import Evaluation, EvaluationState
from portal.extensions import db
from portal.relationships.models import (
    EndCategory,
    EndKind,
    MentoringSession,
    Relationship,
    SessionState,
)
from portal.schemes.models import Scheme
from portal.schemes.packs import NOT_ANSWERED
from portal.templating import LONDON

DAY = 86_400.0


@dataclass
class Line:
    """One figure of the report: what it counts, and the value as it may be shown."""

    label: str
    cell: Cell
    #: The group's total (the page sets it in bold).
    total: bool = False
    #: What the downloads' label adds, as their cells hold bare numbers: " (%)" for a rate.
    unit: str = ""

    @property
    def export_label(self) -> str:
        return self.label + self.unit


@dataclass
class Section:
    key: str
    title: str
    #: What the figures count, for the page (fixed words, never anyone's).
    about: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class EqualityTable:
    """One equality-monitoring question: each answer's count for mentors and for mentees, and
    each role's total (everyone in that role who sent answers)."""

    key: str
    question: str
    #: (answer, [the mentors' cell, the mentees' cell])
    rows: list[tuple[str, list[Cell]]]
    totals: list[Cell]


@dataclass
class Report:
    scheme: Scheme
    start: dt.date
    end: dt.date
    sections: list[Section]
    #: The scheme's equality-monitoring answers, whatever the range (they carry no date); None
    #: where the pack asks no questions.
    equality: list[EqualityTable] | None = None

    @property
    def filename_stem(self) -> str:
        """The scheme and the range, for the downloads' names."""
        return f"{self.scheme.slug}-report-{self.start.isoformat()}-to-{self.end.isoformat()}"


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last 12 months up to and including ``today``."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + dt.timedelta(days=1), today


def uk_today() -> dt.date:
    return dt.datetime.now(LONDON).date()


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The range as UTC times: from the start of ``start`` to the start of the day after
    ``end``, in UK time."""
    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=LONDON).astimezone(dt.UTC)
    return midnight(start), midnight(end + dt.timedelta(days=1))


def _days(later: dt.datetime, earlier: dt.datetime) -> float:
    return (later - earlier).total_seconds() / DAY


ROLE_LABELS = {Role.MENTOR: "Mentors", Role.MENTEE: "Mentees", Role.ADMIN: "Administrators"}

#: The outcome of a request, as the report groups them (in this order).
REQUEST_OUTCOMES = {
    "accepted": "Accepted by the mentor",
    "declined": "Declined by the mentor",
    "expired": "Not answered in time",
    "withdrawn": "Withdrawn by the mentee before an answer",
    "waiting": "Still waiting for an answer",
}

ENDING_LABELS = {
    "completed": "Completed the agreed time",
    **{category.value: f"Ended early: {category.label[0].lower()}{category.label[1:]}"
       for category in EndCategory},
    "early_none": "Ended early: no reason chosen",
    # Not a category's value (one is "other"): an ending recorded with no kind.
    "no_kind": "Ended another way",
}


def build(scheme: Scheme, start: dt.date, end: dt.date) -> Report:
    """The scheme's report for the UK days ``start`` to ``end``, both included: eight
    queries, however many people, requests and pairs there are."""
    since, until = _bounds(start, end)

    def within(column):
        return sa.and_(column >= since, column < until)

    sections = [
        _registrations(scheme, within),
        _requests(scheme, within),
        _time_to_match(scheme, within),
        _pairs(scheme, since, until),
        _endings(scheme, within),
        _sessions(scheme, start, end, within),
        _evaluations(scheme, within),
    ]
    return Report(scheme, start, end, sections, _equality(scheme))


def _registrations(scheme, within) -> Section:
    rows = dict(db.session.execute(
        sa.select(Membership.role, sa.func.count())
        .where(Membership.scheme_id == scheme.id, within(Membership.created_at))
        .group_by(Membership.role)).all())
    cells, total = suppression.group({role: rows.get(role, 0) for role in ROLE_LABELS})
    return Section("registrations", "Registrations by role",
                   "People who joined the scheme in each role in the range. Someone who joined "
                   "in two roles counts once in each.",
                   [*(Line(ROLE_LABELS[role], cell) for role, cell in cells.items()),
                    Line("All registrations", total, total=True)])


def _requests(scheme, within) -> Section:
    counts = dict.fromkeys(REQUEST_OUTCOMES, 0)
    answered = ChemistryCall.answered_at.is_not(None)
    for state, was_answered, n in db.session.execute(
            sa.select(ChemistryCall.state, answered, sa.func.count())
            .where(ChemistryCall.scheme_id == scheme.id, within(ChemistryCall.requested_at))
            .group_by(ChemistryCall.state, answered)):
        state = CallState(state)
        if state == CallState.DECLINED:
            counts["declined"] += n
        elif was_answered:  # accepted, whatever came after: the call, a match or not
            counts["accepted"] += n
        elif state == CallState.EXPIRED:
            counts["expired"] += n
        elif state == CallState.REQUESTED:
            counts["waiting"] += n
        else:
            counts["withdrawn"] += n
    cells, total = suppression.group(counts)
    answered_total = counts["accepted"] + counts["declined"] + counts["expired"]
    acceptance = suppression.rate([cells["accepted"]], [cells["declined"], cells["expired"]],
                                  counts["accepted"], answered_total)
    return Section("requests", "Chemistry call requests",
                   "Requests mentees made in the range, by what has happened to each so far. "
                   "The acceptance rate is the share accepted of those the mentor accepted, "
                   "declined or left unanswered until they expired.",
                   [*(Line(REQUEST_OUTCOMES[key], cell) for key, cell in cells.items()),
                    Line("All requests made", total, total=True),
                    Line("Acceptance rate", acceptance, unit=" (%)")])


def _time_to_match(scheme, within) -> Section:
    first_match = (sa.select(Relationship.mentee_id,
                             sa.func.min(Relationship.created_at).label("matched_at"))
                   .where(Relationship.scheme_id == scheme.id)
                   .group_by(Relationship.mentee_id).subquery())
    first_request = (sa.select(ChemistryCall.mentee_id,
                               sa.func.min(ChemistryCall.requested_at).label("requested_at"))
                     .where(ChemistryCall.scheme_id == scheme.id)
                     .group_by(ChemistryCall.mentee_id).subquery())
    to_match = [_days(matched, requested) for requested, matched in db.session.execute(
        sa.select(first_request.c.requested_at, first_match.c.matched_at)
        .join(first_request, first_request.c.mentee_id == first_match.c.mentee_id)
        .where(within(first_match.c.matched_at)))]
    to_submit = [_days(submitted, matched) for matched, submitted in db.session.execute(
        sa.select(Relationship.created_at, Agreement.submitted_at)
        .join(Agreement, Agreement.relationship_id == Relationship.id)
        .where(Relationship.scheme_id == scheme.id, within(Agreement.submitted_at)))]
    return Section("time", "Time to a match and to an agreement",
                   "A match is the day mentor and mentee both said \u201clet\u2019s work "
                   "together\u201d after their chemistry call. The first figure is for mentees "
                   "first matched in the range, from their first request in the scheme; the "
                   "second for agreements submitted to the scheme in the range, from the "
                   "pair\u2019s match.",
                   [Line("Mentees first matched", suppression.count(len(to_match))),
                    Line("Median days from first request to match",
                         suppression.median(to_match)),
                    Line("Agreements submitted", suppression.count(len(to_submit))),
                    Line("Median days from match to submitted agreement",
                         suppression.median(to_submit))])


def _pairs(scheme, since, until) -> Section:
    active = db.session.scalar(
        sa.select(sa.func.count()).select_from(Relationship)
        .where(Relationship.scheme_id == scheme.id, Relationship.activated_at.is_not(None),
               Relationship.activated_at < until,
               sa.or_(Relationship.ended_at.is_(None), Relationship.ended_at >= since)))
    return Section("pairs", "Active pairs",
                   "Pairs whose mentoring was under way (their signed agreement submitted, "
                   "not yet ended) on any day of the range.",
                   [Line("Active pairs", suppression.count(active))])


def _endings(scheme, within) -> Section:
    counts = dict.fromkeys(ENDING_LABELS, 0)
    for kind, category, n in db.session.execute(
            sa.select(Relationship.end_kind, Relationship.end_category, sa.func.count())
            .where(Relationship.scheme_id == scheme.id, within(Relationship.ended_at))
            .group_by(Relationship.end_kind, Relationship.end_category)):
        if kind == EndKind.COMPLETED:
            counts["completed"] += n
        elif kind == EndKind.ENDED_EARLY:
            counts[EndCategory(category).value if category else "early_none"] += n
        else:
            counts["no_kind"] += n
    cells, total = suppression.group(counts)
    return Section("endings", "Endings by reason",
                   "Mentoring relationships that ended in the range (before or after their "
                   "agreement was submitted), by the reason category the person ending it "
                   "chose. The reasons people wrote are never in a report.",
                   [*(Line(ENDING_LABELS[key], cell) for key, cell in cells.items()),
                    Line("All endings", total, total=True)])


def _sessions(scheme, start, end, within) -> Section:
    held = db.session.scalar(
        sa.select(sa.func.count()).select_from(MentoringSession)
        .join(Relationship, Relationship.id == MentoringSession.relationship_id)
        .where(Relationship.scheme_id == scheme.id, MentoringSession.state == SessionState.HELD,
               sa.or_(MentoringSession.held_on.between(start, end),
                      sa.and_(MentoringSession.held_on.is_(None),
                              within(MentoringSession.starts_at)))))
    return Section("sessions", "Sessions held",
                   "Mentoring sessions that took place in the range, as the pair recorded them.",
                   [Line("Sessions held", suppression.count(held))])


def _evaluations(scheme, within) -> Section:
    rows = dict(db.session.execute(
        sa.select(Evaluation.state, sa.func.count())
        .where(Evaluation.scheme_id == scheme.id, within(Evaluation.opened_at))
        .group_by(Evaluation.state)).all())
    answered = rows.get(EvaluationState.SUBMITTED, 0)
    waiting = rows.get(EvaluationState.OPEN, 0)
    cells, total = suppression.group({"answered": answered, "waiting": waiting})
    response = suppression.rate([cells["answered"]], [cells["waiting"]], answered,
                                answered + waiting)
    return Section("evaluations", "Evaluations",
                   "Evaluations we asked mentors and mentees for in the range, and how many "
                   "they have answered so far (some may still be open).",
                   [Line("Answered", cells["answered"]), Line("Not answered", cells["waiting"]),
                    Line("All evaluations asked for", total, total=True),
                    Line("Response rate", response, unit=" (%)")])


#: The groups the equality tables count, as their columns (someone who is both a mentor and a
#: mentee in the scheme counts once in each, as in "Registrations by role").
EQUALITY_GROUPS = {"mentor": "Mentors", "mentee": "Mentees"}


def _equality(scheme) -> list[EqualityTable] | None:
    """Each question's answers by role, every column a group with its total and the one rule
    for small numbers (``suppression.group``), in one query. The columns have no row totals:
    a total across the roles would count people with both roles twice, and would let a
    hidden count be worked out from the other role's."""
    questions = scheme.equality_questions
    if not questions:
        return None
    found = equality_queries.counts(scheme.id)
    tables = []
    for question in questions:
        stored = {role: found.get((role, question["key"]), {}) for role in EQUALITY_GROUPS}
        answers = [*options_of(question), NOT_ANSWERED]
        # Answers to options a pack no longer offers still count, after the current ones.
        answers += sorted({a for counted in stored.values() for a in counted} - set(answers))
        columns = [suppression.group({a: stored[role].get(a, 0) for a in answers})
                   for role in EQUALITY_GROUPS]
        tables.append(EqualityTable(
            question["key"], question["question"],
            [(a, [cells[a] for cells, _ in columns]) for a in answers],
            [total for _, total in columns]))
    return tables


# --- downloads -------------------------------------------------------------------------------

HEADER = ["Section", "Figure", "Value"]


def rows(report: Report) -> list[list]:
    """The report as rows for a CSV or a spreadsheet: the scheme's short name, the range, and
    each figure with its section; no free text, and hidden figures as their words."""
    out: list[list] = [["Scheme", "Short name", report.scheme.slug],
                       ["Range", "From (UK date)", report.start.isoformat()],
                       ["Range", "To (UK date)", report.end.isoformat()]]
    for section in report.sections:
        out += [[section.title, line.export_label, line.cell.export] for line in section.lines]
    for table in report.equality or []:
        title = f"Equality monitoring (since the scheme began asking): {table.question}"
        for n, group in enumerate(EQUALITY_GROUPS.values()):
            out += [[title, f"{group}: {answer}", cells[n].export] for answer, cells in table.rows]
            out.append([title, f"{group}: all who answered", table.totals[n].export])
    return out


def to_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows(report))
    return buffer.getvalue()


def to_xlsx(report: Report) -> bytes:
    # Imported here, not with the module: openpyxl is about 16 MB of every web worker's memory,
    # for a download an administrator asks for now and then.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Report"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(report):
        sheet.append(row)
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 60
    sheet.column_dimensions["C"].width = 16
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
