"""Full-page screenshots of the portal's pages at desktop and phone widths, to look at as a person
would, and a report of pages that scroll sideways at 320 px (WCAG 1.4.10, reflow).

    .venv/bin/python scripts/screenshots.py                 # into screenshots/ (git-ignored)
    .venv/bin/python scripts/screenshots.py out/ --only home sign-in --no-js
    .venv/bin/python scripts/screenshots.py --base-url http://localhost:5000

By default it starts the portal as the browser tests do (a throwaway SQLite database with a few
people and schemes, emails to a local SMTP sink) and signs people in as each page needs. With
--base-url it visits a running portal instead, and only the public pages that need no prepared
data. The pages are the list in tests/browser/pages.py: add a page there and it is shot here too.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.live import (  # noqa: E402  (the repository root must be on the path first)
    CHROMIUM,
    LivePortal,
    MailSink,
    launch_chromium,
    portal_config,
)
from tests.browser.pages import PAGES, Cast, Page  # noqa: E402

WIDTHS = (1280, 375, 320)
NARROWEST = 320

_WIDE_ELEMENTS = """(limit) => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) {
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.classList.length ? "." + [...el.classList].join(".") : "");
      wide.push(`${name} (right edge at ${Math.round(box.right)} px)`);
      if (wide.length >= limit) break;
    }
  }
  return wide;
}"""


@contextlib.contextmanager
def local_portal() -> Iterator[tuple[LivePortal, Cast]]:
    """The portal on loopback with a fresh database and the people the pages need."""
    from portal.extensions import db
    from tests.conftest import make_app

    with tempfile.TemporaryDirectory(prefix="portal-screenshots-") as scratch:
        sink = MailSink().start()
        try:
            app = make_app(Path(scratch), **portal_config(Path(scratch) / "portal.db", sink.port))
            with app.app_context():
                db.create_all()
                live = LivePortal(app).start()
                try:
                    yield live, Cast(app)
                finally:
                    live.stop()
                    db.session.remove()
                    db.engine.dispose()
        finally:
            sink.stop()


def shoot(browser, spec: Page, out: Path, *, base_url: str, cast: Cast | None,
          portal: LivePortal | None, js: bool, widths: tuple[int, ...]) -> list[str]:
    """Screenshot one page at each width; returns what is wider than the screen at 320 px."""
    context = browser.new_context(base_url=base_url, java_script_enabled=js,
                                  viewport={"width": widths[0], "height": 900},
                                  locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(15_000)
    try:
        if spec.who and portal is not None:
            context.add_cookies([portal.session_cookie(cast.person(spec.who))])
        page = context.new_page()
        spec.open(page, cast)
        wide: list[str] = []
        for width in widths:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(out / f"{spec.name}-{width}.png"), full_page=True)
            if width == NARROWEST:
                scrolls = page.evaluate(
                    "() => document.documentElement.scrollWidth > "
                    "document.documentElement.clientWidth")
                if scrolls:
                    wide = page.evaluate(_WIDE_ELEMENTS, 5) or ["(the document itself)"]
        return wide
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", default="screenshots", type=Path,
                        help="folder for the PNG files (default: screenshots/)")
    parser.add_argument("--base-url", help="a running portal to visit instead of starting one")
    parser.add_argument("--only", nargs="+", metavar="PAGE", help="page names to shoot")
    parser.add_argument("--no-js", action="store_true", help="with JavaScript switched off")
    parser.add_argument("--widths", type=int, nargs="+", default=list(WIDTHS),
                        help="viewport widths in CSS pixels (default: 1280 375 320)")
    args = parser.parse_args(argv)

    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    os.environ.setdefault("PORTAL_ENV", "testing")
    args.out.mkdir(parents=True, exist_ok=True)
    known = {spec.name for spec in PAGES}
    unknown = set(args.only or ()) - known
    if unknown:
        parser.error(f"unknown page(s) {', '.join(sorted(unknown))}; known: {', '.join(known)}")
    specs = [spec for spec in PAGES if not args.only or spec.name in args.only]
    widths = tuple(sorted(set(args.widths), reverse=True))

    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        portal = cast = None
        if args.base_url:
            base_url = args.base_url.rstrip("/")
            skipped = [s.name for s in specs if not isinstance(s.visit, str) or s.who]
            specs = [s for s in specs if isinstance(s.visit, str) and not s.who]
            if skipped:
                print(f"Skipped (they need prepared data): {', '.join(skipped)}")
        else:
            portal, cast = stack.enter_context(local_portal())
            base_url = portal.url
            specs = [s for s in specs if s.available(portal.app)]
        playwright = stack.enter_context(sync_playwright())
        browser = launch_chromium(playwright)
        stack.callback(browser.close)

        too_wide = {}
        for spec in specs:
            wide = shoot(browser, spec, args.out, base_url=base_url, cast=cast, portal=portal,
                         js=not args.no_js, widths=widths)
            print(f"{spec.name}: {', '.join(f'{spec.name}-{w}.png' for w in widths)}")
            if wide:
                too_wide[spec.name] = wide

    print(f"\n{len(specs)} pages, {len(specs) * len(widths)} screenshots in {args.out}/")
    if NARROWEST in widths:
        if too_wide:
            print(f"\nPages that scroll sideways at {NARROWEST} px:")
            for name, elements in too_wide.items():
                print(f"  {name}: {'; '.join(elements)}")
            return 1
        print(f"No page scrolls sideways at {NARROWEST} px.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
