"""Load: the demo under gunicorn (4 sync workers, 127.0.0.1) driven by ``wrk``
for a bounded time across the json, render, cookie and send_file routes.

Every answer must be a 2xx (none of the routes redirects), wrk must see no
socket error, and gunicorn must log no error. p50 and p99 latency are printed
(``pytest -s`` shows them) and recorded as properties of the test report
(``--junitxml``).

wrk is Debian's package (``.ci/run`` installs it when it is missing). Without
it the test skips, except on CI (``CI`` set), where a missing wrk fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import typing as t
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.server

HOST = "127.0.0.1"
#: Seconds of load, connections and wrk threads.
DURATION = 20
CONNECTIONS = 32
THREADS = 2
WORKERS = 4
#: wrk's own per-request timeout, and the most the whole wrk run may take.
REQUEST_TIMEOUT = 5
RUN_LIMIT = DURATION + 60

#: The routes under load, with what a correct answer looks like.
ROUTES: dict[str, tuple[str, str]] = {
    # path: (Content-Type, a piece of the body)
    "/res/json": ("application/json", '"answer":42'),
    "/res/render?user=Ada": ("text/html; charset=utf-8", "Ada"),
    "/res/cookie?theme=x": ("text/plain; charset=utf-8", "Set-Cookie: theme=x"),
    "/res/send_file": ("text/csv; charset=utf-8", "quarter,revenue,growth"),
}

#: wrk script: each thread sends the routes in turn, counts the answers by
#: status class, and ``done`` prints one JSON line with the totals of every
#: thread, the socket errors and the p50/p99 latency in microseconds.
LUA = """
local paths = {%(paths)s}
local threads = {}
local counter = 0
statuses = {}

function setup(thread)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end

function response(status, headers, body)
  local class = math.floor(status / 100) .. "xx"
  statuses[class] = (statuses[class] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for class, n in pairs(thread:get("statuses")) do
      totals[class] = (totals[class] or 0) + n
    end
  end
  local parts = {}
  for class, n in pairs(totals) do
    table.insert(parts, string.format("%%q:%%d", class, n))
  end
  local e = summary.errors
  io.write(string.format(
    'FX-RESULT {"requests":%%d,"duration_us":%%d,"connect":%%d,"read":%%d,"write":%%d,' ..
    '"status":%%d,"timeout":%%d,"p50_us":%%d,"p99_us":%%d,"statuses":{%%s}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), table.concat(parts, ",")))
end
"""


def required_program(name: str) -> str:
    """The path of ``name``; skip when it is missing, but fail on CI, where
    ``.ci/run`` installs it."""
    found = shutil.which(name)
    if found is not None:
        return found
    message = f"{name} is not installed (apt-get install -y {name}; .ci/run does it on CI)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def test_demo_under_load_has_no_errors(
    tmp_path: Path,
    port: int,
    launch: t.Callable[..., t.Any],
    gunicorn: t.Callable[..., list[str]],
    request: pytest.FixtureRequest,
) -> None:
    wrk = required_program("wrk")
    base = f"http://{HOST}:{port}"
    server = launch(gunicorn(port, workers=WORKERS), f"{base}/res/json")

    # Every route answers correctly before the load starts.
    for path, (content_type, piece) in ROUTES.items():
        rv = requests.get(f"{base}{path}", timeout=REQUEST_TIMEOUT)
        assert rv.status_code == 200, path
        assert rv.headers["Content-Type"] == content_type, path
        assert piece in rv.text, path

    script = tmp_path / "rotate.lua"
    script.write_text(LUA % {"paths": ", ".join(json.dumps(path) for path in ROUTES)})
    args = [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency"]
    args += ["--timeout", f"{REQUEST_TIMEOUT}s", "-s", str(script), base]
    done = subprocess.run(args, capture_output=True, text=True, timeout=RUN_LIMIT, check=False)
    assert done.returncode == 0, f"wrk failed:\n{done.stdout}\n{done.stderr}"
    found = re.search(r"^FX-RESULT (\{.*\})$", done.stdout, re.M)
    assert found is not None, f"no result line from wrk:\n{done.stdout}\n{done.stderr}"
    result = json.loads(found[1])

    statuses: dict[str, int] = result["statuses"]
    served = result["requests"]
    p50_ms = result["p50_us"] / 1000
    p99_ms = result["p99_us"] / 1000
    errors = {kind: result[kind] for kind in ("connect", "read", "write", "timeout")}
    summary = (
        f"{served} requests in {result['duration_us'] / 1e6:.1f} s "
        f"({served / (result['duration_us'] / 1e6):.0f}/s) over {len(ROUTES)} routes, "
        f"{CONNECTIONS} connections, {WORKERS} gunicorn workers: "
        f"p50 {p50_ms:.2f} ms, p99 {p99_ms:.2f} ms; statuses {statuses}; socket errors {errors}"
    )
    print(f"\nload: {summary}")
    # What the record_property fixture does, without its warning under
    # --junitxml's default xunit2 family (filterwarnings = error would fail
    # the test); the properties reach the JUnit report all the same.
    request.node.user_properties.extend(
        [
            ("load_requests", served),
            ("load_p50_ms", round(p50_ms, 3)),
            ("load_p99_ms", round(p99_ms, 3)),
            ("load_statuses", json.dumps(statuses, sort_keys=True)),
            ("load_socket_errors", json.dumps(errors, sort_keys=True)),
        ]
    )

    assert served > 0, summary
    # Every answer was a 2xx: no 4xx, no 5xx (wrk's own count of status > 399 agrees).
    assert statuses == {"2xx": served}, summary
    assert result["status"] == 0, summary
    assert "Non-2xx or 3xx responses" not in done.stdout, done.stdout
    assert errors == dict.fromkeys(errors, 0), summary

    # The server still answers, and its log holds no error of any worker.
    assert requests.get(f"{base}/res/json", timeout=REQUEST_TIMEOUT).status_code == 200
    log = server.output()
    for sign in ("Traceback", "[ERROR]", "WORKER TIMEOUT", "[CRITICAL]"):
        assert sign not in log, log
