"""The distributions of this monorepo, read from ``packages/*/pyproject.toml``.

This is the one place that knows which distributions exist. Tests, the release
script, the benchmark report and the docs hooks all ask :func:`distributions`
instead of keeping their own list, so a new folder under ``packages/`` shows up
everywhere without further edits.

Each record comes from one ``pyproject.toml``:

- ``name``: ``[project] name``;
- ``import_name``: the one folder in ``[tool.hatch.build.targets.wheel] packages``;
- ``version_file`` and ``version``: ``[tool.hatch.version] path`` and the
  ``__version__`` it holds;
- ``dependencies``: ``[project] dependencies``.

The roles are read from the dependencies between siblings, not from names:
the core depends on no sibling, a piece on the core alone, and the
meta-package on pieces.

Stdlib plus ``packaging`` only (and ``tomli`` before Python 3.11), so that the
docs, bench, release and test environments can all import it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

__all__ = [
    "ROOT",
    "Distribution",
    "WorkspaceError",
    "by_name",
    "core",
    "distributions",
    "meta",
    "pieces",
    "read_version",
]

ROOT = Path(__file__).resolve().parents[2]
VERSION_LINE = re.compile(r'^__version__ = "([^"]+)"$', re.MULTILINE)


class WorkspaceError(Exception):
    """A ``pyproject.toml`` under ``packages/`` that does not say what is needed."""


@dataclass(frozen=True)
class Distribution:
    """One folder under ``packages/``."""

    #: ``[project] name``, as written (``fx-core``).
    name: str
    #: The top-level import package (``fx_core``).
    import_name: str
    #: ``packages/<folder>``.
    folder: Path
    #: The file ``hatch version`` reads and writes (``src/fx_core/__about__.py``).
    version_file: Path
    version: Version
    #: ``[project] dependencies``, siblings and third parties alike.
    dependencies: tuple[Requirement, ...]
    #: Names of the siblings it depends on (filled in by :func:`distributions`).
    siblings: frozenset[str] = frozenset()

    @property
    def is_core(self) -> bool:
        return not self.siblings

    @property
    def is_meta(self) -> bool:
        """Depends on a sibling other than the core: it bundles pieces."""
        return len(self.siblings) > 1

    @property
    def is_piece(self) -> bool:
        return len(self.siblings) == 1

    @property
    def tag(self) -> str:
        """The git tag that releases this version (.github/workflows/release.yml)."""
        return f"{self.name}-v{self.version}"


def read_version(version_file: Path) -> Version:
    found = VERSION_LINE.search(version_file.read_text())
    if found is None:
        raise WorkspaceError(f"{version_file}: no __version__ line")
    return Version(found.group(1))


def _read(pyproject: Path) -> Distribution:
    data = tomllib.loads(pyproject.read_text())
    folder = pyproject.parent
    try:
        project = data["project"]
        name = project["name"]
        hatch = data["tool"]["hatch"]
        version_path = hatch["version"]["path"]
        wheel_packages = hatch["build"]["targets"]["wheel"]["packages"]
    except KeyError as e:
        raise WorkspaceError(f"{pyproject}: no {e.args[0]!r} where one is needed") from None
    if len(wheel_packages) != 1:
        raise WorkspaceError(f"{pyproject}: expected one wheel package, got {wheel_packages}")
    return Distribution(
        name=name,
        import_name=Path(wheel_packages[0]).name,
        folder=folder,
        version_file=folder / version_path,
        version=read_version(folder / version_path),
        dependencies=tuple(Requirement(text) for text in project.get("dependencies", [])),
    )


def distributions(root: Path = ROOT) -> tuple[Distribution, ...]:
    """Every distribution under ``root/packages``: the core first, then the
    pieces (in the order the meta-package lists them, then any it does not
    list yet, by name), then the meta-package.

    A folder without a ``pyproject.toml`` is not a distribution yet; a
    ``pyproject.toml`` that lacks a field above raises :exc:`WorkspaceError`.
    """
    found = [_read(path) for path in sorted(root.glob("packages/*/pyproject.toml"))]
    canonical = {canonicalize_name(dist.name): dist.name for dist in found}
    if len(canonical) != len(found):
        raise WorkspaceError(f"two folders under {root / 'packages'} have the same name")
    linked = [
        replace(
            dist,
            siblings=frozenset(
                canonical[canonicalize_name(req.name)]
                for req in dist.dependencies
                if canonicalize_name(req.name) in canonical
            ),
        )
        for dist in found
    ]
    cores = [dist for dist in linked if dist.is_core]
    metas = [dist for dist in linked if dist.is_meta]
    if len(cores) != 1 or len(metas) > 1:
        raise WorkspaceError(
            f"expected one core (no sibling dependency) and at most one meta-package, got "
            f"{[d.name for d in cores]} and {[d.name for d in metas]}"
        )
    stray = [d.name for d in linked if d.is_piece and d.siblings != {cores[0].name}]
    if stray:
        raise WorkspaceError(f"{stray} depend on one sibling that is not {cores[0].name}")
    listed = [canonicalize_name(req.name) for meta in metas for req in meta.dependencies]

    def order(dist: Distribution) -> tuple[int, int, str]:
        if dist.is_core:
            return (0, 0, dist.name)
        if dist.is_meta:
            return (2, 0, dist.name)
        key = canonicalize_name(dist.name)
        return (1, listed.index(key) if key in listed else len(listed), dist.name)

    return tuple(sorted(linked, key=order))


def by_name(root: Path = ROOT) -> dict[str, Distribution]:
    """:func:`distributions` by ``[project] name``, in the same order."""
    return {dist.name: dist for dist in distributions(root)}


def core(root: Path = ROOT) -> Distribution:
    return next(dist for dist in distributions(root) if dist.is_core)


def pieces(root: Path = ROOT) -> tuple[Distribution, ...]:
    return tuple(dist for dist in distributions(root) if dist.is_piece)


def meta(root: Path = ROOT) -> Distribution | None:
    return next((dist for dist in distributions(root) if dist.is_meta), None)


if __name__ == "__main__":
    for dist in distributions():
        role = "core" if dist.is_core else "meta" if dist.is_meta else "piece"
        print(f"{dist.name:16} {dist.import_name:16} {dist.version!s:12} {role}")
