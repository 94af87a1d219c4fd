"""Each scheme's privacy notice: who the controller is and whom to contact (from the pack's
[privacy] table, with defaults), the lawful basis, who sees what, each retention period, and
people's rights; linked from the footer of the scheme's pages and from registration."""

from __future__ import annotations

import html
import re

import pytest

from portal.schemes.models import DEFAULT_LAWFUL_BASIS
from tests.support.agreements import client_for


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
                    .split())


def test_a_schemes_notice_names_its_controller_periods_and_rights(app, make):
    scheme = make.scheme(name="Testborough planning mentoring", retention_years=7,
                         privacy={"controller": "Testborough Borough Council",
                                  "contact": "dpo@testborough.gov.uk"})
    page = client_for(app).get(f"/schemes/{scheme.slug}/privacy")
    shown = text(page)
    assert page.status_code == 200
    for expected in ("Testborough Borough Council is the controller",
                     "dpo@testborough.gov.uk", DEFAULT_LAWFUL_BASIS,
                     "7 years after the mentoring ends",
                     f"{app.config['IP_RETENTION_MONTHS']} months",
                     "30 days after sending", "Information Commissioner",
                     "download your data", "only the mentor and the scheme's administrators"):
        assert expected in shown, expected


def test_without_a_privacy_table_the_notice_uses_the_schemes_own_facts(app, make):
    scheme = make.scheme(name="County leadership mentoring", admin_email="lead@county.gov.uk",
                         brand={"organisation": "County Council"})
    shown = text(client_for(app).get(f"/schemes/{scheme.slug}/privacy"))
    assert "County Council is the controller" in shown and "lead@county.gov.uk" in shown


def test_the_notice_is_linked_from_the_schemes_pages_and_registration(app, make):
    scheme = make.scheme()
    url = f"/schemes/{scheme.slug}/privacy"
    for path in (f"/schemes/{scheme.slug}", f"/schemes/{scheme.slug}/register"):
        assert f'href="{url}"' in client_for(app).get(path).get_data(as_text=True), path
    site = client_for(app).get("/privacy").get_data(as_text=True)
    assert f'href="{url}"' in site
    assert client_for(app).get("/schemes/no-such-scheme/privacy").status_code == 404


@pytest.mark.parametrize("privacy, message", [
    ({"controller": ""}, "privacy controller must be some text"),
    ({"contact": "not an address"}, "privacy contact must be an email address"),
    ({"owner": "Someone"}, "privacy has unknown settings: owner"),
])
def test_a_bad_privacy_table_is_refused_when_the_pack_loads(tmp_path, privacy, message):
    from portal.schemes.packs import PackError, _privacy

    with pytest.raises(PackError, match=message):
        _privacy(tmp_path / "pack.toml", privacy)
