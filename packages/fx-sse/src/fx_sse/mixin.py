"""The SSEMixin: ``res.sse`` and, on the request side, ``req.last_event_id``."""

from __future__ import annotations

import math
import sys
import typing as t
from collections.abc import AsyncIterable, Iterable, Mapping
from functools import partial

import flask
from flask import stream_with_context

import fx_core

from .events import format_event
from .stream import async_stream, prepared_stream, sync_stream

if t.TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from typing import Self
    else:
        from typing_extensions import Self

__all__ = ["SSEMixin", "SSERequest"]


class SSERequest(fx_core.Request):
    """The request side of fx-sse: ``req.last_event_id``.

    :class:`SSEMixin` brings it along as its
    :attr:`~fx_core.Response.request_mixin`, so an app that composes
    ``SSEMixin`` has it on every request.

    .. versionadded:: 1.0
    """

    @property
    def last_event_id(self) -> str | None:
        """The ``Last-Event-ID`` header, or ``None`` when the request has none.

        A browser's ``EventSource`` sends it when it reconnects: the ``id``
        of the last event it received. A view resumes from there::

            @app.get("/feed")
            def feed(req, res):
                start = int(req.last_event_id or 0) + 1
                return res.sse({"id": n, "data": f"item {n}"} for n in count(start))

        The value is the client's, unchecked: parse it as carefully as any
        other input.

        .. versionadded:: 1.0
        """
        return self.headers.get("Last-Event-ID")


class SSEMixin(fx_core.Response):
    """Adds :meth:`sse` to :class:`fx_core.Response`, and
    ``req.last_event_id`` to the request of an app that composes it::

        from fx_core import FlaskExpress, compose
        from fx_sse import SSEMixin

        app = FlaskExpress(__name__, response_class=compose(SSEMixin))

        @app.get("/clock")
        def clock(req, res):
            def ticks():
                while True:
                    yield time.strftime("%H:%M:%S")
                    time.sleep(1)

            return res.sse(ticks())

    .. versionadded:: 1.0
    """

    #: Brings ``req.last_event_id`` to apps whose response class composes this mixin.
    request_mixin: t.ClassVar[type[flask.Request] | None] = SSERequest

    def sse(
        self,
        events: Iterable[t.Any] | AsyncIterable[t.Any],
        *,
        heartbeat: float | None = 15.0,
    ) -> Self:
        """Stream ``events`` to the client as Server-Sent Events; terminal.

        The answer is ``200`` with ``Content-Type: text/event-stream;
        charset=utf-8``, ``Cache-Control: no-cache`` and
        ``X-Accel-Buffering: no`` (nginx then does not buffer it); other
        headers and cookies the view set are kept, a status or type set
        before is replaced. The body starts with a comment (``: stream
        open``), so the server sends the headers at once and the browser's
        ``EventSource`` opens before the first event; it has no
        ``Content-Length`` and ends when ``events`` ends.

        Each item of ``events`` is one event, ending with a blank line:

        - a ``str`` is the event's data; a multi-line one (CRLF, CR or LF)
          becomes several ``data:`` lines, which the browser joins with LF;
        - a mapping may hold ``data`` (a ``str``, or a dict, list, number or
          bool, serialized with the app's JSON provider), ``event`` (the
          type, for ``addEventListener``), ``id`` (a ``str`` or ``int``,
          which the browser sends back as ``Last-Event-ID`` when it
          reconnects) and ``retry`` (an ``int``: the reconnection delay in
          milliseconds). A ``None`` value leaves the field out.

        A CR or LF in ``event`` or ``id`` (or NUL in ``id``) raises
        :exc:`ValueError` naming the value; an unknown key, a negative
        ``retry`` or a mapping with no field is a :exc:`ValueError`, a value
        of the wrong type a :exc:`TypeError`. When ``events`` is a list or a
        tuple every item is checked at the call, so the error is raised in
        the view and ``res`` is unchanged; for any other iterable it is
        raised when the item is reached, and the stream ends there.

        ``events`` runs inside the request context, as a generator given to
        :meth:`~fx_core.Response.send` does: ``request``, ``session``, ``g``
        and ``current_app`` work in it. A sync iterable (other than a list or
        tuple) runs in a helper thread: a daemon thread named
        ``fx-sse-events-N``, started when the body is first read. An async
        iterable (an ``async def`` generator) runs on a private event loop
        in the serving thread.

        Heartbeat: whenever no event has gone out for ``heartbeat`` seconds,
        a comment line (``: heartbeat``) is sent, so proxies keep the
        connection open and a client that went away is noticed: the server
        learns it when a write fails.

        Disconnects: when the client goes away the WSGI server closes the
        response, and the stream stops at once, freeing the worker thread.
        The events iterable is then closed (its ``finally`` blocks run): an
        async generator right away (its pending ``__anext__`` is cancelled,
        then ``aclose()`` runs); a sync generator from its helper thread as
        soon as it yields or finishes, since a running generator cannot be
        closed from another thread. So a helper thread never outlives the
        stream by more than the generator's next ``yield``; code after that
        ``yield`` does not run, and the ``finally`` may run after the request
        context was torn down. Keep each step between two ``yield`` short
        (a ``time.sleep`` of seconds, a queue ``get`` with a timeout).

        Each open stream holds a worker thread: serve it with threads
        (gunicorn's ``--worker-class gthread``), not with sync workers.

        :param events: an iterable or async iterable of events (a ``str``,
            ``bytes`` or mapping is not: wrap one event in a list).
        :param heartbeat: seconds of silence before a heartbeat comment, a
            non-negative number; ``0`` or ``None`` sends none.
        :raises TypeError: ``events`` or ``heartbeat`` of the wrong type, or
            a wrong item in a list or tuple.
        :raises ValueError: a negative or non-finite ``heartbeat``, or a bad
            item in a list or tuple.
        :raises fx_core.ResponseAlreadySent: ``res`` was already finished.

        ::

            @app.get("/progress")
            def progress(req, res):
                def steps():
                    for done in range(0, 101, 10):
                        yield {"event": "progress", "id": done, "data": {"done": done}}
                        time.sleep(0.5)

                return res.sse(steps(), heartbeat=5)

        .. versionadded:: 1.0
        """
        self.check_open("sse")
        if isinstance(events, (str, bytes, bytearray, memoryview, Mapping)):
            raise TypeError(
                f"res.sse() takes an iterable of events, got a {type(events).__name__}; "
                "wrap a single event in a list"
            )
        if heartbeat is not None:
            if isinstance(heartbeat, bool) or not isinstance(heartbeat, (int, float)):
                raise TypeError(
                    f"res.sse(): heartbeat must be a number of seconds or None, got {heartbeat!r}"
                )
            if heartbeat < 0 or not math.isfinite(heartbeat):
                raise ValueError(
                    "res.sse(): heartbeat must be a non-negative, finite number of seconds, "
                    f"got {heartbeat!r}"
                )
        timeout = float(heartbeat) if heartbeat else None
        format_ = partial(format_event, dumps=self.app.json.dumps)
        logger = self.app.logger

        if isinstance(events, (list, tuple)):
            body = prepared_stream([format_(item) for item in events])
        elif isinstance(events, AsyncIterable):
            body = stream_with_context(async_stream(events.__aiter__(), format_, timeout, logger))
        elif isinstance(events, Iterable):
            body = stream_with_context(sync_stream(iter(events), format_, timeout, logger))
        else:
            raise TypeError(
                "res.sse() takes an iterable or an async iterable of events, got "
                f"{type(events).__name__}"
            )

        self.make_response(
            body,
            status=200,
            content_type="text/event-stream; charset=utf-8",
            direct_passthrough=True,
        )
        self.headers["Cache-Control"] = "no-cache"
        self.headers["X-Accel-Buffering"] = "no"
        return self.finish("sse")
