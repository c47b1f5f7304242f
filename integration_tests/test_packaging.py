"""What each distribution ships: the sdist and the wheel that ``uv build``
makes from its folder (the wheel built from the sdist, as pip would).

- the LICENSE in both, a byte-for-byte copy of the root LICENSE;
- ``[project.urls]`` and README links that work on PyPI (absolute);
- a bounded build backend (``hatchling>=1.26,<2``);
- no stray files: the sdist holds ``src/``, ``tests/``, the README, the
  CHANGELOG, the LICENSE and the metadata, the wheel the import package;
- the sdist's tests collect with plain ``pytest``, with no monorepo around
  them: unpacked alone, in a fresh environment holding the wheels built here.
"""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import workspace

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = workspace.ROOT
DISTS = workspace.by_name()
LICENSE = (ROOT / "LICENSE").read_bytes()

# hatchling always adds the VCS ignore file it read (the repository's) to an sdist.
SDIST_TOP = {
    "src",
    "tests",
    "README.md",
    "CHANGELOG.md",
    "LICENSE",
    "pyproject.toml",
    "PKG-INFO",
    ".gitignore",
}
STRAY = re.compile(r"(__pycache__|\.pyc$|\.pytest_cache|\.mypy_cache|\.DS_Store|\.orig$|\.rej$)")


def _uv() -> str:
    from uv import find_uv_bin

    return find_uv_bin()


def _env() -> dict[str, str]:
    # ``python -m uv`` and hatch's own variables would point uv at this test
    # environment; the builds and the venvs below must not touch it.
    return {k: v for k, v in os.environ.items() if not k.startswith(("UV_INTERNAL", "VIRTUAL_ENV"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Each distribution's (sdist, wheel)."""
    out = tmp_path_factory.mktemp("dist")
    found = {}
    for dist in DISTS.values():
        subprocess.run(
            [_uv(), "build", "--quiet", "--out-dir", str(out), str(dist.folder)],
            check=True,
            env=_env(),
            timeout=300,
        )
        stem = dist.name.replace("-", "_")
        (sdist,) = out.glob(f"{stem}-*.tar.gz")
        (wheel,) = out.glob(f"{stem}-*.whl")
        found[dist.name] = (sdist, wheel)
    return found


def _sdist_names(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as archive:
        return [m.name.split("/", 1)[1] for m in archive.getmembers() if "/" in m.name]


@pytest.mark.parametrize("name", list(DISTS))
def test_the_license_is_a_copy_of_the_root_one(name: str) -> None:
    assert (DISTS[name].folder / "LICENSE").read_bytes() == LICENSE


@pytest.mark.parametrize("name", list(DISTS))
def test_the_pyproject_bounds_hatchling_and_names_its_urls(name: str) -> None:
    data = tomllib.loads((DISTS[name].folder / "pyproject.toml").read_text())
    assert data["build-system"]["requires"] == ["hatchling>=1.26,<2"]
    assert data["project"]["license-files"] == ["LICENSE"]
    urls = data["project"]["urls"]
    assert {"Homepage", "Documentation", "Repository", "Changelog", "Issues"} <= set(urls)
    assert all(url.startswith("https://") for url in urls.values())


@pytest.mark.parametrize("name", list(DISTS))
def test_readme_links_work_on_pypi(name: str) -> None:
    text = (DISTS[name].folder / "README.md").read_text()
    targets = re.findall(r"\]\(([^)]+)\)", text)
    assert targets, "a README with no link to the docs"
    assert [t for t in targets if not t.startswith(("https://", "#"))] == []


@pytest.mark.parametrize("name", list(DISTS))
def test_the_sdist_holds_what_it_needs_and_nothing_stray(
    name: str, built: dict[str, tuple[Path, Path]]
) -> None:
    names = _sdist_names(built[name][0])
    assert {n.split("/", 1)[0] for n in names} == SDIST_TOP
    assert [n for n in names if STRAY.search(n)] == []
    assert any(n.startswith("tests/test_") for n in names)
    import_name = DISTS[name].import_name
    assert all(n.startswith((f"src/{import_name}/", "tests/")) or "/" not in n for n in names)


@pytest.mark.parametrize("name", list(DISTS))
def test_the_wheel_holds_the_package_the_license_and_nothing_stray(
    name: str, built: dict[str, tuple[Path, Path]]
) -> None:
    with zipfile.ZipFile(built[name][1]) as wheel:
        names = wheel.namelist()
        (info,) = {n.split("/", 1)[0] for n in names if ".dist-info/" in n}
        license_text = wheel.read(f"{info}/licenses/LICENSE")
        metadata = email.message_from_bytes(wheel.read(f"{info}/METADATA"))
    assert license_text == LICENSE
    import_name = DISTS[name].import_name
    assert {n.split("/", 1)[0] for n in names} == {import_name, info}
    assert [n for n in names if STRAY.search(n)] == []
    assert f"{import_name}/py.typed" in names
    assert metadata["License-Expression"] == "BSD-3-Clause"
    assert metadata.get_all("License-File") == ["LICENSE"]
    project_urls = metadata.get_all("Project-URL") or []
    assert any(url.startswith("Repository, https://") for url in project_urls)


def test_each_sdist_tests_collect_with_plain_pytest(
    built: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for _, wheel in built.values():
        (wheels / wheel.name).write_bytes(wheel.read_bytes())
    failures = []
    for name, (sdist, wheel) in built.items():
        with tarfile.open(sdist) as archive:
            archive.extractall(tmp_path / "unpacked", filter="data")
        folder = tmp_path / "unpacked" / sdist.name.removesuffix(".tar.gz")
        venv = tmp_path / f"venv-{name}"
        subprocess.run(
            [_uv(), "venv", "--quiet", "--python", sys.executable, str(venv)],
            check=True,
            env=_env(),
            timeout=120,
        )
        python = venv / "bin" / "python"
        subprocess.run(
            [
                _uv(),
                "pip",
                "install",
                "--quiet",
                "--python",
                str(python),
                "--find-links",
                str(wheels),
                str(wheels / wheel.name),
                "pytest",
            ],
            check=True,
            env=_env(),
            timeout=300,
        )
        result = subprocess.run(
            [str(python), "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
            cwd=folder,
            env={**_env(), "PYTHONDONTWRITEBYTECODE": "1"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        collected = re.search(r"(\d+) tests? collected", result.stdout)
        if result.returncode != 0 or not collected or int(collected.group(1)) == 0:
            failures.append(f"{name}: {(result.stdout + result.stderr)[-1500:]}")
    assert failures == []
