"""The outputs of a run: JSON, Markdown tables, the chart and docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import typing as t
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .apps import ASYNC_TARGET, ENDPOINTS, endpoint

__all__ = [
    "DOCS_IMAGE",
    "DOCS_PAGE",
    "RESULTS",
    "chart",
    "docs_page",
    "machine",
    "markdown",
    "our_distributions",
    "over_target",
    "profile_section",
    "table_async",
    "targets",
    "write_json",
]

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
#: Where every run writes its JSON and Markdown (ignored by git).
RESULTS = HERE / "results"
DOCS_PAGE = REPO / "docs" / "benchmarks.md"
DOCS_IMAGE = REPO / "docs" / "benchmarks.png"

#: The targets; checked and reported, never asserted by a test. Mode A: every
#: sync endpoint's CPU time per request against plain Flask's (async
#: endpoints have :data:`~benchmarks.apps.ASYNC_TARGET` against their sync
#: twin instead).
TARGET_A = 1.02
TARGET_B = 0.95
TARGET_B_ENDPOINTS = ("json_small", "text")
TARGET_C = 0.95
TARGET_C_RSS = 20_000_000  # 20 MB

_THIRD_PARTY = ("flask", "werkzeug", "jinja2", "asgiref", "gunicorn")
# .github/scripts is no package, and a bench run does not put it on sys.path.
_SCRIPTS = str(REPO / ".github" / "scripts")


def our_distributions() -> tuple[t.Any, ...]:
    """The distributions under packages/, core first and meta-package last:
    ``workspace.distributions()`` of .github/scripts/workspace.py."""
    if _SCRIPTS not in sys.path:
        sys.path.insert(0, _SCRIPTS)
    import workspace

    return tuple(workspace.distributions())


#: Written by hand, so it stays true from run to run: what the profiles of
#: the first runs showed, in short (the details are in the git history).
_MADE_FAST = [
    "## How it was made fast",
    "",
    (
        "The first run of this suite had Flask-Express at 1.10x to 1.55x plain Flask's CPU "
        "time per request. `hatch run bench:profile` showed where: context-variable lookups "
        "behind `current_app` and `request` (now `res` keeps its app and reads config, JSON "
        "provider, Jinja environment and file settings from it), Werkzeug's `Headers` "
        "raising and catching `KeyError` for absent names (the builder scans instead), a "
        "second response object for file responses (Werkzeug's `send_file` now builds into "
        "`res`), and per-call checks moved to registration time (route parameters, the "
        "middleware scope, the type of a bound method in `ensure_sync`). The last 2 to 5% "
        "came from frames: the view adapter makes `res` and checks the return value inline, "
        "`make_response` returns the app's own response class at once, an app without "
        "middleware hands Flask its own `dispatch_request` once it serves requests, and the "
        "terminal methods test `finished_by` and `FX_ETAG` before calling out."
    ),
    (
        "Async views and `app.use` middleware run on an event loop kept per worker thread "
        "instead of a new loop and thread per call, which alone made them about 1.75x a sync "
        "view (one `run_until_complete` per call: two turns of the loop, each polling the "
        "selector). A call now runs its task's first step at once, as the loop would, and "
        "turns the loop only when the view really waits: an async view that does not costs "
        "about 1.2x the same sync view."
    ),
]

#: Why the microseconds left in an endpoint above the Mode A target are
#: needed, by endpoint: written by hand from the profiles below, so they
#: stay from run to run. An endpoint without a note gets its profile only.
WHY_NEEDED: dict[str, str] = {
    "attachment": (
        "**Why these microseconds stay.** Besides the `(req, res)` layer (`res` is made "
        "before the view runs, and Werkzeug builds the file response into it), `res.attachment` "
        "does three things `send_from_directory` does not, each a fix from the security review "
        "([security](security.md)): it opens the file race-free (the folder's descriptor, "
        "then the client's name walked part by part with `O_NOFOLLOW`, then `fstat` of the "
        "open file: two opens, an `fstat` and a close, where Flask's stat-then-open can be "
        "beaten by a symlink swapped in between); it registers the open file so that a "
        "response the app discards still closes it when the request ends; and it adds "
        "`X-Content-Type-Options: nosniff` and scans the download name for bidi and control "
        "characters. Swapping Flask's stat-then-open back in, in one process, took about 5 µs "
        "off; dropping the registration about 1 to 2 µs: together most of the gap."
    ),
    "send_file_small": (
        "**Why these microseconds stay.** A trusted path: no confinement. What is left is the "
        "`(req, res)` layer, the registration that closes the file of a discarded response "
        "when the request ends (1 to 2 µs measured by dropping it in one process), the "
        "`X-Content-Type-Options: nosniff` header on every file response, and Werkzeug "
        "building the file response into the `res` the view already holds."
    ),
    "render_file": (
        "**Why these microseconds stay.** `res.render` goes through `flask.render_template`; "
        "on top it merges `res.locals`, the context and the variables, decides by one regular "
        'expression each whether the name is a bare name (Express\'s `res.render("index")`) '
        "or template source, and checks whether the view set a `Content-Type`. Flask calls "
        "`ensure_sync` for every context processor, and `FlaskExpress.ensure_sync` looks each "
        "one up among the `(req, res)` views first."
    ),
    "render_raw": (
        "**Why these microseconds stay.** Both sides compile the template string on every "
        "request with the same `jinja_env.from_string` and render it with the same "
        "`flask.templating._render` (line-profiled, the two calls cost the same on both "
        "sides); compiling is nine tenths of the request. What is left is the `(req, res)` "
        "layer and `res.render`'s own work (see render_file), a few µs on 370, which the "
        "round-to-round spread of this endpoint covers."
    ),
    "async_bare": (
        "**Why these microseconds stay.** The view runs in a real `asyncio.Task` with the loop "
        "running, so `asyncio.current_task()`, `asyncio.timeout` and anyio's cancel scopes "
        "work: making the task and running its first step costs about 1.5 µs outside the app "
        "(a bare coroutine step: 0.3 µs). The call also sets and restores the asyncgen hooks "
        "(to close the generators it leaves), copies the context variables back, and checks "
        "for a running loop, as asgiref's way does."
    ),
    "middleware_async": (
        "**Why these microseconds stay.** As for async_bare (a task, hooks, context), plus two "
        "coroutines per `async def` middleware (the middleware and the rest of the chain it "
        "awaits) where the sync chain makes two plain calls."
    ),
}


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, timeout=10
        )
    except OSError:
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _distribution() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.system()


def _virtualized() -> bool:
    try:
        return " hypervisor" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def machine() -> dict[str, t.Any]:
    """What the run ran on: hardware, OS, Python, package versions, commit."""
    versions = {}
    for name in (*_THIRD_PARTY, *(dist.name for dist in our_distributions())):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    dirty = _git("status", "--porcelain", "--", "packages")
    return {
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "virtual_machine": _virtualized(),
        "memory": _memory(),
        "os": f"{_distribution()}, Linux {platform.release()}"
        if sys.platform.startswith("linux")
        else platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": versions,
        "commit": _git("rev-parse", "--short", "HEAD") or "unknown",
        "packages_modified": bool(dirty),
        "load_average_start": load_average(),
    }


def write_json(data: Mapping[str, t.Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")


# -- Markdown -------------------------------------------------------------------


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def _is_async(name: str) -> bool:
    try:
        return endpoint(name).is_async
    except KeyError:  # a run saved before the endpoint was renamed
        return False


def _by_name(run: Mapping[str, t.Any] | None) -> dict[str, Mapping[str, t.Any]]:
    return {e["endpoint"]: e for e in run["endpoints"]} if run else {}


def _inside_noise(e: Mapping[str, t.Any], n: Mapping[str, t.Any] | None) -> bool:
    """Whether a ratio lies inside the A/A band: no measurable difference."""
    return n is not None and n["ratio_min"] <= e["ratio"] <= n["ratio_max"]


def over_target(a: Mapping[str, t.Any]) -> list[Mapping[str, t.Any]]:
    """The sync endpoints of a Mode A run above :data:`TARGET_A`."""
    return [e for e in a["endpoints"] if not _is_async(e["endpoint"]) and e["ratio"] > TARGET_A]


def async_over_target(a: Mapping[str, t.Any]) -> list[Mapping[str, t.Any]]:
    """The async endpoints of a Mode A run whose Flask-Express async/sync
    ratio is above their target."""
    return [
        x
        for x in a.get("async_twins", [])
        if x["target"] is not None and x["b_ratio"] > x["target"]
    ]


def table_a(a: Mapping[str, t.Any], aa: Mapping[str, t.Any] | None) -> str:
    """Mode A's table, with the A/A noise floor beside each ratio and, for
    each sync endpoint, whether it met :data:`TARGET_A`."""
    noise = _by_name(aa)
    lines = [
        "| endpoint | Flask µs/req | Flask-Express µs/req | ratio | min-max over rounds "
        f"| A/A noise floor (min-max) | sync: ≤ {TARGET_A} |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for e in a["endpoints"]:
        n = noise.get(e["endpoint"])
        floor = f"{n['ratio']:.3f} ({n['ratio_min']:.3f}-{n['ratio_max']:.3f})" if n else "not run"
        if _is_async(e["endpoint"]):
            met = "async: see below"
        elif e["ratio"] <= TARGET_A:
            met = "yes"
        else:
            met = "**no**" + (" (inside the A/A band)" if _inside_noise(e, n) else "")
        lines.append(
            f"| {e['endpoint']} | {e['a_median_us']:.1f} | {e['b_median_us']:.1f} | "
            f"**{e['ratio']:.3f}** | {e['ratio_min']:.3f}-{e['ratio_max']:.3f} | {floor} | "
            f"{met} |"
        )
    return "\n".join(lines)


def _times(ratio: float) -> str:
    """How much faster (or costlier) Flask-Express is than plain Flask, from
    the ratio of their costs."""
    if ratio < 1:
        return f"{1 / ratio:.1f}x as fast as plain Flask"
    return f"{ratio:.2f}x plain Flask's cost"


def table_async(a: Mapping[str, t.Any]) -> str:
    """Each async endpoint against its sync twin, in each style, and
    Flask-Express's async against plain Flask's."""
    figures = _by_name(a)
    lines = [
        "| async endpoint | sync twin | plain Flask µs/req: sync → async | plain Flask "
        "async/sync | Flask-Express µs/req: sync → async | Flask-Express async/sync "
        "(min-max) | target | Flask-Express async / plain Flask async |",
        "|---|---|---:|---:|---:|---:|:---:|---:|",
    ]
    for x in a.get("async_twins", []):
        e = figures[x["endpoint"]]
        target = (
            f"≤ {x['target']}: {_yes(x['b_ratio'] <= x['target'])}"
            if x["target"] is not None
            else "-"
        )
        lines.append(
            f"| {x['endpoint']} | {x['sync_endpoint']} | {x['a_sync_us']:.1f} → "
            f"{x['a_async_us']:.1f} | {x['a_ratio']:.2f} | {x['b_sync_us']:.1f} → "
            f"{x['b_async_us']:.1f} | **{x['b_ratio']:.3f}** ({x['b_ratio_min']:.3f}-"
            f"{x['b_ratio_max']:.3f}) | {target} | {e['ratio']:.3f} |"
        )
    return "\n".join(lines)


def _worker(e: Mapping[str, t.Any]) -> str:
    threads = e.get("threads", 1)
    return str(e.get("worker_class", "sync")) + (f", {threads} threads" if threads > 1 else "")


def table_b(b: Mapping[str, t.Any]) -> str:
    lines = [
        "| endpoint | gunicorn worker | Flask req/s | Flask-Express req/s | throughput ratio "
        "(min-max) | p50 ms Flask / FX | p99 ms Flask / FX | server CPU µs/req Flask / FX "
        f"(ratio) | target ≥ {TARGET_B} |",
        "|---|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for e in b["endpoints"]:
        f, x = e["sides"]["flask"], e["sides"]["fx"]
        target = (
            _yes(e["throughput_ratio"] >= TARGET_B) if e["endpoint"] in TARGET_B_ENDPOINTS else "-"
        )
        lines.append(
            f"| {e['endpoint']} | {_worker(e)} | {f['rps']:.0f} | {x['rps']:.0f} | "
            f"**{e['throughput_ratio']:.3f}** ({e['throughput_ratio_min']:.3f}-"
            f"{e['throughput_ratio_max']:.3f}) | {f['p50_ms']:.2f} / {x['p50_ms']:.2f} | "
            f"{f['p99_ms']:.2f} / {x['p99_ms']:.2f} | {f['server_cpu_us_per_request']:.0f} / "
            f"{x['server_cpu_us_per_request']:.0f} ({e['cpu_ratio']:.3f}) | {target} |"
        )
    return "\n".join(lines)


def table_c(c: Mapping[str, t.Any]) -> str:
    f, x = c["sides"]["flask"], c["sides"]["fx"]
    size = c["size"] / 2**30
    return "\n".join(
        [
            "| 1 GiB sparse file | Flask `send_file` | Flask-Express `res.send_file` | target |",
            "|---|---:|---:|:---:|",
            f"| throughput, median of {c['pairs']} | {f['mib_per_s']:.0f} MiB/s | "
            f"{x['mib_per_s']:.0f} MiB/s | ratio **{c['throughput_ratio']:.3f}** "
            f"({c['throughput_ratio_min']:.3f}-{c['throughput_ratio_max']:.3f}) ≥ {TARGET_C}: "
            f"{_yes(c['throughput_ratio'] >= TARGET_C)} |",
            f"| server CPU per GiB | {f['server_cpu_s_per_gib']:.2f} s | "
            f"{x['server_cpu_s_per_gib']:.2f} s | |",
            f"| worker peak RSS before | {_mb(f['rss_before'])} | {_mb(x['rss_before'])} | |",
            f"| worker peak RSS after {c['pairs'] + 1} x {size:g} GiB | {_mb(f['rss_after'])} | "
            f"{_mb(x['rss_after'])} | |",
            f"| peak RSS growth | {_mb(f['rss_growth'])} | **{_mb(x['rss_growth'])}** | "
            f"< 20 MB: {_yes(x['rss_growth'] < TARGET_C_RSS)} |",
        ]
    )


def targets(results: Mapping[str, t.Any]) -> list[str]:
    """One line per target, met or not (``**no**`` marks a miss)."""
    out = []
    a = results.get("a")
    if a:
        noise = _by_name(results.get("aa"))
        sync = [e for e in a["endpoints"] if not _is_async(e["endpoint"])]
        if sync:
            worst = max(sync, key=lambda e: e["ratio"])
            over = over_target(a)
            line = (
                f"Mode A, every sync endpoint ≤ {TARGET_A} of plain Flask's CPU time "
                f"(median of the rounds): {_yes(not over)} (worst {worst['endpoint']} "
                f"{worst['ratio']:.3f}"
            )
            if over:
                line += "; above: " + ", ".join(f"{e['endpoint']} {e['ratio']:.3f}" for e in over)
                inside = [e["endpoint"] for e in over if _inside_noise(e, noise.get(e["endpoint"]))]
                if noise:
                    line += f"; of those inside the A/A band: {', '.join(inside) or 'none'}"
            out.append(line + ")")
        for x in a.get("async_twins", []):
            if x["target"] is None:
                continue
            out.append(
                f"Mode A, {x['endpoint']} ≤ {x['target']} of the same sync code "
                f"({x['sync_endpoint']}) in Flask-Express: {_yes(x['b_ratio'] <= x['target'])} "
                f"({x['b_ratio']:.3f}; plain Flask {x['a_ratio']:.2f})"
            )
    b = results.get("b")
    if b:
        for e in b["endpoints"]:
            if e["endpoint"] in TARGET_B_ENDPOINTS:
                out.append(
                    f"Mode B, {e['endpoint']} throughput ≥ {TARGET_B} of Flask: "
                    f"{_yes(e['throughput_ratio'] >= TARGET_B)} ({e['throughput_ratio']:.3f})"
                )
    c = results.get("c")
    if c:
        out.append(
            f"Mode C, throughput ≥ {TARGET_C} of Flask: "
            f"{_yes(c['throughput_ratio'] >= TARGET_C)} ({c['throughput_ratio']:.3f})"
        )
        growth = c["sides"]["fx"]["rss_growth"]
        out.append(
            f"Mode C, peak RSS growth < 20 MB: {_yes(growth < TARGET_C_RSS)} ({_mb(growth)})"
        )
    return out


def profile_section(results: Mapping[str, t.Any], heading: str = "##") -> list[str]:
    """Where the microseconds go for every endpoint that missed its Mode A
    target, from the run's profiles (``results["profiles"]`` against plain
    Flask, ``results["async_profiles"]`` against the sync twin), with the
    note of :data:`WHY_NEEDED` where there is one."""
    from .profiling import ProfileResult, format_profile

    a = results.get("a")
    if not a:
        return []
    out = [f"{heading} Where the remaining microseconds go", ""]
    over, async_over = over_target(a), async_over_target(a)
    if not over and not async_over:
        return [
            *out,
            f"In this run every sync endpoint is within {TARGET_A} of plain Flask, and every "
            "async endpoint with a target within it: there is nothing left to explain.",
        ]
    out.append(
        "For each endpoint that missed its target in this run: cProfile of the same number "
        "of requests on Flask-Express and on its baseline (plain Flask, or the same sync "
        "code in Flask-Express for an async endpoint), alternating as Mode A does; the "
        "functions whose own time per request grew the most. Times under the profiler are "
        "inflated several times over: compare them with each other and with the profiled "
        "totals. `hatch run bench:profile --endpoints NAME` (`--against sync` for an async "
        "endpoint) prints the full profile."
    )
    noise = _by_name(results.get("aa"))
    profiles = {p["endpoint"]: p for p in results.get("profiles", [])}
    async_profiles = {p["endpoint"]: p for p in results.get("async_profiles", [])}
    todo = [
        (
            e["endpoint"],
            f"{e['ratio']:.3f} of plain Flask"
            + (
                f" (A/A noise floor {n['ratio']:.3f}, {n['ratio_min']:.3f}-{n['ratio_max']:.3f})"
                if (n := noise.get(e["endpoint"]))
                else ""
            ),
            profiles.get(e["endpoint"]),
        )
        for e in over
    ]
    todo += [
        (
            x["endpoint"],
            f"{x['b_ratio']:.3f} of {x['sync_endpoint']} in Flask-Express (target {x['target']})",
            async_profiles.get(x["endpoint"]),
        )
        for x in async_over
    ]
    for name, title, profile in todo:
        out += ["", f"{heading}# {name}: {title}", ""]
        if profile is None:
            out.append("Not profiled in this run (`--no-profile`).")
        else:
            out.append(format_profile(ProfileResult.from_dict(profile), heading="", top=8))
        why = WHY_NEEDED.get(name)
        if why:
            out += ["", why]
    return out


def markdown(results: Mapping[str, t.Any]) -> str:
    """The tables of one run (any modes) as Markdown."""
    out = [f"# Benchmark run {results['started']}", ""]
    if results.get("a"):
        a = results["a"]
        out += [
            f"## Mode A: in process, CPU time ({a['rounds']} rounds, gc {a['gc']}, "
            f"harness {a['harness_us']:.1f} µs/req included)",
            "",
            table_a(a, results.get("aa")),
            "",
        ]
        if a.get("async_twins"):
            out += ["## Mode A: async against sync", "", table_async(a), ""]
        section = profile_section(results)
        if section:
            out += [*section, ""]
    elif results.get("aa"):
        aa = results["aa"]
        out += ["## Mode A/A: plain Flask against itself", "", table_a(aa, None), ""]
    if results.get("b"):
        b = results["b"]
        out += [
            f"## Mode B: gunicorn ({b['workers']} worker), {b['client']} "
            f"({b['connections']} connections, {b['duration']:g} s x {b['pairs']} pairs)",
            "",
            table_b(b),
            "",
        ]
    if results.get("c"):
        out += ["## Mode C: 1 GiB sparse file from gunicorn", "", table_c(results["c"]), ""]
    found = targets(results)
    if found:
        out += ["## Targets", "", *(f"- {line}" for line in found), ""]
    return "\n".join(out)


# -- the chart --------------------------------------------------------------------


def chart(a: Mapping[str, t.Any], aa: Mapping[str, t.Any] | None, path: Path) -> None:
    """Mode A as a PNG: on the left, each sync endpoint's ratio (min-max over
    rounds as whiskers), its A/A noise band and the target line; on the
    right, when the run has async endpoints, each one's µs/req against its
    sync twin in both styles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    rows = [e for e in reversed(a["endpoints"]) if not _is_async(e["endpoint"])]
    twins = a.get("async_twins", [])
    noise = _by_name(aa)
    names = [e["endpoint"] for e in rows]
    ratios = [e["ratio"] for e in rows]
    lows = [e["ratio"] - e["ratio_min"] for e in rows]
    highs = [e["ratio_max"] - e["ratio"] for e in rows]
    ys = list(range(len(rows)))

    height = 0.48 * max(len(rows), 3 * len(twins)) + 1.8
    if twins:
        fig, (ax, ax_async) = plt.subplots(
            1, 2, figsize=(14, height), dpi=120, gridspec_kw={"width_ratios": [3, 2]}
        )
    else:
        fig, ax = plt.subplots(figsize=(9, height), dpi=120)
    for y, e in zip(ys, rows, strict=True):
        n = noise.get(e["endpoint"])
        if n:
            ax.add_patch(
                Rectangle(
                    (n["ratio_min"], y - 0.42),
                    n["ratio_max"] - n["ratio_min"],
                    0.84,
                    color="#bbbbbb",
                    alpha=0.55,
                    zorder=1,
                    linewidth=0,
                )
            )
    colors = [
        "#2e7d32"
        if e["ratio"] <= TARGET_A
        else "#f9a825"
        if _inside_noise(e, noise.get(e["endpoint"]))
        else "#c62828"
        for e in rows
    ]
    ax.barh(
        ys,
        [r - 1 for r in ratios],
        left=1,
        height=0.55,
        color=colors,
        zorder=2,
        xerr=[lows, highs],
        error_kw={"ecolor": "#333333", "capsize": 3, "linewidth": 1, "zorder": 3},
    )
    for y, r, hi in zip(ys, ratios, highs, strict=True):
        ax.text(max(r, 1) + hi + 0.004, y, f"{r:.3f}", va="center", fontsize=8, zorder=4)
    ax.axvline(1.0, color="black", linewidth=1, zorder=2)
    ax.axvline(TARGET_A, color="#c62828", linestyle="--", linewidth=1.2, zorder=2)
    ax.set_yticks(ys, names)
    lo = min([0.9, *(e["ratio_min"] - 0.02 for e in rows)])
    hi = max([1.15, *(e["ratio_max"] + 0.06 for e in rows)])
    ax.set_xlim(lo, hi)
    ax.set_xlabel("CPU time per request, Flask-Express / plain Flask (1.0 = same cost)")
    ax.set_title("Sync endpoints: Flask-Express against plain Flask", fontsize=11)
    ax.grid(axis="x", color="#dddddd", zorder=0)
    ax.set_axisbelow(True)
    handles = [
        Patch(color="#2e7d32", label=f"≤ {TARGET_A} (target)"),
        Patch(color="#f9a825", label=f"> {TARGET_A}, inside the A/A band"),
        Patch(color="#c62828", label=f"> {TARGET_A}"),
        Patch(color="#bbbbbb", alpha=0.55, label="A/A noise band (Flask vs Flask, min-max)"),
    ]
    ax.legend(handles=handles, loc="lower right", fontsize=8, framealpha=0.95)

    if twins:
        bars = (
            ("plain Flask, sync", "a", "sync_endpoint", "#90a4ae"),
            ("plain Flask, async", "a", "endpoint", "#455a64"),
            ("Flask-Express, sync", "b", "sync_endpoint", "#81c784"),
            ("Flask-Express, async", "b", "endpoint", "#2e7d32"),
        )
        step = 1.0 / (len(bars) + 1)
        for index, (label, side, which, color) in enumerate(bars):
            ys_async = [
                len(twins) - 1 - row + (len(bars) - 1 - index - 1.5) * step
                for row in range(len(twins))
            ]
            kind = "sync" if which == "sync_endpoint" else "async"
            values = [x[f"{side}_{kind}_us"] for x in twins]
            ax_async.barh(ys_async, values, height=step * 0.9, color=color, label=label)
            for y_bar, value in zip(ys_async, values, strict=True):
                ax_async.text(value, y_bar, f" {value:.0f}", va="center", fontsize=7)
        ax_async.set_yticks(
            range(len(twins)),
            [f"{x['endpoint']}\n(sync: {x['sync_endpoint']})" for x in reversed(twins)],
        )
        ax_async.set_xlabel("CPU µs per request (less is better)")
        ax_async.set_title("Async endpoints against the same sync code", fontsize=11)
        ax_async.grid(axis="x", color="#dddddd", zorder=0)
        ax_async.set_axisbelow(True)
        ax_async.legend(loc="lower right", fontsize=8, framealpha=0.95)
        ax_async.margins(x=0.12)
    fig.text(
        0.01,
        0.005,
        f"Mode A, median of {a['rounds']} interleaved rounds; whiskers: min-max of per-round "
        f"ratios; dashed: the {TARGET_A} target.",
        fontsize=7,
        color="#555555",
    )
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


# -- docs/benchmarks.md -------------------------------------------------------------


def _machine_lines(m: Mapping[str, t.Any]) -> list[str]:
    p = m["packages"]
    # In the workspace's order; a run saved before a piece existed lacks it.
    ours = ", ".join(
        f"{dist.name} {p[dist.name]}" for dist in our_distributions() if dist.name in p
    )
    commit = m["commit"] + (
        " (with uncommitted changes under packages/)" if m["packages_modified"] else ""
    )
    vm = " (a virtual machine)" if m["virtual_machine"] else ""
    return [
        f"- CPU: {m['cpu']}, {m['cpus']} CPUs{vm}; memory {m['memory']}",
        f"- OS: {m['os']}",
        f"- {m['python']}; Flask {p['flask']}, Werkzeug {p['werkzeug']}, Jinja2 {p['jinja2']}, "
        f"asgiref {p['asgiref']}, gunicorn {p['gunicorn']}",
        f"- Flask-Express: {ours}; commit {commit}",
        f"- Load average at the start: {', '.join(map(str, m['load_average_start']))}",
    ]


def _endpoint_table() -> list[str]:
    lines = ["| endpoint | path | plain Flask | Flask-Express |", "|---|---|---|---|"]
    for ep in ENDPOINTS:
        flask, fx = ep.styles
        lines.append(f"| {ep.name} | `{ep.path}` | `{flask}` | `{fx}` |")
    return lines


def _async_sentences(a: Mapping[str, t.Any]) -> list[str]:
    """One sentence per async endpoint: what ``async def`` costs in each style."""
    figures = _by_name(a)
    out = []
    for x in a.get("async_twins", []):
        e = figures[x["endpoint"]]
        fx_style = endpoint(x["endpoint"]).styles[1]
        out.append(
            f"- **{x['endpoint']}** (`{fx_style}`) costs {x['b_ratio']:.2f}x its sync twin "
            f"{x['sync_endpoint']} in Flask-Express and {x['a_ratio']:.1f}x in plain Flask: "
            f"{e['b_median_us']:.0f} against {e['a_median_us']:.0f} µs per request, "
            f"{_times(e['ratio'])}."
        )
    return out


def docs_page(results: Mapping[str, t.Any], image: str) -> str:
    """docs/benchmarks.md for a full run (modes A, A/A, B and C, and the
    profiles of the endpoints above their target).

    Each paragraph is one line of Markdown.
    """
    a, aa, b, c = results["a"], results["aa"], results["b"], results["c"]
    m, options = results["machine"], results["options"]
    differences = [f"- {ep.name}: {text}" for ep in ENDPOINTS for text in ep.differences]
    measured_differences = [
        f"- {e['endpoint']}: {'; '.join(e['differences'])}"
        for e in a["endpoints"]
        if e["differences"]
    ]
    end_load = ", ".join(map(str, results.get("load_average_end", [])))
    gthread = sorted({_worker(e) for e in b["endpoints"] if e.get("worker_class") == "gthread"})
    lines = [
        "# Benchmarks",
        "",
        (
            "Flask-Express is worth choosing over plain Flask only if the Express style costs "
            "nothing. This page measures what it costs: the same endpoints, each written the "
            "natural way in each style, served by plain Flask 3 and by Flask-Express, in "
            "process (CPU time per request), under gunicorn (throughput and latency) and with "
            f"a 1 GiB file. The targets: every sync endpoint within {TARGET_A} of plain "
            "Flask's CPU time per request in process; an `async def` view that awaits "
            f"nothing, and a chain of `async def` middleware, within {ASYNC_TARGET} of the "
            f"same sync code; at least {TARGET_B} of plain Flask's throughput under gunicorn "
            f"on json_small and text; a 1 GiB file sent at {TARGET_C} of its throughput with "
            "less than 20 MB of peak RSS growth. The benchmark checks and reports them; no "
            "test asserts them."
        ),
        "",
        (
            "This page is written by `hatch run bench:run`; the figures below are from its "
            f"latest run, started {results['started']} and lasting "
            f"{results['seconds'] / 60:.1f} minutes."
        ),
        "",
        "## The machine",
        "",
        *_machine_lines(m),
        f"- Load average at the end: {end_load}",
        "",
        (
            "On a shared or virtual machine the figures move from run to run, the more so "
            "when other work runs beside them (see the load averages). The A/A column, plain "
            "Flask against a second instance of itself, is the noise floor of this run: a "
            "ratio inside its band is no measurable difference."
        ),
        "",
        "## Targets",
        "",
        *(f"- {line}" for line in targets(results)),
        "",
        "## Mode A: in process, CPU time per request",
        "",
        f"![Mode A: ratio per sync endpoint with the A/A noise band; async endpoints "
        f"against the same sync code]({image})",
        "",
        table_a(a, aa),
        "",
        (
            f"{a['rounds']} rounds; in each, about {options['block_seconds']:g} s of CPU per "
            f"endpoint and app, alternating in {options['slices']} slices, garbage collector "
            f"{a['gc']}. Every figure includes the harness's own {a['harness_us']:.1f} µs/req "
            "(copying the environ, consuming the body). Ratio: median Flask-Express µs/req "
            "over median Flask µs/req; min-max: the extremes of the per-round ratios. The "
            "per-request figures themselves move from round to round on a shared machine; "
            "the ratios, measured side by side, much less."
        ),
        "",
        "## Async views: faster than plain Flask",
        "",
        (
            "Plain Flask runs every `async def` view, and every `async def` `before_request` "
            "function, through asgiref's `async_to_sync`: a new event loop in a new thread "
            "for each call. A `FlaskExpress` app runs its async views and `app.use` "
            "middleware on an event loop kept per worker thread (the app's `FX_ASYNC_LOOP` "
            "config set to `False` turns it off); a chain of async middleware runs as one "
            "coroutine with the view. This is where Flask-Express is faster than plain "
            "Flask, not just as fast. Each async endpoint is timed in the same run as its "
            "sync twin, the same view without `async def`, the two alternating slice by "
            "slice on the same app in every round:"
        ),
        "",
        table_async(a),
        "",
        *_async_sentences(a),
        "",
        *profile_section(results),
        "",
        "## Mode B: gunicorn and wrk",
        "",
        table_b(b),
        "",
        (
            f"One gunicorn with {b['workers']} worker per app: a sync worker, or for the "
            f"async endpoints a gthread worker ({', '.join(gthread) or 'not run'}), how "
            "asyncio code is served without an ASGI server. "
            f"{b['client_version']} with one thread and {b['connections']} connections; "
            f"{b['duration']:g} s per run, {b['pairs']} pairs of runs interleaved (Flask then "
            "Flask-Express, then the other way round, ...); medians over the pairs, min-max "
            "of the per-pair ratios. Many short runs, so a busy spell of the machine spoils "
            "few."
            + (" Server and load generator pinned to one core each." if b["pinned"] else "")
            + " Server CPU: user + system time of the gunicorn master and worker (all its "
            "threads) from /proc, per request served; it includes gunicorn's own work "
            "(accept, parse, write), so its ratio is diluted compared with Mode A's, and it "
            "is less noisy than throughput."
        ),
        "",
        "## Mode C: a 1 GiB file",
        "",
        table_c(c),
        "",
        (
            "The same sparse 1 GiB file (next to no disk) from both apps under gunicorn (one "
            "sync worker each), downloaded by a streaming client on a raw socket into a "
            f"reused 1 MiB buffer: one untimed download per app, then {c['pairs']} "
            "interleaved pairs (the order alternating). Peak RSS: `VmHWM` of the worker "
            "after a warm-up with the 4 kB file, then after every download."
        ),
        "",
        "## The endpoints",
        "",
        (
            "Each endpoint is written the natural way in each style "
            "(`integration_tests/benchmarks/apps.py`); the middleware endpoints have apps of "
            "their own, so the others do not pay for them:"
        ),
        "",
        *_endpoint_table(),
        "",
        (
            "Before anything is timed, every app's response to every endpoint is checked once "
            "(status, headers, body bytes) against what the endpoint must answer, so a fast "
            "broken endpoint cannot win. Where the two styles' responses differ, by design:"
        ),
        "",
        *(differences or ["- none"]),
        "",
        "Measured in this run (Flask vs Flask-Express, `Date` and cookie `Expires` aside):",
        "",
        *(measured_differences or ["- no difference"]),
        "",
        "## How it measures",
        "",
        (
            "- **Mode A** (`hatch run bench:a`): both apps in one Python process, called "
            "through WSGI directly. One environ per endpoint (Werkzeug's `EnvironBuilder`), "
            "copied per request with a fresh input stream; the app iterator is consumed and "
            "closed. Each round runs N requests on plain Flask and the same N on "
            "Flask-Express for every endpoint, alternating in slices of about 10 ms (A B, "
            "B A, A B, ...): on a shared or virtual machine the CPU time of the same request "
            "can double from one tenth of a second to the next (a busy sibling core), and "
            "slices let both sides see the same machine. N is sized so every endpoint gets "
            "about the same CPU time. Time: `time.process_time()` (CPU of the whole process, "
            "so the threads plain Flask starts for `async def` views count too)."
        ),
        (
            "- **Async against sync**: in every round, each style's async endpoint "
            "alternates with its sync twin on the same app, slice by slice, the same number "
            "of requests each; the async/sync ratio is the median async µs/req over the "
            "median sync µs/req, min-max over the per-round ratios. Not against the other "
            "style: plain Flask's way starts and ends a thread and an event loop per call, "
            "and the requests of whichever app runs next are slower for a while afterwards "
            "(about 40 µs each over the first hundred here), which would bill one style for "
            "the other. A slice has at least 20 requests: the first requests after a switch "
            "run on cold caches."
        ),
        (
            "- **Garbage collection** stays on while timing: allocating more is a real cost "
            "of a layer. The setup's objects are frozen (`gc.freeze()`) and a full "
            "collection runs before every slice, so each starts from the same state "
            "(`--gc off` disables the collector while timing instead)."
        ),
        (
            "- **Mode A/A** (`hatch run bench:aa`): the same run with plain Flask on both "
            "sides (two instances of one app factory)."
        ),
        (
            "- **Profiles**: after Mode A, every endpoint that missed its target is run under "
            "cProfile on both sides (`hatch run bench:profile`), and the functions whose "
            "own time grew the most are listed above."
        ),
        (
            "- **Mode B** (`hatch run bench:b`): gunicorn on 127.0.0.1, and wrk (`wrk -t1 -c2 "
            "--latency`; the command installs it with `apt-get` when it is missing, else a "
            "Python load generator stands in). One worker and one wrk thread on a two-core "
            "machine: each gets a core, and two connections keep the worker busy (a sync "
            "worker closes every connection and the second one waits in the accept queue; "
            "a gthread worker keeps both alive, one per thread). More workers than cores "
            "would measure the scheduler. p50/p99 come from wrk's latency distribution."
        ),
        "- **Mode C** (`hatch run bench:c`): as above.",
        "- Servers bind 127.0.0.1 on free ports and are stopped by SIGTERM to their PID.",
        (
            "- `.ci/run` (`hatch test`) runs `integration_tests/benchmarks/test_smoke.py`: a "
            "few hundred requests per endpoint and style through Mode A's harness, every "
            "response checked, nothing timed."
        ),
        "",
        *_MADE_FAST,
        "",
        "## Reproduce",
        "",
        'From the root of a clone, after the README\'s set-up (`pip install "hatch>=1.18,<1.19"`):',
        "",
        "```sh",
        "hatch run bench:run      # every mode; JSON, Markdown and chart in",
        "                         # integration_tests/benchmarks/results/, and this page",
        f"                         # ({results['seconds'] / 60:.0f} minutes here)",
        "hatch run bench:a        # Mode A and its profiles (about 2 minutes)",
        "hatch run bench:aa       # Mode A/A, the noise floor (about 2 minutes)",
        "hatch run bench:b        # Mode B (about 5 minutes; installs wrk if missing)",
        "hatch run bench:c        # Mode C (about 20 seconds)",
        "hatch run bench:smoke    # every endpoint, every response checked (seconds)",
        "hatch run bench:profile  # cProfile, Flask-Express against Flask, some endpoints",
        "hatch run bench:profile --against sync   # async endpoints against their sync twin",
        "```",
        "",
        (
            "Options go after the command, e.g. `hatch run bench:a --rounds 21 --endpoints "
            "json_small,text`: `--rounds`, `--block-seconds`, `--slices`, `--requests`, "
            "`--gc on|off`, `--endpoints` (an async endpoint brings its sync twin), "
            "`--duration`, `--pairs`, `--client wrk|python`, `--no-pin`, `--no-profile`, "
            "`--against flask|sync` (profile), `--quick` (a fast, rough pass that leaves "
            "this page alone), `--no-docs`, `--out DIR`, `--strict` (exit 1 when a target is "
            "missed). Modes B and C need Linux (/proc). Run it on an otherwise idle machine "
            "for figures worth comparing."
        ),
        "",
    ]
    return "\n".join(lines)
