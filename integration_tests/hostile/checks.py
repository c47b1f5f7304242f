"""What every answer to hostile input must satisfy, and two ways to get one:
Flask's test client, and a raw WSGI environ for bytes the test client would
clean up (invalid UTF-8 in the path, query string or headers).
"""

from __future__ import annotations

import io
import os
import re
import sys
import typing as t
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import flask
import werkzeug
from flask import Flask, got_request_exception
from flask.testing import FlaskClient

import fx_core

from .app import CANARY

__all__ = [
    "Answer",
    "ClosingClient",
    "ExceptionLog",
    "check_answer",
    "check_body",
    "check_headers",
    "header_problem",
    "wsgi_call",
]

# What gunicorn lets through (gunicorn/http/wsgi.py): a header name is an
# RFC 9110 token, a value holds SP, HTAB, visible ASCII and obs-text
# (0x80-0xFF) only. Anything else is a 500 there, or a split header on a
# server that checks less.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FIELD_VALUE = re.compile(r"[ \t\x21-\x7e\x80-\xff]*")

#: Text that only an error page leaking internals would hold.
_LEAKS = (
    b"Traceback (most recent call last)",
    b'File "',
    b"site-packages",
)


def _paths() -> tuple[bytes, ...]:
    """Where the code runs from: no answer may name these folders."""
    folders = {
        os.path.dirname(os.path.abspath(module.__file__ or ""))
        for module in (flask, werkzeug, fx_core)
    }
    folders.add(os.path.abspath(sys.prefix))
    return tuple(os.fsencode(folder) for folder in sorted(folders) if len(folder) > 1)


_CODE_PATHS = _paths()


@dataclass
class Answer:
    """One response, however it was obtained."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (any case), or ``None``."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_list(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


def header_problem(name: str, value: str) -> str | None:
    """Why a server could not send ``name: value`` as one header, or ``None``."""
    if not _TOKEN.fullmatch(name):
        return f"header name {name!r} is not a token"
    if not _FIELD_VALUE.fullmatch(value):
        return f"header {name!r}: value {value!r} holds a character a header cannot"
    return None


def check_headers(headers: Iterable[tuple[str, str]]) -> None:
    """Every header can be sent as one line: never a split, never a 500 at
    the server for a value it cannot encode."""
    for name, value in headers:
        problem = header_problem(name, value)
        assert problem is None, problem


def check_body(body: bytes, sent: bytes = b"", private: Sequence[bytes] = ()) -> None:
    """No canary, traceback or file path in ``body``, unless the client sent
    that very text itself (an echo is not a leak).

    :param sent: everything the client sent, as bytes.
    :param private: more text that must never appear (the test's temp folder).
    """
    assert CANARY not in body, "the canary was served"
    for marker in (*_LEAKS, *_CODE_PATHS, *private):
        if marker in body:
            assert marker in sent, f"the answer leaks {marker!r}: {body[:2000]!r}"


def check_answer(
    answer: Answer,
    sent: bytes = b"",
    private: Sequence[bytes] = (),
    errors: ExceptionLog | None = None,
) -> None:
    """The property every answer to client input must have: no 5xx, every
    header sendable, no canary, traceback or path in the body."""
    detail = errors.describe() if errors is not None else ""
    assert answer.status < 500, f"{answer.status}: {answer.body[:500]!r}\n{detail}"
    assert 100 <= answer.status, answer.status
    check_headers(answer.headers)
    check_body(answer.body, sent, private)


@dataclass
class ExceptionLog:
    """The exceptions an app reported through ``got_request_exception``
    while it is connected; they name the cause of a 500 in a failure."""

    app: Flask
    seen: list[BaseException] = field(default_factory=list)

    def __post_init__(self) -> None:
        got_request_exception.connect(self._record, self.app, weak=False)

    def _record(self, sender: object, exception: BaseException, **extra: object) -> None:
        self.seen.append(exception)

    def describe(self) -> str:
        if not self.seen:
            return ""
        import traceback

        last = self.seen[-1]
        return "".join(traceback.format_exception(type(last), last, last.__traceback__))

    def clear(self) -> None:
        self.seen.clear()

    def disconnect(self) -> None:
        got_request_exception.disconnect(self._record, self.app)


class ClosingClient(FlaskClient):
    """A test client that reads each body and closes it, as a server does
    (an unclosed file would be a ``ResourceWarning``, an error here)."""

    def open(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


def client_answer(rv: t.Any) -> Answer:
    """An :class:`Answer` from a test client response."""
    return Answer(rv.status_code, list(rv.headers.items()), rv.get_data())


def wsgi_call(
    app: Flask,
    method: str = "GET",
    path: bytes = b"/",
    query: bytes = b"",
    headers: Mapping[str, bytes] | Sequence[tuple[str, bytes]] = (),
    body: bytes = b"",
) -> Answer:
    """Call ``app`` with a WSGI environ built by hand, bytes as a server
    passes them (decoded as Latin-1, nothing else cleaned up).

    :param path: the decoded path (PATH_INFO), as bytes.
    :param query: the raw query string, as bytes.
    :param headers: request headers, values as bytes; ``Content-Type`` and
        ``Content-Length`` go to their CGI names.
    """
    environ: dict[str, t.Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path.decode("latin-1"),
        "QUERY_STRING": query.decode("latin-1"),
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "localhost",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    for name, value in pairs:
        key = name.upper().replace("-", "_")
        text = value.decode("latin-1")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = text
        else:
            key = f"HTTP_{key}"
            environ[key] = f"{environ[key]},{text}" if key in environ else text

    status_line: list[str] = []
    response_headers: list[tuple[str, str]] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Callable[[bytes], object]:
        status_line[:] = [status]
        response_headers[:] = headers
        return lambda data: None

    iterable = app(environ, start_response)
    try:
        data = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return Answer(int(status_line[0].split(" ", 1)[0]), response_headers, data)
