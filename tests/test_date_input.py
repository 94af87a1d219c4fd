"""Every date is GOV.UK's date input: three boxes (day, month, year) under one name, read as one
date, kept as typed when something is wrong, and its error linked to the day box."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from tests.support.calls import NOW, last_call, send_request, uk


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


def boxes(days: int) -> list[str]:
    """The three boxes as a person fills them in, ``days`` after NOW: "5", "3", "2026"."""
    day = uk(days).date()
    return [str(day.day), str(day.month), str(day.year)]


def test_a_call_request_reads_each_time_from_the_three_boxes(client, make, login):
    scheme = make.scheme()
    profile, mentee = make.mentor(scheme), make.mentee(scheme)

    response = send_request(client, login, mentee, profile, time1_date=boxes(3),
                            time1_time="10:00", time2_date=boxes(4), time2_time="14:30")

    assert response.status_code == 303
    starts = sorted(t.starts_at for t in last_call().proposed_times)
    assert starts == [uk(3, 10).astimezone(dt.UTC), uk(4, 14, 30).astimezone(dt.UTC)]


def test_the_request_form_draws_three_labelled_boxes_for_each_date(client, make, login):
    scheme = make.scheme()
    profile, mentee = make.mentor(scheme), make.mentee(scheme)
    login(mentee)

    page = client.get(f"/calls/new/{profile.id}").get_data(as_text=True)

    for part in ("day", "month", "year"):
        assert f'id="time1_date-{part}" name="time1_date"' in page
        assert re.search(rf'<label class="govuk-label govuk-date-input__label" '
                         rf'for="time1_date-{part}">\s*{part.capitalize()}', page)
    assert 'type="date"' not in page and 'type="time"' not in page


@pytest.mark.parametrize(("typed", "message"), [
    (["31", "2", "2027"], "Enter the date for the first time as a real date"),
    (["5", "", "2026"], "Enter the date for the first time as a real date"),
    (["5", "March", "26"], "Enter the date for the first time as a real date"),
])
def test_a_date_that_is_not_real_is_explained_kept_and_linked(client, make, login, typed,
                                                              message):
    scheme = make.scheme()
    profile, mentee = make.mentor(scheme), make.mentee(scheme)

    response = send_request(client, login, mentee, profile, time1_date=typed)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'href="#time1_date-day"' in page  # the summary takes people to the day box
    for part, value in zip(("day", "month", "year"), typed, strict=True):
        assert re.search(rf'id="time1_date-{part}" name="time1_date" type="text"'
                         rf'[^>]*value="{re.escape(value)}"', page) or (
            not value and re.search(rf'id="time1_date-{part}" name="time1_date" type="text"'
                                    r'(?![^>]*value="[^"]+")', page)), part


def test_a_garbled_post_of_the_date_boxes_is_a_clear_error_not_a_crash(client, make, login):
    scheme = make.scheme()
    profile, mentee = make.mentor(scheme), make.mentee(scheme)

    for garbled in (["1", "2"], ["1", "2", "3", "4"], ["\x00", "\u202e", "2026"]):
        response = send_request(client, login, mentee, profile, time1_date=garbled)
        assert response.status_code == 400
        assert "Enter the date for the first time" in response.get_data(as_text=True)
