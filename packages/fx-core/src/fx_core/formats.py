"""``res.format``: checking its handlers and choosing one for the ``Accept`` header."""

from __future__ import annotations

import typing as t
from collections.abc import Callable, Mapping

from werkzeug.exceptions import NotAcceptable

from .content_types import mimetype_for
from .headers import header_value
from .http import negotiate

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["FormatNotAcceptable", "choose_format"]


class FormatNotAcceptable(NotAcceptable):
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


def choose_format(
    handlers: Mapping[str, Callable[[], t.Any]], accept: str | None
) -> tuple[str | None, Callable[[], t.Any], str]:
    """Check the handlers of ``res.format`` and choose one for the
    ``Accept`` header: its key (``None`` for ``"default"``), the handler,
    and the key's MIME type (``""`` for ``"default"``).

    Keys are MIME types or extensions; each must be one a header can carry.
    :func:`~fx_core.http.negotiate` chooses among them; ``"default"`` is
    taken when nothing matches.

    :raises TypeError: ``handlers`` is not a mapping, a key is not a
        ``str``, or a handler is not callable.
    :raises ValueError: a key is neither a MIME type nor a known extension,
        or holds what no header can.
    :raises FormatNotAcceptable: nothing matches and there is no default.
    """
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
        # It may become the Content-Type: refuse at the call what no header
        # can carry, rather than fail when the response is written.
        header_value("Content-Type", mimetype)
        offered[key] = mimetype
    chosen = negotiate(accept, offered)
    if chosen is not None:
        return chosen, handlers[chosen], offered[chosen]
    if default is None:
        raise FormatNotAcceptable(list(offered.values()))
    return None, default, ""
