"""The layout every page shares: skip link, who is signed in, htmx from a pinned source."""

import hashlib
import re
from pathlib import Path

from portal.templating import HTMX_SRI, HTMX_VERSION
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parent.parent


def test_vendored_htmx_is_the_same_file_the_cdn_serves(client):
    vendored = ROOT / "static" / "vendor" / f"htmx-{HTMX_VERSION}.min.js"
    digest = hashlib.sha384(vendored.read_bytes()).digest()
    import base64

    assert "sha384-" + base64.b64encode(digest).decode() == HTMX_SRI
    page = client.get("/").get_data(as_text=True)
    assert f"/static/vendor/htmx-{HTMX_VERSION}.min.js" in page
    with client.get(f"/static/vendor/htmx-{HTMX_VERSION}.min.js") as response:
        assert response.status_code == 200


def test_htmx_comes_from_the_cdn_with_sri_by_default(tmp_path):
    app = make_app(tmp_path, HTMX_SOURCE="cdn")
    with app.app_context():
        from portal.extensions import db

        db.create_all()
        page = app.test_client().get("/").get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()
    tag = re.search(r'<script src="https://cdn[^"]+htmx[^>]+>', page).group(0)
    assert f"htmx.org@{HTMX_VERSION}" in tag
    assert f'integrity="{HTMX_SRI}"' in tag and 'crossorigin="anonymous"' in tag


def test_every_page_has_a_skip_link_and_a_unique_title(client):
    titles = set()
    for url in ("/", "/sign-in", "/register", "/schemes", "/accessibility", "/privacy"):
        page = client.get(url).get_data(as_text=True)
        assert 'href="#main-content"' in page and 'id="main-content"' in page
        titles.add(re.search(r"<title>(.*?)</title>", page).group(1))
    assert len(titles) == 6


def test_header_shows_the_signed_in_person_and_a_sign_out_button(client, make, login):
    person = make.mentee(make.scheme(), name="Mary Seacole")
    login(person)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Mary Seacole" in page
    assert 'action="/sign-out"' in page


def test_personal_pages_are_not_stored(client, make, login):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    login(make.mentee(make.scheme()))
    assert client.get("/dashboard").headers["Cache-Control"] == "no-store"


def test_security_headers(client):
    headers = client.get("/").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_the_accessibility_statement_has_the_parts_uk_public_sector_statements_need(client):
    """The regulations' model statement: compliance status, what is not accessible and why,
    how to ask for another format, the enforcement procedure, how it was tested and when."""
    text = re.sub(r"<[^>]+>", " ", client.get("/accessibility").get_data(as_text=True))
    text = re.sub(r"\s+", " ", text)
    for part in ("Compliance status", "partially compliant", "Non-accessible content",
                 "Feedback and contact information", "Enforcement procedure",
                 "Equality Advisory and Support Service", "How we tested the portal",
                 "We have not yet", "Preparation of this accessibility statement"):
        assert part in text, part
    # Each known failure names the success criterion it fails.
    assert "1.3.1 (Info and Relationships)" in text
    # The idle limit warns and can be extended (the timeout warning); the absolute limit
    # warns but cannot be extended, which the statement lists as a 2.2.1 failure.
    assert "choose to stay signed in" in text
    assert "2.2.1 (Timing Adjustable)" in text and "this limit cannot be extended" in text
    assert re.search(r"last tested on \d{1,2} \w+ 20\d\d", text)
