"""Scheme packs: one TOML file per scheme in portal/schemes/packs/, loaded by
`flask schemes load`."""

from __future__ import annotations

import base64
import hashlib
import re
import tomllib
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from portal.schemes.models import RUNNING_DEFAULTS, Scheme

PACK_DIR = Path(__file__).parent / "packs"
#: Where a pack's logo file lives (its [brand] logo names a file here).
LOGO_DIR = PACK_DIR / "logos"
LOGO_TYPES = {".png": "image/png", ".svg": "image/svg+xml"}
LOGO_MAX_BYTES = 100 * 1024
#: GOV.UK Frontend's text colour, which the brand colour's bar sits against.
TEXT_COLOUR = "#0b0c0c"
#: WCAG 2.2 AA: white text on the brand colour is normal-size text (1.4.3, 4.5:1); the brand
#: bar against the black header and the text colour is a non-text boundary (1.4.11, 3:1).
WHITE_TEXT_RATIO = 4.5
BOUNDARY_RATIO = 3.0
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
#: An email address, roughly: something@domain.tld, no spaces.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

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
    data["brand"] = _brand(path, data.get("brand", {}), logo_dir=path.parent / "logos")
    data["running"] = _running(path, data.get("running", {}))
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
    data["evaluation"] = _evaluation(path, data.get("evaluation", {}))
    data["search"] = _search(path, data.get("search", {}))
    data["privacy"] = _privacy(path, data.get("privacy", {}))
    data["equality"] = _equality(path, data.get("equality", {}))
    return data


#: What every equality-monitoring question offers after the pack's own options (the portal adds
#: it, so no pack can leave it out), and what a question left blank is counted as.
PREFER_NOT_TO_SAY = "Prefer not to say"
NOT_ANSWERED = "Not answered"
EQUALITY_MAX_QUESTIONS = 12
EQUALITY_MAX_OPTIONS = 15
#: The longest question, hint, option and purpose.
EQUALITY_LENGTHS = {"question": 300, "hint": 500, "option": 100, "purpose": 1000}
EQUALITY_QUESTION_KEYS = {"key", "question", "hint", "options"}
#: A question's key: short, lower case, as in "age" or "ethnic_group".
_EQUALITY_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _equality(path: Path, equality: Any) -> dict[str, Any]:
    """The pack's [equality] table, checked: the optional equality-monitoring questions, each
    with a key, the question, an optional hint and its options (the portal adds "Prefer not to
    say" to each), and an optional ``purpose``, why the scheme asks. Always a dict, so removing
    [equality] stops the questions being asked."""
    name = path.name
    if not isinstance(equality, dict):
        raise PackError(f"{name}: equality must be a table: [equality]")
    unknown = set(equality) - {"purpose", "questions"}
    if unknown:
        raise PackError(f"{name}: equality has unknown settings: {', '.join(sorted(unknown))} "
                        "(it takes purpose, questions)")
    if not equality:
        return {}
    questions = equality.get("questions")
    if not isinstance(questions, list) or not questions \
            or len(questions) > EQUALITY_MAX_QUESTIONS:
        raise PackError(f"{name}: equality questions must be a list of 1 to "
                        f"{EQUALITY_MAX_QUESTIONS} questions: [[equality.questions]]")
    checked: dict[str, Any] = {"questions": []}
    purpose = equality.get("purpose")
    if purpose is not None:
        checked["purpose"] = _equality_text(name, "purpose", purpose)
    keys: set[str] = set()
    for question in questions:
        if not isinstance(question, dict):
            raise PackError(f"{name}: each equality question must be a table "
                            "[[equality.questions]] with key, question and options")
        unknown = set(question) - EQUALITY_QUESTION_KEYS
        if unknown:
            raise PackError(f"{name}: an equality question has unknown settings: "
                            f"{', '.join(sorted(unknown))} (it takes "
                            f"{', '.join(sorted(EQUALITY_QUESTION_KEYS))})")
        key = question.get("key")
        if not isinstance(key, str) or not _EQUALITY_KEY.fullmatch(key):
            raise PackError(f"{name}: each equality question needs a key of lower-case letters, "
                            f"digits and _, such as \"age\", not {key!r}")
        if key in keys:
            raise PackError(f"{name}: equality asks the question {key!r} twice")
        keys.add(key)
        one = {"key": key,
               "question": _equality_text(name, f"{key} question", question.get("question"))}
        if question.get("hint") is not None:
            one["hint"] = _equality_text(name, f"{key} hint", question["hint"])
        options = question.get("options")
        if not isinstance(options, list) or not 2 <= len(options) <= EQUALITY_MAX_OPTIONS:
            raise PackError(f"{name}: equality question {key!r} needs a list of 2 to "
                            f"{EQUALITY_MAX_OPTIONS} options")
        options = [_equality_text(name, f"{key} option", option, "option") for option in options]
        if len({o.casefold() for o in options}) != len(options):
            raise PackError(f"{name}: equality question {key!r} offers the same option twice")
        added = {PREFER_NOT_TO_SAY.casefold(), NOT_ANSWERED.casefold()}
        if added & {o.casefold() for o in options}:
            raise PackError(f"{name}: equality question {key!r} lists \"{PREFER_NOT_TO_SAY}\" "
                            f"or \"{NOT_ANSWERED}\": the portal adds them itself")
        one["options"] = options
        checked["questions"].append(one)
    return checked


def _equality_text(name: str, what: str, value: Any, kind: str | None = None) -> str:
    """Some text of at most its kind's length, with its spaces tidied."""
    limit = EQUALITY_LENGTHS[kind or what.rpartition(" ")[2]]
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise PackError(f"{name}: equality {what} must be some text of at most {limit} "
                        "characters")
    return " ".join(value.split())


#: The privacy notice's keys, each some text of at most this many characters.
PRIVACY_KEYS = {"controller": 200, "contact": 254, "lawful_basis": 1000}


def _privacy(path: Path, privacy: Any) -> dict[str, str]:
    """The pack's [privacy] table, checked: who the controller is, who to contact about
    personal data, and the lawful basis, for the scheme's privacy notice. Any left out take
    their defaults when the notice is shown (portal.schemes.models.Scheme.privacy_notice)."""
    if not isinstance(privacy, dict):
        raise PackError(f"{path.name}: privacy must be a table: [privacy]")
    unknown = set(privacy) - set(PRIVACY_KEYS)
    if unknown:
        raise PackError(f"{path.name}: privacy has unknown settings: "
                        f"{', '.join(sorted(unknown))} (it takes "
                        f"{', '.join(sorted(PRIVACY_KEYS))})")
    checked = {}
    for key, value in privacy.items():
        if not isinstance(value, str) or not value.strip() or len(value) > PRIVACY_KEYS[key]:
            raise PackError(f"{path.name}: privacy {key} must be some text of at most "
                            f"{PRIVACY_KEYS[key]} characters")
        checked[key] = " ".join(value.split())
    if "contact" in checked and not _EMAIL.fullmatch(checked["contact"]):
        raise PackError(f"{path.name}: privacy contact must be an email address")
    return checked


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


#: Who may record the action plan, as a pack's [running] actions_by names them.
ACTIONS_BY = ("mentee", "mentor", "both")
QUIET_WEEKS = (1, 26)


def _running(path: Path, running: Any) -> dict[str, Any]:
    """The pack's [running] table, checked: how the running relationship works in this scheme
    (see RUNNING_DEFAULTS). Always a dict, so removing [running] brings the defaults back."""
    if not isinstance(running, dict):
        raise PackError(f"{path.name}: running must be a table: [running]")
    unknown = set(running) - set(RUNNING_DEFAULTS)
    if unknown:
        raise PackError(f"{path.name}: running has unknown settings: "
                        f"{', '.join(sorted(unknown))} (it takes "
                        f"{', '.join(RUNNING_DEFAULTS)})")
    low, high = QUIET_WEEKS
    weeks = running.get("quiet_weeks", RUNNING_DEFAULTS["quiet_weeks"])
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not low <= weeks <= high:
        raise PackError(f"{path.name}: running quiet_weeks must be a whole number of weeks from "
                        f"{low} to {high}")
    if running.get("actions_by", RUNNING_DEFAULTS["actions_by"]) not in ACTIONS_BY:
        raise PackError(f"{path.name}: running actions_by must be one of "
                        f"{', '.join(ACTIONS_BY)}, not {running['actions_by']!r}")
    for key in ("action_plan_each_session", "midpoint_check_in", "one_mentor_at_a_time"):
        if not isinstance(running.get(key, False), bool):
            raise PackError(f"{path.name}: running {key} must be true or false")
    return dict(running)


#: The defaults of a pack's [evaluation] settings, stored beside its questions: how many days
#: each evaluation stays open, whether administrators see answers without names, whether to ask
#: on the agreement's review date too, and how many months after the end to ask again (0: not).
EVALUATION_DEFAULTS: dict[str, Any] = {
    "window_days": 28,
    "anonymous": True,
    "at_midpoint": False,
    "follow_up_months": 0,
    #: Both people sign the end-of-mentoring evaluation together, as one document (each sees
    #: the other's answers, so it cannot be anonymous).
    "signed_together": False,
}
EVALUATION_NUMBERS = {"window_days": (7, 90), "follow_up_months": (0, 24)}
EVALUATION_MAX_QUESTIONS = 20
EVALUATION_QUESTION_MAX = 500


def _evaluation(path: Path, evaluation: Any) -> dict[str, Any]:
    """The pack's [evaluation] table, checked: each party's questions (kept exactly as
    written) and the settings, with their defaults filled in (EVALUATION_DEFAULTS)."""
    if not isinstance(evaluation, dict):
        raise PackError(f"{path.name}: evaluation must be a table: [evaluation]")
    known = {"mentor", "mentee", *EVALUATION_DEFAULTS}
    unknown = set(evaluation) - known
    if unknown:
        raise PackError(f"{path.name}: evaluation has unknown settings: "
                        f"{', '.join(sorted(unknown))} (it takes {', '.join(sorted(known))})")
    checked: dict[str, Any] = {}
    for party in ("mentor", "mentee"):
        questions = evaluation.get(party, [])
        if not isinstance(questions, list) or not all(
                isinstance(q, str) and q.strip() for q in questions):
            raise PackError(f"{path.name}: evaluation must list questions for mentor and mentee")
        if len(questions) > EVALUATION_MAX_QUESTIONS or any(
                len(q) > EVALUATION_QUESTION_MAX for q in questions):
            raise PackError(f"{path.name}: evaluation {party} may have at most "
                            f"{EVALUATION_MAX_QUESTIONS} questions of up to "
                            f"{EVALUATION_QUESTION_MAX} characters each")
        if len(set(questions)) != len(questions):
            raise PackError(f"{path.name}: evaluation {party} asks the same question twice")
        if questions:
            checked[party] = questions
    for key, (low, high) in EVALUATION_NUMBERS.items():
        value = evaluation.get(key, EVALUATION_DEFAULTS[key])
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise PackError(f"{path.name}: evaluation {key} must be a whole number from {low} "
                            f"to {high}")
        checked[key] = value
    for key in ("anonymous", "at_midpoint", "signed_together"):
        value = evaluation.get(key, EVALUATION_DEFAULTS[key])
        if not isinstance(value, bool):
            raise PackError(f"{path.name}: evaluation {key} must be true or false")
        checked[key] = value
    if checked["signed_together"] and checked["anonymous"]:
        raise PackError(f"{path.name}: evaluation signed_together needs anonymous = false: "
                        "each person reads and signs the other's answers")
    if checked["signed_together"] and not (checked.get("mentor") and checked.get("mentee")):
        raise PackError(f"{path.name}: evaluation signed_together needs questions for both "
                        "mentor and mentee")
    return checked


#: At most this many synonym groups in a pack, each of at most this many forms.
SEARCH_MAX_GROUPS = 200
SEARCH_MAX_FORMS = 10


def _search(path: Path, search: Any) -> dict[str, Any]:
    """The pack's [search] table, checked: ``synonyms``, groups of two or more forms that
    search treats as one (an abbreviation and what it stands for, or two names for one
    thing), each form a few words. Always a dict, so removing [search] clears the list."""
    if not isinstance(search, dict):
        raise PackError(f"{path.name}: search must be a table: [search]")
    unknown = set(search) - {"synonyms"}
    if unknown:
        raise PackError(f"{path.name}: search has unknown settings: "
                        f"{', '.join(sorted(unknown))} (it takes synonyms)")
    groups = search.get("synonyms", [])
    example = '[["TfL", "Transport for London"]]'
    if not isinstance(groups, list) or len(groups) > SEARCH_MAX_GROUPS:
        raise PackError(f"{path.name}: search synonyms must be a list of groups, like {example}, "
                        f"with at most {SEARCH_MAX_GROUPS} groups")
    seen: dict[str, str] = {}
    checked = []
    for group in groups:
        if (not isinstance(group, list) or not 2 <= len(group) <= SEARCH_MAX_FORMS
                or not all(isinstance(form, str) and re.search(r"[^\W_]", form)
                           and len(form) <= 100 for form in group)):
            raise PackError(f"{path.name}: each search synonyms group must list 2 to "
                            f"{SEARCH_MAX_FORMS} forms of up to 100 characters, like {example}")
        forms = [" ".join(form.split()) for form in group]
        for form in forms:
            key = form.casefold()
            if key in seen:
                raise PackError(f"{path.name}: search synonyms has {form!r} twice (also in the "
                                f"group with {seen[key]!r}); put each form in one group")
            seen[key] = forms[0]
        checked.append(forms)
    return {"synonyms": checked} if checked else {}


def contrast_ratio(first: str, second: str) -> float:
    """WCAG's contrast ratio of two #rrggbb colours, from 1 to 21."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _brand(path: Path, brand: Any, *, logo_dir: Path) -> dict[str, str]:
    """The pack's [brand] table, checked: a colour people can read white text on, and a logo
    that exists and says what it shows. Always a dict, so removing [brand] clears it."""
    if not isinstance(brand, dict):
        raise PackError(f"{path.name}: brand must be a table: [brand]")
    unknown = set(brand) - {"organisation", "colour", "logo", "logo_alt"}
    if unknown:
        raise PackError(f"{path.name}: brand has unknown settings: {', '.join(sorted(unknown))}")
    for key, value in brand.items():
        if not (isinstance(value, str) and value.strip()):
            raise PackError(f"{path.name}: brand {key} must be some text")
    checked = {key: value.strip() for key, value in brand.items()}
    colour = checked.get("colour")
    if colour is not None:
        if not _COLOUR.fullmatch(colour):
            raise PackError(f"{path.name}: brand colour must be a colour like #1d70b8, not "
                            f"{colour!r}")
        colour = checked["colour"] = colour.lower()
        on_white = contrast_ratio(colour, "#ffffff")
        on_text = contrast_ratio(colour, TEXT_COLOUR)
        if on_white < WHITE_TEXT_RATIO:
            raise PackError(
                f"{path.name}: brand colour {colour} has a contrast ratio of {on_white:.2f}:1 "
                f"with white, and white text on it needs {WHITE_TEXT_RATIO}:1 (WCAG AA): "
                "choose a darker colour")
        if on_text < BOUNDARY_RATIO:
            raise PackError(
                f"{path.name}: brand colour {colour} has a contrast ratio of {on_text:.2f}:1 "
                f"with the text colour {TEXT_COLOUR}, and the bar needs {BOUNDARY_RATIO}:1 to "
                "stand out from the black header (WCAG AA): choose a lighter colour")
    logo = checked.get("logo")
    if logo is not None:
        if "/" in logo or "\\" in logo or logo.startswith(".") or \
                Path(logo).suffix.lower() not in LOGO_TYPES:
            raise PackError(f"{path.name}: brand logo must be the name of a .png or .svg file "
                            "in the logos folder beside the pack")
        if not (logo_dir / logo).is_file():
            raise PackError(f"{path.name}: brand logo {logo} is not in {logo_dir.name}/")
        if not checked.get("logo_alt"):
            raise PackError(f"{path.name}: brand logo needs logo_alt, the text a screen reader "
                            "says for it (usually the organisation's name)")
        content = (logo_dir / logo).read_bytes()
        kind = LOGO_TYPES[Path(logo).suffix.lower()]
        if len(content) > LOGO_MAX_BYTES:
            raise PackError(f"{path.name}: brand logo {logo} is {len(content) // 1024} KB; "
                            f"keep it under {LOGO_MAX_BYTES // 1024} KB")
        if (kind == "image/png" and not content.startswith(b"\x89PNG\r\n\x1a\n")) or (
                kind == "image/svg+xml" and b"<svg" not in content[:2000]):
            raise PackError(f"{path.name}: brand logo {logo} is not a {Path(logo).suffix} image")
        # The image travels with the scheme's row, so the portal serves it wherever the pack
        # file was loaded from.
        checked["logo_type"] = kind
        checked["logo_data"] = base64.b64encode(content).decode("ascii")
        checked["logo_sha256"] = hashlib.sha256(content).hexdigest()[:16]
    elif "logo_alt" in checked:
        raise PackError(f"{path.name}: brand logo_alt is set but there is no logo")
    return checked


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
    scheme.brand = data.get("brand", {})
    scheme.running = data.get("running", {})
    scheme.search_synonyms = data.get("search", {}).get("synonyms", [])
    scheme.privacy = data.get("privacy", {})
    scheme.equality = data.get("equality", {})
    return scheme, created
