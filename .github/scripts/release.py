"""Release tooling: bump one distribution and check the monorepo's ranges.

Usage (from the repository root)::

    hatch run release:bump fx-files minor     # or major, patch, release, or 1.4.0
    hatch run release:check                   # every range admits every version, and no
                                              # final release has a pre-release floor
    hatch run release:tag fx-files            # prints the tag to push: fx-files-v1.1.0

``bump`` writes the new version to the distribution's ``[tool.hatch.version]
path`` and moves the ``## Unreleased`` section of its CHANGELOG.md under a
heading for the new version, leaving an empty ``## Unreleased``. It refuses a
version that is not greater than the current one, an empty Unreleased
section, and a version that a sibling's range would no longer admit (update
that range first). A final version also rewrites the siblings' pre-release
floors on it (``fx-core>=1.0.0.dev0,<2``) to final ones (``fx-core>=1.0,<2``):
with a pre-release floor pip takes ``1.1.0rc1`` over ``1.0.0``. Pushing the
tag ``<dist>-v<version>`` makes .github/workflows/release.yml build and
publish that one distribution; it runs ``release.py resolve <tag>`` to learn
which one.

The distributions are those of workspace.py (every ``packages/*/pyproject.toml``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

# Run as a script, Python puts this folder on sys.path; the tests put it there too.
from workspace import ROOT, VERSION_LINE, Distribution, WorkspaceError, by_name

PARTS = ("major", "minor", "patch", "release")
_UNRELEASED = re.compile(r"^## Unreleased[ \t]*\n", re.MULTILINE)
_NEXT_HEADING = re.compile(r"^## ", re.MULTILINE)


class ReleaseError(Exception):
    """A release step that must not go on; the message says why."""


def distributions(root: Path = ROOT) -> dict[str, Distribution]:
    """Every distribution in ``root/packages``, by name (see workspace.py)."""
    try:
        return by_name(root)
    except WorkspaceError as e:
        raise ReleaseError(str(e)) from None


def next_version(current: Version, part: str) -> Version:
    """The version after ``current``: a part to bump, or an explicit version."""
    major, minor, patch = (*current.release, 0, 0, 0)[:3]
    if part == "release":
        if not (current.is_prerelease or current.is_devrelease):
            raise ReleaseError(f"{current} is already a final release")
        return Version(f"{major}.{minor}.{patch}")
    if part == "major":
        return Version(f"{major + 1}.0.0")
    if part == "minor":
        return Version(f"{major}.{minor + 1}.0")
    if part == "patch":
        if current.is_prerelease or current.is_devrelease:
            return Version(f"{major}.{minor}.{patch}")
        return Version(f"{major}.{minor}.{patch + 1}")
    try:
        wanted = Version(part)
    except ValueError:
        raise ReleaseError(f"{part!r} is neither one of {', '.join(PARTS)} nor a version") from None
    if wanted <= current:
        raise ReleaseError(f"{wanted} is not greater than the current {current}")
    return wanted


def range_problems(dists: dict[str, Distribution], overrides: dict[str, Version]) -> list[str]:
    """Each sibling requirement whose range does not admit the sibling's
    version (``overrides`` replaces versions about to change)."""
    problems = []
    for dist in dists.values():
        for requirement in dist.dependencies:
            sibling = dists.get(requirement.name)
            if sibling is None:
                continue
            version = overrides.get(sibling.name, sibling.version)
            if not requirement.specifier.contains(version, prereleases=True):
                problems.append(
                    f"{dist.name} requires {requirement}, which does not admit "
                    f"{sibling.name} {version}"
                )
    return problems


def _prerelease_floors(requirement: Requirement) -> list[Version]:
    """The lower bounds of ``requirement`` that are pre- or dev releases."""
    return [
        Version(spec.version)
        for spec in requirement.specifier
        if spec.operator in (">=", ">", "~=", "==")
        and "*" not in spec.version
        and Version(spec.version).is_prerelease
    ]


def floor_problems(dists: dict[str, Distribution]) -> list[str]:
    """Each sibling requirement with a pre-release lower bound in a
    distribution whose own version is final: pip would take a sibling's
    release candidate (1.1.0rc1) over its final release (1.0.0) for it.
    A distribution still at a dev or pre-release version may keep one."""
    problems = []
    for dist in dists.values():
        if dist.version.is_prerelease:
            continue
        for requirement in dist.dependencies:
            if requirement.name in dists and _prerelease_floors(requirement):
                problems.append(
                    f"{dist.name} {dist.version} requires {requirement}: a pre-release floor "
                    f"in a final release lets pip pick {requirement.name}'s release candidates"
                )
    return problems


def final_floors(dists: dict[str, Distribution], name: str, version: Version) -> dict[Path, str]:
    """The pyproject.toml texts whose requirement on ``name`` had a
    pre-release floor, rewritten to ``name>=<major>.0,<<major + 1>`` now that
    ``name`` is final at ``version``."""
    bound = f"{name}>={version.major}.0,<{version.major + 1}"
    changed = {}
    for dist in dists.values():
        pyproject = dist.folder / "pyproject.toml"
        text = original = pyproject.read_text()
        for requirement in dist.dependencies:
            if requirement.name == name and _prerelease_floors(requirement):
                text = _quoted_requirement(name).sub(
                    lambda m, r=requirement: f'"{bound}"' if Requirement(m.group(1)) == r else m[0],
                    text,
                )
        if text != original:
            changed[pyproject] = text
    return changed


def _quoted_requirement(name: str) -> re.Pattern[str]:
    return re.compile(rf'"({re.escape(name)}\s*[<>=!~][^"]*)"')


def move_unreleased(changelog: str, version: Version, date: dt.date) -> str:
    """Put the ``## Unreleased`` section's entries under ``## <version> (<date>)``."""
    heading = _UNRELEASED.search(changelog)
    if heading is None:
        raise ReleaseError("CHANGELOG.md has no '## Unreleased' section")
    following = _NEXT_HEADING.search(changelog, heading.end())
    end = following.start() if following else len(changelog)
    entries = changelog[heading.end() : end].strip("\n")
    if not entries.strip():
        raise ReleaseError("the Unreleased section of CHANGELOG.md is empty: nothing to release")
    released = f"## Unreleased\n\n## {version} ({date.isoformat()})\n\n{entries}\n\n"
    return changelog[: heading.start()] + released + changelog[end:].lstrip("\n")


def bump(name: str, part: str, root: Path = ROOT, today: dt.date | None = None) -> Version:
    """Bump distribution ``name`` by ``part``; return the new version."""
    dists = distributions(root)
    if name not in dists:
        raise ReleaseError(f"no distribution {name!r}; there are: {', '.join(sorted(dists))}")
    dist = dists[name]
    new = next_version(dist.version, part)
    problems = range_problems(dists, {name: new})
    if problems:
        raise ReleaseError("update these ranges first:\n  " + "\n  ".join(problems))
    changelog = dist.folder / "CHANGELOG.md"
    updated = move_unreleased(changelog.read_text(), new, today or dt.date.today())
    # A final release moves its siblings' pre-release floors (>=1.0.0.dev0)
    # to final ones (>=1.0,<2), so pip never prefers its next rc.
    floors = {} if new.is_prerelease else final_floors(dists, name, new)
    about = dist.version_file.read_text()
    dist.version_file.write_text(VERSION_LINE.sub(f'__version__ = "{new}"', about, count=1))
    changelog.write_text(updated)
    for pyproject, text in floors.items():
        pyproject.write_text(text)
    return new


def resolve(tag: str, root: Path = ROOT) -> Distribution:
    """The distribution a release tag ``<dist>-v<version>`` names, when the
    version in the repo is that version."""
    dists = distributions(root)
    # Names may contain "-v" (fx-vault), versions never do: split at the last one.
    name, sep, _ = tag.rpartition("-v")
    if not sep or name not in dists:
        raise ReleaseError(
            f"tag {tag!r} names no distribution; tags are <dist>-v<version>, "
            f"with <dist> one of: {', '.join(dists)}"
        )
    dist = dists[name]
    if dist.tag != tag:
        raise ReleaseError(f"tag {tag!r} does not match {name} {dist.version} in the repo")
    return dist


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="release", description=__doc__.partition("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    bump_cmd = commands.add_parser("bump", help="bump one distribution's version")
    bump_cmd.add_argument("distribution")
    bump_cmd.add_argument("part", help=f"{', '.join(PARTS)}, or an explicit version")
    commands.add_parser("check", help="check that every sibling range admits its version")
    tag_cmd = commands.add_parser("tag", help="print the release tag of a distribution")
    tag_cmd.add_argument("distribution")
    resolve_cmd = commands.add_parser(
        "resolve",
        help="check a release tag and print dist=, version= and folder= lines ($GITHUB_OUTPUT)",
    )
    resolve_cmd.add_argument("tag")
    args = parser.parse_args(argv)
    try:
        if args.command == "bump":
            new = bump(args.distribution, args.part)
            print(
                f"{args.distribution} {new}: commit, then push the tag {args.distribution}-v{new}"
            )
        elif args.command == "check":
            problems = range_problems(distributions(), {}) + floor_problems(distributions())
            if problems:
                raise ReleaseError("\n".join(problems))
            for dist in distributions().values():
                print(f"{dist.name} {dist.version}")
        elif args.command == "resolve":
            dist = resolve(args.tag)
            print(f"dist={dist.name}")
            print(f"version={dist.version}")
            print(f"folder={dist.folder.relative_to(ROOT).as_posix()}")
        else:
            dists = distributions()
            if args.distribution not in dists:
                raise ReleaseError(f"no distribution {args.distribution!r}")
            print(dists[args.distribution].tag)
    except ReleaseError as e:
        print(f"release: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
