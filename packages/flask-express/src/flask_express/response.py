"""The composed response class, at the module path flask-express 0.1.x used."""

from __future__ import annotations

import fx_core
from fx_cookies import CookiesMixin
from fx_files import FilesMixin
from fx_flash import FlashMixin
from fx_render import RenderMixin
from fx_sse import SSEMixin

__all__ = ["Response"]


class Response(CookiesMixin, FilesMixin, RenderMixin, FlashMixin, SSEMixin, fx_core.Response):
    """The response class of :class:`flask_express.FlaskExpress`: ``res`` in
    a ``(req, res)`` view, with every piece of Flask-Express.

    A literal class statement (mixins first, then :class:`fx_core.Response`)
    so type checkers and IDEs see every method; its MRO is the one
    ``compose(CookiesMixin, FilesMixin, RenderMixin, FlashMixin, SSEMixin)``
    builds.

    - fx-core: ``send``, ``json``, ``end``, ``send_status``, ``set``,
      ``append``, ``get``, ``type``, ``redirect``, ``make_response``, ``locals``;
    - fx-cookies: ``set_cookie`` (``cookie``, ``setCookie``), ``clear_cookie``
      (``clearCookie``), signed cookies and ``req.signed_cookies``;
    - fx-files: ``attachment``, ``send_file`` (``sendFile``), ``download``;
    - fx-render: ``render``;
    - fx-flash: ``flash`` and ``req.flashes()``;
    - fx-sse: ``sse`` (Server-Sent Events) and ``req.last_event_id``.

    .. versionadded:: 1.0
    """
