"""``res.sse`` and ``req.last_event_id`` (docs: packages/fx-sse.md).

Every test makes real requests through Flask's test client to real views.
Streams are read with ``buffered=False``, chunk by chunk, from the response
iterable the WSGI server would get; every generator in these tests is finite
and every read is bounded in count and time. An exception raised in a view
propagates out of ``client.get`` because the ``app`` fixture sets
``TESTING``; views that must keep going after a failed call catch the error,
record it and then answer.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import typing as t
from collections.abc import AsyncIterator, Iterator

import flask
import pytest
from flask.json.provider import DefaultJSONProvider
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from fx_core import FlaskExpress, MissingFeature, Request, Response, ResponseAlreadySent
from fx_sse import SSEMixin, SSERequest

#: Seconds any one stream of these tests may take to be read.
READ_LIMIT = 5.0
#: Most chunks read from one stream.
MAX_CHUNKS = 200
OPENING = ": stream open\n\n"
HEARTBEAT = ": heartbeat\n\n"


def chunks(rv: TestResponse, limit: int = MAX_CHUNKS) -> Iterator[str]:
    """The body of a streamed answer, one chunk (an event or a comment) at a
    time, at most ``limit`` chunks and :data:`READ_LIMIT` seconds."""
    deadline = time.monotonic() + READ_LIMIT
    for count, chunk in enumerate(rv.response):
        assert count < limit, "the stream did not end"
        assert time.monotonic() < deadline, "the stream took too long"
        assert isinstance(chunk, bytes)
        yield chunk.decode("utf-8")


def body(rv: TestResponse) -> str:
    return "".join(chunks(rv))


def events(text: str) -> list[str]:
    """The events of a stream: the blocks between blank lines that are not comments."""
    return [block for block in text.split("\n\n") if block and not block.startswith(":")]


def get(client: FlaskClient, url: str, **kwargs: t.Any) -> TestResponse:
    return client.get(url, buffered=False, **kwargs)


# -- the answer ---------------------------------------------------------------------


def test_answer_headers_and_opening_comment(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        return res.sse(["hello"])

    rv = get(client, "/")
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == "text/event-stream; charset=utf-8"
    assert rv.headers["Cache-Control"] == "no-cache"
    assert rv.headers["X-Accel-Buffering"] == "no"
    assert "Content-Length" not in rv.headers
    first, *rest = list(chunks(rv))
    assert first == OPENING
    assert rest == ["data: hello\n\n"]


def test_headers_and_cookies_set_before_are_kept(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        res.set("X-Stream", "yes").send_status(404).type("html")
        res.set_cookie("seen", "1")
        res.append("Cache-Control", "private")
        return res.sse(["x"])

    rv = get(client, "/")
    # Status, type and Cache-Control are the stream's; the rest is the view's.
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == "text/event-stream; charset=utf-8"
    assert rv.headers.getlist("Cache-Control") == ["no-cache"]
    assert rv.headers["X-Stream"] == "yes"
    assert rv.headers["Set-Cookie"].startswith("seen=1;")
    assert events(body(rv)) == ["data: x"]


def test_head_sends_no_body_and_never_starts_the_generator(
    app: FlaskExpress, client: FlaskClient
) -> None:
    started = threading.Event()

    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        def gen() -> Iterator[str]:
            started.set()
            yield "x"

        return res.sse(gen())

    rv = client.head("/")
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == "text/event-stream; charset=utf-8"
    assert rv.data == b""
    assert not started.is_set()


# -- the event format ---------------------------------------------------------------


def test_str_events_and_multi_line_data(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        return res.sse(["one", "a\r\nb\rc\nd", "trailing\n", "", "é ✓"])

    assert events(body(get(client, "/"))) == [
        "data: one",
        "data: a\ndata: b\ndata: c\ndata: d",
        "data: trailing\ndata: ",
        "data: ",
        "data: é ✓",
    ]


def test_mapping_fields(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        return res.sse(
            [
                {"data": "d", "event": "update", "id": "7", "retry": 2500},
                {"id": 8, "data": "two\nlines"},
                {"retry": 0},
                {"event": "ping", "data": None, "id": None},
                {"id": ""},
            ]
        )

    assert events(body(get(client, "/"))) == [
        "event: update\nid: 7\nretry: 2500\ndata: d",
        "id: 8\ndata: two\ndata: lines",
        "retry: 0",
        "event: ping",
        "id: ",
    ]


def test_json_data_goes_through_the_apps_provider(app: FlaskExpress, client: FlaskClient) -> None:
    class Provider(DefaultJSONProvider):
        def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
            return "custom:" + json.dumps(obj, sort_keys=True, separators=(",", ":"))

    app.json = Provider(app)

    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        return res.sse(
            [
                {"data": {"b": 1, "a": [1, 2]}},
                {"data": [True, None]},
                {"data": 3},
                {"data": "text is not JSON"},
            ]
        )

    assert events(body(get(client, "/"))) == [
        'data: custom:{"a":[1,2],"b":1}',
        "data: custom:[true,null]",
        "data: custom:3",
        "data: text is not JSON",
    ]


def test_default_json_provider_keeps_newlines_out_of_data(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        return res.sse([{"data": {"text": "two\nlines"}}])

    (event,) = events(body(get(client, "/")))
    assert event.startswith("data: ")
    assert json.loads(event.removeprefix("data: ")) == {"text": "two\nlines"}


# -- validation at the call ---------------------------------------------------------

BAD_CALLS: list[tuple[t.Any, dict[str, t.Any], type[Exception], str]] = [
    ("text", {}, TypeError, "got a str"),
    (b"bytes", {}, TypeError, "got a bytes"),
    ({"data": "x"}, {}, TypeError, "got a dict"),
    (42, {}, TypeError, "got int"),
    (["x"], {"heartbeat": "1"}, TypeError, "heartbeat must be a number"),
    (["x"], {"heartbeat": True}, TypeError, "heartbeat must be a number"),
    (["x"], {"heartbeat": -1}, ValueError, "non-negative"),
    (["x"], {"heartbeat": float("nan")}, ValueError, "non-negative"),
    (["x"], {"heartbeat": float("inf")}, ValueError, "non-negative"),
    ([{"event": "a\nb"}], {}, ValueError, "'a\\nb'"),
    ([{"event": "a\rb"}], {}, ValueError, "'a\\rb'"),
    ([{"id": "1\r\n2"}], {}, ValueError, "'1\\r\\n2'"),
    (({"id": "nul\0"},), {}, ValueError, "'nul\\x00'"),
    ([{"data": "x", "name": "y"}], {}, ValueError, "unknown event key 'name'"),
    ([{1: "x"}], {}, TypeError, "keys must be str"),
    ([{}], {}, ValueError, "needs a data, event, id or retry"),
    ([{"data": None}], {}, ValueError, "needs a data, event, id or retry"),
    ([{"retry": -1}], {}, ValueError, "must not be negative"),
    ([{"retry": "1000"}], {}, TypeError, "retry must be an int"),
    ([{"retry": 1.5}], {}, TypeError, "retry must be an int"),
    ([{"id": True}], {}, TypeError, "id must be a str or an int"),
    ([{"id": 1.5}], {}, TypeError, "id must be a str or an int"),
    ([{"event": 3}], {}, TypeError, "event must be a str"),
    ([{"data": b"raw"}], {}, TypeError, "not bytes"),
    ([{"data": object()}], {}, TypeError, "got object"),
    (["ok", 42], {}, TypeError, "got int"),
    (["ok", b"raw"], {}, TypeError, "got bytes"),
    (["lone \ud800 surrogate"], {}, UnicodeEncodeError, "surrogate"),
]


@pytest.mark.parametrize(("events_", "kwargs", "error", "message"), BAD_CALLS)
def test_bad_arguments_raise_at_the_call_and_change_nothing(
    app: FlaskExpress,
    client: FlaskClient,
    events_: t.Any,
    kwargs: dict[str, t.Any],
    error: type[Exception],
    message: str,
) -> None:
    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        res.set("X-Before", "1")
        with pytest.raises(error) as excinfo:
            res.sse(events_, **kwargs)
        assert message in str(excinfo.value)
        # res is still open and as it was.
        assert res.finished_by is None
        assert res.get("Content-Type") is None
        assert res.get("Cache-Control") is None
        return res.json({"error": type(excinfo.value).__name__})

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == "application/json"
    assert rv.headers["X-Before"] == "1"
    assert rv.json == {"error": error.__name__}


def test_a_bad_item_of_a_generator_raises_when_reached(
    app: FlaskExpress, client: FlaskClient
) -> None:
    closed = threading.Event()

    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        def gen() -> Iterator[t.Any]:
            try:
                yield "fine"
                yield {"event": "two\nlines"}
                yield "never"
            finally:
                closed.set()

        return res.sse(gen())

    rv = get(client, "/")
    assert rv.status_code == 200
    read: list[str] = []
    with pytest.raises(ValueError, match=r"'two\\nlines'"):
        read.extend(chunks(rv))
    assert read == [OPENING, "data: fine\n\n"]
    assert closed.wait(READ_LIMIT)


def test_an_error_in_the_generator_ends_the_stream_with_it(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        def gen() -> Iterator[str]:
            yield "first"
            raise LookupError("gone")

        return res.sse(gen())

    read: list[str] = []
    with pytest.raises(LookupError, match="gone"):
        read.extend(chunks(get(client, "/")))
    assert read == [OPENING, "data: first\n\n"]


# -- sync and async iterables ------------------------------------------------------


def test_sync_and_async_iterables(app: FlaskExpress, client: FlaskClient) -> None:
    class Countdown:
        """An iterable that is not a generator."""

        def __iter__(self) -> Iterator[str]:
            return iter(["3", "2", "1"])

    class AsyncCountdown:
        """An async iterable that is not an async generator."""

        def __init__(self) -> None:
            self.left = 3

        def __aiter__(self) -> AsyncCountdown:
            return self

        async def __anext__(self) -> str:
            if self.left == 0:
                raise StopAsyncIteration
            self.left -= 1
            await asyncio.sleep(0)
            return str(self.left + 1)

    async def agen() -> AsyncIterator[dict[str, t.Any]]:
        for n in range(3, 0, -1):
            await asyncio.sleep(0.01)
            yield {"id": n, "data": str(n)}

    sources: dict[str, t.Callable[[], t.Any]] = {
        "list": lambda: ["3", "2", "1"],
        "tuple": lambda: ("3", "2", "1"),
        "generator": lambda: (str(n) for n in range(3, 0, -1)),
        "iterable": Countdown,
        "map": lambda: map(str, [3, 2, 1]),
        "async-iterable": AsyncCountdown,
        "async-generator": agen,
    }

    @app.get("/<kind>")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        return res.sse(sources[req.params.kind]())

    for kind in sources:
        found = [
            line.removeprefix("data: ")
            for event in events(body(get(client, f"/{kind}")))
            for line in event.split("\n")
            if line.startswith("data: ")
        ]
        assert found == ["3", "2", "1"], kind


def test_an_empty_iterable_sends_only_the_opening(app: FlaskExpress, client: FlaskClient) -> None:
    async def nothing() -> AsyncIterator[str]:
        none: list[str] = []
        for item in none:
            yield item

    @app.get("/<kind>")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        source: t.Any = {"list": [], "gen": iter(()), "async": nothing()}[req.params.kind]
        return res.sse(source)

    for kind in ("list", "gen", "async"):
        assert list(chunks(get(client, f"/{kind}"))) == [OPENING], kind


def test_events_are_sent_as_they_are_made(app: FlaskExpress, client: FlaskClient) -> None:
    """A chunk is readable before the generator makes the next one."""
    proceed = threading.Event()

    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        def gen() -> Iterator[str]:
            yield "first"
            # Blocks until the test has read the first event.
            assert proceed.wait(READ_LIMIT)
            yield "second"

        return res.sse(gen(), heartbeat=None)

    stream = chunks(get(client, "/"))
    assert next(stream) == OPENING
    assert next(stream) == "data: first\n\n"
    proceed.set()
    assert list(stream) == ["data: second\n\n"]


# -- heartbeat ---------------------------------------------------------------------


def slow_sync(pause: float) -> Iterator[str]:
    yield "a"
    time.sleep(pause)
    yield "b"


async def slow_async(pause: float) -> AsyncIterator[str]:
    yield "a"
    await asyncio.sleep(pause)
    yield "b"


@pytest.mark.parametrize("source", [slow_sync, slow_async], ids=["sync", "async"])
def test_heartbeats_fill_the_silences(
    app: FlaskExpress, client: FlaskClient, source: t.Callable[[float], t.Any]
) -> None:
    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        return res.sse(source(0.4), heartbeat=0.05)

    read = list(chunks(get(client, "/")))
    assert read[:2] == [OPENING, "data: a\n\n"]
    assert read[-1] == "data: b\n\n"
    between = read[2:-1]
    # About 8 in 0.4 s; a loaded machine may send fewer, never none.
    assert 2 <= len(between) <= 12, between
    assert set(between) == {HEARTBEAT}


@pytest.mark.parametrize("heartbeat", [0, None])
@pytest.mark.parametrize("source", [slow_sync, slow_async], ids=["sync", "async"])
def test_no_heartbeat_when_off(
    app: FlaskExpress,
    client: FlaskClient,
    source: t.Callable[[float], t.Any],
    heartbeat: float | None,
) -> None:
    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        return res.sse(source(0.2), heartbeat=heartbeat)

    assert list(chunks(get(client, "/"))) == [OPENING, "data: a\n\n", "data: b\n\n"]


# -- the request context -----------------------------------------------------------


def test_sync_generator_runs_in_a_helper_thread_with_the_request_context(
    app: FlaskExpress, client: FlaskClient
) -> None:
    seen: dict[str, t.Any] = {}

    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        flask.g.user = "ada"
        req.session.visits = 3

        def gen() -> Iterator[dict[str, t.Any]]:
            thread = threading.current_thread()
            seen.update(name=thread.name, daemon=thread.daemon)
            yield {
                "data": {
                    "q": flask.request.args["q"],
                    "session": flask.session["visits"],
                    "g": flask.g.user,
                    "app": flask.current_app.name,
                }
            }

        return res.sse(gen())

    (event,) = events(body(get(client, "/?q=hello")))
    assert json.loads(event.removeprefix("data: ")) == {
        "q": "hello",
        "session": 3,
        "g": "ada",
        "app": app.name,
    }
    assert seen["name"].startswith("fx-sse-events-")
    assert seen["name"] != threading.current_thread().name
    assert seen["daemon"] is True


def test_async_generator_has_the_request_context(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        flask.g.user = "ada"

        async def gen() -> AsyncIterator[dict[str, t.Any]]:
            await asyncio.sleep(0)
            yield {"data": [flask.request.args["q"], flask.g.user, flask.current_app.name]}

        return res.sse(gen())

    (event,) = events(body(get(client, "/?q=hi")))
    assert json.loads(event.removeprefix("data: ")) == ["hi", "ada", app.name]


def test_last_event_id(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: SSERequest, res: SSEMixin) -> SSEMixin:
        last = req.last_event_id
        start = int(last) + 1 if last is not None else 1
        return res.sse([{"id": n, "data": repr(last)} for n in range(start, start + 2)])

    assert events(body(get(client, "/"))) == ["id: 1\ndata: None", "id: 2\ndata: None"]
    assert events(body(get(client, "/", headers={"Last-Event-ID": "41"}))) == [
        "id: 42\ndata: '41'",
        "id: 43\ndata: '41'",
    ]
    assert isinstance(flask.Flask.request_class, type)
    assert issubclass(app.request_class, SSERequest)


# -- one terminal call -------------------------------------------------------------


def test_sse_after_another_terminal_call_raises(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/send-then-sse")
    def first(req: Request, res: SSEMixin) -> SSEMixin:
        res.send("done")
        with pytest.raises(ResponseAlreadySent) as excinfo:
            res.sse(["x"])
        assert str(excinfo.value) == (
            "res.sse() was called, but res.send() already sent this response"
        )
        return res

    @app.get("/sse-then-json")
    def second(req: Request, res: SSEMixin) -> SSEMixin:
        res.sse(["x"])
        with pytest.raises(ResponseAlreadySent, match=r"res\.sse\(\) already sent"):
            res.json({})
        with pytest.raises(ResponseAlreadySent):
            res.sse(["y"])
        return res

    assert client.get("/send-then-sse").data == b"done"
    rv = get(client, "/sse-then-json")
    assert events(body(rv)) == ["data: x"]


def test_returning_nothing_after_sse_still_streams(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: SSEMixin) -> None:
        res.sse(["x"])

    assert events(body(get(client, "/"))) == ["data: x"]


# -- disconnects: closing the response closes the events ---------------------------


def test_closing_closes_a_sync_generator_from_its_thread(
    app: FlaskExpress, client: FlaskClient
) -> None:
    closed = threading.Event()
    after_yield = threading.Event()
    where: list[str] = []

    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        def gen() -> Iterator[str]:
            try:
                for n in range(100):
                    yield str(n)
                    time.sleep(0.3)
                after_yield.set()
            finally:
                where.append(threading.current_thread().name)
                closed.set()

        return res.sse(gen(), heartbeat=0.05)

    rv = get(client, "/")
    stream = chunks(rv)
    assert next(stream) == OPENING
    assert next(stream) == "data: 0\n\n"
    started = time.monotonic()
    rv.close()
    # The serving side returns at once, while the generator still sleeps.
    assert time.monotonic() - started < 0.2
    # The helper closes it as soon as it yields again.
    assert closed.wait(READ_LIMIT)
    assert not after_yield.is_set()
    assert where[0].startswith("fx-sse-events-")
    assert wait_for_no_helper_threads()


def test_closing_closes_an_async_generator_at_once(app: FlaskExpress, client: FlaskClient) -> None:
    closed = threading.Event()
    cancelled: list[bool] = []

    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        async def gen() -> AsyncIterator[str]:
            try:
                for n in range(100):
                    yield str(n)
                    await asyncio.sleep(10)
            except asyncio.CancelledError:
                cancelled.append(True)
                raise
            finally:
                closed.set()

        return res.sse(gen(), heartbeat=0.05)

    rv = get(client, "/")
    stream = chunks(rv)
    assert next(stream) == OPENING
    assert next(stream) == "data: 0\n\n"
    assert next(stream) == HEARTBEAT  # the generator is waiting in its sleep
    started = time.monotonic()
    rv.close()
    assert closed.is_set()
    assert cancelled == [True]
    assert time.monotonic() - started < 1.0


def test_closing_right_away_closes_the_generator(app: FlaskExpress, client: FlaskClient) -> None:
    # The test client reads the opening comment itself (to see the status),
    # which starts the helper thread: the close must still reach the generator.
    closed = threading.Event()
    produced: list[int] = []

    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        def gen() -> Iterator[str]:
            try:
                for n in range(1000):
                    produced.append(n)
                    yield str(n)
            finally:
                closed.set()

        return res.sse(gen())

    get(client, "/").close()
    assert closed.wait(READ_LIMIT)
    # The one-slot queue holds the helper back: it never ran far ahead.
    assert len(produced) <= 3
    assert wait_for_no_helper_threads()


def test_a_finished_stream_leaves_no_thread(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: SSEMixin) -> SSEMixin:
        return res.sse(str(n) for n in range(5))

    for _ in range(5):
        assert len(events(body(get(client, "/")))) == 5
    assert wait_for_no_helper_threads()


def wait_for_no_helper_threads(limit: float = READ_LIMIT) -> bool:
    deadline = time.monotonic() + limit
    for _ in range(int(limit / 0.01) + 1):
        if not [th for th in threading.enumerate() if th.name.startswith("fx-sse-events-")]:
            return True
        if time.monotonic() > deadline:
            break
        time.sleep(0.01)
    return False


# -- not composed ------------------------------------------------------------------


def test_sse_without_the_mixin_raises_missing_feature() -> None:
    app = FlaskExpress(__name__)
    app.config.update(TESTING=True)

    @app.get("/res")
    def res_view(req: Request, res: Response) -> Response:
        return res.sse(["x"])  # type: ignore[attr-defined, no-any-return]

    @app.get("/req")
    def req_view(req: Request, res: Response) -> Response:
        return res.send(req.last_event_id)  # type: ignore[attr-defined]

    with pytest.raises(MissingFeature) as excinfo:
        app.test_client().get("/res")
    assert str(excinfo.value) == (
        "res.sse() comes from fx-sse, which is installed: compose(SSEMixin)"
    )
    with pytest.raises(MissingFeature) as excinfo:
        app.test_client().get("/req", headers={"Last-Event-ID": "1"})
    assert str(excinfo.value) == (
        "req.last_event_id comes from fx-sse, which is installed: compose(SSEMixin)"
    )
