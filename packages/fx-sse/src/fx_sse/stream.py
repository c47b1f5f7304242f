"""Running the events iterable while the response streams.

A sync iterable runs in a helper thread that feeds a one-slot queue, so the
serving thread can wait with a timeout and send heartbeats even while the
iterable blocks in ``next()``. An async iterable runs on a private event loop
in the serving thread, with one pending ``__anext__`` task kept across
heartbeat timeouts: ``asyncio.wait`` leaves it running where ``wait_for``
would cancel it and so kill the generator.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import logging
import queue
import threading
import typing as t
from collections.abc import AsyncIterator, Callable, Iterator

from .channels import stream_stopped
from .events import HEARTBEAT, OPENING

__all__ = ["async_stream", "prepared_stream", "sync_stream"]

Format = Callable[[t.Any], bytes]

_DATA, _END, _ERROR = "data", "end", "error"
#: Seconds between two checks of the stop flag by a helper thread blocked on a
#: full queue; the serving thread also drains the queue when it stops, so
#: this only bounds a lost wake-up.
_PUT_POLL = 0.25
_thread_numbers = itertools.count(1)


def prepared_stream(chunks: list[bytes]) -> Iterator[bytes]:
    """The body for events formatted at the call (a list or tuple)."""
    yield OPENING
    yield from chunks


class _Pump:
    """The helper thread of a sync iterable: it calls ``next()``, formats the
    item and hands it over through a one-slot queue; when the stream stops it
    closes the iterator from its own thread (a generator cannot be closed
    from another thread while it runs)."""

    def __init__(self, iterator: Iterator[t.Any], format_: Format, logger: logging.Logger):
        self.iterator = iterator
        self.format = format_
        self.logger = logger
        self.queue: queue.Queue[tuple[str, t.Any]] = queue.Queue(maxsize=1)
        self.stopped = threading.Event()
        # Run in a copy of the serving thread's context, taken while the
        # request context is pushed: request, session, g and current_app work
        # in the generator.
        context = contextvars.copy_context()
        # A subscription blocked in next() sees this flag and ends, so the
        # helper thread is free when the client goes away, not at the next
        # event (a generator cannot be closed from another thread).
        context.run(stream_stopped.set, self.stopped)
        self.thread = threading.Thread(
            target=context.run,
            args=(self._run,),
            name=f"fx-sse-events-{next(_thread_numbers)}",
            daemon=True,
        )

    def _put(self, kind: str, value: t.Any) -> bool:
        while not self.stopped.is_set():
            try:
                self.queue.put((kind, value), timeout=_PUT_POLL)
            except queue.Full:
                continue
            return True
        return False

    def _run(self) -> None:
        try:
            while not self.stopped.is_set():
                try:
                    item = next(self.iterator)
                except StopIteration:
                    self._put(_END, None)
                    return
                if self.stopped.is_set() or not self._put(_DATA, self.format(item)):
                    return
        except BaseException as exc:
            if not self._put(_ERROR, exc):
                self.logger.error("res.sse(): the events iterable raised", exc_info=exc)
        finally:
            close = getattr(self.iterator, "close", None)
            if close is not None:
                try:
                    close()
                except BaseException:
                    self.logger.exception("res.sse(): closing the events iterable raised")

    def stop(self) -> None:
        self.stopped.set()
        # Frees a put() blocked on the full slot; after the flag is set the
        # helper puts at most once more, into the slot emptied here.
        try:
            self.queue.get_nowait()
        except queue.Empty:
            pass


def sync_stream(
    iterator: Iterator[t.Any],
    format_: Format,
    heartbeat: float | None,
    logger: logging.Logger,
) -> Iterator[bytes]:
    """The body for a sync iterable, run by a helper thread."""
    pump = _Pump(iterator, format_, logger)
    pump.thread.start()
    try:
        yield OPENING
        while True:
            try:
                kind, value = pump.queue.get(timeout=heartbeat)
            except queue.Empty:
                yield HEARTBEAT
                continue
            if kind == _DATA:
                yield value
            elif kind == _END:
                return
            else:
                raise value
    finally:
        pump.stop()


async def _next_item(iterator: AsyncIterator[t.Any]) -> t.Any:
    try:
        return (_DATA, await iterator.__anext__())
    except StopAsyncIteration:
        return (_END, None)


def async_stream(
    iterator: AsyncIterator[t.Any],
    format_: Format,
    heartbeat: float | None,
    logger: logging.Logger,
) -> Iterator[bytes]:
    """The body for an async iterable, run on a private event loop."""
    loop = asyncio.new_event_loop()
    pending: asyncio.Task[t.Any] | None = None
    try:
        yield OPENING
        while True:
            if pending is None:
                # The task runs in a copy of this thread's context, where the
                # request context is pushed.
                pending = loop.create_task(_next_item(iterator))
            done, _ = loop.run_until_complete(asyncio.wait({pending}, timeout=heartbeat))
            if not done:
                yield HEARTBEAT
                continue
            finished, pending = pending, None
            kind, item = finished.result()
            if kind == _END:
                return
            yield format_(item)
    finally:
        _close_async(loop, iterator, pending, logger)


def _close_async(
    loop: asyncio.AbstractEventLoop,
    iterator: AsyncIterator[t.Any],
    pending: asyncio.Task[t.Any] | None,
    logger: logging.Logger,
) -> None:
    try:
        if pending is not None:
            # Cancelling the pending __anext__ raises CancelledError at the
            # generator's await, so its finally runs; aclose() below then
            # finds it finished.
            pending.cancel()
            loop.run_until_complete(asyncio.wait({pending}))
            if not pending.cancelled() and pending.exception() is not None:
                logger.error("res.sse(): the events iterable raised", exc_info=pending.exception())
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            loop.run_until_complete(aclose())
        loop.run_until_complete(loop.shutdown_asyncgens())
    except Exception:
        logger.exception("res.sse(): closing the events iterable raised")
    finally:
        loop.close()
