"""Reading a list of people to invite: a CSV file of names and email addresses, as a
spreadsheet saves it, or the same rows pasted into the page.

What spreadsheets save: UTF-8 with or without a byte order mark ("CSV UTF-8"), Windows-1252
(Excel's plain "CSV" on Windows), UTF-16 ("Unicode text", tab-separated), commas, semicolons
(where the comma is the decimal mark) or tabs. A header row is optional: a row whose cells
hold no address and name "email" is one, and says which column is which. Without one, the
column holding addresses is the email and the other the name.

The stdlib ``csv`` reads all of this; the rest is deciding what the bytes are. Every text is
cleaned as the portal cleans what people type (``portal.forms.clean_text``). A file that is not
text (a workbook, a PDF, NUL bytes) is refused with a sentence saying what to do.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from portal.errors import DomainError
from portal.forms import clean_text

#: The largest file read, and the most rows (past the header) it may have.
MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000


class FileProblem(DomainError):
    """A file that cannot be read as a list of people: said in words, nothing changed."""

    status = 400


@dataclass(frozen=True)
class Row:
    #: The line of the file (1 is the first), for the preview to point at.
    line: int
    name: str
    email: str


_NOT_TEXT = {b"PK\x03\x04": "an Excel or OpenDocument workbook",
             b"\xd0\xcf\x11\xe0": "an old Excel workbook", b"%PDF": "a PDF"}
_SAVE_AS = ("Save it from your spreadsheet as \"CSV UTF-8 (comma delimited)\", with a name and "
            "an email address on each row, then upload that.")


def decode(data: bytes) -> str:
    """The file's text, whichever of the encodings spreadsheets save it is in."""
    for magic, what in _NOT_TEXT.items():
        if data.startswith(magic):
            raise FileProblem(f"This file is {what}, not a CSV file.", next_step=_SAVE_AS,
                              title="The file is not a CSV file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_csv() from None
    if b"\x00" in data:
        raise _not_csv()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV" on Windows; the five bytes it leaves unused are not text.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise _not_csv() from None


def _not_csv() -> FileProblem:
    return FileProblem("This file is not a CSV file: it holds characters that are not text.",
                       next_step=_SAVE_AS, title="The file is not a CSV file")


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _is_header(cells: list[str]) -> bool:
    return (not any("@" in cell for cell in cells)
            and any("mail" in cell.lower() for cell in cells))


def read(data: bytes | str) -> list[Row]:
    """The rows of a file (bytes) or pasted text (str), each with its line; blank rows are
    skipped. Raises ``FileProblem`` for anything that is not a list of people."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise FileProblem(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.",
                              next_step=f"Split it into files of up to {MAX_ROWS:,} people.",
                              title="The file is too large")
        text = decode(data)
    else:
        text = data.removeprefix("\ufeff")
    text = clean_text(text)
    if not text.strip():
        raise FileProblem("The file is empty.", next_step=_SAVE_AS, title="The file is empty")
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), _dialect(text)))
    except csv.Error:
        raise FileProblem("This file could not be read as a CSV file.", next_step=_SAVE_AS,
                          title="The file is not a CSV file") from None
    numbered = [(number, [cell.strip() for cell in cells])
                for number, cells in enumerate(lines, 1) if any(cell.strip() for cell in cells)]
    if not numbered:
        raise FileProblem("The file has no names or addresses in it.", next_step=_SAVE_AS,
                          title="The file is empty")
    name_at, email_at = 0, 1
    if _is_header(numbered[0][1]):
        header = [cell.lower() for cell in numbered.pop(0)[1]]
        email_at = next(i for i, cell in enumerate(header) if "mail" in cell)
        name_at = next((i for i, cell in enumerate(header) if "name" in cell and i != email_at),
                       1 if email_at == 0 else 0)
    elif numbered and len(numbered[0][1]) > 1 and "@" in numbered[0][1][0] \
            and "@" not in numbered[0][1][1]:
        name_at, email_at = 1, 0
    if len(numbered) > MAX_ROWS:
        raise FileProblem(f"The file has {len(numbered):,} people in it: the most one upload "
                          f"takes is {MAX_ROWS:,}.",
                          next_step=f"Split it into files of up to {MAX_ROWS:,} people.",
                          title="The file has too many rows")

    def cell(cells: list[str], at: int) -> str:
        return cells[at] if at < len(cells) else ""

    return [Row(number, " ".join(cell(cells, name_at).split())[:200],
                cell(cells, email_at)[:320])
            for number, cells in numbered]
