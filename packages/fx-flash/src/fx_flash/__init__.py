"""fx-flash: Flash messages for Flask-Express: res.flash and req.flashes()."""

from .__about__ import __version__
from .mixin import FlashMixin, FlashRequest

__all__ = ["FlashMixin", "FlashRequest", "__version__"]
