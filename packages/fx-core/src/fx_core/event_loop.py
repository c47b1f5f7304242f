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
import types
import typing as t
import weakref
from collections.abc import Awaitable, Callable

__all__ = [
    "ASYNC_LOOP",
    "ThreadLoop",
    "copy_back",
    "run_coroutine",
    "run_on_thread_loop",
    "thread_loop",
]

#: The config key that turns the per-thread event loop off when false.
ASYNC_LOOP = "FX_ASYNC_LOOP"

_T = t.TypeVar("_T")

if t.TYPE_CHECKING:
    from typing_extensions import TypeVarTuple, Unpack

    _Ts = TypeVarTuple("_Ts")


_Callback = tuple[Callable[..., object], tuple[t.Any, ...], "contextvars.Context | None"]

# Bound once: the hot path runs for every async view.
_get_running_loop = asyncio._get_running_loop
_set_running_loop = asyncio._set_running_loop
_get_asyncgen_hooks = sys.get_asyncgen_hooks
_set_asyncgen_hooks = sys.set_asyncgen_hooks
_copy_context = contextvars.copy_context
_modules = sys.modules
_CoroutineType = types.CoroutineType


class ThreadLoop(asyncio.SelectorEventLoop):
    """The event loop of a worker thread: asyncio's selector loop, with
    :meth:`run_task` to run one call of an async view on it.

    Most async views await nothing that suspends them, or suspend only
    rarely: their whole run is the task's first step. :meth:`run_task` runs
    that step at once, as the loop itself would run it (in the task, so
    :func:`asyncio.current_task` is that task, with this loop as the running
    loop), and returns without a turn of the loop, polling the selector
    included. A task that suspends goes on in
    :meth:`~asyncio.loop.run_until_complete`, as any other.
    """

    def __init__(self) -> None:
        # Set before the base class's __init__, which asks is_running().
        # True while run_task creates its task: the task's first step,
        # handed to call_soon, is kept in _fx_first instead of queued.
        self._fx_capturing = False
        self._fx_first: _Callback | None = None
        # While a first step runs: what it schedules, held until the loop
        # runs, so that the call's asyncgen hooks are set before any of it.
        self._fx_held: list[tuple[asyncio.Handle, _Callback]] | None = None
        # The async generators the current call started, and those it
        # dropped unfinished (None: none yet; _fx_dropped None between calls).
        self._fx_started: weakref.WeakSet[t.AsyncGenerator[t.Any, t.Any]] | None = None
        self._fx_dropped: list[t.AsyncGenerator[t.Any, t.Any]] | None = None
        self._fx_calling = False
        self._fx_hooks = (self.track_asyncgen, self.finalize_asyncgen)
        super().__init__()

    def call_soon(
        self,
        callback: Callable[[Unpack[_Ts]], object],
        *args: Unpack[_Ts],
        context: contextvars.Context | None = None,
    ) -> asyncio.Handle:
        """As the base loop's :meth:`~asyncio.loop.call_soon`; while
        :meth:`run_task` runs a first step, the callback is queued when the
        step ends, still in order, and still cancellable by its handle."""
        if self._fx_capturing:
            # The only caller now is the Task that run_task creates, which
            # drops the handle: none is made.
            self._fx_capturing = False
            self._fx_first = (callback, args, context)
            return None  # type: ignore[return-value]
        held = self._fx_held
        if held is not None:
            handle = asyncio.Handle(callback, args, self, context)
            held.append((handle, (callback, args, context)))
            return handle
        return super().call_soon(callback, *args, context=context)

    def is_running(self) -> bool:
        """Whether the loop runs, a first step in :meth:`run_task` included."""
        return self._fx_held is not None or super().is_running()

    def track_asyncgen(self, agen: t.AsyncGenerator[t.Any, t.Any]) -> None:
        """The asyncgen hooks' ``firstiter`` during :meth:`run_task`: the
        call's async generators are closed when it ends."""
        if self._fx_started is None:
            self._fx_started = weakref.WeakSet()
        self._fx_started.add(agen)

    def finalize_asyncgen(self, agen: t.AsyncGenerator[t.Any, t.Any]) -> None:
        """The asyncgen hooks' ``finalizer``: an async generator dropped
        before it finished is closed on this loop, as asyncio's loops do:
        when the call that dropped it ends, or else in a task."""
        if self._fx_calling:
            # The loop may not turn again before the call ends (a view that
            # never suspends): closed with the call's own generators.
            if self._fx_dropped is None:
                self._fx_dropped = []
            self._fx_dropped.append(agen)
        else:
            self.call_soon_threadsafe(self.create_task, agen.aclose())

    def _set_hooks(self) -> None:
        _set_asyncgen_hooks(*self._fx_hooks)

    def run_task(self, coro: t.Coroutine[t.Any, t.Any, _T], context: contextvars.Context) -> _T:
        """Run ``coro`` to completion in a task, in ``context``; return its
        result or raise its exception.

        The task's first step runs at once. Whatever the call leaves behind
        is cleaned up when it ends, as Flask's way (a loop per call) does:
        tasks still pending are cancelled and awaited, and the async
        generators it started are closed.

        :param coro: the coroutine, not started.
        :param context: the context the task runs in (its changes stay
            there).

        ::

            context = contextvars.copy_context()
            user = thread_loop().run_task(fetch_user(42), context)
        """
        if self._fx_held is not None or _get_running_loop() is not None:
            coro.close()
            raise RuntimeError("run_task() cannot be called from a running event loop")
        saved = _get_asyncgen_hooks()
        _set_asyncgen_hooks(*self._fx_hooks)
        self._fx_calling = True
        try:
            self._fx_capturing = True
            try:
                task = _new_task(self, coro, context)
            finally:
                self._fx_capturing = False
            first = self._fx_first
            self._fx_first = None
            assert first is not None, "the task did not schedule its first step"
            callback, args, step_context = first
            held: list[tuple[asyncio.Handle, _Callback]] = []
            self._fx_held = held
            _set_running_loop(self)
            try:
                if step_context is None:
                    callback(*args)
                else:
                    step_context.run(callback, *args)
            finally:
                _set_running_loop(None)
                self._fx_held = None
            if held or not task.done():
                return self._go_on(task, held)
            if self._fx_started is not None or self._fx_dropped is not None:
                _clean_up(self, self._fx_started, self._fx_dropped)
            return task.result()
        finally:
            self._fx_calling = False
            self._fx_started = self._fx_dropped = None
            _set_asyncgen_hooks(*saved)

    def _go_on(self, task: asyncio.Task[_T], held: list[tuple[asyncio.Handle, _Callback]]) -> _T:
        """The rest of :meth:`run_task` when the first step did not finish
        the call: the loop runs until the task is done, then cleans up."""
        try:
            # run_forever sets the loop's own hooks: the call's go first,
            # then what the step scheduled, in order.
            super().call_soon(self._set_hooks)
            for handle, (callback, args, context) in held:
                super().call_soon(_run_held, handle, callback, args, context=context)
            return self.run_until_complete(task)
        finally:
            _clean_up(self, self._fx_started, self._fx_dropped)


def _run_held(
    handle: asyncio.Handle, callback: Callable[..., object], args: tuple[t.Any, ...]
) -> None:
    """A callback held during a first step, unless its handle was cancelled."""
    if not handle.cancelled():
        callback(*args)


def _clean_up(
    loop: asyncio.AbstractEventLoop,
    started: weakref.WeakSet[t.AsyncGenerator[t.Any, t.Any]] | None,
    dropped: list[t.AsyncGenerator[t.Any, t.Any]] | None = None,
) -> None:
    """What asgiref does when its per-call loop ends, on a loop that stays:
    cancel and await the pending tasks, close the call's async generators
    (those ``started`` and still alive, and those ``dropped`` unfinished)."""
    pending = asyncio.all_tasks(loop)
    if pending:
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    agens = [*(started or ()), *(dropped or ())]
    if not agens:
        return
    results = loop.run_until_complete(_close_all(agens))
    for agen, result in zip(agens, results, strict=True):
        if isinstance(result, Exception):
            loop.call_exception_handler(
                {
                    "message": "an error occurred while closing an async generator",
                    "exception": result,
                    "asyncgen": agen,
                }
            )


async def _close_all(agens: list[t.AsyncGenerator[t.Any, t.Any]]) -> list[t.Any]:
    # Gathered inside the loop: asyncio.gather of coroutines called outside
    # one would wrap them in tasks of the thread's *current* loop.
    results: list[t.Any] = await asyncio.gather(
        *(agen.aclose() for agen in agens), return_exceptions=True
    )
    return results


if sys.version_info >= (3, 11):

    def _new_task(
        loop: asyncio.AbstractEventLoop,
        coro: t.Coroutine[t.Any, t.Any, _T],
        context: contextvars.Context,
    ) -> asyncio.Task[_T]:
        if loop.get_task_factory() is None:
            # What create_task does then, less its checks: the loop is
            # open (it is this thread's), the task is named on demand.
            return asyncio.Task(coro, loop=loop, context=context)
        return loop.create_task(coro, context=context)

else:  # pragma: no cover - Python 3.10

    def _new_task(
        loop: asyncio.AbstractEventLoop,
        coro: t.Coroutine[t.Any, t.Any, _T],
        context: contextvars.Context,
    ) -> asyncio.Task[_T]:
        # create_task has no context argument before 3.11: the task runs in
        # a copy of the current context, whose changes are carried over.
        async def carried() -> _T:
            try:
                return await coro
            finally:
                _carry_into(context)

        return loop.create_task(carried())


def _new_loop() -> asyncio.AbstractEventLoop:
    """A :class:`ThreadLoop`, unless the app chose another loop (uvloop's
    policy, say): that one is used as it is."""
    if sys.platform == "win32":  # pragma: no cover - the platform's own loop
        return asyncio.new_event_loop()
    if sys.version_info < (3, 14):
        if type(asyncio.get_event_loop_policy()) is not asyncio.DefaultEventLoopPolicy:
            return asyncio.new_event_loop()
    return ThreadLoop()


class _Holder:
    """Owns one thread's loop; closes it when the thread ends (its locals go)."""

    __slots__ = ("__weakref__", "loop")

    def __init__(self) -> None:
        self.loop = _new_loop()
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
    monkey = _modules.get("gevent.monkey")
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
    return _own_loop()


def _own_loop() -> asyncio.AbstractEventLoop:
    """The loop of this OS thread (not gevent's shared one)."""
    holder: _Holder | None = getattr(_local, "holder", None)
    if holder is None or holder.loop.is_closed():
        holder = _local.holder = _Holder()
    return holder.loop


def run_coroutine(
    func: Callable[..., Awaitable[_T]],
    args: tuple[t.Any, ...],
    kwargs: dict[str, t.Any],
    otherwise: Callable[..., _T],
) -> _T:
    """Run ``func(*args, **kwargs)`` with :func:`run_on_thread_loop`, or
    return ``otherwise(func, *args, **kwargs)`` (Flask's way) when this
    thread already runs an event loop.

    Under gevent, a greenlet first waits for its turn on the shared loop, so
    that another greenlet's running loop is not mistaken for its own.
    """
    if "gevent.monkey" in _modules:
        shared = _under_gevent()
        if shared is not None:
            with shared.turn:
                if _get_running_loop() is not None:
                    return otherwise(func, *args, **kwargs)
                return _run(thread_loop(), func, args, kwargs)
    if _get_running_loop() is not None:
        return otherwise(func, *args, **kwargs)
    return _run(_own_loop(), func, args, kwargs)


def run_on_thread_loop(func: Callable[..., Awaitable[_T]], *args: t.Any, **kwargs: t.Any) -> _T:
    """Call the coroutine function ``func`` and run it to completion on this
    thread's event loop; return its result or raise its exception.

    The coroutine runs in a task, in a copy of the caller's context. Until
    it first suspends, it runs at once, without a turn of the loop (see
    :meth:`ThreadLoop.run_task`), so a view that awaits nothing that
    suspends costs little more than a sync one. Afterwards, tasks it left
    pending are cancelled and awaited, the async generators it started are
    closed, and the context variables it set are copied into the caller's
    context. The thread must not be running an event loop already (the
    caller checks).

    :param func: an ``async def`` function.
    :param args: and ``kwargs``, its arguments.

    ::

        user = run_on_thread_loop(fetch_user, 42)
    """
    return _run(thread_loop(), func, args, kwargs)


def _run(
    loop: asyncio.AbstractEventLoop,
    func: Callable[..., Awaitable[_T]],
    args: tuple[t.Any, ...],
    kwargs: dict[str, t.Any],
) -> _T:
    context = _copy_context()
    if type(loop) is not ThreadLoop:
        started: weakref.WeakSet[t.AsyncGenerator[t.Any, t.Any]] = weakref.WeakSet()
        try:
            return loop.run_until_complete(_in_context(func, args, kwargs, context, started))
        finally:
            _clean_up(loop, started)
            copy_back(context)
    awaitable = func(*args, **kwargs)
    try:
        if type(awaitable) is _CoroutineType:
            return loop.run_task(t.cast("t.Coroutine[t.Any, t.Any, _T]", awaitable), context)
        return loop.run_task(_awaiting(awaitable), context)
    finally:
        copy_back(context)


async def _awaiting(awaitable: Awaitable[_T]) -> _T:
    return await awaitable


async def _in_context(
    func: Callable[..., Awaitable[_T]],
    args: tuple[t.Any, ...],
    kwargs: dict[str, t.Any],
    context: contextvars.Context,
    started: weakref.WeakSet[t.AsyncGenerator[t.Any, t.Any]],
) -> _T:
    """On a loop of another kind (uvloop's): run ``func``, add the async
    generators it starts to ``started``, and leave the context variables it
    set in ``context``."""
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
        _carry_into(context)


def _carry_into(context: contextvars.Context) -> None:
    """Set in ``context`` every variable of the current one, for a task
    that cannot run in ``context`` itself."""
    for var, value in contextvars.copy_context().items():
        context.run(var.set, value)


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
