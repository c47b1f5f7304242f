"""fx-sse: Server-Sent Events for Flask-Express: res.sse and req.last_event_id."""

from .__about__ import __version__
from .mixin import SSEMixin, SSERequest

__all__ = ["SSEMixin", "SSERequest", "__version__"]
