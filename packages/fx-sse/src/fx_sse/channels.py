"""Publish/subscribe channels: an event published on one instance reaches the
streams open on every instance.

``fx_sse.channel(app)`` reads the app's ``FX_SSE_CHANNEL`` config once:
``"memory"`` (the default) delivers within the process, a ``redis://``,
``rediss://`` or ``unix://`` URL through Redis pub/sub, across processes and
machines. Both carry each event as one JSON text, so a subscriber gets a copy
of what was published, the same on either backend.
"""

from __future__ import annotations

import contextvars
import importlib
import logging
import queue
import threading
import typing as t
from collections.abc import Callable, Iterator

import flask

from .events import format_event

__all__ = [
    "Channel",
    "ChannelError",
    "MemoryChannel",
    "RedisChannel",
    "Subscription",
    "channel",
]

#: The config key that chooses the backend.
CHANNEL = "FX_SSE_CHANNEL"
#: The config key of the prefix put before every topic in Redis.
PREFIX = "FX_SSE_CHANNEL_PREFIX"
_DEFAULT_PREFIX = "fx-sse:"
_EXTENSION = "fx_sse.channel"
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

#: Events a subscriber may hold unread before it is dropped (its stream ends,
#: and the client reconnects), so one stalled client cannot grow memory.
QUEUE_LIMIT = 1000
#: Seconds a blocked ``next()`` waits between two checks of its stream's stop
#: flag: how long a subscription outlives a client that went away.
_POLL = 0.25

_log = logging.getLogger("fx_sse.channel")

# Set by res.sse in the context its helper thread runs: the stream's stop
# flag, which a subscription checks while it waits, so it ends when the
# client goes away even inside a generator that wraps it.
stream_stopped: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar(
    "fx_sse_stream_stopped", default=None
)


class ChannelError(RuntimeError):
    """The channel's backend cannot be reached (Redis is down): raised by
    :meth:`Channel.publish` and :meth:`Channel.subscribe`.

    .. versionadded:: 1.0
    """


def _check_topic(topic: object) -> str:
    if not isinstance(topic, str):
        raise TypeError(f"a channel topic must be a str, got {type(topic).__name__}")
    if not topic or "\0" in topic:
        raise ValueError(f"a channel topic must be a non-empty str without NUL, got {topic!r}")
    return topic


class Subscription(Iterator[t.Any]):
    """The events published on one topic since :meth:`Channel.subscribe`
    returned, in order: an iterator to give to ``res.sse``.

    ``next()`` blocks until an event arrives. It raises :exc:`StopIteration`
    (the stream ends cleanly) when the subscription is closed, when the
    backend's connection is lost, when the subscriber fell more than
    :data:`QUEUE_LIMIT` events behind, or, inside ``res.sse``, within a
    quarter of a second of the client going away, even when the subscription
    is wrapped in another generator.

    :meth:`close` unsubscribes; it is idempotent and may be called from any
    thread. A subscription is also a context manager that closes it.

    .. versionadded:: 1.0
    """

    def __init__(self, topic: str, loads: Callable[[str], t.Any]) -> None:
        #: The topic subscribed to.
        self.topic = topic
        self._loads = loads
        self._closed = threading.Event()

    @property
    def closed(self) -> bool:
        """Whether the subscription is closed: its iterator is exhausted."""
        return self._closed.is_set()

    def __iter__(self) -> Subscription:
        return self

    def __next__(self) -> t.Any:
        stop = stream_stopped.get()
        while not self._closed.is_set():
            if stop is not None and stop.is_set():
                break
            try:
                text = self._receive(_POLL)
            except Exception as exc:
                _log.warning(
                    "fx-sse channel: the subscription to %r lost its backend (%s); its stream ends",
                    self.topic,
                    exc,
                )
                break
            if text is not None:
                return self._loads(text)
        self.close()
        raise StopIteration

    def close(self) -> None:
        """Unsubscribe; later ``next()`` calls raise :exc:`StopIteration`."""
        if self._closed.is_set():
            return
        self._closed.set()
        try:
            self._unsubscribe()
        except Exception:
            _log.exception("fx-sse channel: unsubscribing from %r raised", self.topic)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _receive(self, timeout: float) -> str | None:
        """The next message, or ``None`` after ``timeout`` seconds without."""
        raise NotImplementedError

    def _unsubscribe(self) -> None:
        raise NotImplementedError


class Channel:
    """A publish/subscribe channel for Server-Sent Events, from
    :func:`channel`. Its subclasses are :class:`MemoryChannel` and
    :class:`RedisChannel`; both are safe to use from many threads.

    .. versionadded:: 1.0
    """

    def __init__(
        self,
        dumps: Callable[[t.Any], str],
        loads: Callable[[str], t.Any],
    ) -> None:
        self._dumps = dumps
        self._loads = loads

    def _encode(self, event: t.Any) -> str:
        # Checked here, so a bad event is the publisher's error and not a
        # broken stream in every subscriber.
        format_event(event, self._dumps)
        return self._dumps(event)

    def publish(self, topic: str, event: t.Any) -> int | None:
        """Send ``event`` to every current subscriber of ``topic``.

        :param topic: a non-empty ``str``.
        :param event: one event as ``res.sse`` takes it: a ``str`` (its
            data) or a mapping of ``data``, ``event``, ``id`` and ``retry``.
            It travels as JSON, so subscribers get a copy.
        :returns: how many subscribers it reached (on Redis: how many
            connections, on every instance), or ``None`` when unknown.
        :raises TypeError: a bad topic or event, as ``res.sse`` would raise it.
        :raises ValueError: likewise.
        :raises ChannelError: the backend cannot be reached.
        """
        return self._publish(_check_topic(topic), self._encode(event))

    def subscribe(self, topic: str) -> Subscription:
        """Subscribe to ``topic``: events published after this returns are
        delivered to the :class:`Subscription`, on this instance or (with
        Redis) any other.

        Subscribe before reading what a client missed (from your store,
        after ``req.last_event_id``), so that nothing published in between
        is lost::

            sub = channel.subscribe("news")
            missed = store.events_after(req.last_event_id)
            return res.sse(itertools.chain(missed, sub))

        :raises ChannelError: the backend cannot be reached.
        """
        return self._subscribe(_check_topic(topic))

    def close(self) -> None:
        """Release the backend's connections (subscriptions end)."""

    def _publish(self, topic: str, text: str) -> int | None:
        raise NotImplementedError

    def _subscribe(self, topic: str) -> Subscription:
        raise NotImplementedError


class _MemorySubscription(Subscription):
    def __init__(self, hub: MemoryChannel, topic: str, loads: Callable[[str], t.Any]) -> None:
        super().__init__(topic, loads)
        self._hub = hub
        self._queue: queue.Queue[str | None] = queue.Queue(maxsize=QUEUE_LIMIT)

    def _offer(self, text: str) -> bool:
        try:
            self._queue.put_nowait(text)
        except queue.Full:
            _log.warning(
                "fx-sse channel: a subscriber of %r fell %d events behind; its stream ends",
                self.topic,
                QUEUE_LIMIT,
            )
            self._closed.set()
            return False
        return True

    def _receive(self, timeout: float) -> str | None:
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def _unsubscribe(self) -> None:
        self._hub._remove(self)


class MemoryChannel(Channel):
    """Delivers within one process: ``FX_SSE_CHANNEL = "memory"``, the
    default. Streams served by other processes (gunicorn's other workers,
    other machines) do not see its events: use :class:`RedisChannel` there.

    .. versionadded:: 1.0
    """

    def __init__(
        self,
        dumps: Callable[[t.Any], str],
        loads: Callable[[str], t.Any],
    ) -> None:
        super().__init__(dumps, loads)
        self._lock = threading.Lock()
        self._topics: dict[str, set[_MemorySubscription]] = {}

    def _publish(self, topic: str, text: str) -> int:
        with self._lock:
            subscribers = list(self._topics.get(topic, ()))
        dropped = [sub for sub in subscribers if not sub._offer(text)]
        for sub in dropped:
            self._remove(sub)
        return len(subscribers) - len(dropped)

    def _subscribe(self, topic: str) -> Subscription:
        sub = _MemorySubscription(self, topic, self._loads)
        with self._lock:
            self._topics.setdefault(topic, set()).add(sub)
        return sub

    def _remove(self, sub: _MemorySubscription) -> None:
        with self._lock:
            subs = self._topics.get(sub.topic)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._topics[sub.topic]

    def subscribers(self, topic: str) -> int:
        """How many open subscriptions ``topic`` has in this process."""
        with self._lock:
            return len(self._topics.get(_check_topic(topic), ()))


def _import_redis() -> t.Any:
    try:
        return importlib.import_module("redis")
    except ImportError as exc:
        raise ImportError(
            f"{CHANNEL} is a Redis URL, which needs the redis package: "
            'pip install "fx-sse[redis]>=1.0"'
        ) from exc


class _RedisSubscription(Subscription):
    def __init__(self, pubsub: t.Any, name: str, topic: str, loads: Callable[[str], t.Any]):
        super().__init__(topic, loads)
        self._pubsub = pubsub
        self._name = name
        self._lock = threading.Lock()

    def _receive(self, timeout: float) -> str | None:
        with self._lock:
            if self._closed.is_set():
                return None
            message = self._pubsub.get_message(ignore_subscribe_messages=True, timeout=timeout)
        if message is None or message.get("type") != "message":
            return None
        data = message["data"]
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)

    def _unsubscribe(self) -> None:
        # The lock waits out a _receive in progress (at most its timeout):
        # a pubsub connection is not safe to share between threads. The
        # connection is closed, not returned to the pool: after an error its
        # state is unknown.
        with self._lock:
            self._pubsub.close()


class RedisChannel(Channel):
    """Delivers through Redis pub/sub to every process and machine that uses
    the same Redis: ``FX_SSE_CHANNEL = "redis://host:6379/0"`` (or
    ``rediss://`` for TLS, ``unix://`` for a socket). Needs the ``redis``
    package: ``pip install "fx-sse[redis]>=1.0"``.

    Each subscription holds one Redis connection while it is open. Redis
    pub/sub keeps no history: an event published while a subscriber is not
    connected (a client reconnecting, Redis restarting) is not delivered to
    it; resume from your own store with ``req.last_event_id``. When Redis
    goes away, open subscriptions end (their streams close cleanly and
    ``EventSource`` reconnects) and :meth:`publish` and :meth:`subscribe`
    raise :exc:`ChannelError` until it is back.

    .. versionadded:: 1.0
    """

    def __init__(
        self,
        url: str,
        dumps: Callable[[t.Any], str],
        loads: Callable[[str], t.Any],
        prefix: str = _DEFAULT_PREFIX,
    ) -> None:
        super().__init__(dumps, loads)
        redis = _import_redis()
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._prefix = prefix
        # No retries: a lost connection ends the streams at once, and the
        # clients' reconnects (with Last-Event-ID) are the retry.
        self._client = redis.Redis.from_url(
            url, socket_connect_timeout=2.0, socket_timeout=5.0, retry_on_timeout=False, retry=None
        )

    def _publish(self, topic: str, text: str) -> int:
        try:
            return int(self._client.publish(self._prefix + topic, text))
        except self._errors as exc:
            raise ChannelError(f"fx-sse channel: publishing to {topic!r} failed: {exc}") from exc

    def _subscribe(self, topic: str) -> Subscription:
        name = self._prefix + topic
        pubsub = self._client.pubsub()
        try:
            pubsub.subscribe(name)
            # Wait for Redis to confirm, so that an event published once this
            # returns (by anyone, anywhere) is delivered.
            for _ in range(20):
                message = pubsub.get_message(timeout=0.25)
                if message is not None and message.get("type") == "subscribe":
                    break
            else:
                raise ChannelError(
                    f"fx-sse channel: Redis did not confirm the subscription {name!r}"
                )
        except self._errors as exc:
            pubsub.close()
            raise ChannelError(f"fx-sse channel: subscribing to {topic!r} failed: {exc}") from exc
        except BaseException:
            pubsub.close()
            raise
        return _RedisSubscription(pubsub, name, topic, self._loads)

    def close(self) -> None:
        self._client.close()


def channel(app: flask.Flask | None = None) -> Channel:
    """The app's publish/subscribe channel, made on first use from its
    config and kept in ``app.extensions``.

    ``FX_SSE_CHANNEL`` chooses the backend: ``"memory"`` (the default, also
    for ``None``) is :class:`MemoryChannel`, one process only; a
    ``redis://``, ``rediss://`` or ``unix://`` URL is :class:`RedisChannel`,
    for several processes or machines. ``FX_SSE_CHANNEL_PREFIX`` (default
    ``"fx-sse:"``) is put before every topic in Redis, so apps sharing a
    Redis database do not hear each other. Events travel as JSON, through
    the app's JSON provider.

    ::

        import fx_sse

        @app.get("/news")
        def news(req, res):
            return res.sse(fx_sse.channel().subscribe("news"))

        @app.post("/news")
        def post_news(req, res):
            fx_sse.channel().publish("news", {"event": "story", "data": req.json})
            return res.send_status(204)

    :param app: the app; by default ``flask.current_app``.
    :raises ValueError: ``FX_SSE_CHANNEL`` is neither ``"memory"`` nor a
        Redis URL.
    :raises ImportError: a Redis URL without the ``redis`` package.

    .. versionadded:: 1.0
    """
    if app is None:
        app = flask.current_app
    found = app.extensions.get(_EXTENSION)
    if isinstance(found, Channel):
        return found
    setting = app.config.get(CHANNEL) or "memory"
    if not isinstance(setting, str):
        raise TypeError(f"{CHANNEL} must be a str, got {setting!r}")
    dumps = app.json.dumps
    loads = app.json.loads
    made: Channel
    if setting == "memory":
        made = MemoryChannel(dumps, loads)
    elif setting.startswith(_REDIS_SCHEMES):
        prefix = app.config.get(PREFIX, _DEFAULT_PREFIX)
        if not isinstance(prefix, str):
            raise TypeError(f"{PREFIX} must be a str, got {prefix!r}")
        made = RedisChannel(setting, dumps, loads, prefix=prefix)
    else:
        raise ValueError(
            f'{CHANNEL} must be "memory" or a redis://, rediss:// or unix:// URL, got {setting!r}'
        )
    # Two threads may both make one on first use; the first stored wins.
    kept = app.extensions.setdefault(_EXTENSION, made)
    if kept is not made:
        made.close()
    return t.cast(Channel, kept)
