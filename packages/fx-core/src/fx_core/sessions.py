"""Signing keys, read the one way for sessions and signed cookies alike."""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["SessionInterface", "signing_keys"]

Key = str | bytes


def signing_keys(config: Mapping[str, t.Any]) -> list[Key]:
    """Return the keys to sign and verify with, oldest first, the current
    ``SECRET_KEY`` last (itsdangerous signs with the last key and verifies
    with any of them); an empty list when there is no ``SECRET_KEY``.

    ``SECRET_KEY_FALLBACKS`` (Flask 3.1) lists older keys that still verify.
    A ``str`` or ``bytes`` there is one key, not a list of one-character
    keys: ``FLASK_SECRET_KEY_FALLBACKS=old-key`` with
    :meth:`~flask.Config.from_prefixed_env` gives a ``str``, and Flask's own
    sessions would split it into keys such as ``"o"``, with which anyone can
    forge a cookie in a few tries. Anything else must be an iterable of keys.

    :param config: the app's config, read on each call.
    :raises TypeError: a fallback that is not a ``str`` or ``bytes``.

    ::

        signing_keys(app.config)  # ["old-key", "current-key"]
    """
    secret = config.get("SECRET_KEY")
    if not secret:
        return []
    fallbacks = config.get("SECRET_KEY_FALLBACKS") or ()
    if isinstance(fallbacks, (str, bytes)):
        fallbacks = (fallbacks,)
    keys: list[Key] = []
    for key in fallbacks:
        if not isinstance(key, (str, bytes)):
            raise TypeError(f"SECRET_KEY_FALLBACKS holds {key!r}: each key must be a str or bytes")
        if key:
            keys.append(key)
    keys.append(secret)
    return keys


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the keys of :func:`signing_keys`:
    a ``SECRET_KEY_FALLBACKS`` that is a ``str`` is one key (Flask's own
    interface would split it into one-character keys). The session interface
    of :class:`~fx_core.FlaskExpress` apps; everything else is Flask's.

    .. versionadded:: 1.0
    """

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = signing_keys(app.config)
        if not keys:
            return None
        return URLSafeTimedSerializer(
            keys,  # type: ignore[arg-type]  # itsdangerous accepts a list of keys
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )
