"""The text/event-stream format: one event (or comment) as the bytes sent."""

from __future__ import annotations

import re
import typing as t
from collections.abc import Callable, Mapping

__all__ = ["FIELDS", "HEARTBEAT", "OPENING", "format_event"]

#: The keys an event mapping may hold.
FIELDS = frozenset({"data", "event", "id", "retry"})

#: Sent first: the server writes the headers with it, so the browser's
#: EventSource opens before the first event.
OPENING = b": stream open\n\n"

#: Sent when no event went out for ``heartbeat`` seconds.
HEARTBEAT = b": heartbeat\n\n"

# The HTML standard's event-stream parser ends a line at CRLF, CR or LF.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

Dumps = Callable[[t.Any], str]


def _data_lines(data: str) -> list[str]:
    return [f"data: {line}" for line in _LINE_BREAK.split(data)]


def _single_line(field: str, value: str, forbidden: str) -> str:
    for char in forbidden:
        if char in value:
            raise ValueError(
                f"res.sse(): an event's {field} {value!r} contains {char!r}; it must be one line"
            )
    return f"{field}: {value}"


def format_event(item: object, dumps: Dumps) -> bytes:
    """Return ``item`` as one event of a text/event-stream, UTF-8 encoded,
    ending with its blank line.

    :param item: a ``str`` (the event's data) or a mapping of ``data``,
        ``event``, ``id`` and ``retry``.
    :param dumps: serializes data that is not a ``str`` (the app's JSON
        provider's ``dumps``).
    :raises TypeError: an item, key or value of the wrong type.
    :raises ValueError: an unknown key, a line break in ``event`` or ``id``
        (or NUL in ``id``), a negative ``retry``, an empty mapping, or text
        that cannot be encoded as UTF-8 (a lone surrogate).
    """
    if isinstance(item, str):
        lines = _data_lines(item)
    elif isinstance(item, Mapping):
        lines = _mapping_lines(item, dumps)
    else:
        raise TypeError(
            "res.sse(): an event must be a str (its data) or a mapping of data, event, "
            f"id and retry, got {type(item).__name__}"
        )
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def _mapping_lines(item: Mapping[t.Any, t.Any], dumps: Dumps) -> list[str]:
    for key in item:
        if not isinstance(key, str):
            raise TypeError(f"res.sse(): an event's keys must be str, got {key!r}")
        if key not in FIELDS:
            raise ValueError(f"res.sse(): unknown event key {key!r}; use data, event, id and retry")
    lines: list[str] = []
    event = item.get("event")
    if event is not None:
        if not isinstance(event, str):
            raise TypeError(f"res.sse(): an event's event must be a str, got {event!r}")
        lines.append(_single_line("event", event, "\r\n"))
    id_ = item.get("id")
    if id_ is not None:
        if isinstance(id_, bool) or not isinstance(id_, (str, int)):
            raise TypeError(f"res.sse(): an event's id must be a str or an int, got {id_!r}")
        # The browser ignores an id with NUL, and a line break would end it early.
        lines.append(_single_line("id", str(id_), "\r\n\0"))
    retry = item.get("retry")
    if retry is not None:
        if isinstance(retry, bool) or not isinstance(retry, int):
            raise TypeError(
                f"res.sse(): an event's retry must be an int of milliseconds, got {retry!r}"
            )
        if retry < 0:
            raise ValueError(f"res.sse(): an event's retry must not be negative, got {retry}")
        lines.append(f"retry: {retry}")
    data = item.get("data")
    if data is not None:
        if isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError("res.sse(): an event's data must be a str or JSON-able, not bytes")
        if not isinstance(data, str):
            if not isinstance(data, (dict, list, tuple, int, float)):
                raise TypeError(
                    "res.sse(): an event's data must be a str or a JSON-able value (dict, "
                    f"list, number, bool), got {type(data).__name__}"
                )
            data = dumps(data)
        lines.extend(_data_lines(data))
    if not lines:
        raise ValueError(
            "res.sse(): an event mapping needs a data, event, id or retry that is not None"
        )
    return lines
