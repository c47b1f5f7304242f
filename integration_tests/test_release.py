"""Independent releases: versions, ranges and wheels of every distribution."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import types
import typing as t
from pathlib import Path

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PIECES = ("fx-cookies", "fx-files", "fx-render", "fx-flash")
IMPORTS = {
    "fx-core": "fx_core",
    "fx-cookies": "fx_cookies",
    "fx-files": "fx_files",
    "fx-render": "fx_render",
    "fx-flash": "fx_flash",
    "flask-express": "flask_express",
}


def load_release() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(
        "release_script", ROOT / ".github" / "scripts" / "release.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


release = load_release()


def test_every_package_folder_is_a_distribution_with_its_own_version() -> None:
    dists = release.distributions()
    assert set(dists) == set(IMPORTS)
    for name, dist in dists.items():
        assert dist.about.name == "__about__.py"
        assert dist.about.parent.name == IMPORTS[name]
        assert isinstance(dist.version, Version)
        for required in ("README.md", "CHANGELOG.md", "pyproject.toml"):
            assert (dist.folder / required).is_file(), (name, required)
        assert (dist.about.parent / "py.typed").is_file(), name
        assert "## Unreleased" in (dist.folder / "CHANGELOG.md").read_text()


def test_every_sibling_range_admits_the_version_in_the_repo() -> None:
    assert release.range_problems(release.distributions(), {}) == []


def test_the_meta_package_pins_every_part_with_an_upper_bound() -> None:
    dists = release.distributions()
    meta = {req.name: req for req in dists["flask-express"].requirements}
    for part in ("fx-core", *PIECES):
        specifier = meta[part].specifier
        assert specifier.contains(dists[part].version, prereleases=True)
        assert any(spec.operator in ("<", "~=", "==") for spec in specifier), part
        major = dists[part].version.major
        assert not specifier.contains(Version(f"{major + 1}.0.0"), prereleases=True), part


@pytest.mark.parametrize("piece", PIECES)
def test_a_piece_depends_on_fx_core_and_no_sibling(piece: str) -> None:
    dists = release.distributions()
    names = {req.name for req in dists[piece].requirements}
    siblings = names & set(dists)
    assert siblings == {"fx-core"}


def test_fx_core_depends_on_no_sibling() -> None:
    dists = release.distributions()
    assert {req.name for req in dists["fx-core"].requirements} & set(dists) == set()


def copy_repo(tmp_path: Path) -> Path:
    for pyproject in ROOT.glob("packages/*/pyproject.toml"):
        folder = pyproject.parent
        target = tmp_path / "packages" / folder.name
        target.mkdir(parents=True)
        shutil.copy(pyproject, target)
        shutil.copy(folder / "CHANGELOG.md", target)
        about = next(folder.glob("src/*/__about__.py"))
        (target / about.relative_to(folder)).parent.mkdir(parents=True)
        shutil.copy(about, target / about.relative_to(folder))
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
    about = next((root / "packages" / "fx-core").glob("src/*/__about__.py"))
    text = about.read_text()
    with pytest.raises(release.ReleaseError, match="fx-cookies requires fx-core"):
        release.bump("fx-core", "major", root=root)
    assert about.read_text() == text  # nothing written


def test_bump_command_line(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        release.main(["bump"])
    assert release.main(["tag", "nope"]) == 1


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
    assert {wheel.name.split("-")[0] for wheel in wheels} == {
        name.replace("-", "_") for name in IMPORTS
    }
    for wheel in wheels:
        name = wheel.name.split("-")[0]
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
        ours = {n for n in installed if n in IMPORTS}
        expected = set(IMPORTS) if name == "flask_express" else {"fx-core", name.replace("_", "-")}
        assert ours == expected, name
