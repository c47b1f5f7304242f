"""Checking what ``res.set``, ``res.append`` and ``res.links`` write into headers.

Every name and value is checked when the method is called, never when the
response is written: a bad one raises at the view's line, where the app's
error handlers and the developer can see it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from werkzeug.datastructures import Headers, MultiDict
from werkzeug.urls import iri_to_uri

from .http import _NOT_FIELD_VALUE, TOKEN, check_field_value

__all__ = [
    "HeaderValue",
    "ResponseHeaders",
    "check_location",
    "header_pairs",
    "header_values",
    "link_entries",
    "local_target",
]

# Headers that hold a URL, which Werkzeug rewrites (iri_to_uri) when the
# response is written: a value it cannot parse must fail at the call.
_URL_HEADERS = frozenset({"location", "content-location"})

# Any control character, tab included: a browser drops tab, CR and LF from a
# URL, so "/\t/evil.com" would go out as "//evil.com", another site.
_URL_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_location(url: str, what: str) -> str:
    """Return ``url`` when it can be a ``Location`` (or ``Content-Location``)
    value, else raise :exc:`ValueError` naming ``what`` and the value.

    Refused: any control character, tab included (a browser drops tab, CR
    and LF from a URL, so ``/\t/evil.com`` would mean ``//evil.com``), and
    a URL Werkzeug cannot write (``//[``, ``http://[``, ``//x:99999/``):
    Werkzeug converts the value with :func:`~werkzeug.urls.iri_to_uri` when
    the response is written, where an error is a 500 that skips the app's
    error handlers. Other characters beyond ASCII are fine: that conversion
    percent-encodes them.
    """
    found = _URL_CONTROL.search(url)
    if found is not None:
        char = found.group()
        named = "CR or LF" if char in "\r\n" else f"the control character {char!r}"
        raise ValueError(f"{what} {url!r} contains {named}")
    # Only a URL with an authority ("//host:port") can fail to convert:
    # a path alone, the usual redirect, is not parsed twice.
    if "//" in url:
        try:
            iri_to_uri(url)
        except ValueError as e:
            raise ValueError(f"{what} {url!r} is not a URL that can be sent: {e}") from None
    return url


#: What :meth:`Response.set` and :meth:`Response.append` accept as one value.
HeaderValue = str | int | float


# What browsers strip from a URL before they read it (the URL Standard):
# leading and trailing C0 controls and spaces, and tab, LF and CR anywhere.
_URL_TRIM = "".join(chr(code) for code in range(0x21))
_URL_DROP = re.compile(r"[\t\n\r]")


def local_target(target: object) -> str | None:
    """Return ``target`` as a path on this site that a ``Location`` can
    hold, or ``None`` when it could lead anywhere else.

    For a redirect target that comes from the client (a ``next`` parameter,
    the ``Referer``). What a browser ignores is removed first (leading and
    trailing controls and spaces; tab, CR and LF anywhere). What is left
    must start with one ``/`` not followed by ``/`` or ``\\`` (both of which
    a browser reads as the start of another host), hold no control
    character, and be writable by Werkzeug; characters beyond ASCII are
    percent-encoded. Anything else (another scheme, a host, a relative
    path, a value that is not a ``str``) gives ``None``. Never raises.

    ::

        local_target("/account?tab=2")     # "/account?tab=2"
        local_target("//evil.example")     # None
        local_target("https://evil.example/")  # None
    """
    if not isinstance(target, str):
        return None
    path = _URL_DROP.sub("", target.strip(_URL_TRIM))
    if not path.startswith("/") or path[1:2] in ("/", "\\"):
        return None
    try:
        path = iri_to_uri(path)
        if path[1:2] in ("/", "\\"):
            return None
        return check_location(path, "a redirect target")
    except ValueError:
        return None


def header_name(name: object) -> str:
    """Return ``name`` when it is a valid header name (an RFC 9110 token)."""
    if not isinstance(name, str):
        raise TypeError(f"a header name must be a str, got {type(name).__name__}")
    if "\r" in name or "\n" in name:
        raise ValueError(f"header name {name!r} contains CR or LF")
    if not TOKEN.fullmatch(name):
        raise ValueError(f"{name!r} is not a valid header name")
    return name


def header_value(name: str, value: object) -> str:
    """Return ``value`` as the text of header ``name``, or raise
    :exc:`TypeError` / :exc:`ValueError` naming both.

    ``Location`` and ``Content-Location`` follow :func:`check_location`;
    every other header holds Latin-1 text without controls but tab.
    """
    if isinstance(value, str):
        text = value
    elif isinstance(value, (int, float)):
        text = str(value)
    else:
        raise TypeError(
            f"header {name!r}: a value must be a str, int or float, got {type(value).__name__}"
        )
    if name.lower() not in _URL_HEADERS and _NOT_FIELD_VALUE.search(text) is None:
        return text  # the usual value: one scan
    if "\r" in text or "\n" in text or "\0" in text:
        raise ValueError(f"header {name!r}: value {text!r} contains CR, LF or NUL")
    if name.lower() in _URL_HEADERS:
        return check_location(text, f"header {name!r}: value")
    return check_field_value(text, f"header {name!r}: value")


def header_values(name: object, value: object) -> tuple[str, list[str]]:
    """Validate one ``name: value`` (or ``name: [values]``) pair, changing nothing."""
    checked = header_name(name)
    values = value if isinstance(value, (list, tuple)) else [value]
    return checked, [header_value(checked, v) for v in values]


def header_pairs(fields: object) -> Iterable[tuple[object, object]]:
    """The ``(name, value)`` pairs of the mapping or ``Headers`` given to ``res.set``."""
    if isinstance(fields, Headers):
        return list(fields.items())
    if isinstance(fields, MultiDict):
        return list(fields.items(multi=True))
    if isinstance(fields, Mapping):
        return list(fields.items())
    raise TypeError(
        f"res.set() takes (name, value) or one mapping or Headers, got {type(fields).__name__}"
    )


def link_entries(links: object) -> list[str]:
    """Build the ``<url>; rel="name"`` entries of :meth:`Response.links`,
    validating every name and URL first."""
    if not isinstance(links, Mapping):
        raise TypeError(f"res.links() takes a mapping of rel to URL, got {type(links).__name__}")
    entries = []
    for rel, value in links.items():
        if not isinstance(rel, str):
            raise TypeError(f"res.links(): a rel name must be a str, got {type(rel).__name__}")
        if not rel:
            raise ValueError("res.links(): a rel name may not be empty")
        if any(char in rel for char in '\r\n\0"\\'):
            # A quote or backslash would end the quoted rel early.
            raise ValueError(
                f"res.links(): rel {rel!r} contains CR, LF, NUL, a quote or a backslash"
            )
        check_field_value(rel, "res.links(): rel")
        urls = list(value) if isinstance(value, (list, tuple)) else [value]
        for url in urls:
            if not isinstance(url, str):
                raise TypeError(
                    f"res.links(): the URL for rel {rel!r} must be a str, got {type(url).__name__}"
                )
            if any(char in url for char in "\r\n\0<>"):
                # "<" and ">" would end the URL reference early.
                raise ValueError(f"res.links(): URL {url!r} contains CR, LF, NUL, '<' or '>'")
            check_field_value(url, "res.links(): URL")
            entries.append(f'<{url}>; rel="{rel}"')
    return entries


class ResponseHeaders(Headers):
    """The headers of a view's ``res``: Werkzeug's, with an ``in`` test that
    scans instead of raising. Werkzeug answers a missing name with a caught
    exception, a cost every "was a Content-Type set?" check would pay."""

    def __contains__(self, key: object) -> bool:
        if type(key) is not str:
            return super().__contains__(key)  # type: ignore[operator]
        # Asked for every res (is a Content-Type set?), mostly of a short or
        # empty list: a plain loop, no generator.
        wanted = key.lower()
        for name, _ in self._list:
            if name.lower() == wanted:
                return True
        return False
