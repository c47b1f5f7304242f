"""The tutorial's app, built from docs/tutorial.md as a reader would build it.

Every code block with a file title (``notes/api.py``) is written to that
file, the last version of each file winning (blocks titled "first version"
are steps on the way). Then the tutorial's own tests run with pytest, and the
API is sent every wrong shape of JSON body: each must be a 400 with a JSON
error, never a 500.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.md"

_BLOCK = re.compile(r'^```[\w+-]+ title="([^"]+)"\n(.*?)^```', re.MULTILINE | re.DOTALL)


def tutorial_files() -> dict[str, str]:
    """The files the tutorial has the reader write: path -> last version."""
    files: dict[str, str] = {}
    for title, body in _BLOCK.findall(TUTORIAL.read_text(encoding="utf-8")):
        if "(" in title:  # "notes/api.py (first version)": replaced later on
            continue
        files[title] = body
    return files


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tutorial")
    for name, body in tutorial_files().items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return root


def test_the_tutorial_writes_the_whole_app() -> None:
    assert {
        "notes/__init__.py",
        "notes/store.py",
        "notes/pages.py",
        "notes/api.py",
        "notes/templates/base.html",
        "notes/templates/index.html",
        "tests/conftest.py",
        "tests/test_notes.py",
    } <= set(tutorial_files())


def test_the_tutorials_own_tests_pass(project: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "tests",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\d+ passed", result.stdout)


WRONG_SHAPES: list[t.Any] = [
    [1, 2],
    [],
    [{"title": "x"}],
    "x",
    42,
    4.5,
    True,
    None,
    {},
    {"title": None},
    {"title": 5},
    {"title": ["x"]},
    {"title": {"x": 1}},
    {"title": ""},
    {"title": "   "},
    {"title": "ok", "text": 5},
    {"title": "ok", "text": None},
    {"title": "ok", "text": {"a": "b"}},
]


@pytest.fixture(scope="module")
def client(project: Path, tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[t.Any]:
    sys.path.insert(0, str(project))
    try:
        from notes import create_app  # type: ignore[import-not-found]

        notes_file = tmp_path_factory.mktemp("notes") / "notes.json"
        app = create_app({"TESTING": True, "NOTES_FILE": str(notes_file)})
        yield app.test_client()
    finally:
        sys.path.remove(str(project))
        for name in [name for name in sys.modules if name == "notes" or name.startswith("notes.")]:
            del sys.modules[name]


@pytest.mark.parametrize("body", WRONG_SHAPES, ids=[json.dumps(b) for b in WRONG_SHAPES])
def test_every_wrong_shape_is_a_json_400(client: t.Any, body: t.Any) -> None:
    rv = client.post(
        "/api/notes",
        data=json.dumps(body),
        headers={"X-API-Key": "dev-key", "Content-Type": "application/json"},
    )
    assert rv.status_code == 400, rv.data
    assert isinstance(rv.json["error"], str)


@pytest.mark.parametrize("raw", [b"", b"{", b"\xff", b'{"title": "x"', b"[" * 10_000])
def test_bodies_that_are_not_json_are_a_json_400(client: t.Any, raw: bytes) -> None:
    rv = client.post(
        "/api/notes",
        data=raw,
        headers={"X-API-Key": "dev-key", "Content-Type": "application/json"},
    )
    assert rv.status_code == 400
    assert isinstance(rv.json["error"], str)


def test_the_right_shape_is_created(client: t.Any) -> None:
    rv = client.post(
        "/api/notes", json={"title": " Eggs ", "text": "6"}, headers={"X-API-Key": "dev-key"}
    )
    assert rv.status_code == 201
    assert rv.json["title"] == "Eggs"
