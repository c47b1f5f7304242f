"""The fx-core API stability check (.github/scripts/api_check.py) catches breaks.

Each test works on a copy of packages/fx-core/src/fx_core (and of the stored
baseline) in a temporary folder, edits it, and runs the check on the copy.
Edits are placed with ``ast`` line and column numbers rather than by matching
text, so the tests keep working while fx-core's source moves on.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

if sys.version_info < (3, 11):
    # hatch.toml installs griffe 2 (Python 3.11+) only there; CI runs the check on 3.11+.
    pytest.skip("griffe 2 needs Python 3.11+", allow_module_level=True)


def load_api_check() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(
        "api_check_script", ROOT / ".github" / "scripts" / "api_check.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


api_check = load_api_check()
RESPONSE = Path(api_check.SOURCE) / "fx_core" / "response.py"


def copy_fx_core(root: Path, *, baseline: bool = True) -> Path:
    """A copy of fx-core's source (and stored baseline) under ``root``."""
    shutil.copytree(
        ROOT / api_check.SOURCE / "fx_core",
        root / api_check.SOURCE / "fx_core",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    if baseline:
        (root / api_check.BASELINE).parent.mkdir(parents=True)
        shutil.copyfile(ROOT / api_check.BASELINE, root / api_check.BASELINE)
    return root


def method(source: str, cls: str, name: str) -> ast.FunctionDef:
    """The definition of ``cls.name`` in ``source``."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name == cls:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == name:
                    return item
    raise AssertionError(f"no {cls}.{name} in the source")


def edit(
    path: Path, cls: str, name: str, change: Callable[[list[str], ast.FunctionDef], None]
) -> None:
    """Rewrite ``path`` with ``change(lines, node)`` applied to ``cls.name``."""
    source = path.read_text()
    lines = source.splitlines(keepends=True)
    change(lines, method(source, cls, name))
    path.write_text("".join(lines))


def remove_method(path: Path, cls: str, name: str) -> None:
    def change(lines: list[str], node: ast.FunctionDef) -> None:
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
        del lines[start : node.end_lineno]

    edit(path, cls, name, change)


def last_parameter_end(node: ast.FunctionDef) -> tuple[int, int]:
    """Where the last parameter (with its default) ends: 0-based line, column."""
    args = node.args
    assert args.vararg is None and args.kwarg is None, "pick a method without *args/**kwargs"
    parts: list[ast.arg | ast.expr] = [
        *args.posonlyargs,
        *args.args,
        *args.kwonlyargs,
        *args.defaults,
    ]
    parts += [d for d in args.kw_defaults if d is not None]
    last = max(parts, key=lambda part: (part.end_lineno, part.end_col_offset))
    assert last.end_lineno is not None and last.end_col_offset is not None
    return last.end_lineno - 1, last.end_col_offset


def add_parameter(path: Path, cls: str, name: str, text: str) -> None:
    """Insert ``text`` (``, extra: int``) right after the last parameter."""

    def change(lines: list[str], node: ast.FunctionDef) -> None:
        line, column = last_parameter_end(node)
        lines[line] = lines[line][:column] + text + lines[line][column:]

    edit(path, cls, name, change)


def remove_last_parameter(path: Path, cls: str, name: str) -> str:
    """Drop the last positional parameter (and its default); return its name."""
    removed = method(path.read_text(), cls, name).args.args[-1].arg

    def change(lines: list[str], node: ast.FunctionDef) -> None:
        args = node.args
        assert not args.kwonlyargs and len(args.args) >= 2, "pick f(self, ..., last)"
        before = args.args[-2]
        assert before.end_lineno is not None and before.end_col_offset is not None
        start_line, start = before.end_lineno - 1, before.end_col_offset
        end_line, end = last_parameter_end(node)
        assert start_line == end_line, "pick a one-line signature"
        lines[end_line] = lines[end_line][:start] + lines[end_line][end:]

    edit(path, cls, name, change)
    return removed


def add_method(path: Path, cls: str, anchor: str, text: str) -> None:
    """Add the method ``text`` to ``cls``, just before its method ``anchor``."""

    def change(lines: list[str], node: ast.FunctionDef) -> None:
        indent = " " * node.col_offset
        lines.insert(node.lineno - 1, "".join(f"{indent}{line}\n" for line in text.splitlines()))

    edit(path, cls, anchor, change)


def set_version(root: Path, version: str) -> None:
    about = root / api_check.ABOUT
    text, count = re.subn(
        r'^__version__ = "[^"]+"$', f'__version__ = "{version}"', about.read_text(), flags=re.M
    )
    assert count == 1
    about.write_text(text)


def run_check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = api_check.main(["--root", str(root), "check"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_the_stored_baseline_records_the_version_and_loads_back() -> None:
    baseline = api_check.load_baseline(ROOT)
    assert baseline.version.major == api_check.current_version(ROOT).major
    # Alias resolution works on the decoded tree: fx_core.Response is the class.
    assert baseline.api["Response"].target.path == "fx_core.response.Response"
    assert "send_status" in baseline.api["Response"].members


def test_the_unchanged_copy_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run_check(copy_fx_core(tmp_path), capsys)
    assert code == 0, output
    assert "no breaking change" in output
    assert "stored baseline" in output


def test_a_removed_public_method_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_fx_core(tmp_path)
    remove_method(root / RESPONSE, "Response", "send_status")
    code, output = run_check(root, capsys)
    assert code == 1, output
    assert re.search(r"response\.py:\d+: Response\.send_status: Public object was removed", output)


def test_a_removed_parameter_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_fx_core(tmp_path)
    removed = remove_last_parameter(root / RESPONSE, "Response", "redirect")
    code, output = run_check(root, capsys)
    assert code == 1, output
    assert f"Response.redirect({removed}): Parameter was removed" in output


def test_a_new_required_parameter_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_fx_core(tmp_path)
    add_parameter(root / RESPONSE, "Response", "send_status", ", reason: str")
    code, output = run_check(root, capsys)
    assert code == 1, output
    assert "Response.send_status(reason): Parameter was added as required" in output


def test_compatible_additions_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_fx_core(tmp_path)
    add_parameter(root / RESPONSE, "Response", "send_status", ', *, reason: str = ""')
    add_method(
        root / RESPONSE,
        "Response",
        "send_status",
        'def vary_on(self, field: str) -> None:\n    """A new method."""\n',
    )
    code, output = run_check(root, capsys)
    assert code == 0, output
    assert "no breaking change" in output


def test_a_break_with_a_major_bump_passes_and_is_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_fx_core(tmp_path)
    remove_method(root / RESPONSE, "Response", "send_status")
    old_major = api_check.load_baseline(root).version.major
    set_version(root, f"{old_major + 1}.0.0.dev0")
    code, output = run_check(root, capsys)
    assert code == 0, output
    assert "allowed by the major version change" in output
    assert "Response.send_status: Public object was removed" in output
    assert "hatch run api:baseline" in output


def test_a_missing_baseline_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run_check(copy_fx_core(tmp_path, baseline=False), capsys)
    assert code == 2
    assert "hatch run api:baseline" in output


def test_the_baseline_command_writes_a_baseline_the_check_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_fx_core(tmp_path, baseline=False)
    remove_method(root / RESPONSE, "Response", "send_status")
    assert api_check.main(["--root", str(root), "baseline"]) == 0
    stored = (root / api_check.BASELINE).read_text()
    assert str(tmp_path) not in stored  # paths are relative: the file is committed
    assert '"docstring"' not in stored
    code, output = run_check(root, capsys)
    assert code == 0, output


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def quiet_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """git with a fixed identity and none of the machine's configuration."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "api check test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "api-check@example.invalid")


@pytest.mark.usefixtures("quiet_git")
def test_a_release_tag_is_used_instead_of_the_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("git") is None:
        pytest.fail("git is needed: the check reads release tags with it")
    root = copy_fx_core(tmp_path)
    # Released in 1.0.0 but absent from the stored baseline: only the tag
    # knows it, so only a comparison with the tag can catch its removal.
    add_method(
        root / RESPONSE,
        "Response",
        "send_status",
        'def released_later(self) -> None:\n    """Shipped in 1.0.0."""\n',
    )
    set_version(root, "1.0.0")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "fx-core 1.0.0")
    git(root, "tag", "fx-core-v1.0.0")
    # Newer than the working tree's version: left out.
    git(root, "tag", "fx-core-v1.1.0")
    git(root, "tag", "fx-core-v1.0.1rc1")
    remove_method(root / RESPONSE, "Response", "released_later")
    set_version(root, "1.0.1.dev0")
    git(root, "commit", "-q", "-am", "drop released_later")

    code, output = run_check(root, capsys)
    assert code == 1, output
    assert "release tag fx-core-v1.0.0" in output
    removed = r"response\.py:\d+: Response\.released_later: Public object was removed"
    assert re.search(removed, output)

    # 1.1.0 is now the newest final release not above the working tree.
    set_version(root, "2.0.0.dev0")
    code, output = run_check(root, capsys)
    assert code == 0, output
    assert "release tag fx-core-v1.1.0" in output
    assert "allowed by the major version change" in output
