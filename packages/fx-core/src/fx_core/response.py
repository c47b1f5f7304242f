"""The response builder: ``res`` in a ``(req, res)`` view."""

from __future__ import annotations

import inspect
import sys
import typing as t
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from html import escape
from http import HTTPStatus
from types import GeneratorType

from flask import current_app, request, stream_with_context
from flask.wrappers import Request as FlaskRequest
from flask.wrappers import Response as FlaskResponse
from munch import Munch
from werkzeug.datastructures import Headers
from werkzeug.utils import get_content_type

from .content_types import mimetype_for
from .exceptions import ResponseAlreadySent
from .formats import choose_format
from .headers import (
    HeaderValue,
    ResponseHeaders,
    check_location,
    header_name,
    header_pairs,
    header_value,
    header_values,
    link_entries,
    local_target,
)
from .http import check_field_value, check_status, http_exception, is_fresh
from .json import json_text, jsonp_body, jsonp_callback, one_json_value
from .pieces import missing_names
from .status import Status

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment
    from flask import Flask

    if sys.version_info >= (3, 11):
        from typing import Self
    else:
        from typing_extensions import Self

__all__ = ["HeaderValue", "Response", "Status"]


_JSONABLE = (dict, list, tuple, int, float)  # bool is an int; Munch is a dict


class Response(FlaskResponse):
    """Flask's response class, with Express's response builder methods.

    In a ``(req, res)`` view, ``res`` is a fresh instance of the app's
    response class for this request. Build the answer on it and either
    return it or just finish it::

        @app.get("/users/<int:id>")
        def user(req, res):
            res.set("X-Request-Id", req.get("X-Request-Id") or "none")
            return res.send_status(200).json({"id": req.params.id})

    Chainable methods (``set``, ``append``, ``type``, ``links``,
    ``send_status``, ...) return ``self``. Terminal methods (``send``,
    ``json``, ``jsonp``, ``format``, ``end``, ``redirect`` and those of the
    optional pieces) finish the response and also return ``self``; a second
    terminal call raises :exc:`~fx_core.ResponseAlreadySent`. A terminal
    method that raises leaves the response unfinished and unchanged.

    Werkzeug's names keep their meaning: ``res.status`` is the status string
    (which can also be called, as Express's ``res.status(404)``; see
    :class:`Status`), ``res.vary`` the Vary header set, ``res.location`` the Location header.
    ``json`` is a method here; the test client restores Werkzeug's parsed
    ``json`` property on the responses it returns.

    Methods of pieces that are not composed (``render``, ``attachment``,
    ``cookie``, ``flash``, ...) raise :exc:`~fx_core.MissingFeature` naming
    the distribution to install.

    .. versionadded:: 1.0
    """

    #: The name of the terminal method that finished this response, or
    #: ``None`` while it is still open.
    finished_by: str | None = None

    #: The request mixin that a piece's response mixin brings along: a
    #: subclass of :class:`fx_core.Request` that adds the piece's readers
    #: (fx-flash's ``req.flashes()``). An app whose response class composes
    #: the mixin gets a request class with it, with no ``request_class``
    #: argument (see :func:`fx_core.compose_request`). Part of the piece API.
    #:
    #: .. versionadded:: 1.0
    request_mixin: t.ClassVar[type[FlaskRequest] | None] = None

    #: The app a builder was made for (see :meth:`for_request`); read
    #: instead of the ``current_app`` proxy, which costs a context lookup.
    _fx_app: Flask | None = None

    @property
    def app(self) -> Flask:
        """The app this response belongs to, as Express's ``res.app``: the
        one it was made for (:meth:`for_request`), else ``current_app``.

        Terminal methods read the app's config and JSON provider from here,
        on every call; so do pieces. Part of the piece API.

        ::

            res.app.config["FX_ETAG"]

        .. versionadded:: 1.0
        """
        return self._fx_app or current_app._get_current_object()  # type: ignore[attr-defined]

    def __getstate__(self) -> dict[str, t.Any]:
        # The app is no part of the response: Flask-Caching and other caches
        # pickle a view's response, and the app (its config, its views)
        # cannot be pickled. An unpickled response reads current_app.
        state = self.__dict__.copy()
        state.pop("_fx_app", None)
        return state

    @property
    def max_cookie_size(self) -> int:  # type: ignore[override]
        """The app's ``MAX_COOKIE_SIZE`` config, read on each use, as
        :attr:`flask.Response.max_cookie_size`; a builder reads it from its
        own app instead of through the ``current_app`` proxy."""
        app = self._fx_app
        if app is not None:
            return app.config["MAX_COOKIE_SIZE"]  # type: ignore[no-any-return]
        return super().max_cookie_size

    @classmethod
    def for_request(cls, app: Flask | None = None) -> Self:
        """Create the builder that a ``(req, res)`` view receives.

        Unlike a response made with ``cls()``, it starts with no
        ``Content-Type``, so the terminal methods can tell a type the view
        chose from the default they should pick. Flask-Express calls this
        once per request (see ``req.res``); there is rarely a reason to call
        it yourself.

        :param app: the app of the request, kept so the terminal methods read
            its config and JSON provider without the ``current_app`` proxy.
        """
        res = cls.__new__(cls)
        # An instance attribute, read by Werkzeug's __init__: no default
        # Content-Type header, so none has to be removed afterwards.
        res.default_mimetype = None
        res._fx_app = app
        cls.__init__(res, headers=ResponseHeaders())
        return res

    @cached_property
    def locals(self) -> Munch:
        """A per-response :class:`~munch.Munch` for values that templates
        rendered by ``res.render`` (fx-render) see, as Express's
        ``res.locals``::

            res.locals.user = current_user
            return res.render("profile.html")
        """
        return Munch()

    def locals_copy(self) -> dict[str, t.Any]:
        """Return a plain ``dict`` copy of :attr:`locals`, without making the
        Munch when the view never used it (one less object per request).
        What a piece that renders, such as fx-render, merges into its
        context. Part of the piece API.

        ::

            context = {**res.locals_copy(), **variables}

        .. versionadded:: 1.0
        """
        found = self.__dict__.get("locals")
        return {} if found is None else dict(found)

    # -- status --------------------------------------------------------------

    @property
    def status(self) -> Status[Self]:
        """The status string, as Werkzeug's (``"200 OK"``); also callable as
        Express's ``res.status(code)``, which sets the code and returns
        ``res``::

            return res.status(201).json(created)
            res.status == "201 CREATED"  # True

        Assign an ``int``, a :class:`~http.HTTPStatus` or a full status
        string to set it, as on any Werkzeug response. See :class:`Status`.
        """
        # Made on each read, never stored: a stored one would point back to
        # the response, a cycle only the garbage collector frees.
        status: Status[Self] = Status(self._status)
        status._res = self
        return status

    @status.setter
    def status(self, value: int | str | HTTPStatus) -> None:
        # Werkzeug's setter, inlined: status_code's setter and __init__ go
        # through here on every response.
        self._status, self._status_code = self._clean_status(value)

    def get_wsgi_response(
        self, environ: WSGIEnvironment
    ) -> tuple[Iterable[bytes], str, list[tuple[str, str]]]:
        """Werkzeug's :meth:`~werkzeug.wrappers.Response.get_wsgi_response`:
        ``(app_iter, status, headers)``, with the status as a plain ``str``.
        """
        # Werkzeug's body, reading the stored string: WSGI servers get an
        # exact ``str`` (wsgiref asserts ``type(status) is str``), and no
        # Status is made per request.
        headers = self.get_wsgi_headers(environ)
        app_iter = self.get_app_iter(environ)
        return app_iter, self._status, headers.to_wsgi_list()

    def send_status(self, code: int) -> Self:
        """Set the status code; chainable.

        :param code: an ``int`` from 100 to 999. Other types raise
            :exc:`TypeError`, other numbers :exc:`ValueError`.

        ::

            return res.send_status(201).json(created)
        """
        self.status_code = check_status(code, "send_status")
        return self

    #: Alias of :meth:`send_status`.
    set_status = send_status
    #: Express-style alias of :meth:`send_status`.
    sendStatus = send_status

    # -- headers -------------------------------------------------------------

    def set(
        self,
        field: str | Mapping[str, t.Any] | Headers,
        value: HeaderValue | Iterable[HeaderValue] | None = None,
    ) -> Self:
        """Set one header, or several from a mapping or :class:`Headers`,
        replacing any value it had; chainable.

        :param field: a header name, or a mapping / ``Headers`` of them.
        :param value: the value; a list sets the header once per item.
            Values are stored verbatim (``"text/plain"`` gets no charset).

        A CR or LF in a name or value raises :exc:`ValueError`, as does a
        name that is not an RFC 9110 token or a value holding a character
        no header can carry to the client: another control character
        (NUL, ESC, DEL, ...; a tab is fine) or one beyond U+00FF (``"€"``),
        which WSGI servers cannot write as Latin-1 (gunicorn answers 500).
        Nothing is changed when any pair is invalid.

        ::

            res.set("Cache-Control", "no-store")
            res.set({"X-A": "1", "X-B": ["2", "3"]})
        """
        if isinstance(field, str):
            if value is None:
                raise TypeError(f"res.set({field!r}) needs a value")
            if type(value) is str:  # the usual call: one name, one text
                key = header_name(field)
                self.headers.set(key, header_value(key, value))
                return self
            pairs = [header_values(field, value)]
        else:
            if value is not None:
                raise TypeError("res.set(mapping) takes no second argument")
            grouped: dict[str, tuple[str, list[str]]] = {}
            for name, item in header_pairs(field):
                key, values = header_values(name, item)
                grouped.setdefault(key.lower(), (key, []))[1].extend(values)
            pairs = list(grouped.values())
        for key, values in pairs:
            self.headers.setlist(key, values)
        return self

    def append(self, field: str, value: HeaderValue | Iterable[HeaderValue]) -> Self:
        """Add a header value, keeping the values it already has; chainable.

        :param field: the header name.
        :param value: one value, or a list of values to add in order.

        Names and values are checked as for :meth:`set` (:exc:`ValueError`
        for CR, LF, other control characters and characters beyond U+00FF),
        before anything is added.

        ::

            res.append("Link", "</a.css>; rel=preload")
            res.append("Warning", ["199 Misc", "299 Other"])
        """
        key, values = header_values(field, value)
        for item in values:
            self.headers.add(key, item)
        return self

    def get(self, field: str) -> str | None:
        """Return the value of a response header, or ``None``.

        :param field: the header name, in any case.

        ::

            res.type("json")
            res.get("content-type")  # "application/json"
        """
        return self.headers.get(field)

    def type(self, type_: str) -> Self:
        """Set ``Content-Type`` from a MIME type or a file extension; chainable.

        :param type_: a MIME type (``"application/json"``) kept as given, or an
            extension with or without its dot (``"html"``, ``".png"``,
            ``"js"``). Text types get ``; charset=utf-8``; ``js`` is
            ``text/javascript`` (RFC 9239); an unknown extension gives
            ``application/octet-stream``.

        ::

            res.type("html")   # text/html; charset=utf-8
            res.type(".png")   # image/png
        """
        if not isinstance(type_, str):
            raise TypeError(f"res.type() takes a str, got {type(type_).__name__}")
        if not type_:
            raise ValueError("res.type() needs a MIME type or an extension")
        mimetype = mimetype_for(type_) or "application/octet-stream"
        if ";" not in mimetype:
            mimetype = get_content_type(mimetype, "utf-8")
        self.headers["Content-Type"] = header_value("Content-Type", mimetype)
        return self

    def links(self, links: Mapping[str, str | Iterable[str]]) -> Self:
        """Add entries to the ``Link`` header, as Express's ``res.links``;
        chainable.

        Each entry is ``<url>; rel="name"``; entries are joined by ``, `` in
        one ``Link`` header, after the value it already had, so a later call
        (or a ``Link`` set before) keeps the earlier entries.

        :param links: a mapping of rel name to URL; a list or tuple of URLs
            gives one entry per URL, in order. A CR, LF or NUL anywhere, a
            ``<`` or ``>`` in a URL, or a ``"`` or ``\\`` in a name raises
            :exc:`ValueError` and changes nothing, as does any character
            a header value cannot hold (another control character, or one
            beyond U+00FF: percent-encode such URLs first).

        ::

            res.links({
                "next": "https://api.example.com/users?page=3",
                "last": "https://api.example.com/users?page=5",
            })
            # Link: <https://api.example.com/users?page=3>; rel="next",
            #       <https://api.example.com/users?page=5>; rel="last"
        """
        entries = link_entries(links)
        if entries:
            value = ", ".join([*self.headers.getlist("Link"), *entries])
            self.headers["Link"] = value
        return self

    # -- terminal methods ----------------------------------------------------

    # -- the piece API: what every terminal method is made of -----------------
    #
    # A terminal method, here or in a piece, calls check_open(name) first,
    # then validates and prepares everything that can fail, and only then
    # changes ``self`` (set_body, apply_etag) and returns finish(name): a
    # call that raises leaves the response unchanged. The docs' "Writing a
    # piece" page shows one.

    def check_open(self, method: str) -> None:
        """Raise :exc:`~fx_core.ResponseAlreadySent` if a terminal method
        already finished this response. Part of the piece API: the first
        line of every terminal method.

        :param method: the name of the method being called, for the message.

        ::

            def sse(self, events):
                self.check_open("sse")
                ...

        .. versionadded:: 1.0
        """
        if self.finished_by is not None:
            raise ResponseAlreadySent(
                f"res.{method}() was called, but res.{self.finished_by}() already "
                "sent this response"
            )

    def finish(self, method: str) -> Self:
        """Mark the response finished by ``method`` (:attr:`finished_by`) and
        return it. Part of the piece API: the last line of every terminal
        method, so that ``return res.x(...)`` works and a second terminal
        call raises.

        :param method: the name of the terminal method.

        ::

            return self.finish("sse")

        .. versionadded:: 1.0
        """
        self.finished_by = method
        return self

    def set_body(self, body: str | bytes, default_type: str) -> None:
        """Set the body, and ``Content-Type`` to ``default_type`` unless the
        view set one before (which is kept, as in Express). Part of the
        piece API.

        :param body: the whole body; a ``str`` is encoded as UTF-8.
        :param default_type: the full ``Content-Type`` to use when none was
            set, e.g. ``"text/html; charset=utf-8"``.

        ::

            self.set_body(html, "text/html; charset=utf-8")

        .. versionadded:: 1.0
        """
        if "Content-Type" not in self.headers:
            self.headers["Content-Type"] = default_type
        self.set_data(body)

    def apply_etag(self) -> None:
        """Add a weak ETag and answer a fresh request with 304, when the
        app's ``FX_ETAG`` config is true (off by default). Part of the piece
        API: a terminal method calls it once the body is set, before
        :meth:`finish`.

        ``W/"<SHA-1 of the body>"`` is added unless the view set an
        ``ETag``. A GET or HEAD whose ``If-None-Match`` matches it (or whose
        ``If-Modified-Since`` is not older than a ``Last-Modified`` the view
        set), on a 2xx response, gets ``304 Not Modified`` with no body, as
        Express's ``req.fresh`` decides. A request with ``Cache-Control:
        no-cache`` always gets the full answer. With ``FX_ETAG`` off it
        costs one config lookup.

        ::

            self.set_body(html, "text/html; charset=utf-8")
            self.apply_etag()
            return self.finish("render")

        .. versionadded:: 1.0
        """
        if not self.app.config.get("FX_ETAG", False):
            return
        self.add_etag(weak=True)
        if is_fresh(request.method, request.headers, self.status_code, self.headers):
            self.status_code = 304
            self.set_data(b"")
            # Representation headers describe a body that is not sent.
            for name in ("Content-Type", "Content-Length", "Transfer-Encoding"):
                self.headers.pop(name, None)

    def send(self, body: t.Any = None) -> Self:
        """Send the body; terminal.

        :param body: decided in this order: ``None`` sends an empty body;
            ``str`` is sent as ``text/html; charset=utf-8``; ``bytes``,
            ``bytearray`` and ``memoryview`` as ``application/octet-stream``;
            JSON-able values (``dict``, ``list``, ``tuple``, Munch, ``int``,
            ``float``, ``bool``) go through :meth:`json`; any other iterator
            or generator is streamed as the body (its ``str`` items encoded
            as UTF-8), ``text/html; charset=utf-8`` as Flask does for a
            returned generator; a generator runs inside the request context,
            as with :func:`flask.stream_with_context`. A ``Content-Type`` set
            before is never changed.

        With the app's ``FX_ETAG`` config on, a ``str``, bytes or JSON body
        gets a weak ``ETag`` and a matching ``If-None-Match`` a 304 (see
        :meth:`apply_etag`); a streamed body gets none.

        ::

            return res.send("<h1>Hello</h1>")
            return res.send({"ok": True})
        """
        if self.finished_by is not None:
            self.check_open("send")
        if body is None:
            self.set_data(b"")
        elif isinstance(body, str):
            self.set_body(body, "text/html; charset=utf-8")
            if self.app.config.get("FX_ETAG", False):  # apply_etag's first test
                self.apply_etag()
        elif isinstance(body, (bytes, bytearray, memoryview)):
            self.set_body(bytes(body), "application/octet-stream")
            self.apply_etag()
        elif isinstance(body, _JSONABLE):
            return self._send_json(body, "send")
        elif isinstance(body, Iterator):
            # Streamed: Werkzeug reads it only when the server sends the body,
            # after the view returned; a generator keeps the request context,
            # so it may still read `request` or `session` as it runs.
            if isinstance(body, GeneratorType):
                body = stream_with_context(body)
            self.make_response(body)
        else:
            raise TypeError(
                f"res.send() cannot send a {type(body).__name__}: pass a str, bytes, "
                "a JSON-able value (dict, list, number, bool), an iterator or None"
            )
        return self.finish("send")

    def json(self, *args: t.Any, **kwargs: t.Any) -> Self:
        """Serialize a value with the app's JSON provider and send it; terminal.

        Goes through ``current_app.json``, so a custom provider, ``sort_keys``
        and ``compact`` apply as they do for :func:`flask.jsonify`.
        ``Content-Type`` is the provider's (``application/json``) unless one
        was set before, e.g. ``application/vnd.api+json``. With the app's
        ``FX_ETAG`` config on, a weak ``ETag`` is added, as for :meth:`send`.

        :param args: one value to serialize.
        :param kwargs: or keyword arguments, serialized as an object. With
            neither, ``{}`` is sent. Both at once raise :exc:`TypeError`, as
            does a value the provider cannot serialize.

        ::

            return res.json({"id": 1})
            return res.json(id=1, name="Ada")
        """
        # Werkzeug's ``json`` is a property that parses the body; this class
        # makes it the builder method. The test client restores the property.
        if self.finished_by is not None:
            self.check_open("json")
        if len(args) == 1 and not kwargs:  # res.json(value), the usual call
            return self._send_json(args[0], "json")
        return self._send_json(one_json_value(args, kwargs, "json"), "json")

    def _send_json(self, obj: t.Any, method: str) -> Self:
        app = self.app
        text, mimetype = json_text(obj, method, app)
        self.set_body(text, mimetype)
        if app.config.get("FX_ETAG", False):  # apply_etag's first test, without its call
            self.apply_etag()
        return self.finish(method)

    def jsonp(self, *args: t.Any, **kwargs: t.Any) -> Self:
        """Send a value as JSON with JSONP support, as Express's
        ``res.jsonp``; terminal.

        The callback name is the query parameter named by the app's
        ``FX_JSONP_CALLBACK`` config (default ``"callback"``); when the
        parameter is repeated the first value is used. Characters other
        than ASCII letters, digits, ``_``, ``$``, ``.``, ``[`` and ``]`` are
        removed from it, and the body is
        ``/**/ typeof cb === 'function' && cb(<json>);``, sent as
        ``text/javascript; charset=utf-8`` (even if another type was set
        before) with ``X-Content-Type-Options: nosniff``. U+2028 and U+2029
        are written as ``\\u2028`` and ``\\u2029``, whatever the JSON
        provider's ``ensure_ascii``.

        Without a callback (no parameter, an empty one, or one that has
        nothing left once cleaned) this is :meth:`json`. The value is
        serialized as :meth:`json` does, with ``current_app.json``.

        :param args: one value to serialize.
        :param kwargs: or keyword arguments, serialized as an object. With
            neither, ``{}`` is sent. Both at once raise :exc:`TypeError`, as
            does a value the provider cannot serialize.

        ::

            # GET /user?callback=show
            return res.jsonp({"name": "Ada"})
            # /**/ typeof show === 'function' && show({"name":"Ada"});

        .. versionadded:: 1.0
        """
        self.check_open("jsonp")
        obj = one_json_value(args, kwargs, "jsonp")
        callback = jsonp_callback(self.app, request.args)
        if callback is None:
            return self._send_json(obj, "jsonp")
        text, _ = json_text(obj, "jsonp", self.app)
        body = jsonp_body(callback, text)
        self.headers["Content-Type"] = "text/javascript; charset=utf-8"
        self.headers["X-Content-Type-Options"] = "nosniff"
        self.set_data(body)
        self.apply_etag()
        return self.finish("jsonp")

    def format(self, handlers: Mapping[str, Callable[[], t.Any]]) -> Self:
        """Answer with the handler for the type the client prefers, as
        Express's ``res.format``; terminal.

        The keys are MIME types (``"text/html"``) or extensions (``"html"``,
        ``"json"``), negotiated against the request's ``Accept`` header as
        :meth:`~fx_core.Request.accepts` does (Express's rule: quality, then
        specificity, then the client's order; see
        :func:`fx_core.formats.choose_format`); with no (or an empty)
        ``Accept`` header the first key wins. ``"default"`` is called
        when nothing matches. ``Accept`` is added to ``Vary``.

        The chosen handler is called with no arguments (it closes over the
        view's ``req`` and ``res``) and finishes ``res`` itself, e.g.
        ``lambda: res.json(data)``; that call is the one terminal call. A
        handler that returns something else than ``None`` or ``res``
        without finishing ``res`` has it sent with :meth:`send`; one that
        returns ``res`` unfinished sends it as it is. When a MIME key
        matched and no ``Content-Type`` was set, the key's type is set
        before the handler runs, so ``send()`` and ``json()`` keep it and
        :meth:`type` in the handler still wins.

        With no match and no ``"default"``, Werkzeug's
        :exc:`~werkzeug.exceptions.NotAcceptable` (406) is raised for the
        app's error handlers, and ``res`` is unchanged. A handler that
        returns ``None`` without finishing ``res``, or a coroutine, raises
        :exc:`TypeError`; when a handler raises, ``res`` is left as it was.

        :param handlers: a mapping of type (or ``"default"``) to a callable
            taking no arguments.

        ::

            return res.format({
                "text/html": lambda: res.render("users.html", users=users),
                "json": lambda: res.json(users),
                "default": lambda: res.send_status(406).send("Not Acceptable"),
            })

        .. versionadded:: 1.0
        """
        self.check_open("format")
        if not isinstance(handlers, Mapping):
            raise TypeError(
                f"res.format() takes a mapping of type to handler, got {type(handlers).__name__}"
            )
        chosen, run, offered = choose_format(handlers, request.headers.get("Accept"))

        before = {name: self.headers.getlist(name) for name in ("Content-Type", "Vary")}
        vary = [value for value in before["Vary"] if value.strip()]
        tokens = {token.strip().lower() for value in vary for token in value.split(",")}
        if not tokens & {"accept", "*"}:
            self.headers["Vary"] = ", ".join([*vary, "Accept"])
        if chosen is not None and "Content-Type" not in self.headers and "*" not in offered:
            mimetype = offered
            self.headers["Content-Type"] = (
                mimetype if ";" in mimetype else get_content_type(mimetype, "utf-8")
            )
        try:
            rv = run()
            if self.finished_by is not None:
                return self
            if inspect.isawaitable(rv):
                if inspect.iscoroutine(rv):
                    rv.close()  # no "never awaited" warning on top of the error
                raise TypeError(
                    f"res.format(): the handler for {chosen or 'default'!r} is async; "
                    "handlers are called without awaiting, so await in the view instead"
                )
            if rv is None:
                raise TypeError(
                    f"res.format(): the handler for {chosen or 'default'!r} returned None "
                    "and did not finish res; call a terminal method such as res.send() "
                    "or res.json() in it"
                )
            if rv is not self:
                self.send(rv)
        except BaseException:
            if self.finished_by is None:
                for name, values in before.items():
                    self.headers.setlist(name, values)
            raise
        return self.finish("format")

    def end(self, code: int | None = None) -> Self:
        """Finish the response with an empty body; terminal.

        :param code: with no code, the current status is kept. A 4xx or 5xx
            code raises the matching :class:`~werkzeug.exceptions.HTTPException`
            (``end(400)`` is Bad Request) so the app's error handlers answer.
            Any other code from 100 to 999 becomes the status. Anything else
            raises :exc:`ValueError`.

        ::

            return res.send_status(204).end()
            return res.end(404)  # the app's 404 page
        """
        if code is not None:
            check_status(code, "end", wrong_type=ValueError)
        if self.finished_by is not None:
            self.check_open("end")
        if code is not None:
            if 400 <= code < 600:
                raise http_exception(code)
            self.status_code = code
        self.set_data(b"")
        return self.finish("end")

    def redirect(self, location: str, code: int | None = None) -> Self:
        """Redirect to ``location``; terminal.

        :param location: the URL for the ``Location`` header. A control
            character in it (tab included), a character no header can hold,
            or a URL Werkzeug cannot write (``//[``, ``//x:99999/``) raises
            :exc:`ValueError`. Never pass a target the client chose (a
            ``next`` parameter, the ``Referer``): use :meth:`safe_redirect`.
        :param code: the 3xx status. By default a 3xx set before with
            :meth:`send_status` is used, else 302.

        ::

            return res.redirect("/login")
            return res.send_status(301).redirect("/new-home")
        """
        if self.finished_by is not None:
            self.check_open("redirect")
        if not isinstance(location, str):
            raise TypeError(f"res.redirect() takes a str location, got {type(location).__name__}")
        check_location(location, "res.redirect(): location")
        if code is None:
            code = self.status_code if 300 <= self.status_code < 400 else 302
        else:
            check_status(code, "redirect", 300, 399, kind="redirect status", wrong_type=ValueError)
        shown = escape(location)
        self.status_code = code
        self.headers["Location"] = location
        self.set_body(
            "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n"
            f'<h1>Redirecting...</h1>\n<p>Redirecting to <a href="{shown}">{shown}</a>.</p>\n',
            "text/html; charset=utf-8",
        )
        return self.finish("redirect")

    def safe_redirect(self, target: object, fallback: str = "/", code: int | None = None) -> Self:
        """Redirect to a target the client supplied when it stays on this
        site, else to ``fallback``; terminal.

        For a ``next`` parameter or the ``Referer``: ``target`` is used only
        when, after what browsers ignore is removed (surrounding spaces and
        controls; tab, CR and LF anywhere), it is a path that starts with one
        ``/``: no scheme, no host, no ``//`` or ``/\\``. Characters beyond
        ASCII are percent-encoded. Any other value, of any type, sends
        ``fallback`` instead; client input never makes this raise.

        :param target: the client's target, e.g. ``req.query.get("next")``.
        :param fallback: the programmer's own location, checked as for
            :meth:`redirect` (a bad one raises :exc:`ValueError`).
        :param code: the 3xx status, as for :meth:`redirect`.

        ::

            @app.post("/login")
            def login(req, res):
                ...
                return res.safe_redirect(req.query.get("next"), "/account")

            return res.safe_redirect(req.get("Referer"))

        .. versionadded:: 1.0
        """
        self.check_open("safe_redirect")
        location = local_target(target)
        return self.redirect(fallback if location is None else location, code)

    def make_response(
        self,
        response: str | bytes | Iterable[bytes] | None = None,
        status: int | str | None = None,
        headers: Mapping[str, t.Any] | Headers | None = None,
        mimetype: str | None = None,
        content_type: str | None = None,
        direct_passthrough: bool = False,
    ) -> Self:
        """Set body and metadata on this response and return it.

        The base the terminal methods build on, with the parameters of
        :class:`flask.Response`. It does not finish the response.

        :param response: the body: a ``str`` or ``bytes``, or an iterable of
            bytes. With a body and no ``Content-Type`` yet,
            ``text/html; charset=utf-8`` is used.
        :param status: an ``int`` code or a full status string (``"201 Created"``).
        :param headers: headers to set, as for :meth:`set`.
        :param mimetype: a MIME type; text types get a charset.
        :param content_type: the full ``Content-Type``; wins over ``mimetype``.
        :param direct_passthrough: as for :class:`werkzeug.wrappers.Response`.

        ::

            return res.make_response("created", 201, {"X-Id": "7"})
        """
        if content_type is None and mimetype is not None:
            content_type = get_content_type(mimetype, "utf-8")
        if content_type is not None:
            content_type = header_value("Content-Type", content_type)
        if isinstance(status, int):
            check_status(status, "make_response")
        elif isinstance(status, str):
            # Werkzeug writes the text as it is: a CR or LF in it would add a
            # header on servers that do not check (Werkzeug's own, which
            # app.listen() runs).
            check_field_value(status, "res.make_response(): status")
        elif status is not None:
            raise TypeError(f"res.make_response(): status must be an int or str, got {status!r}")
        if headers is not None:
            self.set(headers)
        if status is not None:
            self.status = status
        if content_type is not None:
            self.headers["Content-Type"] = content_type
        if response is not None:
            if "Content-Type" not in self.headers:
                self.headers["Content-Type"] = get_content_type(
                    type(self).default_mimetype or "text/html", "utf-8"
                )
            if isinstance(response, (str, bytes, bytearray)):
                self.set_data(response)
            else:
                self.response = response
        self.direct_passthrough = direct_passthrough
        return self


if not t.TYPE_CHECKING:
    # Stubs that name the distribution to install. Set after the class body so
    # type checkers never see them: a typo such as ``res.rendr()`` is still
    # reported, and a composed mixin's real method shadows its stub.
    for _name, _stub in missing_names("res").items():
        setattr(Response, _name, _stub)
    del _name, _stub
