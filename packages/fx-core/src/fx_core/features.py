"""The pieces fx-core knows by name but does not contain.

Each optional distribution (fx-cookies, fx-files, fx-render, fx-flash) adds
methods to the response and, for some, a reader on the request. fx-core never
imports them. Instead, :class:`fx_core.Response` carries a stub for each of
their names that raises :exc:`~fx_core.MissingFeature` with the install line;
a composed mixin's real method shadows the stub.
"""

from __future__ import annotations

import typing as t

from .exceptions import MissingFeature

__all__ = ["PIECES", "Piece", "missing_feature_message"]


class Piece(t.NamedTuple):
    """One optional distribution and the names it provides."""

    #: Distribution name on PyPI, e.g. ``"fx-render"``.
    distribution: str
    #: The mixin class to pass to :func:`fx_core.compose`.
    mixin: str
    #: Response methods it adds (``set_cookie`` is not here: on a core-only
    #: response it stays Werkzeug's method, which Flask's sessions call).
    response_methods: tuple[str, ...]
    #: Request readers it brings along (methods or properties of ``req``).
    request_readers: tuple[str, ...] = ()


PIECES: tuple[Piece, ...] = (
    Piece(
        "fx-cookies",
        "CookiesMixin",
        ("cookie", "setCookie", "clear_cookie", "clearCookie"),
        ("signed_cookies",),
    ),
    Piece("fx-files", "FilesMixin", ("attachment", "send_file", "sendFile", "download")),
    Piece("fx-render", "RenderMixin", ("render",)),
    Piece("fx-flash", "FlashMixin", ("flash",), ("flashes",)),
)

#: Request readers that are properties, not methods (no ``()`` in messages).
_READER_PROPERTIES = frozenset({"signed_cookies"})


def missing_feature_message(owner: str, name: str, piece: Piece) -> str:
    """Build the one message form SPEC fixes for a missing piece.

    :param owner: ``"res"`` or ``"req"``.
    :param name: the attribute that was used.
    :param piece: the distribution that provides it.
    """
    call = name if name in _READER_PROPERTIES else f"{name}()"
    return (
        f"{owner}.{call} comes from {piece.distribution}: "
        f"pip install {piece.distribution}, then compose({piece.mixin})"
    )


class MissingMethod:
    """A class attribute that stands for a method of a piece not composed.

    Any access, on the class or an instance, raises
    :exc:`~fx_core.MissingFeature`. A non-data descriptor: a mixin that
    defines the real method shadows it, and lookups of other names never
    reach it, so it costs nothing on the hot path.
    """

    __slots__ = ("message",)

    def __init__(self, name: str, piece: Piece) -> None:
        self.message = missing_feature_message("res", name, piece)

    def __get__(self, instance: object, owner: type | None = None) -> t.NoReturn:
        raise MissingFeature(self.message)


def missing_methods() -> dict[str, MissingMethod]:
    """Return the stubs for every response method of every piece."""
    return {name: MissingMethod(name, piece) for piece in PIECES for name in piece.response_methods}


def reader_piece(name: str) -> Piece:
    """Return the piece that provides the request reader ``name``."""
    for piece in PIECES:
        if name in piece.request_readers:
            return piece
    raise LookupError(name)
