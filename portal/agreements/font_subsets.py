"""The embedded font's subsets, made once per process instead of once per PDF.

Writing a PDF, fpdf2 cuts each embedded font down to the glyphs the document uses: it parses the
font file, subsets it with fontTools and compiles the result. That took two thirds of each
agreement PDF's time, the same work for every agreement. Here the PDF's fonts are `FontFile`s
that stand in for fontTools' `TTFont`, and fpdf2's writer is handed a subsetter that, for them,
makes each subset once and keeps it. So that most documents share one subset, every subset also
holds printable ASCII, Latin-1 and common typography (about 20 kB more per PDF); a document with
rarer letters, such as "Ł", gets a subset of its own, also kept.

fpdf2 reaches fontTools through its output module's ``ftsubset``; only that one reference is
replaced, and fonts other than `FontFile`s are subset exactly as before. If a later fpdf2 no
longer has it, `install` does nothing and PDFs are made the slower way.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, BinaryIO

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import output

#: Characters every subset holds: printable ASCII, Latin-1 and common typography.
COMMON = ([chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0xA0, 0x100)]
          + list("‘’“”–—•…€"))
#: Subsets kept per process (each some tens of kilobytes).
KEEP = 32


class FontFile:
    """A font file as fpdf2's PDF writer uses it after subsetting: glyph ids and bytes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._glyph_ids: dict[str, int] = {}
        self._data = b""

    def getGlyphID(self, name: str) -> int:  # noqa: N802  (fontTools' name)
        return self._glyph_ids[name]

    def save(self, file: BinaryIO) -> None:
        file.write(self._data)

    def __contains__(self, tag: str) -> bool:
        return False  # asked only for CFF tables, which a TrueType font has none of

    def close(self) -> None:
        pass


class _Cache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: OrderedDict[tuple, tuple[dict[str, int], bytes]] = OrderedDict()

    def subset(self, font: FontFile, glyphs: set[str], options: Any) -> None:
        glyphs = glyphs | _common_glyphs(font.path)
        key = (font.path, frozenset(glyphs), tuple(sorted(options.drop_tables)))
        with self._lock:
            made = self._made.get(key)
            if made is not None:
                self._made.move_to_end(key)
        if made is None:
            made = _make(font.path, glyphs, options)
            with self._lock:
                self._made[key] = made
                while len(self._made) > KEEP:
                    self._made.popitem(last=False)
        font._glyph_ids, font._data = made


def _make(path: Path, glyphs: set[str], options: Any) -> tuple[dict[str, int], bytes]:
    with ttLib.TTFont(path, recalcTimestamp=False, lazy=True) as real:
        subsetter = ftsubset.Subsetter(options)
        subsetter.populate(glyphs=sorted(glyphs))
        subsetter.subset(real)
        out = io.BytesIO()
        real.save(out)
        return {name: real.getGlyphID(name) for name in real.getGlyphOrder()}, out.getvalue()


_common: dict[Path, frozenset[str]] = {}


def _common_glyphs(path: Path) -> frozenset[str]:
    if path not in _common:
        with ttLib.TTFont(path, lazy=True) as font:
            cmap = font.getBestCmap()
            _common[path] = frozenset(cmap[ord(ch)] for ch in COMMON if ord(ch) in cmap)
    return _common[path]


_CACHE = _Cache()


class _Subsetter:
    """fontTools' Subsetter as fpdf2 calls it: populate(glyphs=...), then subset(font)."""

    def __init__(self, options: Any = None) -> None:
        self._options = options
        self._glyphs: set[str] = set()
        self._others: dict[str, Any] = {}

    def populate(self, glyphs: Any = (), **others: Any) -> None:
        self._glyphs.update(glyphs)
        self._others.update(others)

    def subset(self, font: Any) -> None:
        if isinstance(font, FontFile) and not self._others:
            _CACHE.subset(font, self._glyphs, self._options)
            return
        real = ftsubset.Subsetter(self._options)
        real.populate(glyphs=sorted(self._glyphs), **self._others)
        real.subset(font)


class _SubsetModule:
    """What fpdf2's writer finds under ``ftsubset``."""

    Options = ftsubset.Options
    Subsetter = _Subsetter

    def __getattr__(self, name: str) -> Any:
        return getattr(ftsubset, name)


def install() -> bool:
    """Hand fpdf2's PDF writer the caching subsetter; False if fpdf2 has changed."""
    if getattr(output, "ftsubset", None) is ftsubset:
        output.ftsubset = _SubsetModule()  # type: ignore[assignment]
    return isinstance(getattr(output, "ftsubset", None), _SubsetModule)
