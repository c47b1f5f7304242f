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
    "JSONMunch",
    "MissingKey",
    "QueryMunch",
    "SessionView",
    "multidict_munch",
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


class ClientData(Munch):  # type: ignore[misc]  # munch ships no types
    """A Munch of data the client sent; a missing key read as an attribute
    raises :exc:`MissingKey` (400). ``.get()`` and ``in`` work as usual."""

    #: What a key is called in the 400 message.
    source: t.ClassVar[str] = "key"

    def __getattr__(self, key: str) -> t.Any:
        try:
            return super().__getattr__(key)
        except AttributeError:
            if key.startswith("__"):  # protocol probes (copy, pickle) stay plain
                raise
            raise MissingKey(f"The request has no {self.source} {key!r}.") from None


class QueryMunch(ClientData):
    """``req.query``: the query string parameters."""

    source = "query parameter"


class FormMunch(ClientData):
    """``req.body``: the form fields."""

    source = "form field"


class JSONMunch(ClientData):
    """An object of ``req.json``, at any depth."""

    source = "JSON key"


class CookieMunch(ClientData):
    """``req.cookies``: the request cookies."""

    source = "cookie"


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


class HeaderMunch(ClientData):
    """Request headers as a Munch, keyed by lower-case name as in Node.

    Lookups ignore case and accept ``_`` for ``-``, so ``h.user_agent``,
    ``h["User-Agent"]`` and ``h.get("user-agent")`` find the same value.
    """

    @staticmethod
    def _key(name: object) -> object:
        return name.lower().replace("_", "-") if isinstance(name, str) else name

    def __missing__(self, name: object) -> t.Any:
        key = self._key(name)
        if key != name and dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or dict.__contains__(self, self._key(name))

    source = "header"

    def get(self, name: object, default: t.Any = None) -> t.Any:
        try:
            return self[name]
        except KeyError:
            return default


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
