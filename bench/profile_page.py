"""Where one page's time goes: the benchmark's data and requests, in process, under cProfile.

    .venv/bin/python bench/profile_page.py search --size 100000
    .venv/bin/python bench/profile_page.py "mentee dashboard" --size 1000 --top 40
    .venv/bin/python bench/profile_page.py search --size 100000 --path "/search?q=leadership"
    .venv/bin/python bench/profile_page.py search --size 100000 --split --rounds 4
    .venv/bin/python bench/profile_page.py search --size 100000 --save bench/out/search-html
    .venv/bin/python bench/profile_page.py search --size 100000 --compare bench/out/search-html

For a scenario of bench/scenarios.py (or one --path), it builds or reuses the size's database,
makes the app as the benchmark serves it (production settings), and sends each of the
scenario's paths through Flask's test client with the same cookie the load generator sends.
It prints the median time and statements per request, the slowest paths, and the functions
that took the time. Use it to find what to make faster; use `make bench` to measure it.
--save keeps each path's page (its CSRF token and clock blanked) in a folder; --compare checks
a change against them: one meant only to make a page cheaper must show the same bytes.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import os
import pstats
import re
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench import data, scenarios, server  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", help="a scenario's name, e.g. search or 'profile page'")
    parser.add_argument("--size", type=int, default=1000, help="published profiles (1000)")
    parser.add_argument("--path", help="profile this one path instead of the scenario's")
    parser.add_argument("--rounds", type=int, default=3, help="times to send each path (3)")
    parser.add_argument("--top", type=int, default=25, help="functions to list (25)")
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"))
    parser.add_argument("--match", help="list only functions whose file or name matches this "
                        "regular expression, e.g. 'views|html'")
    parser.add_argument("--sql", action="store_true",
                        help="also print the statements of the first path's last request")
    parser.add_argument("--split", action="store_true",
                        help="no profiler: CPU per request, split into rendering templates, "
                        "the database driver and the rest")
    parser.add_argument("--save", metavar="FOLDER", type=Path,
                        help="no profiler: keep each path's page in FOLDER (token, clock blanked)")
    parser.add_argument("--compare", metavar="FOLDER", type=Path,
                        help="no profiler: check each path's page against those --save kept")
    args = parser.parse_args(argv)

    by_name = {s.name: s for s in scenarios.SCENARIOS}
    if args.scenario not in by_name:
        parser.error(f"no scenario {args.scenario!r}; choose from {', '.join(by_name)}")
    scenario = by_name[args.scenario]

    dataset = data.ensure(args.size, os.environ.get("DATABASE_URL"))
    os.environ.update(server.environment(dataset.url, secrets.token_urlsafe(32)))
    from bench.wsgi import app  # noqa: PLC0415  (settings must be in the environment first)

    paths = [args.path] if args.path else scenario.paths(scenarios.Context(app, dataset.manifest))
    client = app.test_client()
    user_id = dataset.mentee_id if scenario.who == scenarios.MENTEE else None
    if scenario.who != scenarios.NOBODY:
        cookie = data.session_cookie(app, user_id, user_agent="bench-profile")
        client.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), cookie)
    headers = {"User-Agent": "bench-profile"}

    statements = 0
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        nonlocal statements
        statements += 1
        seen.append(statement)

    with app.app_context():
        from portal.extensions import db  # noqa: PLC0415
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)

    for path in paths:  # warm up: caches, compiled statements, the database's pages
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            print(f"{path} answered {response.status_code}", file=sys.stderr)
            return 1

    if args.save or args.compare:
        return _pages(args, paths, client, headers)
    if args.split:
        return _split(args, scenario, dataset, paths, client, headers, engine)

    timings: dict[str, list[float]] = {path: [] for path in paths}
    statements = 0
    profiler = cProfile.Profile()
    for _ in range(args.rounds):
        for path in paths:
            started = time.perf_counter()
            profiler.enable()
            client.get(path, headers=headers)
            profiler.disable()
            timings[path].append((time.perf_counter() - started) * 1000)
    requests = args.rounds * len(paths)
    if args.sql:
        seen.clear()
        client.get(paths[0], headers=headers)
        for number, statement in enumerate(seen, 1):
            print(f"-- {number}\n{statement}\n")

    medians = {path: statistics.median(t) for path, t in timings.items()}
    every = [t for ts in timings.values() for t in ts]
    print(f"{scenario.name} at {args.size:,} profiles ({dataset.backend}): {len(paths)} paths x "
          f"{args.rounds}; median {statistics.median(every):.1f} ms per request under the "
          f"profiler, {statements / requests:.1f} statements per request")
    slowest = sorted(medians.items(), key=lambda item: item[1], reverse=True)[:5]
    if len(paths) > 1:
        print("Slowest paths (median ms):")
        for path, ms in slowest:
            print(f"  {ms:8.1f}  {path}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    restrictions = [args.match] if args.match else []
    stats.strip_dirs().sort_stats(args.sort).print_stats(*restrictions, args.top)
    print(out.getvalue())
    return 0


def _split(args, scenario, dataset, paths, client, headers, engine) -> int:
    """CPU time per request (time.process_time), and how much of it was spent rendering
    templates (which includes what the ORM loads while they render) and inside the database
    driver's execute; the rest is Flask, the ORM and the portal's own Python."""
    import flask.templating  # noqa: PLC0415

    spent = {"templates": 0.0, "driver": 0.0}
    render = flask.templating._render

    def timed_render(*args_, **kwargs):
        started = time.process_time()
        try:
            return render(*args_, **kwargs)
        finally:
            spent["templates"] += time.process_time() - started

    def before(_conn, _cursor, _statement, _parameters, context, _many) -> None:
        context._split_started = time.process_time()

    def after(_conn, _cursor, _statement, _parameters, context, _many) -> None:
        spent["driver"] += time.process_time() - context._split_started

    flask.templating._render = timed_render
    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    each: list[float] = []
    for _ in range(args.rounds):
        for path in paths:
            started = time.process_time()
            client.get(path, headers=headers)
            each.append(time.process_time() - started)
    requests = len(each)
    total = sum(each) / requests * 1000
    templates, driver = (spent[k] / requests * 1000 for k in ("templates", "driver"))
    print(f"{scenario.name} at {args.size:,} profiles ({dataset.backend}), {requests} requests "
          f"in process: {total:.2f} ms of CPU per request (median "
          f"{statistics.median(each) * 1000:.2f}); templates {templates:.2f}, "
          f"database driver {driver:.2f}, the rest {total - templates - driver:.2f}")
    return 0


#: The parts of a page that differ between two requests for the same thing: the CSRF token and
#: the seconds left of the session.
_TOKEN = re.compile(rb'(name="csrf_token" value="|"X-CSRFToken": "|seconds-left=")[^"]*"')


def _pages(args, paths, client, headers) -> int:
    """Keep (--save) or check (--compare) each path's page, its CSRF token and clock blanked."""
    folder = args.save or args.compare
    folder.mkdir(parents=True, exist_ok=True)
    differ = []
    for path in paths:
        page = _TOKEN.sub(rb'\1"', client.get(path, headers=headers).get_data())
        kept = folder / (hashlib.sha256(path.encode()).hexdigest()[:16] + ".html")
        if args.save:
            kept.write_bytes(page)
        elif not kept.exists() or kept.read_bytes() != page:
            differ.append(path)
    if args.save:
        print(f"kept {len(paths)} pages in {folder}")
        return 0
    for path in differ:
        print(f"differs: {path}")
    print(f"{len(paths) - len(differ)} of {len(paths)} pages are the same as those kept")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
