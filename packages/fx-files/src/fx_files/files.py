"""The response methods that send files: ``attachment``, ``send_file``, ``download``."""

from __future__ import annotations

import errno
import io
import os
import posixpath
import re
import sys
import typing as t
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from urllib.parse import quote
from zlib import adler32

import flask
from werkzeug.datastructures import Headers
from werkzeug.exceptions import NotFound
from werkzeug.http import parse_if_range_header
from werkzeug.utils import get_content_type
from werkzeug.utils import send_file as werkzeug_send_file

import fx_core
from fx_core.http import check_field_value

from .accel import ACCEL_REDIRECT, accel_location
from .folders import attachments_folder, confined_path, open_confined, resolve_folder

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    if sys.version_info >= (3, 11):
        from typing import Self
    else:
        from typing_extensions import Self

__all__ = ["FilesMixin"]

#: What ``max_age`` accepts, as for :func:`flask.send_file`.
MaxAge = int | t.Callable[[str | None], int | None] | None


class _DefaultTrue:
    """The default of ``etag``: true, but told apart from an explicit
    ``etag=True`` so that ``add_etags`` given with it can be refused."""

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return "True"


_ETAG_DEFAULT: t.Any = _DefaultTrue()

# Old Flask (< 2.0) names and the names that replaced them.
_RENAMED = (
    ("attachment_filename", "download_name"),
    ("add_etags", "etag"),
    ("cache_timeout", "max_age"),
)

# Keyword options attachment() and download() pass on to send_file.
_SEND_OPTIONS = frozenset(
    {"mimetype", "conditional", "etag", "last_modified", "max_age"}.union(*_RENAMED)
)

# These describe the bytes sent, so the file response's values replace any
# the view set before (or remove them when the file response has none).
_FILE_HEADERS = frozenset(
    {
        "content-length",
        "content-range",
        "content-disposition",
        "etag",
        "last-modified",
        "accept-ranges",
    }
)

# What the file layer answers with 404, as Express's send does for
# ENOENT, ENOTDIR and ENAMETOOLONG; other OS errors on a trusted path (a
# permission problem, say) are the programmer's to see.
_NOT_FOUND_ERRNOS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG})


def _overflows(value: str) -> bool:
    """Whether Werkzeug's date parser raises :exc:`OverflowError` for
    ``value``: a date whose year or zone offset does not fit a
    :class:`~datetime.datetime` (``+9999999999999999999``)."""
    try:
        parse_if_range_header(value)  # a date as parse_date reads it, or an ETag
    except OverflowError:
        return True
    return False


def _weak(if_range: str) -> bool:
    """Whether an ``If-Range`` holds a weak entity-tag, which never matches
    (RFC 9110 13.1.5); Werkzeug compares it as if it were strong."""
    return if_range.lstrip().startswith("W/")


@contextmanager
def _unusable_conditions_ignored(environ: WSGIEnvironment) -> Iterator[None]:
    """Hide, while the file response is built, the conditional headers
    Werkzeug would get wrong.

    - A date Werkzeug cannot parse without :exc:`OverflowError` (a 500, after
      the file was opened) is no valid HTTP date, and RFC 9110 says what to
      do with one: an ``If-Modified-Since`` is ignored; an ``If-Range``
      validator that does not match means the ``Range`` is ignored and the
      whole file is sent, as Werkzeug already does for other invalid dates.
    - A weak ``If-Range`` ETag never matches (RFC 9110 13.1.5), so the
      ``Range`` is ignored too; Werkzeug would answer 206.

    The environ is restored afterwards.
    """
    hidden: dict[str, t.Any] = {}
    if_modified_since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if if_modified_since and _overflows(if_modified_since):
        hidden["HTTP_IF_MODIFIED_SINCE"] = environ.pop("HTTP_IF_MODIFIED_SINCE")
    if_range = environ.get("HTTP_IF_RANGE")
    if if_range and (_weak(if_range) or _overflows(if_range)):
        for key in ("HTTP_IF_RANGE", "HTTP_RANGE"):
            if key in environ:
                hidden[key] = environ.pop(key)
    try:
        yield
    finally:
        environ.update(hidden)


def _given_options(method: str, options: dict[str, t.Any]) -> dict[str, t.Any]:
    """Map the old option names to the new ones, warning about each.

    ``options`` holds only the options the caller gave. An old name given
    together with its new name is a :exc:`TypeError`. Called directly by the
    public methods, so ``stacklevel=3`` points the warning at the view.
    """
    for old, new in _RENAMED:
        if old not in options:
            continue
        if new in options:
            raise TypeError(f"res.{method}() got both {old!r} and {new!r}: pass only {new!r}")
        warnings.warn(
            f"res.{method}(): {old!r} is deprecated and will be removed in fx-files 2.0;"
            f" use {new!r} instead.",
            DeprecationWarning,
            stacklevel=3,
        )
        options[new] = options.pop(old)
    return options


def _keyword_options(method: str, options: dict[str, t.Any], allowed: frozenset[str]) -> None:
    """Refuse keywords ``method`` does not pass on, as Python would."""
    for key in options:
        if key == "as_attachment":
            raise TypeError(
                f"res.{method}() always sends an attachment; use res.send_file() for inline files"
            )
        if key not in allowed:
            raise TypeError(f"res.{method}() got an unexpected keyword argument {key!r}")


# Unicode's control category (Cc) exactly: C0, DEL and C1.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
# The bidirectional embeddings, overrides and isolates: in a file name they
# make "invoice\u202etxt.exe" show as "invoiceexe.txt".
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Either of the two, in one search for the usual name that has neither.
_SPECIAL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _disposition_params(name: str) -> dict[str, str]:
    """The ``Content-Disposition`` parameters for ``name``, as Werkzeug
    builds them, with bidi controls removed.

    Werkzeug's headers refuse a CR or LF with :exc:`ValueError`, which a
    client-chosen name would turn into a 500. Here controls are dropped from
    the plain ``filename`` and percent-encoded in ``filename*`` (RFC 6266),
    so the header can never be split and the saved name keeps what it can.
    """
    name = _BIDI.sub("", name)
    plain = _CONTROLS.sub("", name)
    if plain == name:
        try:
            name.encode("ascii")
        except UnicodeEncodeError:
            pass
        else:
            return {"filename": name}
    ascii_name = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode("ascii")
    # Werkzeug's own quoting for filename*: RFC 5987 attr-char stays as is.
    encoded = quote(name, safe="!#$&+-.^_`|~")
    return {"filename": ascii_name, "filename*": f"UTF-8''{encoded}"}


def _plain_name(name: str) -> str:
    """``name`` without the characters :data:`_SPECIAL` finds, for Werkzeug
    to guess a type from and write a header with."""
    return _CONTROLS.sub("", _BIDI.sub("", name))


#: Where a request keeps the file bodies built during it.
_BODIES = "fx_files.bodies"


def _close_all_but(environ: WSGIEnvironment, sent: object) -> None:
    """Close the file bodies this request built into responses other than
    ``sent``. The response, not its body, is compared: an ``after_request``
    (Flask-Compress) may wrap the body of the response it sends."""
    bodies = environ.pop(_BODIES, None)
    if bodies:
        for response, body in bodies:
            if response is not sent:
                body.close()


def _close_on_teardown(sender: object, **extra: object) -> None:
    """``request_tearing_down`` receiver, for apps that propagate
    exceptions: close every file body of a request whose exception is
    leaving ``wsgi_app`` (no response is sent, so
    :meth:`FilesMixin.__call__` never ran)."""
    # Set only while an exception propagates out of wsgi_app, whose finally
    # block pops the request context.
    if sys.exc_info()[1] is None:
        return
    try:
        environ = flask.request.environ
    except RuntimeError:  # no request context: nothing of ours to close
        return
    _close_all_but(environ, None)


_receiver_connected = False


def _guard(app: flask.Flask, environ: WSGIEnvironment, response: object, body: t.Any) -> None:
    """Close ``body`` when the request ends, unless it is what is sent.

    Flask closes only the response it sends (the WSGI server calls its
    ``close``). A ``res`` holding an open file that is discarded instead (a
    view, middleware or ``after_request`` raised after the file was opened,
    or the view answered with something else) would keep the file open until
    the garbage collector ran. Every response Flask sends is of the app's
    response class and is called just before the request context is torn
    down, so :meth:`FilesMixin.__call__` closes the bodies of other
    responses then, leaving the one sent to the server. When the app propagates exceptions
    (``PROPAGATE_EXCEPTIONS``, testing, debug) no response may be sent at
    all: a teardown receiver, connected only then, closes them. Closing twice
    is harmless.
    """
    global _receiver_connected
    if not hasattr(body, "close"):
        return
    bodies = environ.get(_BODIES)
    if bodies is None:
        environ[_BODIES] = [(response, body)]
    else:
        bodies.append((response, body))
    if not _receiver_connected:
        propagate = app.config["PROPAGATE_EXCEPTIONS"]
        if propagate or (propagate is None and (app.testing or app.debug)):
            flask.request_tearing_down.connect(_close_on_teardown, weak=False)
            _receiver_connected = True


def _merged(view: Headers, from_file: Headers, keep_type: bool, keep_cache: bool) -> Headers:
    """Merge the file response's headers into those the view set, in place.

    The headers that describe the bytes come from the file, and replace or
    remove the view's. A ``Content-Type`` (``keep_type``) or ``Cache-Control``
    with its ``Expires`` (``keep_cache``) the view set wins over the file's.
    ``view`` is returned, so ``res.headers`` stays the object it always was.
    """
    kept = set()
    if keep_type and "Content-Type" in view:
        kept.add("content-type")
    if keep_cache and "Cache-Control" in view:
        kept.update(("cache-control", "expires"))
    file_names = {key.lower() for key in from_file.keys()} - kept
    merged = [
        (key, value)
        for key, value in view.items()
        if key.lower() not in _FILE_HEADERS and key.lower() not in file_names
    ]
    merged.extend((key, value) for key, value in from_file.items() if key.lower() not in kept)
    view.clear()
    view.extend(merged)
    return view


class FilesMixin(fx_core.Response):
    """Sends files: :meth:`attachment`, :meth:`send_file` (``sendFile``) and
    :meth:`download`.

    Each builds the file response as :func:`flask.send_file` does, with
    Werkzeug's :func:`~werkzeug.utils.send_file` and the app's
    ``USE_X_SENDFILE``, ``SEND_FILE_MAX_AGE_DEFAULT`` and ``root_path``
    (after confining a client-chosen name to its folder), into ``res``:
    headers, cookies and status set on ``res`` before are kept, the body
    streams from the file in constant memory, and Range (206), conditional
    (304) and ``ETag`` handling are Flask's. All three are terminal.

    Behind nginx, the app's ``FX_ACCEL_REDIRECT`` config (a mapping of
    folders to ``internal`` location prefixes, ``{"/srv/files":
    "/_protected/"}``) makes them answer a file inside a mapped folder with
    ``X-Accel-Redirect`` and an empty body instead: nginx sends the bytes and
    answers Range and conditions, confinement is still checked here first.

    ::

        from fx_core import FlaskExpress, compose
        from fx_files import FilesMixin

        app = FlaskExpress(__name__, response_class=compose(FilesMixin))

        @app.get("/invoices/<path:name>")
        def invoice(req, res, name):
            return res.attachment(name)

    .. versionadded:: 1.0
    """

    def __call__(self, environ: WSGIEnvironment, start_response: t.Any) -> t.Iterable[bytes]:
        # Flask calls the response it sends, just before the request context
        # is torn down: the file bodies of any other res are discarded.
        if _BODIES in environ:
            _close_all_but(environ, self)
        return super().__call__(environ, start_response)

    def attachment(
        self,
        file_name: str | os.PathLike[str],
        download_name: str | None = None,
        **send_file_options: t.Any,
    ) -> Self:
        """Send a file from the app's ``ATTACHMENTS_FOLDER`` for the browser
        to save; terminal.

        The folder is read from the app's ``config["ATTACHMENTS_FOLDER"]``
        on every call; a relative folder is taken from ``app.root_path``, and
        without one it is the ``attachments`` folder next to the app.

        ``file_name`` may come from the client: a name that leaves the folder
        (``..``, an absolute path, a NUL byte, a backslash, a symlink pointing
        outside), a directory or a missing file raises
        :exc:`~werkzeug.exceptions.NotFound`, so the app's 404 handler
        answers and ``res`` is left unchanged.

        :param file_name: the file's name inside the folder, ``/`` separated.
        :param download_name: the name the browser saves it under; defaults
            to the file's own name. Non-ASCII names are sent as RFC 6266
            ``filename*``; control characters are dropped from the plain
            ``filename`` and percent-encoded in ``filename*``.
        :param send_file_options: ``mimetype``, ``conditional``, ``etag``,
            ``last_modified`` and ``max_age``, as for :meth:`send_file`.

        ::

            @app.get("/reports/<path:name>")
            def report(req, res, name):
                return res.attachment(name, "report.pdf")
        """
        self.check_open("attachment")
        _keyword_options("attachment", send_file_options, _SEND_OPTIONS)
        options = dict(send_file_options)
        if download_name is not None:
            options["download_name"] = download_name
        options = _given_options("attachment", options)
        return self._send_file("attachment", file_name, attachments_folder(self.app), True, options)

    def send_file(
        self,
        path_or_file: str | os.PathLike[str] | t.IO[bytes],
        mimetype: str | None = None,
        as_attachment: bool = False,
        download_name: str | None = None,
        conditional: bool = True,
        etag: bool | str = _ETAG_DEFAULT,
        last_modified: datetime | int | float | None = None,
        max_age: MaxAge = None,
        attachment_filename: str | None = None,
        add_etags: bool | None = None,
        cache_timeout: int | None = None,
        root: str | os.PathLike[str] | None = None,
    ) -> Self:
        """Send a file, as :func:`flask.send_file` does; terminal.

        Without ``root``, ``path_or_file`` is trusted as the programmer's:
        an absolute path, a path relative to ``app.root_path``, or a binary
        file object. Never pass it a name the client chose. A missing file
        raises :exc:`~werkzeug.exceptions.NotFound` (404), as in Express.

        With ``root`` (Express's ``options.root``, Flask's
        :func:`~flask.send_from_directory`), ``path_or_file`` is a name the
        client may have chosen, confined to that folder: a name that leaves
        it, a directory or a missing file is a 404, as for
        :meth:`attachment`.

        Range requests answer 206, ``If-None-Match`` and
        ``If-Modified-Since`` 304; an unsatisfiable range raises
        :exc:`~werkzeug.exceptions.RequestedRangeNotSatisfiable` (416) for
        the app's error handlers, as ``flask.send_file`` does. An
        ``If-Modified-Since`` or ``If-Range`` date too large for
        :class:`~datetime.datetime` counts as invalid, as other bad dates
        do: the first is ignored, the second sends the whole file
        (Werkzeug raised :exc:`OverflowError` for them, a 500). An
        ``If-Range`` with a weak ETag never matches: the whole file.

        The ``Content-Type`` is guessed from the file's own name, never from
        ``download_name``, and every file response carries
        ``X-Content-Type-Options: nosniff``. A ``mimetype`` no header can
        hold raises :exc:`ValueError` here.

        Headers, cookies and status set on ``res`` before are kept. The
        headers that describe the bytes (``Content-Length``,
        ``Content-Range``, ``Content-Disposition``, ``ETag``,
        ``Last-Modified``, ``Accept-Ranges``) come from the file. A
        ``Content-Type`` or ``Cache-Control`` set before wins over the one
        guessed or defaulted for the file, as in Express, unless this call
        passes ``mimetype`` or ``max_age``. A status set before is kept when
        the file answers 200; 206 and 304 replace it.

        :param path_or_file: a path, or a file object opened in binary mode.
        :param mimetype: the ``Content-Type``; guessed from the name if not given.
        :param as_attachment: send ``Content-Disposition: attachment`` so the
            browser saves the file.
        :param download_name: the name the browser shows or saves; defaults
            to the file's name. Encoded as for :meth:`attachment`.
        :param conditional: answer Range and conditional requests.
        :param etag: compute an ``ETag``, or a string to use as the ETag.
        :param last_modified: the ``Last-Modified`` time; defaults to the file's.
        :param max_age: seconds a client may cache the file, or a function of
            the path; ``SEND_FILE_MAX_AGE_DEFAULT`` when not given.
        :param attachment_filename: deprecated, use ``download_name``.
        :param add_etags: deprecated, use ``etag``.
        :param cache_timeout: deprecated, use ``max_age``.
        :param root: a folder (relative ones from ``app.root_path``) that
            ``path_or_file`` is confined to.

        Giving a deprecated name emits :exc:`DeprecationWarning`; giving it
        together with its new name raises :exc:`TypeError`.

        ::

            return res.send_file("static/report.pdf")

            @app.get("/uploads/<path:name>")
            def upload(req, res, name):
                return res.send_file(name, root="uploads")
        """
        self.check_open("send_file")
        # Only what the caller gave, so the defaults stay Werkzeug's; the
        # tests are inline because this runs for every file sent.
        options: dict[str, t.Any] = {}
        if mimetype is not None:
            options["mimetype"] = mimetype
        if download_name is not None:
            options["download_name"] = download_name
        if not conditional:
            options["conditional"] = conditional
        if etag is not _ETAG_DEFAULT:
            options["etag"] = etag
        if last_modified is not None:
            options["last_modified"] = last_modified
        if max_age is not None:
            options["max_age"] = max_age
        if attachment_filename is not None or add_etags is not None or cache_timeout is not None:
            old = {
                "attachment_filename": attachment_filename,
                "add_etags": add_etags,
                "cache_timeout": cache_timeout,
            }
            options.update((key, value) for key, value in old.items() if value is not None)
            options = _given_options("send_file", options)
        folder = None if root is None else resolve_folder(self.app, root)
        return self._send_file("send_file", path_or_file, folder, as_attachment, options)

    #: Express-style alias of :meth:`send_file`.
    sendFile = send_file

    def download(
        self,
        path: str | os.PathLike[str],
        download_name: str | None = None,
        **options: t.Any,
    ) -> Self:
        """Send a file for the browser to save, as Express's
        ``res.download``; terminal.

        :param path: the file. Without ``root`` it is trusted as the
            programmer's: absolute, or relative to ``app.root_path``; a
            missing file is a 404.
        :param download_name: the name the browser saves it under; defaults
            to the file's name. Encoded as for :meth:`attachment`.
        :param options: ``root`` to confine a client-chosen ``path`` to a
            folder as in :meth:`send_file`, and ``mimetype``,
            ``conditional``, ``etag``, ``last_modified``, ``max_age``.

        ::

            return res.download("exports/data.csv", "data-2024.csv")

            @app.get("/files")
            def files(req, res):
                return res.download(req.query.get("name", ""), root="files")
        """
        self.check_open("download")
        _keyword_options("download", options, _SEND_OPTIONS | {"root"})
        given = dict(options)
        root = given.pop("root", None)
        if download_name is not None:
            given["download_name"] = download_name
        given = _given_options("download", given)
        folder = None if root is None else resolve_folder(self.app, root)
        return self._send_file("download", path, folder, True, given)

    # -- the shared path -----------------------------------------------------

    def _send_file(
        self,
        method: str,
        path_or_file: str | os.PathLike[str] | t.IO[bytes],
        folder: str | None,
        as_attachment: bool,
        options: dict[str, t.Any],
    ) -> Self:
        """Build the file response as :func:`flask.send_file` does, into
        ``self``.

        With a ``folder``, ``path_or_file`` is a client-chosen name confined
        to it, opened here (see :func:`~fx_files.folders.open_confined`) and
        handed to Werkzeug as an open file; without one it is a trusted path
        or file object. A call that raises leaves ``self`` as it was.
        """
        app = self.app
        mimetype = options.get("mimetype")
        if mimetype is not None:
            # Here, not when the response is written: a 500 there would skip
            # the app's error handlers.
            check_field_value(mimetype, f"res.{method}(): mimetype")
        use_x_sendfile = app.config["USE_X_SENDFILE"]
        target: str | os.PathLike[str] | t.IO[bytes] = path_or_file
        if folder is not None:
            if not isinstance(path_or_file, (str, os.PathLike)):
                raise TypeError(
                    f"res.{method}() takes a file name with a folder, "
                    f"got {type(path_or_file).__name__}"
                )
            # The name as the client asked for it, not the symlink target's.
            own_name: str | None = posixpath.basename(posixpath.normpath(os.fspath(path_or_file)))
        elif isinstance(path_or_file, (str, os.PathLike)):
            own_name = os.path.basename(os.fspath(path_or_file))
        else:
            own_name = None

        # The type is guessed from the file's own name, never from a
        # download_name (which may be the client's: "x.html" would make any
        # file HTML), as Express's send does; a file object has only that.
        disposition = None
        name = options.pop("download_name", None)
        if name is None:
            name = own_name
        if name is not None:
            if not isinstance(name, str):
                raise TypeError(f"download_name must be a str, got {type(name).__name__}")
            guess_from = name if own_name is None else own_name
            special = _SPECIAL.search(guess_from) is not None
            if name != guess_from or special:
                disposition = _disposition_params(name)
            options["download_name"] = _plain_name(guess_from) if special else guess_from
        keep_type = mimetype is None
        keep_cache = options.get("max_age") is None
        if keep_cache:
            options["max_age"] = app.get_send_file_max_age

        file: t.IO[bytes] | None = None
        size: int | None = None
        if folder is not None:
            if use_x_sendfile:
                # The front server opens the path again itself: see
                # docs/packages/fx-files.md on X-Sendfile.
                target = confined_path(folder, path_or_file)  # type: ignore[arg-type]
            else:
                fd, path, st = open_confined(folder, path_or_file)  # type: ignore[arg-type]
                try:
                    file = os.fdopen(fd, "rb")
                except BaseException:
                    os.close(fd)
                    raise
                target = file
                size = st.st_size

        # FX_ACCEL_REDIRECT: nginx sends the bytes of a file inside a mapped
        # folder. Checked after confinement, so a refused name is the same
        # 404 before any header; Range and conditions are then nginx's.
        location = None
        if app.config.get(ACCEL_REDIRECT):
            if file is not None:
                try:
                    location = accel_location(app, path)
                except BaseException:  # a bad setting: the file is not sent
                    file.close()
                    raise
            elif isinstance(target, (str, os.PathLike)):
                path = os.path.join(app.root_path, target)
                if os.path.isfile(path):
                    location = accel_location(app, path)
            if location is not None:
                if callable(options["max_age"]):
                    options["max_age"] = options["max_age"](path)
                if file is not None:
                    file.close()
                file, size = None, None
                target = io.BytesIO()
                options.update(conditional=False, etag=False)
                options.pop("last_modified", None)

        # What flask.send_file adds, read from the app at hand. Werkzeug
        # builds the file response into self, on fresh headers; the view's
        # are merged back afterwards, when it set any.
        environ = flask.request.environ
        before = self.headers, self.response, self.status, self.direct_passthrough
        options.update(
            environ=environ,
            as_attachment=as_attachment,
            use_x_sendfile=use_x_sendfile,
            response_class=self._take_file_response,
            _root_path=app.root_path,
        )
        conditional = False
        if file is not None:
            # Werkzeug takes from st what it would have read from the path:
            # the same headers, for the file that was checked.
            options["response_class"] = partial(self._take_file_response, size=size)
            etag = options.get("etag", True)
            if etag and not isinstance(etag, str):
                options["etag"] = f"{st.st_mtime}-{size}-{adler32(path.encode()) & 0xFFFFFFFF}"
            options.setdefault("last_modified", st.st_mtime)
            # Werkzeug cannot answer Range for a file object: _build does.
            conditional = options.pop("conditional", True)
            options["conditional"] = False
        try:
            if file is not None and callable(options["max_age"]):
                options["max_age"] = options["max_age"](path)
            try:
                if "HTTP_IF_MODIFIED_SINCE" in environ or "HTTP_IF_RANGE" in environ:
                    with _unusable_conditions_ignored(environ):
                        self._build(target, options, size if conditional else None, environ)
                else:  # the usual request: nothing to hide, no context manager to pay for
                    self._build(target, options, size if conditional else None, environ)
            except OSError as e:
                if folder is not None or e.errno in _NOT_FOUND_ERRNOS:
                    raise NotFound() from e
                raise
            if disposition is not None:
                self.headers.set(
                    "Content-Disposition",
                    "attachment" if as_attachment else "inline",
                    **disposition,
                )
            # A file is what it is typed as: never sniffed into HTML.
            if before[0]:
                self.headers = _merged(before[0], self.headers, keep_type, keep_cache)
                self.headers.set("X-Content-Type-Options", "nosniff")
            else:  # fresh headers: no scan for one to replace
                self.headers.add("X-Content-Type-Options", "nosniff")
            if location is not None:
                # nginx describes the bytes it sends: its own length, ETag,
                # Last-Modified and ranges.
                for key in ("Content-Length", "ETag", "Last-Modified", "Accept-Ranges"):
                    self.headers.remove(key)
                self.headers["X-Accel-Redirect"] = location
                self.response = []
        except BaseException:
            # Werkzeug raises 416 after it opened the file and built into
            # self: close the file, and put back what the view had.
            if file is not None:
                file.close()
            if self.response is not before[1]:
                close = getattr(self.response, "close", None)
                if close is not None:
                    close()
            self.headers, self.response, self.status, self.direct_passthrough = before
            raise
        _guard(app, environ, self, self.response)
        return self.finish(method)

    def _build(
        self,
        target: str | os.PathLike[str] | t.IO[bytes],
        options: dict[str, t.Any],
        size: int | None,
        environ: WSGIEnvironment,
    ) -> None:
        """Have Werkzeug build the file response into ``self``; with the
        ``size`` of an opened file, answer Range and conditions for it as
        Werkzeug does for a path (it cannot for a file object)."""
        werkzeug_send_file(target, **options)
        if size is not None:
            self.make_conditional(environ, accept_ranges=True, complete_length=size)

    def _take_file_response(
        self,
        response: t.Iterable[bytes] | None,
        mimetype: str | None = None,
        headers: Headers | None = None,
        direct_passthrough: bool = False,
        size: int | None = None,
    ) -> Self:
        """Werkzeug's ``response_class``: what constructing a
        :class:`~flask.Response` from these arguments would set, set on
        ``self`` instead. The status is left alone: the view's stays unless
        Werkzeug answers a condition (206, 304, 412). ``size`` is the
        ``Content-Length`` Werkzeug sets next for a path, set here for an
        opened file so the headers keep their order."""
        self.headers = Headers() if headers is None else headers
        if mimetype is not None:
            self.headers["Content-Type"] = get_content_type(mimetype, "utf-8")
        if size is not None:
            self.content_length = size
        # None with USE_X_SENDFILE: the server sends the bytes.
        self.response = [] if response is None else response
        self.direct_passthrough = direct_passthrough
        return self
