"""fx-flash: Flash messages for Flask-Express: res.flash and req.flashes()."""

from .__about__ import __version__
from .mixin import FlashMixin

__all__ = ["FlashMixin", "__version__"]
