"""Line-manager approval: the mentee names their manager, who approves or not through an
emailed link without an account; the mentee is told either way."""

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from portal.calls.models import ApprovalState, LineManagerApproval
from portal.extensions import db
from tests.support.calls import NOW, fresh_client, send_request

MANAGER = "lee.manager@testborough.gov.uk"
MENTEE = "sam.mentee@testborough.gov.uk"


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def scheme(make):
    return make.scheme(name="Hertfordshire planning mentoring", needs_line_manager_approval=True)


def ask(client, login, mentee, scheme, name="Lee Manager", email=MANAGER):
    login(mentee)
    return client.post_form(f"/calls/approval/{scheme.slug}",
                            {"manager_name": name, "manager_email": email})


def approvals() -> list[LineManagerApproval]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(LineManagerApproval)
                                   .order_by(LineManagerApproval.id)))


def test_manager_approves_from_the_email_and_the_mentee_can_request(app, client, make, login,
                                                                    mailbox, scheme):
    mentee = make.mentee(scheme, email=MENTEE, name="Sam Mentee")
    profile = make.mentor(scheme)
    assert send_request(client, login, mentee, profile).status_code == 409

    page = client.get(f"/calls/approval/{scheme.slug}")
    assert page.status_code == 200
    assert ask(client, login, mentee, scheme).status_code == 303
    request_email = mailbox.last(MANAGER, "line_manager_request")
    assert request_email.subject == "Can Sam Mentee take part in Hertfordshire planning mentoring?"
    assert "You do not need an account" in request_email.body_text
    link = mailbox.link(request_email, "/calls/line-manager/")
    # The mentee is told they are waiting.
    assert "waiting for your line manager, Lee Manager" in send_request(
        client, login, mentee, profile).get_data(as_text=True)

    manager = fresh_client(app)
    before = mailbox.count()
    shown = manager.get(link)
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "What you are agreeing to" in html and "about 6 sessions over 12 months" in html
    assert approvals()[0].state == ApprovalState.PENDING and mailbox.count() == before

    answered = manager.post_form(link, {"decision": "approve"}, follow_redirects=True)
    assert answered.request.path == "/done"  # the token has left the address bar
    assert "We have told Sam Mentee that you approved" in answered.get_data(as_text=True)
    approval = approvals()[0]
    assert approval.state == ApprovalState.APPROVED and approval.decided_at == NOW
    told = mailbox.last(MENTEE, "line_manager_approved")
    assert "Lee Manager has approved" in told.body_text
    # The link now says what happened, naming nobody; a second answer is refused.
    spent = manager.get(link).get_data(as_text=True)
    assert "already been used: the request was approved on" in spent
    assert "Sam Mentee" not in spent and MENTEE not in spent
    again = manager.post_form(link, {"decision": "decline"})
    assert again.status_code == 409
    assert approvals()[0].state == ApprovalState.APPROVED

    assert send_request(client, login, mentee, profile).status_code == 303


def test_manager_declines_and_the_mentee_is_told_kindly(app, client, make, login, mailbox,
                                                        scheme):
    mentee = make.mentee(scheme, email=MENTEE, name="Sam Mentee")
    ask(client, login, mentee, scheme)
    link = mailbox.link(mailbox.last(MANAGER, "line_manager_request"), "/calls/line-manager/")
    assert fresh_client(app).post_form(link, {"decision": "decline"}).status_code == 303
    assert approvals()[0].state == ApprovalState.DECLINED
    message = mailbox.last(MENTEE, "line_manager_declined")
    assert "It may help to talk to them" in message.body_text
    # The mentee may ask again.
    assert ask(client, login, mentee, scheme).status_code == 303
    assert [a.state for a in approvals()] == [ApprovalState.DECLINED, ApprovalState.PENDING]


def test_asking_again_kills_the_earlier_link(app, client, make, login, mailbox, scheme):
    mentee = make.mentee(scheme, email=MENTEE, name="Sam Mentee")
    ask(client, login, mentee, scheme, email="wrong.person@testborough.gov.uk")
    old_link = mailbox.link(mailbox.last("wrong.person@testborough.gov.uk"),
                            "/calls/line-manager/")
    ask(client, login, mentee, scheme)
    assert [a.state for a in approvals()] == [ApprovalState.REPLACED, ApprovalState.PENDING]
    stranger = fresh_client(app)
    assert "a newer request was sent" in stranger.get(old_link).get_data(as_text=True)
    assert stranger.post_form(old_link, {"decision": "approve"}).status_code == 409
    assert [a.state for a in approvals()] == [ApprovalState.REPLACED, ApprovalState.PENDING]


def test_the_mentee_cannot_approve_themselves(client, make, login, mailbox, scheme):
    mentee = make.mentee(scheme, email=MENTEE, name="Sam Mentee")
    response = ask(client, login, mentee, scheme, email=MENTEE.upper())
    assert response.status_code == 400
    assert "This is your own email address" in response.get_data(as_text=True)
    assert approvals() == [] and mailbox.count() == 0
    ask(client, login, mentee, scheme)
    link = mailbox.link(mailbox.last(MANAGER, "line_manager_request"), "/calls/line-manager/")
    # Signed in as the mentee, the manager's link is refused, on GET and POST.
    assert client.get(link).status_code == 403
    response = client.post_form(link, {"decision": "approve"})
    assert response.status_code == 403
    assert "This link is for your line manager" in response.get_data(as_text=True)
    assert approvals()[0].state == ApprovalState.PENDING


@pytest.mark.parametrize("name, email, message", [
    ("", MANAGER, "Enter your line manager&#39;s full name"),
    ("Lee Manager", "", "Enter your line manager&#39;s email address"),
    ("Lee Manager", "not-an-address", "Enter an email address in the correct format"),
])
def test_approval_form_mistakes_change_nothing(client, make, login, mailbox, scheme, name,
                                               email, message):
    mentee = make.mentee(scheme)
    response = ask(client, login, mentee, scheme, name=name, email=email)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert approvals() == [] and mailbox.count() == 0


def test_a_bad_or_old_manager_link_does_nothing(app, client, make, login, mailbox, scheme):
    mentee = make.mentee(scheme)
    ask(client, login, mentee, scheme)
    link = mailbox.link(mailbox.last(MANAGER, "line_manager_request"), "/calls/line-manager/")
    manager = fresh_client(app)
    assert manager.post_form(link + "x", {"decision": "approve"}).status_code == 400
    assert manager.post_form(link, {"decision": "maybe"}).status_code == 400
    with time_machine.travel(NOW + dt.timedelta(days=22), tick=False):
        assert manager.post_form(link, {"decision": "approve"}).status_code == 410
    assert approvals()[0].state == ApprovalState.PENDING


def test_schemes_without_approval_have_no_approval_page(client, make, login):
    open_scheme = make.scheme()
    login(make.mentee(open_scheme))
    assert client.get(f"/calls/approval/{open_scheme.slug}").status_code == 404


def test_dashboard_shows_where_approval_stands(client, make, login, scheme):
    mentee = make.mentee(scheme)
    page = login(mentee).get("/dashboard").get_data(as_text=True)
    assert "needs your line manager's approval" in page
    ask(client, login, mentee, scheme)
    assert "waiting for Lee Manager to approve" in client.get("/dashboard").get_data(as_text=True)
