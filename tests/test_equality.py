"""Equality monitoring: a pack's optional questions, asked on a page of their own after joining
(the dashboard offers it until the person answers or says no thanks), counted once and kept only
as counts; the desk's report shows them with small numbers hidden and none recoverable from a
total; the privacy notice explains it where the pack asks; a person's download says only that
they answered; deleting the account takes the marker and leaves the counts."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.audit import AuditEvent
from portal.equality import queries
from portal.equality.models import EqualityCount, EqualityDone
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.schemes.packs import PACK_DIR, PackError, _equality, read_pack
from tests.support.agreements import client_for
from tests.support.overlap import hold_until_both_arrive, post_at_once

TABLE = {
    "purpose": "To see whether the scheme reaches everyone.",
    "questions": [
        {"key": "age", "question": "How old are you?",
         "options": ["Under 35", "35 to 54", "55 or over"]},
        {"key": "carer", "question": "Do you look after someone?",
         "hint": "Unpaid care only.", "options": ["Yes", "No"]},
    ]}
AGES = ["Under 35", "35 to 54", "55 or over", "Prefer not to say", "Not answered"]


def questions() -> dict:
    return _equality(Path("test.toml"), TABLE)


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
                    .split())


def page_of(scheme) -> str:
    return f"/schemes/{scheme.slug}/equality"


def answer(app, person, scheme, **answers):
    return client_for(app, person).post_form(
        page_of(scheme), {f"q_{key}": value for key, value in answers.items()})


def decline(app, person, scheme):
    return client_for(app, person).post_form(f"{page_of(scheme)}/no-thanks", {})


def counted(scheme) -> dict[tuple[str, str, str], int]:
    """Every count above 0: {(role, question, answer): n}."""
    db.session.expire_all()
    return {(c.role, c.question, c.answer): c.count for c in db.session.scalars(
        sa.select(EqualityCount).where(EqualityCount.scheme_id == scheme.id)) if c.count}


def marker(person, scheme) -> EqualityDone | None:
    db.session.expire_all()
    return db.session.get(EqualityDone, (person.id, scheme.id))


@pytest.fixture
def scheme(make):
    return make.scheme(name="Asking scheme", slug="asking", equality=questions())


# --- the pack's table --------------------------------------------------------------------------

def test_the_shipped_packs_ask_where_their_hr_collects_it_and_nowhere_else():
    asking = {path.stem for path in PACK_DIR.glob("*.toml")
              if read_pack(path)["equality"].get("questions")}
    assert asking == {"west-suffolk", "gla-group"}
    west = read_pack(PACK_DIR / "west-suffolk.toml")["equality"]
    keys = [q["key"] for q in west["questions"]]
    assert keys == ["age", "sex", "gender_identity", "disability", "ethnic_group", "religion",
                    "sexual_orientation", "caring"]
    ethnic = next(q for q in west["questions"] if q["key"] == "ethnic_group")
    assert len(ethnic["options"]) == 5  # the five top-level groups for England
    # "Prefer not to say" is the portal's, added to every question, never written in a pack.
    assert not any("Prefer not to say" in q["options"] for q in west["questions"])


def test_a_good_table_is_kept_tidy_and_no_table_asks_nothing():
    checked = _equality(Path("p.toml"), {"questions": [
        {"key": "age", "question": "  How old\n are you? ", "options": ["Under 35", "35+"]}]})
    assert checked == {"questions": [{"key": "age", "question": "How old are you?",
                                      "options": ["Under 35", "35+"]}]}
    assert _equality(Path("p.toml"), {}) == {}


def test_loading_a_pack_sets_the_questions_and_removing_the_table_stops_them(app, tmp_path):
    from portal.schemes.packs import load_pack

    source = (PACK_DIR / "west-suffolk.toml").read_text(encoding="utf-8")
    scheme, _ = load_pack(db.session, read_pack(PACK_DIR / "west-suffolk.toml"))
    db.session.commit()
    assert len(scheme.equality_questions) == 8
    without = tmp_path / "west-suffolk.toml"
    without.write_text(source.split("\n[equality]")[0], encoding="utf-8")
    scheme, _ = load_pack(db.session, read_pack(without))
    db.session.commit()
    assert scheme.equality_questions == []


QUESTION = {"key": "age", "question": "How old are you?", "options": ["Under 35", "35+"]}


@pytest.mark.parametrize("table, message", [
    ("yes", "equality must be a table"),
    ({"questions": [QUESTION], "asks": True}, "equality has unknown settings: asks"),
    ({"purpose": "Why."}, "equality questions must be a list of 1 to 12"),
    ({"questions": []}, "equality questions must be a list of 1 to 12"),
    ({"questions": [QUESTION] * 13}, "equality questions must be a list of 1 to 12"),
    ({"questions": ["How old are you?"]}, "each equality question must be a table"),
    ({"questions": [{**QUESTION, "required": True}]},
     "an equality question has unknown settings: required"),
    ({"questions": [{**QUESTION, "key": "Age group"}]}, "needs a key of lower-case letters"),
    ({"questions": [QUESTION, {**QUESTION, "question": "Age?"}]}, "asks the question 'age' twice"),
    ({"questions": [{**QUESTION, "question": ""}]}, "equality age question must be some text"),
    ({"questions": [{**QUESTION, "hint": "x" * 501}]}, "equality age hint must be some text of "
                                                      "at most 500"),
    ({"questions": [{**QUESTION, "options": ["Only one"]}]}, "needs a list of 2 to 15 options"),
    ({"questions": [{**QUESTION, "options": ["Yes", "yes"]}]}, "offers the same option twice"),
    ({"questions": [{**QUESTION, "options": ["Yes", "Prefer not to say"]}]},
     "the portal adds them itself"),
    ({"questions": [{**QUESTION, "options": ["Yes", 3]}]}, "equality age option must be some"),
    ({"purpose": "", "questions": [QUESTION]}, "equality purpose must be some text"),
])
def test_a_bad_table_is_refused_when_the_pack_loads(table, message):
    with pytest.raises(PackError, match=re.escape(message)):
        _equality(Path("pack.toml"), table)


# --- the dashboard's task and the page -----------------------------------------------------------

TASK = "Equality monitoring questions (optional, about 2 minutes)"


def test_the_task_shows_only_in_schemes_that_ask_and_goes_once_answered(app, make, scheme):
    quiet = make.scheme(name="Quiet scheme")
    person = make.user(roles={scheme: [Role.MENTEE], quiet: [Role.MENTOR]})
    only_quiet = make.user(roles={quiet: [Role.MENTEE]})
    dashboard = text(client_for(app, person).get("/dashboard"))
    assert TASK in dashboard and "Asking scheme" in dashboard
    assert page_of(scheme) in client_for(app, person).get("/dashboard").get_data(as_text=True)
    assert TASK not in text(client_for(app, only_quiet).get("/dashboard"))
    assert client_for(app, person).get(page_of(quiet)).status_code == 404

    assert answer(app, person, scheme, age="Under 35").status_code == 303
    assert TASK not in text(client_for(app, person).get("/dashboard"))


def test_the_page_explains_and_offers_every_answer_and_no_thanks(app, make, scheme):
    person = make.mentee(scheme)
    page = client_for(app, person).get(page_of(scheme))
    shown = text(page)
    assert page.status_code == 200
    for expected in ("To see whether the scheme reaches everyone.", "Every question is optional",
                     "cannot be shown to you, changed or deleted later",
                     "How old are you? (optional)", "Unpaid care only.", "Prefer not to say",
                     "Send my answers", "No thanks"):
        assert expected in shown, expected
    assert shown.count("Prefer not to say") >= 2  # under each question


def test_answers_are_counted_once_for_each_role_with_blanks_as_not_answered(app, make, scheme):
    mentee = make.mentee(scheme)
    audit_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    mail_before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    sent = answer(app, mentee, scheme, age="35 to 54")
    assert sent.status_code == 303
    assert counted(scheme) == {("mentee", "age", "35 to 54"): 1,
                               ("mentee", "carer", "Not answered"): 1}
    assert marker(mentee, scheme) is not None
    # Nothing that says who answered when: no audit entry, no email.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == audit_before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == \
        mail_before
    done = client_for(app, mentee).get(page_of(scheme))
    assert "You have been through this scheme" in text(done)
    assert 'name="q_age"' not in done.get_data(as_text=True)

    # Answering again, or saying no thanks afterwards, is refused and changes nothing.
    again = answer(app, mentee, scheme, age="Under 35")
    assert again.status_code == 409
    assert "You have already been through this scheme" in text(again)
    assert decline(app, mentee, scheme).status_code == 409
    assert counted(scheme) == {("mentee", "age", "35 to 54"): 1,
                               ("mentee", "carer", "Not answered"): 1}

    # Someone who is both a mentor and a mentee counts once in each.
    both = make.user(roles={scheme: [Role.MENTOR, Role.MENTEE]})
    assert answer(app, both, scheme, age="Under 35", carer="Prefer not to say").status_code == 303
    assert counted(scheme) == {("mentee", "age", "35 to 54"): 1,
                               ("mentee", "carer", "Not answered"): 1,
                               ("mentee", "age", "Under 35"): 1, ("mentor", "age", "Under 35"): 1,
                               ("mentee", "carer", "Prefer not to say"): 1,
                               ("mentor", "carer", "Prefer not to say"): 1}


def test_nothing_stored_can_tie_an_answer_to_a_person():
    """The promise on the page, kept by the tables themselves: counts with no person and no
    time; a marker with no answer, no time, and not even whether the person answered."""
    assert {c.name for c in EqualityCount.__table__.columns} == {
        "scheme_id", "role", "question", "answer", "count"}
    assert {c.name for c in EqualityDone.__table__.columns} == {"user_id", "scheme_id"}


def test_no_thanks_counts_nothing_and_ends_the_task(app, make, scheme):
    mentor = make.mentor(scheme).user
    assert decline(app, mentor, scheme).status_code == 303
    assert counted(scheme) == {}
    assert marker(mentor, scheme) is not None
    assert TASK not in text(client_for(app, mentor).get("/dashboard"))
    assert "You have been through this scheme" in text(client_for(app, mentor).get(page_of(scheme)))
    refused = answer(app, mentor, scheme, age="Under 35")
    assert refused.status_code == 409 and "You have already been through" in text(refused)
    assert counted(scheme) == {}


@pytest.mark.parametrize("fields", [
    {"q_age": "Over 100"},                       # an option not offered
    {"q_age": "Under 35", "q_religion": "None"},  # a question not asked
    {"q_age": "Under 35\x00\u202e\u200b'); DROP TABLE equality_count;--"},  # pasted junk
    {"q_carer": "x" * 10_000},
])
def test_bad_answers_are_refused_with_nothing_counted(app, make, scheme, fields):
    mentee = make.mentee(scheme)
    refused = client_for(app, mentee).post_form(page_of(scheme), fields)
    assert refused.status_code == 400
    assert counted(scheme) == {} and marker(mentee, scheme) is None
    if "q_religion" not in fields:
        assert "Choose one of the answers to" in text(refused)
    # The form still works afterwards.
    assert answer(app, mentee, scheme, age="Under 35").status_code == 303


def test_only_the_schemes_mentors_and_mentees_may_use_it(app, make, scheme):
    other = make.scheme(equality=questions())
    strangers = [make.user(), make.mentee(other), make.admin(scheme)]
    left = make.mentee(scheme)
    from portal.accounts.models import Membership
    from portal.db import utcnow

    db.session.execute(sa.update(Membership).where(Membership.user_id == left.id)
                       .values(deactivated_at=utcnow()))
    db.session.commit()
    for person in [*strangers, left]:
        browser = client_for(app, person)
        assert browser.get(page_of(scheme)).status_code == 404
        assert browser.post_form(page_of(scheme), {"q_age": "Under 35"}).status_code == 404
        assert browser.post_form(f"{page_of(scheme)}/no-thanks", {}).status_code == 404
    assert client_for(app, make.mentee(scheme)).get("/schemes/no-such/equality").status_code \
        == 404
    anonymous = client_for(app)
    signed_out = anonymous.get(page_of(scheme))
    assert signed_out.status_code in (302, 303) and "/sign-in" in signed_out.location
    assert counted(scheme) == {}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EqualityDone)) == 0



def test_two_sends_at_once_count_once(app, make, scheme, monkeypatch):
    mentee = make.mentee(scheme)
    posts = []
    for age in ("Under 35", "55 or over"):
        browser = client_for(app, mentee)
        posts.append((browser, page_of(scheme),
                      {"q_age": age, "csrf_token": browser.csrf_token()}))
    hold_until_both_arrive(queries, "lock_person", monkeypatch)
    assert post_at_once(posts) == [303, 409]
    found = counted(scheme)
    assert sum(n for (_, question, _), n in found.items() if question == "age") == 1
    assert found[("mentee", "carer", "Not answered")] == 1


def test_two_people_answering_first_at_once_both_count(app, make, scheme, monkeypatch):
    """Both make the scheme's count rows at the same moment: each answer counts once."""
    posts = []
    for role, age in ((Role.MENTOR, "Under 35"), (Role.MENTEE, "Under 35")):
        browser = client_for(app, make.user(roles={scheme: [role]}))
        posts.append((browser, page_of(scheme),
                      {"q_age": age, "q_carer": "Yes", "csrf_token": browser.csrf_token()}))
    hold_until_both_arrive(queries, "lock_person", monkeypatch)
    assert post_at_once(posts) == [303, 303]
    assert counted(scheme) == {(role, question, answer): 1 for role in ("mentor", "mentee")
                               for question, answer in (("age", "Under 35"), ("carer", "Yes"))}


# --- the desk's report -------------------------------------------------------------------------

class _Tables(HTMLParser):
    """The equality tables on the Reports page: {question key: {answer: [mentors, mentees]}}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, list[str]]] = {}
        self.key = self.row = self.cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-equality" in attrs:
            self.key = attrs["data-equality"]
            self.tables[self.key] = {}
        elif self.key and tag == "tr":
            self.row = []
        elif self.key and self.row is not None and tag in ("td", "th"):
            self.cell = ""

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if self.key and tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join(self.cell.split()))
            self.cell = None
        elif self.key and tag == "tr" and self.row:
            if self.row[0] != "Answer":
                self.tables[self.key][self.row[0]] = self.row[1:]
            self.row = None
        elif tag == "table":
            self.key = None


def equality_tables(response) -> dict[str, dict[str, list[str]]]:
    parser = _Tables()
    parser.feed(response.get_data(as_text=True))
    return parser.tables


@pytest.fixture
def answered(app, make, scheme):
    """Counted by hand: 6 mentors and 9 mentees answer; 2 more say no thanks."""
    mentors = [make.mentor(scheme).user for _ in range(6)]
    mentees = [make.mentee(scheme) for _ in range(9)]
    for person, age in zip(mentors, ["35 to 54"] * 5 + ["55 or over"], strict=True):
        assert answer(app, person, scheme, age=age, carer="No").status_code == 303
    for n, person in enumerate(mentees):
        age = "Under 35" if n < 6 else "35 to 54" if n < 8 else None
        carer = "Yes" if n < 5 else "No" if n < 8 else "Prefer not to say"
        fields = {"carer": carer, **({"age": age} if age else {})}
        assert answer(app, person, scheme, **fields).status_code == 303
    for person in (make.mentee(scheme), make.mentor(scheme).user):
        assert decline(app, person, scheme).status_code == 303
    return make.admin(scheme, email="equality-admin@asking.gov.uk")


def test_the_report_matches_the_hand_counts_with_small_numbers_hidden(app, answered, scheme):
    page = client_for(app, answered).get(f"/admin/schemes/{scheme.slug}/reports")
    assert page.status_code == 200
    assert "since it began asking them, not only in the dates above" in text(page)
    tables = equality_tables(page)
    # Mentors: 5 aged 35 to 54 and 1 aged 55 or over: the 1 is hidden, and so is the 5, which
    # the total would otherwise give it away from. Mentees: 6 under 35, 2 aged 35 to 54, one
    # left the question blank: two counts hidden, so the total gives neither away.
    assert tables["age"] == {
        "Under 35": ["0", "6"], "35 to 54": ["not shown", "fewer than 5"],
        "55 or over": ["fewer than 5", "0"], "Prefer not to say": ["0", "0"],
        "Not answered": ["0", "fewer than 5"], "All who answered": ["6", "9"]}
    assert tables["carer"] == {
        "Yes": ["0", "5"], "No": ["6", "fewer than 5"], "Prefer not to say": ["0", "fewer than 5"],
        "Not answered": ["0", "0"], "All who answered": ["6", "9"]}


def test_no_hidden_count_can_be_worked_out_from_a_total(app, answered, scheme):
    tables = equality_tables(client_for(app, answered).get(
        f"/admin/schemes/{scheme.slug}/reports"))
    hidden = {"fewer than 5", "not shown"}
    for key, table in tables.items():
        for column in (0, 1):
            cells = [row[column] for answer, row in table.items() if answer != "All who answered"]
            total = table["All who answered"][column]
            n_hidden = sum(cell in hidden for cell in cells)
            if total not in hidden:
                assert n_hidden != 1, (key, column)
                if n_hidden:
                    shown = sum(int(cell) for cell in cells if cell not in hidden)
                    assert int(total) - shown >= 2, (key, column)


def test_the_downloads_carry_the_same_figures_and_no_free_text(app, answered, scheme):
    browser = client_for(app, answered)
    tables = equality_tables(browser.get(f"/admin/schemes/{scheme.slug}/reports"))
    rows = list(csv.reader(io.StringIO(browser.get(
        f"/admin/schemes/{scheme.slug}/reports.csv").get_data(as_text=True))))
    equality = [row for row in rows if row[0].startswith("Equality monitoring")]
    assert equality
    from_csv: dict[tuple[str, str, str], str] = {
        (section.rpartition(": ")[2], *figure.split(": ", 1)): value
        for section, figure, value in equality}
    for key, question in (("age", "How old are you?"), ("carer", "Do you look after someone?")):
        for answer_, (mentors, mentees) in tables[key].items():
            label = "all who answered" if answer_ == "All who answered" else answer_
            assert from_csv[(question, "Mentors", label)] == mentors
            assert from_csv[(question, "Mentees", label)] == mentees
    for _, _, value in equality:
        assert re.fullmatch(r"\d+|fewer than 5|not shown", value), value
    sheet = browser.get(f"/admin/schemes/{scheme.slug}/reports.xlsx")
    assert sheet.status_code == 200


def test_the_section_reads_one_query_however_many_answered(app, make, scheme, count_queries):
    admin = make.admin(scheme, email="counting-desk@asking.gov.uk")
    url = f"/admin/schemes/{scheme.slug}/reports"
    answer(app, make.mentee(scheme), scheme, age="Under 35", carer="Yes")
    with count_queries() as few:
        assert client_for(app, admin).get(url).status_code == 200
    for n in range(6):
        answer(app, make.user(roles={scheme: [Role.MENTOR, Role.MENTEE]}), scheme,
               age=AGES[n % 4], carer="Yes")
    with count_queries() as many:
        page = client_for(app, admin).get(url)
    assert equality_tables(page)["carer"]["Yes"] == ["6", "7"]
    assert many.count == few.count, many.statements


def test_a_scheme_that_does_not_ask_has_no_such_section(app, make):
    quiet = make.scheme(slug="quiet")
    admin = make.admin(quiet)
    page = client_for(app, admin).get("/admin/schemes/quiet/reports")
    assert page.status_code == 200 and "Equality monitoring" not in text(page)
    csv_text = client_for(app, admin).get("/admin/schemes/quiet/reports.csv").get_data(
        as_text=True)
    assert "Equality monitoring" not in csv_text


def test_another_schemes_administrator_sees_no_report(app, make, answered, scheme):
    other_admin = make.admin(make.scheme(), email="other-desk@else.gov.uk")
    for path in ("reports", "reports.csv"):
        assert client_for(app, other_admin).get(
            f"/admin/schemes/{scheme.slug}/{path}").status_code == 404


# --- the privacy notice, the download, deleting the account -------------------------------------

def test_the_privacy_notice_explains_it_only_where_the_pack_asks(app, make, scheme):
    shown = text(client_for(app).get(f"/schemes/{scheme.slug}/privacy"))
    for expected in ("Equality monitoring", "special category data", "Every question is optional",
                     "substantial public interest", "Schedule 1 to the Data Protection Act 2018",
                     "cannot be included in a download of your data, changed or deleted",
                     "no longer your personal data"):
        assert expected in shown, expected
    quiet = make.scheme()
    assert "Equality monitoring" not in text(client_for(app).get(
        f"/schemes/{quiet.slug}/privacy"))


def test_the_download_says_only_that_they_answered(app, make, scheme, runner):
    mentee = make.mentee(scheme)
    assert answer(app, mentee, scheme, age="55 or over", carer="Yes").status_code == 303
    browser = client_for(app, mentee)
    assert browser.post_form("/account/data", {}).status_code == 303
    result = runner.invoke(args=["personal-data", "build"])
    assert result.exit_code == 0, result.output
    page = browser.get("/account/data").get_data(as_text=True)
    url = re.search(r'href="(/account/data/\d+/download)"', page).group(1)
    with zipfile.ZipFile(io.BytesIO(browser.get(url).data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assert json.loads(files["equality_monitoring.json"]) == [{
        "scheme": "Asking scheme",
        "what_we_hold": "You have been through the equality monitoring questions: you answered "
                        "them or said no thanks, and we do not keep which. Any answers are "
                        "stored only as anonymous counts, which cannot be linked back to you, so "
                        "they cannot be included here."}]
    everything = b" ".join(files.values())
    assert b"55 or over" not in everything


def test_deleting_the_account_removes_the_marker_and_keeps_the_counts(app, make, scheme):
    mentee = make.mentee(scheme)
    assert answer(app, mentee, scheme, age="Under 35").status_code == 303
    before = counted(scheme)
    assert client_for(app, mentee).post_form("/account/delete", {"confirm": "y"}).status_code \
        == 303
    assert marker(mentee, scheme) is None
    assert counted(scheme) == before
