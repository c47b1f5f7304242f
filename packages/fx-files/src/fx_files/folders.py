"""Where files are looked up, and how a client-chosen name is kept inside its folder."""

from __future__ import annotations

import os
import posixpath
import re
import stat
from functools import lru_cache

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

__all__ = ["attachments_folder", "confined_path", "resolve_folder"]

#: The config key naming the folder :meth:`FilesMixin.attachment` sends from.
ATTACHMENTS_FOLDER = "ATTACHMENTS_FOLDER"

# Longer names cannot exist on any common file system (PATH_MAX is 4096 on
# Linux); refusing them early spares the OS calls.
_MAX_NAME = 4096

# ``C:``-style drive prefixes: harmless on POSIX, but a name that means an
# absolute path on Windows is never a name inside the folder.
_DRIVE = re.compile(r"^[A-Za-z]:")


def resolve_folder(app: Flask, folder: str | os.PathLike[str]) -> str:
    """Return ``folder`` as an absolute path, a relative one taken from
    ``app.root_path`` as Flask does for ``send_from_directory``.
    """
    return os.path.join(app.root_path, os.fspath(folder))


def attachments_folder(app: Flask) -> str:
    """Return ``app``'s ``ATTACHMENTS_FOLDER`` as an absolute path.

    Read from ``app.config`` on every call, so a change made after the app
    was created applies. The default is the ``attachments`` folder next to
    the app (``os.path.join(app.root_path, "attachments")``).
    """
    folder = app.config.get(ATTACHMENTS_FOLDER)
    if folder is None:
        return os.path.join(app.root_path, "attachments")
    return resolve_folder(app, folder)


@lru_cache(maxsize=64)
def _real_folder(folder: str) -> str:
    # The folder's resolved path, kept: resolving it costs a system call per
    # path component on every request. If the folder (or a symlink on its
    # way) is re-pointed while the app runs, the check below fails closed:
    # files are refused, never served from outside.
    return os.path.realpath(folder)


def _plain_file(real_folder: str, name: str) -> str | None:
    """The path of ``name`` under ``real_folder`` when no part of it is a
    symlink and it is a regular file; ``None`` when a part is a symlink (the
    caller then resolves it in full). One ``lstat`` per part of ``name``
    instead of one per part of the whole path, and no second ``stat``.

    :raises NotFound: a part is missing, or the last is not a regular file.
    """
    path = real_folder
    mode = 0
    for part in posixpath.normpath(name).split("/"):
        if part in ("", "."):
            continue
        path = os.path.join(path, part)
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            return None
    if not stat.S_ISREG(mode):
        raise NotFound()
    return path


def confined_path(folder: str, name: str | os.PathLike[str]) -> str:
    """Return the real path of the regular file ``name`` inside ``folder``.

    ``name`` comes from the client (a route variable, a query parameter), so
    anything that could leave ``folder`` is refused: ``..`` segments,
    absolute paths, NUL bytes, backslashes, drive letters, and symlinks whose
    target lies outside the real folder (:func:`~werkzeug.security.safe_join`
    checks only the spelling, not where links point). A directory, a missing
    file or a name the OS rejects are refused the same way.

    :param folder: the trusted, absolute folder.
    :param name: the untrusted name, relative to ``folder``.
    :raises werkzeug.exceptions.NotFound: for every refused name, so the
        app's 404 handler answers and nothing tells a probe which rule hit.
    """
    if not isinstance(name, (str, os.PathLike)):
        raise TypeError(f"a file name must be a str or path, got {type(name).__name__}")
    text = os.fspath(name)
    if not isinstance(text, str):
        raise TypeError(f"a file name must be a str or path, got {type(text).__name__}")
    if len(text) > _MAX_NAME or "\0" in text or "\\" in text or _DRIVE.match(text):
        raise NotFound()
    joined = safe_join(folder, text)
    if joined is None:
        raise NotFound()
    try:
        real_folder = _real_folder(folder)
        direct = _plain_file(real_folder, text)
        if direct is not None:
            return direct
        real_file = os.path.realpath(joined)
        inside = os.path.commonpath([real_folder, real_file]) == real_folder
        if not inside or real_file == real_folder or not os.path.isfile(real_file):
            raise NotFound()
    except (OSError, ValueError) as e:
        # ENAMETOOLONG, ELOOP, paths on another drive (ValueError on
        # Windows): none of them names a file in the folder.
        raise NotFound() from e
    return real_file
