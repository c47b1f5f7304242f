"""The command line of the benchmark suite (``hatch run bench:<mode>``)."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import typing as t
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from . import mode_b, profiling
from .apps import ENDPOINTS, endpoint
from .mode_a import ModeAConfig, run_mode_a
from .mode_b import ModeBConfig, run_mode_b
from .mode_c import ModeCConfig, run_mode_c
from .report import (
    DOCS_IMAGE,
    DOCS_PAGE,
    RESULTS,
    async_over_target,
    chart,
    docs_page,
    load_average,
    machine,
    markdown,
    over_target,
    targets,
    write_json,
)

__all__ = ["main"]

MODES = ("all", "a", "aa", "b", "c", "smoke", "profile")
#: Fewest rounds a reported Mode A run may have.
MIN_ROUNDS = 7
#: Requests per endpoint and style in the smoke run.
SMOKE_REQUESTS = 300


def log(line: str) -> None:
    print(line, flush=True)


def _names(text: str | None) -> list[str]:
    if not text:
        return []
    names = [name.strip() for name in text.split(",") if name.strip()]
    for name in names:
        endpoint(name)  # KeyError listing the names
    return names


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hatch run bench:<mode>",
        description="Plain Flask 3 against Flask-Express on the same endpoints.",
    )
    p.add_argument("mode", choices=MODES, help="what to run (all: A, A/A, B and C)")
    p.add_argument(
        "--endpoints",
        help="comma-separated endpoint names (default: all for Mode A, "
        f"{','.join(mode_b.DEFAULT_ENDPOINTS)} for B); one of: "
        + ", ".join(ep.name for ep in ENDPOINTS),
    )
    p.add_argument("--rounds", type=int, help="Mode A rounds (default 15, --quick 7; at least 7)")
    p.add_argument(
        "--block-seconds",
        type=float,
        default=0.12,
        help="Mode A CPU seconds per side, endpoint and round",
    )
    p.add_argument("--slices", type=int, default=12, help="Mode A alternations per round")
    p.add_argument("--requests", type=int, help="Mode A requests per block (overrides the above)")
    p.add_argument("--gc", choices=("on", "off"), default="on", help="Mode A collector")
    p.add_argument("--duration", type=int, default=2, help="Mode B seconds per run (whole seconds)")
    p.add_argument("--pairs", type=int, help="pairs of runs: Mode B (default 12), C (default 9)")
    p.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    p.add_argument("--no-pin", action="store_true", help="do not pin server and client to cores")
    p.add_argument("--quick", action="store_true", help="a fast, rough pass (not for the docs)")
    p.add_argument("--no-docs", action="store_true", help="all: leave docs/benchmarks.md alone")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    p.add_argument(
        "--against",
        choices=profiling.AGAINST,
        default="flask",
        help="profile: Flask-Express against plain Flask, or (async endpoints) against "
        "the same sync view in Flask-Express",
    )
    p.add_argument(
        "--no-profile",
        action="store_true",
        help="all, a: skip profiling the endpoints that miss their Mode A target",
    )
    p.add_argument("--out", type=Path, default=RESULTS, help="folder for JSON and Markdown")
    return p


def _mode_a_config(args: argparse.Namespace, pair: str) -> ModeAConfig:
    return ModeAConfig(
        pair=pair,
        rounds=args.rounds,
        block_seconds=0.03 if args.quick else args.block_seconds,
        slices=args.slices,
        requests=args.requests,
        gc=args.gc,
        endpoints=_names(args.endpoints),
        log=log,
    )


def _smoke(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    result = run_mode_a(
        ModeAConfig(
            rounds=1,
            requests=args.requests or SMOKE_REQUESTS,
            warmup=0,
            endpoints=_names(args.endpoints),
            check_every=True,
            log=log,
        )
    )
    checked = sum(e.checked for e in result.endpoints)
    log(
        f"smoke: {len(result.endpoints)} endpoints, {checked} responses checked, all as "
        f"expected ({time.perf_counter() - started:.1f} s)"
    )
    for e in result.endpoints:
        if e.differences:
            log(f"  {e.endpoint}: Flask vs Flask-Express: {'; '.join(e.differences)}")
    return 0


def _profile(args: argparse.Namespace, stamp: str) -> int:
    default = (
        profiling.DEFAULT_ENDPOINTS
        if args.against == "flask"
        else [ep.name for ep in ENDPOINTS if ep.is_async]
    )
    names = _names(args.endpoints) or list(default)
    results = profiling.profile_endpoints(
        names, requests=args.requests or 3000, against=args.against
    )
    text = profiling.format_profiles(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{stamp}-profile.md").write_text(text)
    write_json(
        {"started": stamp, "machine": machine(), "profiles": [r.as_dict() for r in results]},
        args.out / f"{stamp}-profile.json",
    )
    log(text)
    log(f"written: {args.out / f'{stamp}-profile.md'}")
    return 0


def _profile_misses(args: argparse.Namespace, a: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Profiles of the endpoints of Mode A run ``a`` that missed their
    target, for the report's "where the remaining microseconds go"."""
    requests = 1000 if args.quick else 3000
    out: dict[str, t.Any] = {}
    for key, names, against in (
        ("profiles", [e["endpoint"] for e in over_target(a)], "flask"),
        ("async_profiles", [x["endpoint"] for x in async_over_target(a)], "sync"),
    ):
        if names:
            log(f"Profiling {', '.join(names)} against {against}")
        found = profiling.profile_endpoints(names, requests=requests, against=against)
        out[key] = [r.as_dict() for r in found]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.rounds is None:
        args.rounds = MIN_ROUNDS if args.quick else 15
    if args.mode in ("all", "a", "aa") and args.rounds < MIN_ROUNDS:
        parser().error(f"--rounds must be at least {MIN_ROUNDS}")
    now = datetime.now(timezone.utc)
    stamp = now.strftime("%Y-%m-%dT%H-%M-%SZ")

    if args.mode == "smoke":
        return _smoke(args)
    if args.mode == "profile":
        return _profile(args, stamp)

    started = time.perf_counter()
    results: dict[str, t.Any] = {
        "started": now.strftime("%Y-%m-%d %H:%M UTC"),
        "mode": args.mode,
        "machine": machine(),
        "options": {
            "rounds": args.rounds,
            "block_seconds": 0.03 if args.quick else args.block_seconds,
            "slices": args.slices,
            "requests": args.requests,
            "gc": args.gc,
            "duration": 1 if args.quick else args.duration,
            "pairs": args.pairs,
            "client": args.client,
            "pin": not args.no_pin,
            "quick": args.quick,
        },
    }
    log(f"Flask-Express benchmarks, mode {args.mode}, results in {args.out}")
    busy = results["machine"]["load_average_start"]
    if busy and busy[0] > 0.5 * (results["machine"]["cpus"] or 1):
        log(
            f"note: the machine is busy (load average {busy[0]}); figures will be noisier "
            "than on an idle one, the A/A noise floor shows by how much"
        )

    with tempfile.TemporaryDirectory(prefix="fx-bench-logs-") as logs:
        log_dir = Path(logs)
        if args.mode in ("all", "a"):
            log("Mode A: plain Flask (A) against Flask-Express (B), in process")
            results["a"] = run_mode_a(_mode_a_config(args, "ab")).as_dict()
            if not args.no_profile:
                results.update(_profile_misses(args, results["a"]))
        if args.mode in ("all", "aa"):
            log("Mode A/A: plain Flask against itself, the noise floor")
            results["aa"] = run_mode_a(_mode_a_config(args, "aa")).as_dict()
        if args.mode in ("all", "b"):
            log("Mode B: gunicorn and a load generator")
            results["b"] = run_mode_b(
                ModeBConfig(
                    endpoints=_names(args.endpoints) or mode_b.DEFAULT_ENDPOINTS,
                    duration=1 if args.quick else args.duration,
                    pairs=1 if args.quick else (args.pairs or 12),
                    client=args.client,
                    pin=not args.no_pin,
                    log_dir=log_dir,
                    log=log,
                )
            ).as_dict()
        if args.mode in ("all", "c"):
            log("Mode C: a 1 GiB sparse file from gunicorn")
            results["c"] = run_mode_c(
                ModeCConfig(
                    pairs=1 if args.quick else (args.pairs or 9),
                    pin=not args.no_pin,
                    log_dir=log_dir,
                    log=log,
                )
            ).as_dict()

    results["seconds"] = time.perf_counter() - started
    results["load_average_end"] = load_average()
    args.out.mkdir(parents=True, exist_ok=True)
    base = args.out / f"{stamp}-{args.mode}"
    write_json(results, base.with_suffix(".json"))
    text = markdown(results)
    base.with_suffix(".md").write_text(text)
    written = [base.with_suffix(".json"), base.with_suffix(".md")]
    if results.get("a"):
        chart(results["a"], results.get("aa"), base.with_name(base.name + "-mode-a.png"))
        written.append(base.with_name(base.name + "-mode-a.png"))
    if args.mode == "all":
        # The page as this run would write it, beside the run's other
        # outputs: a --quick or --no-docs run can be checked without
        # touching docs/.
        preview = base.with_name(base.name + "-page.md")
        preview.write_text(docs_page(results, base.name + "-mode-a.png"))
        written.append(preview)
    if args.mode == "all" and not args.no_docs and not args.quick:
        chart(results["a"], results["aa"], DOCS_IMAGE)
        DOCS_PAGE.write_text(docs_page(results, DOCS_IMAGE.name))
        written += [DOCS_PAGE, DOCS_IMAGE]

    log("")
    log(text)
    log(f"{results['seconds']:.0f} s; written:")
    for path in written:
        log(f"  {path}")
    missed = [line for line in targets(results) if "**no**" in line]
    if args.strict and missed:
        log("targets missed:\n  " + "\n  ".join(missed))
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
