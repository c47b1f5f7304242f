"""Exceptions raised by Flask-Express at the call that misused the API."""

from __future__ import annotations

__all__ = ["MissingFeature", "ResponseAlreadySent"]


class ResponseAlreadySent(RuntimeError):
    """A terminal method (``send``, ``json``, ``end``, ``redirect``, ...) was
    called on a response that an earlier terminal method already finished.

    Express refuses to send a response twice; so does Flask-Express. Headers,
    cookies and status may still be changed after the response was finished,
    until it leaves the view.

    .. versionadded:: 1.0
    """


class MissingFeature(AttributeError):
    """A method of a piece that is not installed, or not composed into the
    app's response class, was used.

    The message names the distribution that provides it and how to add it,
    for example ``res.render() comes from fx-render: pip install fx-render,
    then compose(RenderMixin)``. It subclasses :exc:`AttributeError`, so
    ``hasattr(res, "render")`` is ``False`` when the piece is missing.

    .. versionadded:: 1.0
    """
