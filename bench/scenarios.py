"""What the benchmark measures: one scenario per page, each a list of paths and who asks.

A scenario whose page does not exist yet is skipped with a note, so the suite grows with the
portal: adding a page to the benchmark is one line in SCENARIOS (and, where the page needs
state, a few rows in bench/data.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, url_for
from werkzeug.exceptions import HTTPException

from bench import words
from bench.baseline import PATH as BASELINE_PATH

#: Who sends the requests: no cookie at all, an anonymous visitor who has seen a page (their
#: cookie holds only the CSRF token), or the signed-in mentee.
NOBODY, VISITOR, MENTEE = "nobody", "visitor", "mentee"


class Skip(Exception):
    """The scenario cannot run yet; the message says why."""


@dataclass
class Context:
    app: Flask
    manifest: dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    name: str
    who: str
    paths: Callable[[Context], list[str]]
    #: The endpoint that must exist, or a path whose endpoint must exist ("/mentors/1").
    needs: str | None = None
    #: Measured against the bar for pages (25% of the baseline) or for search (20%).
    bar: float | None = None

    def check(self, app: Flask) -> None:
        if self.needs and endpoint_for(app, self.needs) is None:
            raise Skip(f"{self.needs} does not exist yet")


def endpoint_for(app: Flask, target: str) -> str | None:
    """The endpoint named ``target``, or serving the path ``target``; None if there is none."""
    if not target.startswith("/"):
        return target if target in app.view_functions else None
    try:
        endpoint, _ = app.url_map.bind("localhost").match(target, method="GET")
    except HTTPException:
        return None
    return endpoint


def urls(app: Flask, endpoint: str, values: list[dict]) -> list[str]:
    with app.test_request_context():
        return [url_for(endpoint, **v) for v in values]


# --- search --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    """One search a mentee makes: words, filters and the page of results."""

    text: str = ""
    expertise: str = ""
    location: str = ""
    meeting_format: str = ""
    has_capacity: bool = False
    page: int = 1

    def params(self) -> dict[str, Any]:
        """The query string of the search page (the field names of mentors.forms.SearchForm)."""
        params: dict[str, Any] = {}
        if self.text:
            params["q"] = self.text
        if self.expertise:
            params["expertise"] = self.expertise
        if self.location:
            params["location"] = self.location
        if self.meeting_format:
            params["format"] = self.meeting_format
        if self.has_capacity:
            params["capacity"] = "y"
        if self.page > 1:
            params["page"] = self.page
        return params


def _single_words(phrases: list[str]) -> list[str]:
    return [p for p in phrases if " " not in p and "-" not in p]


def search_queries(expertise_areas: list[str], n: int = 150, seed: int = 11) -> list[Query]:
    """A mixed set of ``n`` different searches, the same for a seed: common and rare words,
    several words, half-typed words, words no profile has, with and without filters, pages 1-3.
    """
    rng = random.Random(seed)
    common = _single_words(words.TOPICS[:40]) + ["manager", "council", "planning", "housing",
                                                  "nhs", "policy", "social", "digital"]
    rare = (_single_words(words.TOPICS[-120:]) + words.CODENAMES[-60:] + words.VILLAGES[-60:]
            + words.SURNAMES[-30:] + words.LOCATIONS[-20:])
    multi = words.TOPICS[:25] + [p for p in words.TOPICS[100:] if " " in p][:40]
    places = words.LOCATIONS[:30]
    kinds = [
        (30, lambda: Query(rng.choice(common))),
        (8, lambda: Query(rng.choice(common), page=rng.choice((2, 3)))),
        (22, lambda: Query(rng.choice(rare))),
        (12, lambda: Query(rng.choice(multi))),
        (5, lambda: Query(f"{rng.choice(common)} {rng.choice(places)}")),
        (5, lambda: Query(f"{rng.choice(words.ROLES).lower()} {rng.choice(rare)}")),
        (4, lambda: Query(rng.choice(common)[:-2])),  # still typing
        (3, lambda: Query(rng.choice(words.ABSENT_WORDS))),
        (12, lambda: Query(rng.choice(common), expertise=rng.choice(expertise_areas))),
        (8, lambda: Query(rng.choice(common), has_capacity=True)),
        (4, lambda: Query(rng.choice(rare), has_capacity=True,
                          meeting_format=rng.choice(("online", "in_person")))),
        (5, lambda: Query(rng.choice(common), location=rng.choice(places))),
        (6, lambda: Query(expertise=rng.choice(expertise_areas), page=rng.choice((1, 1, 2, 3)))),
        (3, lambda: Query(has_capacity=True, page=rng.choice((1, 2, 3)))),
    ]
    makers = [make for weight, make in kinds for _ in range(weight)]
    chosen: dict[Query, None] = {}
    while len(chosen) < n:
        chosen[rng.choice(makers)()] = None
    return list(chosen)


def _search_paths(ctx: Context) -> list[str]:
    queries = search_queries(ctx.manifest["expertise_areas"])
    return urls(ctx.app, "mentors.search", [q.params() for q in queries])


def _profile_paths(ctx: Context) -> list[str]:
    endpoint = endpoint_for(ctx.app, "/mentors/1")
    rule = next(r for r in ctx.app.url_map.iter_rules(endpoint) if r.arguments)
    (name,) = rule.arguments
    return urls(ctx.app, endpoint, [{name: pid} for pid in ctx.manifest["profile_ids"]])


def _agreement_paths(ctx: Context) -> list[str]:
    reference = ctx.manifest.get("agreement_reference")
    if not reference:
        why = [s for s in ctx.manifest.get("journey_skipped", []) if s.startswith("agreement")]
        raise Skip("the mentee has no agreement in the data" + (f": {why[0]}" if why else ""))
    return urls(ctx.app, "agreements.show", [{"reference": reference}])


SCENARIOS = [
    Scenario("baseline", NOBODY, lambda ctx: [BASELINE_PATH], needs="bench.baseline"),
    Scenario("home page", VISITOR, lambda ctx: urls(ctx.app, "main.home", [{}]),
             needs="main.home"),
    Scenario("scheme page", VISITOR,
             lambda ctx: urls(ctx.app, "schemes.show", [{"slug": ctx.manifest["scheme_slug"]}]),
             needs="schemes.show"),
    Scenario("mentee dashboard", MENTEE, lambda ctx: urls(ctx.app, "main.dashboard", [{}]),
             needs="main.dashboard", bar=0.25),
    Scenario("profile page", MENTEE, _profile_paths, needs="/mentors/1", bar=0.25),
    Scenario("agreement page", MENTEE, _agreement_paths, needs="agreements.show", bar=0.25),
    Scenario("search", MENTEE, _search_paths, needs="mentors.search", bar=0.20),
]
