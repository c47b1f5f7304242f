"""What ``res.json`` and ``res.jsonp`` send: the app's JSON provider, and Express's JSONP."""

from __future__ import annotations

import re
import typing as t

from flask.json.provider import DefaultJSONProvider

if t.TYPE_CHECKING:
    from flask import Flask
    from werkzeug.datastructures import MultiDict

__all__ = ["json_text", "jsonp_body", "jsonp_callback", "one_json_value"]

# What Express keeps of a JSONP callback name; \w as in JavaScript (ASCII only).
_JSONP_UNSAFE = re.compile(r"[^\[\]\w$.]", re.ASCII)


def one_json_value(args: tuple[t.Any, ...], kwargs: dict[str, t.Any], method: str) -> t.Any:
    """The value ``res.json(*args, **kwargs)`` sends: one positional value,
    or the keywords as an object, or ``{}``."""
    if args and kwargs:
        raise TypeError(f"res.{method}() takes one value or keyword arguments, not both")
    if len(args) > 1:
        raise TypeError(f"res.{method}() takes one value, got {len(args)}")
    return args[0] if args else kwargs


def json_text(obj: t.Any, method: str, app: Flask) -> tuple[str, str]:
    """Serialize ``obj`` with ``app.json``: the text and MIME type
    :meth:`Response.json` sends.

    :raises TypeError: the provider cannot serialize ``obj``; the message
        names ``method`` and the provider's reason.
    """
    provider = app.json
    try:
        if isinstance(provider, DefaultJSONProvider):
            # The same text flask.jsonify produces, without building the
            # extra Response object that provider.response() would.
            if (provider.compact is None and app.debug) or provider.compact is False:
                text = provider.dumps(obj, indent=2) + "\n"
            else:
                text = provider.dumps(obj, separators=(",", ":")) + "\n"
        else:
            text = provider.dumps(obj)
    except TypeError as e:
        raise TypeError(f"res.{method}(): {e}") from e
    return text, getattr(provider, "mimetype", "application/json")


def jsonp_callback(app: Flask, args: MultiDict[str, str]) -> str | None:
    """The cleaned JSONP callback name of a request, or ``None``.

    :param app: its ``FX_JSONP_CALLBACK`` config names the query parameter
        (``"callback"`` by default; empty turns JSONP off).
    :param args: the request's query parameters.
    """
    name = app.config.get("FX_JSONP_CALLBACK", "callback")
    if not name:
        return None
    values = args.getlist(name)
    # A repeated parameter is a list in Express too; it takes the first.
    callback = _JSONP_UNSAFE.sub("", values[0]) if values else ""
    return callback or None


def jsonp_body(callback: str, text: str) -> str:
    """The JavaScript that calls ``callback`` with the JSON ``text``."""
    # Inside JavaScript the trailing newline res.json adds is noise, and
    # U+2028/U+2029, valid in JSON strings, end a line in older engines.
    text = text.removesuffix("\n").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    # /**/ defeats the Rosetta Flash attack, the typeof check spares the
    # page an error when the callback does not exist (both from Express).
    return f"/**/ typeof {callback} === 'function' && {callback}({text});"
