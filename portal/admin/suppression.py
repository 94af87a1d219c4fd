"""The one rule for small numbers in the desk's reports, so no figure can point at a person.

A report's figures go to committee papers and boards, where a "2" in a small scheme can be one
named mentee. Every figure the Reports page, its CSV and its spreadsheet show is made here:

- **A count from 1 to 4 is not shown**: it reads "fewer than 5". A count of 0 is shown, as 0:
  nobody can be picked out of nobody, and "no endings this year" is worth saying.
- **Secondary suppression.** In a group of counts shown with its total (registrations by role,
  requests by outcome, endings by reason, evaluations answered or not), a single hidden count
  could be worked out by taking the others from the total. So when exactly one count in a
  group is hidden and the total is shown, the next smallest count above 0 is hidden too; it
  reads "not shown" (it may well be 5 or more). There always is one: the total is 5 or more
  and the hidden count under 5. A total from 1 to 4 is itself hidden, and then so is every
  count in the group above 0 (each is smaller).
- **Rates and medians** are shown only when they rest on 5 or more (people, requests,
  evaluations): below that they read "fewer than 5" ("none to measure" with none). A rate is
  also "not shown" when any count it is made from is hidden, since the rate and the shown
  counts would give the hidden one back.

What is hidden never reaches a page or a file: a hidden cell keeps no value.
"""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

#: Counts below this (and above 0) are not shown.
THRESHOLD = 5
FEWER = "fewer than 5"
NOT_SHOWN = "not shown"
#: A rate or median with nothing to measure (no requests answered, nobody matched).
NOTHING = "none to measure"

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Cell:
    """One figure as it may be shown: a number, or the words that stand for a hidden one."""

    #: The figure (None when hidden: a hidden value is never kept).
    value: int | float | None
    #: Why it is hidden (FEWER or NOT_SHOWN); None when it is shown.
    hidden: str | None = None
    #: "%" for a rate, " days" for a median of days, "" for a count.
    unit: str = ""

    @property
    def shown(self) -> bool:
        return self.hidden is None

    @property
    def text(self) -> str:
        """As the page writes it: "12", "62.5%", "8.5 days", "fewer than 5"."""
        if self.hidden is not None:
            return self.hidden
        if isinstance(self.value, float):
            return f"{self.value:.1f}{self.unit}"
        return f"{self.value}{self.unit}"

    @property
    def export(self) -> int | float | str:
        """As a CSV or spreadsheet cell: the number itself, or the words."""
        if self.hidden is not None:
            return self.hidden
        return round(self.value, 1) if isinstance(self.value, float) else self.value


def _small(n: int) -> bool:
    return 0 < n < THRESHOLD


def count(n: int) -> Cell:
    """A count on its own (no total it belongs to)."""
    return Cell(None, FEWER) if _small(n) else Cell(n)


def group(counts: Mapping[K, int]) -> tuple[dict[K, Cell], Cell]:
    """The counts of a group and its total (their sum), with the small ones hidden and, where
    one hidden count could be worked out from the total, another hidden too (see above). Ties
    for "next smallest" go to the first in the group's order."""
    total = sum(counts.values())
    primary = {key for key, n in counts.items() if _small(n)}
    secondary: set[K] = set()
    total_hidden = FEWER if _small(total) else None
    if len(primary) == 1 and total_hidden is None:
        # The total is 5 or more and the hidden count under 5, so another count is above 0.
        others = [(n, index, key) for index, (key, n) in enumerate(counts.items())
                  if key not in primary and n > 0]
        secondary.add(min(others)[2])
    cells = {key: (Cell(None, FEWER) if key in primary
                   else Cell(None, NOT_SHOWN) if key in secondary else Cell(n))
             for key, n in counts.items()}
    return cells, (Cell(None, total_hidden) if total_hidden else Cell(total))


def rate(part: Sequence[Cell], rest: Sequence[Cell], numerator: int, denominator: int) -> Cell:
    """``numerator`` out of ``denominator`` as a percentage. ``part`` are the shown cells the
    numerator is counted in and ``rest`` those of the remainder: the rate is hidden if any of
    them is, and "fewer than 5" when the denominator is under 5."""
    if denominator == 0:
        return Cell(None, NOTHING)
    if denominator < THRESHOLD:
        return Cell(None, FEWER)
    if not all(cell.shown for cell in (*part, *rest)):
        return Cell(None, NOT_SHOWN)
    return Cell(100.0 * numerator / denominator, unit="%")


def median(values: Sequence[float], unit: str = " days") -> Cell:
    """The median of ``values``, or "fewer than 5" when there are fewer than 5 of them."""
    if not values:
        return Cell(None, NOTHING)
    if len(values) < THRESHOLD:
        return Cell(None, FEWER)
    return Cell(float(statistics.median(values)), unit=unit)
