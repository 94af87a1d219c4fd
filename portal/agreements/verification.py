"""Checking a PDF: does a reference and SHA-256 match a version both parties signed? (An
agreement, MA-..., or an evaluation both people signed, EV-....)

The answer reveals nothing personal: only whether it matches and the date both had signed.
Every kind of mismatch (unknown reference, wrong hash, a version voided before both signed)
gives the same answer, so the page cannot be used to find out which references exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.agreements import canonical, opening, queries
from portal.evaluations import queries as evaluation_queries


@dataclass(frozen=True)
class Result:
    matches: bool
    reference: str
    signed_on: dt.datetime | None = None
    #: True when that version was later replaced by a changed one (still a true record).
    superseded: bool = False
    #: "agreement", or "evaluation" for an evaluation both people signed.
    kind: str = "agreement"


def check(reference: str, sha256: str) -> Result:
    reference = opening.normalise_reference(reference)
    wanted = canonical.normalise_hash(sha256)
    if reference.startswith("EV-"):
        return _check_evaluation(reference, wanted)
    version = queries.version_by_hash(reference, wanted)
    if version is None or not version.signed_by_both:
        return Result(False, reference)
    # The stored text must still give the stored hash; a row edited behind the portal's back
    # no longer verifies.
    if canonical.sha256(version.text) != version.sha256:
        return Result(False, reference)
    signed_on = max(s.signed_at for s in version.signatures)
    return Result(True, reference, signed_on, superseded=version.voided_at is not None)


def _check_evaluation(reference: str, wanted: str) -> Result:
    """The same check for an evaluation both people signed (reference EV-...): the version
    both signed, whose stored text still gives the stored hash."""
    signoff = evaluation_queries.signoff_by_hash(reference, wanted)
    if (signoff is None or signoff.signed_at is None
            or canonical.sha256(signoff.text) != signoff.sha256):
        return Result(False, reference, kind="evaluation")
    return Result(True, reference, signoff.signed_at, kind="evaluation")
