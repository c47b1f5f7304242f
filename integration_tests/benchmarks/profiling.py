"""cProfile of Mode A: where Flask-Express spends what plain Flask does not.

For each endpoint, the same number of requests is profiled on the plain Flask
app and on the Flask-Express app (after a warm-up, through the same WSGI
harness, alternating between the two in slices as Mode A does). Functions are
matched by file, line and name; the report lists

- the functions whose own time (``tottime``) per request grew the most, most of
  them Flask-Express's but also Flask or Werkzeug code it calls more often;
- Flask-Express's own functions by cumulative time per request.

``against="sync"`` profiles an async endpoint of Flask-Express against its
sync twin in Flask-Express instead (:attr:`benchmarks.apps.Endpoint.sync_twin`):
where ``async def`` costs what the same sync view does not.

Times under a profiler are inflated several times over; read them relative to
each other and to the profiled total, not as the cost without the profiler.
"""

from __future__ import annotations

import cProfile
import pstats
import typing as t
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from .apps import endpoint, factory
from .mode_a import _block, make_environ
from .report import our_distributions

__all__ = [
    "AGAINST",
    "DEFAULT_ENDPOINTS",
    "ProfileResult",
    "format_profile",
    "format_profiles",
    "profile_endpoints",
]

DEFAULT_ENDPOINTS = ("json_small", "headers", "cookie", "middleware_chain", "send_file_small")
#: What the Flask-Express side is profiled against: the same endpoint in
#: plain Flask, or (async endpoints) its sync twin in Flask-Express.
AGAINST = ("flask", "sync")

# Path fragments that mark Flask-Express's own code: the import names of
# every distribution under packages/.
_OURS = tuple(dist.import_name for dist in our_distributions())

_Key = tuple[str, int, str]
#: pstats' figures by function: primitive calls, calls, tottime, cumtime.
_Stats = dict[_Key, tuple[int, int, float, float]]


@dataclass
class Line:
    function: str
    #: Per request: calls, and microseconds of own / cumulative time.
    calls: float
    tottime_us: float
    cumtime_us: float
    #: The same function on the baseline side (0 when it never runs there).
    base_calls: float = 0.0
    base_tottime_us: float = 0.0


@dataclass
class ProfileResult:
    endpoint: str
    #: ``"flask"`` or ``"sync"`` (see :data:`AGAINST`), and what that side ran.
    against: str
    baseline: str
    requests: int
    #: Profiled microseconds per request, per side (inflated by the profiler).
    base_total_us: float
    fx_total_us: float
    #: Python and built-in function calls per request, per side: unlike
    #: times, these do not depend on how busy the machine is.
    base_calls: float
    fx_calls: float
    #: Functions whose own time grew the most, Flask-Express against the baseline.
    extra: list[Line] = field(default_factory=list)
    #: Flask-Express's own functions by cumulative time.
    ours: list[Line] = field(default_factory=list)

    def as_dict(self) -> dict[str, t.Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: t.Mapping[str, t.Any]) -> ProfileResult:
        """The result :meth:`as_dict` wrote (a run's JSON)."""
        fields = dict(data)
        fields["extra"] = [Line(**line) for line in data.get("extra", [])]
        fields["ours"] = [Line(**line) for line in data.get("ours", [])]
        return cls(**fields)


def _name(key: _Key) -> str:
    path, line, func = key
    if path == "~":
        return func
    for marker in ("/site-packages/", "/src/", "/lib/python3"):
        if marker in path:
            path = path.rsplit(marker, 1)[1]
            break
    if path.startswith(".") and "/" in path:  # /lib/python3.11/... -> module path
        path = path.split("/", 1)[1]
    return f"{path}:{line}({func})"


def _stats(profiler: cProfile.Profile) -> _Stats:
    stats = pstats.Stats(profiler)
    raw = t.cast(dict[_Key, tuple[int, int, float, float, t.Any]], stats.stats)  # type: ignore[attr-defined]
    return {key: (cc, nc, tt, ct) for key, (cc, nc, tt, ct, _callers) in raw.items()}


def _profile_pair(
    base: tuple[t.Any, t.Any], fx: tuple[t.Any, t.Any], requests: int, slices: int = 10
) -> tuple[_Stats, _Stats]:
    """Profile ``requests`` requests on each ``(app, environ)`` side,
    alternating in ``slices`` (baseline then Flask-Express, then the other
    way round) as Mode A does."""
    profilers = (cProfile.Profile(), cProfile.Profile())
    sides = (base, fx)
    per_slice = max(1, requests // slices)
    for slice_ in range(slices):
        for side in (0, 1) if slice_ % 2 == 0 else (1, 0):
            app, environ = sides[side]
            profilers[side].enable()
            _block(app, environ, per_slice)
            profilers[side].disable()
    return _stats(profilers[0]), _stats(profilers[1])


def _calls(stats: _Stats, requests: int) -> float:
    return sum(nc for _cc, nc, _tt, _ct in stats.values()) / requests


def _total_us(stats: _Stats, requests: int) -> float:
    return sum(tt for _cc, _nc, tt, _ct in stats.values()) / requests * 1e6


def profile_endpoints(
    names: Sequence[str] = DEFAULT_ENDPOINTS,
    requests: int = 3000,
    top: int = 12,
    against: str = "flask",
) -> list[ProfileResult]:
    """Profile each endpoint in ``names`` on Flask-Express and on the
    baseline ``against`` names, ``requests`` each (rounded down to a
    multiple of the 10 slices). With ``against="sync"``, endpoints without
    a sync twin are skipped."""
    if against not in AGAINST:
        raise ValueError(f"against must be one of {AGAINST}, got {against!r}")
    requests = max(10, requests // 10 * 10)
    results = []
    for name in names:
        ep = endpoint(name)
        fx = (factory("fx", ep.group)(), make_environ(ep))
        if against == "flask":
            base = (factory("flask", ep.group)(), make_environ(ep))
            baseline = "plain Flask"
        elif ep.sync_twin is not None:
            twin = endpoint(ep.sync_twin)
            base = (factory("fx", twin.group)(), make_environ(twin))
            baseline = f"Flask-Express {twin.name} (sync)"
        else:
            continue
        for app, environ in (base, fx):
            _block(app, environ, 500)
        base_stats, fx_stats = _profile_pair(base, fx, requests)
        per = 1e6 / requests

        lines = []
        for key, (_cc, nc, tt, ct) in fx_stats.items():
            _bcc, bnc, btt, _bct = base_stats.get(key, (0, 0, 0.0, 0.0))
            lines.append(
                (
                    key,
                    Line(
                        function=_name(key),
                        calls=nc / requests,
                        tottime_us=tt * per,
                        cumtime_us=ct * per,
                        base_calls=bnc / requests,
                        base_tottime_us=btt * per,
                    ),
                )
            )
        extra = sorted(
            (line for _key, line in lines),
            key=lambda line: line.tottime_us - line.base_tottime_us,
            reverse=True,
        )[:top]
        ours = sorted(
            (line for key, line in lines if any(m in key[0] for m in _OURS)),
            key=lambda line: line.cumtime_us,
            reverse=True,
        )[:top]
        results.append(
            ProfileResult(
                endpoint=name,
                against=against,
                baseline=baseline,
                requests=requests,
                base_total_us=_total_us(base_stats, requests),
                fx_total_us=_total_us(fx_stats, requests),
                base_calls=_calls(base_stats, requests),
                fx_calls=_calls(fx_stats, requests),
                extra=extra,
                ours=ours,
            )
        )
    return results


def format_profile(result: ProfileResult, heading: str = "##", top: int | None = None) -> str:
    """One endpoint's profile as Markdown: a heading (none when ``heading``
    is empty), totals, then the functions whose own time grew the most (the
    first ``top`` of them, all when ``None``)."""
    extra = result.extra if top is None else result.extra[:top]
    base, fx = result.base_total_us, result.fx_total_us
    out = [f"{heading} {result.endpoint}: Flask-Express against {result.baseline}", ""]
    if not heading:
        out = []
    out += [
        f"Profiled total: {result.baseline} {base:.1f} µs/req, Flask-Express {fx:.1f} µs/req "
        f"({fx - base:+.1f}), {result.requests} requests each. Function calls per request: "
        f"{result.base_calls:.0f} against {result.fx_calls:.0f} "
        f"({result.fx_calls - result.base_calls:+.0f}).",
        "",
        "| function | calls/req FX (baseline) | tottime µs/req FX | baseline | extra |",
        "|---|---:|---:|---:|---:|",
    ]
    for line in extra:
        out.append(
            f"| `{line.function}` | {line.calls:g} ({line.base_calls:g}) | "
            f"{line.tottime_us:.2f} | {line.base_tottime_us:.2f} | "
            f"{line.tottime_us - line.base_tottime_us:+.2f} |"
        )
    return "\n".join(out)


def format_profiles(results: Sequence[ProfileResult]) -> str:
    """The profiles as Markdown."""
    out = ["# Profile: Flask-Express against a baseline, Mode A", ""]
    out.append("Microseconds per request under cProfile (inflated; compare them with each other).")
    for result in results:
        out += [
            "",
            format_profile(result),
            "",
            "Flask-Express's own functions by cumulative time:",
            "",
            "| function | calls/req | cumtime µs/req | tottime µs/req |",
            "|---|---:|---:|---:|",
        ]
        for line in result.ours:
            out.append(
                f"| `{line.function}` | {line.calls:g} | {line.cumtime_us:.2f} | "
                f"{line.tottime_us:.2f} |"
            )
    return "\n".join(out) + "\n"
