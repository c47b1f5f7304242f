"""Real servers on 127.0.0.1 for the integration tests.

Every server is a subprocess of the test run, bound to 127.0.0.1 on a free
port, given a bounded time to answer, and stopped by SIGTERM to the PID that
was started (killed if it does not exit in time).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import typing as t
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import requests

# The tests import the repository's scripts as modules (``import workspace``:
# the list of distributions; ``import release``), as the scripts import each
# other when run. Done here so that it happens before any test module loads.
SCRIPTS = Path(__file__).resolve().parents[1] / ".github" / "scripts"
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

HOST = "127.0.0.1"
#: Seconds a server gets to answer its first request.
START_LIMIT = 15.0
#: Seconds a server gets to exit after SIGTERM.
STOP_LIMIT = 10.0
#: Pause between two polls.
POLL_INTERVAL = 0.1


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def answers(url: str) -> bool:
    """Whether an HTTP GET of ``url`` gets any answer within 2 seconds."""
    try:
        with requests.get(url, timeout=2, allow_redirects=False):
            return True
    except requests.RequestException:
        return False


def poll(condition: t.Callable[[], bool], limit: float) -> bool:
    """Check ``condition`` until it holds or ``limit`` seconds have passed;
    return whether it held. Bounded in time and in number of checks."""
    deadline = time.monotonic() + limit
    for _ in range(int(limit / POLL_INTERVAL) + 1):
        if condition():
            return True
        if time.monotonic() >= deadline:
            break
        time.sleep(POLL_INTERVAL)
    return condition()


class Process:
    """A child process started by a test, in a session of its own so that
    what it starts can be stopped with it, its output appended to a log file."""

    def __init__(
        self,
        args: Sequence[str],
        log: Path,
        cwd: Path | None = None,
        env: t.Mapping[str, str] | None = None,
    ) -> None:
        self.log = log
        extra_env = env
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("WERKZEUG_")  # never look like a reloader child
        }
        env["PYTHONUNBUFFERED"] = "1"
        env.update(extra_env or {})
        with log.open("ab") as out:
            # A new session, so a stray child (the reloader's) can be cleaned
            # up by this process's group id if a test fails half-way.
            self.process = subprocess.Popen(
                list(args),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=env,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def terminate(self) -> int | None:
        """Send SIGTERM to the PID started and wait up to :data:`STOP_LIMIT`
        seconds; return the exit code, or ``None`` if it is still running."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(STOP_LIMIT)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        """Stop the process whatever state it is in: SIGTERM, then SIGKILL if
        it did not exit, then kill what is left of its process group."""
        if self.terminate() is None:
            self.process.kill()
            self.process.wait(STOP_LIMIT)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass  # nothing left in the group: the usual case

    def kill(self) -> None:
        """SIGKILL the process and whatever it started: a machine dying."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(STOP_LIMIT)


class Server(Process):
    """A server process started by a test, answering HTTP at ``url``."""

    def __init__(
        self,
        args: Sequence[str],
        url: str,
        log: Path,
        cwd: Path | None = None,
        env: t.Mapping[str, str] | None = None,
    ) -> None:
        #: The URL polled to know it answers (its root page).
        self.url = url
        super().__init__(args, log, cwd=cwd, env=env)

    def answers(self) -> bool:
        """Whether the server answers an HTTP GET of its URL within 2 seconds."""
        return answers(self.url)

    def wait_until_answering(self) -> None:
        """Poll the server until it answers; fail (with its output) if it
        exits first or does not answer within :data:`START_LIMIT` seconds."""
        if not poll(lambda: self.process.poll() is not None or answers(self.url), START_LIMIT):
            self.stop()
            pytest.fail(f"{self.url} did not answer within {START_LIMIT} s:\n{self.output()}")
        if self.process.poll() is not None:
            pytest.fail(
                f"the server exited with {self.process.returncode} before answering:\n"
                f"{self.output()}"
            )


#: Flags for Chromium in a container with no GPU and no network besides loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Milliseconds Chromium may take to start.
BROWSER_START_MS = 30_000


def chromium_path() -> str:
    """The system chromium; skip when it is missing, but fail on CI, where
    ``.ci/run`` installs it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is not None:
        return found
    message = (
        "chromium is not installed (apt-get install -y --no-install-recommends chromium; "
        ".ci/run does it on CI)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[t.Any]:
    """Debian's headless Chromium through Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True, timeout=BROWSER_START_MS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def port() -> int:
    """A free port on 127.0.0.1."""
    return free_port()


@pytest.fixture
def wait_for() -> t.Callable[[t.Callable[[], bool], float], bool]:
    """:func:`poll`: ``wait_for(condition, seconds)`` checks ``condition``
    until it holds or the time is up, and returns whether it held."""
    return poll


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[t.Callable[..., Server]]:
    """Start servers for one test: ``launch(args, url)`` returns a
    :class:`Server` that answers at ``url``. Any still running at the end of
    the test are stopped."""
    started: list[Server] = []

    def start(
        args: Sequence[str],
        url: str,
        cwd: Path | None = None,
        env: t.Mapping[str, str] | None = None,
    ) -> Server:
        server = Server(args, url, tmp_path / f"server-{len(started)}.log", cwd=cwd, env=env)
        started.append(server)
        server.wait_until_answering()
        return server

    yield start
    for server in started:
        server.stop()


def gunicorn_command(port: int, app: str = "flask_express.demo:app", workers: int = 2) -> list[str]:
    """The command that serves ``app`` (the demo by default) with gunicorn's
    sync workers on 127.0.0.1:``port``."""
    from gunicorn.config import KNOWN_SETTINGS  # type: ignore[import-untyped]

    args = [sys.executable, "-m", "gunicorn", "--bind", f"{HOST}:{port}", "--workers", str(workers)]
    # Newer releases open a control socket in ~/.gunicorn by default; a test
    # server must not touch the home directory.
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
        args.append("--no-control-socket")
    return [*args, app]


@pytest.fixture(scope="module")
def free_port_number() -> int:
    """A free port on 127.0.0.1, shared by one test module."""
    return free_port()


@pytest.fixture(scope="session")
def gunicorn() -> t.Callable[..., list[str]]:
    """:func:`gunicorn_command`: ``gunicorn(port)`` is the command to start."""
    return gunicorn_command


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo app served by gunicorn with two workers; yields its base URL
    (``http://127.0.0.1:PORT``, no trailing slash)."""
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    server = Server(gunicorn_command(port), f"{base_url}/", log)
    try:
        server.wait_until_answering()
        yield base_url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[t.Callable[..., Server]]:
    """Start long-lived servers, shared by a module or the session:
    ``serve(args, url, env=...)`` returns a :class:`Server` that answers at
    ``url``. All are stopped at the end of the test session."""
    started: list[Server] = []

    def start(
        args: Sequence[str],
        url: str,
        cwd: Path | None = None,
        env: t.Mapping[str, str] | None = None,
    ) -> Server:
        log = tmp_path_factory.mktemp("server") / "server.log"
        server = Server(args, url, log, cwd=cwd, env=env)
        started.append(server)
        server.wait_until_answering()
        return server

    yield start
    for server in started:
        server.stop()
