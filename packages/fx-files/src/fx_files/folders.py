"""Where files are looked up, and how a client-chosen name is kept inside its folder."""

from __future__ import annotations

import errno
import os
import posixpath
import re
import stat

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

__all__ = ["attachments_folder", "confined_path", "open_confined", "resolve_folder"]

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


# Directories on the way are opened only to walk through them; the file at
# the end is opened to be sent. O_NOFOLLOW makes every open refuse a
# symlink, so what was checked is what is sent: nothing can be swapped in
# between. O_NONBLOCK keeps a FIFO from blocking the open (it is refused
# after fstat); regular files ignore it. O_NOCTTY: never a controlling tty.
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC
_DIR_FLAGS = _FOLDER_FLAGS | _NOFOLLOW
_FILE_FLAGS = (
    os.O_RDONLY | _NOFOLLOW | _CLOEXEC | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
)
# As the kernel's own limit on links followed in one lookup.
_MAX_LINKS = 40
# What an O_NOFOLLOW open answers for a symlink: ELOOP for the last part,
# ENOTDIR (with O_DIRECTORY) for a folder on the way; also a plain file
# where a folder was expected, which readlink then tells apart.
_MAYBE_LINK = frozenset({errno.ELOOP, errno.ENOTDIR, errno.EMLINK})


def _check_name(name: str | os.PathLike[str]) -> str:
    """The client's name, normalized, or :exc:`NotFound` for a name that can
    never be a file inside the folder."""
    if not isinstance(name, (str, os.PathLike)):
        raise TypeError(f"a file name must be a str or path, got {type(name).__name__}")
    text = os.fspath(name)
    if not isinstance(text, str):
        raise TypeError(f"a file name must be a str or path, got {type(text).__name__}")
    if len(text) > _MAX_NAME or "\0" in text or "\\" in text or _DRIVE.match(text):
        raise NotFound()
    # What Werkzeug's safe_join refuses on POSIX, by the spelling alone
    # (``..`` after normalizing, absolute paths), without its join; the
    # walk below refuses the rest. Windows adds device names: safe_join.
    normalized = posixpath.normpath(text)
    if (
        normalized in (".", "..")
        or normalized.startswith(("/", "../"))
        or (os.name == "nt" and safe_join("/", text) is None)
    ):
        raise NotFound()
    return normalized


def _open_walk(folder: str, parts: list[str]) -> tuple[int, list[str]]:
    """Open ``parts`` under ``folder``, one at a time from the descriptor of
    the folder before, never following a symlink from the client's name;
    return the open descriptor of the last part and the parts walked.

    A symlink on the way is read (``readlink``) and its target walked the
    same way, from the descriptors already open: it is served only when
    every step stays inside the folder. An absolute target is taken relative
    to the folder's real path; ``..`` can never climb above the folder.
    """
    stack = [os.open(folder, _FOLDER_FLAGS)]  # the folder itself is trusted
    walked: list[str] = []
    pending = parts[::-1]
    links = 0
    try:
        while pending:
            part = pending.pop()
            if part == "..":
                if len(stack) == 1:
                    raise NotFound()
                os.close(stack.pop())
                walked.pop()
                continue
            last = not pending
            try:
                fd = os.open(part, _FILE_FLAGS if last else _DIR_FLAGS, dir_fd=stack[-1])
            except OSError as e:
                if e.errno not in _MAYBE_LINK:
                    raise
                target = os.readlink(part, dir_fd=stack[-1])  # EINVAL: not a link
                links += 1
                if links > _MAX_LINKS:
                    raise NotFound() from e
                if target.startswith("/"):
                    real = os.path.realpath(folder)
                    if target != real and not target.startswith(real.rstrip("/") + "/"):
                        raise NotFound() from e
                    target = target[len(real) :]
                    while len(stack) > 1:
                        os.close(stack.pop())
                    walked.clear()
                pending.extend(p for p in target.split("/")[::-1] if p not in ("", "."))
                continue
            if last:
                walked.append(part)
                return fd, walked
            stack.append(fd)
            walked.append(part)
        raise NotFound()  # the walk ended on the folder or a folder in it
    finally:
        for held in stack:
            os.close(held)


def open_confined(folder: str, name: str | os.PathLike[str]) -> tuple[int, str, os.stat_result]:
    """Open the regular file ``name`` inside ``folder`` and return its
    descriptor, its path, and its :func:`os.fstat`.

    ``name`` comes from the client (a route variable, a query parameter), so
    anything that could leave ``folder`` is refused: ``..`` segments,
    absolute paths, NUL bytes, backslashes, drive letters, and symlinks that
    lead outside the folder. The folder itself (``folder``, the
    programmer's) may be a symlink and is opened on every call, so a
    re-pointed folder is followed on the next request.

    The file is opened by walking ``name`` from the folder's descriptor, one
    part at a time with ``O_NOFOLLOW``: a part swapped for a symlink between
    a check and the open cannot happen, because there is no second open. A
    symlink in ``name`` is resolved by the same walk, so one whose target
    stays inside the folder is served and any other is refused. The file
    must be a regular file (by :func:`os.fstat` of the descriptor).

    The caller owns the descriptor and must close it.

    :param folder: the trusted, absolute folder.
    :param name: the untrusted name, relative to ``folder``.
    :raises werkzeug.exceptions.NotFound: for every refused name, so the
        app's 404 handler answers and nothing tells a probe which rule hit.
    """
    normalized = _check_name(name)
    parts = normalized.split("/")
    try:
        fd, walked = _open_walk(folder, parts)
    except (OSError, ValueError) as e:
        # ENOENT, ENAMETOOLONG, ELOOP, EINVAL from readlink of a plain file:
        # none of them names a file in the folder.
        raise NotFound() from e
    try:
        st = os.fstat(fd)
    except OSError as e:
        os.close(fd)
        raise NotFound() from e
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise NotFound()
    # The path as send_from_directory spells it, for the ETag and X-Sendfile.
    path = posixpath.join(folder, normalized if walked == parts else "/".join(walked))
    return fd, path, st


def confined_path(folder: str, name: str | os.PathLike[str]) -> str:
    """Return the path of the regular file ``name`` inside ``folder``,
    checked as :func:`open_confined` does (the file is opened and closed).

    Whatever opens the path afterwards opens it again: use this only where
    that is the point (``X-Sendfile``, where the front server sends it).
    """
    fd, path, _ = open_confined(folder, name)
    os.close(fd)
    return path
