"""Mode A: both apps in one process, called through WSGI directly.

For every endpoint, one WSGI environ is built once (Werkzeug's
``EnvironBuilder``) and copied for each request, with a fresh input stream.
The app iterator is consumed and closed, as a server does (file responses
hold an open file until then).

Each round runs, for every endpoint, N requests on side A and the same N on
side B, and measures the process's CPU time of each side
(:func:`time.process_time`, so the threads ``async def`` views run in count
too). Within a round the sides alternate in slices (A B, B A, A B, ...,
``slices`` of them, about 10 ms each) so a change of the machine hits both
sides alike: on a shared or virtual machine the CPU time of the same request
can double from one tenth of a second to the next, when a sibling core gets
busy. The result per endpoint is the median microseconds per request of each
side over the rounds, their ratio, and the min and max of the per-round
ratios.

Before anything is timed, every endpoint's response from every app is checked
(status, headers, body bytes), so a fast broken endpoint cannot win, and the
two styles' responses are compared header by header.

Garbage collection stays enabled while timing: allocating more objects is a
real cost of a layer, and the collections it triggers belong to its bill.
To keep those collections comparable, the setup's objects are frozen
(:func:`gc.freeze`) before timing and a full collection runs before every
block. ``gc="off"`` disables the collector during blocks instead.

An A/A run (plain Flask against a second instance of itself) goes through
the same code and shows the noise floor.

An async endpoint is timed with its sync twin (the same view without
``async def``; added to the run when not asked for), and each side's
async/sync ratio is reported too: what ``async def`` costs in plain Flask,
and in Flask-Express. That ratio comes from blocks of its own, in every
round: each side's async endpoint alternating with its sync twin on the same
app, slice by slice. Alternating an async endpoint with the other style's
instead would bill one style for the other: plain Flask's way starts and
ends a thread and an event loop per call, and the requests of whichever app
runs next are slower for a while afterwards (about 40 µs each over the
first hundred, measured on a 2-core VM), whatever that app is.
"""

from __future__ import annotations

import gc
import io
import statistics
import time
import typing as t
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field

from werkzeug.test import EnvironBuilder

from .apps import ENDPOINTS, Endpoint, check, endpoint, factory

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "AsyncResult",
    "BenchmarkError",
    "ModeAConfig",
    "ModeAResult",
    "call",
    "make_environ",
    "run_mode_a",
    "run_order",
    "with_twins",
]


#: Fewest requests in a slice of a timed block (unless the requests are
#: given): fewer, and the cold start after each switch outweighs the rest.
MIN_SLICE = 20


class BenchmarkError(RuntimeError):
    """A response was not what its endpoint must answer."""


@dataclass
class ModeAConfig:
    """How Mode A runs."""

    #: ``"ab"``: plain Flask (A) against Flask-Express (B); ``"aa"``: plain
    #: Flask against a second instance of itself.
    pair: str = "ab"
    #: Rounds, each with one block per side and endpoint (at least 7 for a report).
    rounds: int = 15
    #: CPU seconds one block (one side, one endpoint, one round) should
    #: take; sets the requests per block.
    block_seconds: float = 0.12
    #: Each round alternates the sides this many times (A B, B A, ...), each
    #: slice running 1/slices of the block, so both sides see the same
    #: machine: on a shared machine the CPU time of a request can double
    #: from one tenth of a second to the next.
    slices: int = 12
    #: Requests per block; overrides :attr:`block_seconds` when given.
    requests: int | None = None
    #: Fewest requests per block whatever the calibration says.
    min_requests: int = 50
    #: Untimed requests per side and endpoint before calibrating.
    warmup: int = 200
    #: ``"on"``: collector enabled, full collection before each block;
    #: ``"off"``: collector disabled during blocks.
    gc: str = "on"
    #: Endpoint names; empty for all.
    endpoints: Sequence[str] = ()
    #: Check every timed response too (the smoke run), not only the first.
    check_every: bool = False
    #: Progress lines go here.
    log: Callable[[str], None] = print


@dataclass
class EndpointResult:
    """One endpoint's figures in one Mode A (or A/A) run."""

    endpoint: str
    requests_per_block: int
    #: Microseconds of CPU per request, one value a round, per side.
    a_us: list[float]
    b_us: list[float]
    a_median_us: float = 0.0
    b_median_us: float = 0.0
    #: median(B) / median(A).
    ratio: float = 0.0
    #: Per-round B/A ratios, their extremes and their median.
    round_ratios: list[float] = field(default_factory=list)
    ratio_min: float = 0.0
    ratio_max: float = 0.0
    round_ratio_median: float = 0.0
    #: Where the two sides' responses differ (status, headers, body).
    differences: list[str] = field(default_factory=list)
    #: Responses checked (every one in the smoke run).
    checked: int = 0

    def finish(self) -> None:
        self.a_median_us = statistics.median(self.a_us)
        self.b_median_us = statistics.median(self.b_us)
        self.ratio = self.b_median_us / self.a_median_us
        self.round_ratios = [b / a for a, b in zip(self.a_us, self.b_us, strict=True)]
        self.ratio_min = min(self.round_ratios)
        self.ratio_max = max(self.round_ratios)
        self.round_ratio_median = statistics.median(self.round_ratios)


@dataclass
class AsyncResult:
    """What ``async def`` costs on each side: an async endpoint against its
    sync twin, in the same run."""

    endpoint: str
    sync_endpoint: str
    #: median(async µs/req) / median(sync µs/req) of side A (plain Flask),
    #: with the extremes of the per-round ratios.
    a_ratio: float
    a_ratio_min: float
    a_ratio_max: float
    #: The same for side B (Flask-Express, or Flask's second instance in A/A).
    b_ratio: float
    b_ratio_min: float
    b_ratio_max: float
    #: The most ``b_ratio`` may be (``None``: no target).
    target: float | None
    #: Median µs per request of each side's sync twin and async endpoint in
    #: the blocks that alternate them.
    a_sync_us: float = 0.0
    a_async_us: float = 0.0
    b_sync_us: float = 0.0
    b_async_us: float = 0.0

    @classmethod
    def of(cls, ep: Endpoint, pairs: _TwinRounds) -> AsyncResult:
        a_rounds = [x / y for x, y in zip(pairs.a_async, pairs.a_sync, strict=True)]
        b_rounds = [x / y for x, y in zip(pairs.b_async, pairs.b_sync, strict=True)]
        a_sync, a_async = statistics.median(pairs.a_sync), statistics.median(pairs.a_async)
        b_sync, b_async = statistics.median(pairs.b_sync), statistics.median(pairs.b_async)
        assert ep.sync_twin is not None
        return cls(
            endpoint=ep.name,
            sync_endpoint=ep.sync_twin,
            a_ratio=a_async / a_sync,
            a_ratio_min=min(a_rounds),
            a_ratio_max=max(a_rounds),
            b_ratio=b_async / b_sync,
            b_ratio_min=min(b_rounds),
            b_ratio_max=max(b_rounds),
            target=ep.async_target,
            a_sync_us=a_sync,
            a_async_us=a_async,
            b_sync_us=b_sync,
            b_async_us=b_async,
        )


@dataclass
class _TwinRounds:
    """µs per request, one value a round, of each side's sync twin and
    async endpoint timed against each other."""

    a_sync: list[float] = field(default_factory=list)
    a_async: list[float] = field(default_factory=list)
    b_sync: list[float] = field(default_factory=list)
    b_async: list[float] = field(default_factory=list)


@dataclass
class ModeAResult:
    """A whole Mode A run."""

    pair: str
    a: str
    b: str
    rounds: int
    gc: str
    #: CPU microseconds per request of the harness alone (a WSGI app that
    #: answers at once), included in every figure.
    harness_us: float
    seconds: float
    endpoints: list[EndpointResult]
    #: One per async endpoint run, against its sync twin.
    async_twins: list[AsyncResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, t.Any]:
        return asdict(self)


# -- WSGI calls ----------------------------------------------------------------


def make_environ(ep: Endpoint) -> WSGIEnvironment:
    """The WSGI environ of a GET of ``ep``, built once and copied per request."""
    builder = EnvironBuilder(
        path=ep.path,
        method="GET",
        base_url="http://localhost/",
        headers=list(ep.request_headers),
    )
    try:
        return builder.get_environ()
    finally:
        builder.close()


def _start_response(
    status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
) -> Callable[[bytes], object]:
    return _write


def _write(data: bytes) -> None:
    raise AssertionError("the apps never use the write() callable")


def call(app: WSGIApplication, base: WSGIEnvironment) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request: ``(status code, headers, body)``, the iterator consumed and closed."""
    seen: dict[str, t.Any] = {}

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> Callable[[bytes], object]:
        seen["status"] = status
        seen["headers"] = headers
        return _write

    environ = base.copy()
    environ["wsgi.input"] = io.BytesIO(b"")
    iterable = app(environ, t.cast("StartResponse", start_response))
    try:
        body = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return int(seen["status"].split(None, 1)[0]), list(seen["headers"]), body


def _block(app: WSGIApplication, base: WSGIEnvironment, n: int) -> float:
    """CPU seconds of ``n`` requests; the loop does no more than a server must."""
    copy = base.copy
    new_input = io.BytesIO
    start_response = t.cast("StartResponse", _start_response)
    clock = time.process_time
    started = clock()
    for _ in range(n):
        environ = copy()
        environ["wsgi.input"] = new_input(b"")
        iterable = app(environ, start_response)
        for _chunk in iterable:
            pass
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return clock() - started


def _checked_block(
    app: WSGIApplication, base: WSGIEnvironment, n: int, ep: Endpoint, style: str
) -> float:
    """As :func:`_block`, checking every response (for the smoke run)."""
    clock = time.process_time
    started = clock()
    for _ in range(n):
        problems = check(ep, style, *call(app, base))
        if problems:
            raise BenchmarkError("\n".join(problems))
    return clock() - started


def _harness_us(n: int = 20_000) -> float:
    """CPU microseconds a request costs the harness alone."""
    body = [b"ok"]

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Length", "2")])
        return body

    base = make_environ(ENDPOINTS[0])
    _block(app, base, 1000)
    return _block(app, base, n) / n * 1e6


# -- comparing two responses ---------------------------------------------------

# Headers whose value depends on when the response was made.
_VOLATILE = {"set-cookie": r"Expires=[^;]+", "date": ".*"}


def _differences(
    a: tuple[int, list[tuple[str, str]], bytes], b: tuple[int, list[tuple[str, str]], bytes]
) -> list[str]:
    """How response ``b`` differs from ``a`` (status, header values, body)."""
    import re

    def normalized(headers: list[tuple[str, str]]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, value in headers:
            key = name.lower()
            if key in _VOLATILE:
                value = re.sub(_VOLATILE[key], "<time>", value)
            out.setdefault(key, []).append(value)
        return out

    diffs = []
    if a[0] != b[0]:
        diffs.append(f"status {a[0]} vs {b[0]}")
    ha, hb = normalized(a[1]), normalized(b[1])
    for key in sorted(ha.keys() | hb.keys()):
        if sorted(ha.get(key, [])) != sorted(hb.get(key, [])):
            diffs.append(f"{key}: {ha.get(key)} vs {hb.get(key)}")
    if a[2] != b[2]:
        diffs.append(f"body: {len(a[2])} bytes vs {len(b[2])} bytes, not the same bytes")
    return diffs


# -- the run -------------------------------------------------------------------


@dataclass
class _Target:
    ep: Endpoint
    environ: WSGIEnvironment
    a: WSGIApplication
    b: WSGIApplication
    #: Requests per block against the other style.
    n: int = 0
    #: For an async endpoint, requests per block against its sync twin, on
    #: side A and on side B (each sized from that side's async speed).
    n_a: int = 0
    n_b: int = 0


def with_twins(eps: Sequence[Endpoint]) -> list[Endpoint]:
    """``eps`` with the sync twin of each async endpoint, in report order."""
    wanted = {ep.name for ep in eps}
    wanted |= {ep.sync_twin for ep in eps if ep.sync_twin is not None}
    return [ep for ep in ENDPOINTS if ep.name in wanted]


def run_order(eps: Sequence[Endpoint]) -> list[Endpoint]:
    """``eps`` with each async endpoint moved just after its sync twin: the
    async/sync ratio compares blocks run one after the other, which a drift
    of the machine hits least."""
    order: list[Endpoint] = []
    for ep in eps:
        if ep.sync_twin is None:
            order.append(ep)
            order += [other for other in eps if other.sync_twin == ep.name]
    order += [ep for ep in eps if ep not in order]
    return order


def _sides(pair: str) -> tuple[str, str]:
    if pair == "ab":
        return "flask", "fx"
    if pair == "aa":
        return "flask", "flask"
    raise ValueError(f"pair must be 'ab' or 'aa', got {pair!r}")


def run_mode_a(config: ModeAConfig) -> ModeAResult:
    """Run Mode A (or A/A) and return its figures.

    :raises BenchmarkError: when any response is not what its endpoint
        must answer; nothing is timed then.
    """
    if config.gc not in ("on", "off"):
        raise ValueError(f"gc must be 'on' or 'off', got {config.gc!r}")
    started = time.perf_counter()
    a_style, b_style = _sides(config.pair)
    eps = with_twins([endpoint(name) for name in config.endpoints] or list(ENDPOINTS))
    log = config.log

    # Fresh apps for this run; A/A's two sides are two instances of one factory.
    apps: dict[tuple[str, str], WSGIApplication] = {}
    for side, style in (("a", a_style), ("b", b_style)):
        for group in {ep.group for ep in eps}:
            apps[side, group] = factory(style, group)()

    targets = [
        _Target(ep, make_environ(ep), apps["a", ep.group], apps["b", ep.group])
        for ep in run_order(eps)
    ]
    results: dict[str, EndpointResult] = {}

    # Every response checked before anything is timed.
    problems: list[str] = []
    for target in targets:
        ra = call(target.a, target.environ)
        rb = call(target.b, target.environ)
        problems += check(target.ep, a_style, *ra)
        problems += check(target.ep, b_style, *rb)
        results[target.ep.name] = EndpointResult(
            target.ep.name, 0, [], [], differences=_differences(ra, rb), checked=2
        )
    if problems:
        raise BenchmarkError(
            "responses are not what the endpoints must answer:\n" + "\n".join(problems)
        )

    # Warm up both sides, then size the blocks from side A's speed; an async
    # endpoint's blocks against its twin, from each side's own async speed.
    for target in targets:
        _block(target.a, target.environ, config.warmup)
        _block(target.b, target.environ, config.warmup)
        if config.requests is not None:
            target.n = target.n_a = target.n_b = config.requests
        else:
            probe = max(config.min_requests, config.warmup)
            sizes = []
            for app in (target.a, target.b) if target.ep.sync_twin else (target.a,):
                per_request = _block(app, target.environ, probe) / probe
                sizes.append(max(config.min_requests, round(config.block_seconds / per_request)))
            target.n = sizes[0]
            target.n_a, target.n_b = sizes[0], sizes[-1]
        results[target.ep.name].requests_per_block = target.n

    by_name = {target.ep.name: target for target in targets}
    twin_rounds = {
        target.ep.name: (by_name[target.ep.sync_twin], _TwinRounds())
        for target in targets
        if target.ep.sync_twin is not None
    }

    def timed(
        first: tuple[WSGIApplication, _Target, str],
        second: tuple[WSGIApplication, _Target, str],
        n: int,
    ) -> tuple[float, float]:
        """µs per request of two (app, target, style), alternated in slices
        of the same number of requests (``n`` in all): the first requests
        after a switch run on cold caches, and both sides get as many."""
        sides = [first, second]
        totals = [0.0, 0.0]
        done = [0, 0]
        if config.requests is None:
            per_slice = max(MIN_SLICE, n // config.slices)
        else:
            per_slice = max(1, n // config.slices)
        for slice_ in range(config.slices):
            # A B, then B A: a drift within the round hits both alike.
            for index in (0, 1) if slice_ % 2 == 0 else (1, 0):
                app, target, style = sides[index]
                if config.gc == "on":
                    gc.collect()
                else:
                    gc.disable()
                try:
                    if config.check_every:
                        seconds = _checked_block(app, target.environ, per_slice, target.ep, style)
                        results[target.ep.name].checked += per_slice
                    else:
                        seconds = _block(app, target.environ, per_slice)
                finally:
                    gc.enable()
                totals[index] += seconds
                done[index] += per_slice
        return totals[0] / done[0] * 1e6, totals[1] / done[1] * 1e6

    harness = _harness_us()
    gc.collect()
    gc.freeze()
    try:
        for round_ in range(config.rounds):
            for target in targets:
                result = results[target.ep.name]
                a_us, b_us = timed(
                    (target.a, target, a_style), (target.b, target, b_style), target.n
                )
                result.a_us.append(a_us)
                result.b_us.append(b_us)
            # What async def costs, each style against itself (see above).
            for target in targets:
                if target.ep.name not in twin_rounds:
                    continue
                twin, rounds = twin_rounds[target.ep.name]
                sync_us, async_us = timed(
                    (twin.a, twin, a_style), (target.a, target, a_style), target.n_a
                )
                rounds.a_sync.append(sync_us)
                rounds.a_async.append(async_us)
                sync_us, async_us = timed(
                    (twin.b, twin, b_style), (target.b, target, b_style), target.n_b
                )
                rounds.b_sync.append(sync_us)
                rounds.b_async.append(async_us)
            log(f"  mode {config.pair.upper()}: round {round_ + 1}/{config.rounds} done")
    finally:
        gc.unfreeze()

    for result in results.values():
        result.finish()
    twins = [
        AsyncResult.of(by_name[name].ep, rounds) for name, (_twin, rounds) in twin_rounds.items()
    ]
    return ModeAResult(
        pair=config.pair,
        a=a_style,
        b=b_style if config.pair == "ab" else "flask (second instance)",
        rounds=config.rounds,
        gc=config.gc,
        harness_us=harness,
        seconds=time.perf_counter() - started,
        endpoints=[results[ep.name] for ep in eps],
        async_twins=twins,
    )
