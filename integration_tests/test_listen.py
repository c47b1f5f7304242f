"""app.listen(): the development server starts, serves, and stops on SIGTERM."""

from __future__ import annotations

import os
import sys
import typing as t
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.server

#: Seconds a stopped server gets to stop answering, and its child to exit.
STOP_LIMIT = 10.0

Launch = t.Callable[..., t.Any]  # the ``launch`` fixture; returns a conftest.Server
WaitFor = t.Callable[[t.Callable[[], bool], float], bool]

APP = """\
import os
import sys

from flask_express import FlaskExpress

app = FlaskExpress(__name__)


@app.get("/")
def index(req, res):
    return res.json(pid=os.getpid(), reloader_child=os.environ.get("WERKZEUG_RUN_MAIN") == "true")


if __name__ == "__main__":
    app.listen(int(sys.argv[1]), "127.0.0.1", debug=sys.argv[2] == "debug")
"""


def process_gone(pid: int) -> bool:
    """Whether ``pid`` no longer runs (gone, or a zombie left to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    except OSError:  # no /proc here: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False
    return stat.rpartition(")")[2].split()[0] in ("Z", "X")


def start_app(launch: Launch, tmp_path: Path, port: int, mode: str) -> t.Any:
    script = tmp_path / "app.py"
    script.write_text(APP)
    args = [sys.executable, str(script), str(port), mode]
    return launch(args, f"http://127.0.0.1:{port}/", cwd=tmp_path)


def test_listen_serves_and_stops_on_sigterm(launch: Launch, tmp_path: Path, port: int) -> None:
    server = start_app(launch, tmp_path, port, "plain")
    rv = requests.get(server.url, timeout=5)
    assert rv.status_code == 200
    assert rv.json() == {"pid": server.pid, "reloader_child": False}

    assert server.terminate() == 0, server.output()
    assert not server.answers()
    assert "Traceback" not in server.output()


def test_listen_with_reloader_stops_the_serving_child(
    launch: Launch, tmp_path: Path, port: int, wait_for: WaitFor
) -> None:
    server = start_app(launch, tmp_path, port, "debug")
    rv = requests.get(server.url, timeout=5)
    assert rv.status_code == 200
    answer = rv.json()
    # debug=True runs Werkzeug's reloader: the process started watches the
    # files, and a child it spawned serves.
    assert answer["reloader_child"] is True
    child = answer["pid"]
    assert child != server.pid

    # SIGTERM goes to the parent only, as a process manager sends it.
    assert server.terminate() == 0, server.output()
    assert wait_for(lambda: not server.answers(), STOP_LIMIT), "the port still answers"
    assert wait_for(lambda: process_gone(child), STOP_LIMIT), f"the serving child {child} runs"
    assert "Traceback" not in server.output()


def test_demo_module_serves_with_listen(launch: Launch, port: int) -> None:
    # What `hatch run demo -- --port PORT` runs; the host defaults to 127.0.0.1.
    url = f"http://127.0.0.1:{port}/"
    server = launch([sys.executable, "-m", "flask_express.demo", "--port", str(port)], url)
    rv = requests.get(url, timeout=5)
    assert rv.status_code == 200
    assert "<h1>Flask-Express demo</h1>" in rv.text
    assert requests.get(f"{url}res/json", timeout=5).json()["framework"] == "Flask-Express"

    assert server.terminate() == 0, server.output()
    assert not server.answers()
    assert "Traceback" not in server.output()
