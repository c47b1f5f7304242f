"""Offloading file bodies to nginx: the ``FX_ACCEL_REDIRECT`` setting."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import quote

import flask

__all__ = ["ACCEL_REDIRECT", "accel_location"]

#: The config key: a mapping of served folders to nginx ``internal`` location
#: prefixes, e.g. ``{"/srv/files": "/_protected/"}``.
ACCEL_REDIRECT = "FX_ACCEL_REDIRECT"


def _mapping(app: flask.Flask) -> list[tuple[str, str]]:
    setting = app.config.get(ACCEL_REDIRECT)
    if not setting:
        return []
    if not isinstance(setting, Mapping):
        raise TypeError(
            f"{ACCEL_REDIRECT} must map folders to nginx location prefixes, got {setting!r}"
        )
    pairs = []
    for folder, prefix in setting.items():
        if not isinstance(folder, (str, os.PathLike)):
            raise TypeError(f"{ACCEL_REDIRECT}: a folder must be a path, got {folder!r}")
        if not isinstance(prefix, str) or not (prefix.startswith("/") and prefix.endswith("/")):
            raise ValueError(
                f"{ACCEL_REDIRECT}: the location for {folder!r} must be a path that starts "
                f"and ends with '/', like '/_protected/', got {prefix!r}"
            )
        # The location is written into a header: it must be one safe line.
        if prefix != quote(prefix, safe="/-._~!$&'()*+,;=:@%"):
            raise ValueError(f"{ACCEL_REDIRECT}: the location {prefix!r} needs URL-encoding")
        root = os.path.realpath(os.path.join(app.root_path, os.fspath(folder)))
        pairs.append((root, prefix))
    return pairs


def accel_location(app: flask.Flask, path: str | os.PathLike[str]) -> str | None:
    """The ``X-Accel-Redirect`` URI for the file at ``path``, or ``None``
    when no folder of ``FX_ACCEL_REDIRECT`` holds it.

    ``path`` (relative ones from ``app.root_path``) is resolved first, so the
    URI names the file itself, never a symlink: nginx can refuse every
    symlink (``disable_symlinks on``) and still serve every file the app
    allowed. The path inside the folder is percent-encoded.
    """
    pairs = _mapping(app)
    if not pairs:
        return None
    real = os.path.realpath(os.path.join(app.root_path, os.fspath(path)))
    for root, prefix in pairs:
        if real != root and os.path.commonpath((root, real)) == root:
            inside = os.path.relpath(real, root).replace(os.sep, "/")
            return prefix + quote(inside, safe="/")
    return None
