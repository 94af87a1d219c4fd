"""The benchmark: one command that builds the data, serves the portal under gunicorn, loads each
page and prints the table.

    make bench                                   # 1,000, 10,000 and 100,000 profiles
    .venv/bin/python bench/run.py --quick        # a short smoke run at 1,000
    .venv/bin/python bench/run.py --sizes 1000,10000 --scenarios baseline,search
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/portal make bench

For each size: build (or reuse) the database, start gunicorn, then for each scenario check every
path once, warm up, load it from `connections` open connections for `duration` seconds, and
measure the latency one client sees. The baseline (a route that renders nothing) is the ceiling
each page is compared with. Results: stdout, bench/out/last-run.txt and bench/out/last-run.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import resource
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bench` and `portal` importable
    sys.path.insert(0, str(ROOT))

from bench import data, extras, load, scenarios, server  # noqa: E402
from bench.report import Row, Run, render  # noqa: E402

OUT = ROOT / "bench" / "out"
#: Fewer answers than this in a load run are too few for its percentiles to mean much.
FEW_REQUESTS = 20


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the portal's pages under gunicorn.")
    parser.add_argument("--sizes", help="published profiles per build, e.g. 1000,10000,100000")
    parser.add_argument("--quick", action="store_true",
                        help="a short smoke run: 1,000 profiles, a few seconds per scenario")
    parser.add_argument("--scenarios", help="only these scenarios (names, comma-separated); "
                        "the baseline always runs")
    parser.add_argument("--duration", type=float, default=10.0,
                        help="seconds of load per scenario (default 10)")
    parser.add_argument("--one-client-duration", type=float, default=5.0,
                        help="seconds of one-client latency per scenario (default 5)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up load")
    parser.add_argument("--connections", type=int, default=8, help="open connections (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--worker-class", default=server.DEFAULT_WORKER_CLASS,
                        choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=server.DEFAULT_THREADS,
                        help="threads per gthread worker")
    parser.add_argument("--tool", default="auto", choices=("auto", "wrk", "python"),
                        help="load generator (auto: wrk if installed)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data even if cached")
    parser.add_argument("--skip-extras", action="store_true",
                        help="leave out the outbox and PDF figures")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = args.sizes or "1000"
        args.duration = min(args.duration, 3.0)
        args.one_client_duration = min(args.one_client_duration, 3.0)
        args.warmup = min(args.warmup, 1.0)
    args.size_list = data.sizes(args.sizes or ",".join(map(str, data.SIZES)))
    args.only = {s.strip() for s in args.scenarios.split(",")} if args.scenarios else None
    return args


# --- the machine and what else it is doing ---------------------------------------------------

def machine(args: argparse.Namespace) -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except OSError:
        memory = "unknown"
    tool = args.tool if args.tool != "auto" else ("wrk" if load.has_wrk() else "python")
    return [
        f"Date: {time.strftime('%Y-%m-%d %H:%M %Z')}",
        f"Machine: {os.cpu_count()} cores ({cpu}), {memory} memory, "
        f"Python {platform.python_version()}, load average at start "
        f"{os.getloadavg()[0]:.2f}",
        f"Server: gunicorn, {args.workers} {args.worker_class} workers"
        + (f" x {args.threads} threads" if args.worker_class == "gthread" else "")
        + ", PORTAL_ENV=production, logging off",
        f"Load: {tool}, {args.connections} connections, {args.duration:g} s per scenario after "
        f"{args.warmup:g} s warm-up; one-client latency over {args.one_client_duration:g} s",
    ]


class CpuMeter:
    """CPU used by everything on the machine except this benchmark, in cores, while it runs:
    other people's tests on a shared machine show up here and explain a noisy row."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.tick = os.sysconf("SC_CLK_TCK")

    def _server(self) -> float:
        """CPU seconds the server's processes have used so far."""
        seconds = 0.0
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                seconds += (int(fields[11]) + int(fields[12])) / self.tick
            except (OSError, IndexError):
                pass
        return seconds

    def _ours(self) -> float:
        seconds = self._server()
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            usage = resource.getrusage(who)
            seconds += usage.ru_utime + usage.ru_stime
        return seconds

    def _busy(self) -> float:
        # user, nice, system and steal. Interrupt time is left out: it is mostly the network
        # stack carrying the benchmark's own requests, which no process is charged for.
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        user, nice, system, _idle, _iowait, _irq, _softirq, steal = fields[:8]
        return (user + nice + system + steal) / self.tick

    def __enter__(self) -> CpuMeter:
        self.started = time.monotonic()
        self.busy0, self.ours0, self.server0 = self._busy(), self._ours(), self._server()
        return self

    def __exit__(self, *exc) -> None:
        elapsed = time.monotonic() - self.started
        other = (self._busy() - self.busy0) - (self._ours() - self.ours0)
        self.other_cores = max(0.0, other / elapsed) if elapsed else 0.0
        self.server_seconds = self._server() - self.server0


# --- one scenario ----------------------------------------------------------------------------

def harness_app(secret_key: str):
    """The app in this process, for URLs and session cookies (it never serves a request)."""
    os.environ.setdefault("PORTAL_INSTANCE_PATH", str(OUT / "instance"))
    from bench.baseline import bp
    from portal import create_app

    app = create_app({"SECRET_KEY": secret_key, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "PORTAL_ENV": "testing"})
    app.register_blueprint(bp)
    return app


def cookie_for(app, who: str, dataset: data.Dataset) -> str | None:
    if who == scenarios.NOBODY:
        return None
    if who == scenarios.VISITOR:
        return data.session_cookie(app)
    return data.session_cookie(app, dataset.mentee_id)


def preflight(base_url: str, paths: list[str], cookie: str | None,
              budget: float = 20.0) -> tuple[str, list[float]]:
    """Open every path once (for at most ``budget`` seconds: a slow page's mix is sampled).
    A failure stops the scenario; a re-issued cookie is noted. Returns the note and each
    request's time in ms."""
    host, port = base_url.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"User-Agent": data.USER_AGENT}
    if cookie:
        headers["Cookie"] = f"{load.SESSION_COOKIE}={cookie}"
    reissued = checked = 0
    times: list[float] = []
    unique = list(dict.fromkeys(paths))
    deadline = time.monotonic() + budget
    try:
        for path in unique:
            if time.monotonic() > deadline:
                break
            checked += 1
            began = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            times.append((time.perf_counter() - began) * 1000)
            if not 200 <= response.status <= 299:
                where = response.getheader("Location")
                raise scenarios.Skip(f"{path} answered {response.status}"
                                     + (f" (to {where})" if where else "")
                                     + (" (see bench/out/gunicorn.log)"
                                        if response.status >= 500 else ""))
            if response.getheader("Set-Cookie"):
                reissued += 1
            if response.will_close:
                conn.close()
    finally:
        conn.close()
    notes = []
    if checked < len(unique):
        notes.append(f"checked {checked} of {len(unique)} URLs before the load (slow)")
    if reissued:
        notes.append(f"{reissued} of {checked} URLs re-issued the session cookie")
    return "; ".join(notes), times


def measure(scenario: scenarios.Scenario, size: int, srv: server.Server, app,
            dataset: data.Dataset, args: argparse.Namespace,
            baseline: tuple[float, float | None] | None) -> Row:
    row = Row(scenario.name, size, bar=scenario.bar)
    try:
        scenario.check(app)
        paths = scenario.paths(scenarios.Context(app, dataset.manifest))
        cookie = cookie_for(app, scenario.who, dataset)
        row.note, single = preflight(srv.base_url, paths, cookie)
    except scenarios.Skip as skip:
        row.note = str(skip)
        return row
    options = {"cookie": cookie, "tool": args.tool}
    load.run(srv.base_url, paths, connections=args.connections, duration=args.warmup, **options)
    with CpuMeter([srv.process.pid, *srv.worker_pids()]) as meter:
        row.load = load.run(srv.base_url, paths, connections=args.connections,
                            duration=args.duration, **options)
    row.other_cpu = meter.other_cores
    if row.load.requests:
        row.cpu_ms = meter.server_seconds * 1000 / row.load.requests
    row.one_client = load.run(srv.base_url, paths, connections=1,
                              duration=args.one_client_duration, **options)
    notes = [f"{len(set(paths))} different URLs" if len(set(paths)) > 1 else "", row.note]
    if row.load.requests < FEW_REQUESTS:
        # Too few answers for percentiles: say how long single requests took instead.
        notes.insert(0, f"only {row.load.requests} requests finished in {args.duration:g} s; "
                        f"one at a time before the load: median {statistics.median(single):,.0f}"
                        f" ms, slowest {max(single):,.0f} ms")
    row.note = "; ".join(filter(None, notes))
    if baseline and scenario.name != "baseline":
        row.ratio = row.load.rps / baseline[0]
        if row.cpu_ms and baseline[1]:
            row.cost_ratio = row.cpu_ms / baseline[1]
    return row


# --- the run -----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base_url = os.environ.get("DATABASE_URL") or None
    run = Run("PostgreSQL" if base_url else "SQLite")
    header = machine(args)
    print("\n".join(header), flush=True)
    srv_options = {"workers": args.workers, "worker_class": args.worker_class,
                   "threads": args.threads}
    secret_key = server.Server("").secret_key
    app = harness_app(secret_key)
    chosen = [s for s in scenarios.SCENARIOS
              if args.only is None or s.name in args.only or s.name == "baseline"]
    for size in args.size_list:
        dataset = data.ensure(size, base_url, force=args.rebuild)
        if dataset.built:
            run.notes.append(f"Built {size:,} profiles in {dataset.seconds:.0f} s "
                             f"({dataset.manifest['counts']}).")
        skipped = dataset.manifest.get("journey_skipped")
        if skipped:
            run.notes.append(f"At {size:,}, the mentee has no " + "; no ".join(skipped) + ".")
        print(f"\n== {size:,} profiles", flush=True)
        with server.Server(dataset.url, secret_key=secret_key, **srv_options) as srv:
            baseline = None
            for scenario in chosen:
                row = measure(scenario, size, srv, app, dataset, args, baseline)
                if scenario.name == "baseline" and row.load:
                    baseline = (row.load.rps, row.cpu_ms)
                run.rows.append(row)
                print(_progress(row), flush=True)
            run.memory_mb[size] = srv.peak_worker_rss_mb()
    if not args.skip_extras:
        for fn in extras.MEASURES:
            name = fn.__name__.replace("_", " ")
            try:
                run.figures.append(fn(**_extra_options(fn, base_url, args)))
            except scenarios.Skip as skip:
                run.notes.append(f"Skipped {name}: {skip}")
            except Exception as error:  # noqa: BLE001  (another area's code: report, go on)
                run.notes.append(f"Could not measure {name}: {type(error).__name__}: {error}")
    text = "\n".join(header) + "\n\n" + render(run)
    print("\n" + render(run))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "last-run.txt").write_text(text)
    (OUT / "last-run.json").write_text(json.dumps(
        {"header": header, "backend": run.backend,
         "rows": [{**asdict(r), "rps": r.load.rps if r.load else None} for r in run.rows],
         "memory_mb": run.memory_mb, "figures": [asdict(f) for f in run.figures],
         "notes": run.notes}, indent=2, default=str))
    failed = [r for r in run.rows if r.load and (r.load.errors or r.load.socket_errors)]
    return 1 if failed else 0


def _extra_options(fn, base_url: str | None, args: argparse.Namespace) -> dict:
    return {"database_url": base_url, "quick": args.quick} if fn is extras.outbox_rate else {}


def _progress(row: Row) -> str:
    if row.load is None:
        return f"  {row.scenario}: skipped ({row.note})"
    ratio = f", {row.ratio:.0%} of baseline" if row.ratio is not None else ""
    one = f", 1 client p95 {row.one_client.p95:.1f} ms" if row.one_client else ""
    one += f", {row.cpu_ms:.1f} ms server CPU per request" if row.cpu_ms else ""
    return (f"  {row.scenario}: {row.load.rps:,.0f} req/s, p50 {row.load.p50:.1f} ms, "
            f"p95 {row.load.p95:.1f} ms{one}{ratio}, "
            f"errors {row.load.errors + row.load.socket_errors}")


if __name__ == "__main__":
    sys.exit(main())
