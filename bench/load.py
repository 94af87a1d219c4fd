"""Drive load at the portal from separate processes and report throughput and latency.

Two generators, the same measurements:
- `wrk` (Debian's package), with bench/rotate.lua to rotate through the paths, send the
  session cookie and count non-2xx answers. Preferred: it is C, so it takes little of the CPU
  the server needs.
- A Python client that keeps its connections open, one process per connection, for machines
  without wrk.

Every answer that is not 2xx (a redirect included) counts as an error and is reported.
Run alone: python bench/load.py http://127.0.0.1:8000 / /schemes --duration 5
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
USER_AGENT = "portal-bench/1"
#: The session cookie's name under the production settings the benchmark serves (__Host-).
SESSION_COOKIE = "__Host-session"


@dataclass
class Result:
    """What one load run measured. Latencies in milliseconds."""

    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    socket_errors: int = 0
    tool: str = ""
    connections: int = 1

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "rps": round(self.rps, 1)}


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def has_wrk() -> bool:
    return shutil.which("wrk") is not None


def run(base_url: str, paths: list[str], *, cookie: str | None = None, connections: int = 8,
        duration: float = 10.0, threads: int = 1, tool: str = "auto") -> Result:
    """Load ``base_url`` for ``duration`` seconds from ``connections`` open connections,
    rotating through ``paths``."""
    if not paths:
        raise ValueError("no paths to request")
    if tool == "auto":
        tool = "wrk" if has_wrk() else "python"
    if tool == "wrk":
        return run_wrk(base_url, paths, cookie=cookie, connections=connections,
                       duration=duration, threads=min(threads, connections))
    return run_python(base_url, paths, cookie=cookie, connections=connections,
                      duration=duration)


def run_wrk(base_url: str, paths: list[str], *, cookie: str | None, connections: int,
            duration: float, threads: int = 1) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
        paths_file = handle.name
    try:
        # wrk keeps no latency figures from runs much shorter than 3 seconds.
        command = ["wrk", "-t", str(threads), "-c", str(connections),
                   "-d", f"{max(3, round(duration))}s", "--timeout", "10s",
                   "-s", str(HERE / "rotate.lua"), base_url, "--", paths_file, cookie or "",
                   USER_AGENT]
        done = subprocess.run(command, capture_output=True, text=True,
                              timeout=duration + 60)
    finally:
        Path(paths_file).unlink(missing_ok=True)
    return parse_wrk(done.stdout, connections, stderr=done.stderr)


def parse_wrk(output: str, connections: int, stderr: str = "") -> Result:
    """Read the line bench/rotate.lua writes when wrk finishes."""
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line[len("BENCH_JSON "):])
            return Result(
                requests=data["requests"], seconds=data["duration_us"] / 1e6,
                p50=data["p50_us"] / 1000, p95=data["p95_us"] / 1000,
                p99=data["p99_us"] / 1000, errors=data["errors"],
                statuses=data["statuses"], socket_errors=sum(data["socket_errors"].values()),
                tool="wrk", connections=connections)
    raise RuntimeError(f"wrk gave no result:\n{output}\n{stderr}")


# --- the Python generator ---------------------------------------------------------------------

def _client(base_url: str, paths: list[str], cookie: str | None, offset: int, start: float,
            stop: float, queue) -> None:
    """One connection, kept open, requesting paths in turn until ``stop``."""
    parts = urlsplit(base_url)
    headers = {"User-Agent": USER_AGENT, "Connection": "keep-alive"}
    if cookie:
        headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    latencies: list[float] = []
    statuses: Counter = Counter()
    socket_errors = 0
    i = offset
    while time.time() < start:
        time.sleep(0.001)
    while time.time() < stop:
        path = paths[i % len(paths)]
        i += 1
        began = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            socket_errors += 1
            conn.close()
            continue
        latencies.append((time.perf_counter() - began) * 1000)
        statuses[response.status] += 1
        if response.will_close:
            conn.close()
    conn.close()
    queue.put((latencies, dict(statuses), socket_errors))


def run_python(base_url: str, paths: list[str], *, cookie: str | None, connections: int,
               duration: float) -> Result:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start = time.time() + 0.5
    stop = start + duration
    workers = [context.Process(target=_client, args=(base_url, paths, cookie, n * 7919, start,
                                                      stop, queue))
               for n in range(connections)]
    for worker in workers:
        worker.start()
    latencies: list[float] = []
    statuses: Counter = Counter()
    socket_errors = 0
    for _ in workers:
        got, codes, failed = queue.get(timeout=duration + 60)
        latencies.extend(got)
        statuses.update(codes)
        socket_errors += failed
    for worker in workers:
        worker.join()
    latencies.sort()
    errors = {str(code): n for code, n in statuses.items() if not 200 <= code <= 299}
    return Result(requests=len(latencies), seconds=duration, p50=percentile(latencies, 50),
                  p95=percentile(latencies, 95), p99=percentile(latencies, 99),
                  errors=sum(errors.values()), statuses=errors, socket_errors=socket_errors,
                  tool="python", connections=connections)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--cookie")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    args = parser.parse_args(argv)
    result = run(args.base_url, args.paths, cookie=args.cookie, connections=args.connections,
                 duration=args.duration, threads=args.threads, tool=args.tool)
    print(json.dumps(result.as_dict(), indent=2))


if __name__ == "__main__":
    main()
