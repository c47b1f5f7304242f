"""fx-core: Express-style ``(req, res)`` views for Flask.

::

    from fx_core import FlaskExpress

    app = FlaskExpress(__name__)

    @app.get("/users/<int:id>")
    def user(req, res):
        return res.json({"id": req.params.id, "fields": req.query.get("fields")})
"""

from .__about__ import __version__
from .app import Blueprint, FlaskExpress
from .client_data import MissingKey
from .compose import compose, compose_request
from .exceptions import MissingFeature, ResponseAlreadySent
from .request import Request
from .response import Response

__all__ = [
    "Blueprint",
    "FlaskExpress",
    "MissingFeature",
    "MissingKey",
    "Request",
    "Response",
    "ResponseAlreadySent",
    "__version__",
    "compose",
    "compose_request",
]
