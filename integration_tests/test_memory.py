"""Large files stream in constant memory: a 1 GiB file sent by
``res.send_file`` from a real gunicorn worker barely moves its peak RSS."""

from __future__ import annotations

import os
import sys
import typing as t
from pathlib import Path

import pytest
import requests

HOST = "127.0.0.1"

GIB = 1 << 30
#: The most the worker's peak RSS may grow while it sends the 1 GiB file.
RSS_LIMIT = 20 * 1024 * 1024

APP = """
import os

from flask_express import FlaskExpress

app = FlaskExpress(__name__)


@app.get("/big")
def big(req, res):
    return res.send_file(os.environ["FX_BIG_FILE"])


@app.get("/small")
def small(req, res):
    return res.send_file(os.environ["FX_SMALL_FILE"])
"""


def peak_rss(pid: int) -> int:
    """The peak resident set size of ``pid`` in bytes (Linux VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmHWM for {pid}")


def only_child(pid: int) -> int:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


@pytest.mark.server
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sending_a_1_gib_file_keeps_peak_rss_flat(
    tmp_path: Path,
    port: int,
    launch: t.Callable[..., t.Any],
    gunicorn: t.Callable[..., list[str]],
) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as f:
        f.truncate(GIB)  # sparse: 1 GiB long, next to no disk
    small = tmp_path / "small.bin"
    small.write_bytes(os.urandom(64 * 1024))
    (tmp_path / "bigapp.py").write_text(APP)

    server = launch(
        gunicorn(port, app="bigapp:app", workers=1),
        f"http://{HOST}:{port}/small",
        cwd=tmp_path,
        env={"FX_BIG_FILE": str(big), "FX_SMALL_FILE": str(small)},
    )
    worker = only_child(server.pid)

    base = f"http://{HOST}:{port}"
    for _ in range(3):  # warm the send_file path before the baseline
        assert requests.get(f"{base}/small", timeout=10).content == small.read_bytes()
    before = peak_rss(worker)

    received = 0
    with requests.get(f"{base}/big", stream=True, timeout=60) as rv:
        assert rv.status_code == 200
        assert rv.headers["Content-Length"] == str(GIB)
        for chunk in rv.iter_content(chunk_size=1 << 20):
            received += len(chunk)
    after = peak_rss(worker)

    assert received == GIB
    growth = after - before
    print(
        f"\nworker peak RSS: {before / 2**20:.1f} MiB before, {after / 2**20:.1f} MiB after "
        f"sending 1 GiB (growth {growth / 2**20:.2f} MiB)"
    )
    assert growth < RSS_LIMIT
