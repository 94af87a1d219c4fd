"""The evaluation both people sign, where the scheme's pack says they sign it together
(``signed_together``, as on West Suffolk's paper form): both people's end-of-mentoring answers
as one document, written by the agreement's canonical rules.

``snapshot_of`` takes everything the document says as plain data; ``blocks`` and ``text`` are
pure functions of that snapshot (no clock, no locale, no database), so a stored version always
gives the same text and the same SHA-256. The signing page, the PDF and /verify use the stored
text, or blocks made from the stored snapshot.
"""

from __future__ import annotations

from typing import Any

from portal.agreements import canonical
from portal.agreements.canonical import Block, SignedDocument, clean, paragraphs
from portal.evaluations.models import Evaluation, EvaluationSignoff
from portal.relationships.models import Relationship
from portal.templating import utc_stamp

#: Bump only with a migration that keeps old versions' stored text: the text is what was signed.
FORMAT = 1
TITLE = "Mentoring evaluation"
INTRO = ("At the end of our mentoring, each of us answered our own questions below. We have "
         "each read the other's answers, and we sign this form to say that together it is a "
         "fair record of our mentoring.")
CONFIRM = ("By signing, each of us confirms that we have read the whole form, the other "
           "person's answers as well as our own, and that we agree it is a fair record.")
SECTION = {"mentor": "Section A: the mentor's answers", "mentee": "Section B: the mentee's answers"}


def snapshot_of(relationship: Relationship, answered: dict[str, Evaluation], *,
                reference: str, number: int) -> dict[str, Any]:
    """Everything the signed evaluation says, as plain data (JSON-safe): the input to ``text``.
    ``answered`` holds each party's sent end-of-mentoring evaluation."""
    return {
        "format": FORMAT,
        "title": TITLE,
        "intro": INTRO,
        "scheme": relationship.scheme.name,
        "reference": reference,
        "version": number,
        "ended_on": relationship.ended_at.date().isoformat() if relationship.ended_at else None,
        "parties": {"mentor": {"name": relationship.mentor.full_name},
                    "mentee": {"name": relationship.mentee.full_name}},
        "sections": [{"party": party, "questions": list(answered[party].questions),
                      "answers": list(answered[party].answers or [])}
                     for party in ("mentor", "mentee")],
    }


def blocks(snapshot: dict[str, Any]) -> list[Block]:
    """The evaluation as an ordered list of blocks (the page and the PDF lay these out)."""
    s = snapshot
    out: list[Block] = [
        Block("title", clean(s["title"])),
        Block("meta", clean(s["scheme"]), "Scheme"),
        Block("meta", clean(s["reference"]), "Reference"),
        Block("meta", str(int(s["version"])), "Version"),
    ]
    out += [Block("para", p) for p in paragraphs(s["intro"])]
    out.append(Block("heading", "1. Who this evaluation is between"))
    for party in ("mentor", "mentee"):
        out.append(Block("field", clean(s["parties"][party]["name"]), party.capitalize()))
    out.append(Block("field", canonical.long_date(s.get("ended_on")), "Mentoring ended"))
    for number, section in enumerate(s["sections"], start=2):
        out.append(Block("heading", f"{number}. {SECTION[section['party']]}"))
        answers = section["answers"]
        for n, question in enumerate(section["questions"], start=1):
            out.append(Block("question", clean(question), f"{n}."))
            given = paragraphs(answers[n - 1] if n - 1 < len(answers) else "")
            out += ([Block("answer", p) for p in given]
                    or [Block("answer", "No answer given.", "unanswered")])
    out.append(Block("heading", f"{len(s['sections']) + 2}. Signatures"))
    out.append(Block("para", CONFIRM))
    return out


def text(snapshot: dict[str, Any]) -> str:
    """The canonical text that is signed and hashed."""
    return canonical.text_of(blocks(snapshot))


def document(signoff: EvaluationSignoff) -> SignedDocument:
    """What the PDF needs: the stored version, its signatures and its audit record."""
    record = [("Reference", signoff.reference), ("Version", str(signoff.number)),
              ("Scheme", signoff.scheme.name),
              ("Sent for signatures", utc_stamp(signoff.created_at))]
    if signoff.signed_at is not None:
        record.append(("Signed by both", utc_stamp(signoff.signed_at)))
    if signoff.voided_at is not None:
        record.append(("Replaced by a changed version", utc_stamp(signoff.voided_at)))
    return SignedDocument(
        kind="Evaluation", reference=signoff.reference, number=signoff.number,
        title=f"{TITLE} {signoff.reference}",
        subject=f"Mentoring evaluation {signoff.reference}, version {signoff.number}",
        created_at=signoff.created_at, blocks=blocks(signoff.snapshot), text=signoff.text,
        sha256=signoff.sha256,
        names={party: signoff.snapshot["parties"][party]["name"]
               for party in ("mentor", "mentee")},
        signatures={party: signoff.signature_of(party) for party in ("mentor", "mentee")},
        record=record, what_is_checked="the evaluation both people signed")
