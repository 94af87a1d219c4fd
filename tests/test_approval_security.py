"""A mentee cannot approve their own taking part: not by naming an address of their own as their
line manager's, nor one outside the organisations the scheme names. Administrators see every
approval, so they can query one."""

import pytest
import sqlalchemy as sa
import time_machine

from portal import tokens
from portal.calls import approval
from portal.calls.models import ApprovalState, LineManagerApproval
from portal.errors import DomainError
from portal.extensions import db
from tests.support.agreements import client_for
from tests.support.calls import NOW, fresh_client

MENTEE = "josmith@council.gov.uk"
MANAGER = "lee.manager@council.gov.uk"


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def scheme(make):
    return make.scheme(name="Council staff mentoring", needs_line_manager_approval=True)


def ask(client, login, mentee, scheme, email=MANAGER, name="Lee Manager", ip="127.0.0.1"):
    login(mentee)
    return client.post_form(f"/calls/approval/{scheme.slug}",
                            {"manager_name": name, "manager_email": email},
                            environ_base={"REMOTE_ADDR": ip})


def approvals() -> list[LineManagerApproval]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(LineManagerApproval)
                                   .order_by(LineManagerApproval.id)))


def manager_link(mailbox, to=MANAGER) -> str:
    return mailbox.link(mailbox.last(to, "line_manager_request"), "/calls/line-manager/")


# --- the mentee's own address, however it is written --------------------------------------------

@pytest.mark.parametrize("email", [
    "JoSmith@Council.gov.uk",
    "jo.smith@council.gov.uk",
    "Jo.Smith+boss@council.gov.uk",
    "josmith+line.manager@COUNCIL.GOV.UK",
    "j.o.s.m.i.t.h+a+b@council.gov.uk",
])
def test_mentee_cannot_name_their_own_address_in_disguise(client, login, make, mailbox, scheme,
                                                          email):
    mentee = make.mentee(scheme, email=MENTEE)
    response = ask(client, login, mentee, scheme, email=email)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "This is your own email address" in html
    assert approvals() == [] and mailbox.count() == 0


def test_a_mentee_whose_own_address_has_a_tag_cannot_use_the_plain_one(client, login, make,
                                                                       mailbox, scheme):
    mentee = make.mentee(scheme, email="jo.smith+mentoring@council.gov.uk")
    response = ask(client, login, mentee, scheme, email=MENTEE)
    assert response.status_code == 400
    assert approvals() == [] and mailbox.count() == 0


def test_mentee_cannot_name_the_address_of_their_second_account(client, login, make, mailbox,
                                                               scheme):
    mentee = make.mentee(scheme, email=MENTEE)
    second = make.user(email="jo.smith+portal@council.gov.uk", name="Jo Smith")
    response = ask(client, login, mentee, scheme, email=second.email)
    assert response.status_code == 400
    assert "This is your own email address" in response.get_data(as_text=True)
    # From the second account, the first account's address is refused too.
    other = make.user(email="j.smith+x@council.gov.uk", name="Jo Smith",
                      roles={scheme: ["mentee"]})
    assert ask(client, login, other, scheme, email="jsmith@council.gov.uk").status_code == 400
    assert approvals() == [] and mailbox.count() == 0


def test_asking_refuses_the_mentees_own_address_whatever_calls_it(app, make, mailbox, scheme):
    """The rule lives in the domain function too, not only in the form."""
    mentee = make.mentee(scheme, email=MENTEE)
    with app.test_request_context(), pytest.raises(DomainError, match="your own email address"):
        approval.ask_line_manager(mentee, scheme, "Jo", "Jo.Smith+boss@council.gov.uk")
    assert approvals() == [] and mailbox.count() == 0


def test_a_colleague_with_a_similar_address_can_be_asked(client, login, make, mailbox, scheme):
    mentee = make.mentee(scheme, email=MENTEE)
    for email in ("jo.smithson@council.gov.uk", "jsmith@council.gov.uk"):
        assert ask(client, login, mentee, scheme, email=email).status_code == 303
        assert mailbox.count(email, "line_manager_request") == 1


def test_a_link_already_sent_to_the_mentee_cannot_approve(app, make, mailbox, scheme):
    """Requests made before this rule existed: the link refuses to act."""
    mentee = make.mentee(scheme, email=MENTEE, name="Jo Smith")
    item = LineManagerApproval(scheme_id=scheme.id, mentee_id=mentee.id, manager_name="Jo Smith",
                               manager_email="jo.smith+boss@council.gov.uk")
    db.session.add(item)
    db.session.commit()
    with app.test_request_context():
        link = "/calls/line-manager/" + tokens.make("line-manager", a=item.id, s="pending")
        db.session.commit()
    browser = client_for(app)
    assert browser.get(link).status_code == 403
    response = browser.post_form(link, {"decision": "approve"})
    assert response.status_code == 403
    assert "cannot be approved from this address" in response.get_data(as_text=True)
    assert approvals()[0].state == ApprovalState.PENDING
    assert mailbox.count(MENTEE) == 0


# --- the organisations a scheme names ------------------------------------------------------------

@pytest.fixture
def suffolk(make):
    return make.scheme(name="West Suffolk staff mentoring", needs_line_manager_approval=True,
                       line_manager_domains=["westsuffolk.gov.uk", "forest-heath.gov.uk"])


def test_the_form_says_which_organisations_the_scheme_accepts(client, login, make, suffolk):
    login(make.mentee(suffolk))
    page = client.get(f"/calls/approval/{suffolk.slug}").get_data(as_text=True)
    assert "It must end in westsuffolk.gov.uk or forest-heath.gov.uk" in page


@pytest.mark.parametrize("email", [
    "lee.manager@westsuffolk.gov.uk",
    "Lee.Manager@WestSuffolk.gov.uk",
    "lee@forest-heath.gov.uk",
    "lee@hr.westsuffolk.gov.uk",
])
def test_a_manager_at_one_of_the_schemes_organisations_is_asked(client, login, make, mailbox,
                                                                suffolk, email):
    mentee = make.mentee(suffolk, email="sam@westsuffolk.gov.uk")
    assert ask(client, login, mentee, suffolk, email=email).status_code == 303
    assert mailbox.count(email, "line_manager_request") == 1


@pytest.mark.parametrize("email", [
    "lee.manager@gmail.com",
    "lee@notwestsuffolk.gov.uk",
    "lee@westsuffolk.gov.uk.example.com",
    "lee@suffolk.gov.uk",
])
def test_a_manager_outside_the_schemes_organisations_is_refused(client, login, make, mailbox,
                                                                suffolk, email):
    mentee = make.mentee(suffolk, email="sam@westsuffolk.gov.uk")
    response = ask(client, login, mentee, suffolk, email=email)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "ending in westsuffolk.gov.uk or forest-heath.gov.uk" in html
    assert approvals() == [] and mailbox.count() == 0


def test_a_link_to_an_address_the_scheme_no_longer_accepts_cannot_approve(app, client, login,
                                                                          make, mailbox,
                                                                          suffolk):
    mentee = make.mentee(suffolk, email="sam@westsuffolk.gov.uk")
    suffolk.line_manager_domains = []
    db.session.commit()
    ask(client, login, mentee, suffolk, email="lee@gmail.com")
    link = manager_link(mailbox, "lee@gmail.com")
    suffolk.line_manager_domains = ["westsuffolk.gov.uk"]
    db.session.commit()
    assert fresh_client(app).post_form(link, {"decision": "approve"}).status_code == 403
    assert approvals()[0].state == ApprovalState.PENDING


# --- administrators see every approval -----------------------------------------------------------

def test_administrator_sees_every_approval_with_who_when_and_from_where(app, client, login, make,
                                                                       mailbox, scheme):
    admin = make.admin(scheme)
    mentee = make.mentee(scheme, email=MENTEE, name="Jo Smith")
    ask(client, login, mentee, scheme, email="first.try@council.gov.uk", name="First Try",
        ip="203.0.113.9")
    ask(client, login, mentee, scheme, ip="203.0.113.10")
    fresh_client(app).post_form(manager_link(mailbox), {"decision": "approve"},
                                environ_base={"REMOTE_ADDR": "198.51.100.77"})
    first, second = approvals()

    browser = client_for(app, admin)
    index = browser.get("/admin").get_data(as_text=True)
    assert f"/admin/schemes/{scheme.slug}/approvals" in index
    page = browser.get(f"/admin/schemes/{scheme.slug}/approvals")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in ("Jo Smith", MENTEE, "Lee Manager", MANAGER, "Approved", "First Try",
                 "Replaced by a later request", "203.0.113.10", "198.51.100.77",
                 "2 March 2026", f"No. {second.id}", f"No. {first.id}"):
        assert text in html, text

    detail = browser.get(f"/admin/approvals/{second.id}")
    html = detail.get_data(as_text=True)
    assert detail.status_code == 200
    for text in ("Lee Manager", MANAGER, "Jo Smith", "Asked by the mentee", "203.0.113.10",
                 "Approved by the line manager", "198.51.100.77"):
        assert text in html, text


def test_approvals_list_warns_when_the_manager_also_takes_part(app, client, login, make, mailbox,
                                                              scheme):
    admin = make.admin(scheme)
    friend = make.mentee(scheme, email="friend@council.gov.uk", name="Friendly Mentee")
    mentee = make.mentee(scheme, email=MENTEE, name="Jo Smith")
    ask(client, login, mentee, scheme, email=friend.email, name="Friendly Mentee")
    html = client_for(app, admin).get(f"/admin/schemes/{scheme.slug}/approvals").get_data(
        as_text=True)
    assert "Also a mentee in this scheme" in html


def test_approvals_list_filters_by_decision_and_runs_the_same_queries_for_more_rows(
        app, client, login, make, mailbox, scheme, count_queries):
    admin = make.admin(scheme)
    ask(client, login, make.mentee(scheme, name="Only One"), scheme)
    browser = client_for(app, admin)
    url = f"/admin/schemes/{scheme.slug}/approvals"
    with count_queries() as one_row:
        assert browser.get(url).status_code == 200
    for n in range(4):
        ask(client, login, make.mentee(scheme, name=f"Mentee {n}"), scheme,
            email=f"boss{n}@council.gov.uk")
    fresh_client(app).post_form(manager_link(mailbox, "boss2@council.gov.uk"),
                                {"decision": "decline"})
    with count_queries() as five_rows:
        html = browser.get(url).get_data(as_text=True)
    assert five_rows.count == one_row.count, five_rows.statements
    assert "Mentee 3" in html and "Only One" in html
    declined = browser.get(url + "?state=declined").get_data(as_text=True)
    assert "Mentee 2" in declined and "Mentee 3" not in declined
    assert browser.get(url + "?state=nonsense").status_code == 404


def test_only_the_schemes_administrators_see_its_approvals(app, client, login, make, mailbox,
                                                          scheme):
    mentee = make.mentee(scheme, email=MENTEE)
    ask(client, login, mentee, scheme)
    item = approvals()[0]
    urls = (f"/admin/schemes/{scheme.slug}/approvals", f"/admin/approvals/{item.id}")
    other_admin = make.admin(make.scheme(needs_line_manager_approval=True),
                             email="other-admin@council.gov.uk")
    for url in urls:
        assert client_for(app, other_admin).get(url).status_code == 404, url
        for person in (mentee, make.mentor(scheme).user):
            assert client_for(app, person).get(url).status_code == 403, url
        assert client_for(app).get(url).status_code == 302, url
    assert MANAGER not in client_for(app, other_admin).get("/admin").get_data(as_text=True)
