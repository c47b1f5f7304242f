"""The app class that uses the composed :class:`flask_express.Response`."""

from __future__ import annotations

import flask

import fx_core

from .request import Request
from .response import Response

__all__ = ["FlaskExpress"]


class FlaskExpress(fx_core.FlaskExpress):
    """:class:`fx_core.FlaskExpress` with :class:`flask_express.Response`
    as its response class and :class:`flask_express.Request` as its request
    class::

        from flask_express import FlaskExpress

        app = FlaskExpress(__name__)

        @app.get("/")
        def index(req, res):
            return res.send("Hello from Flask-Express")

    .. versionadded:: 1.0
    """

    response_class: type[flask.Response] = Response
    request_class: type[flask.Request] = Request
