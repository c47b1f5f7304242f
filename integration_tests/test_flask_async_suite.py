"""Flask's own ``tests/test_async.py`` passes with FlaskExpress as the app class.

The file comes from the sdist of the Flask version installed here (from
PyPI, as every dependency does), so it is the suite that version was
released with. A pytest plugin replaces ``flask.Flask`` with a FlaskExpress
subclass before the suite imports it; the test checks that the suite really
built FlaskExpress apps and that every test passed.
"""

from __future__ import annotations

import importlib.metadata
import io
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest
import requests

FLASK_VERSION = importlib.metadata.version("flask")

PLUGIN = textwrap.dedent(
    """
    import os

    import flask

    import fx_core

    COUNT = os.environ["FX_APPS_MADE"]


    class Patched(fx_core.FlaskExpress):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            with open(COUNT, "a") as f:
                f.write("x")


    flask.Flask = Patched
    """
)


@pytest.fixture(scope="module")
def flask_tests(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Flask's tests folder, from the sdist of the installed version."""
    # PyPI's simple index (PEP 691), which every installer here uses.
    index = requests.get(
        "https://pypi.org/simple/flask/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
        timeout=30,
    )
    index.raise_for_status()
    name = f"flask-{FLASK_VERSION}.tar.gz"
    (sdist,) = [f for f in index.json()["files"] if f["filename"] == name]
    archive = requests.get(sdist["url"], timeout=60)
    archive.raise_for_status()
    root = tmp_path_factory.mktemp("flask-suite")
    with tarfile.open(fileobj=io.BytesIO(archive.content)) as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            # Its conftest is left out: test_async.py uses none of its
            # fixtures, and it needs the pytest of Flask's own CI.
            if parts[1:] == ("tests", "test_async.py"):
                member.name = "/".join(parts[1:])
                tar.extract(member, root, filter="data")
    assert (root / "tests" / "test_async.py").is_file()
    (root / "fx_flask_patch.py").write_text(PLUGIN, encoding="utf-8")
    return root


def test_flasks_async_suite_passes_on_flask_express(flask_tests: Path) -> None:
    made = flask_tests / "apps-made"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "fx_flask_patch",
            "-p",
            "no:cacheprovider",
            "-q",
            "tests/test_async.py",
        ],
        cwd=flask_tests,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(flask_tests), "FX_APPS_MADE": str(made), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout
    assert made.read_text().count("x") >= 3
