"""The request class, at the module path flask-express 0.1.x used."""

from fx_core import Request

__all__ = ["Request"]
