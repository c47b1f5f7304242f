"""The outputs of a run: JSON, Markdown tables, the chart and docs/benchmarks.md."""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import subprocess
import sys
import typing as t
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .apps import ENDPOINTS

__all__ = [
    "DOCS_IMAGE",
    "DOCS_PAGE",
    "RESULTS",
    "chart",
    "docs_page",
    "machine",
    "markdown",
    "our_distributions",
    "write_json",
]

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
#: Where every run writes its JSON and Markdown (ignored by git).
RESULTS = HERE / "results"
DOCS_PAGE = REPO / "docs" / "benchmarks.md"
DOCS_IMAGE = REPO / "docs" / "benchmarks.png"

#: The targets of the issue; checked and reported, never asserted by a test.
TARGET_A = 1.05
AIM_A = 1.02
TARGET_B = 0.95
TARGET_B_ENDPOINTS = ("json_small", "text")
TARGET_C = 0.95
TARGET_C_RSS = 20_000_000  # 20 MB

_THIRD_PARTY = ("flask", "werkzeug", "jinja2", "asgiref", "gunicorn")
_WORKSPACE = REPO / ".github" / "scripts" / "workspace.py"


def our_distributions() -> tuple[t.Any, ...]:
    """The distributions under packages/, core first and meta-package last:
    ``workspace.distributions()`` of .github/scripts/workspace.py."""
    # .github/scripts is no package, and a bench run does not put it on
    # sys.path: load the file by its path, once.
    module = sys.modules.get("_fx_workspace")
    if module is None:
        spec = importlib.util.spec_from_file_location("_fx_workspace", _WORKSPACE)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return tuple(module.distributions())


#: What profiling the hot path showed and what changed; written by hand, so
#: it stays true from run to run.
_PROFILE_NOTES = [
    "## Where the time went",
    "",
    (
        "`hatch run bench:profile --endpoints NAME` runs both apps under cProfile and lists the "
        "functions whose own time grew the most. The first full run of this suite gave ratios "
        "of 1.02 (async) to 1.55 (attachment): json_small 1.165, text 1.097, cookie 1.145, "
        "send_file_small 1.292, attachment 1.550, middleware_chain 1.164. What the profiles "
        "showed, and what changed:"
    ),
    "",
    (
        "- **Proxy lookups.** Each `current_app` or `request` attribute costs a context-variable "
        "lookup. `res` keeps the app it was made for, and the terminal methods read its config, "
        "JSON provider, Jinja environment, `MAX_COOKIE_SIZE` and file settings from it, still "
        "on every call."
    ),
    (
        "- **Missing-header tests.** Werkzeug's `Headers` answers `in` for an absent name by "
        "raising and catching `KeyError`; the builder's headers scan instead, and every "
        "terminal method asks whether a `Content-Type` was set."
    ),
    (
        "- **A second response for files.** `send_file`, `attachment` and `download` built "
        "Flask's own file response and moved it into `res`. Werkzeug's `send_file` now builds "
        "into `res`, with the values `flask.send_file` would add; a confined name costs one "
        "`lstat` per part, the folder's resolved path is kept, and the overflowing-date guard "
        "runs only when a conditional date header is there."
    ),
    (
        "- **Per-call checks.** Route parameter names are found when the route is registered; "
        "`req` builds each Munch view on first use; cookie arguments call their helpers only "
        "for uncommon values; `res.locals` is made only when a view uses it; the middleware "
        "dispatch skips the blueprint lookups when no blueprint has middleware; `ensure_sync`, "
        "which Flask also calls for context processors and `before_request` functions, tests "
        "a bound method by its type."
    ),
]


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


def table_a(a: Mapping[str, t.Any], aa: Mapping[str, t.Any] | None) -> str:
    """Mode A's table, with the A/A noise floor beside each ratio."""
    noise = {e["endpoint"]: e for e in aa["endpoints"]} if aa else {}
    lines = [
        "| endpoint | Flask µs/req | Flask-Express µs/req | ratio | min-max over rounds "
        f"| A/A noise floor (min-max) | ≤ {TARGET_A} |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for e in a["endpoints"]:
        n = noise.get(e["endpoint"])
        floor = f"{n['ratio']:.3f} ({n['ratio_min']:.3f}-{n['ratio_max']:.3f})" if n else "not run"
        lines.append(
            f"| {e['endpoint']} | {e['a_median_us']:.1f} | {e['b_median_us']:.1f} | "
            f"**{e['ratio']:.3f}** | {e['ratio_min']:.3f}-{e['ratio_max']:.3f} | {floor} | "
            f"{_yes(e['ratio'] <= TARGET_A)} |"
        )
    return "\n".join(lines)


def table_b(b: Mapping[str, t.Any]) -> str:
    lines = [
        "| endpoint | Flask req/s | Flask-Express req/s | throughput ratio (min-max) "
        "| p50 ms Flask / FX | p99 ms Flask / FX | server CPU µs/req Flask / FX (ratio) "
        f"| target ≥ {TARGET_B} |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for e in b["endpoints"]:
        f, x = e["sides"]["flask"], e["sides"]["fx"]
        target = (
            _yes(e["throughput_ratio"] >= TARGET_B) if e["endpoint"] in TARGET_B_ENDPOINTS else "-"
        )
        lines.append(
            f"| {e['endpoint']} | {f['rps']:.0f} | {x['rps']:.0f} | "
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
    """One line per target of the issue, met or not."""
    out = []
    a = results.get("a")
    if a:
        worst = max(a["endpoints"], key=lambda e: e["ratio"])
        missed = [e["endpoint"] for e in a["endpoints"] if e["ratio"] > TARGET_A]
        over_aim = [e["endpoint"] for e in a["endpoints"] if e["ratio"] > AIM_A]
        out.append(
            f"Mode A, every ratio ≤ {TARGET_A}: {_yes(not missed)} (worst {worst['endpoint']} "
            f"{worst['ratio']:.3f}"
            + (f"; above {TARGET_A}: {', '.join(missed)}" if missed else "")
            + f"; above the {AIM_A} aim: {', '.join(over_aim) or 'none'})"
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
    elif results.get("aa"):
        aa = results["aa"]
        out += ["## Mode A/A: plain Flask against itself", "", table_a(aa, None), ""]
    if results.get("b"):
        b = results["b"]
        out += [
            f"## Mode B: gunicorn ({b['workers']} sync worker), {b['client']} "
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
    """Mode A's ratio per endpoint (min-max over rounds as whiskers), the A/A
    noise band of each endpoint, and the target lines; saved as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    rows = list(reversed(a["endpoints"]))
    noise = {e["endpoint"]: e for e in aa["endpoints"]} if aa else {}
    names = [e["endpoint"] for e in rows]
    ratios = [e["ratio"] for e in rows]
    lows = [e["ratio"] - e["ratio_min"] for e in rows]
    highs = [e["ratio_max"] - e["ratio"] for e in rows]
    ys = list(range(len(rows)))

    fig, ax = plt.subplots(figsize=(9, 0.48 * len(rows) + 1.8), dpi=120)
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
        "#2e7d32" if r <= AIM_A else "#f9a825" if r <= TARGET_A else "#c62828" for r in ratios
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
    ax.axvline(AIM_A, color="#2e7d32", linestyle=":", linewidth=1.2, zorder=2)
    ax.axvline(TARGET_A, color="#c62828", linestyle="--", linewidth=1.2, zorder=2)
    ax.set_yticks(ys, names)
    lo = min([0.9, *(e["ratio_min"] - 0.02 for e in rows)])
    hi = max([1.15, *(e["ratio_max"] + 0.06 for e in rows)])
    ax.set_xlim(lo, hi)
    ax.set_xlabel("CPU time per request, Flask-Express / plain Flask (1.0 = same cost)")
    ax.set_title("Mode A: Flask-Express against plain Flask, in process", fontsize=11)
    ax.grid(axis="x", color="#dddddd", zorder=0)
    ax.set_axisbelow(True)
    handles = [
        Patch(color="#2e7d32", label=f"≤ {AIM_A} (aim)"),
        Patch(color="#f9a825", label=f"≤ {TARGET_A} (target)"),
        Patch(color="#c62828", label=f"> {TARGET_A}"),
        Patch(color="#bbbbbb", alpha=0.55, label="A/A noise band (Flask vs Flask, min-max)"),
    ]
    ax.legend(handles=handles, loc="lower right", fontsize=8, framealpha=0.95)
    fig.text(
        0.01,
        0.005,
        f"Median of {a['rounds']} interleaved rounds; whiskers: min-max of per-round ratios. "
        f"Dotted: {AIM_A} aim, dashed: {TARGET_A} target.",
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


def docs_page(results: Mapping[str, t.Any], image: str) -> str:
    """docs/benchmarks.md for a full run (modes A, A/A, B and C).

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
    lines = [
        "# Benchmarks",
        "",
        (
            "Flask-Express is worth choosing over plain Flask only if the Express style costs "
            "nothing. Its predecessor, flask-express 0.1.4, made every request 1.04x to 2.08x "
            "as costly in CPU as the same endpoint in plain Flask. The targets for 1.x: every "
            f"endpoint within {TARGET_A} of plain Flask's CPU time in process (aim {AIM_A}), "
            f"at least {TARGET_B} of its throughput under gunicorn on json_small and text, and "
            f"a 1 GiB file sent at {TARGET_C} of its throughput with less than 20 MB of peak "
            "RSS growth. The benchmark checks and reports them; no test asserts them."
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
        f"![Mode A ratio per endpoint, with the A/A noise band]({image})",
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
        "## Mode B: gunicorn and wrk",
        "",
        table_b(b),
        "",
        (
            f"One gunicorn with {b['workers']} sync worker per app; {b['client_version']} "
            f"with one thread and {b['connections']} connections; {b['duration']:g} s per "
            f"run, {b['pairs']} pairs of runs interleaved (Flask then Flask-Express, then the "
            "other way round, ...); medians over the pairs, min-max of the per-pair ratios. "
            "Many short runs, so a busy spell of the machine spoils few."
            + (" Server and load generator pinned to one core each." if b["pinned"] else "")
            + " Server CPU: user + system time of the gunicorn master and worker from /proc, "
            "per request served; it includes gunicorn's own work (accept, parse, write), so "
            "its ratio is diluted compared with Mode A's, and it is less noisy than "
            "throughput."
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
            "(`integration_tests/benchmarks/apps.py`):"
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
        *_PROFILE_NOTES,
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
            "so the threads `async def` views run in count too)."
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
            "- **Mode B** (`hatch run bench:b`): gunicorn with sync workers on 127.0.0.1, and "
            "wrk (`wrk -t1 -c2 --latency`; the command installs it with `apt-get` when it is "
            "missing, else a Python load generator stands in). One worker and one wrk "
            "thread on a two-core machine: each gets a core, and two connections keep the "
            "worker busy, since a sync worker closes every connection (the second one waits "
            "in the accept queue). More workers than cores would measure the scheduler. "
            "p50/p99 come from wrk's latency distribution."
        ),
        "- **Mode C** (`hatch run bench:c`): as above.",
        "- Servers bind 127.0.0.1 on free ports and are stopped by SIGTERM to their PID.",
        (
            "- `.ci/run` (`hatch test`) runs `integration_tests/benchmarks/test_smoke.py`: a "
            "few hundred requests per endpoint and style through Mode A's harness, every "
            "response checked, nothing timed."
        ),
        "",
        "## Reproduce",
        "",
        'From the root of a clone, after the README\'s set-up (`pip install "hatch>=1.18,<1.19"`):',
        "",
        "```sh",
        "hatch run bench:run      # every mode; JSON, Markdown and chart in",
        "                         # integration_tests/benchmarks/results/, and this page",
        f"                         # ({results['seconds'] / 60:.0f} minutes here)",
        "hatch run bench:a        # Mode A (about 1 minute)",
        "hatch run bench:aa       # Mode A/A, the noise floor (about 1 minute)",
        "hatch run bench:b        # Mode B (about 4 minutes; installs wrk if missing)",
        "hatch run bench:c        # Mode C (about 20 seconds)",
        "hatch run bench:smoke    # every endpoint, every response checked (seconds)",
        "hatch run bench:profile  # cProfile, Flask-Express against Flask, some endpoints",
        "```",
        "",
        (
            "Options go after the command, e.g. `hatch run bench:a --rounds 21 --endpoints "
            "json_small,text`: `--rounds`, `--block-seconds`, `--slices`, `--requests`, "
            "`--gc on|off`, `--endpoints`, `--duration`, `--pairs`, `--client wrk|python`, "
            "`--no-pin`, `--quick` (a fast, rough pass over every mode that leaves this page "
            "alone), `--no-docs`, `--strict` (exit 1 when a target is missed). Modes B and C "
            "need Linux (/proc). Run it on an otherwise idle machine for figures worth "
            "comparing."
        ),
        "",
    ]
    return "\n".join(lines)
