"""Search relevance, measured: judged mentee queries over mentors made here, scored by nDCG@5.

Each query has the mentors a person who knows the profiles judged right (2) or partly right (1);
any other mentor counts 0. The test prints nDCG@5 and precision@3 for every query (run with
``-s`` to see them) and fails when the mean nDCG@5 falls below 0.8, or when a query whose
relevant mentors exist finds nobody and offers no suggestion. A query that finds nobody but
offers "Did you mean ...?" is scored on the page its link leads to, as a mentee would follow it.
"""

from __future__ import annotations

import html
import math
import re

import pytest

from portal.extensions import db
from tests.test_mentors_search import names

AREAS = ["Leadership", "Development management", "Planning policy", "Planning obligations",
         "Planning enforcement", "Project management", "Transport planning", "Asset management",
         "Emergency planning", "Finance", "Communications", "Data and digital", "Procurement",
         "Building control", "Managing people"]

#: Abbreviations the test scheme's pack would give (set when the scheme can hold them).
SYNONYMS = [["TfL", "Transport for London"], ["LFB", "London Fire Brigade"],
            ["s106", "section 106"]]

#: The mentors: name, then their profile. Decoys share a word with a query in another sense.
MENTORS = {
    "Aaron Abbott": dict(job_title="Building control surveyor", expertise=["Building control"],
                         organisation="Dacorum Borough Council",
                         background="Removing lead pipes and asbestos from council housing."),
    "Priya Shah": dict(job_title="Head of Development Management",
                       expertise=["Development management", "Leadership"],
                       organisation="St Albans City Council",
                       background="Leading a planning team of twenty through a restructure."),
    "Adam Brook": dict(job_title="Project manager", expertise=["Project management"],
                       organisation="Stevenage Borough Council",
                       background="Software development for the housing service."),
    "Tom Reed": dict(job_title="Team leader, planning enforcement",
                     expertise=["Planning enforcement"], organisation="Watford Borough Council",
                     background="Leading a small team that investigates breaches."),
    "Grace Lee": dict(job_title="Leadership coach", expertise=["Leadership"],
                      organisation="East of England LGA",
                      offer="Coaching that builds confidence in new leaders."),
    "Nina Patel": dict(job_title="Senior planner", expertise=["Planning policy"],
                       organisation="Hertsmere Borough Council",
                       background="Local plans, evidence bases and examinations."),
    "Ben Carter": dict(job_title="Principal planning officer",
                       expertise=["Development management"], organisation="Broxbourne Council",
                       background="Major applications and their s106 agreements."),
    "Ola Ade": dict(job_title="Section 106 monitoring officer",
                    expertise=["Planning obligations"], organisation="Hertfordshire County Council",
                    background="Negotiating developer contributions and the infrastructure levy."),
    "Sam Fox": dict(job_title="Operations manager", expertise=["Managing people"],
                    organisation="North Herts Council",
                    background="I stepped into management two years ago and learned to manage "
                               "people who had been my peers.",
                    offer="Help for new managers finding their confidence."),
    "Ruth King": dict(job_title="Service manager", expertise=["Managing people"],
                      organisation="Three Rivers District Council",
                      offer="Confidence for first-time managers settling into managing a team."),
    "Amy Ng": dict(job_title="Housing delivery manager", expertise=["Project management"],
                   organisation="Welwyn Hatfield Council",
                   background="Delivering new homes across the borough."),
    "Carl Dean": dict(job_title="Head of network planning", expertise=["Transport planning"],
                      organisation="Transport for London",
                      background="Bus network reviews and road user charging."),
    "Dana Ross": dict(job_title="Engineering manager", expertise=["Asset management"],
                      organisation="TfL", background="Maintaining bridges and tunnels."),
    "Eve Hart": dict(job_title="Station commander", expertise=["Emergency planning"],
                     organisation="London Fire Brigade",
                     background="Community fire safety and incident command."),
    "Finn Cole": dict(job_title="Fire safety officer", expertise=["Building control"],
                      organisation="LFB",
                      background="Inspections of high-rise residential blocks."),
    "Alan Gray": dict(job_title="Transport planner", expertise=["Transport planning"],
                      organisation="Hertfordshire County Council",
                      background="Bus services in rural villages."),
    "Helen Moss": dict(job_title="Finance business partner", expertise=["Finance"],
                       organisation="Dacorum Borough Council",
                       background="Budgets and medium-term forecasts."),
    "Jo Park": dict(job_title="Communications lead", expertise=["Communications"],
                    organisation="Hertfordshire County Council",
                    background="Press office and public campaigns."),
    "Kim Wu": dict(job_title="Project manager", expertise=["Project management"],
                   organisation="East Herts Council",
                   background="Delivering capital projects on time and on budget."),
    "Leo Grant": dict(job_title="Data analyst", expertise=["Data and digital"],
                      organisation="Hertfordshire County Council",
                      background="Dashboards for the finance team and performance reports."),
    "Mia Hall": dict(job_title="Procurement lead", expertise=["Procurement"],
                     organisation="Stevenage Borough Council",
                     background="Commissioning and contract management."),
    "Zara Quinn": dict(job_title="Chief executive", expertise=["Leadership"],
                       organisation="Three Rivers District Council",
                       background="I began my career in planning many years ago."),
    "Olive Page": dict(job_title="Plant and fleet manager", expertise=["Asset management"],
                       organisation="Hertfordshire County Council",
                       background="Heavy plant, gritters and the vehicle fleet."),
}

#: (what the mentee types, as a query string; the judged mentors: 2 right, 1 partly).
JUDGED = [
    ("q=leadership", {"Grace Lee": 2, "Priya Shah": 2, "Tom Reed": 2, "Zara Quinn": 1}),
    ("q=leader", {"Tom Reed": 2, "Grace Lee": 2, "Priya Shah": 1}),
    ("q=leading", {"Priya Shah": 2, "Tom Reed": 2, "Grace Lee": 1}),
    ("q=team+leader", {"Tom Reed": 2, "Priya Shah": 1, "Grace Lee": 1}),
    ("q=planner", {"Nina Patel": 2, "Alan Gray": 2, "Ben Carter": 1, "Carl Dean": 1}),
    ("q=planning", {"Nina Patel": 2, "Ben Carter": 2, "Priya Shah": 1, "Tom Reed": 1,
                    "Carl Dean": 1, "Zara Quinn": 1}),
    ("q=plan", {"Nina Patel": 2, "Ben Carter": 1, "Alan Gray": 1}),
    ("q=leadrship", {"Grace Lee": 2, "Priya Shah": 2, "Tom Reed": 1}),
    ("q=finanse", {"Helen Moss": 2}),
    ("q=new+manager+confidence", {"Sam Fox": 2, "Ruth King": 2}),
    ("q=new+manager", {"Sam Fox": 2, "Ruth King": 2}),
    ("q=managing+people", {"Sam Fox": 2, "Ruth King": 2}),
    ("q=coaching+for+new+leaders", {"Grace Lee": 2, "Tom Reed": 1}),
    ("q=TfL", {"Carl Dean": 2, "Dana Ross": 2}),
    ("q=transport+for+london", {"Carl Dean": 2, "Dana Ross": 2}),
    ("organisation=TfL", {"Carl Dean": 2, "Dana Ross": 2}),
    ("q=LFB", {"Eve Hart": 2, "Finn Cole": 2}),
    ("q=s106", {"Ola Ade": 2, "Ben Carter": 2}),
    ("q=section+106", {"Ola Ade": 2, "Ben Carter": 2}),
    ("q=development+management", {"Priya Shah": 2, "Ben Carter": 1}),
    ("q=finance", {"Helen Moss": 2}),
    ("q=communication", {"Jo Park": 2}),
    ("q=project+manager", {"Kim Wu": 2, "Adam Brook": 2, "Amy Ng": 1}),
    ("q=fire+safety", {"Finn Cole": 2, "Eve Hart": 2}),
    ("q=data", {"Leo Grant": 2}),
]
MIN_MEAN_NDCG = 0.8
SUGGESTION = re.compile(r'Did you mean <a class="govuk-link" href="([^"]+)"')


def ndcg(ranked: list[str], judged: dict[str, int], k: int = 5) -> float:
    """Normalised discounted cumulative gain at k, with gains 2^grade - 1."""
    def dcg(grades: list[int]) -> float:
        return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:k]))
    ideal = dcg(sorted(judged.values(), reverse=True))
    return dcg([judged.get(name, 0) for name in ranked]) / ideal if ideal else 0.0


def precision(ranked: list[str], judged: dict[str, int], k: int = 3) -> float:
    return sum(1 for name in ranked[:k] if judged.get(name, 0) > 0) / k


@pytest.fixture
def judged_scheme(make, login):
    scheme = make.scheme(expertise_areas=AREAS)
    if hasattr(scheme, "search_synonyms"):
        scheme.search_synonyms = SYNONYMS
        db.session.commit()
    for name, profile in MENTORS.items():
        make.mentor(scheme, name=name, location="Hertford", **{"offer": "", **profile})
    login(make.mentee(scheme))
    return scheme


def test_judged_queries_find_the_right_mentors(client, judged_scheme):
    assert len(JUDGED) >= 20
    rows, dead_ends = [], []
    for query, judged in JUDGED:
        response = client.get(f"/search?{query}")
        ranked = names(response)
        note = ""
        if not ranked:
            suggestion = SUGGESTION.search(response.get_data(as_text=True))
            if suggestion:
                note = "via suggestion"
                ranked = names(client.get(html.unescape(suggestion.group(1))))
            else:
                dead_ends.append(query)
        rows.append((query, ndcg(ranked, judged), precision(ranked, judged), ranked[:5], note))

    print(f"\n{'query':32} nDCG@5  P@3  top five")
    for query, gain, prec, top, note in rows:
        print(f"{query:32} {gain:5.2f} {prec:5.2f}  {', '.join(top)} {note}")
    mean = sum(row[1] for row in rows) / len(rows)
    print(f"{'mean':32} {mean:5.2f} {sum(row[2] for row in rows) / len(rows):5.2f}")
    assert not dead_ends, f"nothing found and nothing suggested: {dead_ends}"
    assert mean >= MIN_MEAN_NDCG, f"mean nDCG@5 {mean:.2f} is below {MIN_MEAN_NDCG}"
