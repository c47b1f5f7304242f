"""The composed response class, at the module path flask-express 0.1.x used."""

from __future__ import annotations

import fx_core

__all__ = ["Response"]


class Response(fx_core.Response):
    """The response class of :class:`flask_express.FlaskExpress`: ``res`` in
    a ``(req, res)`` view.

    A literal class statement (mixins first, then :class:`fx_core.Response`)
    so type checkers and IDEs see every method. It composes the pieces this
    distribution depends on; methods of pieces not composed raise
    :exc:`fx_core.MissingFeature` naming the distribution to install.

    .. versionadded:: 1.0
    """
