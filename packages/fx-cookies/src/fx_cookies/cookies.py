"""Cookies on the response builder, signed cookies on the request.

:class:`CookiesMixin` gives ``res.set_cookie`` (``cookie``, ``setCookie``)
and ``res.clear_cookie`` (``clearCookie``), and brings ``req.signed_cookies``
along as its request mixin, :class:`CookiesRequest`.
"""

from __future__ import annotations

import hashlib
import re
import sys
import typing as t
import warnings
from datetime import datetime, timedelta
from functools import cached_property

import flask
from flask import current_app
from itsdangerous import BadSignature, Signer
from werkzeug.sansio.http import parse_cookie

import fx_core
from fx_core.client_data import CookieMunch
from fx_core.http import TOKEN, check_field_value
from fx_core.sessions import signing_keys

if t.TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from typing import Self
    else:
        from typing_extensions import Self

__all__ = ["SALT", "CookiesMixin", "CookiesRequest", "SignedCookieMunch", "signed_cookies"]

#: The itsdangerous salt of signed cookies; the cookie's name is appended
#: (``fx-cookies.signed-cookie:<name>``), so a signed value copied into a
#: cookie of another name does not verify.
SALT = "fx-cookies.signed-cookie"

# ASCII characters a Domain attribute may hold (a port is dropped by
# Werkzeug); non-ASCII letters are allowed and IDNA-encoded by Werkzeug.
_DOMAIN_ASCII = re.compile(r"[A-Za-z0-9._:\-]")

_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}

# Werkzeug (3.1) quotes a cookie value that needs it and writes its control
# characters as octal escapes, but its pattern stops at \x19: \x1a to \x1f
# stay raw in the header, which gunicorn refuses with a 500.
_RAW_CONTROLS = re.compile(r"[\x1a-\x1f]")


def _octal(match: re.Match[str]) -> str:
    return f"\\{ord(match.group()):03o}"


class SignedCookieMunch(CookieMunch, source="signed cookie"):
    """``req.signed_cookies``: the cookies whose signature verifies, unsigned.

    A missing key read as an attribute raises
    :exc:`~fx_core.client_data.MissingKey` (400), as for ``req.cookies``.
    """


def _signer(name: str) -> Signer | None:
    """The signer of cookie ``name`` with the app's current keys, or ``None``
    when the app has no ``SECRET_KEY``.

    The config is read on each call, so a key changed after the app was
    created applies. ``SECRET_KEY_FALLBACKS`` (Flask 3.1) lists older keys:
    they still verify, and only ``SECRET_KEY`` signs; a ``str`` there is one
    key (:func:`fx_core.sessions.signing_keys`).
    """
    keys = signing_keys(current_app.config)
    if not keys:
        return None
    # itsdangerous signs with the last key and verifies with any of them.
    return Signer(
        keys,  # type: ignore[arg-type]  # a list of str and bytes keys works at run time
        salt=f"{SALT}:{name}",
        key_derivation="hmac",
        digest_method=hashlib.sha256,
    )


def signed_cookies(req: fx_core.Request) -> SignedCookieMunch:
    """Return the request's cookies whose signature verifies, unsigned.

    The reader behind ``req.signed_cookies``. A cookie that is unsigned,
    tampered with, signed with a key the app no longer knows, or signed for
    another cookie name is left out; so is every cookie when the app has no
    ``SECRET_KEY``. When a name is sent several times, the first value that
    verifies is kept.

    :param req: the current request.
    """
    found = SignedCookieMunch()
    header = ";".join(req.headers.getlist("Cookie"))
    try:
        # WSGI gives headers as latin-1; cookie values are UTF-8, as
        # req.cookies reads them.
        header = header.encode("latin-1").decode("utf-8")
    except UnicodeError:
        # Not UTF-8, so sent by a client on purpose. Parsed as is: the values
        # this app signed are ASCII once Werkzeug has escaped them, and
        # still verify.
        pass
    parsed = parse_cookie(header)
    for name, values in parsed.lists():
        signer = _signer(name)
        if signer is None:
            break
        for raw in values:
            try:
                # The payload is part of a str, so it always decodes.
                found[name] = signer.unsign(raw).decode("utf-8")
            except BadSignature:
                continue
            break
    return found


class CookiesRequest(fx_core.Request):
    """The request side of fx-cookies: ``req.signed_cookies``.

    :class:`CookiesMixin` brings it along as its
    :attr:`~fx_core.Response.request_mixin`, so an app that composes
    ``CookiesMixin`` has it on every request.

    .. versionadded:: 1.0
    """

    @cached_property
    def signed_cookies(self) -> SignedCookieMunch:
        """The cookies whose signature verifies with the app's ``SECRET_KEY``
        (or one of its ``SECRET_KEY_FALLBACKS``), unsigned; see
        :func:`signed_cookies`. Made on first use and kept for the request.

        ::

            user_id = req.signed_cookies.get("user_id")
        """
        return signed_cookies(self)


def _cookie_name(key: object, method: str) -> str:
    if not isinstance(key, str):
        raise TypeError(f"res.{method}(): a cookie name must be a str, got {type(key).__name__}")
    if not TOKEN.fullmatch(key):
        raise ValueError(
            f"res.{method}(): {key!r} is not a valid cookie name (an RFC 6265 token: "
            "ASCII letters, digits and !#$%&'*+-.^_`|~)"
        )
    return key


def _samesite(value: object, method: str) -> str | None:
    if value is None:
        return None
    normalized = _SAMESITE.get(value.lower()) if isinstance(value, str) else None
    if normalized is None:
        raise ValueError(
            f"res.{method}(): samesite must be 'Strict', 'Lax' or 'None', got {value!r}"
        )
    return normalized


def _max_age(value: object, method: str) -> timedelta | int | None:
    if value is None or isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"res.{method}(): max_age must be an int of seconds or a timedelta, "
            f"got {type(value).__name__}"
        )
    return value


def _expires(value: object, method: str) -> str | datetime | int | float | None:
    if value is None:
        return None
    if isinstance(value, str):
        # Werkzeug writes a str verbatim: a ';' would start a new attribute.
        if ";" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValueError(
                f"res.{method}(): expires {value!r} contains ';' or a control character"
            )
        # A header carries Latin-1 only: fail here, not when the response is written.
        return check_field_value(value, f"res.{method}(): expires")
    if isinstance(value, (datetime, int, float)) and not isinstance(value, bool):
        return value
    raise TypeError(
        f"res.{method}(): expires must be a datetime, a timestamp or a str, "
        f"got {type(value).__name__}"
    )


def _domain(value: object, method: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"res.{method}(): domain must be a str, got {type(value).__name__}")
    # Werkzeug IDNA-encodes the domain but lets ';' and spaces through,
    # which would add attributes the caller never asked for.
    for char in value:
        if char.isspace() or (char.isascii() and not _DOMAIN_ASCII.fullmatch(char)):
            raise ValueError(f"res.{method}(): {value!r} is not a valid cookie domain")
    return value


def _path(value: object, method: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"res.{method}(): path must be a str or None, got {type(value).__name__}")
    return value


class CookiesMixin(fx_core.Response):
    """Cookies for the response builder: :meth:`set_cookie` (aliases
    :meth:`cookie`, :meth:`setCookie`) and :meth:`clear_cookie` (alias
    :meth:`clearCookie`), with signed cookies read back through
    ``req.signed_cookies``.

    ::

        from fx_core import FlaskExpress, compose
        from fx_cookies import CookiesMixin

        app = FlaskExpress(__name__, response_class=compose(CookiesMixin))

    .. versionadded:: 1.0
    """

    #: Brings ``req.signed_cookies`` to apps whose response class composes
    #: this mixin.
    request_mixin: t.ClassVar[type[flask.Request] | None] = CookiesRequest

    # Werkzeug's set_cookie returns None; this one returns self to chain.
    # Flask's sessions call it by keyword and ignore the result, so widening
    # the return type is safe for them.
    def set_cookie(  # type: ignore[override]
        self,
        key: str,
        value: str = "",
        max_age: timedelta | int | None = None,
        expires: str | datetime | int | float | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
        partitioned: bool = False,
        signed: bool = False,
    ) -> Self:
        """Add a ``Set-Cookie`` header; chainable.

        Only the attributes asked for are written: by default just
        ``Path=/``, with no ``SameSite`` and no signing. Flask's session
        cookie goes through this method too.

        :param key: the cookie name, an RFC 6265 token; anything else
            (empty, spaces, ``;``, ``=``, quotes, non-ASCII, ...) raises
            :exc:`ValueError`.
        :param value: the value, a ``str``. Characters a cookie value cannot
            hold (``;``, quotes, CR, LF, every other control character,
            non-ASCII) are quoted and escaped, never written raw.
        :param max_age: lifetime as an ``int`` of seconds or a
            :class:`~datetime.timedelta`; ``Expires`` is added to match.
        :param expires: a :class:`~datetime.datetime`, a UNIX timestamp, or
            a ready HTTP date ``str``.
        :param path: the ``Path`` attribute; ``None`` leaves it out.
        :param domain: the ``Domain`` attribute, for a cookie its
            subdomains also receive.
        :param secure: send the cookie over HTTPS only.
        :param httponly: hide the cookie from JavaScript.
        :param samesite: ``"Strict"``, ``"Lax"`` or ``"None"`` in any case,
            else :exc:`ValueError`. ``"None"`` without ``secure=True`` (or
            ``partitioned=True``, which implies it) emits a
            :exc:`UserWarning`, as browsers drop such a cookie; it is set
            all the same.
        :param partitioned: add ``Partitioned`` (CHIPS), which implies
            ``Secure``.
        :param signed: sign the value with the app's ``SECRET_KEY``, read
            on each call; without one, :exc:`RuntimeError`. Read it back
            from ``req.signed_cookies``.

        ::

            res.set_cookie("theme", "dark", max_age=3600, samesite="Lax")
            res.cookie("user_id", "42", httponly=True, signed=True).json(ok=True)
        """
        return self._add_cookie(
            "set_cookie",
            key,
            value,
            max_age=max_age,
            expires=expires,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
            signed=signed,
        )

    #: Express-style alias of :meth:`set_cookie`.
    cookie = set_cookie
    #: Express-style alias of :meth:`set_cookie`.
    setCookie = set_cookie

    def clear_cookie(
        self,
        key: str,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
        partitioned: bool = False,
    ) -> Self:
        """Tell the browser to delete a cookie; chainable.

        Adds a ``Set-Cookie`` header with an empty value, ``Max-Age=0`` and
        an ``Expires`` date in 1970, as Werkzeug's ``delete_cookie`` does.
        Nothing fails when the request did not carry the cookie. The
        browser deletes only the cookie with the same name, ``path`` and
        ``domain``, so pass those it was set with. The name and
        ``samesite`` are checked as in :meth:`set_cookie`.

        :param key: the cookie name.
        :param path: the ``Path`` the cookie was set with.
        :param domain: the ``Domain`` the cookie was set with.
        :param secure: add ``Secure``.
        :param httponly: add ``HttpOnly``.
        :param samesite: ``"Strict"``, ``"Lax"`` or ``"None"``.
        :param partitioned: add ``Partitioned``, for a partitioned cookie.

        ::

            res.clear_cookie("session_hint").redirect("/")
            res.clear_cookie("prefs", path="/app", domain="example.com")
        """
        return self._add_cookie(
            "clear_cookie",
            key,
            "",
            max_age=0,
            expires=0,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
            signed=False,
        )

    #: Express-style alias of :meth:`clear_cookie`.
    clearCookie = clear_cookie

    def _add_cookie(
        self,
        method: str,
        key: object,
        value: object,
        *,
        max_age: object,
        expires: object,
        path: object,
        domain: object,
        secure: object,
        httponly: object,
        samesite: object,
        partitioned: object,
        signed: bool,
    ) -> Self:
        """Check every argument, then add the header through Werkzeug's
        ``set_cookie``: a call that raises leaves the response unchanged.

        Each check runs its helper only for a value that is not the common
        one (a token name, a ``str`` value, ``None``, an ``int`` max-age),
        since cookies are set on many requests.
        """
        name = key if type(key) is str and TOKEN.fullmatch(key) else _cookie_name(key, method)
        if not isinstance(value, str):
            raise TypeError(
                f"res.{method}({name!r}): the value must be a str, got {type(value).__name__}"
            )
        checked_max_age = (
            max_age if max_age is None or type(max_age) is int else _max_age(max_age, method)
        )
        checked_expires = None if expires is None else _expires(expires, method)
        checked_path = path if path is None or type(path) is str else _path(path, method)
        checked_domain = None if domain is None else _domain(domain, method)
        checked_samesite = None if samesite is None else _samesite(samesite, method)
        # Werkzeug writes a flag for True and `Flag=value` for any other truthy
        # value; config values such as SESSION_COOKIE_SECURE=1 mean the flag.
        is_secure, is_httponly, is_partitioned = bool(secure), bool(httponly), bool(partitioned)
        if signed:
            signer = _signer(name)
            if signer is None:
                raise RuntimeError(
                    f"res.{method}({name!r}, signed=True) needs the app's SECRET_KEY: "
                    "set app.config['SECRET_KEY'] to sign cookies"
                )
            value = signer.sign(value).decode("utf-8")
        if checked_samesite == "None" and not (is_secure or is_partitioned):
            warnings.warn(
                f"res.{method}({name!r}): SameSite=None without secure=True; browsers "
                "drop such a cookie, pass secure=True",
                UserWarning,
                stacklevel=3,
            )
        # Werkzeug before 3.1 has no `partitioned` parameter.
        extra: dict[str, t.Any] = {"partitioned": True} if is_partitioned else {}
        super().set_cookie(
            name,
            value,
            max_age=checked_max_age,
            expires=checked_expires,
            path=checked_path,
            domain=checked_domain,
            secure=is_secure,
            httponly=is_httponly,
            samesite=checked_samesite,
            **extra,
        )
        if _RAW_CONTROLS.search(value):
            # Only the value can hold them (the name is a token, the path is
            # percent-encoded, the other attributes were checked), and it is
            # quoted, where parse_cookie reads octal escapes back.
            cookies = self.headers.getlist("Set-Cookie")
            cookies[-1] = _RAW_CONTROLS.sub(_octal, cookies[-1])
            self.headers.setlist("Set-Cookie", cookies)
        return self
