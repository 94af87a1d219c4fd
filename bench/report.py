"""The benchmark's table: each scenario's throughput and latency, its ratio to the baseline in
the same run, how its cost grows from the smallest size to the largest, and the other figures."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.extras import Figure
from bench.load import Result

#: One-client p95 bar for search at the largest size, and the most its cost may grow.
SEARCH_P95_MS = 30.0
MAX_GROWTH = 2.0
MEMORY_MB = 150.0


@dataclass
class Row:
    scenario: str
    size: int
    load: Result | None = None
    one_client: Result | None = None
    ratio: float | None = None
    bar: float | None = None
    note: str = ""
    #: CPU the rest of the machine used while this row ran, in cores (other people's work).
    other_cpu: float = 0.0
    #: CPU time the server's processes spent per request under load, in ms: the page's cost,
    #: much less disturbed than requests per second by other work on the machine.
    cpu_ms: float | None = None
    #: cpu_ms as a multiple of the baseline's.
    cost_ratio: float | None = None

    @property
    def verdict(self) -> str:
        if self.ratio is None or self.bar is None:
            return ""
        return "ok" if self.ratio >= self.bar else "BELOW"

    @property
    def finished(self) -> bool:
        """Whether the load run got any answers at all."""
        return bool(self.load and self.load.requests)


@dataclass
class Run:
    backend: str
    rows: list[Row] = field(default_factory=list)
    memory_mb: dict[int, float] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def ms(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def growth(run: Run) -> list[tuple[str, float, float, float]]:
    """(scenario, req/s at the smallest size, at the largest, cost growth) for each scenario
    measured at two sizes or more. Cost is time per request, so growth = smallest / largest."""
    out = []
    for name in dict.fromkeys(row.scenario for row in run.rows):
        measured = sorted((row.size, row.load.rps) for row in run.rows
                          if row.scenario == name and row.load)
        if len(measured) >= 2:
            (_, small), (_, large) = measured[0], measured[-1]
            out.append((name, small, large, small / large if large else float("inf")))
    return out


def cpu_growth(run: Run, name: str) -> float | None:
    """Server CPU per request at the largest size over that at the smallest."""
    measured = sorted((row.size, row.cpu_ms) for row in run.rows
                      if row.scenario == name and row.cpu_ms)
    if len(measured) < 2:
        return None
    return measured[-1][1] / measured[0][1]


def _growth(name: str, factor: float) -> str:
    if factor == float("inf"):
        return "no answers at the largest size" + (" BELOW" if name == "search" else "")
    return f"x{factor:.2f}" + (" BELOW" if name == "search" and factor > MAX_GROWTH else "")


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured markdown table (readable as plain text too)."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def render(run: Run) -> str:
    parts = [f"Backend: {run.backend}", ""]
    body = []
    for row in run.rows:
        if row.load is None:
            body.append([row.scenario, f"{row.size:,}", "", "", "", "", "", "", "", "",
                         f"skipped: {row.note}"])
            continue
        errors = str(row.load.errors + row.load.socket_errors)
        if row.load.statuses:
            errors += " (" + ", ".join(f"{k}: {v}" for k, v in row.load.statuses.items()) + ")"
        ratio = "" if row.ratio is None else f"{row.ratio:.0%}"
        if row.verdict:
            ratio += f" {row.verdict}"
        one = row.one_client if row.one_client and row.one_client.requests else None
        timed = row.finished
        cost = ms(row.cpu_ms) + (f" (x{row.cost_ratio:.1f})" if row.cost_ratio else "")
        body.append([row.scenario, f"{row.size:,}", f"{row.load.rps:,.0f}",
                     ms(row.load.p50 if timed else None), ms(row.load.p95 if timed else None),
                     ms(row.load.p99 if timed else None), ms(one.p95 if one else None), ratio,
                     cost, errors,
                     f"{row.other_cpu:.2f} cores busy elsewhere" + (f"; {row.note}"
                                                                   if row.note else "")])
    parts.append(table(["scenario", "profiles", "req/s", "p50 ms", "p95 ms", "p99 ms",
                        "p95 ms, 1 client", "of baseline", "server CPU ms/req", "errors",
                        "notes"], body))
    grown = growth(run)
    if grown:
        parts += ["", "Growth of cost per request from the smallest size to the largest:", ""]
        rows = []
        for n, a, b, g in grown:
            by_cpu = cpu_growth(run, n)
            rows.append([n, f"{a:,.0f}", f"{b:,.0f}", _growth(n, g),
                         "" if by_cpu is None else _growth(n, by_cpu)])
        parts.append(table(["scenario", "req/s smallest", "req/s largest",
                            "growth by req/s", "growth by server CPU"], rows))
    if run.memory_mb:
        parts += ["", "Peak memory (VmHWM) of one app worker:", ""]
        parts.append(table(["profiles", "MB"],
                           [[f"{size:,}", f"{mb:.0f}" + (" BELOW" if mb > MEMORY_MB else "")]
                            for size, mb in run.memory_mb.items()]))
    if run.figures:
        parts += ["", "Other figures:", ""]
        parts.append(table(["figure", "value", "bar", "notes"],
                           [[f.name, f"{f.value:,.1f} {f.unit}",
                             f.bar + ("" if f.passed is None else
                                      " ok" if f.passed else " BELOW"), f.note]
                            for f in run.figures]))
    if run.notes:
        parts += ["", *(f"- {note}" for note in run.notes)]
    return "\n".join(parts) + "\n"
