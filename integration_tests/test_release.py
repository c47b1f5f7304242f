"""Independent releases: versions, ranges and wheels of every distribution.

The distributions are those of .github/scripts/workspace.py, read from every
``packages/*/pyproject.toml``; no test here names the pieces.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import shutil
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
import release
import workspace
from packaging.utils import canonicalize_name
from packaging.version import Version

from fx_core.pieces import PIECES as MISSING_FEATURE_TABLE

ROOT = Path(__file__).resolve().parents[1]
DISTS = workspace.distributions()
NAMES = [dist.name for dist in DISTS]
PIECES = [dist.name for dist in DISTS if dist.is_piece]


# -- the workspace: what every other list is derived from ---------------------


def test_every_package_folder_is_a_distribution_with_its_own_version() -> None:
    folders = {path for path in (ROOT / "packages").iterdir() if path.is_dir()}
    assert {dist.folder for dist in DISTS} == folders
    for dist in DISTS:
        assert dist.import_name == dist.name.replace("-", "_")
        assert dist.version_file.name == "__about__.py"
        assert dist.version_file.parent == dist.folder / "src" / dist.import_name
        assert isinstance(dist.version, Version)
        for required in ("README.md", "CHANGELOG.md", "pyproject.toml"):
            assert (dist.folder / required).is_file(), (dist.name, required)
        assert (dist.version_file.parent / "py.typed").is_file(), dist.name
        assert "## Unreleased" in (dist.folder / "CHANGELOG.md").read_text()


def test_the_core_comes_first_and_the_meta_package_last() -> None:
    assert DISTS[0].name == "fx-core" and DISTS[0].is_core
    assert DISTS[-1].name == "flask-express" and DISTS[-1].is_meta
    assert all(dist.is_piece for dist in DISTS[1:-1])
    assert PIECES, "no piece found under packages/"


def test_the_meta_package_depends_on_every_piece() -> None:
    meta = workspace.meta()
    assert meta is not None
    assert meta.siblings == {"fx-core", *PIECES}


def test_every_piece_has_one_row_in_the_missing_feature_table() -> None:
    rows = {row.distribution: row for row in MISSING_FEATURE_TABLE}
    assert set(rows) == set(PIECES), "packages/ and fx_core.pieces.PIECES disagree"
    for dist in workspace.pieces():
        row = rows[dist.name]
        assert row.module == dist.import_name
        mixin = getattr(importlib.import_module(dist.import_name), row.mixin)
        own = [k for k in mixin.__mro__ if k.__module__.partition(".")[0] == dist.import_name]
        for name in row.response_methods:
            assert any(name in vars(k) for k in own), f"{row.mixin} does not define {name}"


def test_distributions_follow_the_folders(tmp_path: Path) -> None:
    """A new folder is picked up with no list to edit, ordered after the
    pieces the meta-package lists; a pyproject.toml that lacks a field fails."""

    def write(folder: str, name: str, deps: t.Sequence[str]) -> None:
        module = name.replace("-", "_")
        about = tmp_path / "packages" / folder / "src" / module / "__about__.py"
        about.parent.mkdir(parents=True)
        about.write_text('__version__ = "1.2.3"\n')
        (tmp_path / "packages" / folder / "pyproject.toml").write_text(
            f'[project]\nname = "{name}"\ndependencies = {json.dumps(list(deps))}\n'
            f'[tool.hatch.version]\npath = "src/{module}/__about__.py"\n'
            f'[tool.hatch.build.targets.wheel]\npackages = ["src/{module}"]\n'
        )

    write("core", "fx-core", ["flask>=3"])
    write("b", "fx-b", ["fx-core>=1,<2"])
    write("a", "fx-a", ["fx-core>=1,<2"])
    write("meta", "flask-express", ["fx-core>=1,<2", "fx-b>=1,<2"])
    (tmp_path / "packages" / "half-made").mkdir()
    found = workspace.distributions(tmp_path)
    assert [d.name for d in found] == ["fx-core", "fx-b", "fx-a", "flask-express"]
    assert [d.import_name for d in found] == ["fx_core", "fx_b", "fx_a", "flask_express"]
    assert found[1].version == Version("1.2.3")
    assert found[1].folder == tmp_path / "packages" / "b"
    assert found[-1].siblings == {"fx-core", "fx-b"}

    (tmp_path / "packages" / "half-made" / "pyproject.toml").write_text(
        '[project]\nname = "fx-half"\n'
    )
    with pytest.raises(workspace.WorkspaceError, match="half-made"):
        workspace.distributions(tmp_path)


# -- versions and ranges ------------------------------------------------------


def test_every_sibling_range_admits_the_version_in_the_repo() -> None:
    assert release.range_problems(release.distributions(), {}) == []


def test_the_meta_package_pins_every_part_with_an_upper_bound() -> None:
    dists = release.distributions()
    meta = {canonicalize_name(req.name): req for req in dists["flask-express"].dependencies}
    for part in NAMES[:-1]:
        assert canonicalize_name(part) in meta, f"flask-express does not depend on {part}"
        specifier = meta[canonicalize_name(part)].specifier
        assert specifier.contains(dists[part].version, prereleases=True)
        assert any(spec.operator in ("<", "~=", "==") for spec in specifier), part
        major = dists[part].version.major
        assert not specifier.contains(Version(f"{major + 1}.0.0"), prereleases=True), part


@pytest.mark.parametrize("piece", PIECES)
def test_a_piece_depends_on_fx_core_and_no_sibling(piece: str) -> None:
    dists = release.distributions()
    names = {req.name for req in dists[piece].dependencies}
    siblings = names & set(dists)
    assert siblings == {"fx-core"}


def test_fx_core_depends_on_no_sibling() -> None:
    dists = release.distributions()
    assert {req.name for req in dists["fx-core"].dependencies} & set(dists) == set()


def copy_repo(tmp_path: Path) -> Path:
    for dist in DISTS:
        target = tmp_path / dist.folder.relative_to(ROOT)
        target.mkdir(parents=True)
        shutil.copy(dist.folder / "pyproject.toml", target)
        shutil.copy(dist.folder / "CHANGELOG.md", target)
        about = target / dist.version_file.relative_to(dist.folder)
        about.parent.mkdir(parents=True)
        shutil.copy(dist.version_file, about)
    return tmp_path


@pytest.mark.parametrize(
    ("current", "part", "expected"),
    [
        ("1.0.0.dev0", "release", "1.0.0"),
        ("1.0.0.dev0", "patch", "1.0.0"),
        ("1.0.0", "patch", "1.0.1"),
        ("1.2.3", "minor", "1.3.0"),
        ("1.2.3", "major", "2.0.0"),
        ("1.2.3", "1.4.0rc1", "1.4.0rc1"),
    ],
)
def test_next_version(current: str, part: str, expected: str) -> None:
    assert release.next_version(Version(current), part) == Version(expected)


@pytest.mark.parametrize(
    ("current", "part"), [("1.0.0", "release"), ("1.2.0", "1.1.0"), ("1.0.0", "x")]
)
def test_next_version_refuses(current: str, part: str) -> None:
    with pytest.raises(release.ReleaseError):
        release.next_version(Version(current), part)


def test_bump_moves_the_unreleased_section_of_one_distribution(tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    before = {name: dist.version for name, dist in release.distributions(root).items()}
    changelog = root / "packages" / "fx-files" / "CHANGELOG.md"
    entries = changelog.read_text().split("## Unreleased", 1)[1].strip()
    assert entries

    new = release.bump("fx-files", "release", root=root, today=dt.date(2026, 11, 25))
    assert new == Version("1.0.0")
    after = {name: dist.version for name, dist in release.distributions(root).items()}
    assert after == {**before, "fx-files": Version("1.0.0")}
    text = changelog.read_text()
    assert "## Unreleased\n\n## 1.0.0 (2026-11-25)\n\n" in text
    assert text.split("## 1.0.0 (2026-11-25)", 1)[1].strip() == entries

    # Nothing new since: a second release has nothing to say.
    with pytest.raises(release.ReleaseError, match="empty"):
        release.bump("fx-files", "patch", root=root)


def test_bump_refuses_a_version_a_sibling_range_excludes(tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    about = release.distributions(root)["fx-core"].version_file
    text = about.read_text()
    with pytest.raises(release.ReleaseError, match="fx-cookies requires fx-core"):
        release.bump("fx-core", "major", root=root)
    assert about.read_text() == text  # nothing written


def test_bump_command_line(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        release.main(["bump"])
    assert release.main(["tag", "nope"]) == 1
    assert release.main(["tag", "fx-core"]) == 0


@pytest.mark.parametrize("name", NAMES)
def test_a_release_tag_resolves_to_its_distribution_and_folder(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    dist = workspace.by_name()[name]
    assert release.resolve(f"{name}-v{dist.version}") == dist
    assert release.main(["resolve", dist.tag]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"dist={name}",
        f"version={dist.version}",
        f"folder={dist.folder.relative_to(ROOT).as_posix()}",
    ]


@pytest.mark.parametrize(
    ("tag", "error"),
    [
        ("fx-core-v99.0.0", "does not match fx-core"),
        ("fx-nothing-v1.0.0", "names no distribution"),
        ("fx-core", "names no distribution"),
        ("v1.0.0", "names no distribution"),
    ],
)
def test_a_release_tag_that_names_no_distribution_or_another_version_is_refused(
    tag: str, error: str
) -> None:
    with pytest.raises(release.ReleaseError, match=error):
        release.resolve(tag)
    assert release.main(["resolve", tag]) == 1


def test_every_wheel_installs_alone_and_imports(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    # A clean environment: this test may itself run under `hatch test`.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HATCH_", "VIRTUAL_ENV"))}
    build = subprocess.run(
        [sys.executable, "-m", "hatch", "build", "--all", "-t", "wheel", str(dist)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    wheels = sorted(dist.glob("*.whl"))
    # A wheel's file name starts with the distribution name, "-" spelled "_".
    by_wheel = {dist.name.replace("-", "_"): dist for dist in DISTS}
    assert {wheel.name.split("-")[0] for wheel in wheels} == set(by_wheel)
    for wheel in wheels:
        dist_of_wheel = by_wheel[wheel.name.split("-")[0]]
        name = dist_of_wheel.import_name
        venv = tmp_path / f"venv-{name}"
        subprocess.run([sys.executable, "-m", "uv", "venv", "--quiet", str(venv)], check=True)
        python = venv / "bin" / "python"
        # Siblings come from the same folder of wheels, as they would from PyPI.
        subprocess.run(
            [sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(python),
             "--find-links", str(dist), str(wheel)],
            check=True,
            timeout=600,
        )  # fmt: skip
        out = subprocess.run(
            [str(python), "-c",
             f"import {name}, json, importlib.metadata as m; "
             "print(json.dumps(sorted(d.metadata['Name'] for d in m.distributions())))"],
            check=True, capture_output=True, text=True, timeout=60,
        ).stdout  # fmt: skip
        installed = set(t.cast(list[str], json.loads(out)))
        ours = {n for n in installed if n in NAMES}
        assert ours == {dist_of_wheel.name, *dist_of_wheel.siblings}, name


# -- pre-releases stay out: final floors once a part is final ------------------


def _floor(root: Path, dist: str, on: str) -> str:
    (requirement,) = (r for r in release.distributions(root)[dist].dependencies if r.name == on)
    return str(requirement.specifier)


def test_a_final_release_moves_the_siblings_floors_to_final(tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    dists = release.distributions(root)
    core = workspace.core(root).name
    dependents = [d.name for d in dists.values() if core in d.siblings]
    assert dependents
    if dists[core].version.is_prerelease:
        release.bump(core, "release", root=root, today=dt.date(2026, 12, 1))
    major = release.distributions(root)[core].version.major
    for name in dependents:
        assert _floor(root, name, core) == f"<{major + 1},>={major}.0"
    # The rest of each pyproject.toml is untouched.
    before = (ROOT / "packages" / "fx-files" / "pyproject.toml").read_text()
    after = (root / "packages" / "fx-files" / "pyproject.toml").read_text()
    assert [a for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b] == [
        line for line in before.splitlines() if f'"{core}>=' in line
    ]
    assert release.range_problems(release.distributions(root), {}) == []


def test_check_refuses_a_pre_release_floor_in_a_final_release(tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    piece = next(d for d in release.distributions(root).values() if d.is_piece)
    core = workspace.core(root).name
    pyproject = piece.folder / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(release._quoted_requirement(core).sub(f'"{core}>=1.0.0.dev0,<2"', text))
    piece.version_file.write_text('__version__ = "1.0.0"\n')
    problems = release.floor_problems(release.distributions(root))
    assert [p.split(":")[0] for p in problems] == [
        f"{piece.name} 1.0.0 requires {core}<2,>=1.0.0.dev0"
    ]
    # A piece still at a dev version may keep it.
    piece.version_file.write_text('__version__ = "1.1.0.dev0"\n')
    assert release.floor_problems(release.distributions(root)) == []


def _wheel(folder: Path, name: str, version: str, requires: list[str]) -> Path:
    """A minimal wheel holding only metadata: enough for a resolver."""
    import zipfile

    stem = f"{name.replace('-', '_')}-{version}"
    path = folder / f"{stem}-py3-none-any.whl"
    meta = "\n".join(
        ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
        + [f"Requires-Dist: {r}" for r in requires]
    )
    files = {
        f"{stem}.dist-info/METADATA": meta + "\n",
        f"{stem}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    files[f"{stem}.dist-info/RECORD"] = (
        "".join(f"{n},,\n" for n in files) + f"{stem}.dist-info/RECORD,,\n"
    )
    with zipfile.ZipFile(path, "w") as archive:
        for n, text in files.items():
            archive.writestr(n, text)
    return path


def test_pip_picks_the_final_release_over_a_release_candidate(tmp_path: Path) -> None:
    from uv import find_uv_bin

    links = tmp_path / "links"
    links.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HATCH_", "VIRTUAL_ENV", "UV_INTERNAL"))
    }
    core = workspace.core()
    # fx-core 1.0.0 and 1.1.0rc1, built from copies whose __about__.py says so.
    for version in ("1.0.0", "1.1.0rc1"):
        copy = tmp_path / f"core-{version}"
        shutil.copytree(
            core.folder, copy, ignore=shutil.ignore_patterns("__pycache__", "tests", "api")
        )
        (copy / core.version_file.relative_to(core.folder)).write_text(
            f'__version__ = "{version}"\n'
        )
        subprocess.run(
            [find_uv_bin(), "build", "--wheel", "--quiet", "--out-dir", str(links), str(copy)],
            check=True,
            env=env,
            timeout=300,
        )
    # pip itself: uv treats a pre-release floor in a dependency's metadata
    # differently (it takes no rc unless asked), pip is what users run.
    venv = tmp_path / "venv"
    subprocess.run(
        [find_uv_bin(), "venv", "--seed", "--quiet", str(venv)], check=True, env=env, timeout=120
    )

    def picked(floor: str) -> str:
        _wheel(links, "fx-dependent", "1.0.0", [f"{core.name}{floor}"])
        out = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--dry-run", "--quiet",
             "--report", "-", "--disable-pip-version-check", "--find-links", str(links),
             "fx-dependent==1.0.0"],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        report = json.loads(out.stdout)
        found = [
            item["metadata"]["version"]
            for item in report["install"]
            if item["metadata"]["name"] == core.name
        ]
        assert len(found) == 1, out.stdout
        (links / "fx_dependent-1.0.0-py3-none-any.whl").unlink()
        return found[0]

    # The floor release.py writes once fx-core is final: the final release.
    assert picked(">=1.0,<2") == "1.0.0"
    # The floor it replaces: the release candidate, which is why it goes.
    assert picked(">=1.0.0.dev0,<2") == "1.1.0rc1"
