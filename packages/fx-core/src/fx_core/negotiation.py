"""Content negotiation as Express does it (its ``negotiator`` package).

``req.accepts``, ``res.format``, ``req.accepts_charsets``,
``req.accepts_encodings`` and ``req.accepts_languages`` choose among what the
app offers with these functions. Each offered value gets the best entry of
the client's header that matches it (most specific first, then highest
quality, then earliest in the header); the offers are then ranked by that
entry's quality, then its specificity, then its place in the client's header,
then their own order. So among entries of equal quality the client's order
decides, and ``*/html`` matches ``text/html``, as in Express.

.. versionadded:: 1.0
"""

from __future__ import annotations

import re
import typing as t
from collections.abc import Callable, Sequence
from functools import lru_cache

__all__ = [
    "preferred_charsets",
    "preferred_encodings",
    "preferred_languages",
    "preferred_media_types",
]


class _Entry(t.NamedTuple):
    """One entry of an ``Accept*`` header."""

    value: str
    q: float
    order: int
    params: tuple[tuple[str, str], ...] = ()


class _Match(t.NamedTuple):
    q: float
    specificity: int
    order: int
    offered: int


_SPLIT = re.compile(r',(?=(?:[^"]*"[^"]*")*[^"]*$)')


def _quality(text: str) -> float:
    try:
        q = float(text)
    except ValueError:
        return 0.0
    return q if 0.0 <= q <= 1.0 else 0.0


def _split_params(text: str | None) -> tuple[float, tuple[tuple[str, str], ...]]:
    """The ``q`` and the other parameters of an entry."""
    q = 1.0
    params: list[tuple[str, str]] = []
    if text:
        for part in re.split(r';(?=(?:[^"]*"[^"]*")*[^"]*$)', text):
            key, _, value = part.strip().partition("=")
            key, value = key.strip().lower(), value.strip().strip('"')
            if key == "q":
                q = _quality(value)
                break  # what follows q are accept-extensions, not type parameters
            if key:
                params.append((key, value))
    return q, tuple(params)


_TOKEN_ENTRY = re.compile(r"^\s*([^\s;]+)\s*(?:;(.*))?$")
_MEDIA_ENTRY = re.compile(r"^\s*([^\s/;]+)/([^;\s]+)\s*(?:;(.*))?$")


def _entries(header: str, pattern: re.Pattern[str] = _TOKEN_ENTRY) -> list[_Entry]:
    found = []
    for order, text in enumerate(_SPLIT.split(header)):
        match = pattern.match(text)
        if match is None:
            continue
        if pattern is _MEDIA_ENTRY:
            value = f"{match.group(1)}/{match.group(2)}"
            q, params = _split_params(match.group(3))
        else:
            value = match.group(1)
            q, params = _split_params(match.group(2))
        found.append(_Entry(value, q, order, params))
    return found


def _rank(
    provided: Sequence[str],
    entries: Sequence[_Entry],
    specify: Callable[[str, _Entry], int | None],
) -> list[str]:
    """``provided`` ranked as Express's negotiator ranks it, unacceptable
    values (quality 0, or matching no entry) left out."""
    ranked: list[tuple[_Match, str]] = []
    for index, offer in enumerate(provided):
        best: _Match | None = None
        for entry in entries:
            specificity = specify(offer, entry)
            if specificity is None:
                continue
            match = _Match(entry.q, specificity, entry.order, index)
            if best is None or (best.specificity, best.q, -best.order) < (
                specificity,
                entry.q,
                -entry.order,
            ):
                best = match
        if best is not None and best.q > 0:
            ranked.append((best, offer))
    ranked.sort(key=lambda pair: (-pair[0].q, -pair[0].specificity, pair[0].order, pair[0].offered))
    return [offer for _, offer in ranked]


def _listed(entries: Sequence[_Entry]) -> list[str]:
    """The header's own values, most preferred first, without ``q=0``."""
    kept = [entry for entry in entries if entry.q > 0]
    kept.sort(key=lambda entry: (-entry.q, entry.order))
    return [entry.value for entry in kept]


# -- media types ---------------------------------------------------------------


@lru_cache(maxsize=256)
def _offer(offer: str) -> _Entry | None:
    # Offers are the app's own strings, a small set: parsed once each.
    parsed = _entries(offer, _MEDIA_ENTRY)
    return parsed[0] if parsed else None


def _media_specify(offer: str, entry: _Entry) -> int | None:
    wanted = _offer(offer)
    if wanted is None:
        return None
    offer_type, _, offer_subtype = wanted.value.lower().partition("/")
    entry_type, _, entry_subtype = entry.value.lower().partition("/")
    # A wildcard in the offer ("text/*") matches as one in the header does;
    # Express's negotiator would refuse it, Werkzeug (and so res.format
    # before) accepts it.
    specificity = 0
    if entry_type == offer_type and offer_type != "*":
        specificity |= 4
    elif "*" not in (entry_type, offer_type):
        return None
    if entry_subtype == offer_subtype and offer_subtype != "*":
        specificity |= 2
    elif "*" not in (entry_subtype, offer_subtype):
        return None
    if entry.params:
        offered = dict(wanted.params)
        for key, value in entry.params:
            if value != "*" and value.lower() != offered.get(key, "").lower():
                return None
        specificity |= 1
    return specificity


def preferred_media_types(header: str | None, provided: Sequence[str] | None = None) -> list[str]:
    """The MIME types of ``provided`` the ``Accept`` ``header`` allows, best
    first; without ``provided``, the header's own types, best first.

    No header means ``*/*``. ``*/html`` matches ``text/html``; a parameter in
    the header (``text/html;level=1``) must match one in the offer.

    ::

        preferred_media_types("text/*;q=0.5, application/json", ["text/html", "application/json"])
        # ["application/json", "text/html"]
    """
    entries = _entries("*/*" if header is None else header, _MEDIA_ENTRY)
    if provided is None:
        return _listed(entries)
    return _rank(provided, entries, _media_specify)


# -- charsets --------------------------------------------------------------------


def _token_specify(offer: str, entry: _Entry) -> int | None:
    if entry.value.lower() == offer.lower():
        return 1
    return 0 if entry.value == "*" else None


def preferred_charsets(header: str | None, provided: Sequence[str] | None = None) -> list[str]:
    """The charsets of ``provided`` the ``Accept-Charset`` ``header`` allows,
    best first (no header: all of them, in their order); without
    ``provided``, the header's own charsets, best first."""
    entries = _entries("*" if header is None else header)
    if provided is None:
        return _listed(entries)
    return _rank(provided, entries, _token_specify)


# -- encodings -------------------------------------------------------------------


def _encoding_entries(header: str | None) -> list[_Entry]:
    entries = _entries(header or "")
    if not any(_token_specify("identity", entry) is not None for entry in entries):
        # identity is acceptable unless the header says otherwise, at the
        # lowest quality it gives (as Express's negotiator does).
        lowest = min((entry.q or 1.0 for entry in entries), default=1.0)
        entries.append(_Entry("identity", lowest, len(entries)))
    return entries


def preferred_encodings(header: str | None, provided: Sequence[str] | None = None) -> list[str]:
    """The content codings of ``provided`` the ``Accept-Encoding`` ``header``
    allows, best first; without ``provided``, the header's own, best first.

    As in Express, ``identity`` is acceptable unless the header refuses it,
    and no header at all accepts ``identity`` only.
    """
    entries = _encoding_entries(header)
    if provided is None:
        return _listed(entries)
    return _rank(provided, entries, _token_specify)


# -- languages -------------------------------------------------------------------

_LANGUAGE = re.compile(r"^\s*([^\s\-;]+)(?:-([^\s;]+))?\s*$")


def _language_parts(tag: str) -> tuple[str, str] | None:
    match = _LANGUAGE.match(tag)
    if match is None:
        return None
    prefix = match.group(1).lower()
    return prefix, tag.strip().lower()


def _language_specify(offer: str, entry: _Entry) -> int | None:
    parts = _language_parts(offer)
    spec = _language_parts(entry.value)
    if parts is None or spec is None:
        return None
    offer_prefix, offer_full = parts
    entry_prefix, entry_full = spec
    if entry_full == offer_full:
        return 4
    if entry_prefix == offer_full:
        return 2
    if entry_full == offer_prefix:
        return 1
    return 0 if entry.value.strip() == "*" else None


def preferred_languages(header: str | None, provided: Sequence[str] | None = None) -> list[str]:
    """The language tags of ``provided`` the ``Accept-Language`` ``header``
    allows, best first (no header: all of them, in their order); without
    ``provided``, the header's own tags, best first. ``en`` in the header
    accepts ``en-US``, and ``en-US`` accepts ``en``, less specifically."""
    entries = _entries("*" if header is None else header)
    if provided is None:
        return _listed(entries)
    return _rank(provided, entries, _language_specify)
