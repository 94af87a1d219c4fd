"""The one canonical plain-text rendering of an agreement, and its SHA-256.

A version's text is made from a snapshot (a plain dict of everything the agreement says) by
``blocks`` and ``text``. Both are pure functions of the snapshot: no locale, no clock, no
database, so the same snapshot always gives the same bytes and the same hash. The signing page,
the PDF and the verify page all use the stored text or blocks made from the stored snapshot.
``SignedDocument`` is what a PDF is made of (portal.agreements.pdf), for an agreement or an
evaluation both people signed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any

#: Bump only with a migration that keeps old versions' stored text: the text is what was signed.
FORMAT = 1

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")

FORMATS = {"in_person": "In person", "online": "Online", "either": "In person or online"}
WHO = {"mentee": "The mentee", "mentor": "The mentor", "both": "Both of us, taking turns"}

DEFAULT_TITLE = "Mentoring agreement"
DEFAULT_INTRO = ("This agreement sets out how we will work together as mentor and mentee. "
                 "We have talked it through and we both agree to it.")
DEFAULT_SUBMIT_NOTE = ("When we have both signed, the mentee sends this agreement to the scheme "
                       "administrator before our first session.")


@dataclass(frozen=True)
class Block:
    """One line of a signed document: title, meta, para, heading, field, goal or clause (an
    agreement), question or answer (an evaluation)."""

    kind: str
    text: str
    label: str = ""


def clean(value: Any) -> str:
    """One line of text: Unicode NFC, no control characters, single spaces."""
    text = unicodedata.normalize("NFC", str(value if value is not None else ""))
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    return " ".join(text.split())


def paragraphs(value: Any) -> list[str]:
    """Paragraphs of a longer text (blank lines between them), each cleaned to one line."""
    raw = unicodedata.normalize("NFC", str(value or "")).replace("\r\n", "\n").replace("\r", "\n")
    return [clean(p) for p in raw.split("\n\n") if clean(p)]


def long_date(value: dt.date | str | None) -> str:
    """'3 March 2026', the same on every machine (strftime's month names follow the locale)."""
    if value is None or value == "":
        return "not set"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise ValueError("unreachable")


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def blocks(snapshot: dict[str, Any]) -> list[Block]:
    """The agreement as an ordered list of blocks (the PDF lays these out)."""
    s = snapshot
    terms = s["terms"]
    out: list[Block] = [
        Block("title", clean(s.get("title") or DEFAULT_TITLE)),
        Block("meta", clean(s["scheme"]), "Scheme"),
        Block("meta", clean(s["reference"]), "Reference"),
        Block("meta", str(int(s["version"])), "Version"),
    ]
    out += [Block("para", p) for p in paragraphs(s.get("intro") or DEFAULT_INTRO)]

    number = 0

    def heading(text: str) -> None:
        nonlocal number
        number += 1
        out.append(Block("heading", f"{number}. {clean(text)}"))

    heading("Who this agreement is between")
    for party in ("mentor", "mentee"):
        person = s["parties"][party]
        role = party.capitalize()
        out.append(Block("field", clean(person["name"]), role))
        out.append(Block("field", clean(person["email"]), f"{role}'s email"))
        out.append(Block("field", clean(person.get("phone")) or "not given", f"{role}'s phone"))

    heading("What we have agreed")
    start = terms.get("start_date")
    duration = int(terms["duration_months"])
    length = plural(duration, "month")
    if start:
        length += f", until {long_date(add_months(dt.date.fromisoformat(start), duration))}"
    place = FORMATS.get(terms["meeting_format"], clean(terms["meeting_format"]))
    if clean(terms.get("meeting_place")):
        place += f": {clean(terms['meeting_place'])}"
    out += [
        Block("field", long_date(start), "Start date"),
        Block("field", length, "How long the mentoring lasts"),
        Block("field", f"About {plural(int(terms['sessions']), 'session')}",
              "Number of sessions"),
        Block("field", clean(terms.get("frequency")) or "to be agreed as we go",
              "How often we meet"),
        Block("field", f"At least {terms['min_minutes']} minutes and at most "
                       f"{terms['max_minutes']} minutes", "Length of each meeting"),
        Block("field", place, "How and where we meet"),
        Block("field", clean(terms.get("contact_between")) or "as needed",
              "Contact between sessions"),
        Block("field", f"At least {plural(int(terms['notice_hours']), 'hour')}",
              "Notice if we cannot attend a session"),
        Block("field", WHO.get(terms["arranges_meetings"], clean(terms["arranges_meetings"])),
              "Who arranges meetings"),
        Block("field", WHO.get(terms["sets_agenda"], clean(terms["sets_agenda"])),
              "Who sets the agenda"),
        Block("field", long_date(terms.get("review_date")), "Review date"),
    ]

    heading("The mentee's goals")
    out += [Block("goal", clean(goal), f"{n})") for n, goal in enumerate(s["goals"], start=1)]

    for section in s["sections"]:
        heading(section["title"])
        out += [Block("clause", clean(clause)) for clause in section["clauses"]]

    heading("Signatures")
    out.append(Block("para", "By signing, each of us confirms that we have read this whole "
                             "agreement and that we agree to it."))
    out += [Block("para", p) for p in paragraphs(s.get("submit_note") or DEFAULT_SUBMIT_NOTE)]
    return out


def text(snapshot: dict[str, Any]) -> str:
    """The canonical text of an agreement's snapshot."""
    return text_of(blocks(snapshot))


def text_of(document: list[Block]) -> str:
    """The canonical text of any signed document's blocks (an agreement, or an evaluation both
    people sign): UTF-8, LF line ends, one line per block, blank line between groups."""
    lines: list[str] = []
    previous = ""
    for block in document:
        # A blank line before each heading, question and paragraph, and between the title and
        # the rest.
        if (block.kind in ("heading", "question")
                or (block.kind == "para" and previous != "heading")
                or (previous in ("title", "para") and block.kind != "para")):
            lines.append("")
        if block.kind in ("title", "heading", "para"):
            lines.append(block.text)
        elif block.kind in ("meta", "field"):
            lines.append(f"{block.label}: {block.text}")
        elif block.kind == "goal":
            lines.append(f"  {block.label} {block.text}")
        elif block.kind == "question":
            lines.append(f"{block.label} {block.text}")
        elif block.kind == "answer":
            lines.append(f"    {block.text}")
        else:
            lines.append(f"  - {block.text}")
        previous = block.kind
    return "\n".join(lines).strip("\n") + "\n"


def sha256(value: str) -> str:
    """The SHA-256 of a text's UTF-8 bytes, as 64 lower-case hex digits."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalise_hash(value: str) -> str:
    """A hash as people paste it: spaces, line breaks and upper case removed."""
    return "".join(value.split()).lower()


def snapshot_of(agreement: Any) -> dict[str, Any]:
    """Everything an agreement says, as plain data (JSON-safe): the input to ``text``."""
    template = agreement.template or {}
    return {
        "format": FORMAT,
        "title": template.get("title") or DEFAULT_TITLE,
        "intro": template.get("intro") or DEFAULT_INTRO,
        "submit_note": template.get("submit_note") or DEFAULT_SUBMIT_NOTE,
        "scheme": agreement.scheme.name,
        "reference": agreement.reference,
        "version": agreement.version,
        "parties": {
            "mentor": {"name": agreement.mentor.full_name, "email": agreement.mentor_email,
                       "phone": agreement.mentor_phone},
            "mentee": {"name": agreement.mentee.full_name, "email": agreement.mentee_email,
                       "phone": agreement.mentee_phone},
        },
        "terms": {
            "start_date": agreement.start_date.isoformat() if agreement.start_date else None,
            "duration_months": agreement.duration_months, "sessions": agreement.sessions,
            "frequency": agreement.frequency, "min_minutes": agreement.min_minutes,
            "max_minutes": agreement.max_minutes, "meeting_format": agreement.meeting_format,
            "meeting_place": agreement.meeting_place,
            "contact_between": agreement.contact_between,
            "notice_hours": agreement.notice_hours,
            "arranges_meetings": agreement.arranges_meetings,
            "sets_agenda": agreement.sets_agenda,
            "review_date": agreement.review_date.isoformat() if agreement.review_date else None,
        },
        "goals": [goal for goal in agreement.goals if clean(goal)],
        "sections": [{"title": s["title"], "party": s.get("party", "both"),
                      "clauses": list(s["clauses"])} for s in template.get("sections", [])],
    }


@dataclass(frozen=True)
class SignedDocument:
    """What the PDF needs from a document two people signed by link: an agreement's version,
    or the evaluation a pack has both people sign (portal.evaluations.record). One layout, one
    audit page, one way to check it at /verify."""

    #: "Agreement" or "Evaluation": the footer's first word.
    kind: str
    reference: str
    number: int
    title: str
    subject: str
    created_at: dt.datetime | None
    blocks: list[Block]
    text: str
    sha256: str
    #: Each party's name as the signed text gives it.
    names: dict[str, str]
    signatures: dict[str, Any]
    #: The audit page's record (label, value), from the reference onwards.
    record: list[tuple[str, str]]
    #: How to check it: the sentence after "Go to <verify page> and enter ...".
    what_is_checked: str
