"""No race between the confinement check and the open.

A thread swaps a file, and a folder on the way to another, inside the served
folder for symlinks to outside and back, as fast as it can, while requests
for them run through the test client. A check that looks at the path and
then lets something else open it again can be raced; every answer must
hold no byte of the outside file, whichever state each request saw.
integration_tests/test_file_race.py does the same through gunicorn.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import typing as t
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from fx_core import FlaskExpress, Request

MARKER = b"OUTSIDE-MARKER-5d1e0b77"
INSIDE = b"inside the folder\n" * 64
#: Bounds of each race: seconds, and requests.
SECONDS = 3.0
REQUESTS = 20_000


class Swapper:
    """Swaps ``folder/victim.txt`` and ``folder/dir`` for symlinks that
    leave the folder, and back, until stopped or ``limit`` swaps."""

    def __init__(self, folder: Path, outside: Path, limit: int = 1_000_000) -> None:
        self.folder = folder
        self.outside = outside
        self.limit = limit
        self.stop = threading.Event()
        self.swaps = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        victim = self.folder / "victim.txt"
        directory = self.folder / "dir"
        held = self.folder.parent / "held-dir"
        link_tmp = self.folder / ".link-tmp"
        file_tmp = self.folder / ".file-tmp"
        while not self.stop.is_set() and self.swaps < self.limit:
            os.symlink(self.outside / "secret.txt", link_tmp)
            os.replace(link_tmp, victim)
            os.rename(directory, held)
            os.symlink(self.outside, directory, target_is_directory=True)
            file_tmp.write_bytes(INSIDE)
            os.replace(file_tmp, victim)
            os.unlink(directory)
            os.rename(held, directory)
            self.swaps += 1

    def __enter__(self) -> Swapper:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(10)
        assert not self.thread.is_alive()


def make_race_tree(base: Path) -> tuple[Path, Path]:
    """The served folder (with ``victim.txt`` and ``dir/secret.txt``) and the
    outside folder (with ``secret.txt``), whose files all hold MARKER."""
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(MARKER * 64)
    folder = base / "served"
    (folder / "dir").mkdir(parents=True)
    (folder / "victim.txt").write_bytes(INSIDE)
    (folder / "dir" / "secret.txt").write_bytes(INSIDE)
    return folder, outside


@pytest.fixture
def fast_switching() -> Iterator[None]:
    # Let the threads interleave far more often than every 5 ms.
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


@pytest.mark.parametrize("form", ["attachment", "send_file", "download"])
def test_swapping_symlinks_in_never_serves_the_outside_file(
    app: FlaskExpress, client: FlaskClient, tmp_path: Path, fast_switching: None, form: str
) -> None:
    folder, outside = make_race_tree(tmp_path)
    app.config["ATTACHMENTS_FOLDER"] = str(folder)

    @app.get("/<path:name>")
    def view(req: Request, res: t.Any, name: str) -> t.Any:
        if form == "attachment":
            return res.attachment(name)
        if form == "send_file":
            return res.send_file(name, root=folder)
        return res.download(name, root=folder)

    statuses: dict[int, int] = {}
    leaked = 0
    deadline = time.monotonic() + SECONDS
    with Swapper(folder, outside) as swapper:
        for count in range(REQUESTS):
            if time.monotonic() > deadline:
                break
            name = "victim.txt" if count % 2 else "dir/secret.txt"
            rv = client.get(f"/{name}")
            statuses[rv.status_code] = statuses.get(rv.status_code, 0) + 1
            if MARKER in rv.data:
                leaked += 1
    assert leaked == 0, statuses
    # The race ran: the swapper moved, and both states were seen.
    assert swapper.swaps > 10
    assert statuses.get(200, 0) > 0
    assert set(statuses) <= {200, 404}
