"""Help everywhere: the beta banner's feedback link, each scheme's contact line, the help
pages for each role, and the FEEDBACK_EMAIL setting."""

from __future__ import annotations

import re
from html import unescape

import pytest

from portal.config import ConfigError
from tests.conftest import make_app

HELP_PAGES = {
    "/help": "Help using the mentoring portal",
    "/help/mentees": "Help for mentees",
    "/help/mentors": "Help for mentors",
    "/help/administrators": "Help for scheme administrators",
}


def banner(page: str) -> str:
    return re.search(r'<div class="govuk-phase-banner[^"]*">.*?</p>', page, re.S).group(0)


def footer(page: str) -> str:
    return re.search(r'<footer class="portal-footer">.*?</footer>', page, re.S).group(0)


def links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', html)]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_a_scheme_page_sends_feedback_and_questions_to_the_scheme_team(client, make):
    make.scheme(slug="testborough", name="Testborough planning mentoring",
                         admin_email="mentoring@testborough.gov.uk")
    page = client.get("/schemes/testborough").get_data(as_text=True)

    assert links(banner(page)) == [
        "mailto:mentoring@testborough.gov.uk?subject=Feedback%20on%20Testborough%20planning"
        "%20mentoring"]
    assert "Email the Testborough planning mentoring team" in text(banner(page))
    assert ("Contact the Testborough planning mentoring team: mentoring@testborough.gov.uk"
            in text(footer(page)))
    assert "mailto:mentoring@testborough.gov.uk" in links(footer(page))
    # Where the page says where signed agreements go, it names the mailbox.
    assert ("Signed agreements go to The scheme administrator, at mentoring@testborough.gov.uk"
            in text(page))


def test_a_person_in_one_scheme_sees_its_team_on_every_page(client, make, login):
    scheme = make.scheme(name="County leadership mentoring", admin_email="lead@county.gov.uk")
    login(make.mentee(scheme))
    for url in ("/dashboard", "/help", "/privacy"):
        page = client.get(url).get_data(as_text=True)
        assert links(banner(page))[0].startswith("mailto:lead@county.gov.uk?subject="), url
        assert "Contact the County leadership mentoring team" in text(footer(page)), url


def test_a_page_about_no_scheme_sends_feedback_to_the_portal_address(app, client, make):
    make.scheme(admin_email="mentoring@testborough.gov.uk")
    app.config["FEEDBACK_EMAIL"] = "portal.feedback@testborough.gov.uk"
    page = client.get("/").get_data(as_text=True)
    assert links(banner(page)) == [
        "mailto:portal.feedback@testborough.gov.uk?subject=Feedback%20on%20the%20mentoring"
        "%20portal"]
    assert "Contact the" not in footer(page)
    # The help page names it too, beside each scheme's own mailbox.
    help_page = client.get("/help").get_data(as_text=True)
    assert "portal.feedback@testborough.gov.uk" in text(help_page)


def test_without_a_portal_address_the_banner_links_to_the_help_page(app, client, make):
    make.scheme(name="Testborough planning mentoring", admin_email="mentoring@testborough.gov.uk")
    assert app.config["FEEDBACK_EMAIL"] is None
    page = client.get("/").get_data(as_text=True)
    assert links(banner(page)) == ["/help#contact"]
    assert "Contact the" not in footer(page)
    # The help page's contact section lists every scheme's mailbox.
    help_page = client.get("/help").get_data(as_text=True)
    assert 'id="contact"' in help_page
    assert "Testborough planning mentoring mentoring@testborough.gov.uk" in text(help_page)
    assert "mailto:mentoring@testborough.gov.uk" in links(help_page)


def test_the_help_pages_are_public_and_linked_from_every_page(client):
    home = client.get("/").get_data(as_text=True)
    assert "/help" in links(footer(home))
    index = client.get("/help")
    assert index.status_code == 200
    for url, heading in HELP_PAGES.items():
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert f'<h1 class="govuk-heading-l">{heading}</h1>' in page, url
        assert f"<title>{heading} – Mentoring portal</title>" in page, url
        assert "/help" in links(footer(page)), url
        if url != "/help":
            assert url in links(index.get_data(as_text=True)), url
            assert "/help" in links(page.split('id="main-content"')[0]), url  # breadcrumbs


def test_the_guides_describe_the_journey_as_the_portal_works(client, app):
    mentees = text(client.get("/help/mentees").get_data(as_text=True))
    for step in ("Register", "Find a mentor", "Make a shortlist", "Ask for a chemistry call",
                 "Agree and sign your agreement", "Send it to your scheme administrator"):
        assert step in mentees
    assert f"for {app.config['SIGN_IN_LINK_MINUTES']} minutes" in text(
        client.get("/help").get_data(as_text=True))
    mentors = text(client.get("/help/mentors").get_data(as_text=True))
    assert "Accept and Decline links" in mentors and "My mentor profile" in mentors
    admins = text(client.get("/help/administrators").get_data(as_text=True))
    assert "confirm you have received it" in admins and "Administration" in admins
    # The running relationship, its end and the evaluations, as the portal now does them.
    for step in ("Your sessions and action plan", "The end of your mentoring",
                 "End our mentoring", "evaluation questions"):
        assert step in mentees
    assert "does not keep track of sessions" not in mentees + mentors
    assert "We need help" in admins and "Evaluations" in admins


@pytest.mark.parametrize("value", ["not an address", "Portal <feedback@testborough.gov.uk>",
                                   "feedback@", "@testborough.gov.uk"])
def test_a_feedback_address_that_is_not_an_email_address_stops_the_start(
        tmp_path, monkeypatch, value):
    monkeypatch.setenv("FEEDBACK_EMAIL", value)
    with pytest.raises(ConfigError, match="FEEDBACK_EMAIL must be an email address"):
        make_app(tmp_path)


def test_a_feedback_address_from_the_environment_reaches_the_banner(tmp_path, monkeypatch):
    monkeypatch.setenv("FEEDBACK_EMAIL", " mentoring.portal@testborough.gov.uk ")
    app = make_app(tmp_path)
    with app.app_context():  # the accessibility page reads nothing from the database
        page = app.test_client().get("/accessibility").get_data(as_text=True)
    assert links(banner(page))[0].startswith("mailto:mentoring.portal@testborough.gov.uk?")
