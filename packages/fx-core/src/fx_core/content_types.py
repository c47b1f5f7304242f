"""Short type names (``"json"``, ``".png"``) to MIME types, as Express knows them."""

from __future__ import annotations

import mimetypes

__all__ = ["mimetype_for"]

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
