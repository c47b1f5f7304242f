"""Faults: clients that give up half-way must not hurt the server.

The demo runs under gunicorn (2 sync workers, 127.0.0.1) with its
ATTACHMENTS_FOLDER pointed at a temporary folder that holds a 20 MiB file.
Then:

- 50 clients ask for the file with ``res.attachment``, read a few KiB of the
  answer and close the socket;
- 50 clients send a partial request (25 stop inside the header block, 25
  inside a form body shorter than its Content-Length) and hang up.

Afterwards the server still answers (the whole file included), the workers
are the same processes, and each worker's open file descriptors
(``/proc/<pid>/fd``) return to the count they had before, within a bounded
settle time.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sys
import time
import typing as t
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import pytest
import requests

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]

HOST = "127.0.0.1"
WORKERS = 2
BIG_SIZE = 20 * 1024 * 1024
#: Clients of each kind, and how many run at once.
CLIENTS = 50
PARALLEL = 10
#: Bytes an aborting client reads before it closes the socket.
READ_BEFORE_ABORT = 8 * 1024
#: Seconds one socket operation may take, and one batch of clients.
SOCKET_TIMEOUT = 10.0
BATCH_LIMIT = 60.0
#: Seconds the workers get to close what the aborted requests opened.
SETTLE_LIMIT = 10.0

T = t.TypeVar("T")


def worker_pids(master: int) -> list[int]:
    """The PIDs of the gunicorn workers: the master's children."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def open_fds(pid: int) -> int:
    """How many file descriptors ``pid`` has open."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def fd_counts(pids: t.Iterable[int]) -> dict[int, int]:
    return {pid: open_fds(pid) for pid in pids}


def abort_download(port: int, path: str) -> int:
    """GET ``path``, read at least :data:`READ_BEFORE_ABORT` bytes of the
    answer, then close the socket with the rest unread; return the bytes read."""
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    received = b""
    deadline = time.monotonic() + SOCKET_TIMEOUT
    with socket.create_connection((HOST, port), timeout=SOCKET_TIMEOUT) as sock:
        sock.sendall(request)
        # Bounded in count (each recv gets at least a byte) and in time.
        for _ in range(READ_BEFORE_ABORT):
            chunk = sock.recv(4096)
            if not chunk or time.monotonic() > deadline:
                break
            received += chunk
            if len(received) >= READ_BEFORE_ABORT:
                break
    assert received.startswith(b"HTTP/1.1 200 "), received[:200]
    assert len(received) >= READ_BEFORE_ABORT, "the server ended the answer early"
    return len(received)


def hang_up_mid_request(port: int, index: int) -> None:
    """Send part of a request, then close the socket: even indexes stop inside
    the header block, odd ones inside a form body shorter than announced."""
    if index % 2 == 0:
        partial = f"GET /res/json HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept: appli"
    else:
        partial = (
            f"POST /req/body HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            "Content-Length: 10000\r\n\r\nname=Ada&language=Pyt"
        )
    with socket.create_connection((HOST, port), timeout=SOCKET_TIMEOUT) as sock:
        sock.sendall(partial.encode())


def run_clients(client: t.Callable[[int], T]) -> list[T]:
    """Run ``client(i)`` for i in 0..CLIENTS-1, PARALLEL at a time; fail if a
    client raised or the batch took longer than :data:`BATCH_LIMIT`."""
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        futures = [pool.submit(client, index) for index in range(CLIENTS)]
        finished, pending = wait(futures, timeout=BATCH_LIMIT)
        for future in pending:
            future.cancel()
        assert not pending, f"{len(pending)} clients still running after {BATCH_LIMIT} s"
        return [future.result() for future in finished]


def test_aborted_downloads_and_partial_requests_leak_nothing(
    tmp_path: Path,
    port: int,
    launch: t.Callable[..., t.Any],
    gunicorn: t.Callable[..., list[str]],
    wait_for: t.Callable[[t.Callable[[], bool], float], bool],
) -> None:
    folder = tmp_path / "attachments"
    folder.mkdir()
    big = folder / "big.bin"
    big.write_bytes(os.urandom(1024 * 1024) * (BIG_SIZE // (1024 * 1024)))
    big_digest = hashlib.sha256(big.read_bytes()).hexdigest()
    (folder / "hello.txt").write_text("hello\n")

    base = f"http://{HOST}:{port}"
    server = launch(
        gunicorn(port, workers=WORKERS),
        f"{base}/res/json",
        env={"FLASK_ATTACHMENTS_FOLDER": str(folder)},
    )
    assert wait_for(lambda: len(worker_pids(server.pid)) == WORKERS, 10.0)
    workers = worker_pids(server.pid)

    # Warm up the paths the faults take, on every worker, before the baseline.
    def warm_up(index: int) -> None:
        with requests.get(f"{base}/res/attachment/big.bin", timeout=30) as rv:
            assert rv.status_code == 200
            assert len(rv.content) == BIG_SIZE
        rv = requests.post(f"{base}/req/body", data={"name": "Ada"}, timeout=SOCKET_TIMEOUT)
        assert rv.json() == {"body": {"name": "Ada"}}
        assert requests.get(f"{base}/res/json", timeout=SOCKET_TIMEOUT).status_code == 200

    with ThreadPoolExecutor(max_workers=WORKERS * 2) as pool:
        list(pool.map(warm_up, range(WORKERS * 4), timeout=BATCH_LIMIT))
    before = fd_counts(workers)

    read = run_clients(lambda _: abort_download(port, "/res/attachment/big.bin"))
    run_clients(lambda index: hang_up_mid_request(port, index))
    during = fd_counts(workers)

    # The server still answers, with the whole file.
    rv = requests.get(f"{base}/res/json", timeout=SOCKET_TIMEOUT)
    assert rv.status_code == 200
    with requests.get(f"{base}/res/attachment/big.bin", timeout=30) as rv:
        assert rv.status_code == 200
        assert hashlib.sha256(rv.content).hexdigest() == big_digest

    settled = wait_for(lambda: fd_counts(workers) == before, SETTLE_LIMIT)
    after = fd_counts(workers)
    print(
        f"\nfaults: {CLIENTS} aborted downloads of {BIG_SIZE // 2**20} MiB "
        f"(read {min(read)}-{max(read)} bytes each), "
        f"{CLIENTS} partial requests; worker fds before {before}, right after {during}, "
        f"after settling {after}"
    )
    # The same workers serve: none crashed and was replaced (a fresh worker
    # would hide a leak).
    assert worker_pids(server.pid) == workers
    assert settled, f"worker fds did not return to {before} within {SETTLE_LIMIT} s: {after}"
    log = server.output()
    for sign in ("Traceback", "[ERROR]", "WORKER TIMEOUT", "[CRITICAL]"):
        assert sign not in log, log
