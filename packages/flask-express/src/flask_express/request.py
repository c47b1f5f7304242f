"""The composed request class, at the module path flask-express 0.1.x used."""

from __future__ import annotations

import fx_core
from fx_cookies import CookiesRequest
from fx_flash import FlashRequest
from fx_sse import SSERequest

__all__ = ["Request"]


class Request(CookiesRequest, FlashRequest, SSERequest, fx_core.Request):
    """The request class of :class:`flask_express.FlaskExpress`: ``req`` in a
    ``(req, res)`` view, with the readers every piece brings.

    A literal class statement, as :class:`flask_express.Response` is, so type
    checkers and IDEs see every reader; it is the class
    :func:`fx_core.compose_request` builds for :class:`flask_express.Response`.

    - fx-core: ``query``, ``body``, ``json``, ``params``, ``header``,
      ``cookies``, ``session``, ``get``, ``accepts``, ``is_``, and Express's
      ``ip``, ``hostname``, ``protocol``, ``secure``, ``fresh``, ...;
    - fx-cookies: ``signed_cookies``;
    - fx-flash: ``flashes()``;
    - fx-sse: ``last_event_id``.

    .. versionadded:: 1.0
    """
