"""Server-Sent Events (fx-sse, docs: packages/fx-sse.md) under a real server
and in a real browser.

The app below (:func:`create_app`) is served by gunicorn with the gthread
worker on 127.0.0.1; gunicorn imports it from this file. It appends what its
generators do (a stream opened, a ``finally`` run, the ``Last-Event-ID`` a
reconnect sent) to the file named by ``FX_SSE_RECORD``, which the tests read.

- Events reach a raw socket as they are made, not when the stream ends.
- A client that goes away frees its worker thread: with one worker of two
  threads, two streams hold both threads; once their sockets are closed, the
  generators' ``finally`` runs and a plain request answers promptly.
- The fuzzed app of test_fuzz.py (:mod:`hostile.app`) builds a stream from
  any query and ``Last-Event-ID``: the answer is a 400 it chose or a stream
  that the HTML standard's parser reads back as the values sent.
- Debian's chromium (driven by Playwright, as in test_browser.py) opens an
  ``EventSource``; the server ends each stream after three events, the
  browser reconnects with ``Last-Event-ID`` and the view resumes after it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import sys
import time
import typing as t
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import example, given, settings
from hypothesis import strategies as st

from flask_express import FlaskExpress, Request, Response

# integration_tests/ has no __init__.py and pytest imports test files by path
# (--import-mode=importlib): put it on sys.path to import the fuzzed app.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile.app import REJECTED, make_tree
from hostile.app import create_app as create_hostile_app
from hostile.checks import ClosingClient, ExceptionLog, check_answer, client_answer

HOST = "127.0.0.1"
HERE = Path(__file__).resolve().parent
#: Seconds one socket operation may take.
SOCKET_TIMEOUT = 10.0
#: Events sent by /resume on each connection.
PER_CONNECTION = 3
#: The id after which the browser page closes its EventSource.
LAST_ID = 9

PAGE = """<!doctype html>
<html lang=en>
<title>SSE resume</title>
<ul id=events></ul>
<script>
  window.seen = [];
  window.done = false;
  const source = new EventSource("/resume");
  source.addEventListener("item", (event) => {
    window.seen.push({id: event.lastEventId, data: event.data});
    const li = document.createElement("li");
    li.textContent = event.lastEventId + " " + event.data;
    document.getElementById("events").append(li);
    if (event.lastEventId === "LAST_ID") {
      source.close();
      window.done = true;
    }
  });
</script>
""".replace("LAST_ID", str(LAST_ID))


# -- the app gunicorn serves ---------------------------------------------------------


def create_app() -> FlaskExpress:
    """The app under test (gunicorn: ``'test_sse:create_app()'``)."""
    record = Path(os.environ["FX_SSE_RECORD"])
    app = FlaskExpress(__name__)

    def note(line: str) -> None:
        with record.open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.send("ok")

    @app.get("/page")
    def page(req: Request, res: Response) -> Response:
        return res.send(PAGE)

    @app.get("/ticks")
    def ticks(req: Request, res: Response) -> Response:
        count = int(req.query.get("n", "4"))
        every = float(req.query.get("every", "0.4"))

        def events() -> Iterator[dict[str, t.Any]]:
            for n in range(1, count + 1):
                time.sleep(every)
                yield {"id": n, "data": str(n)}

        return res.sse(events(), heartbeat=0.2)

    @app.get("/forever/<name>")
    def forever(req: Request, res: Response) -> Response:
        name = req.params.name

        def events() -> Iterator[str]:
            note(f"open {name}")
            try:
                for n in range(10_000):  # ends long after any test
                    yield f"{name} {n}"
                    time.sleep(0.1)
            finally:
                note(f"closed {name}")

        return res.sse(events(), heartbeat=0.1)

    @app.get("/async-forever/<name>")
    def async_forever(req: Request, res: Response) -> Response:
        name = req.params.name

        async def events() -> AsyncIterator[str]:
            note(f"open {name}")
            try:
                for n in range(10_000):
                    yield f"{name} {n}"
                    await asyncio.sleep(0.1)
            finally:
                note(f"closed {name}")

        return res.sse(events(), heartbeat=0.1)

    @app.get("/resume")
    def resume(req: Request, res: Response) -> Response:
        last = req.last_event_id
        note(f"connect {last}")
        start = int(last) + 1 if last and last.isdigit() else 1
        # Each connection ends after a few events; the browser reconnects
        # after `retry` ms and sends the last id it saw.
        items = [
            {"event": "item", "id": n, "data": f"item {n}", "retry": 100}
            for n in range(start, min(start + PER_CONNECTION, LAST_ID + 1))
        ]
        return res.sse(items)

    return app


# -- helpers ------------------------------------------------------------------------


def sse_server(
    gunicorn: t.Callable[..., list[str]],
    start: t.Callable[..., t.Any],
    port: int,
    record: Path,
    threads: int,
) -> t.Any:
    """Start gunicorn (1 gthread worker with ``threads`` threads) serving
    :func:`create_app`; return the :class:`conftest.Server`."""
    command = gunicorn(port, app="test_sse:create_app()", workers=1)
    options = ["--worker-class", "gthread", "--threads", str(threads), "--pythonpath", str(HERE)]
    command[-1:-1] = options
    record.write_text("")
    return start(command, f"http://{HOST}:{port}/", env={"FX_SSE_RECORD": str(record)})


def recorded(record: Path) -> list[str]:
    return record.read_text(encoding="utf-8").splitlines()


class Stream:
    """A raw HTTP/1.1 GET on a socket, read as its bytes arrive."""

    def __init__(self, port: int, path: str) -> None:
        self.sock = socket.create_connection((HOST, port), timeout=SOCKET_TIMEOUT)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode())
        self.buffer = b""

    def until(self, needle: bytes, limit: float = SOCKET_TIMEOUT) -> bytes:
        """Return what arrived up to the end of ``needle``, and keep the rest
        for the next call; bounded in time and in reads."""
        deadline = time.monotonic() + limit
        for _ in range(10_000):
            found = self.buffer.find(needle)
            if found >= 0:
                end = found + len(needle)
                read, self.buffer = self.buffer[:end], self.buffer[end:]
                return read
            assert time.monotonic() < deadline, f"{needle!r} did not arrive: {self.buffer!r}"
            chunk = self.sock.recv(4096)
            assert chunk, f"the server closed before {needle!r}: {self.buffer[-300:]!r}"
            self.buffer += chunk
        raise AssertionError(f"{needle!r} did not arrive")

    def close(self) -> None:
        self.sock.close()


# -- gunicorn ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(
    gunicorn: t.Callable[..., list[str]],
    serve: t.Callable[..., t.Any],
    free_port_number: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[str, int, Path]:
    """The app under gunicorn, 1 gthread worker with 4 threads, shared by the
    module: (base URL, port, record file)."""
    record = tmp_path_factory.mktemp("sse") / "record.txt"
    sse_server(gunicorn, serve, free_port_number, record, threads=4)
    return f"http://{HOST}:{free_port_number}", free_port_number, record


@pytest.mark.server
def test_events_arrive_as_they_are_sent(server: tuple[str, int, Path]) -> None:
    _, port, _ = server
    every = 0.4
    arrivals: dict[int, float] = {}
    started = time.monotonic()
    stream = Stream(port, f"/ticks?n=4&every={every}")
    try:
        head = stream.until(b": stream open")
        opened = time.monotonic() - started
        for n in range(1, 5):
            stream.until(f"id: {n}\n".encode())
            arrivals[n] = time.monotonic() - started
    finally:
        stream.close()
    status, _, rest = head.partition(b"\r\n")
    assert status == b"HTTP/1.1 200 OK", head[:300]
    assert b"Content-Type: text/event-stream; charset=utf-8" in rest
    assert b"X-Accel-Buffering: no" in rest
    assert b"Content-Length" not in rest
    # The headers and the opening comment come before the first event is made.
    assert opened < every, opened
    # Each event arrives about `every` seconds after the one before, not all
    # at the end of the stream.
    for n in range(2, 5):
        gap = arrivals[n] - arrivals[n - 1]
        assert gap > every / 2, arrivals
    assert arrivals[4] - arrivals[1] > 2 * every, arrivals


@pytest.mark.server
def test_a_client_that_leaves_frees_its_worker_thread(
    gunicorn: t.Callable[..., list[str]],
    launch: t.Callable[..., t.Any],
    tmp_path: Path,
    port: int,
    wait_for: t.Callable[[t.Callable[[], bool], float], bool],
) -> None:
    record = tmp_path / "record.txt"
    sse_server(gunicorn, launch, port, record, threads=2)
    base = f"http://{HOST}:{port}"

    # Two streams, a sync and an async generator, hold both threads.
    sync_stream = Stream(port, "/forever/sync")
    async_stream = Stream(port, "/async-forever/async")
    try:
        sync_stream.until(b"data: sync 1\n")
        async_stream.until(b"data: async 1\n")
        assert wait_for(lambda: {"open sync", "open async"} <= set(recorded(record)), 5)
        # No thread is left for a third request while they stream.
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(f"{base}/", timeout=1.0)
    finally:
        sync_stream.close()
        async_stream.close()

    # The heartbeat write fails, gunicorn closes the response, the
    # generators' finally runs and the threads serve again.
    assert wait_for(lambda: {"closed sync", "closed async"} <= set(recorded(record)), 5), recorded(
        record
    )
    started = time.monotonic()
    rv = requests.get(f"{base}/", timeout=5)
    assert rv.status_code == 200
    assert rv.text == "ok"
    assert time.monotonic() - started < 2.0
    # Both threads are free: two plain requests at once still answer.
    for _ in range(3):
        assert requests.get(f"{base}/", timeout=5).text == "ok"


# -- chromium --------------------------------------------------------------------------

#: Milliseconds Playwright waits for one action.
TIMEOUT_MS = 15_000


@pytest.mark.server
def test_event_source_reconnects_with_last_event_id(
    server: tuple[str, int, Path], browser: t.Any
) -> None:
    base, _, record = server
    before = len(recorded(record))
    page = browser.new_page(base_url=base)
    try:
        page.set_default_timeout(TIMEOUT_MS)
        page.goto("/page")
        page.wait_for_function("window.done === true")
        seen = page.evaluate("window.seen")
        shown = page.locator("#events li").all_inner_texts()
    finally:
        page.close()

    ids = [int(item["id"]) for item in seen]
    assert ids == list(range(1, LAST_ID + 1))
    assert [item["data"] for item in seen] == [f"item {n}" for n in ids]
    assert shown == [f"{n} item {n}" for n in ids]
    connects = [line for line in recorded(record)[before:] if line.startswith("connect ")]
    # The first connection has no Last-Event-ID; each reconnect sends the
    # last id of the stream before it.
    assert connects == ["connect None", "connect 3", "connect 6"], connects


# -- hostile input ---------------------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def parse_event_stream(text: str) -> list[dict[str, t.Any]]:
    """The events a browser dispatches for ``text``, by the HTML standard's
    event-stream interpretation (comments skipped, one leading space of a
    value dropped, NUL ids ignored, events without data not dispatched)."""
    dispatched: list[dict[str, t.Any]] = []
    data: list[str] = []
    event_type = ""
    last_id = ""
    retry: int | None = None
    for line in _LINE_BREAK.split(text):
        if line == "":
            if data:
                dispatched.append(
                    {
                        "data": "\n".join(data),
                        "event": event_type or "message",
                        "id": last_id,
                        "retry": retry,
                    }
                )
            data, event_type = [], ""
            continue
        if line.startswith(":"):
            continue
        field, colon, value = line.partition(":")
        value = value.removeprefix(" ") if colon else ""
        if field == "data":
            data.append(value)
        elif field == "event":
            event_type = value
        elif field == "id" and "\0" not in value:
            last_id = value
        elif field == "retry" and value.isascii() and value.isdigit():
            retry = int(value)
    return dispatched


@pytest.fixture(scope="module")
def hostile(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[FlaskExpress, ExceptionLog]]:
    app = create_hostile_app(make_tree(tmp_path_factory.mktemp("hostile")))
    app.test_client_class = ClosingClient
    errors = ExceptionLog(app)
    yield app, errors
    errors.disconnect()


texts = st.text(max_size=40) | st.sampled_from(
    ["", " x", "a\r\nb", "\r", "\n\n", "\x00", "\u2028", "\x85", "data: x", ":", "\ufeff"]
)
latin1 = st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=20)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(
    values=st.lists(texts, max_size=5),
    event=texts,
    id_=texts,
    retry=st.sampled_from(["", "0", "1500", "-1", "x", "\u0661"]),
    hb=st.sampled_from(["", "0", "0.5", "-1", "nan", "inf", "x"]),
    as_json=st.booleans(),
    last_event_id=st.none() | latin1 | st.sampled_from(["7", "99999999999"]),
)
@example(
    values=["a\nb"], event="up\ndate", id_="", retry="", hb="", as_json=False, last_event_id=None
)
@example(values=["x"], event="", id_="1\x002", retry="", hb="", as_json=False, last_event_id="4")
# "\xb2" (superscript two) is a digit to str.isdigit, not to int().
@example(values=["x"], event="", id_="", retry="", hb="", as_json=True, last_event_id="\xb2")
def test_any_input_to_sse_is_a_400_or_a_stream_of_what_was_sent(
    hostile: tuple[FlaskExpress, ExceptionLog],
    values: list[str],
    event: str,
    id_: str,
    retry: str,
    hb: str,
    as_json: bool,
    last_event_id: str | None,
) -> None:
    app, errors = hostile
    errors.clear()
    query = [("v", value) for value in values] + [("event", event), ("id", id_)]
    query += [("retry", retry), ("hb", hb)] + ([("json", "1")] if as_json else [])
    headers = {} if last_event_id is None else {"Last-Event-ID": last_event_id}
    rv = app.test_client().get("/sse", query_string=query, headers=headers)
    answer = client_answer(rv)
    sent = repr((query, headers)).encode("utf-8", "replace")
    check_answer(answer, sent + b"\n" + "".join(values).encode("utf-8", "replace"), (), errors)

    bad_hb = hb in {"-1", "nan", "inf", "x"}
    bad_field = any(char in event for char in "\r\n") or any(c in id_ for c in "\r\n\0")
    if bad_hb or (values and bad_field):
        assert answer.status == 400
        assert answer.body == REJECTED
        return
    assert answer.status == 200, answer
    assert answer.header("Content-Type") == "text/event-stream; charset=utf-8"
    assert answer.body.startswith(b": stream open\n\n")
    dispatched = parse_event_stream(answer.body.decode("utf-8"))
    # The app resumes after a Last-Event-ID of ASCII digits, up to 9 of them.
    last = last_event_id or ""
    start = int(last) + 1 if last.isascii() and last.isdigit() and len(last) < 10 else 0
    assert len(dispatched) == len(values)
    for n, (got, value) in enumerate(zip(dispatched, values, strict=True), start):
        expected = _LINE_BREAK.sub("\n", value)
        if as_json:
            assert json.loads(got["data"]) == {"n": n, "v": value}
        else:
            assert got["data"] == expected
        assert got["event"] == (event or "message")
        assert got["id"] == (id_ or str(n))
        assert got["retry"] == (int(retry) if retry.isascii() and retry.isdigit() else None)
