"""Scheme packs: one TOML file per scheme in portal/schemes/packs/, loaded by
`flask schemes load`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from portal.schemes.models import Scheme

PACK_DIR = Path(__file__).parent / "packs"

_REQUIRED = ("slug", "name", "summary", "admin_email", "mentor_eligibility", "mentee_eligibility",
             "expertise_areas", "agreement")
_SIMPLE = ("name", "summary", "about", "admin_email", "reply_to", "mentor_eligibility",
           "mentee_eligibility", "needs_line_manager_approval", "line_manager_domains",
           "max_open_requests", "shortlist_limit", "request_reminder_days", "request_expiry_days",
           "retention_years", "expertise_areas")


#: Whole-number settings and the range each may take.
_NUMBERS = {"max_open_requests": (1, 20), "shortlist_limit": (1, 50),
            "request_reminder_days": (1, 30), "request_expiry_days": (2, 60),
            "retention_years": (1, 20)}
_TEXTS = ("slug", "name", "summary", "admin_email", "mentor_eligibility", "mentee_eligibility")
#: A domain name such as westsuffolk.gov.uk: two labels or more, no "@", no wildcard.
_DOMAIN = re.compile(r"(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


class PackError(ValueError):
    """A scheme pack that is incomplete or malformed."""


def read_pack(path: Path) -> dict[str, Any]:
    """Parse and check one pack file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise PackError(f"{path.name}: {error}") from None
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise PackError(f"{path.name}: missing {', '.join(missing)}")
    agreement = data["agreement"]
    if not agreement.get("sections"):
        raise PackError(f"{path.name}: the agreement needs at least one section of clauses")
    for section in agreement["sections"]:
        if not section.get("title") or not section.get("clauses"):
            raise PackError(f"{path.name}: every agreement section needs a title and clauses")
        if section.get("party", "both") not in {"mentor", "mentee", "both", "confidentiality"}:
            raise PackError(f"{path.name}: unknown party {section.get('party')!r}")
    for key, (low, high) in _NUMBERS.items():
        value = data.get(key, low)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise PackError(f"{path.name}: {key} must be a whole number from {low} to {high}")
    for key in _TEXTS:
        if key in data and not (isinstance(data[key], str) and data[key].strip()):
            raise PackError(f"{path.name}: {key} must be some text")
    if not isinstance(data.get("needs_line_manager_approval", False), bool):
        raise PackError(f"{path.name}: needs_line_manager_approval must be true or false")
    data["line_manager_domains"] = _line_manager_domains(path, data)
    areas = data["expertise_areas"]
    if not (isinstance(areas, list) and areas and all(isinstance(a, str) and a for a in areas)):
        raise PackError(f"{path.name}: expertise_areas must be a list of names")
    if len(set(areas)) != len(areas):
        raise PackError(f"{path.name}: expertise_areas has the same area twice")
    terms = agreement.get("terms", {})
    if not isinstance(terms, dict) or any(
        isinstance(v, bool) or not isinstance(v, int | str) for v in terms.values()
    ):
        raise PackError(f"{path.name}: agreement terms must be numbers or text")
    evaluation = data.get("evaluation", {})
    if not isinstance(evaluation, dict) or any(
        not isinstance(questions, list) or not all(isinstance(q, str) for q in questions)
        for questions in evaluation.values()
    ):
        raise PackError(f"{path.name}: evaluation must list questions for mentor and mentee")
    return data


def _line_manager_domains(path: Path, data: dict[str, Any]) -> list[str]:
    """The pack's list, lower-cased; always set, so deleting it from a pack clears it."""
    domains = data.get("line_manager_domains", [])
    if not isinstance(domains, list) or not all(
        isinstance(d, str) and _DOMAIN.fullmatch(d.strip().lower()) for d in domains
    ):
        raise PackError(f"{path.name}: line_manager_domains must be a list of domains, like "
                        '["westsuffolk.gov.uk"], without "@"')
    domains = [d.strip().lower() for d in domains]
    if len(set(domains)) != len(domains):
        raise PackError(f"{path.name}: line_manager_domains has the same domain twice")
    if domains and not data.get("needs_line_manager_approval", False):
        raise PackError(f"{path.name}: line_manager_domains is set but "
                        "needs_line_manager_approval is not true")
    return domains


def pack_paths(directory: Path = PACK_DIR) -> list[Path]:
    return sorted(directory.glob("*.toml"))


def load_pack(session, data: dict[str, Any]) -> tuple[Scheme, bool]:
    """Create or update the scheme a pack describes; returns (scheme, created)."""
    scheme = session.scalar(sa.select(Scheme).where(Scheme.slug == data["slug"]))
    created = scheme is None
    if created:
        scheme = Scheme(slug=data["slug"])
        session.add(scheme)
    for key in _SIMPLE:
        if key in data:
            setattr(scheme, key, data[key])
    scheme.agreement_template = data["agreement"]
    scheme.evaluation_form = data.get("evaluation", {})
    return scheme, created
