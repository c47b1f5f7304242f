"""Running async views and middleware: one event loop per worker thread.

Flask runs each ``async def`` view through asgiref's ``async_to_sync``: a new
event loop, in a new thread, for every call. A :class:`~fx_core.FlaskExpress`
app runs them on an event loop that belongs to the worker thread and is kept
from request to request, which costs a few microseconds instead of hundreds
and lets a client or pool made in one request be used by the next request on
the same thread. What a call leaves behind is cleaned up as Flask's way does:
tasks still pending are cancelled, async generators are closed. Context
variables set by the coroutine are copied back to the caller, as asgiref
does.

The app's ``FX_ASYNC_LOOP`` config set to ``False`` turns this off (Flask's
way, read on each call); a thread that already runs an event loop (an ASGI
adapter, or async code calling back into sync code) uses Flask's way too.

Under gevent (gunicorn's gevent workers), every greenlet shares one OS
thread, and asyncio allows one running loop per OS thread: the greenlets of
a worker share one loop and take turns on it, one async view at a time,
while sync views keep running concurrently. (Flask's way fails there as soon
as two async views overlap.)
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
import typing as t
import weakref
from collections.abc import Awaitable, Callable

__all__ = ["ASYNC_LOOP", "copy_back", "run_coroutine", "run_on_thread_loop", "thread_loop"]

#: The config key that turns the per-thread event loop off when false.
ASYNC_LOOP = "FX_ASYNC_LOOP"

_T = t.TypeVar("_T")


class _Holder:
    """Owns one thread's loop; closes it when the thread ends (its locals go)."""

    __slots__ = ("__weakref__", "loop")

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        # A thread that ends (a development server's per-request thread)
        # drops its locals; the loop's selector and sockets go with it.
        weakref.finalize(self, _close, self.loop)


def _close(loop: asyncio.AbstractEventLoop) -> None:
    if not loop.is_closed() and not loop.is_running():
        loop.close()


_local = threading.local()


class _Gevent:
    """The one loop of a gevent worker's OS thread, and the turn its greenlets
    take on it (a gevent-patched, so cooperative, reentrant lock)."""

    def __init__(self) -> None:
        self.holder = _Holder()
        self.turn = threading.RLock()


_gevent: _Gevent | None = None


def _under_gevent() -> _Gevent | None:
    """The shared loop when gevent has patched threading, else ``None``."""
    global _gevent
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("threading"):
        return None
    if _gevent is None:
        _gevent = _Gevent()
    return _gevent


def thread_loop() -> asyncio.AbstractEventLoop:
    """Return this thread's event loop, made on first use and kept for the
    thread's life (under gevent, the one loop its greenlets share).

    ::

        loop = thread_loop()
    """
    shared = _under_gevent()
    if shared is not None:
        if shared.holder.loop.is_closed():
            shared.holder = _Holder()
        return shared.holder.loop
    holder: _Holder | None = getattr(_local, "holder", None)
    if holder is None or holder.loop.is_closed():
        holder = _local.holder = _Holder()
    return holder.loop


def run_coroutine(
    func: Callable[..., Awaitable[_T]],
    args: tuple[t.Any, ...],
    kwargs: dict[str, t.Any],
    otherwise: Callable[[], _T],
) -> _T:
    """Run ``func(*args, **kwargs)`` with :func:`run_on_thread_loop`, or call
    ``otherwise()`` (Flask's way) when this thread already runs an event loop.

    Under gevent, a greenlet first waits for its turn on the shared loop, so
    that another greenlet's running loop is not mistaken for its own.
    """
    shared = _under_gevent()
    if shared is None:
        return _run_here_or(func, args, kwargs, otherwise)
    with shared.turn:
        return _run_here_or(func, args, kwargs, otherwise)


def _run_here_or(
    func: Callable[..., Awaitable[_T]],
    args: tuple[t.Any, ...],
    kwargs: dict[str, t.Any],
    otherwise: Callable[[], _T],
) -> _T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run_on_thread_loop(func, *args, **kwargs)
    return otherwise()


def run_on_thread_loop(func: Callable[..., Awaitable[_T]], *args: t.Any, **kwargs: t.Any) -> _T:
    """Call the coroutine function ``func`` and run it to completion on this
    thread's event loop; return its result or raise its exception.

    Afterwards, tasks it left pending are cancelled and awaited, the async
    generators it started are closed, and the context variables it set are
    copied into the caller's context. The thread must not be running an
    event loop already (the caller checks).

    :param func: an ``async def`` function.
    :param args: and ``kwargs``, its arguments.
    """
    loop = thread_loop()
    started: weakref.WeakSet[t.AsyncGenerator[t.Any, t.Any]] = weakref.WeakSet()
    finished: list[contextvars.Context] = []

    async def main() -> _T:
        firstiter, finalizer = sys.get_asyncgen_hooks()

        def track(agen: t.AsyncGenerator[t.Any, t.Any]) -> None:
            started.add(agen)
            if firstiter is not None:
                firstiter(agen)

        sys.set_asyncgen_hooks(firstiter=track, finalizer=finalizer)
        try:
            return await func(*args, **kwargs)
        finally:
            sys.set_asyncgen_hooks(firstiter=firstiter, finalizer=finalizer)
            finished.append(contextvars.copy_context())

    try:
        return loop.run_until_complete(main())
    finally:
        _clean_up(loop, started)
        if finished:
            copy_back(finished[0])


def _clean_up(
    loop: asyncio.AbstractEventLoop, started: weakref.WeakSet[t.AsyncGenerator[t.Any, t.Any]]
) -> None:
    """What asgiref does when its per-call loop ends, on a loop that stays."""
    pending = asyncio.all_tasks(loop)
    if pending:
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    agens = list(started)
    if agens:
        results = loop.run_until_complete(
            asyncio.gather(*(agen.aclose() for agen in agens), return_exceptions=True)
        )
        for agen, result in zip(agens, results, strict=True):
            if isinstance(result, Exception):
                loop.call_exception_handler(
                    {
                        "message": "an error occurred while closing an async generator",
                        "exception": result,
                        "asyncgen": agen,
                    }
                )


def copy_back(finished: contextvars.Context) -> None:
    """Set in the current context every variable whose value differs in
    ``finished``, as asgiref does after running a coroutine."""
    for var, value in finished.items():
        try:
            if var.get() is value:
                continue
        except LookupError:
            pass
        var.set(value)
