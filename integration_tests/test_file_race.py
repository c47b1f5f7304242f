"""fx-files through gunicorn: no race between the confinement check and the
open, and no file left open by a request that raised.

A thread of the test swaps a file, and a folder on the way to another,
inside the served folder for symlinks to a folder outside and back, as fast
as it can, while requests for them go to gunicorn (one sync worker) on
127.0.0.1: no answer may hold a byte of the outside file, whichever state
each request saw. packages/fx-files/tests/test_race.py runs the same race
through the test client.

Then: requests whose view or middleware raises after ``attachment()``,
``send_file()`` or ``download()`` opened a file leave the worker's open file
descriptors where they were, and a large file still streams whole.
"""

from __future__ import annotations

import hashlib
import os
import sys
import textwrap
import threading
import time
import typing as t
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

HOST = "127.0.0.1"
MARKER = b"OUTSIDE-MARKER-9c4f2a61"
INSIDE = b"inside the folder\n" * 64
#: Bounds of the race: seconds, and requests.
SECONDS = 4.0
REQUESTS = 5_000
#: 20 MiB: many reads, and more than any socket buffer.
LARGE = 20 * 1024 * 1024

APP = """
import os

from fx_core import FlaskExpress, compose
from fx_files import FilesMixin

ROOT = os.environ["FILE_RACE_ROOT"]
SERVED = os.path.join(ROOT, "served")

app = FlaskExpress(__name__, response_class=compose(FilesMixin))
app.config["ATTACHMENTS_FOLDER"] = SERVED


def send(res, form, name):
    if form == "attachment":
        return res.attachment(name)
    if form == "send_file":
        return res.send_file(name, root=SERVED)
    if form == "download":
        return res.download(name, root=SERVED)
    return res.send_file(os.path.join(SERVED, name))


@app.use
def fail_after_next(req, res, next):
    next()
    if req.path.startswith("/after/"):
        raise ValueError("after next()")


@app.get("/")
def index(req, res):
    return res.send("ok")


@app.get("/files/<form>/<path:name>")
def files(req, res, form, name):
    return send(res, form, name)


@app.get("/fail/<form>/<path:name>")
def fail(req, res, form, name):
    send(res, form, name)
    raise ValueError("after the file was opened")


@app.get("/after/<form>/<path:name>")
def after(req, res, form, name):
    return send(res, form, name)


@app.get("/fds")
def fds(req, res):
    return res.json({"pid": os.getpid(), "fds": len(os.listdir("/proc/self/fd"))})
"""


def make_tree(base: Path) -> tuple[Path, Path]:
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(MARKER * 64)
    folder = base / "served"
    (folder / "dir").mkdir(parents=True)
    (folder / "victim.txt").write_bytes(INSIDE)
    (folder / "dir" / "secret.txt").write_bytes(INSIDE)
    (folder / "large.bin").write_bytes(os.urandom(1024) * (LARGE // 1024))
    return folder, outside


class Swapper:
    """Swaps ``folder/victim.txt`` and ``folder/dir`` for symlinks that
    leave the folder, and back, until stopped."""

    def __init__(self, folder: Path, outside: Path) -> None:
        self.folder = folder
        self.outside = outside
        self.stop = threading.Event()
        self.swaps = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        victim = self.folder / "victim.txt"
        directory = self.folder / "dir"
        held = self.folder.parent / "held-dir"
        link_tmp = self.folder / ".link-tmp"
        file_tmp = self.folder / ".file-tmp"
        while not self.stop.is_set() and self.swaps < 10_000_000:
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


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    base = tmp_path_factory.mktemp("file-race")
    folder, outside = make_tree(base)
    (base / "race_app.py").write_text(textwrap.dedent(APP))
    return base, folder, outside


@pytest.fixture(scope="module")
def base_url(
    tree: tuple[Path, Path, Path],
    serve: t.Callable[..., t.Any],
    free_port_number: int,
    gunicorn: t.Callable[..., list[str]],
) -> Iterator[str]:
    """gunicorn (one sync worker) serving the race app on 127.0.0.1."""
    base = tree[0]
    paths = [str(base), *filter(None, [os.environ.get("PYTHONPATH")])]
    url = f"http://{HOST}:{free_port_number}"
    serve(
        gunicorn(free_port_number, app="race_app:app", workers=1),
        f"{url}/",
        env={"FILE_RACE_ROOT": str(base), "PYTHONPATH": os.pathsep.join(paths)},
    )
    yield url


@pytest.mark.server
@pytest.mark.parametrize("form", ["attachment", "send_file", "download"])
def test_swapping_symlinks_in_never_serves_the_outside_file_through_gunicorn(
    base_url: str, tree: tuple[Path, Path, Path], form: str
) -> None:
    _, folder, outside = tree
    statuses: dict[int, int] = {}
    leaked = 0
    deadline = time.monotonic() + SECONDS
    with requests.Session() as session, Swapper(folder, outside) as swapper:
        for count in range(REQUESTS):
            if time.monotonic() > deadline:
                break
            name = "victim.txt" if count % 2 else "dir/secret.txt"
            rv = session.get(f"{base_url}/files/{form}/{name}", timeout=10)
            statuses[rv.status_code] = statuses.get(rv.status_code, 0) + 1
            if MARKER in rv.content:
                leaked += 1
    assert leaked == 0, statuses
    assert swapper.swaps > 10
    assert statuses.get(200, 0) > 0
    assert set(statuses) <= {200, 404}


def worker_fds(session: requests.Session, base_url: str) -> tuple[int, int]:
    data = session.get(f"{base_url}/fds", timeout=10).json()
    return int(data["pid"]), int(data["fds"])


@pytest.mark.server
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts fds in /proc")
@pytest.mark.parametrize("where", ["fail", "after"])
@pytest.mark.parametrize("form", ["attachment", "send_file", "download", "trusted"])
def test_requests_that_raise_after_the_file_was_opened_leave_no_file_open(
    base_url: str, form: str, where: str
) -> None:
    with requests.Session() as session:
        pid, before = worker_fds(session, base_url)
        for _ in range(200):
            rv = session.get(f"{base_url}/{where}/{form}/victim.txt", timeout=10)
            assert rv.status_code == 500
        for _ in range(200):
            rv = session.get(f"{base_url}/files/{form}/victim.txt", timeout=10)
            assert (rv.status_code, rv.content) == (200, INSIDE)
        after_pid, after = worker_fds(session, base_url)
    assert after_pid == pid  # the same worker, alive
    assert after - before <= 2, (before, after)


@pytest.mark.server
@pytest.mark.parametrize("form", ["attachment", "send_file", "download", "trusted"])
def test_a_large_file_streams_whole_through_gunicorn(
    base_url: str, tree: tuple[Path, Path, Path], form: str
) -> None:
    expected = hashlib.sha256((tree[1] / "large.bin").read_bytes()).hexdigest()
    digest = hashlib.sha256()
    size = 0
    with requests.get(f"{base_url}/files/{form}/large.bin", stream=True, timeout=30) as rv:
        assert rv.status_code == 200
        assert rv.headers["Content-Length"] == str(LARGE)
        assert rv.headers["X-Content-Type-Options"] == "nosniff"
        for chunk in rv.iter_content(256 * 1024):
            digest.update(chunk)
            size += len(chunk)
    assert size == LARGE
    assert digest.hexdigest() == expected
