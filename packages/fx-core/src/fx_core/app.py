"""The app class and blueprints that accept ``(req, res)`` views."""

from __future__ import annotations

import inspect
import re
import typing as t
from functools import partial
from types import MethodType
from weakref import WeakKeyDictionary

import flask
from flask import has_request_context, request
from flask import typing as ft
from flask.testing import FlaskClient
from flask.views import MethodView
from werkzeug.test import TestResponse
from werkzeug.wrappers import Response as WerkzeugResponse

from .compose import compose_request
from .event_loop import ASYNC_LOOP, run_coroutine
from .http import check_field_value
from .middleware import Use, mount_pattern, register_use, run_chain
from .request import Request
from .response import Response
from .serving import stop_on_sigterm
from .sessions import SessionInterface
from .views import (
    adapt_view,
    guard_hidden_view,
    hidden_view,
    inner_view,
    response_of,
    takes_req_res,
)

if t.TYPE_CHECKING:
    from flask.sansio.app import App
    from flask.sansio.blueprints import BlueprintSetupState

__all__ = ["Blueprint", "FlaskExpress"]


_test_response_classes: WeakKeyDictionary[type[Response], type[TestResponse]] = WeakKeyDictionary()


def _test_response_class(response_class: type[Response]) -> type[TestResponse]:
    # The test client's responses use the app's response class, so readers
    # such as rv.get(header) keep working, but ``json`` must be Werkzeug's
    # parsed-body property again: every Flask test suite reads rv.json.
    try:
        return _test_response_classes[response_class]
    except KeyError:
        cls = _test_response_classes[response_class] = type(
            f"Test{response_class.__name__}",
            (TestResponse, response_class),
            {"json": WerkzeugResponse.json, "__module__": __name__},
        )
        return cls


_View = t.TypeVar("_View", bound=t.Callable[..., t.Any])

if t.TYPE_CHECKING:

    class _RouteTyping:
        # Flask types route decorators for views that return a response; a
        # (req, res) view may also finish res and return None, as in Express.
        def route(self, rule: str, **options: t.Any) -> t.Callable[[_View], _View]: ...
        def get(self, rule: str, **options: t.Any) -> t.Callable[[_View], _View]: ...
        def post(self, rule: str, **options: t.Any) -> t.Callable[[_View], _View]: ...
        def put(self, rule: str, **options: t.Any) -> t.Callable[[_View], _View]: ...
        def patch(self, rule: str, **options: t.Any) -> t.Callable[[_View], _View]: ...
        def delete(self, rule: str, **options: t.Any) -> t.Callable[[_View], _View]: ...

else:

    class _RouteTyping:
        pass


class _RequestClass:
    """``FlaskExpress.request_class``: the request class chosen for the app,
    with the readers of the pieces its response class composes.

    Read once per request, when Flask makes the request object; derived on
    each read (a cached lookup) so that a response class set after the app
    was created brings its readers too.
    """

    def __get__(self, app: FlaskExpress | None, owner: type[FlaskExpress]) -> type[flask.Request]:
        if app is None:
            return owner.request_class_base
        return compose_request(app.response_class, app.request_class_base)

    def __set__(self, app: FlaskExpress, value: type[flask.Request]) -> None:
        app.request_class_base = value


def _check_response_class(response_class: object) -> type[Response]:
    if not isinstance(response_class, type) or not issubclass(response_class, Response):
        raise TypeError(
            "FlaskExpress needs a response_class built on fx_core.Response "
            f"(e.g. compose(...)), got {response_class!r}"
        )
    return response_class


class FlaskExpress(_RouteTyping, flask.Flask):
    """A :class:`flask.Flask` app whose views may take ``(req, res)``.

    Everything Flask does keeps working: blueprints, app factories,
    ``flask run``, error handlers, ``before_request``, the CLI, config. A view
    whose first two parameters are named ``req``/``request`` and
    ``res``/``response`` gets the request and a fresh response builder::

        app = FlaskExpress(__name__)

        @app.get("/hello/<name>")
        def hello(req, res):
            res.send(f"Hello, {req.params.name}!")

    :param import_name: as for :class:`flask.Flask`.
    :param response_class: the response class for this app, built on
        :class:`fx_core.Response` (usually with :func:`fx_core.compose`).
        Defaults to the class attribute :attr:`response_class`.
    :param args: and ``kwargs``, passed to :class:`flask.Flask`.

    .. versionadded:: 1.0
    """

    if t.TYPE_CHECKING:
        request_class: type[flask.Request]
    else:
        request_class = _RequestClass()
    #: The request class the app builds on: Munch views (``req.query``,
    #: ``req.json``, ...). The app's :attr:`request_class` is this class
    #: with the request mixins of the pieces its :attr:`response_class`
    #: composes (:func:`fx_core.compose_request`); setting
    #: ``request_class``, on the app or in a subclass's body, sets this.
    request_class_base: type[flask.Request] = Request
    #: Flask's signed-cookie sessions, reading ``SECRET_KEY_FALLBACKS`` as
    #: :func:`fx_core.sessions.signing_keys` does: a ``str`` is one key.
    session_interface: flask.sessions.SessionInterface = SessionInterface()
    #: The response class: ``res`` in a view is one of these.
    response_class: type[flask.Response] = Response

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        given = cls.__dict__.get("request_class")
        if given is not None and not isinstance(given, _RequestClass):
            # ``request_class = MyRequest`` in a subclass's body chooses the
            # base; the readers of the pieces are still added to it.
            cls.request_class_base = given
            cls.request_class = _RequestClass()  # type: ignore[assignment]

    def __init__(
        self,
        import_name: str,
        *args: t.Any,
        response_class: type[Response] | None = None,
        **kwargs: t.Any,
    ) -> None:
        # Adapted (req, res) views by the function Flask stores; filled at
        # registration, read by ensure_sync on every request.
        self._fx_views: dict[t.Callable[..., t.Any], t.Callable[..., t.Any]] = {}
        # The registered views that are async def functions, plain or
        # (req, res): an async middleware chain awaits them on its loop.
        self._fx_async_views: set[t.Callable[..., t.Any]] = set()
        # app.use() middleware, in order.
        self._fx_middleware: list[Use] = []
        # Blueprint.use() middleware by the blueprint's registered name, with
        # the URL prefix it is mounted at.
        self._fx_blueprint_middleware: dict[str, tuple[re.Pattern[str], list[Use]]] = {}
        if response_class is not None:
            self.response_class = _check_response_class(response_class)
        else:
            _check_response_class(self.response_class)
        super().__init__(import_name, *args, **kwargs)

    def _register_view(self, view_func: t.Callable[..., t.Any]) -> None:
        if inspect.iscoroutinefunction(view_func):
            self._fx_async_views.add(view_func)
        if view_func not in self._fx_views:
            if takes_req_res(view_func):
                self._fx_views[view_func] = adapt_view(self, view_func)
                # Decorators that call the view they wrap through
                # current_app.ensure_sync (Flask-Caching) reach the inner one.
                inner = getattr(view_func, "__wrapped__", None)
                while inner is not None and inner not in self._fx_views:
                    if takes_req_res(inner):
                        self._fx_views[inner] = inner_view(self, inner)
                    inner = getattr(inner, "__wrapped__", None)
            else:
                hidden = hidden_view(view_func)
                if hidden is not None:
                    self._fx_views[view_func] = guard_hidden_view(self, view_func, hidden)
        view_class = getattr(view_func, "view_class", None)
        if isinstance(view_class, type) and issubclass(view_class, MethodView):
            # MethodView looks its handler up per request and passes the bound
            # method to ensure_sync, which finds the function inspected here.
            for method in view_class.methods or ():
                func = getattr(view_class, method.lower(), None)
                if func is not None and func not in self._fx_views and takes_req_res(func, 1):
                    self._fx_views[func] = adapt_view(self, func, method=True)

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Register a URL rule, as :meth:`flask.Flask.add_url_rule`; a
        ``(req, res)`` view is inspected here, once. Blueprints (Flask's or
        ours) register their routes through this method too."""
        if view_func is not None:
            self._register_view(view_func)
        super().add_url_rule(
            rule,
            endpoint,
            view_func,
            provide_automatic_options=provide_automatic_options,
            **options,
        )

    def endpoint(self, endpoint: str) -> t.Callable[[t.Any], t.Any]:
        """As :meth:`flask.Flask.endpoint`, accepting ``(req, res)`` views."""
        register = super().endpoint(endpoint)

        def decorator(f: t.Any) -> t.Any:
            self._register_view(f)
            return register(f)

        return decorator

    def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """Return the adapted callable for a ``(req, res)`` view; any other
        function goes through Flask's :meth:`~flask.Flask.ensure_sync`."""
        try:
            adapted = self._fx_views.get(func)
        except TypeError:  # an unhashable callable is never a registered view
            adapted = None
        if adapted is not None:
            return adapted
        # Flask calls this for every before_request function and context
        # processor too: an isinstance test, not a getattr that raises and
        # catches for each plain function.
        if isinstance(func, MethodType):  # a bound method: a MethodView handler
            adapted = self._fx_views.get(func.__func__)
            if adapted is not None:
                return partial(adapted, func.__self__)
        return super().ensure_sync(func)

    def use(self, *middleware: t.Any) -> t.Any:
        """Add middleware that runs before every view, in the order added,
        as Express's ``app.use``.

        A middleware is ``def mw(req, res, next)``: it calls ``next()`` to run
        the rest of the chain and the view (``next()`` returns when they are
        done, so code after it sees ``res`` as the view left it), or finishes
        ``res`` to answer without them. ``async def mw(req, res, next)``
        awaits ``next()``. An exception from the rest propagates out of
        ``next()``; uncaught, Flask's error handlers answer it, as they do
        for ``next(error)``. A middleware that neither calls ``next()`` nor
        finishes ``res`` (nor returns a response) is a :exc:`TypeError`.

        Middleware runs for every request in its scope, including paths with
        no route, after ``before_request`` functions and before blueprint
        middleware (:meth:`Blueprint.use`).

        :param middleware: what Express's ``app.use`` takes: middleware
            functions, or lists of them (nested lists are flattened, in
            order), optionally preceded by where they run: a path
            (``use("/admin", mw)`` runs ``mw`` for ``/admin`` and
            ``/admin/...``, not for ``/administrator``), a compiled regular
            expression searched in the path (``use(re.compile(r"^/v[0-9]+"),
            mw)``), or a list of paths and patterns (any one matches).
        :return: the last function given, so ``@app.use`` works as a
            decorator, as ``@app.before_request`` does; ``@app.use("/admin")``
            with only a path is the decorator form with a prefix.

        ::

            @app.use
            def timing(req, res, next):
                started = time.perf_counter()
                next()
                res.set("X-Response-Time", f"{time.perf_counter() - started:.4f}")

            def admins_only(req, res, next):
                if req.session.get("role") != "admin":
                    return res.send_status(401).send("admins only")
                next()

            app.use("/admin", admins_only)
        """
        self._check_setup_finished("use")
        return register_use(self._fx_middleware, middleware)

    def dispatch_request(self) -> ft.ResponseReturnValue:
        """Run the middleware that applies to this request, then the view,
        as :meth:`flask.Flask.dispatch_request` does."""
        if not self._fx_middleware and not self._fx_blueprint_middleware:
            if self._got_first_request and type(self).dispatch_request is _dispatch_request:
                # Once requests are served no middleware can be added (use()
                # and register_blueprint() are setup methods): from now on
                # Flask calls its own dispatch, one frame less per request.
                self.dispatch_request = super().dispatch_request  # type: ignore[method-assign]
            return super().dispatch_request()
        req = t.cast(Request, request._get_current_object())  # type: ignore[attr-defined]
        path = req.path
        chain = [use for use in self._fx_middleware if use.matches(path)]
        # req.blueprints walks the endpoint's name: skip it when no blueprint has any.
        for name in reversed(req.blueprints) if self._fx_blueprint_middleware else ():
            mounted = self._fx_blueprint_middleware.get(name)
            if mounted is not None:
                pattern, uses = mounted
                found = pattern.match(path)
                inner = path[found.end() :] if found else path
                chain.extend(use for use in uses if use.matches(inner or "/"))
        if not chain:
            return super().dispatch_request()
        res = response_of(req, self)
        return run_chain(self, chain, req, res, super().dispatch_request, self.dispatch_async)  # type: ignore[no-any-return]

    def view_is_async(self) -> bool:
        """Whether the view of the current request is an ``async def``
        function, plain or ``(req, res)``."""
        rule = request.url_rule
        func = None if rule is None else self.view_functions.get(rule.endpoint)
        return func is not None and func in self._fx_async_views

    async def dispatch_async(self) -> ft.ResponseReturnValue:
        """:meth:`flask.Flask.dispatch_request` as a coroutine, for a
        middleware chain that runs on the event loop: an async view, plain or
        ``(req, res)``, is awaited on the same loop instead of being run
        through :meth:`async_to_sync`; a sync view is called.
        """
        req = request._get_current_object()  # type: ignore[attr-defined]
        if req.routing_exception is not None:
            self.raise_routing_exception(req)
        rule = req.url_rule
        if getattr(rule, "provide_automatic_options", False) and req.method == "OPTIONS":
            return self.make_default_options_response()
        func = self.view_functions[rule.endpoint]
        view_args = req.view_args or {}
        adapted = self._fx_views.get(func)
        coroutine = getattr(adapted, "coroutine", None)
        if coroutine is not None:
            return await coroutine(**view_args)  # type: ignore[no-any-return]
        if adapted is None and inspect.iscoroutinefunction(func):
            return await func(**view_args)  # type: ignore[no-any-return]
        return self.ensure_sync(func)(**view_args)  # type: ignore[no-any-return]

    def async_to_sync(
        self, func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]]
    ) -> t.Callable[..., t.Any]:
        """Return a sync function that runs the coroutine function ``func``,
        as :meth:`flask.Flask.async_to_sync` does, on this worker thread's
        event loop, kept from request to request (see
        :mod:`fx_core.event_loop`): a few microseconds instead of a new loop
        and thread per call.

        Flask calls this for every ``async def`` view, error handler and
        ``before_request``/``after_request`` function; Flask-Express for
        ``(req, res)`` views and ``app.use`` middleware too. Flask's way is
        used when the app's ``FX_ASYNC_LOOP`` config is false (read on each
        call) or the thread already runs an event loop.

        .. versionadded:: 1.0
        """
        call = self._fx_call_async

        def run(*args: t.Any, **kwargs: t.Any) -> t.Any:
            return call(func, args, kwargs)

        run.__name__ = getattr(func, "__name__", "run")
        run.__qualname__ = getattr(func, "__qualname__", run.__name__)
        run.__doc__ = func.__doc__
        run.__wrapped__ = func  # type: ignore[attr-defined]
        return run

    def _fx_run_async(self, func: t.Callable[..., t.Any], *args: t.Any) -> t.Any:
        """``self.async_to_sync(func)(*args)``, without making the wrapper
        when this class's own async_to_sync is the one in use (an async
        middleware chain runs through here on every request)."""
        if type(self).async_to_sync is not _async_to_sync:
            return self.async_to_sync(func)(*args)
        return self._fx_call_async(func, args, {})

    def _fx_call_async(
        self, func: t.Callable[..., t.Any], args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
    ) -> t.Any:
        """What :meth:`async_to_sync`'s wrapper does: ``func(*args,
        **kwargs)`` on the thread's loop, or Flask's way when the app's
        ``FX_ASYNC_LOOP`` config (read on each call) is false."""
        if self.config.get(ASYNC_LOOP, True):
            return run_coroutine(func, args, kwargs, self._fx_flask_way)
        return self._fx_flask_way(func, *args, **kwargs)

    def _fx_flask_way(self, func: t.Callable[..., t.Any], *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Call ``func`` as :meth:`flask.Flask.async_to_sync` would."""
        return super().async_to_sync(func)(*args, **kwargs)

    def make_response(self, rv: ft.ResponseReturnValue) -> flask.Response:
        """Turn a view's return value into the response, as
        :meth:`flask.Flask.make_response` does.

        ``None`` is the request's ``res`` when the view finished it (Express
        views finish ``res`` and return nothing), so decorators that pass the
        view's return value to :func:`flask.make_response` work with such
        views; otherwise ``None`` is Flask's "did not return a valid
        response" error.

        A status text returned in a tuple (``return body, "200 OK"``) is
        checked first: Werkzeug writes it as it is, so a CR or LF from input
        would add a header on servers that do not check (Werkzeug's own,
        which :meth:`listen` runs). Such a text raises :exc:`ValueError`
        here, where the app's error handlers see it, instead of failing
        when the response is written.
        """
        if rv.__class__ is self.response_class:
            # What Flask does with its own response class, less its checks:
            # every (req, res) view's res comes through here.
            return rv
        if rv is None:
            # A decorator that calls make_response on what the view returned
            # (Flask-CORS, Flask-Caching) sees None from a view that finished
            # res and returned nothing, as Express views do.
            if has_request_context():
                current = request._get_current_object()
                res = current.__dict__.get("res")
                if res is not None and res.finished_by is not None:
                    return res
        elif type(rv) is tuple and len(rv) >= 2 and isinstance(rv[1], str):
            check_field_value(rv[1], "the status text a view returned")
        return super().make_response(rv)

    def test_client(self, use_cookies: bool = True, **kwargs: t.Any) -> FlaskClient:
        """As :meth:`flask.Flask.test_client`. Its responses are built on the
        app's response class (so ``rv.get("X-Header")`` works), with ``json``
        restored to Werkzeug's parsed body: ``client.get("/").json``."""
        cls = self.test_client_class or FlaskClient
        return cls(
            self,
            _test_response_class(_check_response_class(self.response_class)),
            use_cookies=use_cookies,
            **kwargs,
        )

    def listen(
        self,
        port: int | None = None,
        host: str | None = None,
        debug: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Run the development server, as Express's ``app.listen``.

        Blocks until the process is stopped; Ctrl-C or SIGTERM stops it
        cleanly. Like :meth:`flask.Flask.run`, it is for development, not
        production (use gunicorn or waitress there).

        :param port: the port; default 5000 (or ``SERVER_NAME``'s).
        :param host: the interface; default ``127.0.0.1``.
        :param debug: debug mode, with the reloader unless
            ``use_reloader=False`` is given.
        :param options: passed to :func:`werkzeug.serving.run_simple`.

        ::

            if __name__ == "__main__":
                app.listen(3000)
        """
        restore = stop_on_sigterm()
        try:
            self.run(host=host, port=port, debug=debug, **options)
        finally:
            restore()


_dispatch_request = FlaskExpress.dispatch_request
_async_to_sync = FlaskExpress.async_to_sync


class Blueprint(_RouteTyping, flask.Blueprint):
    """A :class:`flask.Blueprint` for ``(req, res)`` views.

    A plain ``flask.Blueprint`` registered on a :class:`FlaskExpress` app
    takes ``(req, res)`` views too; this class also refuses, with a clear
    error, to be registered on an app that cannot call them.

    .. versionadded:: 1.0
    """

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._fx_middleware: list[Use] = []

    def use(self, *middleware: t.Any) -> t.Any:
        """Add middleware for this blueprint's routes, as :meth:`FlaskExpress.use`
        (decorator forms included).

        It runs after the app's middleware and that of enclosing blueprints.
        A path is relative to where the blueprint is mounted:
        ``bp.use("/reports", mw)`` on a blueprint at ``/admin`` runs ``mw``
        for ``/admin/reports/...``.
        """
        self._check_setup_finished("use")
        return register_use(self._fx_middleware, middleware)

    def make_setup_state(
        self, app: App, options: dict[str, t.Any], first_registration: bool = False
    ) -> BlueprintSetupState:
        state = super().make_setup_state(app, options, first_registration)
        if self._fx_middleware and isinstance(app, FlaskExpress):
            name = f"{state.name_prefix}.{state.name}".lstrip(".")
            pattern = mount_pattern(state.url_prefix or "")
            app._fx_blueprint_middleware[name] = (pattern, self._fx_middleware)
        return state

    def register(self, app: App, options: dict[str, t.Any]) -> None:
        if not isinstance(app, FlaskExpress):
            raise TypeError(
                f"Blueprint {self.name!r} holds (req, res) views: register it on a "
                f"FlaskExpress app, not on {type(app).__name__}"
            )
        super().register(app, options)
