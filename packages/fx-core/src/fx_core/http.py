"""HTTP rules, one function each, shared by the request, the response and the pieces.

As Werkzeug's ``http.py`` does for Werkzeug: every wrapper that needs a rule
(is this a token, is the client's copy fresh, which type does ``Accept``
prefer, is this a status code) calls the one function here, so the rule
cannot drift between ``req`` and ``res``.

.. versionadded:: 1.0
"""

from __future__ import annotations

import re
import typing as t
from collections.abc import Mapping
from datetime import datetime

from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.http import HTTP_STATUS_CODES, parse_date, parse_etags, unquote_etag

from .negotiation import preferred_media_types

if t.TYPE_CHECKING:
    from werkzeug.datastructures import Headers

__all__ = [
    "TOKEN",
    "check_field_value",
    "check_status",
    "http_exception",
    "is_fresh",
    "is_token",
    "negotiate",
    "parse_http_date",
]

#: An RFC 9110 token: what a header field name, or a cookie name
#: (RFC 6265), may be made of.
TOKEN: re.Pattern[str] = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

# What a header field value may not contain (RFC 9110 field-value: HTAB, SP,
# visible ASCII and obs-text 0x80-0xFF), since WSGI servers write headers as
# Latin-1: a control character or anything past U+00FF is a 500 on gunicorn
# and a broken header on servers that check less.
_NOT_FIELD_VALUE = re.compile(r"[^\t\x20-\x7e\x80-\xff]")

# A request's ``Cache-Control: no-cache`` asks for a full answer, never a 304
# (the rule of the ``fresh`` package behind Express's ``req.fresh``).
_NO_CACHE = re.compile(r"(?:^|,)\s*no-cache\s*(?:,|$)", re.IGNORECASE)


def is_token(text: object) -> bool:
    """Whether ``text`` is a non-empty ``str`` made only of RFC 9110 token
    characters, as a header name or a cookie name must be.

    ::

        is_token("X-Request-Id")  # True
        is_token("bad name")      # False
    """
    return isinstance(text, str) and TOKEN.fullmatch(text) is not None


def check_field_value(text: str, what: str) -> str:
    """Return ``text`` when a header value can carry it, else raise
    :exc:`ValueError` naming ``what`` and the character.

    A header value may hold tab, space, printable ASCII and U+0080 to
    U+00FF; anything else (CR, LF, NUL and the other control characters, or
    a character beyond U+00FF) cannot be written by a WSGI server, which
    sends headers as Latin-1.

    :param text: the value.
    :param what: how to name it in the message, e.g. ``"header 'X-A': value"``.

    ::

        check_field_value("no-store", "Cache-Control")
    """
    found = _NOT_FIELD_VALUE.search(text)
    if found is not None:
        raise ValueError(
            f"{what} {text!r} contains {found.group()!r}, which no header value can "
            "hold: only tab, space, printable ASCII and U+0080 to U+00FF (servers "
            "write headers as Latin-1)"
        )
    return text


def check_status(
    code: object,
    method: str,
    low: int = 100,
    high: int = 999,
    *,
    kind: str = "status code",
    wrong_type: type[Exception] = TypeError,
) -> int:
    """Return ``code`` when it is an ``int`` from ``low`` to ``high``.

    :param code: the status code a caller gave.
    :param method: the method to name in messages, e.g. ``"send_status"``.
    :param low: the lowest code accepted.
    :param high: the highest code accepted.
    :param kind: what to call an accepted code in messages.
    :param wrong_type: the exception for a ``code`` that is not an ``int``;
        ``res.end()`` and ``res.redirect()`` raise :exc:`ValueError` for
        every invalid code (the docs' choices page says why).
    :raises TypeError: ``code`` is not an ``int`` (``bool`` included).
    :raises ValueError: ``code`` is out of range.

    ::

        check_status(201, "send_status")  # 201
        check_status(200, "redirect", 300, 399)  # ValueError
    """
    if isinstance(code, bool) or not isinstance(code, int):
        raise wrong_type(
            f"res.{method}(): {code!r} is not a {kind}: it takes an int status code from {low} "
            f"to {high}, got {type(code).__name__}"
        )
    if not low <= code <= high:
        raise ValueError(f"res.{method}(): {code} is not a {kind} ({low} to {high})")
    return code


def http_exception(code: int) -> HTTPException:
    """Return the :class:`~werkzeug.exceptions.HTTPException` for an error
    ``code``, so the app's error handlers answer it.

    Werkzeug's class when it has one (``400`` is ``BadRequest``); for other
    codes (``499``) a plain ``HTTPException`` with that ``code``, which
    Flask's handler lookup by ``e.code`` still finds.
    """
    cls = default_exceptions.get(code)
    if cls is not None:
        return cls()
    exc = HTTPException(description=HTTP_STATUS_CODES.get(code, "Error"))
    exc.code = code
    return exc


def parse_http_date(value: str | None) -> datetime | None:
    """Parse an HTTP date as :func:`werkzeug.http.parse_date` does: ``None``
    for anything that is not one.

    Werkzeug lets Python's :exc:`OverflowError` through for a date whose year
    or zone offset does not fit a :class:`~datetime.datetime`
    (``Sun, 06 Nov 1994 08:49:37 +9999999999999999999``); a client can send
    one, and RFC 9110 (13.1.3) has a server ignore a date that is not valid.
    """
    try:
        return parse_date(value)
    except OverflowError:
        return None


def is_fresh(
    method: str, request_headers: Headers, status_code: int, response_headers: Headers
) -> bool:
    """Whether the client's cached copy of a response is still good, so a
    304 may be sent instead of it: the rule behind ``req.fresh`` and the
    conditional ETag of the terminal methods, as Express's ``fresh``.

    Only a ``GET`` or ``HEAD`` answered with a 2xx or 304 can be fresh, and
    never one whose request says ``Cache-Control: no-cache``. When the
    request has ``If-None-Match`` it decides alone (RFC 9110 13.1.2): ``*``
    matches any response, else the response's ``ETag`` is compared weakly.
    Otherwise ``If-Modified-Since`` is compared with the response's
    ``Last-Modified``. A request with neither is never fresh.

    :param method: the request method.
    :param request_headers: the request's headers.
    :param status_code: the response's status code.
    :param response_headers: the response's headers.
    """
    if method not in ("GET", "HEAD") or not (200 <= status_code < 300 or status_code == 304):
        return False
    if_none_match = request_headers.get("If-None-Match")
    if_modified_since = request_headers.get("If-Modified-Since")
    if not if_none_match and not if_modified_since:
        return False
    if _NO_CACHE.search(request_headers.get("Cache-Control", "")):
        return False
    if if_none_match:
        etags = parse_etags(if_none_match)
        if etags.star_tag:
            return True
        etag = unquote_etag(response_headers.get("ETag"))[0]
        return etag is not None and etags.contains_weak(etag)
    last_modified = parse_http_date(response_headers.get("Last-Modified"))
    since = parse_http_date(if_modified_since)
    return last_modified is not None and since is not None and last_modified <= since


def negotiate(header: str | None, offered: Mapping[str, str]) -> str | None:
    """Return the key of ``offered`` whose MIME type the client prefers: the
    rule behind ``req.accepts()`` and ``res.format()``.

    Express's rule (:func:`fx_core.negotiation.preferred_media_types`):
    quality first, then specificity, then the client's order, then the
    order of ``offered``; ``*/html`` matches ``text/html``. With no
    ``Accept`` header, or an empty one, the first key wins, as in Express;
    ``None`` when nothing is acceptable.

    :param header: the raw ``Accept`` header, ``None`` when absent.
    :param offered: keys as the caller named them, each mapped to its MIME
        type, in the caller's order.

    ::

        negotiate(req.headers.get("Accept"), {"html": "text/html", "json": "application/json"})
    """
    if not offered:
        return None
    if not header or not header.strip():
        return next(iter(offered))
    by_mimetype: dict[str, str] = {}
    for key, mimetype in offered.items():
        by_mimetype.setdefault(mimetype.split(";", 1)[0].strip(), key)
    best = preferred_media_types(header, list(by_mimetype))
    return by_mimetype[best[0]] if best else None
