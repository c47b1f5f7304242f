"""Mode B: a real server. gunicorn (127.0.0.1) under wrk.

Each style's apps run in their own gunicorn, started once for the whole mode.
For every endpoint, short runs of a fixed duration are made in interleaved
pairs (Flask then Flask-Express, Flask-Express then Flask, ...), each recording throughput,
p50 and p99 latency (wrk's ``--latency`` distribution) and the server's CPU
time per request: user + system time of the gunicorn master and its workers
from /proc, before and after the run, divided by the requests served.

Concurrency, chosen for a small machine: one sync worker and one wrk thread
with two connections. The worker gets a core to itself and wrk the other
(each pinned when the machine has two CPUs or more), so they never compete
for a core; two connections keep the worker busy, since a sync worker closes
every connection and the second one waits in the accept queue while the first
is served. More workers than cores would measure the scheduler, not the code.

Async endpoints run under a gthread worker with :data:`THREADS` threads
instead, where asyncio code runs in production without an ASGI server: plain
Flask starts a new event loop in a new thread for every ``async def`` view,
Flask-Express keeps one loop per worker thread. gthread keeps connections
alive, so wrk's two connections feed both threads.

wrk comes from the Debian package (``apt-get update && apt-get install -y
wrk``), installed here when it is missing and the process may; otherwise a
small Python load generator with the same connection pattern stands in (its
own CPU use then limits throughput, which the report says).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import threading
import time
import typing as t
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .apps import STYLES, Endpoint, check, endpoint, factory_spec
from .servers import HOST, Gunicorn, cpu_sets, http_get

__all__ = ["DEFAULT_ENDPOINTS", "ModeBConfig", "ModeBResult", "ensure_wrk", "run_mode_b"]

#: Endpoints Mode B runs unless told otherwise (json_small and text carry targets).
DEFAULT_ENDPOINTS = (
    "json_small",
    "text",
    "cookie",
    "send_file_small",
    "middleware_chain",
    "async",
)
#: Threads of the gthread worker that serves async endpoints: one per wrk
#: connection; the worker still has one core.
THREADS = 2


def worker_of(ep: Endpoint) -> tuple[str, int]:
    """gunicorn's worker class and threads for ``ep``."""
    return ("gthread", THREADS) if ep.is_async else ("sync", 1)


@dataclass
class ModeBConfig:
    endpoints: Sequence[str] = DEFAULT_ENDPOINTS
    #: Seconds per run (wrk takes whole seconds).
    duration: float = 2.0
    #: Pairs of runs per endpoint: many short runs, so a busy spell of the
    #: machine spoils few of them and the medians stay put.
    pairs: int = 12
    #: Seconds of untimed load per server and endpoint first.
    warmup: float = 1.0
    workers: int = 1
    connections: int = 2
    #: ``"wrk"``, ``"python"``, or ``"auto"`` (wrk, installed if missing and
    #: possible, else Python).
    client: str = "auto"
    #: Pin the server and the load generator to a core each.
    pin: bool = True
    log_dir: Path = Path("/tmp")
    log: Callable[[str], None] = print


@dataclass
class Run:
    style: str
    pair: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    server_cpu_us_per_request: float
    errors: int
    non_2xx_3xx: int


@dataclass
class Side:
    rps: float
    p50_ms: float
    p99_ms: float
    server_cpu_us_per_request: float


@dataclass
class EndpointResult:
    endpoint: str
    #: gunicorn's worker class and threads per worker.
    worker_class: str = "sync"
    threads: int = 1
    runs: list[Run] = field(default_factory=list)
    #: Medians over the runs, per style.
    sides: dict[str, Side] = field(default_factory=dict)
    #: median FX rps / median Flask rps, and its extremes over pairs.
    throughput_ratio: float = 0.0
    throughput_ratio_min: float = 0.0
    throughput_ratio_max: float = 0.0
    #: median FX server CPU per request / median Flask's.
    cpu_ratio: float = 0.0

    def finish(self) -> None:
        for style in STYLES:
            runs = [run for run in self.runs if run.style == style]
            self.sides[style] = Side(
                rps=statistics.median(run.rps for run in runs),
                p50_ms=statistics.median(run.p50_ms for run in runs),
                p99_ms=statistics.median(run.p99_ms for run in runs),
                server_cpu_us_per_request=statistics.median(
                    run.server_cpu_us_per_request for run in runs
                ),
            )
        flask, fx = self.sides["flask"], self.sides["fx"]
        self.throughput_ratio = fx.rps / flask.rps
        self.cpu_ratio = fx.server_cpu_us_per_request / flask.server_cpu_us_per_request
        per_pair: dict[int, dict[str, float]] = {}
        for run in self.runs:
            per_pair.setdefault(run.pair, {})[run.style] = run.rps
        ratios = [pair["fx"] / pair["flask"] for pair in per_pair.values()]
        self.throughput_ratio_min = min(ratios)
        self.throughput_ratio_max = max(ratios)


@dataclass
class ModeBResult:
    client: str
    client_version: str
    workers: int
    connections: int
    duration: float
    pairs: int
    pinned: bool
    seconds: float
    endpoints: list[EndpointResult]

    def as_dict(self) -> dict[str, t.Any]:
        return asdict(self)


# -- wrk -----------------------------------------------------------------------


def ensure_wrk(log: Callable[[str], None] = print) -> str | None:
    """The path of wrk, installing the Debian package if it is missing and
    this process may (root, apt-get present); ``None`` if there is none."""
    found = shutil.which("wrk")
    if found:
        return found
    if not shutil.which("apt-get") or os.geteuid() != 0:
        log("wrk is missing and cannot be installed here (needs root and apt-get)")
        return None
    log("wrk is missing: apt-get update && apt-get install -y wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for args in (["apt-get", "update"], ["apt-get", "install", "-y", "wrk"]):
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            log(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
            return None
    return shutil.which("wrk")


def wrk_version(wrk: str) -> str:
    done = subprocess.run([wrk, "--version"], capture_output=True, text=True, timeout=10)
    text = (done.stdout + done.stderr).strip().splitlines()
    # "wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer"
    return text[0].split(" Copyright")[0] if text else "wrk"


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        raise ValueError(f"not a wrk duration: {value!r}")
    return float(match[1]) * _UNITS[match[2]]


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    non_2xx_3xx: int


def parse_wrk(output: str) -> LoadResult:
    """Read wrk's ``--latency`` report."""
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    p50 = re.search(r"^\s*50(?:\.0+)?%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s*99(?:\.0+)?%\s+(\S+)", output, re.M)
    if total is None or p50 is None or p99 is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return LoadResult(
        requests=int(total[1]),
        seconds=_ms(total[2] + total[3]) / 1000,
        p50_ms=_ms(p50[1]),
        p99_ms=_ms(p99[1]),
        errors=sum(int(n) for n in errors.groups()) if errors else 0,
        non_2xx_3xx=int(non_ok[1]) if non_ok else 0,
    )


def run_wrk(
    wrk: str,
    url: str,
    duration: float,
    connections: int,
    headers: Sequence[tuple[str, str]],
    cpus: set[int] | None,
) -> LoadResult:
    # wrk takes whole seconds only.
    seconds = max(1, round(duration))
    args = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for name, value in headers:
        args += ["-H", f"{name}: {value}"]

    def preexec() -> None:
        if cpus is not None:
            os.sched_setaffinity(0, cpus)

    done = subprocess.run(
        [*args, url],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        preexec_fn=preexec,
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return parse_wrk(done.stdout)


# -- the Python load generator (when wrk is not there) -------------------------


def run_python_load(
    port: int,
    path: str,
    duration: float,
    connections: int,
    headers: Sequence[tuple[str, str]],
) -> LoadResult:
    """``connections`` threads, each sending HTTP/1.0 GETs on a new
    connection one after the other for ``duration`` seconds."""
    lines = [f"GET {path} HTTP/1.0", f"Host: {HOST}:{port}", *(f"{n}: {v}" for n, v in headers)]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    latencies: list[list[float]] = [[] for _ in range(connections)]
    failures = [0] * connections
    non_ok = [0] * connections
    stop_at = time.perf_counter() + duration

    def worker(index: int) -> None:
        clock = time.perf_counter
        mine = latencies[index]
        while clock() < stop_at:
            started = clock()
            try:
                with socket.create_connection((HOST, port), timeout=5) as sock:
                    sock.sendall(request)
                    first = sock.recv(65536)
                    while sock.recv(65536):
                        pass
            except OSError:
                failures[index] += 1
                continue
            mine.append(clock() - started)
            if first[9:10] not in (b"2", b"3"):
                non_ok[index] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 30)
    seconds = time.perf_counter() - started
    every = sorted(value for mine in latencies for value in mine)
    if not every:
        raise RuntimeError(f"no request to {path} succeeded")
    return LoadResult(
        requests=len(every),
        seconds=seconds,
        p50_ms=every[len(every) // 2] * 1000,
        p99_ms=every[min(len(every) - 1, int(len(every) * 0.99))] * 1000,
        errors=sum(failures),
        non_2xx_3xx=sum(non_ok),
    )


# -- the run -------------------------------------------------------------------


def _load(
    server: Gunicorn,
    ep: Endpoint,
    seconds: float,
    wrk: str | None,
    config: ModeBConfig,
    cpus: set[int] | None,
) -> LoadResult:
    """Load ``ep`` on ``server`` for ``seconds`` with wrk, or the Python generator."""
    if wrk:
        return run_wrk(
            wrk, server.url(ep.path), seconds, config.connections, ep.request_headers, cpus
        )
    return run_python_load(server.port, ep.path, seconds, config.connections, ep.request_headers)


def run_mode_b(config: ModeBConfig) -> ModeBResult:
    """Run Mode B and return its figures."""
    started = time.perf_counter()
    log = config.log
    eps = [endpoint(name) for name in config.endpoints]
    wrk = ensure_wrk(log) if config.client in ("auto", "wrk") else None
    if wrk is None and config.client == "wrk":
        raise RuntimeError("wrk is not available")
    client = "wrk" if wrk else "python"
    version = wrk_version(wrk) if wrk else "Python load generator (benchmarks.mode_b)"
    server_cpus, client_cpus = cpu_sets() if config.pin else (None, None)

    servers: dict[tuple[str, str, str], Gunicorn] = {}

    def server_of(style: str, ep: Endpoint) -> Gunicorn:
        return servers[style, ep.group, worker_of(ep)[0]]

    try:
        for style in STYLES:
            for group, (worker_class, threads) in sorted({(ep.group, worker_of(ep)) for ep in eps}):
                servers[style, group, worker_class] = Gunicorn(
                    factory_spec(style, group),
                    config.log_dir / f"gunicorn-b-{style}-{group}-{worker_class}.log",
                    workers=config.workers,
                    cpus=server_cpus,
                    worker_class=worker_class,
                    threads=threads,
                )
        for ep in eps:
            for style in STYLES:
                server_of(style, ep).wait_until_answering(ep.path)

        results = []
        for ep in eps:
            # Every response checked once over real HTTP before any load.
            for style in STYLES:
                server = server_of(style, ep)
                problems = check(ep, style, *http_get(server.port, ep.path, ep.request_headers))
                if problems:
                    raise RuntimeError("\n".join(problems))

            for style in STYLES:
                _load(server_of(style, ep), ep, config.warmup, wrk, config, client_cpus)

            worker_class, threads = worker_of(ep)
            result = EndpointResult(ep.name, worker_class, threads)
            for pair in range(config.pairs):
                # Flask first, then Flask-Express first: a drift hits both alike.
                for style in STYLES if pair % 2 == 0 else STYLES[::-1]:
                    server = server_of(style, ep)
                    cpu_before = server.cpu_seconds()
                    measured = _load(server, ep, config.duration, wrk, config, client_cpus)
                    cpu = server.cpu_seconds() - cpu_before
                    result.runs.append(
                        Run(
                            style=style,
                            pair=pair,
                            requests=measured.requests,
                            seconds=measured.seconds,
                            rps=measured.requests / measured.seconds,
                            p50_ms=measured.p50_ms,
                            p99_ms=measured.p99_ms,
                            server_cpu_us_per_request=cpu / measured.requests * 1e6,
                            errors=measured.errors,
                            non_2xx_3xx=measured.non_2xx_3xx,
                        )
                    )
                    if measured.errors or measured.non_2xx_3xx:
                        log(
                            f"  mode B: {ep.name} {style}: {measured.errors} socket errors, "
                            f"{measured.non_2xx_3xx} responses not 2xx or 3xx"
                        )
                    log(
                        f"  mode B: {ep.name} {style} pair {pair + 1}/{config.pairs}: "
                        f"{measured.requests / measured.seconds:.0f} req/s, "
                        f"p50 {measured.p50_ms:.2f} ms, p99 {measured.p99_ms:.2f} ms"
                    )
            result.finish()
            results.append(result)
    finally:
        for server in servers.values():
            server.stop()

    return ModeBResult(
        client=client,
        client_version=version,
        workers=config.workers,
        connections=config.connections,
        duration=config.duration,
        pairs=config.pairs,
        pinned=server_cpus is not None,
        seconds=time.perf_counter() - started,
        endpoints=results,
    )
