"""axe-core in the browser: a pinned copy fetched from the npm registry, and one assertion.

The script is not kept in the repository (half a megabyte of minified code): `npm pack` fetches the
pinned version once into pytest's cache folder (.pytest_cache, ignored by git), and its checksum is
checked against the registry's integrity value written below. AXE_CORE_JS may point at a copy
instead, for a machine without npm.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

AXE_VERSION = "4.14.1"
#: The npm registry's `dist.integrity` for axe-core@AXE_VERSION.
AXE_INTEGRITY = ("sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtu"
                 "FooJpZe37OgudVGtQ==")
#: WCAG 2.0, 2.1 and 2.2 at levels A and AA: what UK public-sector sites must meet.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: Where pytest's cache keeps it (the same folder as `config.cache.mkdir("axe-core")`).
DEFAULT_CACHE = Path(__file__).resolve().parents[2] / ".pytest_cache" / "d" / "axe-core"


class AxeUnavailable(RuntimeError):
    """axe-core could not be fetched (no npm and no AXE_CORE_JS)."""


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def axe_script(cache_dir: Path) -> str:
    """The text of axe.min.js at the pinned version, fetching it into ``cache_dir`` once."""
    override = os.environ.get("AXE_CORE_JS")
    if override:
        return Path(override).read_text(encoding="utf-8")
    target = cache_dir / f"axe-core-{AXE_VERSION}.min.js"
    if target.exists():
        return target.read_text(encoding="utf-8")
    npm = shutil.which("npm")
    if npm is None:
        raise AxeUnavailable("npm is not installed; install it or set AXE_CORE_JS to axe.min.js")
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run(
            [npm, "pack", f"axe-core@{AXE_VERSION}", "--silent", "--pack-destination", scratch],
            capture_output=True, text=True, timeout=180, check=False,
        )
        tarballs = list(Path(scratch).glob("axe-core-*.tgz"))
        if result.returncode != 0 or not tarballs:
            raise AxeUnavailable(f"npm pack axe-core@{AXE_VERSION} failed: {result.stderr[-500:]}")
        data = tarballs[0].read_bytes()
    if _integrity(data) != AXE_INTEGRITY:
        raise AxeUnavailable(f"axe-core@{AXE_VERSION} from npm does not match its pinned checksum")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        source = archive.extractfile("package/axe.min.js").read().decode("utf-8")
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_text(source, encoding="utf-8")
    partial.replace(target)  # atomic: a parallel run never reads half a file
    return source


def run_axe(page, script: str, tags: list[str] = WCAG_TAGS, *, live: bool = False
            ) -> list[dict[str, Any]]:
    """Run axe on the page as it is now; returns its violations.

    By default axe checks a copy of the document as the browser has it now (after any scripts
    and htmx swaps), in a scratch page where axe is loaded once: loading half a megabyte of
    script into every page the tests open cost more than the rest of the check. The copy has the
    same markup, classes and stylesheet, at the same width, which is all axe's WCAG rules read.
    It is also the only way to check a page with JavaScript switched off, where axe's promises
    never settle.

    ``live=True`` runs axe in the page itself instead (JavaScript on only): the script goes in
    through the DevTools protocol rather than a <script> tag, so the portal's Content Security
    Policy stays in force.
    """
    if live:
        return _run(page, script, tags)
    return _run_on_copy(page, script, tags)


def _run(page, script: str, tags: list[str]) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(f"() => {{ {script}\n }}")
        if not page.evaluate("() => typeof window.axe === 'object'"):
            raise AxeUnavailable("axe-core did not load in the page")
    return page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})).violations",
        tags,
    )


#: One scratch page per browser, where axe checks copies of pages.
_scratch: dict[int, Any] = {}
_SCRIPTS = re.compile(r"<script\b[^>]*>.*?</script>", re.IGNORECASE | re.DOTALL)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)


#: What the copies load (the stylesheet), by path: fetched from the portal once, then served
#: from memory. Every test has a portal of its own on another port; one that has stopped would
#: leave a request cut off half way.
_loaded: dict[str, tuple[int, dict[str, str], bytes]] = {}


def _from_memory(route) -> None:
    path = urlsplit(route.request.url).path
    if path not in _loaded:
        response = route.fetch()
        _loaded[path] = (response.status, {"content-type": response.headers.get(
            "content-type", "application/octet-stream")}, response.body())
    status, headers, body = _loaded[path]
    route.fulfill(status=status, headers=headers, body=body)


def _scratch_page(page):
    browser = page.context.browser
    scratch = _scratch.get(id(browser))
    if scratch is None or scratch.is_closed() or scratch.context.browser is not browser:
        scratch = browser.new_context().new_page()
        scratch.route("**/*", _from_memory)
        _scratch[id(browser)] = scratch
    return scratch


def _run_on_copy(page, script: str, tags: list[str]) -> list[dict[str, Any]]:
    """Check a copy of the page's document as it is now, without its <script> elements (what
    they did is in the copy; they must not run twice) and with a <base>, so its stylesheet
    loads. The copy replaces the scratch page's document in place, so axe, loaded once into the
    scratch page, stays loaded (a navigation per check would load it again each time)."""
    address = page.url.split("#", 1)[0]
    html = _SCRIPTS.sub("", page.content())
    html, found = _HEAD.subn(lambda head: f'{head.group(0)}<base href="{address}">', html,
                             count=1)
    assert found, f"{address} has no <head>"
    copy = _scratch_page(page)
    copy.set_viewport_size(page.viewport_size)
    copy.set_content(html, wait_until="load")
    return _run(copy, script, tags)


def describe(violations: list[dict[str, Any]]) -> str:
    """Violations as a readable list: rule, impact, the elements, and where to read more."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact') or 'no impact given'}): "
                     f"{violation['help']}")
        for node in violation["nodes"][:10]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ").strip()
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more")
        lines.append(f"    {violation['helpUrl']}")
    return "\n".join(lines)


def assert_no_axe_violations(page, script: str | None = None) -> None:
    """Fail with a readable list if axe finds any WCAG 2.2 A or AA violation on the page."""
    script = script or _default_script()
    violations = run_axe(page, script)
    assert not violations, (
        f"axe-core {AXE_VERSION} found {len(violations)} accessibility problem(s) on "
        f"{page.url} ({page.title()!r}):\n{describe(violations)}"
    )


_cached: dict[str, str] = {}


def _default_script() -> str:
    if "script" not in _cached:
        _cached["script"] = axe_script(DEFAULT_CACHE)
    return _cached["script"]
