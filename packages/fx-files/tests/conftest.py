"""Fixtures: an app whose root is a fresh folder of files, outside which
canary files hold a secret that no response may ever contain.

Layout under ``tmp_path``::

    canary.txt                      CANARY (outside the app)
    app/                            app.root_path
        canary.txt                  CANARY (outside every served folder)
        attachments2/canary.txt     CANARY (a sibling whose name extends the folder's)
        files2/canary.txt           CANARY (the same for files/)
        attachments/                the default ATTACHMENTS_FOLDER
            report.txt, data.bin, sub/nested.txt, café.txt
            link-out      -> ../../canary.txt     (symlink leaving the folder)
            dir-out       -> tmp_path             (directory symlink leaving it)
            prefix-out    -> ../attachments2      (a string-prefix check would pass it)
            link-in       -> report.txt           (stays inside: served)
        files/                      the folder root= confines names to (same content)
"""

from __future__ import annotations

import os
import typing as t
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from fx_core import FlaskExpress, compose
from fx_files import FilesMixin

CANARY = b"CANARY-7f3a9c: this file lies outside every served folder"
REPORT = b"quarterly report\nline two\n"
NESTED = b"nested file body"
# 300 KiB of every byte value: longer than any single read, so Range and
# streaming tests see several chunks.
DATA = bytes(range(256)) * 1200


class ClosingClient(FlaskClient):
    """A test client that reads each body and closes it, as a server does.

    Werkzeug's client leaves a streamed body open until ``rv.close()``; an
    unclosed file would surface as a ``ResourceWarning``, which the root
    config turns into an error. ``buffered=False`` keeps the stream open for
    the tests that look at it chunk by chunk.
    """

    def open(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


def _fill(folder: Path, tmp_path: Path) -> None:
    folder.mkdir()
    (folder / "report.txt").write_bytes(REPORT)
    (folder / "data.bin").write_bytes(DATA)
    (folder / "sub").mkdir()
    (folder / "sub" / "nested.txt").write_bytes(NESTED)
    (folder / "café.txt").write_bytes(REPORT)
    os.symlink(tmp_path / "canary.txt", folder / "link-out")
    os.symlink(tmp_path, folder / "dir-out", target_is_directory=True)
    sibling = folder.with_name(folder.name + "2")
    sibling.mkdir()
    (sibling / "canary.txt").write_bytes(CANARY)
    os.symlink(sibling, folder / "prefix-out", target_is_directory=True)
    os.symlink(folder / "report.txt", folder / "link-in")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "canary.txt").write_bytes(CANARY)
    app_root = tmp_path / "app"
    app_root.mkdir()
    (app_root / "canary.txt").write_bytes(CANARY)
    _fill(app_root / "attachments", tmp_path)
    _fill(app_root / "files", tmp_path)
    return app_root


@pytest.fixture
def app(root: Path) -> FlaskExpress:
    app = FlaskExpress(__name__, response_class=compose(FilesMixin))
    app.config.update(TESTING=True, SECRET_KEY="test-secret")
    # Relative paths must resolve from here, never from the working directory.
    app.root_path = str(root)
    app.test_client_class = ClosingClient
    return app


@pytest.fixture
def client(app: FlaskExpress) -> FlaskClient:
    return app.test_client()
