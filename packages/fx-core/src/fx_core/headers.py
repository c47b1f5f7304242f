"""Checking what ``res.set``, ``res.append`` and ``res.links`` write into headers.

Every name and value is checked when the method is called, never when the
response is written: a bad one raises at the view's line, where the app's
error handlers and the developer can see it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from werkzeug.datastructures import Headers, MultiDict

from .http import TOKEN, check_field_value

__all__ = ["HeaderValue", "ResponseHeaders", "header_pairs", "header_values", "link_entries"]

#: What :meth:`Response.set` and :meth:`Response.append` accept as one value.
HeaderValue = str | int | float


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
    :exc:`TypeError` / :exc:`ValueError` naming both."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, (int, float)):
        text = str(value)
    else:
        raise TypeError(
            f"header {name!r}: a value must be a str, int or float, got {type(value).__name__}"
        )
    if "\r" in text or "\n" in text or "\0" in text:
        raise ValueError(f"header {name!r}: value {text!r} contains CR, LF or NUL")
    return check_field_value(text, f"header {name!r}: value")


def header_values(name: object, value: object) -> tuple[str, list[str]]:
    """Validate one ``name: value`` (or ``name: [values]``) pair, changing nothing."""
    checked = header_name(name)
    if isinstance(value, (list, tuple)):
        return checked, [header_value(checked, v) for v in value]
    return checked, [header_value(checked, value)]


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
        if not isinstance(key, str):
            return super().__contains__(key)  # type: ignore[operator]
        wanted = key.lower()
        return any(name.lower() == wanted for name, _ in self._list)
