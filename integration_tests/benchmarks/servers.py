"""Real servers for Modes B and C: gunicorn on 127.0.0.1, and what /proc says
about its processes.

Every server is a subprocess started here, bound to 127.0.0.1 on a free port,
given a bounded time to answer, and stopped by SIGTERM to the PID that was
started (SIGKILL if it does not exit in time, then its process group).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import typing as t
from collections.abc import Iterator, Mapping
from pathlib import Path

__all__ = [
    "HOST",
    "Gunicorn",
    "cpu_sets",
    "free_port",
    "http_get",
    "peak_rss",
    "pin",
    "process_cpu_seconds",
]

HOST = "127.0.0.1"
#: integration_tests/: gunicorn imports ``benchmarks.apps`` from here.
IMPORT_ROOT = Path(__file__).resolve().parent.parent
#: Seconds a server gets to answer its first request.
START_LIMIT = 20.0
#: Seconds a server gets to exit after SIGTERM.
STOP_LIMIT = 10.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def cpu_sets() -> tuple[set[int] | None, set[int] | None]:
    """CPUs for (the server, the load generator): one each when the machine
    has two or more, so neither steals the other's core; ``None`` (no
    pinning) otherwise."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return None, None
    if len(cpus) < 2:
        return None, None
    return {cpus[0]}, {cpus[1]}


@contextlib.contextmanager
def pin(cpus: set[int] | None) -> Iterator[None]:
    """Run this process on ``cpus`` for the duration (nothing if ``None``)."""
    if cpus is None:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def http_get(
    port: int, path: str, headers: t.Iterable[tuple[str, str]] = (), timeout: float = 10.0
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One HTTP/1.0 GET over a raw socket: ``(status, headers, body)``.

    The response is read to the end of the connection, byte for byte as the
    server sent it (no decoding, no redirects followed).
    """
    lines = [f"GET {path} HTTP/1.0", f"Host: {HOST}:{port}"]
    lines += [f"{name}: {value}" for name, value in headers]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    chunks = []
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(request)
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split()[1])
    parsed = []
    for line in header_lines:
        name, _, value = line.partition(":")
        parsed.append((name.strip(), value.strip()))
    return status, parsed, body


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads), from
    /proc/<pid>/stat; 0 if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # The command name may hold spaces: fields are counted after its ')'.
    fields = stat.rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / _CLOCK_TICKS


def peak_rss(pid: int) -> int:
    """The peak resident set size of ``pid`` in bytes (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/{pid}/status has no VmHWM")


def _gunicorn_base() -> list[str]:
    args = [sys.executable, "-m", "gunicorn"]
    from gunicorn.config import KNOWN_SETTINGS  # type: ignore[import-untyped]

    # Newer releases open a control socket in ~/.gunicorn by default; a
    # benchmark server must not touch the home directory.
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
        args.append("--no-control-socket")
    return args


class Gunicorn:
    """gunicorn serving one of the benchmark apps.

    :param app: the app spec, e.g. ``benchmarks.apps:make_flask_app()``.
    :param workers: workers.
    :param worker_class: ``sync`` or ``gthread``.
    :param threads: threads per worker (gthread).
    :param cpus: CPUs the master and its workers run on (``None``: any).
    :param env: extra environment variables.
    :param log: where its output goes.
    """

    def __init__(
        self,
        app: str,
        log: Path,
        workers: int = 1,
        cpus: set[int] | None = None,
        env: Mapping[str, str] | None = None,
        worker_class: str = "sync",
        threads: int = 1,
    ) -> None:
        self.app = app
        self.port = free_port()
        self.log = log
        args = [
            *_gunicorn_base(),
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--log-level",
            "warning",
            "--pythonpath",
            str(IMPORT_ROOT),
            app,
        ]
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("WERKZEUG_")}
        full_env["PYTHONUNBUFFERED"] = "1"
        full_env.update(env or {})

        def preexec() -> None:
            if cpus is not None:
                os.sched_setaffinity(0, cpus)

        with log.open("wb") as out:
            self.process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=full_env,
                start_new_session=True,
                preexec_fn=preexec,
            )
        self.workers = workers

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_answering(self, path: str) -> None:
        """Poll ``path`` until the server answers and all its workers run;
        raise with its output if it exits or does not within
        :data:`START_LIMIT` seconds."""
        deadline = time.monotonic() + START_LIMIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}:\n{self.output()}"
                )
            try:
                http_get(self.port, path, timeout=2)
            except OSError:
                time.sleep(0.1)
                continue
            if len(self.worker_pids()) == self.workers:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.url(path)} did not answer in {START_LIMIT} s:\n{self.output()}")

    def worker_pids(self) -> list[int]:
        return _children(self.pid)

    def cpu_seconds(self) -> float:
        """CPU seconds of the master and its workers so far."""
        return sum(process_cpu_seconds(pid) for pid in [self.pid, *self.worker_pids()])

    def stop(self) -> None:
        """SIGTERM to the PID started; SIGKILL if it does not exit in time;
        then whatever is left of its process group."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_LIMIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_LIMIT)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def __enter__(self) -> Gunicorn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
