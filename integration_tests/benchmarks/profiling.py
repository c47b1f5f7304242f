"""cProfile of Mode A: where Flask-Express spends what plain Flask does not.

For each endpoint, the same number of requests is profiled on the plain Flask
app and on the Flask-Express app (after a warm-up, through the same WSGI
harness, alternating between the two in slices as Mode A does). Functions are
matched by file, line and name; the report lists

- the functions whose own time (``tottime``) per request grew the most, most of
  them Flask-Express's but also Flask or Werkzeug code it calls more often;
- Flask-Express's own functions by cumulative time per request.

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

__all__ = ["DEFAULT_ENDPOINTS", "ProfileResult", "format_profiles", "profile_endpoints"]

DEFAULT_ENDPOINTS = ("json_small", "headers", "cookie", "middleware_chain", "send_file_small")

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
    #: The same function on the plain Flask side (0 when Flask never calls it).
    flask_calls: float = 0.0
    flask_tottime_us: float = 0.0


@dataclass
class ProfileResult:
    endpoint: str
    requests: int
    #: Profiled microseconds per request, per side (inflated by the profiler).
    flask_total_us: float
    fx_total_us: float
    #: Python and built-in function calls per request, per side: unlike
    #: times, these do not depend on how busy the machine is.
    flask_calls: float
    fx_calls: float
    #: Functions whose own time grew the most, Flask-Express side against Flask.
    extra: list[Line] = field(default_factory=list)
    #: Flask-Express's own functions by cumulative time.
    ours: list[Line] = field(default_factory=list)

    def as_dict(self) -> dict[str, t.Any]:
        return asdict(self)


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
    flask_app: t.Any, fx_app: t.Any, environ: t.Any, requests: int, slices: int = 10
) -> tuple[_Stats, _Stats]:
    """Profile ``requests`` requests on each app, alternating in ``slices``
    (Flask then Flask-Express, then the other way round) as Mode A does."""
    profilers = (cProfile.Profile(), cProfile.Profile())
    apps = (flask_app, fx_app)
    per_slice = max(1, requests // slices)
    for slice_ in range(slices):
        for side in (0, 1) if slice_ % 2 == 0 else (1, 0):
            profilers[side].enable()
            _block(apps[side], environ, per_slice)
            profilers[side].disable()
    return _stats(profilers[0]), _stats(profilers[1])


def _calls(stats: _Stats, requests: int) -> float:
    return sum(nc for _cc, nc, _tt, _ct in stats.values()) / requests


def _total_us(stats: _Stats, requests: int) -> float:
    return sum(tt for _cc, _nc, tt, _ct in stats.values()) / requests * 1e6


def profile_endpoints(
    names: Sequence[str] = DEFAULT_ENDPOINTS, requests: int = 3000, top: int = 12
) -> list[ProfileResult]:
    """Profile both styles of each endpoint in ``names``, ``requests`` each
    (rounded down to a multiple of the 10 slices)."""
    requests = max(10, requests // 10 * 10)
    results = []
    for name in names:
        ep = endpoint(name)
        flask_app = factory("flask", ep.group)()
        fx_app = factory("fx", ep.group)()
        environ = make_environ(ep)
        for app in (flask_app, fx_app):
            _block(app, environ, 500)
        flask_stats, fx_stats = _profile_pair(flask_app, fx_app, environ, requests)
        per = 1e6 / requests

        lines = []
        for key, (_cc, nc, tt, ct) in fx_stats.items():
            _fcc, fnc, ftt, _fct = flask_stats.get(key, (0, 0, 0.0, 0.0))
            lines.append(
                (
                    key,
                    Line(
                        function=_name(key),
                        calls=nc / requests,
                        tottime_us=tt * per,
                        cumtime_us=ct * per,
                        flask_calls=fnc / requests,
                        flask_tottime_us=ftt * per,
                    ),
                )
            )
        extra = sorted(
            (line for _key, line in lines),
            key=lambda line: line.tottime_us - line.flask_tottime_us,
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
                requests=requests,
                flask_total_us=_total_us(flask_stats, requests),
                fx_total_us=_total_us(fx_stats, requests),
                flask_calls=_calls(flask_stats, requests),
                fx_calls=_calls(fx_stats, requests),
                extra=extra,
                ours=ours,
            )
        )
    return results


def format_profiles(results: Sequence[ProfileResult]) -> str:
    """The profiles as Markdown."""
    out = ["# Profile: Flask-Express against plain Flask, Mode A", ""]
    out.append("Microseconds per request under cProfile (inflated; compare them with each other).")
    for result in results:
        out += [
            "",
            f"## {result.endpoint}",
            "",
            f"Profiled total: Flask {result.flask_total_us:.1f} µs/req, Flask-Express "
            f"{result.fx_total_us:.1f} µs/req (+{result.fx_total_us - result.flask_total_us:.1f}),"
            f" {result.requests} requests each. Function calls per request: Flask"
            f" {result.flask_calls:.0f}, Flask-Express {result.fx_calls:.0f}"
            f" (+{result.fx_calls - result.flask_calls:.0f}).",
            "",
            "Own time (tottime) grown the most:",
            "",
            "| function | calls/req FX (Flask) | tottime µs/req FX | Flask | extra |",
            "|---|---:|---:|---:|---:|",
        ]
        for line in result.extra:
            out.append(
                f"| `{line.function}` | {line.calls:g} ({line.flask_calls:g}) | "
                f"{line.tottime_us:.2f} | {line.flask_tottime_us:.2f} | "
                f"{line.tottime_us - line.flask_tottime_us:+.2f} |"
            )
        out += [
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
