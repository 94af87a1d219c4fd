"""The scheme packs shipped with the portal, loaded the way an operator loads them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa
from email_validator import validate_email

from portal.extensions import db
from portal.schemes.models import Scheme
from portal.schemes.packs import PACK_DIR

SHIPPED = {"herts-planning", "west-suffolk", "east-midlands-childrens", "gla-group", "act-project"}
PARTIES = {"mentor", "mentee", "both", "confidentiality"}
TERMS = {"duration_months", "sessions", "frequency", "min_minutes", "max_minutes", "notice_hours",
         "contact_between", "arranges_meetings", "sets_agenda", "meeting_format",
         "review_after_months"}


def load(runner, *paths: Path):
    return runner.invoke(args=["schemes", "load", *map(str, paths)])


def schemes() -> dict[str, Scheme]:
    db.session.expire_all()
    return {s.slug: s for s in db.session.scalars(sa.select(Scheme))}


def snapshot() -> dict[str, tuple]:
    return {slug: (s.id, s.name, s.admin_email, s.max_open_requests, s.agreement_template)
            for slug, s in schemes().items()}


def pack_text(slug: str) -> str:
    return (PACK_DIR / f"{slug}.toml").read_text(encoding="utf-8")


def test_every_shipped_pack_loads(runner):
    result = load(runner)

    assert result.exit_code == 0, result.output
    assert result.output.count("Created scheme") == len(SHIPPED)
    assert set(schemes()) == SHIPPED


def test_loading_again_updates_each_scheme_in_place(runner):
    load(runner)
    before = {slug: s.id for slug, s in schemes().items()}

    result = load(runner)

    assert result.exit_code == 0, result.output
    assert result.output.count("Updated scheme") == len(SHIPPED)
    assert "Created" not in result.output
    assert {slug: s.id for slug, s in schemes().items()} == before


def test_an_edited_pack_changes_its_scheme_and_nothing_else(runner, tmp_path):
    load(runner)
    others = {slug: row for slug, row in snapshot().items() if slug != "gla-group"}
    edited = tmp_path / "gla-group.toml"
    edited.write_text(pack_text("gla-group").replace("max_open_requests = 3",
                                                     "max_open_requests = 2"), encoding="utf-8")

    result = load(runner, edited)

    assert result.exit_code == 0, result.output
    assert "Updated scheme gla-group" in result.output
    assert schemes()["gla-group"].max_open_requests == 2
    assert {slug: row for slug, row in snapshot().items() if slug != "gla-group"} == others


def test_each_pack_file_is_named_for_its_slug():
    assert {path.stem for path in PACK_DIR.glob("*.toml")} == SHIPPED
    for slug in SHIPPED:
        assert tomllib.loads(pack_text(slug))["slug"] == slug


@pytest.mark.parametrize("slug", sorted(SHIPPED))
def test_scheme_has_what_people_need_to_decide_to_join(runner, slug):
    load(runner)
    scheme = schemes()[slug]

    assert scheme.name and scheme.summary
    assert len([p for p in scheme.about.split("\n\n") if p.strip()]) >= 2
    validate_email(scheme.admin_email, check_deliverability=False)
    assert scheme.mentor_eligibility.endswith(".") and scheme.mentee_eligibility.endswith(".")
    assert 8 <= len(scheme.expertise_areas) <= 14
    assert len(set(scheme.expertise_areas)) == len(scheme.expertise_areas)
    assert 1 <= scheme.max_open_requests <= scheme.shortlist_limit
    assert 0 < scheme.request_reminder_days < scheme.request_expiry_days
    assert scheme.retention_years >= 1


@pytest.mark.parametrize("slug", sorted(SHIPPED))
def test_agreement_has_a_section_for_each_party_and_the_terms_to_fill_in(runner, slug):
    load(runner)
    agreement = schemes()[slug].agreement_template

    assert agreement["title"] and agreement["intro"]
    assert "administrator" in agreement["submit_note"] or "team" in agreement["submit_note"]
    # It is part of the signed text, which both people write as "we".
    assert "the mentee submits" in agreement["submit_note"]
    assert "before our first" in agreement["submit_note"]
    assert " you" not in agreement["submit_note"]
    sections = agreement["sections"]
    assert {section["party"] for section in sections} == PARTIES
    for section in sections:
        assert section["title"] and section["clauses"]
        assert all(isinstance(c, str) and c.endswith(".") for c in section["clauses"])
    confidentiality = next(s for s in sections if s["party"] == "confidentiality")
    limits = " ".join(confidentiality["clauses"]).lower()
    assert "harm" in limits  # every scheme says where confidentiality stops

    # The defaults must be values the pair could enter themselves on the terms form.
    terms = agreement["terms"]
    assert set(terms) == TERMS
    assert 1 <= terms["duration_months"] <= 36 and 1 <= terms["sessions"] <= 52
    assert 10 <= terms["min_minutes"] <= terms["max_minutes"] <= 480
    assert 0 <= terms["notice_hours"] <= 336
    assert 0 < terms["review_after_months"] < terms["duration_months"]
    assert terms["arranges_meetings"] in {"mentee", "mentor", "both"}
    assert terms["sets_agenda"] in {"mentee", "mentor", "both"}
    assert terms["meeting_format"] in {"in_person", "online", "either"}
    assert 0 < len(terms["frequency"]) <= 200 and 0 < len(terms["contact_between"]) <= 300


@pytest.mark.parametrize("slug", sorted(SHIPPED))
def test_evaluation_asks_each_party_questions(runner, slug):
    load(runner)
    evaluation = schemes()[slug].evaluation_form

    assert set(evaluation) == {"mentor", "mentee", "window_days", "anonymous", "at_midpoint",
                               "follow_up_months", "signed_together"}
    for questions in (evaluation["mentor"], evaluation["mentee"]):
        assert 4 <= len(questions) <= 8
        assert all(q.endswith("?") for q in questions)


def test_schemes_keep_the_rules_of_the_schemes_they_are_modelled_on(runner):
    load(runner)
    found = schemes()

    # Line managers agree first in Hertfordshire and West Suffolk only.
    assert {slug for slug, s in found.items() if s.needs_line_manager_approval} == {
        "herts-planning", "west-suffolk"}
    # No shipped pack names the managers' organisations: the demo people's made-up domains
    # would be refused. An operator adds its own (see the README's pack format).
    assert all(s.line_manager_domains == [] for s in found.values())
    # West Suffolk's evaluation form: six questions for each party, signed by both; the
    # only pack that has them sign it together.
    evaluation = found["west-suffolk"].evaluation_form
    assert [len(evaluation["mentor"]), len(evaluation["mentee"])] == [6, 6]
    assert {slug for slug, s in found.items() if s.evaluation_form["signed_together"]} == {
        "west-suffolk"}
    # East Midlands: four to six sessions over twelve months, 48 hours' notice, mentee leads.
    terms = found["east-midlands-childrens"].agreement_template["terms"]
    assert 4 <= terms["sessions"] <= 6 and terms["duration_months"] == 12
    assert terms["notice_hours"] == 48
    assert terms["arranges_meetings"] == terms["sets_agenda"] == "mentee"
    # GLA Group: the mentee should not carry all the organising.
    assert found["gla-group"].agreement_template["terms"]["arranges_meetings"] == "both"
    # Hertfordshire takes mentors from the private sector too, mentees from the public sector.
    assert "private" in found["herts-planning"].mentor_eligibility
    assert "public-sector" in found["herts-planning"].mentee_eligibility
    # Hertfordshire names its three limits to confidentiality.
    herts = next(s for s in found["herts-planning"].agreement_template["sections"]
                 if s["party"] == "confidentiality")
    assert re.search(r"harm", " ".join(herts["clauses"]))
    assert re.search(r"policy", " ".join(herts["clauses"]))
    assert re.search(r"illegal", " ".join(herts["clauses"]))


BROKEN = {
    "not TOML": ('slug = "broken"\nname = "Unfinished', "broken.toml"),
    "no administrator mailbox": (None, "missing admin_email"),
    "unknown party": (None, "unknown party 'manager'"),
    "agreement without clauses": (None, "at least one section"),
    "limit that is not a number": (None, "max_open_requests must be a whole number from 1 to 20"),
    "yes or no given as text": (None, "needs_line_manager_approval must be true or false"),
    "expertise given twice": (None, "expertise_areas has the same area twice"),
    "line manager domain with an @": (None, "line_manager_domains must be a list of domains"),
    "line manager domain that is not a domain": (None,
                                                 "line_manager_domains must be a list of domains"),
    "line manager domain given twice": (None, "line_manager_domains has the same domain twice"),
    "line manager domains without approval": (None, "line_manager_domains is set but "
                                                     "needs_line_manager_approval is not true"),
}


def broken_pack(kind: str) -> str:
    text = pack_text("act-project").replace('slug = "act-project"', 'slug = "broken"')
    if kind == "not TOML":
        return BROKEN[kind][0]
    if kind == "no administrator mailbox":
        return re.sub(r'(?m)^admin_email = .*$', "", text)
    if kind == "unknown party":
        return text.replace('party = "mentee"', 'party = "manager"', 1)
    if kind == "limit that is not a number":
        return re.sub(r"(?m)^max_open_requests = .*$", 'max_open_requests = "three"', text)
    if kind == "yes or no given as text":
        return re.sub(r"(?m)^needs_line_manager_approval = .*$",
                      'needs_line_manager_approval = "no"', text)
    domains = {"line manager domain with an @": '["@eelga.gov.uk"]',
               "line manager domain that is not a domain": '["eelga"]',
               "line manager domain given twice": '["eelga.gov.uk", "EELGA.gov.uk"]'}
    if kind in domains:
        return text.replace("needs_line_manager_approval = false",
                            "needs_line_manager_approval = true\n"
                            f"line_manager_domains = {domains[kind]}")
    if kind == "line manager domains without approval":
        return text.replace("needs_line_manager_approval = false",
                            'needs_line_manager_approval = false\n'
                            'line_manager_domains = ["eelga.gov.uk"]')
    if kind == "expertise given twice":
        return re.sub(r"(?m)^expertise_areas = \[", 'expertise_areas = ["Twice", "Twice", ', text)
    return text.split("[[agreement.sections]]")[0] + "[agreement.terms]\nsessions = 4\n"


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_malformed_pack_is_refused_with_a_clear_error_and_changes_nothing(runner, tmp_path, kind):
    load(runner)
    before = snapshot()
    path = tmp_path / "broken.toml"
    path.write_text(broken_pack(kind), encoding="utf-8")

    result = load(runner, path)

    assert result.exit_code == 1
    assert "Error: broken.toml" in result.output
    assert BROKEN[kind][1] in result.output
    assert "No schemes were changed." in result.output
    assert snapshot() == before


def test_a_pack_without_line_manager_domains_clears_them(runner, tmp_path):
    load(runner)
    edited = tmp_path / "west-suffolk.toml"
    edited.write_text(re.sub(r"(?m)^line_manager_domains = .*$", "", pack_text("west-suffolk")),
                      encoding="utf-8")

    result = load(runner, edited)

    assert result.exit_code == 0, result.output
    assert schemes()["west-suffolk"].line_manager_domains == []


def test_a_broken_pack_among_good_ones_loads_none_of_them(runner, tmp_path):
    good = tmp_path / "herts-planning.toml"
    good.write_text(pack_text("herts-planning"), encoding="utf-8")
    bad = tmp_path / "broken.toml"
    bad.write_text(broken_pack("unknown party"), encoding="utf-8")

    result = load(runner, good, bad)

    assert result.exit_code == 1
    assert "No schemes were changed." in result.output
    assert schemes() == {}


def test_a_missing_pack_file_is_refused(runner, tmp_path):
    result = load(runner, tmp_path / "nowhere.toml")

    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert schemes() == {}


PLACEHOLDER = re.compile(r"\b(TODO|TBC|TBD|FIXME|XXX|lorem)\b|[{}\[\]<>]|\.\.\.", re.IGNORECASE)


@pytest.mark.parametrize("slug", sorted(SHIPPED))
def test_signed_text_has_no_broken_sentence_or_placeholder(slug):
    """The words both people sign, built from the pack with its own default terms: every
    paragraph and clause ends as a sentence does, a term that holds a sentence ends with a full
    stop, and nothing is left to fill in."""
    from portal.agreements import canonical

    pack = tomllib.loads(pack_text(slug))
    agreement, terms = pack["agreement"], pack["agreement"]["terms"]
    snapshot = {
        "title": agreement["title"], "intro": agreement["intro"],
        "submit_note": agreement["submit_note"], "scheme": pack["name"],
        "reference": "MA-TEST-0001", "version": 1,
        "parties": {party: {"name": f"A {party}", "email": f"{party}@example.gov.uk",
                            "phone": None} for party in ("mentor", "mentee")},
        "terms": {**terms, "start_date": "2027-01-04", "review_date": "2027-04-05",
                  "meeting_place": ""},
        "goals": ["Lead a team meeting with confidence."],
        "sections": agreement["sections"],
    }
    for block in canonical.blocks(snapshot):
        assert not PLACEHOLDER.search(block.text), f"{slug}: {block.text!r}"
        if block.kind in ("para", "clause"):
            assert block.text.rstrip().endswith((".", "?", ":")), f"{slug}: {block.text!r}"
        if block.kind == "field" and re.search(r"[a-z][.;] [A-Za-z]", block.text):
            assert block.text.endswith("."), f"{slug}: {block.label}: {block.text!r}"


# --- the [running] settings: how the relationship runs after the agreement --------------------

RUNNING_BROKEN = {
    "quiet weeks as text": ('quiet_weeks = "six"', "running quiet_weeks must be a whole number "
                                                   "of weeks from 1 to 26"),
    "quiet weeks of none": ("quiet_weeks = 0", "running quiet_weeks must be a whole number"),
    "quiet weeks over half a year": ("quiet_weeks = 27", "from 1 to 26"),
    "quiet weeks as true": ("quiet_weeks = true", "running quiet_weeks must be a whole number"),
    "quiet weeks with a fraction": ("quiet_weeks = 6.5", "running quiet_weeks must be a whole"),
    "actions by a line manager": ('actions_by = "manager"', "running actions_by must be one of "
                                                            "mentee, mentor, both, not 'manager'"),
    "action plan each session as text": ('action_plan_each_session = "yes"',
                                         "running action_plan_each_session must be true or false"),
    "midpoint as a number": ("midpoint_check_in = 1",
                             "running midpoint_check_in must be true or false"),
    "unknown setting": ("check_in_weeks = 4", "running has unknown settings: check_in_weeks"),
    "running not a table": (None, "running must be a table: [running]"),
}


def running_pack(kind: str) -> str:
    text = pack_text("act-project").replace('slug = "act-project"', 'slug = "broken"')
    text = text.split("\n[running]\n")[0]
    line, _ = RUNNING_BROKEN[kind]
    if line is None:
        return text.replace('slug = "broken"', 'slug = "broken"\nrunning = "weekly"')
    return text + "\n[running]\n" + line + "\n"


@pytest.mark.parametrize("kind", sorted(RUNNING_BROKEN))
def test_a_pack_with_a_bad_running_setting_is_refused_and_changes_nothing(runner, tmp_path, kind):
    load(runner)
    before = snapshot()
    path = tmp_path / "broken.toml"
    path.write_text(running_pack(kind), encoding="utf-8")

    result = load(runner, path)

    assert result.exit_code == 1
    assert "Error: broken.toml" in result.output
    assert RUNNING_BROKEN[kind][1] in result.output
    assert "No schemes were changed." in result.output
    assert snapshot() == before


def test_each_scheme_runs_its_relationships_as_its_scheme_does(runner):
    load(runner)
    found = schemes()
    setting = {slug: s.running_setting for slug, s in found.items()}
    # West Suffolk: the mentee completes an action plan after each formal discussion.
    assert setting["west-suffolk"]("actions_by") == "mentee"
    assert setting["west-suffolk"]("action_plan_each_session") is True
    # East Midlands: the mentee leads; sessions months apart are not a quiet pair.
    assert setting["east-midlands-childrens"]("actions_by") == "mentee"
    assert setting["east-midlands-childrens"]("quiet_weeks") >= 12
    # Hertfordshire: the mentor monitors the goals and reviews the relationship along the way.
    assert setting["herts-planning"]("actions_by") in ("mentor", "both")
    assert setting["herts-planning"]("midpoint_check_in") is True
    for scheme in found.values():
        assert 1 <= scheme.running_setting("quiet_weeks") <= 26


def test_a_pack_without_running_settings_uses_the_defaults(runner, tmp_path):
    load(runner)
    edited = tmp_path / "west-suffolk.toml"
    edited.write_text(pack_text("west-suffolk").split("\n[running]\n")[0], encoding="utf-8")

    result = load(runner, edited)

    assert result.exit_code == 0, result.output
    scheme = schemes()["west-suffolk"]
    assert scheme.running == {}
    assert scheme.running_setting("quiet_weeks") == 6
    assert scheme.running_setting("action_plan_each_session") is False


# --- the [evaluation] settings: when people are asked, and what administrators see -------------

EVALUATION_BROKEN = {
    "window of a few days": ("window_days = 3", "evaluation window_days must be a whole number "
                                                "from 7 to 90"),
    "window over a quarter": ("window_days = 91", "from 7 to 90"),
    "window as text": ('window_days = "four weeks"', "evaluation window_days must be a whole"),
    "window as true": ("window_days = true", "evaluation window_days must be a whole"),
    "anonymous as text": ('anonymous = "yes"', "evaluation anonymous must be true or false"),
    "midpoint as a number": ("at_midpoint = 1", "evaluation at_midpoint must be true or false"),
    "follow-up too late": ("follow_up_months = 25", "evaluation follow_up_months must be a "
                                                    "whole number from 0 to 24"),
    "follow-up negative": ("follow_up_months = -1", "from 0 to 24"),
    "follow-up with a fraction": ("follow_up_months = 6.5", "evaluation follow_up_months must"),
    "unknown setting": ("sign_together = true", "evaluation has unknown settings: sign_together"),
    "questions not a list": ('mentor = "How did it go?"',
                             "evaluation must list questions for mentor and mentee"),
    "an empty question": ('mentee = ["How did it go?", " "]',
                          "evaluation must list questions for mentor and mentee"),
    "the same question twice": ('mentee = ["How did it go?", "How did it go?"]',
                                "evaluation mentee asks the same question twice"),
    "evaluation not a table": (None, "evaluation must be a table: [evaluation]"),
}


def evaluation_pack(kind: str) -> str:
    """The ACT pack with its [evaluation] table replaced by one holding ``kind``'s line."""
    text = pack_text("act-project").replace('slug = "act-project"', 'slug = "broken"')
    before, after = text.split("\n[evaluation]\n")
    rest = after[after.index("\n["):] if "\n[" in after else ""
    line, _ = EVALUATION_BROKEN[kind]
    if line is None:
        return before.replace('slug = "broken"', 'slug = "broken"\nevaluation = "at the end"'
                              ) + rest
    questions = 'mentor = ["What went well?"]\nmentee = ["What went well?"]\n'
    table = "\n".join(row for row in questions.splitlines()
                       if row.split(" = ")[0] != line.split(" = ")[0])
    return before + "\n[evaluation]\n" + table + "\n" + line + "\n" + rest


@pytest.mark.parametrize("kind", sorted(EVALUATION_BROKEN))
def test_a_pack_with_a_bad_evaluation_setting_is_refused_and_changes_nothing(runner, tmp_path,
                                                                              kind):
    load(runner)
    before = snapshot()
    forms = {slug: s.evaluation_form for slug, s in schemes().items()}
    path = tmp_path / "broken.toml"
    path.write_text(evaluation_pack(kind), encoding="utf-8")

    result = load(runner, path)

    assert result.exit_code == 1
    assert "Error: broken.toml" in result.output
    assert EVALUATION_BROKEN[kind][1] in result.output
    assert "No schemes were changed." in result.output
    assert snapshot() == before
    assert {slug: s.evaluation_form for slug, s in schemes().items()} == forms


def test_each_scheme_evaluates_as_its_scheme_does(runner):
    load(runner)
    found = {slug: s.evaluation_form for slug, s in schemes().items()}
    # West Suffolk: both agree (and sign) the evaluation, so it is not anonymous.
    assert found["west-suffolk"]["anonymous"] is False
    # GLA Group: themes are shared across its organisations without names.
    assert found["gla-group"]["anonymous"] is True
    # The others ask once, at the end.
    for form in found.values():
        assert 7 <= form["window_days"] <= 90
        assert form["at_midpoint"] is False and form["follow_up_months"] == 0


def test_a_pack_without_evaluation_settings_uses_the_defaults(runner, tmp_path):
    load(runner)
    text = pack_text("herts-planning")
    for key in ("window_days", "anonymous", "at_midpoint", "follow_up_months"):
        text = re.sub(rf"(?m)^{key} = .*$", "", text)
    edited = tmp_path / "herts-planning.toml"
    edited.write_text(text, encoding="utf-8")

    result = load(runner, edited)

    assert result.exit_code == 0, result.output
    form = schemes()["herts-planning"].evaluation_form
    assert (form["window_days"], form["anonymous"], form["at_midpoint"],
            form["follow_up_months"]) == (28, True, False, 0)
    assert form["mentee"] == tomllib.loads(pack_text("herts-planning"))["evaluation"]["mentee"]
