"""The benchmark suite's smoke run: every endpoint of both styles answers as it
must, a few hundred times each, through Mode A's WSGI harness.

Nothing here is timed and no ratio is asserted: the performance targets are
checked by the benchmark (``hatch run bench:run``), never by a test.
"""

from __future__ import annotations

import sys
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

#: Requests per endpoint and style: a few hundred, every one checked.
REQUESTS = 300


def test_every_response_of_every_endpoint_is_checked() -> None:
    result = run_mode_a(
        ModeAConfig(rounds=1, requests=REQUESTS, warmup=0, check_every=True, log=lambda line: None)
    )
    assert [e.endpoint for e in result.endpoints] == [ep.name for ep in ENDPOINTS]
    for e in result.endpoints:
        # Each side checked once before the run, then every request of the run.
        assert e.checked == 2 + 2 * REQUESTS, e.endpoint


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
