"""fx-core's public API against its last release: a break needs a major bump.

Usage (from the repository root)::

    hatch run api:check       # exit 1 when fx_core's public API broke within a major version
    hatch run api:baseline    # rewrite packages/fx-core/api/fx_core.json from the source

``check`` compares the public API of ``fx_core`` (packages/fx-core/src) with
the newest final release tag ``fx-core-v<version>`` not above the current
version, through ``griffe check --against <tag>``. Before the first release,
or in a clone without tags, it compares with the stored baseline
packages/fx-core/api/fx_core.json instead: a griffe JSON dump of the API, with
the fx-core version it was taken at. A breaking change (a removed public name,
a removed, renamed or reordered parameter, a new required parameter, a changed
default, a changed kind of object, ...) fails unless the major version of
fx-core differs from the one compared with. The pieces (fx-cookies, fx-files,
...) depend on ``fx-core>=1,<2`` and rely on that promise.

``baseline`` is for a release of fx-core or a deliberate major bump; see
docs/api-stability.md. Nothing here uses the network.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import griffe
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[2]
DISTRIBUTION = "fx-core"
PACKAGE = "fx_core"
#: Paths relative to the root: ``griffe check`` resolves its search path
#: inside the worktree of the tag only when it is relative.
SOURCE = Path("packages/fx-core/src")
ABOUT = SOURCE / PACKAGE / "__about__.py"
BASELINE = Path("packages/fx-core/api/fx_core.json")
TAG_PREFIX = f"{DISTRIBUTION}-v"
FORMATS = ("oneline", "verbose", "markdown", "github")
_VERSION_LINE = re.compile(r'^__version__ = "([^"]+)"$', re.MULTILINE)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: The values of griffe.Kind for objects, whose dumps carry docstrings and file paths.
_OBJECT_KINDS = frozenset({"module", "class", "function", "attribute", "type alias"})


class CheckError(Exception):
    """The check cannot run; the message says why."""


@dataclass(frozen=True)
class Release:
    """A final release of fx-core, as its git tag."""

    tag: str
    version: Version


@dataclass(frozen=True)
class Baseline:
    """The stored API of fx-core and the version it was taken at."""

    path: Path
    version: Version
    api: griffe.Object | griffe.Alias


def current_version(root: Path = ROOT) -> Version:
    """The version in fx-core's ``__about__.py`` under ``root``."""
    about = root / ABOUT
    found = _VERSION_LINE.search(about.read_text())
    if found is None:
        raise CheckError(f"{about}: no __version__ line")
    return Version(found.group(1))


def _git(root: Path, *args: str) -> str | None:
    """Output of a git command in ``root``, or None when git or the repository is missing."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def is_repository_root(root: Path) -> bool:
    """Whether ``root`` is the top of a git work tree (a copy inside another repository is not)."""
    top = _git(root, "rev-parse", "--show-toplevel")
    return top is not None and Path(top).resolve() == root.resolve()


def latest_release(root: Path, current: Version) -> Release | None:
    """The newest final ``fx-core-v*`` tag whose version is not above ``current``.

    Tags above ``current`` are left out so that a maintenance branch of an
    older major is compared with its own line, not with a later major.
    """
    if not is_repository_root(root):
        return None
    listed = _git(root, "tag", "--list", f"{TAG_PREFIX}*")
    releases = []
    for tag in (listed or "").splitlines():
        try:
            version = Version(tag.removeprefix(TAG_PREFIX))
        except InvalidVersion:
            continue
        if not (version.is_prerelease or version.is_devrelease) and version <= current:
            releases.append(Release(tag, version))
    return max(releases, key=lambda release: release.version, default=None)


def load_source(root: Path = ROOT) -> griffe.Object | griffe.Alias:
    """fx_core as griffe sees it in ``root``'s source, with the options of ``griffe check``."""
    return griffe.load(
        PACKAGE,
        search_paths=[root / SOURCE],
        try_relative_path=False,
        resolve_aliases=True,
        resolve_external=None,
    )


def _slim(node: Any, root: Path) -> Any:
    """A dumped API without docstrings (not API, and most of the file) and
    with module paths relative to ``root`` (the file is committed)."""
    if isinstance(node, list):
        return [_slim(item, root) for item in node]
    if not isinstance(node, dict):
        return node
    is_object = node.get("kind") in _OBJECT_KINDS
    slim = {}
    for key, value in node.items():
        if is_object and key == "docstring":
            continue
        if is_object and key == "filepath" and isinstance(value, str):
            value = Path(value).resolve().relative_to(root.resolve()).as_posix()
        slim[key] = _slim(value, root)
    return slim


def dump_api(root: Path = ROOT) -> dict[str, Any]:
    """The stored form of fx_core's API: version, griffe version, and the dump."""
    api = json.loads(load_source(root).as_json(full=False))
    return {
        "distribution": DISTRIBUTION,
        "version": str(current_version(root)),
        "griffe": installed_version("griffe"),
        "written_by": "hatch run api:baseline",
        PACKAGE: _slim(api, root),
    }


def write_baseline(root: Path = ROOT) -> Path:
    """Rewrite the stored baseline from the source in ``root``; return its path."""
    path = root / BASELINE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dump_api(root), indent=1, ensure_ascii=False) + "\n")
    return path


def load_baseline(root: Path = ROOT) -> Baseline:
    """The stored baseline, decoded back into griffe objects."""
    path = root / BASELINE
    if not path.is_file():
        raise CheckError(
            f"no release tag {TAG_PREFIX}* and no {BASELINE}: run hatch run api:baseline"
        )
    data = json.loads(path.read_text(), object_hook=griffe.json_decoder)
    api = data.get(PACKAGE)
    if not isinstance(api, griffe.Module):
        raise CheckError(f"{path}: no {PACKAGE} module in it")
    # Aliases (fx_core.Response -> fx_core.response.Response) resolve through
    # a modules collection, which a decoded tree does not have; griffe offers
    # it only as Module's constructor argument, stored in this attribute.
    collection = griffe.ModulesCollection()
    collection.set_member(api.path, api)
    api._modules_collection = collection
    return Baseline(path, Version(data["version"]), api)


def breaking_changes(
    old: griffe.Object | griffe.Alias, new: griffe.Object | griffe.Alias
) -> list[griffe.Breakage]:
    """Every breaking change from ``old`` to ``new``, public objects only."""
    return list(griffe.find_breaking_changes(old, new))


def explain(breakage: griffe.Breakage, style: str) -> str:
    """One breaking change with its location, in griffe's words, without colours."""
    return _ANSI.sub("", breakage.explain(style=griffe.ExplanationStyle(style))).rstrip()


def check_against_tag(root: Path, release: Release, current: Version, style: str) -> int:
    """``griffe check`` against a release tag; 0 when compatible or the major changed."""
    command = [
        sys.executable,
        "-m",
        "griffe",
        "check",
        PACKAGE,
        "--search",
        SOURCE.as_posix(),
        "--against",
        release.tag,
        "--format",
        style,
        "--no-color",
    ]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    output = (done.stdout + done.stderr).strip()
    # griffe exits 1 on a crash too (a leftover worktree branch, a broken ref).
    if done.returncode not in (0, 1) or "Traceback (most recent call last)" in output:
        raise CheckError(f"{' '.join(command[2:])} failed ({done.returncode}):\n{output}")
    return report(
        f"release tag {release.tag}",
        release.version,
        current,
        output.splitlines() if done.returncode == 1 else [],
    )


def check_against_baseline(root: Path, current: Version, style: str) -> int:
    """The source against the stored baseline; 0 when compatible or the major changed."""
    baseline = load_baseline(root)
    found = breaking_changes(baseline.api, load_source(root))
    return report(
        f"the stored baseline {BASELINE.as_posix()} (no release tag {TAG_PREFIX}* found)",
        baseline.version,
        current,
        [explain(breakage, style) for breakage in found],
    )


def _indent(explanations: list[str]) -> str:
    return "\n".join(f"  {line}" for text in explanations for line in text.splitlines())


def report(against: str, old: Version, current: Version, lines: list[str]) -> int:
    """Print the outcome of a comparison; return the exit code."""
    compared = f"{DISTRIBUTION} {current} against {against}, taken at {DISTRIBUTION} {old}"
    if not lines:
        print(f"api-check: no breaking change in {compared}.")
        return 0
    if current.major != old.major:
        print(f"api-check: breaking changes in {compared}, allowed by the major version change:")
        print(_indent(lines))
        if current.major > old.major:
            print(
                f"api-check: once {DISTRIBUTION} {current.major}.x is released, run "
                "hatch run api:baseline so that the next break is caught."
            )
        return 0
    print(f"api-check: breaking changes in {compared}:", file=sys.stderr)
    print(_indent(lines), file=sys.stderr)
    print(
        f"api-check: the pieces require {DISTRIBUTION}>={old.major},<{old.major + 1}: keep the "
        f"old names and signatures (add, do not change), or bump {DISTRIBUTION} to "
        f"{old.major + 1}.0.0 and update their ranges (docs/api-stability.md).",
        file=sys.stderr,
    )
    return 1


def check(root: Path = ROOT, style: str = "oneline") -> int:
    """Compare fx_core's API with the last release, or with the stored baseline."""
    current = current_version(root)
    release = latest_release(root, current)
    if release is not None:
        return check_against_tag(root, release, current, style)
    if _git(root, "rev-parse", "--is-shallow-repository") == "true":
        print(f"api-check: a shallow clone may lack the {TAG_PREFIX}* tags (fetch-depth: 0).")
    return check_against_baseline(root, current, style)


def main(argv: list[str] | None = None) -> int:
    """The command line: ``check`` or ``baseline``."""
    parser = argparse.ArgumentParser(prog="api_check", description=__doc__.partition("\n")[0])
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="the repository (or copy) holding packages/fx-core; default: this repository",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check_cmd = commands.add_parser("check", help="fail on a breaking change without a major bump")
    check_cmd.add_argument(
        "--format", choices=FORMATS, default="oneline", help="griffe's explanation style"
    )
    commands.add_parser("baseline", help=f"rewrite {BASELINE.as_posix()} from the source")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    try:
        if args.command == "check":
            return check(root, args.format)
        path = write_baseline(root)
        print(f"api-check: wrote {path} ({DISTRIBUTION} {current_version(root)})")
    except CheckError as e:
        print(f"api-check: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
