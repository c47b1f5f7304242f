"""The response builder: ``res`` in a ``(req, res)`` view."""

from __future__ import annotations

import inspect
import re
import sys
import typing as t
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from html import escape
from types import GeneratorType

from flask import current_app, request, stream_with_context
from flask.json.provider import DefaultJSONProvider
from flask.wrappers import Response as FlaskResponse
from munch import Munch
from werkzeug.datastructures import Headers, MultiDict
from werkzeug.exceptions import HTTPException, NotAcceptable, default_exceptions
from werkzeug.http import HTTP_STATUS_CODES, parse_etags, unquote_etag
from werkzeug.utils import get_content_type

from .content_types import mimetype_for
from .exceptions import ResponseAlreadySent
from .features import missing_methods
from .request import _http_date

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment
    from flask import Flask

    if sys.version_info >= (3, 11):
        from typing import Self
    else:
        from typing_extensions import Self

__all__ = ["HeaderValue", "Response"]

#: What :meth:`Response.set` and :meth:`Response.append` accept as one value.
HeaderValue = str | int | float

# RFC 9110 token: what a header field name may contain.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

# What a header field value may not contain (RFC 9110 field-value: HTAB, SP,
# visible ASCII and obs-text 0x80-0xFF), since WSGI servers write headers as
# Latin-1: a control character or anything past U+00FF is a 500 on gunicorn
# and a broken header on servers that check less.
_NOT_FIELD_VALUE = re.compile(r"[^\t\x20-\x7e\x80-\xff]")

_JSONABLE = (dict, list, tuple, int, float)  # bool is an int; Munch is a dict

# What Express keeps of a JSONP callback name; \w as in JavaScript (ASCII only).
_JSONP_UNSAFE = re.compile(r"[^\[\]\w$.]", re.ASCII)

# A request's ``Cache-Control: no-cache`` asks for a full answer, never a 304
# (the rule of the ``fresh`` package behind Express's ``req.fresh``).
_NO_CACHE = re.compile(r"(?:^|,)\s*no-cache\s*(?:,|$)", re.IGNORECASE)


def _check_status(code: object, method: str) -> int:
    if isinstance(code, bool) or not isinstance(code, int):
        raise TypeError(f"res.{method}() takes an int status code, got {type(code).__name__}")
    if not 100 <= code <= 999:
        raise ValueError(f"res.{method}(): {code} is not a status code (100 to 999)")
    return code


def _header_name(name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(f"a header name must be a str, got {type(name).__name__}")
    if "\r" in name or "\n" in name:
        raise ValueError(f"header name {name!r} contains CR or LF")
    if not _TOKEN.fullmatch(name):
        raise ValueError(f"{name!r} is not a valid header name")
    return name


def _header_value(name: str, value: object) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, (int, float)):
        text = str(value)
    else:
        raise TypeError(
            f"header {name!r}: a value must be a str, int or float, got {type(value).__name__}"
        )
    if "\r" in text or "\n" in text or "\0" in text:
        raise ValueError(f"header {name!r}: value {text!r} contains CR, LF or NUL")
    _check_field_value(text, f"header {name!r}: value")
    return text


def _check_field_value(text: str, what: str) -> None:
    """Raise :exc:`ValueError` if ``text`` holds a character no header value
    can: a control character other than HTAB, or one beyond U+00FF."""
    found = _NOT_FIELD_VALUE.search(text)
    if found is not None:
        raise ValueError(
            f"{what} {text!r} contains {found.group()!r}, which no header value can "
            "hold: only tab, space, printable ASCII and U+0080 to U+00FF (servers "
            "write headers as Latin-1)"
        )


def _header_values(name: object, value: object) -> tuple[str, list[str]]:
    """Validate one ``name: value`` (or ``name: [values]``) pair, changing nothing."""
    checked = _header_name(name)
    if isinstance(value, (list, tuple)):
        return checked, [_header_value(checked, v) for v in value]
    return checked, [_header_value(checked, value)]


def _header_pairs(fields: object) -> Iterable[tuple[object, object]]:
    if isinstance(fields, Headers):
        return list(fields.items())
    if isinstance(fields, MultiDict):
        return list(fields.items(multi=True))
    if isinstance(fields, Mapping):
        return list(fields.items())
    raise TypeError(
        f"res.set() takes (name, value) or one mapping or Headers, got {type(fields).__name__}"
    )


def _link_entries(links: object) -> list[str]:
    """Build the ``<url>; rel="name"`` entries of :meth:`Response.links`,
    validating every name and URL first."""
    if not isinstance(links, Mapping):
        raise TypeError(f"res.links() takes a mapping of rel to URL, got {type(links).__name__}")
    entries = []
    for rel, value in links.items():
        if not isinstance(rel, str):
            raise TypeError(f"res.links(): a rel name must be a str, got {type(rel).__name__}")
        if not rel:
            raise ValueError("res.links(): a rel name may not be empty")
        if any(char in rel for char in '\r\n\0"\\'):
            # A quote or backslash would end the quoted rel early.
            raise ValueError(
                f"res.links(): rel {rel!r} contains CR, LF, NUL, a quote or a backslash"
            )
        _check_field_value(rel, "res.links(): rel")
        urls = list(value) if isinstance(value, (list, tuple)) else [value]
        for url in urls:
            if not isinstance(url, str):
                raise TypeError(
                    f"res.links(): the URL for rel {rel!r} must be a str, got {type(url).__name__}"
                )
            if any(char in url for char in "\r\n\0<>"):
                # "<" and ">" would end the URL reference early.
                raise ValueError(f"res.links(): URL {url!r} contains CR, LF, NUL, '<' or '>'")
            _check_field_value(url, "res.links(): URL")
            entries.append(f'<{url}>; rel="{rel}"')
    return entries


def _is_fresh(response: FlaskResponse) -> bool:
    """Whether the request's conditional headers match ``response``, as
    Express's ``req.fresh``: ``If-None-Match`` (weak comparison, ``*``
    included) against its ETag, else ``If-Modified-Since`` against a
    ``Last-Modified`` the view set. Only GET and HEAD, only 2xx."""
    if request.method not in ("GET", "HEAD") or not 200 <= response.status_code < 300:
        return False
    headers = request.headers
    if_none_match = headers.get("If-None-Match")
    if_modified_since = headers.get("If-Modified-Since")
    if not if_none_match and not if_modified_since:
        return False
    if _NO_CACHE.search(headers.get("Cache-Control", "")):
        return False
    if if_none_match:
        # contains_weak also answers True for "*".
        etag = unquote_etag(response.headers.get("ETag"))[0]
        return etag is not None and parse_etags(if_none_match).contains_weak(etag)
    # A date that overflows datetime is no date (Werkzeug's parse_date raises).
    last_modified = _http_date(response.headers.get("Last-Modified"))
    since = _http_date(if_modified_since)
    return last_modified is not None and since is not None and last_modified <= since


class _FormatNotAcceptable(NotAcceptable):
    """The 406 of :meth:`Response.format`: Werkzeug's ``NotAcceptable`` (so
    handlers registered for 406 answer it), naming the types on offer and
    adding ``Vary: Accept`` to the default error page."""

    def __init__(self, offered: list[str]) -> None:
        types = ", ".join(offered) or "none"
        super().__init__(f"This resource is available as: {types}.")

    def get_headers(
        self,
        environ: WSGIEnvironment | None = None,
        scope: dict[str, t.Any] | None = None,
    ) -> list[tuple[str, str]]:
        return [*super().get_headers(environ, scope), ("Vary", "Accept")]


def _one_json_value(args: tuple[t.Any, ...], kwargs: dict[str, t.Any], method: str) -> t.Any:
    """The value ``res.json(*args, **kwargs)`` sends: one positional value,
    or the keywords as an object, or ``{}``."""
    if args and kwargs:
        raise TypeError(f"res.{method}() takes one value or keyword arguments, not both")
    if len(args) > 1:
        raise TypeError(f"res.{method}() takes one value, got {len(args)}")
    return args[0] if args else kwargs


def _json_text(obj: t.Any, method: str, app: Flask) -> tuple[str, str]:
    """Serialize ``obj`` with ``app.json``: the text and MIME type
    :meth:`Response.json` sends."""
    provider = app.json
    try:
        if isinstance(provider, DefaultJSONProvider):
            # The same text flask.jsonify produces, without building the
            # extra Response object that provider.response() would.
            if (provider.compact is None and app.debug) or provider.compact is False:
                text = provider.dumps(obj, indent=2) + "\n"
            else:
                text = provider.dumps(obj, separators=(",", ":")) + "\n"
        else:
            text = provider.dumps(obj)
    except TypeError as e:
        raise TypeError(f"res.{method}(): {e}") from e
    return text, getattr(provider, "mimetype", "application/json")


def _jsonp_callback() -> str | None:
    """The cleaned JSONP callback name of the current request, or ``None``."""
    name = current_app.config.get("FX_JSONP_CALLBACK", "callback")
    if not name:
        return None
    values = request.args.getlist(name)
    # A repeated parameter is a list in Express too; it takes the first.
    callback = _JSONP_UNSAFE.sub("", values[0]) if values else ""
    return callback or None


def _negotiate(offered: Mapping[str, str]) -> str | None:
    """The key of ``offered`` (key -> MIME type) that the request's
    ``Accept`` header prefers, the first key when it has none, or ``None``."""
    if not offered:
        return None
    if not request.headers.get("Accept", "").strip():
        return next(iter(offered))
    by_mimetype: dict[str, str] = {}
    for key, mimetype in offered.items():
        by_mimetype.setdefault(mimetype.split(";", 1)[0].strip(), key)
    best = request.accept_mimetypes.best_match(list(by_mimetype))
    return None if best is None else by_mimetype[best]


def _http_exception(code: int) -> HTTPException:
    cls = default_exceptions.get(code)
    if cls is not None:
        return cls()
    # Codes Werkzeug has no class for (e.g. 499) still reach the app's
    # error handlers, which look handlers up by ``e.code``.
    exc = HTTPException(description=HTTP_STATUS_CODES.get(code, "Error"))
    exc.code = code
    return exc


class _Headers(Headers):
    """Headers whose ``in`` test scans instead of raising: Werkzeug answers a
    missing name with a caught exception, a cost the builder's every
    "was a Content-Type set?" check would pay."""

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return super().__contains__(key)  # type: ignore[operator]
        wanted = key.lower()
        return any(name.lower() == wanted for name, _ in self._list)


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

    Werkzeug's names keep their meaning: ``res.status`` is the status string,
    ``res.vary`` the Vary header set, ``res.location`` the Location header.
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

    #: Request-side readers a mixin brings along, by name: for example
    #: fx-flash maps ``"flashes"`` to the function behind ``req.flashes()``.
    #: A mixin declares its own in its class body; each class sees the merge
    #: of its bases' and its own, so a composed class has all of them.
    request_readers: t.ClassVar[Mapping[str, Callable[..., t.Any]]] = {}

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        merged: dict[str, Callable[..., t.Any]] = {}
        for base in reversed(cls.__mro__[1:]):
            merged.update(base.__dict__.get("request_readers", {}))
        merged.update(cls.__dict__.get("request_readers", {}))
        cls.request_readers = merged

    #: The app a builder was made for (see :meth:`for_request`); read
    #: instead of the ``current_app`` proxy, which costs a context lookup.
    _fx_app: Flask | None = None

    def _app(self) -> Flask:
        """The app of this response: the one it was built for, else ``current_app``."""
        return self._fx_app or current_app._get_current_object()  # type: ignore[attr-defined]

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
        cls.__init__(res, headers=_Headers())
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

    # -- status --------------------------------------------------------------

    def send_status(self, code: int) -> Self:
        """Set the status code; chainable.

        :param code: an ``int`` from 100 to 999. Other types raise
            :exc:`TypeError`, other numbers :exc:`ValueError`.

        ::

            return res.send_status(201).json(created)
        """
        self.status_code = _check_status(code, "send_status")
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
            pairs = [_header_values(field, value)]
        else:
            if value is not None:
                raise TypeError("res.set(mapping) takes no second argument")
            grouped: dict[str, tuple[str, list[str]]] = {}
            for name, item in _header_pairs(field):
                key, values = _header_values(name, item)
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
        key, values = _header_values(field, value)
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
        self.headers["Content-Type"] = _header_value("Content-Type", mimetype)
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
        entries = _link_entries(links)
        if entries:
            value = ", ".join([*self.headers.getlist("Link"), *entries])
            self.headers["Link"] = value
        return self

    # -- terminal methods ----------------------------------------------------

    # -- the protocol terminal methods follow, in this class and in mixins -----
    #
    # A terminal method calls _check_open(name) first, then validates and
    # prepares everything that can fail, and only then changes ``self`` and
    # returns _finish(name): a call that raises leaves the response unchanged.

    def _check_open(self, method: str) -> None:
        """Raise :exc:`ResponseAlreadySent` if a terminal method already
        finished this response; ``method`` names the one being called."""
        if self.finished_by is not None:
            raise ResponseAlreadySent(
                f"res.{method}() was called, but res.{self.finished_by}() already "
                "sent this response"
            )

    def _finish(self, method: str) -> Self:
        """Mark the response finished by ``method`` and return it."""
        self.finished_by = method
        return self

    def _conditional_etag(self) -> None:
        """Add a weak ETag and answer a fresh request with 304, when the
        app's ``FX_ETAG`` config is true (off by default).

        Called by terminal methods, in this class and in mixins, once the
        body is set and before :meth:`_finish`: ``W/"<SHA-1 of the body>"``
        is added unless the view set an ``ETag``. A GET or HEAD whose
        ``If-None-Match`` matches it (or whose ``If-Modified-Since`` is not
        older than a ``Last-Modified`` the view set), on a 2xx response,
        gets ``304 Not Modified`` with no body, as Express's ``req.fresh``
        decides. A request with ``Cache-Control: no-cache`` always gets the
        full answer. With ``FX_ETAG`` off it costs one config lookup.
        """
        if not self._app().config.get("FX_ETAG", False):
            return
        self.add_etag(weak=True)
        if _is_fresh(self):
            self.status_code = 304
            self.set_data(b"")
            # Representation headers describe a body that is not sent.
            for name in ("Content-Type", "Content-Length", "Transfer-Encoding"):
                self.headers.pop(name, None)

    def _set_body(self, body: str | bytes, default_type: str) -> None:
        """Set the body, and ``default_type`` unless a Content-Type was set."""
        if "Content-Type" not in self.headers:
            self.headers["Content-Type"] = default_type
        self.set_data(body)

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
        :meth:`_conditional_etag`); a streamed body gets none.

        ::

            return res.send("<h1>Hello</h1>")
            return res.send({"ok": True})
        """
        self._check_open("send")
        if body is None:
            self.set_data(b"")
        elif isinstance(body, str):
            self._set_body(body, "text/html; charset=utf-8")
            self._conditional_etag()
        elif isinstance(body, (bytes, bytearray, memoryview)):
            self._set_body(bytes(body), "application/octet-stream")
            self._conditional_etag()
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
        return self._finish("send")

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
        self._check_open("json")
        return self._send_json(_one_json_value(args, kwargs, "json"), "json")

    def _send_json(self, obj: t.Any, method: str) -> Self:
        text, mimetype = _json_text(obj, method, self._app())
        self._set_body(text, mimetype)
        self._conditional_etag()
        return self._finish(method)

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
        self._check_open("jsonp")
        obj = _one_json_value(args, kwargs, "jsonp")
        callback = _jsonp_callback()
        if callback is None:
            return self._send_json(obj, "jsonp")
        text, _ = _json_text(obj, "jsonp", self._app())
        # Inside JavaScript the trailing newline res.json adds is noise, and
        # U+2028/U+2029, valid in JSON strings, end a line in older engines.
        text = text.removesuffix("\n").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        # /**/ defeats the Rosetta Flash attack, the typeof check spares the
        # page an error when the callback does not exist (both from Express).
        body = f"/**/ typeof {callback} === 'function' && {callback}({text});"
        self.headers["Content-Type"] = "text/javascript; charset=utf-8"
        self.headers["X-Content-Type-Options"] = "nosniff"
        self.set_data(body)
        self._conditional_etag()
        return self._finish("jsonp")

    def format(self, handlers: Mapping[str, Callable[[], t.Any]]) -> Self:
        """Answer with the handler for the type the client prefers, as
        Express's ``res.format``; terminal.

        The keys are MIME types (``"text/html"``) or extensions (``"html"``,
        ``"json"``), negotiated against the request's ``Accept`` header by
        quality, then specificity, ties going to the earlier key (Werkzeug's
        ``best_match``, as :meth:`~fx_core.Request.accepts`); with no (or an
        empty) ``Accept`` header the first key wins. ``"default"`` is called
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
        self._check_open("format")
        if not isinstance(handlers, Mapping):
            raise TypeError(
                f"res.format() takes a mapping of type to handler, got {type(handlers).__name__}"
            )
        default: Callable[[], t.Any] | None = None
        offered: dict[str, str] = {}  # key -> MIME type, in the caller's order
        for key, handler in handlers.items():
            if not isinstance(key, str):
                raise TypeError(f"res.format(): a key must be a str, got {type(key).__name__}")
            if not callable(handler):
                raise TypeError(f"res.format(): the handler for {key!r} is not callable")
            if key == "default":
                default = handler
                continue
            mimetype = mimetype_for(key) if key else None
            if mimetype is None:
                raise ValueError(f"res.format(): {key!r} is not a MIME type or a known extension")
            offered[key] = mimetype
        chosen = _negotiate(offered)
        if chosen is None and default is None:
            raise _FormatNotAcceptable(list(offered.values()))
        run = handlers[chosen] if chosen is not None else default
        assert run is not None  # no match and no default raised above

        before = {name: self.headers.getlist(name) for name in ("Content-Type", "Vary")}
        vary = [value for value in before["Vary"] if value.strip()]
        tokens = {token.strip().lower() for value in vary for token in value.split(",")}
        if not tokens & {"accept", "*"}:
            self.headers["Vary"] = ", ".join([*vary, "Accept"])
        if chosen is not None and "Content-Type" not in self.headers and "*" not in offered[chosen]:
            mimetype = offered[chosen]
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
        return self._finish("format")

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
        if code is not None and (
            isinstance(code, bool) or not isinstance(code, int) or not 100 <= code <= 999
        ):
            raise ValueError(f"res.end(): {code!r} is not a status code (100 to 999)")
        self._check_open("end")
        if code is not None:
            if 400 <= code < 600:
                raise _http_exception(code)
            self.status_code = code
        self.set_data(b"")
        return self._finish("end")

    def redirect(self, location: str, code: int | None = None) -> Self:
        """Redirect to ``location``; terminal.

        :param location: the URL for the ``Location`` header. A CR or LF in it
            raises :exc:`ValueError`.
        :param code: the 3xx status. By default a 3xx set before with
            :meth:`send_status` is used, else 302.

        ::

            return res.redirect("/login")
            return res.send_status(301).redirect("/new-home")
        """
        self._check_open("redirect")
        if not isinstance(location, str):
            raise TypeError(f"res.redirect() takes a str location, got {type(location).__name__}")
        if "\r" in location or "\n" in location:
            raise ValueError(f"res.redirect(): location {location!r} contains CR or LF")
        if code is None:
            code = self.status_code if 300 <= self.status_code < 400 else 302
        elif isinstance(code, bool) or not isinstance(code, int) or not 300 <= code < 400:
            raise ValueError(f"res.redirect(): {code!r} is not a redirect status (300 to 399)")
        shown = escape(location)
        self.status_code = code
        self.headers["Location"] = location
        self._set_body(
            "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n"
            f'<h1>Redirecting...</h1>\n<p>Redirecting to <a href="{shown}">{shown}</a>.</p>\n',
            "text/html; charset=utf-8",
        )
        return self._finish("redirect")

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
            content_type = _header_value("Content-Type", content_type)
        if isinstance(status, int):
            _check_status(status, "make_response")
        elif status is not None and not isinstance(status, str):
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
    for _name, _stub in missing_methods().items():
        setattr(Response, _name, _stub)
    del _name, _stub
