"""Signed cookies: ``res.set_cookie(..., signed=True)`` and ``req.signed_cookies``.

A cookie is set in one request and sent back by the test client's cookie jar
(or by a hand-made ``Cookie`` header, to tamper with it) in the next.
"""

from __future__ import annotations

import hashlib
import typing as t

import flask
import pytest
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.testing import FlaskClient
from itsdangerous import Signer

from fx_cookies import SALT, CookiesMixin, CookiesRequest
from fx_core import FlaskExpress, MissingFeature, Request, compose, compose_request


def signed_app(app: FlaskExpress) -> None:
    """``/set?name=&value=`` sets a signed cookie; ``/read`` answers
    ``req.signed_cookies`` as JSON."""

    @app.get("/set")
    def set_view(req: Request, res: CookiesMixin) -> CookiesMixin:
        name = req.query.get("name", "token")
        return res.cookie(name, req.query.get("value", "42"), signed=True).send("ok")

    @app.get("/read")
    def read_view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.json(dict(req.signed_cookies))


def raw_cookie(client: FlaskClient, name: str) -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None
    return cookie.value


def read_with(app: FlaskExpress, header: str) -> t.Any:
    """Read ``/read`` with exactly this ``Cookie`` header (no cookie jar)."""
    rv = app.test_client(use_cookies=False).get("/read", headers={"Cookie": header})
    assert rv.status_code == 200
    return rv.json


def sign(key: str | bytes, name: str, value: str, salt: str | None = None) -> str:
    """Sign like fx-cookies does, with any key and salt."""
    signer = Signer(
        key,
        salt=f"{SALT}:{name}" if salt is None else salt,
        key_derivation="hmac",
        digest_method=hashlib.sha256,
    )
    return signer.sign(value).decode()


# -- round trip ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["set_cookie", "cookie", "setCookie"])
def test_signed_round_trip_through_the_cookie_jar(
    app: FlaskExpress, client: FlaskClient, method: str
) -> None:
    @app.get("/set")
    def set_view(req: Request, res: CookiesMixin) -> CookiesMixin:
        chained = getattr(res, method)("token", "42", signed=True, httponly=True)
        assert chained is res
        return chained.send("ok")

    @app.get("/read")
    def read_view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.json(
            {
                "signed": req.signed_cookies.token,
                "raw": req.cookies.token,
            }
        )

    rv = client.get("/set")
    assert rv.status_code == 200
    [header] = rv.headers.getlist("Set-Cookie")
    assert header.startswith("token=42.")
    assert header.endswith("; HttpOnly; Path=/")
    signature = raw_cookie(client, "token")[len("42.") :]
    assert len(signature) == 43  # HMAC-SHA256, base64url without padding

    rv = client.get("/read")
    assert rv.status_code == 200
    assert rv.json == {"signed": "42", "raw": f"42.{signature}"}


@pytest.mark.parametrize(
    "value", ["", "a.b.c", "semi;colon", 'quo"te', "h\u00e9llo \u2603", "x\r\ny", "=; Path=/x"]
)
def test_any_value_round_trips(app: FlaskExpress, client: FlaskClient, value: str) -> None:
    signed_app(app)
    assert client.get("/set", query_string={"value": value}).status_code == 200
    assert client.get("/read").json == {"token": value}


def test_signing_uses_the_key_and_a_salt_of_this_package(
    app: FlaskExpress, client: FlaskClient
) -> None:
    signed_app(app)
    client.get("/set")
    assert raw_cookie(client, "token") == sign("test-secret", "token", "42")
    assert SALT == "fx-cookies.signed-cookie"


def test_only_verified_cookies_are_listed(app: FlaskExpress, client: FlaskClient) -> None:
    signed_app(app)
    client.get("/set", query_string={"name": "a", "value": "1"})
    client.get("/set", query_string={"name": "b", "value": "2"})
    client.set_cookie("plain", "3")
    client.set_cookie("dotted", "4.abc")
    assert client.get("/read").json == {"a": "1", "b": "2"}


def test_signed_cookies_with_no_cookies_is_empty(app: FlaskExpress, client: FlaskClient) -> None:
    signed_app(app)
    assert client.get("/read").json == {}


def test_a_missing_signed_cookie_read_as_attribute_is_400(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.send(req.signed_cookies.token)

    client.set_cookie("token", "unsigned")
    rv = client.get("/")
    assert rv.status_code == 400
    assert b"The request has no signed cookie &#39;token&#39;." in rv.data


def test_signed_cookies_is_a_munch(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        cookies = req.signed_cookies
        return res.json({"get": cookies.get("token"), "missing": cookies.get("nope", "dflt")})

    client.set_cookie("token", sign("test-secret", "token", "v"))
    assert client.get("/").json == {"get": "v", "missing": "dflt"}


# -- tampering ------------------------------------------------------------------------


def test_an_edited_value_is_rejected(app: FlaskExpress, client: FlaskClient) -> None:
    signed_app(app)
    signature = sign("test-secret", "token", "42").split(".", 1)[1]
    assert read_with(app, f"token=42.{signature}") == {"token": "42"}
    assert read_with(app, f"token=43.{signature}") == {}
    assert read_with(app, f"token=420.{signature}") == {}
    assert read_with(app, f"token=.{signature}") == {}


def test_an_edited_signature_is_rejected(app: FlaskExpress, client: FlaskClient) -> None:
    signed_app(app)
    good = sign("test-secret", "token", "42")
    flipped = good[:-1] + ("A" if good[-1] != "A" else "B")
    assert read_with(app, f"token={flipped}") == {}
    assert read_with(app, f"token={good[:-1]}") == {}
    assert read_with(app, "token=42.") == {}
    assert read_with(app, "token=42") == {}


def test_a_swapped_signature_is_rejected(app: FlaskExpress, client: FlaskClient) -> None:
    signed_app(app)
    admin_signature = sign("test-secret", "token", "admin").split(".", 1)[1]
    assert read_with(app, f"token=42.{admin_signature}") == {}


def test_a_value_signed_for_another_name_is_rejected(
    app: FlaskExpress, client: FlaskClient
) -> None:
    signed_app(app)
    client.get("/set", query_string={"name": "user", "value": "admin"})
    copied = raw_cookie(client, "user")
    assert read_with(app, f"role={copied}; user={copied}") == {"user": "admin"}


def test_a_value_signed_with_another_key_is_rejected(
    app: FlaskExpress, client: FlaskClient
) -> None:
    signed_app(app)
    assert read_with(app, f"token={sign('another-secret', 'token', '42')}") == {}


@pytest.mark.parametrize("salt", ["itsdangerous.Signer", "cookie-session", "fx-cookies"])
def test_a_value_signed_with_another_salt_is_rejected(
    app: FlaskExpress, client: FlaskClient, salt: str
) -> None:
    signed_app(app)
    assert read_with(app, f"token={sign('test-secret', 'token', '42', salt)}") == {}


def test_flask_session_cookie_is_not_a_signed_cookie(
    app: FlaskExpress, client: FlaskClient
) -> None:
    signed_app(app)

    @app.get("/login")
    def login(req: Request, res: CookiesMixin) -> CookiesMixin:
        req.set_session("user", "ada")
        return res.send("ok")

    client.get("/login")
    assert client.get_cookie("session") is not None
    assert client.get("/read").json == {}


@pytest.mark.parametrize(
    "header",
    [
        "token=",
        "token",
        "=x",
        'token="unterminated',
        "token=a.b.c.d.e",
        ";;;;",
        "token=" + "A" * 8000,
        "token=%00.%00",
    ],
)
def test_garbage_cookies_never_cause_a_5xx(
    app: FlaskExpress, client: FlaskClient, header: str
) -> None:
    signed_app(app)
    assert read_with(app, header) == {}


def test_an_unquoted_utf8_value_verifies_as_req_cookies_reads_it(
    app: FlaskExpress, client: FlaskClient
) -> None:
    # A client may send UTF-8 raw, unquoted; WSGI hands it over as latin-1.
    signed_app(app)
    raw = sign("test-secret", "token", "h\u00e9llo\u2603").encode().decode("latin-1")
    assert read_with(app, f"token={raw}") == {"token": "h\u00e9llo\u2603"}


class CookielessSessions(SecureCookieSessionInterface):
    """Sessions that never read the Cookie header, so a request reaches the
    view whatever bytes the header holds."""

    def open_session(self, app: flask.Flask, request: flask.Request) -> SecureCookieSession:
        return self.session_class()


def test_a_cookie_header_that_is_not_utf8_never_causes_a_5xx(app: FlaskExpress) -> None:
    app.session_interface = CookielessSessions()
    signed_app(app)
    good = sign("test-secret", "token", "42")
    assert read_with(app, "junk=\xff\xfe") == {}
    assert read_with(app, f"junk=\xff\xfe; token={good}") == {"token": "42"}


def test_the_first_value_that_verifies_wins(app: FlaskExpress, client: FlaskClient) -> None:
    # A cookie tossed in by a sibling subdomain must not hide the real one.
    signed_app(app)
    good = sign("test-secret", "token", "real")
    other = sign("test-secret", "token", "second")
    assert read_with(app, f"token=forged.abc; token={good}") == {"token": "real"}
    assert read_with(app, f"token={good}; token={other}") == {"token": "real"}


def test_a_signed_value_that_is_not_utf8_is_rejected(
    app: FlaskExpress, client: FlaskClient
) -> None:
    signed_app(app)
    signer = Signer(
        "test-secret",
        salt=f"{SALT}:token",
        key_derivation="hmac",
        digest_method=hashlib.sha256,
    )
    # A valid signature over bytes that are not UTF-8 cannot come back
    # intact in a cookie: absent, not a 500.
    raw = signer.sign(b"\xff\xfe").decode("latin-1")
    client.set_cookie("token", raw)
    rv = client.get("/read")
    assert rv.status_code == 200
    assert rv.json == {}


# -- keys ------------------------------------------------------------------------------


def test_the_key_is_read_on_each_call(app: FlaskExpress, client: FlaskClient) -> None:
    signed_app(app)
    client.get("/set")
    assert raw_cookie(client, "token") == sign("test-secret", "token", "42")
    app.config["SECRET_KEY"] = "changed"
    assert client.get("/read").json == {}
    client.get("/set")
    assert raw_cookie(client, "token") == sign("changed", "token", "42")
    assert client.get("/read").json == {"token": "42"}


def test_bytes_keys_work(app: FlaskExpress, client: FlaskClient) -> None:
    app.config["SECRET_KEY"] = b"\x00bytes-key\xff"
    signed_app(app)
    client.get("/set")
    assert raw_cookie(client, "token") == sign(b"\x00bytes-key\xff", "token", "42")
    assert client.get("/read").json == {"token": "42"}


def test_key_rotation_with_secret_key_fallbacks(app: FlaskExpress, client: FlaskClient) -> None:
    signed_app(app)
    client.get("/set", query_string={"name": "old", "value": "1"})

    # Rotate: the old key moves to the fallbacks.
    app.config.update(SECRET_KEY="new-secret", SECRET_KEY_FALLBACKS=["older", "test-secret"])
    assert client.get("/read").json == {"old": "1"}

    # New cookies are signed with the new key only.
    client.get("/set", query_string={"name": "new", "value": "2"})
    assert raw_cookie(client, "new") == sign("new-secret", "new", "2")
    assert client.get("/read").json == {"old": "1", "new": "2"}

    # Once the old key is dropped, its cookies no longer verify.
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get("/read").json == {"new": "2"}


def test_a_fallback_key_never_signs(app: FlaskExpress, client: FlaskClient) -> None:
    app.config.update(SECRET_KEY="current", SECRET_KEY_FALLBACKS=["previous"])
    signed_app(app)
    client.get("/set")
    assert raw_cookie(client, "token") == sign("current", "token", "42")
    app.config.update(SECRET_KEY="previous", SECRET_KEY_FALLBACKS=[])
    assert client.get("/read").json == {}


@pytest.mark.parametrize("secret", [None, ""])
def test_signing_without_secret_key_raises_and_changes_nothing(
    app: FlaskExpress, client: FlaskClient, secret: str | None
) -> None:
    app.config["SECRET_KEY"] = secret

    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        try:
            res.cookie("token", "42", signed=True)
        except RuntimeError as e:
            return res.send(str(e))
        return res.send("no error")

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == (
        b"res.set_cookie('token', signed=True) needs the app's SECRET_KEY: "
        b"set app.config['SECRET_KEY'] to sign cookies"
    )
    assert rv.headers.getlist("Set-Cookie") == []


def test_signing_without_secret_key_propagates_in_tests(
    app: FlaskExpress, client: FlaskClient
) -> None:
    app.config["SECRET_KEY"] = None
    signed_app(app)
    with pytest.raises(RuntimeError, match=r"needs the app's SECRET_KEY"):
        client.get("/set")


def test_reading_without_secret_key_gives_no_signed_cookie(
    app: FlaskExpress, client: FlaskClient
) -> None:
    signed_app(app)
    client.get("/set")
    app.config["SECRET_KEY"] = None
    rv = client.get("/read")
    assert rv.status_code == 200
    assert rv.json == {}


def test_an_unsigned_cookie_is_not_signed_by_default(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.cookie("token", "42").send("ok")

    assert client.get("/").headers.getlist("Set-Cookie") == ["token=42; Path=/"]


# -- the reader comes with the mixin --------------------------------------------------


def test_without_the_mixin_signed_cookies_is_missing() -> None:
    app = FlaskExpress(__name__, response_class=compose())
    app.config.update(TESTING=True, SECRET_KEY="test-secret")

    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.send(dict(req.signed_cookies))

    with pytest.raises(MissingFeature, match=r"req\.signed_cookies comes from fx-cookies"):
        app.test_client().get("/")


def test_the_reader_follows_the_response_class() -> None:
    app = FlaskExpress(__name__, response_class=compose(CookiesMixin))
    assert issubclass(app.request_class, CookiesRequest)
    assert compose_request(compose(CookiesMixin)).__mro__[1] is CookiesRequest
