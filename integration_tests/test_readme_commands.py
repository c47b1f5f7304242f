"""The README's two commands work on a stock Debian or Ubuntu Python, where
a bare ``pip install`` is refused (PEP 668, "externally-managed-environment"),
and .ci/run runs exactly the README's test command.

What is real and what is simulated:

- Static: each command is one line, calls pip and hatch only from the
  ``.venv/`` it makes (never a bare ``pip`` on the system interpreter), and
  .ci/run holds the test command verbatim.
- Real: when the machine has a Python marked externally managed (an
  ``EXTERNALLY-MANAGED`` file in its stdlib folder, as Debian 12's and Ubuntu
  24.04's ``/usr/bin/python3`` have), the test command runs as written with
  ``python3`` being that interpreter, first checking that a bare
  ``pip install`` really is refused there. It runs in a scratch project with
  one test, not in this repository: the whole suite inside the suite would
  take minutes and prove nothing more about the command. No container:
  it skips where no such Python exists, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def readme_command(heading: str) -> str:
    """The shell block that follows the README paragraph starting ``heading``."""
    match = re.search(
        rf"^{re.escape(heading)}.*?\n```sh\n(.*?)```", README, re.MULTILINE | re.DOTALL
    )
    assert match, f"README.md has no sh block after {heading!r}"
    return match.group(1).strip()


DEMO = readme_command("Start the demo app")
TEST = readme_command("Run every test")


@pytest.mark.parametrize("command", [DEMO, TEST], ids=["demo", "test"])
def test_each_command_is_one_line_that_never_runs_a_bare_pip(command: str) -> None:
    assert "\n" not in command
    steps = [shlex.split(step) for step in command.split("&&")]
    assert steps[0] == ["python3", "-m", "venv", ".venv"]
    for step in steps[1:]:
        # pip and hatch come from the venv the command just made.
        assert step[0] in {".venv/bin/pip", ".venv/bin/hatch"}, step
    assert not re.search(r"(^|[\s&;])(python3? -m )?pip3? install", command)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    assert TEST in CI_RUN.splitlines()
    assert TEST.endswith(".venv/bin/hatch test")


def externally_managed_python() -> Path | None:
    """A system ``python3`` whose stdlib folder holds ``EXTERNALLY-MANAGED``."""
    for candidate in (Path("/usr/bin/python3"), Path("/usr/local/bin/python3")):
        if not candidate.exists():
            continue
        stdlib = subprocess.run(
            [str(candidate), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
        if stdlib and (Path(stdlib) / "EXTERNALLY-MANAGED").exists():
            return candidate
    return None


def test_the_test_command_works_where_pip_install_is_refused(tmp_path: Path) -> None:
    python = externally_managed_python()
    if python is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI has no externally managed python3 to run the README's command on")
        pytest.skip("no externally managed python3 on this machine")

    # A user's shell: python3 is the system one; nothing of this test run leaks in.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(python)
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("HATCH_", "PIP_", "UV_", "VIRTUAL_ENV", "PYTHON"))
    }
    env["PATH"] = f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin"
    env["HATCH_DATA_DIR"] = str(tmp_path / "hatch-data")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"

    refused = subprocess.run(
        ["python3", "-m", "pip", "install", "--dry-run", "hatch"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if "No module named pip" not in refused.stderr:
        assert refused.returncode != 0
        assert "externally-managed-environment" in refused.stderr + refused.stdout

    project = tmp_path / "clone"
    (project / "tests").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        "[tool.hatch.envs.hatch-test]\nskip-install = true\ninstaller = 'uv'\n"
    )
    (project / "tests" / "test_one.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
    result = subprocess.run(
        ["sh", "-c", TEST],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert re.search(r"\b1 passed\b", result.stdout + result.stderr)
    # hatch ran from the venv, on the system Python it was made from.
    base = subprocess.run(
        [str(project / ".venv" / "bin" / "python"), "-c", "import sys; print(sys.base_prefix)"],
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout.strip()
    assert (
        base
        == subprocess.run(
            [str(python), "-c", "import sys; print(sys.base_prefix)"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
    )
