"""The request: ``req`` in a ``(req, res)`` view, with Munch views of its data."""

from __future__ import annotations

import ipaddress
import ssl
import typing as t
from datetime import datetime
from functools import cached_property
from urllib.parse import parse_qsl

# Registers the "werkzeug.url_quote" codec error handler (bytes that are not
# UTF-8 decode as %XX escapes), which Werkzeug's own query parsing uses.
import werkzeug.urls  # noqa: F401
from flask import current_app, session
from flask.wrappers import Request as FlaskRequest
from munch import Munch
from werkzeug.datastructures import IfRange, MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.http import parse_if_range_header

# The parser Werkzeug's own Request.cookies uses: it tolerates bytes that are
# not UTF-8, where werkzeug.http.parse_cookie raises.
from werkzeug.sansio.http import parse_cookie
from werkzeug.sansio.utils import get_current_url, get_host

from .client_data import (
    CookieMunch,
    FormMunch,
    HeaderMunch,
    QueryMunch,
    SessionView,
    json_view,
    multidict_munch,
)
from .content_types import mimetype_for, type_is
from .http import is_fresh, negotiate, parse_http_date
from .negotiation import (
    preferred_charsets,
    preferred_encodings,
    preferred_languages,
    preferred_media_types,
)
from .pieces import missing_names

if t.TYPE_CHECKING:
    from .response import Response

__all__ = ["SUBDOMAIN_OFFSET", "TRUST_PROXY", "Request"]

# How a JSON value that is not an object or array is named in the 400.
_JSON_NAMES: dict[type, str] = {
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}

#: The config key of Express's ``trust proxy`` setting, for the scheme: when
#: true, :attr:`Request.secure` and :attr:`Request.protocol` take the
#: server's ``wsgi.url_scheme`` as it is (see :attr:`Request.protocol`).
TRUST_PROXY = "FX_TRUST_PROXY"

#: The config key of Express's ``subdomain offset`` setting: how many labels
#: at the end of the host name are the domain, not subdomains.
SUBDOMAIN_OFFSET = "FX_SUBDOMAIN_OFFSET"


class Request(FlaskRequest):
    """Flask's request class, with Express-style Munch views.

    Each view is built on first access and kept for the request::

        @app.post("/users/<int:id>")
        def update(req, res):
            name = req.json.user.name      # parsed JSON body
            page = req.query.get("page")   # ?page=2
            return res.json({"id": req.params.id, "name": name, "page": page})

    Werkzeug's own attributes (``args``, ``form``, ``headers``,
    ``get_json()``, ...) are unchanged; ``json`` and ``cookies`` become
    Munch views.

    .. versionadded:: 1.0
    """

    @cached_property
    def res(self) -> Response:
        """The response builder of this request: the ``res`` a view gets.

        Created on first access from the app's ``response_class``, once per
        request, so middleware and the view share it (Express's ``req.res``).
        """
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        return app.response_class.for_request(app)  # type: ignore[no-any-return]

    def _query_text(self) -> str:
        """The raw query string as text; bytes that are not UTF-8 stay
        percent-encoded (``%FF``) instead of raising."""
        return self.query_string.decode("utf-8", "werkzeug.url_quote")

    @cached_property
    def args(self) -> MultiDict[str, str]:
        """The query string parameters, as Werkzeug's :attr:`args`.

        A WSGI server may pass the query string's bytes as the client sent
        them (PEP 3333), and Werkzeug decodes them as strict UTF-8: a raw
        byte that is not UTF-8 (``/?q=\\xff``) raised
        :exc:`UnicodeDecodeError`, a 500. Here such bytes stay
        percent-encoded, as Werkzeug already does for percent-escapes that
        are not UTF-8 (``?q=%FF`` gives ``"%FF"``).
        """
        return self.parameter_storage_class(
            parse_qsl(self._query_text(), keep_blank_values=True, errors="werkzeug.url_quote")
        )

    @cached_property
    def full_path(self) -> str:
        """The path and query string, as Werkzeug's :attr:`full_path`, with
        bytes of the query string that are not UTF-8 percent-encoded
        instead of raising (see :attr:`args`).
        """
        return f"{self.path}?{self._query_text()}"

    @cached_property
    def query(self) -> QueryMunch:
        """The query string as a Munch; a repeated key maps to a list.

        ``/search?q=flask&tag=a&tag=b`` gives ``req.query.q == "flask"`` and
        ``req.query.tag == ["a", "b"]``. Use ``req.query.get("x")`` for an
        optional key: attribute access to a missing one raises
        :exc:`MissingKey`, an :exc:`AttributeError` that Flask answers with
        400 Bad Request.
        """
        return multidict_munch(self.args, QueryMunch)

    @cached_property
    def body(self) -> FormMunch:
        """The form fields (urlencoded or multipart) as a Munch; a repeated
        field maps to a list. Uploaded files stay in ``req.files``. A missing
        field read as an attribute raises :exc:`MissingKey` (400). A
        multipart part sent without a ``name`` is left out (Werkzeug's
        ``req.form`` keeps it under ``None``), so the keys are always
        strings and ``res.json(req.body)`` always works."""
        return multidict_munch(self.form, FormMunch)

    @cached_property
    def json(self) -> t.Any:
        """The JSON body: an object becomes a :class:`~fx_core.client_data.JSONMunch`
        (a Munch, recursively), an array a
        :class:`~fx_core.client_data.JSONList`. A missing key read as an
        attribute raises :exc:`MissingKey` (400); so does reading an
        attribute of an array (``req.json.title`` on ``[1, 2]``), which says
        an object was expected.

        Answered with 400 Bad Request, as Express's strict JSON parser does:
        a missing or malformed body, a ``Content-Type`` that is not JSON,
        nesting too deep for the parser, and a body that is neither an object
        nor an array (``"x"``, ``42``, ``null``). ``req.get_json()`` keeps
        Flask's behaviour and returns any JSON value.

        ::

            req.json.user.id   # {"user": {"id": 7}} -> 7
        """
        if not self.is_json:
            raise BadRequest("The request body must be JSON (Content-Type: application/json).")
        try:
            value = self.get_json()
            if not isinstance(value, (dict, list)):
                raise BadRequest(
                    "The JSON body must be an object or an array, "
                    f"not {_JSON_NAMES.get(type(value), 'a value')}."
                )
            return json_view(value)
        except RecursionError:
            raise BadRequest("The JSON body is nested too deeply.") from None

    @cached_property
    def header(self) -> HeaderMunch:
        """The request headers as a :class:`HeaderMunch`: lower-case keys,
        lookups that ignore case and accept ``_`` for ``-``::

            req.header.user_agent == req.header["User-Agent"]
        """
        return HeaderMunch((name.lower(), value) for name, value in self.headers.items())

    @property
    def headers_munch(self) -> HeaderMunch:
        """Alias of :attr:`header`."""
        return self.header

    @cached_property
    def params(self) -> Munch:
        """The route variables, already converted: ``<int:id>`` gives an int."""
        return Munch(self.view_args or {})

    @cached_property
    def cookies(self) -> CookieMunch:
        """The request cookies as a Munch (the first value of a repeated name).
        A missing cookie read as an attribute raises :exc:`MissingKey` (400).

        Flask's session reads its cookie from here with ``.get()``, which
        still works.
        """
        parsed = parse_cookie(";".join(self.headers.getlist("Cookie")))
        return CookieMunch((key, values[0]) for key, values in parsed.lists())

    @property
    def session(self) -> SessionView:
        """Flask's session with attribute access (``req.session.user``).

        Writing needs the app's ``SECRET_KEY``, as in Flask.
        """
        return SessionView(session)

    def set_session(self, key: str, value: t.Any) -> None:
        """Store ``value`` in the session under ``key``.

        ::

            req.set_session("user_id", 7)
        """
        session[key] = value

    def set_sessions(self, *pairs: tuple[str, t.Any]) -> None:
        """Store several ``(key, value)`` pairs in the session.

        ::

            req.set_sessions(("user_id", 7), ("theme", "dark"))
        """
        checked = []
        for pair in pairs:
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise TypeError(f"req.set_sessions() takes (key, value) tuples, got {pair!r}")
            checked.append(pair)
        for key, value in checked:
            session[key] = value

    def get_session(self, key: str, default: t.Any = None) -> t.Any:
        """Return the session value for ``key``, or ``default``."""
        return session.get(key, default)

    def get(self, field: str) -> str | None:
        """Return a request header's value, or ``None`` (any case).

        ``Referrer`` and ``Referer`` are interchangeable, as in Express.

        :raises TypeError: ``field`` is not a ``str``, as Express's
            ``req.get`` refuses a name that is not a string.

        ::

            req.get("content-type")
        """
        if not isinstance(field, str):
            raise TypeError(f"req.get() takes a header name as a str, got {type(field).__name__}")
        value = self.headers.get(field)
        if value is None and field.lower() in ("referer", "referrer"):
            value = self.headers.get("Referer") or self.headers.get("Referrer")
        return value

    @t.overload
    def accepts(self) -> list[str]: ...
    @t.overload
    def accepts(self, *types: str | list[str] | tuple[str, ...]) -> str | None: ...

    def accepts(self, *types: str | list[str] | tuple[str, ...]) -> str | list[str] | None:
        """Return the best of ``types`` for the ``Accept`` header, or ``None``.

        :param types: MIME types (``"application/json"``) or extensions
            (``"json"``, ``"html"``), or one list of them. With no ``Accept``
            header the first is returned, as in Express. With no argument,
            the MIME types the client accepts (``q`` above 0), most
            preferred first; ``["*/*"]`` with no ``Accept`` header, as in
            Express.

        ::

            req.accepts("html", "json")  # "json" for Accept: application/json
        """
        if len(types) == 1 and isinstance(types[0], (list, tuple)):
            types = tuple(types[0])
        if not types:
            return preferred_media_types(self.headers.get("Accept"))
        offered = {str(kind): mimetype_for(str(kind)) or str(kind) for kind in types}
        # An empty Accept header counts as none, as in Express (and res.format).
        return negotiate(self.headers.get("Accept"), offered)

    @t.overload
    def accepts_charsets(self) -> list[str]: ...
    @t.overload
    def accepts_charsets(self, *charsets: str | list[str] | tuple[str, ...]) -> str | None: ...

    def accepts_charsets(
        self, *charsets: str | list[str] | tuple[str, ...]
    ) -> str | list[str] | None:
        """Return the best of ``charsets`` for the ``Accept-Charset`` header,
        or ``None`` when none is acceptable, as Express's
        ``req.acceptsCharsets``.

        Without the header every charset is acceptable, so the first is
        returned; among charsets of equal quality the client's order wins.
        With no argument, the charsets the client accepts, best first.

        :param charsets: charset names, or one list of them.

        ::

            req.accepts_charsets("utf-8", "iso-8859-1")  # "utf-8"
        """
        return self._negotiate("Accept-Charset", charsets, preferred_charsets)

    @t.overload
    def accepts_encodings(self) -> list[str]: ...
    @t.overload
    def accepts_encodings(self, *encodings: str | list[str] | tuple[str, ...]) -> str | None: ...

    def accepts_encodings(
        self, *encodings: str | list[str] | tuple[str, ...]
    ) -> str | list[str] | None:
        """Return the best of ``encodings`` for the ``Accept-Encoding``
        header, or ``None``, as Express's ``req.acceptsEncodings``.

        ``identity`` is acceptable unless the header refuses it; without the
        header only ``identity`` is (as in Express). Among equal qualities
        the client's order wins. With no argument, the codings the client
        accepts, best first (``identity`` included).

        :param encodings: content codings (``"gzip"``, ``"br"``), or one
            list of them.

        ::

            req.accepts_encodings("br", "gzip")  # "gzip" for Accept-Encoding: gzip
        """
        return self._negotiate("Accept-Encoding", encodings, preferred_encodings)

    @t.overload
    def accepts_languages(self) -> list[str]: ...
    @t.overload
    def accepts_languages(self, *languages: str | list[str] | tuple[str, ...]) -> str | None: ...

    def accepts_languages(
        self, *languages: str | list[str] | tuple[str, ...]
    ) -> str | list[str] | None:
        """Return the best of ``languages`` for the ``Accept-Language``
        header, or ``None``, as Express's ``req.acceptsLanguages``.

        Without the header every language is acceptable, so the first is
        returned. ``en`` in the header accepts ``en-US`` and the other way
        round, less specifically than an exact tag; among equal qualities
        the client's order wins. With no argument, the tags the client
        accepts, best first.

        :param languages: language tags (``"en-US"``, ``"fr"``), or one list
            of them.

        ::

            req.accepts_languages("fr", "en")  # "en" for Accept-Language: en-GB
        """
        return self._negotiate("Accept-Language", languages, preferred_languages)

    def _negotiate(
        self,
        header: str,
        values: tuple[str | list[str] | tuple[str, ...], ...],
        preferred: t.Callable[[str | None, list[str] | None], list[str]],
    ) -> str | list[str] | None:
        if len(values) == 1 and isinstance(values[0], (list, tuple)):
            values = tuple(values[0])
        for value in values:
            if not isinstance(value, str):
                raise TypeError(f"{header} values must be str, got {value!r}")
        if not values:
            return preferred(self.headers.get(header), None)
        best = preferred(self.headers.get(header), t.cast("list[str]", list(values)))
        return best[0] if best else None

    # -- conditional headers: a date out of datetime's range is no date -------

    @cached_property
    def if_modified_since(self) -> datetime | None:
        """The ``If-Modified-Since`` header as a timezone-aware datetime, as
        Werkzeug's; ``None`` when it is missing or not a valid date, including
        a date whose year or zone offset overflows :class:`~datetime.datetime`
        (Werkzeug raised :exc:`OverflowError` there, a 500)."""
        return parse_http_date(self.headers.get("If-Modified-Since"))

    @cached_property
    def if_unmodified_since(self) -> datetime | None:
        """The ``If-Unmodified-Since`` header, parsed as
        :attr:`if_modified_since` is."""
        return parse_http_date(self.headers.get("If-Unmodified-Since"))

    @cached_property
    def if_range(self) -> IfRange:
        """The ``If-Range`` header, as Werkzeug's; a date that overflows
        :class:`~datetime.datetime` counts as no header (an empty
        :class:`~werkzeug.datastructures.IfRange`) instead of raising."""
        try:
            return parse_if_range_header(self.headers.get("If-Range"))
        except OverflowError:
            return IfRange()

    # -- Express's read-only names --------------------------------------------
    # Only names Werkzeug does not have: ``path``, ``host``, ``url``,
    # ``base_url`` and ``range`` keep Werkzeug's meaning. Plain properties
    # (not cached), so assigning to them raises AttributeError.

    @property
    def ip(self) -> str | None:
        """The client's address: Werkzeug's :attr:`remote_addr`, the peer of
        the connection (``None`` if the server does not say, e.g. on a Unix
        socket).

        Express's ``req.ip`` reads ``X-Forwarded-For`` when ``trust proxy`` is
        set. A client can send that header itself, so it is never read here:
        behind a proxy you trust, wrap the app in Werkzeug's
        :class:`~werkzeug.middleware.proxy_fix.ProxyFix`, which puts the
        address the proxy saw into :attr:`remote_addr`::

            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)

            req.ip  # "203.0.113.7"
        """
        return self.remote_addr

    @property  # type: ignore[override]
    def host(self) -> str | None:
        """The host the request was made to, with its port if not the
        default: Werkzeug's :attr:`~werkzeug.wrappers.Request.host` (the
        ``Host`` header, checked against :attr:`trusted_hosts`, or
        ``X-Forwarded-Host`` under
        :class:`~werkzeug.middleware.proxy_fix.ProxyFix`).

        A request without a ``Host`` header (HTTP/1.0 allows that) gives
        ``None``, as Express's ``req.host`` does, instead of the server's own
        name: unless the app configured ``SERVER_NAME``, which then stands
        in, as Flask users expect. :attr:`url` and the other URL attributes
        keep using the server's name there.

        ::

            req.host  # "example.com:8080"
        """
        if "HTTP_HOST" not in self.environ:
            server_name = current_app.config.get("SERVER_NAME") if current_app else None
            return server_name or None
        return self._server_host

    @host.setter
    def host(self, value: str) -> None:
        # Flask sets it while it binds the URL adapter, checked against
        # TRUSTED_HOSTS: keep that answer for the server's host.
        self.__dict__["_server_host"] = value

    @cached_property
    def _server_host(self) -> str:
        # Werkzeug's rule, falling back to the server's name and port.
        return get_host(self.scheme, self.headers.get("host"), self.server, self.trusted_hosts)

    @cached_property
    def url(self) -> str:
        """The full URL, as Werkzeug's; with no ``Host`` header, the server's name."""
        return get_current_url(
            self.scheme, self._server_host, self.root_path, self.path, self.query_string
        )

    @cached_property
    def base_url(self) -> str:
        """:attr:`url` without the query string, as Werkzeug's."""
        return get_current_url(self.scheme, self._server_host, self.root_path, self.path)

    @cached_property
    def root_url(self) -> str:
        """The scheme, host and root path, as Werkzeug's."""
        return get_current_url(self.scheme, self._server_host, self.root_path)

    @cached_property
    def host_url(self) -> str:
        """The scheme and host, as Werkzeug's."""
        return get_current_url(self.scheme, self._server_host)

    @property
    def hostname(self) -> str | None:
        """The host the request was made to, without the port: :attr:`host`
        cut before its port. An IPv6 literal keeps its brackets, as in
        Express. ``None`` when the request has no ``Host`` header (and the
        app no ``SERVER_NAME``), as in Express; the empty string when it
        named no valid host.

        ::

            req.hostname  # "example.com" for Host: example.com:8080
            req.hostname  # "[::1]" for Host: [::1]:8080
        """
        host = self.host
        if host is None:
            return None
        if host.startswith("["):
            return host[: host.find("]") + 1]
        return host.partition(":")[0]

    @property
    def subdomains(self) -> list[str]:
        """The subdomains of :attr:`hostname`, nearest to the domain first, as
        Express's ``req.subdomains``.

        The last ``FX_SUBDOMAIN_OFFSET`` labels (default 2, Express's
        ``subdomain offset``) are the domain and are left out; the config is
        read on each call. An IP address has no subdomains.

        ::

            req.subdomains  # ["ferrets", "tobi"] for tobi.ferrets.example.com
        """
        offset = current_app.config.get(SUBDOMAIN_OFFSET, 2)
        if not isinstance(offset, int) or isinstance(offset, bool):
            raise TypeError(f"{SUBDOMAIN_OFFSET} must be an int, got {offset!r}")
        if offset < 0:
            raise ValueError(f"{SUBDOMAIN_OFFSET} must be 0 or more, got {offset!r}")
        hostname = self.hostname
        if not hostname:
            return []
        try:
            ipaddress.ip_address(hostname.strip("[]"))
        except ValueError:
            labels = hostname.split(".")[::-1]
        else:
            labels = [hostname]
        return labels[offset:]

    @property
    def protocol(self) -> str:
        """``"https"`` for a request made over TLS, else ``"http"``, as
        Express's ``req.protocol`` with ``trust proxy`` off: from the
        connection, never from a header the client could send. Always agrees
        with :attr:`secure`.

        Behind a proxy you trust, wrap the app in Werkzeug's
        :class:`~werkzeug.middleware.proxy_fix.ProxyFix` (``x_proto=1``):
        then the proxy's ``X-Forwarded-Proto`` is used. The app's
        ``FX_TRUST_PROXY`` config set to ``True`` takes the server's word
        instead (``wsgi.url_scheme``, which gunicorn sets from
        ``X-Forwarded-Proto`` for requests from its ``forwarded_allow_ips``).
        Werkzeug's :attr:`scheme` and :attr:`is_secure` keep the server's
        word in every case.

        ::

            if req.protocol != "https":
                return res.redirect(req.url.replace("http://", "https://", 1))
        """
        return "https" if self.secure else "http"

    @property
    def secure(self) -> bool:
        """``True`` for a request made over TLS: ``req.protocol == "https"``.

        Taken from the connection, as :attr:`protocol` explains: gunicorn
        answers a client on one of its ``forwarded_allow_ips`` (127.0.0.1 by
        default) that sends ``X-Forwarded-Proto: https`` with
        ``wsgi.url_scheme = "https"``, which :attr:`is_secure` believes; this
        does not, unless ``ProxyFix`` or ``FX_TRUST_PROXY`` says to.

        ::

            res.cookie("sid", sid, secure=req.secure)
        """
        environ = self.environ
        if "werkzeug.proxy_fix.orig" in environ or current_app.config.get(TRUST_PROXY):
            return self.is_secure
        # gunicorn rewrites wsgi.url_scheme from the client's headers; its
        # socket says what the connection is.
        sock = environ.get("gunicorn.socket")
        if sock is not None:
            return isinstance(sock, ssl.SSLSocket)
        return self.is_secure

    @property
    def xhr(self) -> bool:
        """``True`` when ``X-Requested-With`` is ``XMLHttpRequest`` (any case),
        as Express's ``req.xhr``.

        jQuery and some other libraries send that header; ``fetch()`` does
        not, so ``False`` does not mean the request came from a browser tab.

        ::

            if req.xhr:
                return res.json({"error": "login required"})
        """
        return self.headers.get("X-Requested-With", "").lower() == "xmlhttprequest"

    @property
    def fresh(self) -> bool:
        """``True`` when the client's cached copy is still good, so a 304 Not
        Modified may be sent instead of the body, as Express's ``req.fresh``.

        Only a ``GET`` or ``HEAD`` whose :attr:`res` has a 2xx or 304 status
        can be fresh. ``If-None-Match`` is compared with ``res``'s ``ETag``
        (weak comparison; ``*`` matches anything) and, when it is absent,
        ``If-Modified-Since`` with ``res``'s ``Last-Modified``. A request
        with ``Cache-Control: no-cache`` is never fresh. Set the validators
        on ``res`` first::

            res.set("ETag", etag)
            if req.fresh:
                return res.send_status(304).end()
            return res.send(body)
        """
        res = self.res
        return is_fresh(self.method, self.headers, res.status_code, res.headers)

    @property
    def stale(self) -> bool:
        """``not req.fresh``: the client's cached copy, if any, is out of date.

        ::

            if req.stale:
                return res.send(render_page())
        """
        return not self.fresh

    def is_(self, *types: str | list[str] | tuple[str, ...]) -> str | t.Literal[False] | None:
        """Return the first of ``types`` that the request body's
        ``Content-Type`` matches, as Express's ``req.is()`` (``is`` is a
        Python keyword, hence the underscore).

        :param types: MIME types (``"application/json"``), extensions
            (``"json"``, ``"html"``), ``"urlencoded"``, ``"multipart"``,
            wildcards (``"text/*"``, ``"*/json"``) or a ``+suffix``
            (``"+json"``), or one list of them. The matching one is returned
            as given, except that a wildcard or suffix returns the request's
            MIME type. With no argument, the request's MIME type.
        :return: the match, ``False`` when nothing matches or the
            ``Content-Type`` is missing or malformed, and ``None`` when the
            request has no body (no ``Content-Length`` or
            ``Transfer-Encoding``), as in Express.

        ::

            req.is_("json")                  # "json" for application/json
            req.is_("text/*", "json")        # "text/html" for text/html
            req.is_("+json")                 # "application/vnd.api+json"

        :attr:`is_json` and :attr:`mimetype` are Werkzeug's own answers.
        """
        if len(types) == 1 and isinstance(types[0], (list, tuple)):
            types = tuple(types[0])
        for kind in types:
            if not isinstance(kind, str):
                raise TypeError(f"req.is_() takes type names, got {kind!r}")
        length = self.headers.get("Content-Length", "").strip()
        if "Transfer-Encoding" not in self.headers and not (length.isascii() and length.isdigit()):
            return None
        return type_is(self.mimetype, t.cast("tuple[str, ...]", types))


if not t.TYPE_CHECKING:
    # Stubs for the readers of the pieces (req.flashes(), req.signed_cookies,
    # ...) that name the distribution to add. Set after the class body so
    # type checkers never see them; a piece's request mixin, composed in by
    # the app, shadows its stub with the real reader.
    for _name, _stub in missing_names("req").items():
        setattr(Request, _name, _stub)
    del _name, _stub
