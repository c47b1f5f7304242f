"""The pieces fx-core knows by name but does not contain.

Each optional distribution (fx-cookies, fx-files, fx-render, fx-flash,
fx-sse) adds methods to the response and, for some, readers to the request.
fx-core never imports them. All it keeps about them is this table: which
distribution provides which name, so that using a name of a piece that is
not there raises :exc:`~fx_core.MissingFeature` with the line that adds it.
:class:`fx_core.Response` and :class:`fx_core.Request` carry a stub for each
name; a composed mixin's real method shadows it.

How a piece is written is described in the docs' "Writing a piece" page.
"""

from __future__ import annotations

import typing as t
from importlib.util import find_spec

from .exceptions import MissingFeature

__all__ = ["PIECES", "MissingName", "Piece", "missing_feature_message", "missing_names"]


class Piece(t.NamedTuple):
    """One optional distribution and the names it provides."""

    #: Distribution name on PyPI, e.g. ``"fx-render"``.
    distribution: str
    #: The mixin class to pass to :func:`fx_core.compose`.
    mixin: str
    #: Response methods it adds (``set_cookie`` is not here: on a core-only
    #: response it stays Werkzeug's method, which Flask's sessions call).
    response_methods: tuple[str, ...]
    #: Request methods it brings along (``req.flashes()``).
    request_methods: tuple[str, ...] = ()
    #: Request properties it brings along (``req.signed_cookies``).
    request_properties: tuple[str, ...] = ()

    @property
    def module(self) -> str:
        """The import name: the distribution's, with ``_`` for ``-``."""
        return self.distribution.replace("-", "_")


#: Every piece, in the order the meta-package composes them.
PIECES: tuple[Piece, ...] = (
    Piece(
        "fx-cookies",
        "CookiesMixin",
        ("cookie", "setCookie", "clear_cookie", "clearCookie"),
        request_properties=("signed_cookies",),
    ),
    Piece("fx-files", "FilesMixin", ("attachment", "send_file", "sendFile", "download")),
    Piece("fx-render", "RenderMixin", ("render",)),
    Piece("fx-flash", "FlashMixin", ("flash",), request_methods=("flashes",)),
    Piece("fx-sse", "SSEMixin", ("sse",), request_properties=("last_event_id",)),
)


def missing_feature_message(owner: str, name: str, piece: Piece) -> str:
    """Build the message of :exc:`~fx_core.MissingFeature` for ``name``.

    Two forms: for a piece that is not installed,
    ``res.render() comes from fx-render: pip install fx-render, then
    compose(RenderMixin)``; for one that is installed but not composed into
    the app's response class,
    ``res.render() comes from fx-render, which is installed: compose(RenderMixin)``.

    :param owner: ``"res"`` or ``"req"``.
    :param name: the attribute that was used.
    :param piece: the distribution that provides it.
    """
    call = name if name in piece.request_properties else f"{name}()"
    if find_spec(piece.module) is not None:
        return (
            f"{owner}.{call} comes from {piece.distribution}, which is installed: "
            f"compose({piece.mixin})"
        )
    return (
        f"{owner}.{call} comes from {piece.distribution}: "
        f"pip install {piece.distribution}, then compose({piece.mixin})"
    )


class MissingName:
    """A class attribute that stands for a name of a piece not composed.

    Any access, on the class or an instance, raises
    :exc:`~fx_core.MissingFeature`. A non-data descriptor: a mixin that
    defines the real name shadows it, and lookups of other names never reach
    it, so it costs nothing on the hot path. The message is built when the
    name is used, so it tells whether the piece is installed by then.
    """

    __slots__ = ("name", "owner", "piece")

    def __init__(self, owner: str, name: str, piece: Piece) -> None:
        self.owner = owner
        self.name = name
        self.piece = piece

    def __get__(self, instance: object, owner: type | None = None) -> t.NoReturn:
        raise MissingFeature(missing_feature_message(self.owner, self.name, self.piece))


def missing_names(owner: t.Literal["res", "req"]) -> dict[str, MissingName]:
    """Return a stub for every response (``"res"``) or request (``"req"``)
    name of every piece."""
    if owner == "res":
        return {
            name: MissingName(owner, name, piece)
            for piece in PIECES
            for name in piece.response_methods
        }
    return {
        name: MissingName(owner, name, piece)
        for piece in PIECES
        for name in (*piece.request_methods, *piece.request_properties)
    }
