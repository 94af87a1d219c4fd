"""The benchmark harness's small pieces: percentiles, wrk's output, the Python load generator,
the table, the search query mix and the guards that skip pages not built yet."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from bench import extras, load, report, scenarios
from bench.baseline import PATH as BASELINE_PATH
from bench.baseline import bp as baseline_bp
from bench.load import Result
from bench.server import free_port


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert load.percentile(values, 50) == 50
    assert load.percentile(values, 95) == 95
    assert load.percentile(values, 99) == 99
    assert load.percentile([7.0], 99) == 7.0
    assert load.percentile([], 50) == 0.0


def test_wrk_result_is_read_from_the_scripts_line():
    output = ("Running 3s test\n"
              'BENCH_JSON {"requests": 3000, "duration_us": 3000000, "p50_us": 1500, '
              '"p95_us": 4000, "p99_us": 9000, "max_us": 12000, "errors": 2, '
              '"statuses": {"500": 2}, "socket_errors": {"connect": 0, "read": 1, '
              '"write": 0, "timeout": 0}}\n')
    result = load.parse_wrk(output, connections=8)
    assert result.rps == pytest.approx(1000)
    assert (result.p50, result.p95, result.p99) == (1.5, 4.0, 9.0)
    assert result.errors == 2 and result.statuses == {"500": 2} and result.socket_errors == 1


def test_wrk_without_a_result_is_an_error():
    with pytest.raises(RuntimeError, match="wrk gave no result"):
        load.parse_wrk("unable to connect", connections=1)


@pytest.fixture
def static_server(tmp_path):
    (tmp_path / "ok.txt").write_text("fine")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                                "127.0.0.1", "--directory", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    import socket

    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def test_python_generator_counts_requests_and_every_non_2xx_as_an_error(static_server):
    result = load.run(static_server, ["/ok.txt", "/missing"], connections=2, duration=0.6,
                      tool="python")
    assert result.tool == "python" and result.requests > 4
    assert 0 < result.errors < result.requests
    assert set(result.statuses) == {"404"}
    assert 0 < result.p50 <= result.p95 <= result.p99


def test_load_needs_paths():
    with pytest.raises(ValueError):
        load.run("http://127.0.0.1:1", [], tool="python")


def _row(name, size, rps, ratio=None, bar=None):
    return report.Row(name, size, Result(int(rps * 10), 10.0, 1.0, 2.0, 3.0),
                      Result(100, 5.0, 0.5, 1.0, 2.0), ratio=ratio, bar=bar)


def test_growth_is_cost_per_request_from_smallest_to_largest():
    run = report.Run("SQLite", [_row("search", 1000, 900), _row("search", 100_000, 300),
                                _row("home page", 1000, 500)])
    assert report.growth(run) == [("search", 900, 300, 3.0)]


def test_table_marks_what_falls_below_the_bar():
    run = report.Run("SQLite", [
        _row("baseline", 1000, 2000),
        _row("mentee dashboard", 1000, 400, ratio=0.2, bar=0.25),
        _row("search", 1000, 600, ratio=0.3, bar=0.2),
        _row("search", 100_000, 200, ratio=0.1, bar=0.2),
        report.Row("profile page", 1000, note="/mentors/1 does not exist yet"),
    ], memory_mb={1000: 90.0, 100_000: 160.0})
    text = report.render(run)
    assert "20% BELOW" in text and "30% ok" in text
    assert "x3.00 BELOW" in text
    assert "160 BELOW" in text
    assert "skipped: /mentors/1 does not exist yet" in text


def test_search_queries_are_a_varied_mix():
    areas = ["Leadership", "Finance", "Digital and data"]
    queries = scenarios.search_queries(areas)
    assert len(queries) == len(set(queries)) >= 100
    assert queries == scenarios.search_queries(areas)
    assert any(q.expertise for q in queries) and any(q.has_capacity for q in queries)
    assert any(not q.expertise and not q.has_capacity and not q.location for q in queries)
    assert {q.page for q in queries} == {1, 2, 3}
    assert any(len(q.text.split()) >= 2 for q in queries)
    assert any(not q.text for q in queries)  # browsing by filters alone
    assert any(q.text in scenarios.words.ABSENT_WORDS for q in queries)
    assert queries[0].params()["q"] == queries[0].text


def test_a_page_that_does_not_exist_yet_is_skipped(app):
    missing = scenarios.Scenario("nowhere", scenarios.MENTEE, lambda ctx: [],
                                 needs="mentors.nowhere")
    with pytest.raises(scenarios.Skip, match="mentors.nowhere does not exist yet"):
        missing.check(app)
    assert scenarios.endpoint_for(app, "main.home") == "main.home"
    assert scenarios.endpoint_for(app, "/schemes/any") == "schemes.show"
    assert scenarios.endpoint_for(app, "/no/such/page") is None


def test_baseline_route_exists_only_in_the_benchmarks_app(app):
    assert scenarios.endpoint_for(app, BASELINE_PATH) is None  # the portal's own factory
    app.register_blueprint(baseline_bp)
    response = app.test_client().get(BASELINE_PATH)
    assert response.status_code == 200 and response.data == b""
    assert response.headers["X-Frame-Options"] == "DENY"  # through the app's own hooks


def test_outbox_rate_is_read_from_whatever_the_outbox_benchmark_returns():
    assert extras._messages_per_second(812.5) == 812.5
    assert extras._messages_per_second({"messages": 10, "messages_per_second": 640.0}) == 640.0
    with pytest.raises(scenarios.Skip):
        extras._messages_per_second({"messages": 10})


def test_a_figure_whose_code_does_not_exist_yet_is_skipped():
    with pytest.raises(scenarios.Skip, match="does not exist yet"):
        extras._import("bench.no_such_measurement")


def test_a_page_that_never_answered_under_load_is_shown_as_such():
    none = Result(0, 10.0, 0.0, 0.0, 0.0)
    run = report.Run("SQLite", [_row("search", 1000, 50),
                                report.Row("search", 100_000, none, none, ratio=0.0, bar=0.2)])
    text = report.render(run)
    assert "no answers at the largest size BELOW" in text
    assert "| 0.0 " not in text  # no made-up latencies


def test_server_cpu_per_request_gives_a_steadier_cost_and_growth():
    run = report.Run("SQLite", [
        report.Row("search", 1000, Result(500, 10.0, 1, 2, 3), cpu_ms=4.0, cost_ratio=4.0),
        report.Row("search", 100_000, Result(100, 10.0, 1, 2, 3), cpu_ms=12.0, cost_ratio=12.0),
    ])
    assert report.cpu_growth(run, "search") == 3.0
    text = report.render(run)
    assert "4.0 (x4.0)" in text and "12.0 (x12.0)" in text
    assert "x5.00 BELOW" in text and "x3.00 BELOW" in text
