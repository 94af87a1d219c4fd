"""The desk's Reports: a scheme's figures for a date range match counts made by hand on a seeded
scheme; counts under 5 read "fewer than 5" and none can be worked out from a total or a rate;
the CSV and the spreadsheet say the same with no free text; the range is checked; the page reads
a fixed number of queries; and only the scheme's administrators see it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import statistics
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
import time_machine
from openpyxl import load_workbook

from portal.accounts.models import Role
from portal.agreements.models import Agreement
from portal.calls.models import CallState, ChemistryCall, DeclineReason
from portal.evaluations.models import Evaluation, EvaluationKind, EvaluationState
from portal.extensions import db
from portal.relationships.models import (
    EndCategory,
    EndKind,
    MentoringSession,
    RelationshipState,
    SessionState,
)
from tests.support.agreements import client_for

#: The page is read on Monday 15 June 2026; the default range is 16 June 2025 to 15 June 2026.
TODAY = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
#: The scheme's history before the range is seeded at this moment.
BEFORE = dt.datetime(2024, 1, 10, 12, 0, tzinfo=dt.UTC)
FREE_TEXT = ["Sorry, my diary is full until the spring", "We fell out over the action plan",
             "I hope to learn to chair meetings", "Priya Privatename"]


def at(month: int, day: int, year: int = 2025, hour: int = 12) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=dt.UTC)


def joined(make, scheme, role: Role, when: dt.datetime, **kwargs):
    user = make.user(roles={scheme: [role]}, **kwargs)
    for membership in user.memberships:
        membership.created_at = when
    db.session.commit()
    return user


def request(scheme, profile, mentee, state: CallState, when: dt.datetime,
            answered: dt.datetime | None = None) -> ChemistryCall:
    call = ChemistryCall(scheme=scheme, profile=profile, mentor=profile.user, mentee=mentee,
                         state=state, requested_at=when, answered_at=answered,
                         hopes=FREE_TEXT[2],
                         decline_note=FREE_TEXT[0] if state == CallState.DECLINED else "",
                         decline_reason=DeclineReason.OTHER
                         if state == CallState.DECLINED else None)
    db.session.add(call)
    db.session.commit()
    return call


# --- reading the page and the files ----------------------------------------------------------

class _Tables(HTMLParser):
    """Each report table's rows, as {section: [(figure, value), ...]}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[tuple[str, str]]] = {}
        self._section = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-section" in attrs:
            self._section = attrs["data-section"]
            self.tables[self._section] = []
        elif self._section and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._section = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row != ["Figure", "Number"]:
                self.tables[self._section].append(tuple(self._row))
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> dict[str, dict[str, str]]:
    parser = _Tables()
    parser.feed(html)
    return {section: dict(rows) for section, rows in parser.tables.items()}


def csv_rows(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Section", "Figure", "Value"]
    return rows[1:]


# --- the seeded scheme ------------------------------------------------------------------------

@pytest.fixture
def seeded(app, make):
    """Scheme A with a history counted by hand below, and scheme B next to it, whose figures
    must not count. Everything made "now" is made before the range."""
    with time_machine.travel(BEFORE, tick=False):
        scheme = make.scheme(name="Scheme A", slug="reports-a")
        other = make.scheme(name="Scheme B", slug="reports-b")
        admin = make.admin(scheme, email="admin@a.gov.uk")
        profile = make.mentor(scheme, name=FREE_TEXT[3], capacity=50)
        expected: dict[str, dict[str, str]] = {}

        # Registrations in the range: 12 mentors, 6 mentees, 2 administrators (and one mentee
        # the day before it starts, and scheme B's). 2 is hidden; 6, the next smallest, too.
        for _ in range(12):
            joined(make, scheme, Role.MENTOR, at(7, 1))
        for day in range(6):
            joined(make, scheme, Role.MENTEE, at(8, 1 + day))
        joined(make, scheme, Role.ADMIN, at(6, 16, hour=0))   # 1am in London, the first day
        joined(make, scheme, Role.ADMIN, at(6, 15, 2026, hour=22))  # 11pm, the last day
        joined(make, scheme, Role.MENTEE, at(6, 15, hour=22))  # 11pm the day before: outside
        joined(make, other, Role.MENTOR, at(9, 1))
        expected["registrations"] = {"Mentors": "12", "Mentees": "not shown",
                                     "Administrators": "fewer than 5",
                                     "All registrations": "20"}

        # Requests made in the range: 9 accepted (whatever came after), 6 declined, 3 expired,
        # none withdrawn before an answer, 5 waiting: 23. 3 is hidden, so 5 is too, and the
        # acceptance rate, which would give 3 back.
        mentees = [make.mentee(scheme) for _ in range(8)]
        states = ([CallState.ACCEPTED] * 3 + [CallState.MATCHED] * 4
                  + [CallState.NOT_TAKEN_FORWARD, CallState.WITHDRAWN])
        for n, state in enumerate(states):
            request(scheme, profile, mentees[n % 8], state, at(10, 1 + n), answered=at(10, 2 + n))
        for n in range(6):
            request(scheme, profile, mentees[n], CallState.DECLINED, at(11, 1 + n),
                    answered=at(11, 2 + n))
        for n in range(3):
            request(scheme, profile, mentees[n], CallState.EXPIRED, at(12, 1 + n))
        for n in range(5):
            request(scheme, profile, mentees[n], CallState.REQUESTED, at(5, 1 + n, 2026))
        request(scheme, profile, mentees[0], CallState.DECLINED, at(5, 1), answered=at(5, 2))
        other_profile = make.mentor(other)
        request(other, other_profile, make.mentee(other), CallState.ACCEPTED, at(10, 1),
                answered=at(10, 2))
        expected["requests"] = {
            "Accepted by the mentor": "9", "Declined by the mentor": "6",
            "Not answered in time": "fewer than 5",
            "Withdrawn by the mentee before an answer": "0",
            "Still waiting for an answer": "not shown", "All requests made": "23",
            "Acceptance rate": "not shown"}

        # Mentees first matched in the range, each from their first request (made before it):
        # 5 of them; a sixth was first matched before the range, and matched again inside it.
        waits = []
        matched = []
        for n, days in enumerate((31, 33.5, 35.4, 39, 59)):
            mentee = make.mentee(scheme)
            first = at(5, 20) - dt.timedelta(days=n)  # before the range
            request(scheme, profile, mentee, CallState.DECLINED, first, answered=first)
            request(scheme, profile, mentee, CallState.MATCHED, first + dt.timedelta(days=1),
                    answered=first + dt.timedelta(days=2))
            pair = make.relationship(scheme, created_at=first + dt.timedelta(days=days))
            pair.mentee_id = mentee.id
            waits.append(days)
            matched.append(pair)
        early = make.relationship(scheme, created_at=at(1, 5))
        request(scheme, profile, early.mentee, CallState.MATCHED, at(1, 1), answered=at(1, 2))
        again = make.relationship(scheme, created_at=at(9, 9))
        again.mentee_id = early.mentee_id
        db.session.commit()
        assert statistics.median(waits) == 35.4
        # Agreements submitted in the range: 4 of the 5 (fewer than 5: no median).
        for pair in matched[:4]:
            agreement = db.session.scalar(
                sa.select(Agreement).where(Agreement.relationship_id == pair.id))
            agreement.submitted_at = pair.created_at + dt.timedelta(days=10)
            pair.state, pair.activated_at = RelationshipState.ACTIVE, agreement.submitted_at
        db.session.commit()
        expected["time"] = {"Mentees first matched": "5",
                            "Median days from first request to match": "35.4 days",
                            "Agreements submitted": "fewer than 5",
                            "Median days from match to submitted agreement": "fewer than 5"}

        # Endings in the range: 7 completed, 2 not working, 5 circumstances changed, and one
        # before the range. 2 is hidden; 5, the next smallest, too.
        ended = []
        for kind, category, count in ((EndKind.COMPLETED, None, 7),
                                      (EndKind.ENDED_EARLY, EndCategory.NOT_WORKING, 2),
                                      (EndKind.ENDED_EARLY, EndCategory.CIRCUMSTANCES, 5)):
            for n in range(count):
                ended.append(make.relationship(
                    scheme, state=RelationshipState.ENDED, ended_at=at(11, 10 + n),
                    activated_at=BEFORE if kind == EndKind.COMPLETED else None,
                    end_kind=kind, end_category=category, end_reason=FREE_TEXT[1]))
        make.relationship(scheme, state=RelationshipState.ENDED, ended_at=at(3, 1),
                          activated_at=BEFORE, end_kind=EndKind.COMPLETED)
        expected["endings"] = {
            "Completed the agreed time": "7",
            "Ended early: the mentoring is not working as we hoped": "fewer than 5",
            "Ended early: work or personal circumstances have changed": "not shown",
            "Ended early: the goals have been met sooner than planned": "0",
            "Ended early: leaving the organisation or the scheme": "0",
            "Ended early: another reason": "0", "Ended early: no reason chosen": "0",
            "Ended another way": "0", "All endings": "14"}

        # Active pairs on some day of the range: 3 running since before it, the 4 whose
        # agreements were submitted in it, and the 7 that completed in it: 14.
        running = [make.active_relationship(scheme, activated_at=BEFORE) for _ in range(3)]
        expected["pairs"] = {"Active pairs": "14"}

        # Sessions held in the range: 5 by the day they met, 1 booked and logged without a
        # day; not one held the day before, one booked and one cancelled.
        pair = running[0]
        for n in range(5):
            db.session.add(MentoringSession(relationship_id=pair.id, state=SessionState.HELD,
                                            held_on=dt.date(2026, 1, 1 + n), held_minutes=60))
        db.session.add_all([
            MentoringSession(relationship_id=pair.id, state=SessionState.HELD,
                             starts_at=at(2, 2, 2026)),
            MentoringSession(relationship_id=pair.id, state=SessionState.HELD,
                             held_on=dt.date(2025, 6, 15)),
            MentoringSession(relationship_id=pair.id, state=SessionState.BOOKED,
                             starts_at=at(3, 3, 2026)),
            MentoringSession(relationship_id=pair.id, state=SessionState.CANCELLED,
                             starts_at=at(3, 4, 2026))])
        db.session.commit()
        expected["sessions"] = {"Sessions held": "6"}

        # Evaluations asked for in the range: 6 answered, 10 not: a response rate of 37.5%.
        slots = [(relationship, party) for relationship in ended[:7] + running[:1]
                 for party in ("mentor", "mentee")]
        for n, (relationship, party) in enumerate(slots):
            db.session.add(Evaluation(
                relationship_id=relationship.id, scheme_id=scheme.id,
                user_id=getattr(relationship, f"{party}_id"), party=party,
                kind=EvaluationKind.END, questions=["What went well?"],
                answers=[FREE_TEXT[1]] if n < 6 else None, opened_at=at(12, 1),
                closes_at=at(12, 31), submitted_at=at(12, 2) if n < 6 else None,
                state=EvaluationState.SUBMITTED if n < 6 else EvaluationState.OPEN))
        db.session.commit()
        expected["evaluations"] = {"Answered": "6", "Not answered": "10",
                                   "All evaluations asked for": "16",
                                   "Response rate": "37.5%"}
    return {"scheme": scheme, "other": other, "admin": admin, "expected": expected}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_the_figures_match_the_hand_counts_with_small_numbers_hidden(app, seeded):
    browser = client_for(app, seeded["admin"])
    page = browser.get("/admin/schemes/reports-a/reports")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "16 June 2025 to 15 June 2026" in html
    assert page_tables(html) == seeded["expected"]
    for words in FREE_TEXT:
        assert words not in html


def test_the_csv_and_the_spreadsheet_say_what_the_page_says_and_no_free_text(app, seeded):
    browser = client_for(app, seeded["admin"])
    html = browser.get("/admin/schemes/reports-a/reports").get_data(as_text=True)
    csv_link = re.search(r'href="([^"]+reports\.csv[^"]*)"', html).group(1).replace("&amp;", "&")
    download = browser.get(csv_link)
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert ('filename="reports-a-report-2025-06-16-to-2026-06-15.csv"'
            in download.headers["Content-Disposition"])
    text = download.get_data(as_text=True)
    rows = csv_rows(text)
    assert rows[:3] == [["Scheme", "Short name", "reports-a"],
                        ["Range", "From (UK date)", "2025-06-16"],
                        ["Range", "To (UK date)", "2026-06-15"]]
    # The files hold bare numbers: a rate's label says "(%)", a median's says "days".
    on_page = {label + (" (%)" if label.endswith("rate") else ""):
               value.removesuffix("%").removesuffix(" days")
               for table in page_tables(html).values() for label, value in table.items()}
    assert {figure: value for _, figure, value in rows[3:]} == on_page
    # Only counts, rates, medians and the words for hidden ones: nothing anyone typed.
    for _, _, value in rows[3:]:
        assert re.fullmatch(r"\d+(\.\d)?|fewer than 5|not shown|none to measure", value), value
    for words in FREE_TEXT + ["Scheme A"]:
        assert words not in text

    sheet = browser.get(csv_link.replace("reports.csv", "reports.xlsx"))
    assert sheet.status_code == 200
    assert ('filename="reports-a-report-2025-06-16-to-2026-06-15.xlsx"'
            in sheet.headers["Content-Disposition"])
    book = load_workbook(io.BytesIO(sheet.get_data()))
    def same(value):  # a spreadsheet gives 35.0 back as 35
        return float(value) if re.fullmatch(r"\d+(\.\d+)?", str(value)) else value

    cells = [[same(v) for v in row] for row in book.active.iter_rows(values_only=True)]
    assert cells == [["Section", "Figure", "Value"], *([same(v) for v in row] for row in rows)]
    assert isinstance(book.active["C5"].value, int)  # numbers stay numbers for sums


def test_no_hidden_count_can_be_worked_out_from_a_total_or_a_rate(app, seeded):
    """Whatever the figures, in every group with a shown total either nothing is hidden or at
    least two counts are; and a shown rate has every count it is made from shown."""
    tables = page_tables(client_for(app, seeded["admin"])
                         .get("/admin/schemes/reports-a/reports").get_data(as_text=True))
    hidden = {"fewer than 5", "not shown"}
    for section, total in (("registrations", "All registrations"),
                           ("requests", "All requests made"), ("endings", "All endings"),
                           ("evaluations", "All evaluations asked for")):
        cells = {label: value for label, value in tables[section].items()
                 if label != total and not label.endswith("rate")}
        shown = [int(v) for v in cells.values() if v not in hidden]
        n_hidden = sum(v in hidden for v in cells.values())
        if tables[section][total] not in hidden:
            assert n_hidden != 1, section
            if n_hidden:
                # What the total leaves over spreads across two or more counts: every hidden
                # one could be more than one value.
                assert int(tables[section][total]) - sum(shown) >= 2, section
    requests = tables["requests"]
    if requests["Acceptance rate"] not in hidden | {"none to measure"}:
        assert all(requests[k] not in hidden for k in (
            "Accepted by the mentor", "Declined by the mentor", "Not answered in time"))
    assert seeded["expected"]["requests"]["Acceptance rate"] == "not shown"


def test_a_rate_is_shown_when_its_counts_are(app, make):
    scheme = make.scheme(slug="rates")
    admin = make.admin(scheme)
    profile = make.mentor(scheme, capacity=50)
    for n in range(5):
        request(scheme, profile, make.mentee(scheme), CallState.MATCHED, at(10, 1 + n),
                answered=at(10, 2 + n))
    for n in range(15):
        request(scheme, profile, make.mentee(scheme), CallState.DECLINED, at(10, 1 + n),
                answered=at(10, 2 + n))
    tables = page_tables(client_for(app, admin).get("/admin/schemes/rates/reports")
                         .get_data(as_text=True))
    assert tables["requests"]["Acceptance rate"] == "25.0%"
    assert tables["requests"]["All requests made"] == "20"
    assert tables["evaluations"]["Response rate"] == "none to measure"
    assert tables["time"]["Median days from first request to match"] == "none to measure"
    # In the range: 20 mentees, a mentor and an administrator: two counts hidden, so the
    # total gives neither away.
    assert [tables["registrations"][k] for k in ("Mentors", "Mentees", "Administrators",
                                                 "All registrations")] == [
        "fewer than 5", "20", "fewer than 5", "22"]


def test_the_range_can_be_chosen_and_is_checked(app, seeded):
    browser = client_for(app, seeded["admin"])
    url = "/admin/schemes/reports-a/reports"
    # November only: the 6 declined requests (October's 9 accepted and December's 3 expired
    # are outside it). None accepted of 6 answered is a rate of 0%, and shown.
    autumn = browser.get(f"{url}?from_date=1&from_date=11&from_date=2025"
                         "&to_date=30&to_date=11&to_date=2025")
    assert autumn.status_code == 200
    tables = page_tables(autumn.get_data(as_text=True))
    assert tables["requests"]["Declined by the mentor"] == "6"
    assert tables["requests"]["All requests made"] == "6"
    assert tables["requests"]["Acceptance rate"] == "0.0%"
    assert "1 November 2025 to 30 November 2025" in autumn.get_data(as_text=True)
    csv_file = browser.get("/admin/schemes/reports-a/reports.csv?from_date=2025-11-01"
                           "&to_date=2025-11-30")
    assert "reports-a-report-2025-11-01-to-2025-11-30.csv" in csv_file.headers[
        "Content-Disposition"]

    for query, message in (
            ("from_date=1&from_date=12&from_date=2025&to_date=1&to_date=11&to_date=2025",
             "must be the same as or after"),
            ("from_date=31&from_date=2&from_date=2025&to_date=1&to_date=3&to_date=2026",
             "Enter the \u2018from\u2019 date as a real date"),
            ("from_date=1&from_date=1&from_date=2026&to_date=&to_date=&to_date=",
             "Enter the \u2018to\u2019 date"),
            ("from_date=1&from_date=1&from_date=2026&to_date=1&to_date=1&to_date=2027",
             "must be today or in the past"),
            ("from_date=%00%E2%80%AE&to_date=\u202e1/1/2026", "Enter the \u2018from\u2019 date")):
        for path in (url, f"{url}.csv", f"{url}.xlsx"):
            response = browser.get(f"{path}?{query}")
            assert response.status_code == 400, (query, path)
            body = response.get_data(as_text=True)
            assert "There is a problem" in body and message in body, (query, path)
            assert 'data-section="requests"' not in body  # no figures for a wrong range


def test_the_report_reads_a_fixed_number_of_queries(app, make, count_queries):
    scheme = make.scheme(slug="counted")
    admin = make.admin(scheme)
    browser = client_for(app, admin)
    url = "/admin/schemes/counted/reports"
    profile = make.mentor(scheme, capacity=100)
    request(scheme, profile, make.mentee(scheme), CallState.MATCHED, at(10, 1), at(10, 2))
    make.active_relationship(scheme)
    with count_queries() as few:
        assert browser.get(url).status_code == 200
    for n in range(20):
        mentee = make.mentee(scheme)
        request(scheme, profile, mentee, CallState.MATCHED, at(10, 1 + n), at(10, 2 + n))
        pair = make.relationship(scheme, created_at=at(11, 1 + n))
        pair.mentee_id = mentee.id
        db.session.add(MentoringSession(relationship_id=pair.id, state=SessionState.HELD,
                                        held_on=dt.date(2026, 1, 1 + n)))
        db.session.commit()
        make.active_relationship(scheme)
    with count_queries() as many:
        html = browser.get(url).get_data(as_text=True)
    assert page_tables(html)["sessions"]["Sessions held"] == "20"
    assert many.count == few.count, many.statements
    for path in (f"{url}.csv", f"{url}.xlsx"):
        with count_queries() as download:
            assert browser.get(path).status_code == 200
        assert download.count == few.count, path


def test_only_the_schemes_administrators_see_it(app, seeded, make):
    other_admin = make.admin(seeded["other"], email="admin@b.gov.uk")
    mentor = make.mentor(seeded["scheme"]).user
    for path in ("reports", "reports.csv", "reports.xlsx"):
        url = f"/admin/schemes/reports-a/{path}"
        assert client_for(app, other_admin).get(url).status_code == 404
        assert client_for(app, seeded["admin"]).get(url).status_code == 200
        assert client_for(app, mentor).get(url).status_code == 403
        assert client_for(app).get(url).status_code in (302, 303)
    # A site administrator (of every scheme) sees every scheme's reports.
    site = make.user(email="site@gov.uk", roles={seeded["scheme"]: [Role.ADMIN],
                                                 seeded["other"]: [Role.ADMIN]})
    assert client_for(app, site).get("/admin/schemes/reports-b/reports").status_code == 200
    desk = client_for(app, seeded["admin"])
    for page in ("/admin", "/dashboard"):
        assert "/admin/schemes/reports-a/reports" in desk.get(page).get_data(as_text=True)
