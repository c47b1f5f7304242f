"""The FlashMixin: ``res.flash`` and, on the request side, ``req.flashes()``."""

from __future__ import annotations

import sys
import typing as t
from collections.abc import Iterable

import flask
from flask import flash, get_flashed_messages, session

import fx_core

if t.TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from typing import Self
    else:
        from typing_extensions import Self

__all__ = ["FlashMixin", "FlashRequest"]


class FlashRequest(fx_core.Request):
    """The request side of fx-flash: ``req.flashes()``.

    :class:`FlashMixin` brings it along as its
    :attr:`~fx_core.Response.request_mixin`, so an app that composes
    ``FlashMixin`` has it on every request.

    .. versionadded:: 1.0
    """

    def flashes(
        self,
        with_categories: bool = False,
        category_filter: Iterable[str] = (),
    ) -> list[t.Any]:
        """Return and consume the flashed messages, as
        :func:`flask.get_flashed_messages`.

        The first call in a request takes the messages out of the session,
        and later calls in the same request return the same ones.

        :param with_categories: return ``(category, message)`` pairs instead
            of messages.
        :param category_filter: only messages of these categories. A single
            ``str`` is one category (Flask would test it as a substring).

        ::

            for category, message in req.flashes(with_categories=True):
                ...
        """
        if isinstance(category_filter, str):
            category_filter = (category_filter,)
        return get_flashed_messages(
            with_categories=with_categories, category_filter=category_filter
        )


class FlashMixin(fx_core.Response):
    """Adds :meth:`flash` to :class:`fx_core.Response`, and ``req.flashes()``
    to the request of an app that composes it::

        from fx_core import FlaskExpress, compose
        from fx_flash import FlashMixin

        app = FlaskExpress(__name__, response_class=compose(FlashMixin))
        app.secret_key = "a long random value"

        @app.post("/items")
        def create(req, res):
            return res.flash("Item saved", "success").redirect("/items")

        @app.get("/items")
        def items(req, res):
            return res.json(req.flashes(with_categories=True))

    .. versionadded:: 1.0
    """

    #: Brings ``req.flashes()`` to apps whose response class composes this mixin.
    request_mixin: t.ClassVar[type[flask.Request] | None] = FlashRequest

    def flash(self, message: str, category: str = "info") -> Self:
        """Flash a message to the next request; chainable.

        Stores the message in the session through :func:`flask.flash`, so
        Flask's ``message_flashed`` signal fires, and the next request reads
        it with ``req.flashes()`` or, in a template,
        ``get_flashed_messages()``.

        Flashing needs a session: on an app without a ``SECRET_KEY`` this
        raises :exc:`RuntimeError` saying how to set one, and changes
        nothing.

        :param message: the message.
        :param category: its category, ``"info"`` by default (Flask's
            ``flash`` uses ``"message"``); e.g. ``"error"``, ``"warning"``,
            ``"success"``.

        ::

            return res.flash("Saved").flash("3 items left", "warning").redirect("/")

        .. versionadded:: 1.0
        """
        if self.app.session_interface.is_null_session(session):
            raise RuntimeError(
                "res.flash() needs a session, and this app has none because no secret "
                "key was set: set app.secret_key (or app.config['SECRET_KEY']) to a long "
                "random value, e.g. from secrets.token_hex()"
            )
        flash(message, category)
        return self
