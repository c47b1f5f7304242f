"""fx-sse: Server-Sent Events for Flask-Express: res.sse and req.last_event_id."""

from .__about__ import __version__
from .channels import (
    Channel,
    ChannelError,
    MemoryChannel,
    RedisChannel,
    Subscription,
    channel,
)
from .mixin import SSEMixin, SSERequest

__all__ = [
    "Channel",
    "ChannelError",
    "MemoryChannel",
    "RedisChannel",
    "SSEMixin",
    "SSERequest",
    "Subscription",
    "__version__",
    "channel",
]
