"""The action plan, through HTTP: the agreement's goals carry over, whoever the scheme's pack
says records actions (what, who, by when, against a goal and a session) and marks them done or
not done; the other person sees them read-only and gets no email for each; bad input and
outsiders are refused with nothing changed."""

from __future__ import annotations

import pytest
import time_machine

from portal.relationships.models import ActionOwner
from tests.support.agreements import client_for
from tests.support.calls import NOW, uk
from tests.support.sessions import GOALS, actions, book, running, sessions, world


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


def action_data(**overrides) -> dict:
    return {"goal": "1", "what": "Draft the committee report and send it to Mira",
            "owner": "mentee", "due_on": uk(14).date().isoformat(), "session": "", **overrides}


def add(client, relationship, **overrides):
    return client.post_form(f"/relationships/{relationship.id}/actions/new",
                            action_data(**overrides))


def page(client, relationship) -> str:
    return client.get(f"/relationships/{relationship.id}").get_data(as_text=True)


def test_the_mentee_records_actions_against_goals_and_the_mentor_sees_them(app, make, mailbox):
    relationship = running(make)  # the pack's default: the mentee records the action plan
    mentee = client_for(app, relationship.mentee)
    book(mentee, relationship, days=1)
    (session,) = sessions(relationship)
    form = mentee.get(f"/relationships/{relationship.id}/actions/new?session={session.id}")
    assert form.status_code == 200
    text = form.get_data(as_text=True)
    for goal in GOALS:
        assert goal in text  # the agreement's goals to choose from
    assert f'<option selected value="{session.id}">' in text or (
        f'value="{session.id}" selected' in text)
    emails = mailbox.count()
    response = add(mentee, relationship, session=str(session.id))
    assert response.status_code == 303
    assert add(mentee, relationship, goal="other", what="Read the council's new plan",
               owner="both", due_on="").status_code == 303
    first, second = actions(relationship)
    assert (first.goal, first.owner, first.due_on, first.session_id) == (
        GOALS[0], ActionOwner.MENTEE, uk(14).date(), session.id)
    assert (second.goal, second.owner, second.due_on) == ("", ActionOwner.BOTH, None)
    assert mailbox.count() == emails  # nobody is emailed for each action
    mentor = client_for(app, relationship.mentor)
    seen = page(mentor, relationship)
    assert "Draft the committee report and send it to Mira" in seen
    assert "Other actions" in seen and "Read the council&#39;s new plan" in seen
    assert "In your scheme, the mentee records the action plan." in seen
    assert "Mark as done" not in seen and "/actions/new" not in seen


def test_only_whoever_records_the_plan_marks_actions_done_and_undoes_it(app, make):
    relationship = running(make)
    mentee = client_for(app, relationship.mentee)
    add(mentee, relationship)
    (action,) = actions(relationship)
    url = f"/relationships/actions/{action.id}/done"
    mentor = client_for(app, relationship.mentor)
    before = world(relationship)
    response = mentor.post_form(url, {"done": "yes"})
    assert response.status_code == 403
    assert "In your scheme the mentee records the action plan" in response.get_data(as_text=True)
    assert mentor.post_form(f"/relationships/{relationship.id}/actions/new",
                            action_data()).status_code == 403
    assert mentor.get(f"/relationships/{relationship.id}/actions/new").status_code == 403
    assert world(relationship) == before
    assert mentee.post_form(url, {"done": "yes"}).status_code == 303
    assert actions(relationship)[0].done_at is not None
    assert "Mark as not done" in page(mentee, relationship)
    assert mentee.post_form(url, {"done": "yes"}).status_code == 303  # again: no change
    assert mentee.post_form(url, {"done": "no"}).status_code == 303
    assert actions(relationship)[0].done_at is None


@pytest.mark.parametrize("actions_by, may, may_not", [
    ("mentor", "mentor", "mentee"), ("both", "mentor", None), ("both", "mentee", None)])
def test_the_pack_says_who_records_the_plan(app, make, actions_by, may, may_not):
    relationship = running(make, make.scheme(running={"actions_by": actions_by}))
    assert add(client_for(app, getattr(relationship, may)), relationship).status_code == 303
    if may_not:
        assert add(client_for(app, getattr(relationship, may_not)),
                   relationship).status_code == 403
    assert len(actions(relationship)) == 1


def test_no_action_plan_before_the_agreement_is_submitted(app, make):
    relationship = running(make, active=False)
    mentee = client_for(app, relationship.mentee)
    assert mentee.get(f"/relationships/{relationship.id}/actions/new").status_code == 409
    assert add(mentee, relationship).status_code == 409
    assert actions(relationship) == []


BAD = [
    ({"what": ""}, "Say what the action is"),
    ({"what": " \x00\u202e "}, "Say what the action is"),
    ({"what": "x" * 1001}, "Keep the action under 1,000 characters"),
    ({"goal": ""}, "Choose the goal this action serves"),
    ({"goal": "7"}, "Choose the goal this action serves"),
    ({"goal": "1\x00"}, None),  # cleaned to "1": accepted, so skipped below
    ({"owner": "everyone"}, "Choose who will do it"),
    ({"due_on": "31 2 2026"}, "Enter the date as a real date"),
    ({"due_on": "2\u200f 3 2026"}, "Enter the date as a real date"),
    ({"session": "99999"}, "Choose one of your sessions, or none"),
]


@pytest.mark.parametrize("change, message", [b for b in BAD if b[1]],
                         ids=[m for _, m in BAD if m])
def test_bad_input_is_refused_clearly_and_changes_nothing(app, make, change, message):
    relationship = running(make)
    mentee = client_for(app, relationship.mentee)
    before = world(relationship)
    response = add(mentee, relationship, **change)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "There is a problem" in text and message in text
    assert world(relationship) == before


def test_a_bad_done_answer_is_refused(app, make):
    relationship = running(make)
    mentee = client_for(app, relationship.mentee)
    add(mentee, relationship)
    (action,) = actions(relationship)
    before = world(relationship)
    for value in ("", "maybe", "yes\u200f", "x" * 5000):
        response = mentee.post_form(f"/relationships/actions/{action.id}/done", {"done": value})
        assert response.status_code == 400, value
        assert "Choose whether the action is done" in response.get_data(as_text=True)
    assert world(relationship) == before


def test_someone_outside_the_pair_gets_404(app, make):
    relationship = running(make, make.scheme(running={"actions_by": "both"}))
    add(client_for(app, relationship.mentee), relationship)
    (action,) = actions(relationship)
    before = world(relationship)
    for person in (make.mentee(relationship.scheme), make.admin(relationship.scheme)):
        outsider = client_for(app, person)
        assert outsider.get(f"/relationships/{relationship.id}/actions/new").status_code == 404
        assert add(outsider, relationship).status_code == 404
        response = outsider.post_form(f"/relationships/actions/{action.id}/done",
                                      {"done": "yes"})
        assert response.status_code == 404
        assert "Draft the committee report" not in response.get_data(as_text=True)
    assert world(relationship) == before
