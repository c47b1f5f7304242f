"""Express-style middleware: ``def middleware(req, res, next)``.

Middleware registered with ``app.use`` (and ``Blueprint.use``) runs in order
before the view. Each one calls ``next()`` to run the rest of the chain and
the view, or finishes ``res`` to answer without them. ``next()`` returns when
the rest is done, so code after it sees ``res`` as the view left it; an
exception from the rest propagates out of ``next()``.
"""

from __future__ import annotations

import inspect
import re
import typing as t
from collections.abc import Callable, Sequence

from asgiref.sync import async_to_sync, sync_to_async

from .views import view_name

if t.TYPE_CHECKING:
    from .request import Request
    from .response import Response

__all__ = ["Middleware", "Use", "mount_pattern", "parse_use", "register_use", "run_chain"]

#: ``def middleware(req, res, next)``, or ``async def`` with ``await next()``.
Middleware = Callable[..., t.Any]


def normalize_prefix(path: str) -> str:
    """``"/admin/"`` -> ``"/admin"``; ``"/"`` -> ``""`` (every path)."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(f"a middleware path must start with '/', got {path!r}")
    return path.rstrip("/")


class Use:
    """One middleware function, with the path prefix it is limited to."""

    __slots__ = ("func", "name", "prefix", "run", "sync")

    def __init__(self, func: Middleware, prefix: str = "") -> None:
        if not callable(func):
            raise TypeError(f"use() takes middleware functions, got {func!r}")
        #: The middleware as it was given.
        self.func = func
        #: Its name, for messages.
        self.name = view_name(func)
        #: Whole-segment path prefix; ``""`` matches every path.
        self.prefix = prefix
        #: Whether it is a plain function (``next()``) or a coroutine
        #: function (``await next()``).
        self.sync = not inspect.iscoroutinefunction(func)
        #: What calls it from sync code (asgiref, as Flask runs async views).
        self.run: Middleware = func if self.sync else async_to_sync(func)

    def matches(self, path: str) -> bool:
        """Whether ``path`` is the prefix or below it, by whole segments:
        ``/admin`` matches ``/admin`` and ``/admin/users``, not ``/administrator``."""
        prefix = self.prefix
        return not prefix or path == prefix or path.startswith(prefix + "/")


def parse_use(args: tuple[t.Any, ...]) -> tuple[str, list[Middleware]]:
    """Read ``use(middleware, ...)`` or ``use("/prefix", middleware, ...)``
    into the prefix and the functions (none: the decorator form)."""
    prefix = ""
    funcs = list(args)
    if funcs and isinstance(funcs[0], str):
        prefix = normalize_prefix(funcs.pop(0))
    elif not funcs:
        raise TypeError("use() needs at least one middleware function, or a path to decorate")
    return prefix, funcs


def register_use(target: list[Use], args: tuple[t.Any, ...]) -> t.Any:
    """Carry out ``use(*args)`` on the list ``target``; return the last
    function, or, for ``use("/prefix")`` alone, a decorator that adds the
    function it decorates and returns it."""
    prefix, funcs = parse_use(args)
    if not funcs:

        def decorator(func: Middleware) -> Middleware:
            target.append(Use(func, prefix))
            return func

        return decorator
    uses = [Use(func, prefix) for func in funcs]  # every one checked before any is added
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


def run_chain(
    chain: Sequence[Use], req: Request, res: Response, view: Callable[[], t.Any]
) -> t.Any:
    """Run ``chain`` then ``view``; return what Flask should turn into the
    response: the view's return value when it ran, else ``res``.

    :param chain: the middleware that applies to this request, in order.
    :param req: the request.
    :param res: its response builder, shared by every middleware and the view.
    :param view: runs the view (Flask's own dispatch).
    """
    outcome = _Outcome()

    def step(index: int) -> None:
        if index == len(chain):
            outcome.value = view()
            outcome.done = True
            return
        use = chain[index]
        called = False

        def mark_called(error: BaseException | None) -> None:
            nonlocal called
            if error is not None and not isinstance(error, BaseException):
                raise TypeError(
                    f"next() takes nothing or an exception (Express's next(err)), got {error!r}"
                )
            if called:
                raise RuntimeError(f"next() was called twice by the middleware {use.name!r}")
            called = True
            if error is not None:
                # Express's next(err): hand the error to the app's handlers.
                raise error

        if use.sync:

            def next_(error: BaseException | None = None) -> None:
                mark_called(error)
                step(index + 1)

            rv = use.run(req, res, next_)
        else:
            rest = sync_to_async(step, thread_sensitive=True)

            async def next_async(error: BaseException | None = None) -> None:
                mark_called(error)
                await rest(index + 1)

            rv = use.run(req, res, next_async)

        if called or res.finished_by is not None:
            return
        if rv is not None:
            # Like a before_request function, a middleware may answer by
            # returning a response value instead of finishing res.
            outcome.value = rv
            outcome.done = True
            return
        raise TypeError(
            f"The middleware {use.name!r} neither called next() nor finished res. "
            "Call next() to go on, or answer with e.g. res.send_status(401).send(...)."
        )

    step(0)
    if outcome.done:
        return outcome.value
    if res.finished_by is not None:
        return res
    raise TypeError(
        "The middleware chain ended without a response: a middleware caught an "
        "exception from next() and did not finish res."
    )
