"""Express-style middleware: ``def middleware(req, res, next)``.

Middleware registered with ``app.use`` (and ``Blueprint.use``) runs in order
before the view. Each one calls ``next()`` to run the rest of the chain and
the view, or finishes ``res`` to answer without them. ``next()`` returns when
the rest is done, so code after it sees ``res`` as the view left it; an
exception from the rest propagates out of ``next()``.
"""

from __future__ import annotations

import contextvars
import inspect
import re
import threading
import typing as t
from collections.abc import Awaitable, Callable, Sequence

from .event_loop import copy_back, run_on_thread_loop
from .views import view_name

if t.TYPE_CHECKING:
    from .app import FlaskExpress
    from .request import Request
    from .response import Response

__all__ = [
    "Middleware",
    "Path",
    "Use",
    "mount_pattern",
    "parse_use",
    "register_use",
    "run_chain",
]

#: ``def middleware(req, res, next)``, or ``async def`` with ``await next()``.
Middleware = Callable[..., t.Any]


#: Where a middleware applies, as Express's ``app.use`` takes it: a path
#: prefix (whole segments) or a compiled regular expression (searched in the
#: path, as Express's router does).
Path = str | re.Pattern[str]


def normalize_prefix(path: str) -> str:
    """``"/admin/"`` -> ``"/admin"``; ``"/"`` -> ``""`` (every path)."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(f"a middleware path must start with '/', got {path!r}")
    return path.rstrip("/")


class Use:
    """One middleware function, with the paths it is limited to."""

    __slots__ = ("func", "name", "paths", "sync")

    def __init__(self, func: Middleware, paths: tuple[Path, ...] = ()) -> None:
        if not callable(func):
            raise TypeError(f"use() takes middleware functions, got {func!r}")
        #: The middleware as it was given.
        self.func = func
        #: Its name, for messages.
        self.name = view_name(func)
        #: Where it runs: any of these prefixes or patterns; ``()`` (or a
        #: ``""`` prefix) is every path.
        self.paths = paths
        #: Whether it is a plain function (``next()``) or a coroutine
        #: function (``await next()``).
        self.sync = not inspect.iscoroutinefunction(func)

    def matches(self, path: str) -> bool:
        """Whether ``path`` is one of the prefixes or below it, by whole
        segments (``/admin`` matches ``/admin`` and ``/admin/users``, not
        ``/administrator``), or one of the patterns is found in it."""
        if not self.paths:
            return True
        for where in self.paths:
            if isinstance(where, str):
                if not where or path == where or path.startswith(where + "/"):
                    return True
            elif where.search(path) is not None:
                return True
        return False


def _flat(items: t.Iterable[t.Any]) -> t.Iterator[t.Any]:
    """Arrays of middleware (or of paths), nested at any depth, in order."""
    for item in items:
        if isinstance(item, (list, tuple)):
            yield from _flat(item)
        else:
            yield item


def _first(item: t.Any) -> t.Any:
    """The first thing in ``item`` once arrays are opened, as Express looks
    at it to tell a path argument from middleware."""
    while isinstance(item, (list, tuple)) and item:
        item = item[0]
    return item


def parse_use(args: tuple[t.Any, ...]) -> tuple[tuple[Path, ...], list[Middleware]]:
    """Read ``use(...)`` as Express's ``app.use`` reads its arguments: an
    optional first argument that is not a function (a path, a compiled
    pattern, or an array of them), then middleware, or arrays of middleware
    nested at any depth. With paths and no middleware, the decorator form.
    """
    if not args:
        raise TypeError("use() needs at least one middleware function, or a path to decorate")
    items = list(args)
    paths: tuple[Path, ...] = ()
    first = items[0]
    if isinstance(first, (list, tuple)) and not list(_flat([first])):
        raise TypeError("use() got an empty array: it needs middleware functions or paths")
    if not callable(_first(first)):
        items.pop(0)
        found: list[Path] = []
        for where in _flat([first]):
            if isinstance(where, re.Pattern):
                found.append(where)
            elif isinstance(where, str):
                found.append(normalize_prefix(where))
            else:
                raise TypeError(
                    "use() takes a path, a compiled regular expression or an array of them "
                    f"before the middleware, got {where!r}"
                )
        paths = tuple(found)
    funcs = list(_flat(items))
    if not funcs and items:
        raise TypeError("use() got an empty array: it needs middleware functions")
    return paths, funcs


def register_use(target: list[Use], args: tuple[t.Any, ...]) -> t.Any:
    """Carry out ``use(*args)`` on the list ``target``; return the last
    function, or, for paths alone, a decorator that adds the function it
    decorates and returns it."""
    paths, funcs = parse_use(args)
    if not funcs:

        def decorator(func: Middleware) -> Middleware:
            target.append(Use(func, paths))
            return func

        return decorator
    uses = [Use(func, paths) for func in funcs]  # every one checked before any is added
    target.extend(uses)
    return funcs[-1]


def mount_pattern(url_prefix: str) -> re.Pattern[str]:
    """A pattern for the URL a blueprint is mounted at, route variables
    included: ``/<lang>/shop`` matches ``/en/shop``."""
    parts = re.split(r"(<[^>]*>)", url_prefix.rstrip("/"))
    pattern = "".join(
        ("(?:.+?)" if part.startswith("<path:") else "[^/]+")
        if part.startswith("<")
        else re.escape(part)
        for part in parts
    )
    return re.compile(pattern + r"(?=/|$)")


class _Outcome:
    __slots__ = ("done", "value")

    def __init__(self) -> None:
        self.done = False
        self.value: t.Any = None


class _Chain:
    """One run of a middleware chain and the view, for one request.

    A chain of plain functions runs as nested calls, as always. A chain with
    an ``async def`` middleware runs as one coroutine on the app's event loop
    (:meth:`FlaskExpress.async_to_sync`): async middleware are awaited there,
    sync ones called, and the view dispatched with :func:`dispatch` (an async
    view is awaited on the same loop).
    """

    __slots__ = ("app", "chain", "dispatch", "outcome", "req", "res", "view")

    def __init__(
        self,
        app: FlaskExpress,
        chain: Sequence[Use],
        req: Request,
        res: Response,
        view: Callable[[], t.Any],
        dispatch: Callable[[], Awaitable[t.Any]],
    ) -> None:
        self.app = app
        self.chain = chain
        self.req = req
        self.res = res
        self.view = view
        self.dispatch = dispatch
        self.outcome = _Outcome()

    def mark(self, use: Use, called: list[bool], error: BaseException | None) -> None:
        if error is not None and not isinstance(error, BaseException):
            raise TypeError(
                f"next() takes nothing or an exception (Express's next(err)), got {error!r}"
            )
        if called[0]:
            raise RuntimeError(f"next() was called twice by the middleware {use.name!r}")
        called[0] = True
        if error is not None:
            # Express's next(err): hand the error to the app's handlers.
            raise error

    def settle(self, use: Use, called: bool, rv: t.Any) -> None:
        """What a middleware that returned ``rv`` leaves for the chain."""
        if called or self.res.finished_by is not None:
            return
        if rv is not None:
            # Like a before_request function, a middleware may answer by
            # returning a response value instead of finishing res.
            self.outcome.value = rv
            self.outcome.done = True
            return
        raise TypeError(
            f"The middleware {use.name!r} neither called next() nor finished res. "
            "Call next() to go on, or answer with e.g. res.send_status(401).send(...)."
        )

    def step(self, index: int) -> None:
        """Run middleware ``index`` and, through its ``next()``, the rest."""
        if index == len(self.chain):
            self.outcome.value = self.view()
            self.outcome.done = True
            return
        use = self.chain[index]
        called = [False]
        if use.sync:

            def next_(error: BaseException | None = None) -> None:
                if error is not None or called[0]:
                    self.mark(use, called, error)
                called[0] = True
                self.step(index + 1)

            rv = use.func(self.req, self.res, next_)
        else:
            # From here on the chain is one coroutine on the app's loop.
            self.app._fx_run_async(self.step_async, index)
            return
        if not called[0]:  # settle's first test: a middleware that went on is done
            self.settle(use, False, rv)

    async def step_async(self, index: int) -> None:
        """:meth:`step` inside the coroutine of an async chain."""
        if index == len(self.chain):
            self.outcome.value = await self.dispatch()
            self.outcome.done = True
            return
        use = self.chain[index]
        called = [False]
        if use.sync:
            rest_is_sync = all(later.sync for later in self.chain[index + 1 :]) and not (
                self.app.view_is_async()
            )

            def next_(error: BaseException | None = None) -> None:
                self.mark(use, called, error)
                if rest_is_sync:
                    self.step(index + 1)
                else:
                    # A sync middleware between async ones cannot await the
                    # rest: run it on a loop of its own, as Flask would.
                    _run_in_a_thread(self.step_async, index + 1)

            rv = use.func(self.req, self.res, next_)
        else:
            # Not a coroutine function itself: the awaitable it returns is
            # the rest of the chain, one coroutine less per middleware.
            def next_async(error: BaseException | None = None) -> Awaitable[None]:
                if error is not None or called[0]:
                    self.mark(use, called, error)
                called[0] = True
                return self.step_async(index + 1)

            rv = await use.func(self.req, self.res, next_async)
        if not called[0]:  # settle's first test: a middleware that went on is done
            self.settle(use, False, rv)

    def run(self) -> t.Any:
        self.step(0)
        if self.outcome.done:
            return self.outcome.value
        if self.res.finished_by is not None:
            return self.res
        raise TypeError(
            "The middleware chain ended without a response: a middleware caught an "
            "exception from next() and did not finish res, or an async middleware called "
            "next() without awaiting it (write 'await next()')."
        )


def _run_in_a_thread(func: Callable[..., Awaitable[t.Any]], *args: t.Any) -> t.Any:
    """Run the coroutine function in a new thread, on that thread's loop,
    with a copy of this context, and wait: for the rare chain with a sync
    middleware between async ones, whose ``next()`` cannot await the rest on
    the loop that runs it. What the rest sets in the context comes back."""
    context = contextvars.copy_context()
    box: dict[str, t.Any] = {}

    def target() -> None:
        try:
            box["value"] = context.run(run_on_thread_loop, func, *args)
        except BaseException as e:  # re-raised in the caller's thread
            box["error"] = e

    thread = threading.Thread(target=target, name="fx-middleware")
    thread.start()
    thread.join()
    copy_back(context)
    if "error" in box:
        raise box["error"]
    return box["value"]


def run_chain(
    app: FlaskExpress,
    chain: Sequence[Use],
    req: Request,
    res: Response,
    view: Callable[[], t.Any],
    dispatch: Callable[[], Awaitable[t.Any]],
) -> t.Any:
    """Run ``chain`` then the view; return what Flask should turn into the
    response: the view's return value when it ran, else ``res``.

    :param app: the app; its ``async_to_sync`` runs async middleware.
    :param chain: the middleware that applies to this request, in order.
    :param req: the request.
    :param res: its response builder, shared by every middleware and the view.
    :param view: runs the view (Flask's own dispatch).
    :param dispatch: the same, as a coroutine, for async chains.
    """
    return _Chain(app, chain, req, res, view, dispatch).run()
