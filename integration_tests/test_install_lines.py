"""The install lines the README and the docs give work as written.

- From a clone (``pip install ./packages/...``, before 1.0 is on PyPI): each
  distinct line found in README.md, docs/**/*.md and packages/*/README.md is
  run as written, from the root of the repository, in a fresh virtual
  environment made with ``uv venv``. Our packages come from their folders
  (no index has them); their dependencies (Flask, ...) from PyPI. The
  everything line runs with pip itself, the others with ``uv pip`` (the same
  resolution for local folders, and far faster), sharing uv's cache. Then an
  app built from what is installed answers through Flask's test client.
- From PyPI: every ``pip install`` that names one of our distributions has a
  ``>=1.0`` floor, so pip can never pick the unrelated flask-express 0.1.x
  (or a 0.x of any part).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import workspace
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = workspace.ROOT
DISTS = workspace.by_name()
OURS = {canonicalize_name(name) for name in DISTS}
FOLDERS = {dist.folder.relative_to(ROOT).as_posix(): dist for dist in DISTS.values()}

PAGES = sorted(
    [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / "packages").glob("*/README.md")]
)
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
INLINE = re.compile(r"`([^`\n]+)`")
# A command line in a shell block, or the whole of an inline code span:
# "pip install ..." at its start, after an optional "$ " prompt. A quoted
# MissingFeature message ("res.render() comes from fx-render: pip install
# fx-render, ...") does not start with pip and is not a command.
COMMAND = re.compile(r"^(?:\$ )?(pip install .*)$")


def _commands(text: str) -> list[str]:
    found = []
    for block in FENCE.findall(text):
        for line in block.splitlines():
            match = COMMAND.match(line.strip())
            if match:
                found.append(match.group(1))
    prose = FENCE.sub("", text)
    for span in INLINE.findall(prose):
        match = COMMAND.match(span.strip())
        if match:
            found.append(match.group(1))
    # "# comment" after a command is for the reader.
    return [re.sub(r"\s+#.*$", "", command).strip() for command in found]


def documented() -> dict[str, list[str]]:
    """Every ``pip install`` command of the pages, with the pages giving it."""
    commands: dict[str, list[str]] = {}
    for page in PAGES:
        for command in _commands(page.read_text(encoding="utf-8")):
            commands.setdefault(command, []).append(page.relative_to(ROOT).as_posix())
    return commands


def _arguments(command: str) -> list[str]:
    return [word for word in shlex.split(command)[2:] if not word.startswith("-")]


def is_clone_line(command: str) -> bool:
    return any(word.startswith("./packages/") for word in _arguments(command))


CLONE_LINES = sorted(command for command in documented() if is_clone_line(command))


def expected_dists(command: str) -> set[str]:
    """The distributions a from-a-clone line installs (``./packages/*`` is every one)."""
    names = set()
    for word in _arguments(command):
        for folder in sorted(ROOT.glob(word.removeprefix("./"))):
            names.add(FOLDERS[folder.relative_to(ROOT).as_posix()].name)
    return names


def floor_problems(command: str) -> list[str]:
    """The requirements of ``command`` on our distributions that admit a 0.x."""
    problems = []
    for word in _arguments(command):
        try:
            requirement = Requirement(word)
        except InvalidRequirement:
            continue  # a path
        if canonicalize_name(requirement.name) not in OURS:
            continue
        spec = requirement.specifier
        if spec.contains(Version("0.1.4"), prereleases=True) or not spec.contains(Version("1.0.0")):
            problems.append(f"{word}: needs a >=1.0 floor (flask-express 0.1.x is on PyPI)")
    return problems


# -- the >=1.0 floor ------------------------------------------------------------------------


def test_every_released_package_line_has_the_1_0_floor() -> None:
    commands = documented()
    named = {
        command: pages
        for command, pages in commands.items()
        if not is_clone_line(command)
        and any(
            canonicalize_name(re.split(r"[<>=!~;\[ ]", word, maxsplit=1)[0]) in OURS
            for word in _arguments(command)
        )
    }
    # The meta-package and at least one piece are documented both ways.
    assert any("flask-express" in command for command in named)
    assert any("fx-core" in command for command in named)
    problems = [
        f"{pages[0]}: {p}" for command, pages in named.items() for p in floor_problems(command)
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("command", "bad"),
    [
        ("pip install flask-express", True),
        ("pip install 'flask-express>=0.1'", True),
        ("pip install fx-core", True),
        ('pip install "flask-express>=1.0"', False),
        ('pip install -U "flask-express>=1.0,<2"', False),
        ('pip install "fx-core>=1.0" "fx-files"', True),
        ('pip install "hatch>=1.18,<1.19"', False),
    ],
)
def test_the_floor_check_catches_a_bare_name(command: str, bad: bool) -> None:
    assert bool(floor_problems(command)) is bad


def test_a_quoted_missing_feature_message_is_not_a_command() -> None:
    text = (
        "`res.render() comes from fx-render: pip install fx-render, then compose(RenderMixin)`\n"
        '```sh\npip install "fx-render>=1.0"  # from PyPI\n$ pip install ./packages/fx-core\n```\n'
    )
    assert _commands(text) == ['pip install "fx-render>=1.0"', "pip install ./packages/fx-core"]


# -- from a clone ---------------------------------------------------------------------------


def test_the_docs_give_the_clone_lines_the_tests_run() -> None:
    every = {name for command in CLONE_LINES for name in expected_dists(command)}
    assert every == set(DISTS), "some distribution has no from-a-clone line"
    assert "pip install ./packages/*" in CLONE_LINES
    assert len(CLONE_LINES) <= 10, "keep the clone lines few: each costs an environment here"


# Run in each environment: builds an app from what is installed (the
# meta-package's, or fx-core's composing every installed piece's mixin) and
# prints what Flask's test client got.
APP_CHECK = r"""
import importlib, json, sys
from importlib import metadata

modules = json.loads(sys.argv[1])
for module in modules:
    importlib.import_module(module)
if "flask_express" in modules:
    from flask_express import FlaskExpress
    app = FlaskExpress(__name__)
else:
    from fx_core import FlaskExpress, compose
    mixins = [
        getattr(sys.modules[module], name)
        for module in modules
        for name in getattr(sys.modules[module], "__all__", [])
        if name.endswith("Mixin")
    ]
    app = FlaskExpress(__name__, response_class=compose(*mixins))

@app.get("/hello/<name>")
def hello(req, res):
    return res.status(201).json({"hello": req.params.name})

rv = app.test_client().get("/hello/ada")
installed = {d.metadata["Name"]: str(d.locate_file("")) for d in metadata.distributions()}
print(json.dumps({"status": rv.status_code, "json": rv.json, "installed": installed}))
"""


def _uv(*args: str) -> list[str]:
    # uv's binary, not ``python -m uv``: that one targets the interpreter
    # that ran it (this test environment) over VIRTUAL_ENV.
    from uv import find_uv_bin

    return [find_uv_bin(), *args]


def _editable_here(name: str) -> bool:
    from importlib import metadata

    direct_url = metadata.distribution(name).read_text("direct_url.json") or "{}"
    return bool(json.loads(direct_url).get("dir_info", {}).get("editable"))


@pytest.mark.parametrize("command", CLONE_LINES)
def test_a_clone_line_installs_and_serves(command: str, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    with_pip = command == "pip install ./packages/*"
    subprocess.run(
        _uv(
            "venv",
            "--quiet",
            "--python",
            sys.executable,
            *(["--seed"] if with_pip else []),
            str(venv),
        ),
        check=True,
        timeout=120,
    )
    env = {
        **os.environ,
        "VIRTUAL_ENV": str(venv),
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    for name in list(env):
        if name == "PYTHONPATH" or name.startswith("UV_INTERNAL"):
            del env[name]
    # The line as documented, with "pip" being the environment's pip, or
    # uv's, told which environment in so many words.
    uv = shlex.join(_uv())
    shim = (
        ""
        if with_pip
        else f'pip() {{ sub=$1; shift; {uv} pip "$sub" --python "$VIRTUAL_ENV/bin/python" "$@"; }}'
        "\n"
    )
    result = subprocess.run(
        ["sh", "-c", f"{shim}{command} --quiet"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]

    dists = expected_dists(command)
    modules = sorted(DISTS[name].import_name for name in dists)
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", APP_CHECK, json.dumps(modules)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout)
    assert (report["status"], report["json"]) == (201, {"hello": "ada"})
    installed = {canonicalize_name(name) for name in report["installed"]}
    assert {canonicalize_name(name) for name in dists} <= installed
    # Nothing else of ours came along, and nothing is an editable link back here.
    assert installed & OURS == {canonicalize_name(name) for name in dists}
    site = [path for name, path in report["installed"].items() if canonicalize_name(name) in OURS]
    assert all(str(venv) in path for path in site), site
    # The environment running the tests still has its editable copies.
    assert all(_editable_here(name) for name in dists)
