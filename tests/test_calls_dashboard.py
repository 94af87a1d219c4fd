"""Dashboard panels: a mentee's requests and upcoming calls; a mentor's incoming requests,
upcoming calls and mentees against capacity."""

import pytest
import time_machine

from portal.extensions import db
from portal.relationships.models import Relationship, RelationshipState
from tests.support.calls import NOW, accept, answer_links, fresh_client, send_request


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


def text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_mentee_sees_requests_and_upcoming_calls(app, client, make, login, mailbox):
    scheme = make.scheme()
    waiting = make.mentor(scheme, name="Wendy Waiting")
    yes = make.mentor(scheme, name="Yasmin Yes", email="yasmin@testborough.gov.uk")
    mentee = make.mentee(scheme)
    login(mentee)
    assert "You have not requested a chemistry call yet" in text(client.get("/dashboard"))
    send_request(client, login, mentee, waiting)
    send_request(client, login, mentee, yes)
    accept(fresh_client(app), answer_links(mailbox, "yasmin@testborough.gov.uk")[0])

    page = text(login(mentee).get("/dashboard"))
    assert "Your chemistry calls" in page
    assert "Yasmin Yes</a>: Thursday 5 March 2026 at 10am (UK time)" in page
    assert "Wendy Waiting" in page and "Waiting for an answer" in page
    assert "You still have 1 unanswered request" in page


def test_mentor_sees_requests_calls_and_places(app, client, make, login, mailbox):
    scheme = make.scheme()
    profile = make.mentor(scheme, name="Mira Mentor", email="mira@testborough.gov.uk",
                          capacity=3)
    current = make.mentee(scheme, name="Carl Current")
    db.session.add(Relationship(scheme_id=scheme.id, mentor_id=profile.user_id,
                                mentee_id=current.id, profile_id=profile.id,
                                state=RelationshipState.ACTIVE))
    profile.places_taken = 1
    db.session.commit()
    first, second = make.mentee(scheme, name="Ann Early"), make.mentee(scheme, name="Bo Later")
    send_request(client, login, first, profile)
    accept(fresh_client(app), answer_links(mailbox, "mira@testborough.gov.uk")[0])
    send_request(client, login, second, profile)

    page = text(login(profile.user).get("/dashboard"))
    assert "Requests to answer" in page and "Bo Later" in page
    assert "Ann Early</a>: Thursday 5 March 2026 at 10am (UK time)" in page
    assert "2 of 3 places taken" in page
    assert "Carl Current" in page


def test_dashboard_queries_do_not_grow_with_the_number_of_calls(app, client, make, login,
                                                                count_queries):
    scheme = make.scheme(max_open_requests=20)
    mentee = make.mentee(scheme)

    def measure() -> int:
        login(mentee)
        with count_queries() as counter:
            assert client.get("/dashboard").status_code == 200
        return counter.count

    send_request(client, login, mentee, make.mentor(scheme))
    few = measure()
    for _ in range(6):
        send_request(client, login, mentee, make.mentor(scheme))
    assert measure() == few
