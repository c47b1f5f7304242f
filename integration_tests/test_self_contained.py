"""The repository cites only what it ships: no "SPEC" (a document that is
not in the repository) in the packages, the docs, the tests or the README.
A rule is cited by the docs page that states it (docs/choices.md, the API
pages)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("packages", "docs", "integration_tests", "README.md")
SKIPPED_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "node_modules"}
# Files that are not text written by us (benchmark charts, wheels, results).
SKIPPED_SUFFIXES = {".png", ".jpg", ".gif", ".ico", ".whl", ".gz", ".pyc", ".json"}
SPEC = re.compile(r"\bSPEC\b")


def _files(root: Path = ROOT) -> list[Path]:
    found = []
    for name in SCANNED:
        top = root / name
        if not top.exists():
            continue
        paths = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in paths:
            if (
                path.is_file()
                and path.suffix not in SKIPPED_SUFFIXES
                and not SKIPPED_DIRS.intersection(path.relative_to(root).parts)
                and path.resolve() != Path(__file__).resolve()
            ):
                found.append(path)
    return found


def _citations(paths: list[Path], root: Path = ROOT) -> list[str]:
    hits = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if SPEC.search(line):
                hits.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return hits


def test_nothing_cites_a_spec_that_is_not_in_the_repository() -> None:
    files = _files()
    assert len(files) > 100, "the scan found too few files to mean anything"
    assert _citations(files) == []


def test_the_check_finds_a_citation(tmp_path: Path) -> None:
    planted = tmp_path / "packages" / "fx-x" / "tests" / "test_x.py"
    planted.parent.mkdir(parents=True)
    planted.write_text('"""res.send (SPEC section 4)."""\nSPECIAL = INSPECT = 1\n')
    (tmp_path / "README.md").write_text("See the SPEC.\n")
    cached = tmp_path / "docs" / "__pycache__" / "x.md"
    cached.parent.mkdir(parents=True)
    cached.write_text("SPEC\n")
    assert _citations(_files(tmp_path), tmp_path) == [
        'packages/fx-x/tests/test_x.py:1: """res.send (SPEC section 4)."""',
        "README.md:1: See the SPEC.",
    ]
