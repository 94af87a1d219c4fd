"""GOV.UK Frontend as the portal serves it: the pinned build, the pages built on its macros, and
each scheme's brand, checked at load and worn by its pages and emails."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path

import pytest

from portal.schemes.packs import PACK_DIR
from portal.templating import GOVUK_FRONTEND_VERSION

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor" / "govuk-frontend"
TEMPLATES = ROOT / "templates"

# --- the pinned build --------------------------------------------------------------------------


def test_the_built_files_are_the_ones_recorded_beside_them():
    recorded = {}
    for line in (VENDOR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        recorded[name] = digest
    present = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*")
               if p.is_file() and p.name != "SHA256SUMS"}
    assert set(recorded) == present
    for name, digest in recorded.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_one_version_everywhere():
    package = json.loads((ROOT / "frontend" / "package.json").read_text())
    lock = json.loads((ROOT / "frontend" / "package-lock.json").read_text())
    locked = lock["packages"]["node_modules/govuk-frontend"]
    css = (VENDOR / "govuk-frontend.min.css").read_text()
    js = (VENDOR / "govuk-frontend.min.js").read_text()

    assert package["dependencies"]["govuk-frontend"] == GOVUK_FRONTEND_VERSION
    assert locked["version"] == GOVUK_FRONTEND_VERSION
    assert locked["integrity"].startswith("sha512-")  # what npm ci checks the download against
    assert (VENDOR / "VERSION").read_text().strip() == GOVUK_FRONTEND_VERSION
    assert f'--govuk-frontend-version: "{GOVUK_FRONTEND_VERSION}"' in css.replace(":\"", ": \"")
    assert js.startswith(f'const version="{GOVUK_FRONTEND_VERSION}"')


def test_no_gov_uk_font_or_crown_is_shipped():
    css = (VENDOR / "govuk-frontend.min.css").read_text()
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "system-ui" in css
    assert not list(VENDOR.rglob("*.woff*"))
    assert not [p for p in VENDOR.rglob("*") if p.is_file() and any(
        word in p.name for word in ("crown", "crest", "favicon", "logo"))]


def test_the_page_has_no_gov_uk_branding_and_loads_the_vendored_files(client):
    page = client.get("/").get_data(as_text=True)
    header = page[page.index("<header"):page.index("</header>")]

    assert "GOV.UK" not in header and "govuk-header__logo" not in header
    assert "govuk-footer" not in page and "Crown copyright" not in page
    assert 'href="/static/vendor/govuk-frontend/govuk-frontend.min.css"' in page
    assert 'src="/static/js/govuk.mjs"' in page
    assert 'favicon' not in page


def test_the_one_inline_script_is_allowed_by_its_hash_not_by_unsafe_inline(client):
    response = client.get("/")
    scripts = re.findall(r"<script>(.*?)</script>", response.get_data(as_text=True), re.S)
    policy = response.headers["Content-Security-Policy"]

    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy.split("style-src")[0]


# --- pages built on the library ----------------------------------------------------------------

#: Components of the library, by the block class each one's markup starts with.
COMPONENTS = sorted(p.name for p in (files("govuk_frontend_jinja") / "templates" / "components")
                    .iterdir() if p.is_dir())
#: Hand-written component markup the library itself asks for: the service navigation's slots
#: take list items written by the page (the signed-in person's name and the sign-out form).
ALLOWED = {("base.html", "govuk-service-navigation__item"),
           ("base.html", "govuk-service-navigation__text"),
           ("base.html", "govuk-service-navigation__link")}


class _Classes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "class" and value:
                self.found.update(re.sub(r"\{[{%#].*?[}%#]\}", " ", value).split())


def hand_written_components(root: Path = TEMPLATES) -> list[str]:
    """Every 'file: class' where a template's own HTML uses a library component's class."""
    problems = []
    for path in sorted(root.rglob("*.html")):
        parser = _Classes()
        parser.feed(path.read_text(encoding="utf-8"))
        name = str(path.relative_to(root))
        for cls in sorted(parser.found):
            block = cls.split("__")[0]
            component = next((c for c in COMPONENTS if block in (f"govuk-{c}",)), None)
            if component and (name, cls) not in ALLOWED:
                problems.append(f"{name}: {cls}")
    return problems


def test_no_template_hand_writes_a_component_the_library_has():
    assert hand_written_components() == []


def test_the_component_check_finds_hand_written_components(tmp_path):
    (tmp_path / "page.html").write_text(
        '<button class="govuk-button govuk-button--secondary">Go</button>'
        '<dl class="govuk-summary-list"><dt class="govuk-summary-list__key {{ x }}">A</dt></dl>'
        '<p class="govuk-body govuk-!-margin-0"><a class="govuk-link">link</a></p>')
    assert hand_written_components(tmp_path) == [
        "page.html: govuk-button", "page.html: govuk-summary-list",
        "page.html: govuk-summary-list__key"]


def test_the_portal_stylesheet_is_short_and_says_why_for_each_group_of_rules():
    text = (ROOT / "static/css/portal.css").read_text()
    assert len(text.splitlines()) < 60
    for group in text.strip().split("\n\n"):
        assert group.lstrip().startswith("/*"), group


def test_forms_use_no_browser_validation_bubbles(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert " required" not in page
    assert 'type="email"' in page and 'autocomplete="email"' in page


# --- each scheme's brand -----------------------------------------------------------------------

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def pack(tmp_path: Path, brand: str, *, logo: bytes | None = None) -> Path:
    text = (PACK_DIR / "herts-planning.toml").read_text(encoding="utf-8")
    text = text[:text.index("\n[brand]")] if "\n[brand]" in text else text
    path = tmp_path / "herts-planning.toml"
    path.write_text(text + "\n[brand]\n" + brand, encoding="utf-8")
    if logo is not None:
        (tmp_path / "logos").mkdir(exist_ok=True)
        (tmp_path / "logos" / "herts.png").write_bytes(logo)
    return path


def load(runner, path: Path):
    return runner.invoke(args=["schemes", "load", str(path)])


@pytest.mark.parametrize(("colour", "ratio", "needs"), [
    ("#ffdd00", "1.35", "with white"),      # yellow: white text on it cannot be read
    ("#1d70b8".replace("1d70b8", "5694ca"), "3.", "with white"),
    ("#000000", "1.0", "with the text colour"),  # black: the bar vanishes into the black header
    ("#4c2c92", "1.9", "with the text colour"),
])
def test_a_brand_colour_people_cannot_read_is_refused_with_its_ratio(runner, tmp_path, colour,
                                                                      ratio, needs):
    result = load(runner, pack(tmp_path, f'colour = "{colour}"\n'))

    assert result.exit_code != 0
    assert f"brand colour {colour}" in result.output
    assert f"contrast ratio of {ratio}" in result.output
    assert needs in result.output
    assert "No schemes were changed" in result.output


@pytest.mark.parametrize(("brand", "message"), [
    ('colour = "blue"\n', "must be a colour like #1d70b8"),
    ('logo = "herts.png"\n', "needs logo_alt"),
    ('logo = "missing.png"\nlogo_alt = "x"\n', "is not in logos/"),
    ('logo = "../herts.png"\nlogo_alt = "x"\n', "must be the name of a .png or .svg file"),
    ('logo_alt = "Hertfordshire"\n', "logo_alt is set but there is no logo"),
    ('font = "Comic Sans"\n', "unknown settings: font"),
])
def test_a_broken_brand_is_refused_with_a_clear_message(runner, tmp_path, brand, message):
    result = load(runner, pack(tmp_path, brand, logo=PNG))
    assert result.exit_code != 0 and message in result.output, result.output


def test_a_logo_that_is_not_an_image_is_refused(runner, tmp_path):
    path = pack(tmp_path, 'logo = "herts.png"\nlogo_alt = "Hertfordshire"\n', logo=b"<html>")
    result = load(runner, path)
    assert result.exit_code != 0 and "is not a .png image" in result.output


def test_the_scheme_pages_wear_its_brand(runner, client, tmp_path):
    path = pack(tmp_path, 'organisation = "Hertfordshire planning authorities"\n'
                          'colour = "#006b6b"\nlogo = "herts.png"\n'
                          'logo_alt = "Hertfordshire planning authorities logo"\n', logo=PNG)
    assert load(runner, path).exit_code == 0

    page = client.get("/schemes/herts-planning").get_data(as_text=True)
    header = page[page.index("<header"):page.index("</header>")]
    assert "Hertfordshire planning authorities" in header
    assert "Hertfordshire Planning Mentoring" in header  # the service navigation names the scheme
    logo = re.search(r'<img class="portal-logo" src="([^"]+)" alt="([^"]+)"', header)
    assert logo and logo.group(2) == "Hertfordshire planning authorities logo"
    image = client.get(logo.group(1))
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == PNG
    assert "default-src 'none'" in image.headers["Content-Security-Policy"]

    css_link = re.search(r'href="(/schemes/herts-planning/brand.css[^"]*)"', page)
    css = client.get(css_link.group(1).replace("&amp;", "&"))
    assert css.mimetype == "text/css"
    assert "--govuk-brand-colour: #006b6b" in css.get_data(as_text=True)
    assert '<meta name="theme-color" content="#006b6b">' in page


def test_a_scheme_without_a_brand_looks_like_the_portal(runner, client, tmp_path):
    assert load(runner, pack(tmp_path, "")).exit_code == 0

    page = client.get("/schemes/herts-planning").get_data(as_text=True)
    assert "brand.css" not in page and "portal-logo" not in page
    assert client.get("/schemes/herts-planning/logo").status_code == 404
    assert client.get("/schemes/herts-planning/brand.css").get_data(as_text=True) == ""


def test_every_shipped_pack_has_a_readable_brand(runner):
    from portal.schemes import packs

    for path in packs.pack_paths():
        brand = packs.read_pack(path)["brand"]
        assert brand["organisation"] and brand["colour"]
        assert packs.contrast_ratio(brand["colour"], "#ffffff") >= 4.5


def test_emails_name_the_scheme_and_its_organisation(client, make, mailbox):
    scheme = make.scheme(name="Planning mentoring")
    scheme.brand = {"organisation": "Testborough Council", "colour": "#006b6b"}
    from portal.extensions import db

    db.session.commit()
    client.post_form(f"/schemes/{scheme.slug}/register",
                     {"roles": ["mentee"], "full_name": "Grace Hopper",
                      "email": "grace@testborough.gov.uk", "confirm": "y"})

    email = mailbox.last("grace@testborough.gov.uk", "confirm_registration")
    assert "Planning mentoring, Testborough Council\nMentoring portal:" in email.body_text
