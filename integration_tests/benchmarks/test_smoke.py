"""The benchmark suite's smoke run: every endpoint of both styles answers as it
must, a few hundred times each, through Mode A's WSGI harness.

Nothing here is timed and no ratio is asserted: the performance targets are
checked by the benchmark (``hatch run bench:run``), never by a test.
"""

from __future__ import annotations

import sys
import typing as t
from pathlib import Path

import pytest

# integration_tests/ has no __init__.py and pytest imports test files by path
# (--import-mode=importlib): put integration_tests/ on sys.path so the suite
# imports as the package ``benchmarks``, as run.py does for the hatch scripts.
_IMPORT_ROOT = str(Path(__file__).resolve().parent.parent)
if _IMPORT_ROOT not in sys.path:
    sys.path.insert(0, _IMPORT_ROOT)

from benchmarks.apps import ENDPOINTS, Endpoint, check  # noqa: E402
from benchmarks.mode_a import BenchmarkError, ModeAConfig, call, make_environ, run_mode_a  # noqa: E402
from benchmarks.mode_b import parse_wrk  # noqa: E402
from benchmarks.report import docs_page, markdown, targets  # noqa: E402

#: Requests per endpoint and style: a few hundred, every one checked.
REQUESTS = 300


def test_every_response_of_every_endpoint_is_checked() -> None:
    result = run_mode_a(
        ModeAConfig(rounds=1, requests=REQUESTS, warmup=0, check_every=True, log=lambda line: None)
    )
    assert [e.endpoint for e in result.endpoints] == [ep.name for ep in ENDPOINTS]
    for e in result.endpoints:
        # Each side checked once before the run, then every request of the
        # run: against the other style, and in each async/sync pair it is in.
        pairs = sum(e.endpoint in (ep.name, ep.sync_twin) for ep in ENDPOINTS if ep.is_async)
        assert e.checked == 2 + 2 * REQUESTS * (1 + pairs), e.endpoint


def test_every_async_endpoint_is_timed_with_its_sync_twin() -> None:
    result = run_mode_a(
        ModeAConfig(
            rounds=1,
            requests=12,
            warmup=0,
            check_every=True,
            endpoints=["async_bare", "middleware_async"],
            log=lambda line: None,
        )
    )
    # The twins join the run although not asked for, every response checked.
    assert [e.endpoint for e in result.endpoints] == [
        "json_small",
        "middleware_chain",
        "async_bare",
        "middleware_async",
    ]
    # Each side once against the other style, once against its twin.
    assert all(e.checked == 2 + 4 * 12 for e in result.endpoints)
    twins = {x.endpoint: x for x in result.async_twins}
    assert set(twins) == {"async_bare", "middleware_async"}
    assert twins["middleware_async"].sync_endpoint == "middleware_chain"
    assert twins["async_bare"].target == 1.25
    for x in twins.values():
        assert x.a_ratio == x.a_async_us / x.a_sync_us > 0
        assert x.b_ratio == x.b_async_us / x.b_sync_us > 0


def _a_run(ratio: float) -> dict[str, t.Any]:
    """A Mode A result of every endpoint, every sync ratio ``ratio``."""
    endpoints = []
    for ep in ENDPOINTS:
        flask_us = 600.0 if ep.is_async else 100.0
        fx_us = 120.0 if ep.is_async else 100.0 * ratio
        endpoints.append(
            {
                "endpoint": ep.name,
                "a_median_us": flask_us,
                "b_median_us": fx_us,
                "ratio": fx_us / flask_us,
                "ratio_min": fx_us / flask_us - 0.01,
                "ratio_max": fx_us / flask_us + 0.01,
                "differences": [],
            }
        )
    twins = [
        {
            "endpoint": ep.name,
            "sync_endpoint": ep.sync_twin,
            "a_ratio": 6.0,
            "a_ratio_min": 5.0,
            "a_ratio_max": 7.0,
            "b_ratio": 120 / (100 * ratio),
            "b_ratio_min": 1.0,
            "b_ratio_max": 1.3,
            "target": ep.async_target,
            "a_sync_us": 100.0,
            "a_async_us": 600.0,
            "b_sync_us": 100.0 * ratio,
            "b_async_us": 120.0,
        }
        for ep in ENDPOINTS
        if ep.is_async
    ]
    return {
        "rounds": 7,
        "gc": "on",
        "harness_us": 0.4,
        "endpoints": endpoints,
        "async_twins": twins,
    }


def _full_results(ratio: float) -> dict[str, t.Any]:
    from benchmarks.report import machine

    side_b = {"rps": 1000.0, "p50_ms": 1.0, "p99_ms": 2.0, "server_cpu_us_per_request": 400.0}
    side_c = {
        "mib_per_s": 4000.0,
        "server_cpu_s_per_gib": 0.25,
        "rss_before": 38e6,
        "rss_after": 38e6,
        "rss_growth": 0,
    }
    b_endpoint = {
        "sides": {"flask": side_b, "fx": side_b},
        "throughput_ratio": 1.0,
        "throughput_ratio_min": 0.9,
        "throughput_ratio_max": 1.1,
        "cpu_ratio": 1.0,
    }
    return {
        "started": "2026-01-01 00:00 UTC",
        "seconds": 600.0,
        "machine": machine(),
        "options": {"block_seconds": 0.12, "slices": 12},
        "load_average_end": [0.1, 0.1, 0.1],
        "a": _a_run(ratio),
        "aa": _a_run(1.0),
        "b": {
            "client": "wrk",
            "client_version": "wrk 4",
            "workers": 1,
            "connections": 2,
            "duration": 2,
            "pairs": 12,
            "pinned": True,
            "endpoints": [
                {**b_endpoint, "endpoint": "json_small", "worker_class": "sync", "threads": 1},
                {**b_endpoint, "endpoint": "async", "worker_class": "gthread", "threads": 2},
            ],
        },
        "c": {
            "size": 1 << 30,
            "pairs": 9,
            "sides": {"flask": side_c, "fx": side_c},
            "throughput_ratio": 1.0,
            "throughput_ratio_min": 0.9,
            "throughput_ratio_max": 1.1,
        },
    }


def test_the_report_shows_the_async_ratios_and_the_sync_target() -> None:
    met = _full_results(1.01)
    lines = targets(met)
    assert lines[0].startswith("Mode A, every sync endpoint ≤ 1.02 of plain Flask")
    assert any("async_bare ≤ 1.25" in line for line in lines)
    assert any("middleware_async ≤ 1.25" in line for line in lines)
    assert not [line for line in lines if "**no**" in line]
    text = markdown(met)
    assert "## Mode A: async against sync" in text
    assert "| async | gthread, 2 threads |" in text
    page = docs_page(met, "benchmarks.png")
    for heading in (
        "## Targets",
        "## Mode A: in process, CPU time per request",
        "## Async views: faster than plain Flask",
        "## Where the remaining microseconds go",
        "## Mode B: gunicorn and wrk",
        "## Mode C: a 1 GiB file",
        "## How it was made fast",
        "## Reproduce",
    ):
        assert heading in page, heading
    assert "nothing left to explain" in page

    missed = _full_results(1.05)
    missed["a"]["endpoints"][0]["ratio"] = 1.05  # json_small
    assert [line for line in targets(missed) if "**no**" in line]
    page = docs_page(missed, "benchmarks.png")
    assert "### json_small: 1.050 of plain Flask" in page
    assert "Not profiled in this run" in page


def test_the_a_a_run_checks_plain_flask_on_both_sides() -> None:
    result = run_mode_a(
        ModeAConfig(
            pair="aa",
            rounds=1,
            requests=24,
            warmup=0,
            check_every=True,
            endpoints=["json_small", "middleware_chain"],
            log=lambda line: None,
        )
    )
    assert result.b == "flask (second instance)"
    assert all(e.differences == [] for e in result.endpoints)


@pytest.mark.parametrize("ep", ENDPOINTS, ids=lambda ep: ep.name)
def test_a_broken_response_is_refused(ep: Endpoint) -> None:
    from benchmarks.apps import factory

    status, headers, body = call(factory("fx", ep.group)(), make_environ(ep))
    assert check(ep, "fx", status, headers, body) == []
    assert check(ep, "fx", status, headers, body + b"x")
    assert check(ep, "fx", 500, headers, body)
    assert check(ep, "fx", status, [], body)


def test_a_wrong_endpoint_stops_the_run_before_timing(monkeypatch: pytest.MonkeyPatch) -> None:
    import benchmarks.mode_a as mode_a

    def always_wrong(ep: Endpoint, style: str, *response: object) -> list[str]:
        return [f"{ep.name} ({style}): wrong"]

    monkeypatch.setattr(mode_a, "check", always_wrong)
    with pytest.raises(BenchmarkError, match="json_small"):
        run_mode_a(ModeAConfig(rounds=1, requests=5, endpoints=["json_small"]))


WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:40000/json/small
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.34ms    2.05ms  37.19ms   97.10%
    Req/Sec     1.13k    91.33     1.25k    80.00%
  Latency Distribution
     50%  843.00us
     75%    1.36ms
     90%    1.51ms
     99%   37.19ms
  5634 requests in 5.00s, 1.02MB read
  Socket errors: connect 0, read 3, write 0, timeout 1
  Non-2xx or 3xx responses: 2
Requests/sec:   1126.80
Transfer/sec:    208.87KB
"""


def test_wrk_output_is_read() -> None:
    result = parse_wrk(WRK_OUTPUT)
    assert result.requests == 5634
    assert result.seconds == 5.0
    assert result.p50_ms == pytest.approx(0.843)
    assert result.p99_ms == pytest.approx(37.19)
    assert result.errors == 4
    assert result.non_2xx_3xx == 2
