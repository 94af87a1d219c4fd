"""Drawing a signed document as a PDF with fpdf2: the pages, the signature panel and the audit
page. portal.agreements.pdf is the way in (``render``, ``render_signed``); this module is
imported only when a PDF is made, since fpdf2 with fontTools and Pillow is about 44 MB of a
worker's memory, and most requests make none.

Names such as "Zoë Ó Súilleabháin" or "Łukasz" must print as written, and the core PDF fonts
only cover Latin-1. So the PDF embeds DejaVu Sans (shipped in fonts/ under the Bitstream Vera
licence, cut down to Latin, Greek and Cyrillic so each PDF is quick to make). A character
outside the font (e.g. Chinese, or an emoji) prints without its accent or as "?", never as an
error; the hash is always of the stored text, not of the PDF.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import types
import unicodedata
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import SubsetMap, TTFFont

from portal.agreements import canonical, font_subsets
from portal.agreements.canonical import SignedDocument
from portal.mail import absolute_url
from portal.templating import format_datetime, utc_stamp

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVuSans"
INK = (11, 12, 12)
GREY = (80, 90, 95)
RULE = (177, 180, 182)
LINE = 5.2  # mm per line of body text
#: Each font subset is made once per process (font_subsets), unless fpdf2 has changed.
_SUBSETS_KEPT = font_subsets.install()


@functools.cache
def _cmap() -> frozenset[int]:
    with ttLib.TTFont(FONT_DIR / "DejaVuSans.ttf") as font:
        return frozenset(font.getBestCmap())


@functools.cache
def _parsed_font(path: Path, style: str) -> TTFFont:
    """The font as fpdf2 reads it, once per process: its widths and glyph map for every
    character took a third of each PDF's time when every document read them again."""
    owner = types.SimpleNamespace(fonts={}, render_color_fonts=False)
    return TTFFont(owner, path, f"{FONT.lower()}{style}", style)  # type: ignore[arg-type]


def _add_font(doc: FPDF, path: Path, style: str) -> None:
    """``doc.add_font``, from the parsed font: the measurements are shared (read only), and
    what a document changes is its own: the subset of glyphs it uses, and the font file
    object, which fpdf2 asks for that subset when it writes the PDF."""
    font = copy.copy(_parsed_font(path, style))
    font.i = len(doc.fonts) + 1
    font.ttfont = (font_subsets.FontFile(path) if _SUBSETS_KEPT
                   else ttLib.TTFont(path, recalcTimestamp=False, lazy=True))
    font.biggest_size_pt = 0
    font.missing_glyphs = []
    font._hbfont = None
    font.subset = SubsetMap(font)
    doc.fonts[font.fontkey] = font


def printable(text: str) -> str:
    """Text the embedded font can draw: unknown characters lose accents, or become '?'."""
    cmap = _cmap()
    out = []
    for ch in text:
        if ord(ch) in cmap or ch in "\n":
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch)
                       if not unicodedata.combining(c) and ord(c) in cmap)
        out.append(base or "?")
    return "".join(out)


class _Document(FPDF):
    def __init__(self, label: str, version: int) -> None:
        super().__init__(format="A4", unit="mm")
        #: The footer's "Agreement MA-...": what the document is and its reference.
        self.label = label
        self.version_number = version
        _add_font(self, FONT_DIR / "DejaVuSans.ttf", "")
        _add_font(self, FONT_DIR / "DejaVuSans-Bold.ttf", "B")
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=20)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 4, f"{self.label}, version {self.version_number}",
                  align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(*INK)

    # Layout helpers -------------------------------------------------------------------------
    # Text is broken into lines here, once, and each line drawn with cell(). fpdf2's own line
    # breaking (multi_cell, table) re-measures the whole line for every character it adds, and
    # its tables break each cell twice: that was over half of each PDF's time.
    def lines(self, text: str, width: float, style: str = "", size: float = 10) -> list[str]:
        """``text`` broken at spaces into lines that fit a cell ``width`` (mm) wide."""
        self.set_font(FONT, style, size)
        widths = self.current_font.cw
        scale = size * 0.001 / self.k
        room = width - 2 * self.c_margin
        space = widths[32] * scale

        def measure(chars: str) -> float:
            return sum(widths[ord(ch)] for ch in chars) * scale

        out: list[str] = []
        for paragraph in printable(text).split("\n"):
            line, used = "", 0.0
            for word in paragraph.split(" "):
                size_of_word = measure(word)
                if line and used + space + size_of_word <= room:
                    line, used = f"{line} {word}", used + space + size_of_word
                    continue
                if line:
                    out.append(line)
                while size_of_word > room and len(word) > 1:  # a word longer than a line
                    cut = len(word) - 1
                    while cut > 1 and measure(word[:cut]) > room:
                        cut -= 1
                    out.append(word[:cut])
                    word = word[cut:]
                    size_of_word = measure(word)
                line, used = word, size_of_word
            out.append(line)
        return out

    def draw_lines(self, x: float, width: float, lines: list[str], line_height: float) -> None:
        """Lines from ``lines``, from the current height down, at ``x``."""
        for line in lines:
            self.set_x(x)
            self.cell(width, line_height, line, new_x=XPos.LEFT, new_y=YPos.NEXT)

    def para(self, text: str, size: float = 10, style: str = "", colour=INK,
             after: float = 2.5) -> None:
        lines = self.lines(text, self.epw, style, size)
        self.set_text_color(*colour)
        self.draw_lines(self.l_margin, self.epw, lines, size * 0.52)
        self.set_text_color(*INK)
        self.set_x(self.l_margin)
        self.ln(after)

    def heading(self, text: str, size: float = 13) -> None:
        # Keep a heading with at least three lines of what follows it.
        if self.get_y() + 22 > self.page_break_trigger:
            self.add_page()
        self.ln(3)
        self.para(text, size=size, style="B", after=2)

    def marker_item(self, marker: str, text: str) -> None:
        lines = self.lines(text, self.epw - 10)
        # Never split one clause or goal across two pages.
        if self.get_y() + len(lines) * LINE > self.page_break_trigger:
            self.add_page()
        top = self.get_y()
        self.set_x(self.l_margin + 3)
        self.cell(7, LINE, marker)
        self.set_y(top)
        self.draw_lines(self.l_margin + 10, self.epw - 10, lines, LINE)
        self.set_x(self.l_margin)
        self.ln(1.2)

    def table_rows(self, widths: tuple[float, ...], rows: list[tuple[str, ...]], *,
                   size: float = 10, line_height: float = LINE, pad: float = 1.6,
                   heading: tuple[str, ...] | None = None) -> None:
        """Cells in columns of ``widths`` (mm), the first column (and ``heading``) in bold,
        hairlines between rows. A row never splits across pages; the heading repeats."""
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        right = self.l_margin + sum(widths)

        def measured(cells: tuple[str, ...], bold_all: bool) -> list[list[str]]:
            # Text from the cell's margin to 2 mm short of the next column.
            return [self.lines(text, width - 2 + self.c_margin,
                               "B" if bold_all or column == 0 else "", size)
                    for column, (width, text) in enumerate(zip(widths, cells, strict=True))]

        def draw(cells: list[list[str]], bold_all: bool, rule: bool) -> None:
            height = 2 * pad + max(len(lines) for lines in cells) * line_height
            if self.get_y() + height > self.page_break_trigger:
                self.add_page()
                if heading is not None and not bold_all:
                    draw(heading_lines, True, rule=False)
                rule = heading is not None and not bold_all
            top = self.get_y()
            if rule:
                self.line(self.l_margin, top, right, top)
            x = self.l_margin
            for column, (width, lines) in enumerate(zip(widths, cells, strict=True)):
                self.set_font(FONT, "B" if bold_all or column == 0 else "", size)
                self.set_y(top + pad)
                self.draw_lines(x, width - 2 + self.c_margin, lines, line_height)
                x += width
            self.set_xy(self.l_margin, top + height)

        heading_lines = measured(heading, True) if heading is not None else []
        if heading is not None:
            draw(heading_lines, True, rule=False)
        for number, cells in enumerate(rows):
            draw(measured(cells, False), False, rule=heading is not None or number > 0)
        self.set_font(FONT, "", 10)
        self.ln(2)

    def rows(self, rows: list[tuple[str, str]], label_width: float = 58) -> None:
        """Label and value pairs, the label in bold, hairlines between rows."""
        self.table_rows((label_width, self.epw - label_width), rows)

    def grid(self, headings: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        """A small table with a heading row: the two signatures side by side."""
        self.table_rows((40, 65, 65), rows, size=8.5, line_height=4.4, pad=1.4,
                        heading=headings)


def draw(document: SignedDocument) -> bytes:
    """The PDF of a signed document: its blocks as signed, then its audit page."""
    doc = _Document(f"{document.kind} {document.reference}", document.number)
    doc.set_title(printable(document.title))
    doc.set_author("Mentoring portal")
    doc.set_subject(document.subject)
    doc.set_creation_date(document.created_at or dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    doc.add_page()
    _document_pages(doc, document.blocks)
    _signature_panel(doc, document)
    doc.add_page()
    _audit_page(doc, document)
    return bytes(doc.output())


def _document_pages(doc: _Document, blocks: list[canonical.Block]) -> None:
    """The blocks: the same lines as the canonical text."""
    meta: list[tuple[str, str]] = []
    fields: list[tuple[str, str]] = []

    def flush_fields() -> None:
        if fields:
            doc.rows(list(fields))
            fields.clear()

    for block in blocks:
        if block.kind != "field":
            flush_fields()
        if block.kind == "title":
            doc.para(block.text, size=20, style="B", after=3)
        elif block.kind == "meta":
            meta.append((block.label, block.text))
            if block.label == "Version":
                doc.para("   ".join(f"{label}: {value}" for label, value in meta), size=9,
                         colour=GREY, after=4)
        elif block.kind == "para":
            doc.para(block.text)
        elif block.kind == "heading":
            doc.heading(block.text)
        elif block.kind == "field":
            fields.append((block.label, block.text))
        elif block.kind == "goal":
            doc.marker_item(block.label, block.text)
        elif block.kind == "question":
            doc.para(f"{block.label} {block.text}", style="B", after=1.5)
        elif block.kind == "answer":
            doc.para(block.text, colour=GREY if block.label == "unanswered" else INK)
        else:
            doc.marker_item("•", block.text)
    flush_fields()


def _signature_panel(doc: _Document, document: SignedDocument) -> None:
    rows = []
    for party in ("mentor", "mentee"):
        signature = document.signatures.get(party)
        name = document.names[party]
        if signature is None:
            rows.append((party.capitalize(), f"{name}: not signed"))
        else:
            rows.append((party.capitalize(),
                         f"{name}: signed electronically on {format_datetime(signature.signed_at)}"
                         " (UK time). Details on the audit page."))
    doc.rows(rows, label_width=30)


def _audit_page(doc: _Document, document: SignedDocument) -> None:
    what = document.kind.lower()
    doc.para("Audit page", size=18, style="B", after=2)
    doc.para(f"This page records how the {what} was signed. It is not part of the signed "
             "text.", colour=GREY, after=4)
    doc.rows(document.record, label_width=70)

    doc.heading("SHA-256 of the signed text", size=11)
    doc.para("The fingerprint of the exact text of this version. Any change to the text, even "
             "one character, gives a different fingerprint.", size=9, colour=GREY, after=1.5)
    doc.para(document.sha256, size=9.5, style="B", after=3)

    doc.heading("Signatures", size=11)
    signatures = [document.signatures.get("mentor"), document.signatures.get("mentee")]

    def each(describe) -> list[str]:
        return [describe(s) if s is not None else "Not signed" for s in signatures]

    rows = [
        ("Name on the account", *each(lambda s: s.user.full_name)),
        ("Name typed when signing", *each(lambda s: s.typed_name)),
        ("Signed at (UTC)", *each(lambda s: utc_stamp(s.signed_at))),
        ("Signed at (UK time)", *each(lambda s: format_datetime(s.signed_at))),
        # Blanked after IP_RETENTION_MONTHS (portal.retention), with the browser string.
        ("IP address", *each(lambda s: s.ip_address or "no longer kept")),
        ("Signed from", *each(lambda s: s.via)),
        ("Browser", *each(lambda s: s.user_agent or "not given")),
        ("SHA-256 signed", *each(lambda s: "The same as above" if s.text_sha256 ==
                                  document.sha256 else s.text_sha256)),
    ]
    doc.grid(("", "Mentor", "Mentee"), rows)

    doc.heading(f"How to check this {what}", size=11)
    doc.para(f"Go to {absolute_url('agreements.verify')} and enter the reference "
             f"{document.reference} and the SHA-256 above. The page says whether they match "
             f"{document.what_is_checked}.")
