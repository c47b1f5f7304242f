"""fx-render: Templates for Flask-Express: res.render of a template file or a template string."""

from .__about__ import __version__
from .mixin import RenderMixin

__all__ = ["RenderMixin", "__version__"]
