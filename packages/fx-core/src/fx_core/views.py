"""The ``(req, res)`` view adapter.

A view whose first two parameters are named ``req``/``request`` and
``res``/``response`` is called with the request and its response builder.
The decision is made once, when the view is registered; the adapted callable
does no inspection per request.
"""

from __future__ import annotations

import inspect
import typing as t

from flask import request

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "adapt_view",
    "guard_hidden_view",
    "hidden_view",
    "inner_view",
    "response_of",
    "takes_req_res",
]

_REQ_NAMES = frozenset({"req", "request"})
_RES_NAMES = frozenset({"res", "response"})
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def takes_req_res(func: t.Callable[..., t.Any], skip: int = 0) -> bool:
    """Whether ``func``'s first two parameters are ``(req, res)``.

    :param func: a view function.
    :param skip: leading parameters not counted, e.g. ``1`` for the
        ``self`` of a method looked up on its class.
    """
    try:
        params = list(inspect.signature(func).parameters.values())[skip:]
    except (TypeError, ValueError):  # builtins and other callables with no signature
        return False
    return (
        len(params) >= 2
        and params[0].kind in _POSITIONAL
        and params[1].kind in _POSITIONAL
        and params[0].name in _REQ_NAMES
        and params[1].name in _RES_NAMES
    )


def route_parameters(func: t.Callable[..., t.Any], skip: int = 0) -> frozenset[str] | None:
    """The keyword parameters ``func`` accepts after ``(req, res)``, or
    ``None`` when it takes ``**kwargs`` (and so every route variable)."""
    names = []
    for param in list(inspect.signature(func).parameters.values())[skip + 2 :]:
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            return None
        if param.kind is not inspect.Parameter.VAR_POSITIONAL:
            names.append(param.name)
    return frozenset(names)


def view_name(func: t.Callable[..., t.Any]) -> str:
    """A name for messages: ``module.qualname`` of the function."""
    module = getattr(func, "__module__", None)
    qualname = getattr(func, "__qualname__", None) or repr(func)
    return f"{module}.{qualname}" if module else qualname


def response_of(req: t.Any, app: Flask) -> t.Any:
    """Return ``req.res``, making it from ``app`` on first use.

    What the ``Request.res`` property does, without its ``current_app``
    lookup: the view adapter and the middleware dispatch have the app at
    hand, and whichever runs first makes the one ``res`` of the request.
    """
    res = req.__dict__.get("res")
    if res is None:
        res = req.__dict__["res"] = app.response_class.for_request(app)  # type: ignore[attr-defined]
    return res


def adapt_view(
    app: Flask, func: t.Callable[..., t.Any], method: bool = False
) -> t.Callable[..., t.Any]:
    """Return a callable that Flask can call with the route's keyword
    arguments, and that calls ``func(req, res, **kwargs)``.

    Route variables go to the parameters of the same name; those the view
    does not declare are left out (they are in ``req.params``), so
    ``def user(req, res)`` serves ``/users/<int:id>``.

    An ``async def`` view is run through ``app.async_to_sync``, as Flask runs
    its own async views. A view that returns ``None`` gets its ``res`` back
    when it finished it, and a :exc:`TypeError` naming it otherwise.

    :param app: the app whose ``async_to_sync`` runs coroutine views.
    :param func: the ``(req, res)`` view.
    :param method: ``func`` is a method looked up on its class, such as
        ``MethodView.get``: the returned callable then takes the instance
        first, ``call(self, **kwargs)``.
    """
    is_async = inspect.iscoroutinefunction(func)
    run = app.async_to_sync(func) if is_async else func
    name = view_name(func)
    accepted = route_parameters(func, skip=1 if method else 0)

    def finished(rv: t.Any, res: t.Any) -> t.Any:
        if rv is None:
            if res.finished_by is not None:
                return res
            raise TypeError(
                f"The view function {name!r} returned None and did not finish res. "
                "Return a response (e.g. 'return res.send(...)') or call a terminal "
                "method such as res.send(), res.json() or res.end()."
            )
        return rv

    get_request = request._get_current_object  # type: ignore[attr-defined]

    def call(*bound: t.Any, **kwargs: t.Any) -> t.Any:
        # Every sync (req, res) view runs through here: response_of and
        # finished are inlined, one frame each less per request.
        req = get_request()
        res = req.__dict__.get("res")
        if res is None:
            res = req.__dict__["res"] = app.response_class.for_request(app)  # type: ignore[attr-defined]
        if accepted is not None and kwargs:
            kwargs = {key: value for key, value in kwargs.items() if key in accepted}
        rv = run(*bound, req, res, **kwargs)
        if rv is None:
            return finished(rv, res)
        return rv

    if is_async:
        # The same call, awaited on a loop that already runs: the dispatch of
        # an async middleware chain awaits the view there.
        async def coroutine(*bound: t.Any, **kwargs: t.Any) -> t.Any:
            req = request._get_current_object()  # type: ignore[attr-defined]
            res = response_of(req, app)
            if accepted is not None and kwargs:
                kwargs = {key: value for key, value in kwargs.items() if key in accepted}
            return finished(await func(*bound, req, res, **kwargs), res)

        call.coroutine = coroutine  # type: ignore[attr-defined]

    call.__name__ = getattr(func, "__name__", "view")
    call.__qualname__ = getattr(func, "__qualname__", call.__name__)
    call.__doc__ = func.__doc__
    call.__wrapped__ = func  # type: ignore[attr-defined]
    return call


def hidden_view(func: t.Callable[..., t.Any], depth: int = 3) -> t.Callable[..., t.Any] | None:
    """The ``(req, res)`` view that ``func`` wraps without showing it, or
    ``None``.

    A decorator written without :func:`functools.wraps` returns a
    ``wrapper(*args, **kwargs)`` that hides the view's parameters, so the
    view is called as a plain Flask view and fails on every request with
    "missing 2 required positional arguments: 'req' and 'res'". The view is
    still in the wrapper's closure: found there (``depth`` decorators deep),
    it lets :func:`guard_hidden_view` say what happened. Only called when a
    view is registered.
    """
    seen: set[int] = set()
    todo = [(func, 0)]
    while todo:
        current, level = todo.pop()
        for cell in getattr(current, "__closure__", None) or ():
            try:
                inner = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if not callable(inner) or id(inner) in seen:
                continue
            seen.add(id(inner))
            if takes_req_res(inner):
                return inner  # type: ignore[no-any-return]
            if level + 1 < depth:
                todo.append((inner, level + 1))
    return None


def guard_hidden_view(
    app: Flask, func: t.Callable[..., t.Any], view: t.Callable[..., t.Any]
) -> t.Callable[..., t.Any]:
    """Return ``func`` (a plain view that wraps the ``(req, res)`` ``view``
    without showing it), called as Flask would, with the ``TypeError`` of a
    missing ``req`` and ``res`` replaced by one that says why and how to fix
    it. Any other error passes through unchanged.
    """
    run = app.async_to_sync(func) if inspect.iscoroutinefunction(func) else func
    name = view_name(view)

    def call(*args: t.Any, **kwargs: t.Any) -> t.Any:
        try:
            return run(*args, **kwargs)
        except TypeError as e:
            message = str(e)
            if "() missing" not in message or not any(
                f"'{param}'" in message for param in (*_REQ_NAMES, *_RES_NAMES)
            ):
                raise
            # The view's own frame never starts when its arguments are
            # missing; an error raised inside it is the view's own.
            tb = e.__traceback__
            while tb is not None:
                if tb.tb_frame.f_code is getattr(view, "__code__", None):
                    raise
                tb = tb.tb_next
            raise TypeError(
                f"The view {name!r} takes (req, res), but a decorator wrapped it in a "
                f"function that hides those parameters ({view_name(func)}), so Flask "
                "called it as a plain view, with no req and res. Decorate that inner "
                "function with @functools.wraps(view) so the parameters show through, "
                "as every decorator of a Flask view should."
            ) from e

    call.__name__ = getattr(func, "__name__", "view")
    call.__qualname__ = getattr(func, "__qualname__", call.__name__)
    call.__doc__ = func.__doc__
    return call


def inner_view(app: Flask, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    """Return what ``app.ensure_sync`` gives for ``func``, a ``(req, res)``
    view that a decorator wraps (``func`` is in the ``__wrapped__`` chain of
    the registered view) and calls through ``current_app.ensure_sync``, as
    Flask-Caching does: ``func`` called with the arguments the decorator
    passes (``req`` and ``res`` among them), an ``async def`` one run on the
    app's loop, and ``None`` turned into the finished ``res``, so that the
    decorator sees (and may cache) the response.
    """
    run = app.async_to_sync(func) if inspect.iscoroutinefunction(func) else func

    def call(*args: t.Any, **kwargs: t.Any) -> t.Any:
        rv = run(*args, **kwargs)
        if rv is None:
            req = request._get_current_object()  # type: ignore[attr-defined]
            res = req.__dict__.get("res")
            if res is not None and res.finished_by is not None:
                return res
        return rv

    call.__name__ = getattr(func, "__name__", "view")
    call.__qualname__ = getattr(func, "__qualname__", call.__name__)
    call.__doc__ = func.__doc__
    call.__wrapped__ = func  # type: ignore[attr-defined]
    return call
