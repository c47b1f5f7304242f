"""Async views and middleware under gunicorn's sync, gthread and gevent workers.

A FlaskExpress app runs ``async def`` views on one event loop per worker
thread (fx_core.event_loop): the loop a thread uses is the same from request
to request, two threads never share one, and slow async views on different
threads (or greenlets) run at the same time.
"""

from __future__ import annotations

import socket
import textwrap
import time
import typing as t
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.server

APP = textwrap.dedent(
    """
    import asyncio
    import os
    import threading

    from fx_core import FlaskExpress

    app = FlaskExpress(__name__)


    @app.use
    async def stamp(req, res, next):
        res.set("X-Middleware-Loop", str(id(asyncio.get_running_loop())))
        await next()


    @app.get("/")
    async def index(req, res):
        await asyncio.sleep(float(req.query.get("sleep", "0")))
        return res.json(
            pid=os.getpid(),
            thread=threading.get_ident(),
            loop=id(asyncio.get_running_loop()),
        )
    """
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def app_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("asyncapp")
    (folder / "asyncapp.py").write_text(APP, encoding="utf-8")
    return folder


def start(
    launch: t.Callable[..., t.Any],
    gunicorn: t.Callable[..., list[str]],
    folder: Path,
    *options: str,
) -> str:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command = gunicorn(port, "asyncapp:app", workers=1)
    launch([*command[:-1], *options, command[-1]], url, cwd=folder)
    return url


def get(url: str, sleep: float = 0) -> dict[str, t.Any]:
    rv = requests.get(url, params={"sleep": sleep}, timeout=10)
    assert rv.status_code == 200
    body = t.cast(dict[str, t.Any], rv.json())
    # The middleware awaited on the same loop as the view.
    assert rv.headers["X-Middleware-Loop"] == str(body["loop"])
    return body


def concurrently(url: str, count: int, sleep: float) -> tuple[float, list[dict[str, t.Any]]]:
    started = time.monotonic()
    with ThreadPoolExecutor(count) as pool:
        answers = list(pool.map(lambda _: get(url, sleep), range(count)))
    return time.monotonic() - started, answers


def test_sync_worker_keeps_its_loop(
    launch: t.Callable[..., t.Any], gunicorn: t.Callable[..., list[str]], app_folder: Path
) -> None:
    url = start(launch, gunicorn, app_folder)
    answers = [get(url) for _ in range(5)]
    assert len({(a["pid"], a["thread"], a["loop"]) for a in answers}) == 1


def test_gthread_workers_have_a_loop_per_thread(
    launch: t.Callable[..., t.Any], gunicorn: t.Callable[..., list[str]], app_folder: Path
) -> None:
    url = start(launch, gunicorn, app_folder, "--worker-class", "gthread", "--threads", "2")
    elapsed, answers = concurrently(url, 2, 0.5)
    # Two slow views at once on two threads: not one after the other.
    assert elapsed < 0.95
    answers += [get(url) for _ in range(8)]
    loops_of: dict[int, set[int]] = {}
    for answer in answers:
        loops_of.setdefault(answer["thread"], set()).add(answer["loop"])
    assert all(len(loops) == 1 for loops in loops_of.values())
    assert len(loops_of) <= 2
    all_loops = [loop for loops in loops_of.values() for loop in loops]
    assert len(all_loops) == len(set(all_loops))


def test_gevent_workers_share_one_loop_and_take_turns(
    launch: t.Callable[..., t.Any], gunicorn: t.Callable[..., list[str]], app_folder: Path
) -> None:
    pytest.importorskip("gevent")
    url = start(launch, gunicorn, app_folder, "--worker-class", "gevent")
    # asyncio allows one running loop per OS thread, and a gevent worker has
    # one: overlapping async views take turns on it (Flask's way fails here).
    elapsed, answers = concurrently(url, 3, 0.3)
    assert elapsed >= 0.85
    answers += [get(url) for _ in range(3)]
    assert len({(a["pid"], a["loop"]) for a in answers}) == 1
