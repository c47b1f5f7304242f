"""``fx_sse.channel()``: the in-process backend, and the choice of backend
(docs: packages/fx-sse.md, "Across instances"). Redis is tested against a
real redis-server in integration_tests/test_deploy.py.

Every wait is bounded in time; streams are read with ``buffered=False``.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
import typing as t
from collections.abc import Iterator

import flask
import pytest
from flask.testing import FlaskClient

import fx_sse
from fx_core import FlaskExpress, Request
from fx_sse import ChannelError, MemoryChannel, SSEMixin, Subscription, channel
from fx_sse import channels as channel_module

LIMIT = 5.0
OPENING = b": stream open\n\n"


def next_within(sub: Iterator[t.Any], limit: float = LIMIT) -> t.Any:
    """``next(sub)`` in a thread, failing the test if it takes over ``limit`` s."""
    got: list[t.Any] = []
    thread = threading.Thread(target=lambda: got.append(next(sub, StopIteration)), daemon=True)
    thread.start()
    thread.join(limit)
    assert not thread.is_alive(), "next() did not return"
    return got[0]


def test_default_is_one_memory_channel_per_app(app: FlaskExpress) -> None:
    first = channel(app)
    assert isinstance(first, MemoryChannel)
    assert channel(app) is first
    with app.app_context():
        assert channel() is first
    other = FlaskExpress(__name__)
    assert channel(other) is not first


def test_publish_reaches_every_subscriber_of_the_topic_only(app: FlaskExpress) -> None:
    hub = channel(app)
    news1, news2, sport = hub.subscribe("news"), hub.subscribe("news"), hub.subscribe("sport")
    assert hub.publish("news", {"id": 1, "event": "story", "data": {"title": "A"}}) == 2
    assert hub.publish("news", "plain") == 2
    for sub in (news1, news2):
        assert next_within(sub) == {"id": 1, "event": "story", "data": {"title": "A"}}
        assert next_within(sub) == "plain"
    assert hub.publish("sport", "goal") == 1
    assert next_within(sport) == "goal"
    assert hub.publish("weather", "rain") == 0


def test_subscribers_get_a_copy(app: FlaskExpress) -> None:
    hub = channel(app)
    a, b = hub.subscribe("t"), hub.subscribe("t")
    event = {"data": {"items": [1]}}
    hub.publish("t", event)
    got_a = next_within(a)
    got_a["data"]["items"].append(2)
    assert next_within(b) == {"data": {"items": [1]}}
    assert event == {"data": {"items": [1]}}


def test_only_events_published_after_subscribe_are_delivered(app: FlaskExpress) -> None:
    hub = channel(app)
    hub.publish("t", "before")
    sub = hub.subscribe("t")
    hub.publish("t", "after")
    assert next_within(sub) == "after"


def test_close_unsubscribes_ends_iteration_and_is_idempotent(app: FlaskExpress) -> None:
    hub = channel(app)
    assert isinstance(hub, MemoryChannel)
    with hub.subscribe("t") as sub:
        assert hub.subscribers("t") == 1
    assert sub.closed
    assert hub.subscribers("t") == 0
    sub.close()
    assert next_within(sub) is StopIteration
    assert hub.publish("t", "x") == 0


def test_close_from_another_thread_wakes_a_blocked_next(app: FlaskExpress) -> None:
    sub = channel(app).subscribe("t")
    timer = threading.Timer(0.2, sub.close)
    timer.start()
    started = time.monotonic()
    assert next_within(sub) is StopIteration
    assert time.monotonic() - started < 2.0
    timer.join()


def test_bad_events_and_topics_are_the_publishers_errors(app: FlaskExpress) -> None:
    hub = channel(app)
    sub = hub.subscribe("t")
    with pytest.raises(ValueError, match="one line"):
        hub.publish("t", {"event": "a\nb", "data": "x"})
    with pytest.raises(TypeError):
        hub.publish("t", b"bytes")
    with pytest.raises(ValueError, match="unknown event key"):
        hub.publish("t", {"nope": 1})
    with pytest.raises(TypeError, match="topic"):
        hub.publish(1, "x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="topic"):
        hub.subscribe("")
    hub.publish("t", "good")
    assert next_within(sub) == "good"


def test_a_subscriber_that_falls_too_far_behind_is_dropped(
    app: FlaskExpress, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(channel_module, "QUEUE_LIMIT", 3)
    hub = channel(app)
    assert isinstance(hub, MemoryChannel)
    slow = hub.subscribe("t")
    for n in range(3):
        assert hub.publish("t", str(n)) == 1
    assert hub.publish("t", "3") == 0
    assert hub.subscribers("t") == 0
    # What it had queued is not read: its stream ends, and the client
    # reconnects with Last-Event-ID.
    assert next_within(slow) is StopIteration


def test_unknown_setting_and_missing_redis(
    app: FlaskExpress, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["FX_SSE_CHANNEL"] = "kafka://x"
    with pytest.raises(ValueError, match="FX_SSE_CHANNEL"):
        channel(app)
    app.config["FX_SSE_CHANNEL"] = 1
    with pytest.raises(TypeError, match="FX_SSE_CHANNEL"):
        channel(app)
    app.config["FX_SSE_CHANNEL"] = "redis://127.0.0.1:1/0"
    monkeypatch.setitem(sys.modules, "redis", None)  # as if not installed
    with pytest.raises(ImportError, match=r'pip install "fx-sse\[redis\]>=1.0"'):
        channel(app)


def test_redis_that_does_not_answer_is_a_channel_error(app: FlaskExpress) -> None:
    pytest.importorskip("redis")
    # A port nothing listens on: refused at once.
    app.config["FX_SSE_CHANNEL"] = f"redis://127.0.0.1:{_closed_port()}/0"
    hub = channel(app)
    assert isinstance(hub, fx_sse.RedisChannel)
    with pytest.raises(ChannelError):
        hub.publish("t", "x")
    with pytest.raises(ChannelError):
        hub.subscribe("t")


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- through res.sse ------------------------------------------------------------------


def _stream_app(app: FlaskExpress, wrap: bool) -> list[str]:
    """/feed streams the "t" topic, straight or wrapped in a generator; the
    returned list records the end of the wrapping generator."""
    ended: list[str] = []

    @app.get("/feed")
    def feed(req: Request, res: SSEMixin) -> SSEMixin:
        sub = channel().subscribe("t")
        if not wrap:
            return res.sse(sub, heartbeat=0.05)

        def events() -> Iterator[t.Any]:
            try:
                yield from itertools.chain([{"id": 0, "data": "replayed"}], sub)
            finally:
                ended.append(threading.current_thread().name)

        return res.sse(events(), heartbeat=0.05)

    @app.post("/publish")
    def publish(req: Request, res: SSEMixin) -> SSEMixin:
        return res.json(reached=channel().publish("t", {"id": req.json["id"], "data": "hi"}))

    return ended


@pytest.mark.parametrize("wrap", [False, True], ids=["subscription", "wrapped"])
def test_a_stream_gets_published_events_and_unsubscribes_when_the_client_leaves(
    app: FlaskExpress, client: FlaskClient, wrap: bool
) -> None:
    ended = _stream_app(app, wrap)
    hub = channel(app)
    assert isinstance(hub, MemoryChannel)
    rv = client.get("/feed", buffered=False)
    body = iter(rv.response)
    assert next(body) == OPENING
    if wrap:
        assert next(body) == b"id: 0\ndata: replayed\n\n"
    assert hub.subscribers("t") == 1
    assert client.post("/publish", json={"id": 7}).json == {"reached": 1}
    deadline = time.monotonic() + LIMIT
    for chunk in body:  # heartbeats until the event
        assert time.monotonic() < deadline
        if chunk != b": heartbeat\n\n":
            assert chunk == b"id: 7\ndata: hi\n\n"
            break
    rv.close()
    # No event comes: the subscription notices the stop flag by itself.
    assert _within(lambda: hub.subscribers("t") == 0)
    if wrap:
        assert _within(lambda: ended != [])
        assert ended[0].startswith("fx-sse-events-")
    assert _within(
        lambda: (
            not any(thread.name.startswith("fx-sse-events-") for thread in threading.enumerate())
        )
    )


def _within(condition: t.Callable[[], bool], limit: float = LIMIT) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_subscription_is_an_iterator_type() -> None:
    assert issubclass(Subscription, Iterator)
    assert flask.Flask  # the module imports without an app
