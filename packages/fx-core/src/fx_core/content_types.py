"""MIME types: short names (``"json"``, ``".png"``) as Express knows them, and
Express's type-is matching of a request's ``Content-Type``."""

from __future__ import annotations

import mimetypes
import re
import typing as t

__all__ = ["mimetype_for", "type_is"]

# Looked up before the mimetypes module, whose answers depend on the machine's
# /etc/mime.types and, for "js", on the Python version.
_EXTENSION_TYPES: dict[str, str] = {
    "html": "text/html",
    "htm": "text/html",
    "txt": "text/plain",
    "text": "text/plain",
    "css": "text/css",
    "csv": "text/csv",
    "md": "text/markdown",
    "js": "text/javascript",
    "mjs": "text/javascript",
    "json": "application/json",
    "xml": "application/xml",
    "pdf": "application/pdf",
    "wasm": "application/wasm",
    "bin": "application/octet-stream",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "svg": "image/svg+xml",
    "webp": "image/webp",
    "ico": "image/vnd.microsoft.icon",
}


def mimetype_for(kind: str) -> str | None:
    """Return the MIME type for ``kind``, or ``None`` when it is unknown.

    :param kind: a MIME type (anything with a ``/``, returned as given) or a
        file extension with or without its dot, in any case.
    """
    if "/" in kind:
        return kind
    ext = kind.lstrip(".").lower()
    return _EXTENSION_TYPES.get(ext) or mimetypes.guess_type(f"file.{ext}", strict=False)[0]


# A media type without parameters, as Express's type-is accepts it (media-typer).
_MEDIA_TYPE_RE = re.compile(
    r"[a-z0-9][a-z0-9!#$&^_.-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}", re.ASCII
)


def _type_is_match(expected: str, actual: str) -> bool:
    """Express's type-is match: ``*`` wildcards and ``*/*+json`` suffixes."""
    expected_type, slash, expected_sub = expected.partition("/")
    actual_type, _, actual_sub = actual.partition("/")
    if not slash or "/" in expected_sub:
        return False
    if expected_type not in ("*", actual_type):
        return False
    if expected_sub.startswith("*+"):
        return actual_sub.endswith(expected_sub[1:])
    return expected_sub in ("*", actual_sub)


def _type_is_normalize(kind: str) -> str | None:
    """The MIME type Express's type-is compares ``kind`` as, or ``None``.
    Any case: MIME types ignore case (RFC 9110), though type-is does not."""
    kind = kind.lower()
    if kind == "urlencoded":
        return "application/x-www-form-urlencoded"
    if kind == "multipart":
        return "multipart/*"
    if kind.startswith("+"):
        return f"*/*{kind}"
    return mimetype_for(kind)


def type_is(actual: str, types: tuple[str, ...]) -> str | t.Literal[False]:
    """Express's type-is: the first of ``types`` that the MIME type
    ``actual`` matches, as given (a wildcard or ``+suffix`` gives ``actual``),
    ``actual`` itself when ``types`` is empty, and ``False`` when nothing
    matches or ``actual`` is not a valid media type.

    ::

        type_is("application/vnd.api+json", ("html", "+json"))  # "application/vnd.api+json"
    """
    if not _MEDIA_TYPE_RE.fullmatch(actual):
        return False
    if not types:
        return actual
    for kind in types:
        expected = _type_is_normalize(kind)
        if expected is not None and _type_is_match(expected, actual):
            return actual if kind.startswith("+") or "*" in kind else kind
    return False
