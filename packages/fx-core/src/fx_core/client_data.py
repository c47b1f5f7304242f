"""The Munch views of what the client sent: ``req.query``, ``req.body``,
``req.json``, ``req.header``, ``req.cookies``, and ``req.session``.

Attribute access reads like JavaScript (``req.query.page``); a key the
client did not send raises :exc:`MissingKey`, a 400.
"""

from __future__ import annotations

import typing as t
from collections.abc import Iterator, MutableMapping

from munch import Munch
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

__all__ = [
    "ClientData",
    "CookieMunch",
    "FormMunch",
    "HeaderMunch",
    "JSONList",
    "JSONMunch",
    "MissingKey",
    "QueryMunch",
    "SessionView",
    "json_view",
    "multidict_munch",
    "source_of",
]


class MissingKey(BadRequest, AttributeError):
    """Attribute access to a key the client did not send.

    An :exc:`AttributeError`, as Munch raises, so ``getattr(req.query, "page",
    1)`` and ``hasattr`` work; and a 400 Bad Request, so a view that reads
    ``req.query.page`` answers a request without ``?page=`` with 400 and a
    clear message instead of a 500, as ``request.args["page"]`` does in Flask.

    .. versionadded:: 1.0
    """

    #: The attribute that was read; Python sets it, as on any AttributeError.
    attribute: str | None = None

    # Werkzeug renders ``name`` as the status title, and Python stores the
    # missing attribute's name in ``name`` when __getattr__ raises; both must
    # work, so the title stays computed and the stored name goes aside.
    @property
    def name(self) -> str:
        return super().name

    @name.setter
    def name(self, value: str | None) -> None:
        self.attribute = value


# What each view calls a key in the 400 message. Kept outside the classes so
# that no name of the project's own shadows a key the client sent: a query
# parameter named ``source`` reads as itself.
_SOURCES: dict[type, str] = {}


class ClientData(Munch):  # type: ignore[misc]  # munch ships no types
    """A Munch of data the client sent; a missing key read as an attribute
    raises :exc:`MissingKey` (400). ``.get()`` and ``in`` work as usual.

    Every key the client sent reads as itself, as an attribute too: the
    class defines no attribute of its own that could shadow one. The names
    of dict methods (``get``, ``items``, ``keys``, ``pop``, ...) and Munch's
    (``toDict``, ``copy``, ...) stay methods, so ``req.query.get("page")`` is
    safe from a client that sends ``get=``; read such keys with
    ``req.query["get"]``.

    A subclass names its keys for the 400 message with a class keyword::

        class SignedCookieMunch(CookieMunch, source="signed cookie"):
            ...
    """

    def __init_subclass__(cls, source: str | None = None, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if source is not None:
            _SOURCES[cls] = source

    def __getattr__(self, key: str) -> t.Any:
        try:
            return super().__getattr__(key)
        except AttributeError:
            if key.startswith("__"):  # protocol probes (copy, pickle) stay plain
                raise
            raise MissingKey(f"The request has no {source_of(self)} {key!r}.") from None


def source_of(data: object) -> str:
    """What ``data``'s keys are called in messages: ``"query parameter"`` for
    ``req.query``, ``"key"`` for a view that did not say."""
    for cls in type(data).__mro__:
        found = _SOURCES.get(cls)
        if found is not None:
            return found
    return "key"


class QueryMunch(ClientData, source="query parameter"):
    """``req.query``: the query string parameters."""


class FormMunch(ClientData, source="form field"):
    """``req.body``: the form fields."""


class JSONMunch(ClientData, source="JSON key"):
    """An object of ``req.json``, at any depth."""


class JSONList(list):  # type: ignore[type-arg]
    """An array of ``req.json``, at any depth: a ``list`` whose attribute
    access (``req.json.title`` on ``[1, 2]``) is a 400 that says an object
    was expected, instead of Python's :exc:`AttributeError` (a 500). List
    methods (``count``, ``index``, ...) stay methods.

    .. versionadded:: 1.0
    """

    def __getattr__(self, key: str) -> t.NoReturn:
        if key.startswith("__"):
            raise AttributeError(key)
        raise MissingKey(
            f"The JSON body has an array where an object was expected (reading {key!r})."
        )


def json_view(value: t.Any) -> t.Any:
    """``value`` (parsed JSON) with every object a :class:`JSONMunch` and
    every array a :class:`JSONList`, recursively; other values as they are."""
    if isinstance(value, dict):
        return JSONMunch((key, json_view(item)) for key, item in value.items())
    if isinstance(value, list):
        return JSONList(json_view(item) for item in value)
    return value


class CookieMunch(ClientData, source="cookie"):
    """``req.cookies``: the request cookies."""


def multidict_munch(data: MultiDict[str, str], cls: type[ClientData]) -> ClientData:
    """One key per name; a name given several times maps to the list of values.

    Werkzeug files a multipart part that has no ``name`` under ``None``;
    such a part cannot be read by name, and a ``None`` key next to ``str``
    keys would make ``res.json(req.body)`` fail (a 500), so it is left out.
    """
    return cls(
        (key, values[0] if len(values) == 1 else values)
        for key, values in data.lists()
        if isinstance(key, str)
    )


def _header_key(name: object) -> object:
    return name.lower().replace("_", "-") if isinstance(name, str) else name


class HeaderMunch(ClientData, source="header"):
    """Request headers as a Munch, keyed by lower-case name as in Node.

    Lookups ignore case and accept ``_`` for ``-``, so ``h.user_agent``,
    ``h["User-Agent"]`` and ``h.get("user-agent")`` find the same value.
    """

    def __missing__(self, name: object) -> t.Any:
        key = _header_key(name)
        if key != name and dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or dict.__contains__(self, _header_key(name))

    def get(self, name: object, default: t.Any = None) -> t.Any:
        try:
            return self[name]
        except KeyError:
            return default

    def __call__(self, name: str) -> str | None:
        """``req.header(name)``: a header's value or ``None``, as Express's
        ``req.header`` (an alias of ``req.get``).

        :raises TypeError: ``name`` is not a ``str``.
        """
        if not isinstance(name, str):
            raise TypeError(f"req.header() takes a header name as a str, got {type(name).__name__}")
        value = self.get(name)
        if value is None and name.lower() in ("referer", "referrer"):
            value = self.get("referer") or self.get("referrer")
        return t.cast("str | None", value)


class SessionView(MutableMapping[str, t.Any]):
    """Flask's session with attribute access: ``req.session.user``.

    Every read and write goes to :data:`flask.session`, so Flask's change
    tracking (and the cookie it sends) works as usual.
    """

    __slots__ = ("_session",)

    def __init__(self, flask_session: MutableMapping[str, t.Any]) -> None:
        object.__setattr__(self, "_session", flask_session)

    def __getitem__(self, key: str) -> t.Any:
        return self._session[key]

    def __setitem__(self, key: str, value: t.Any) -> None:
        self._session[key] = value

    def __delitem__(self, key: str) -> None:
        del self._session[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._session)

    def __len__(self) -> int:
        return len(self._session)

    def __getattr__(self, key: str) -> t.Any:
        try:
            return self._session[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: t.Any) -> None:
        if key == "permanent":
            object.__setattr__(self, key, value)  # the property's setter
        else:
            self._session[key] = value

    def __delattr__(self, key: str) -> None:
        try:
            del self._session[key]
        except KeyError:
            raise AttributeError(key) from None

    @property
    def permanent(self) -> bool:
        """Whether the session outlives the browser (Flask's ``session.permanent``)."""
        return bool(getattr(self._session, "permanent", False))

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self._session.permanent = value

    def clear(self) -> None:
        self._session.clear()

    def __repr__(self) -> str:
        return f"<SessionView {dict(self._session)!r}>"
