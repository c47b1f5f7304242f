"""Flask-Express: Express-style ``(req, res)`` views for Flask.

The meta-package: it depends on every Flask-Express piece and re-exports the
names most apps need.

::

    from flask_express import FlaskExpress

    app = FlaskExpress(__name__)

    @app.get("/hello/<name>")
    def hello(req, res):
        return res.json({"hello": req.params.name})
"""

from fx_core import Blueprint, MissingFeature, ResponseAlreadySent, compose

from .__about__ import __version__
from .app import FlaskExpress
from .request import Request
from .response import Response

__all__ = [
    "Blueprint",
    "FlaskExpress",
    "MissingFeature",
    "Request",
    "Response",
    "ResponseAlreadySent",
    "__version__",
    "compose",
]
