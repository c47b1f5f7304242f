"""Flask's own session cookie goes through ``CookiesMixin.set_cookie`` and keeps
working (docs/packages/fx-cookies.md, "Flask's session cookie")."""

from __future__ import annotations

import inspect
import typing as t

import flask
import pytest
from flask.testing import FlaskClient

from fx_cookies import CookiesMixin
from fx_core import FlaskExpress, Request


def session_app(app: FlaskExpress) -> None:
    @app.get("/login")
    def login(req: Request, res: CookiesMixin) -> CookiesMixin:
        req.set_session("user", "ada")
        return res.send("logged in")

    @app.get("/me")
    def me(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.json({"user": req.get_session("user")})

    @app.get("/logout")
    def logout(req: Request, res: CookiesMixin) -> CookiesMixin:
        flask.session.clear()
        return res.send("bye")

    @app.get("/plain")
    def plain() -> str:
        flask.session["plain"] = "yes"
        return f"user={flask.session.get('user')}"


def session_cookie(rv: t.Any) -> str:
    [header] = [h for h in rv.headers.getlist("Set-Cookie") if h.startswith("session=")]
    return str(header)


def test_session_survives_across_requests(app: FlaskExpress, client: FlaskClient) -> None:
    session_app(app)
    rv = client.get("/login")
    assert rv.status_code == 200
    assert rv.data == b"logged in"
    header = session_cookie(rv)
    assert header.endswith("; HttpOnly; Path=/")
    assert "SameSite" not in header
    assert rv.headers["Vary"] == "Cookie"

    rv = client.get("/me")
    assert rv.json == {"user": "ada"}


def test_a_plain_flask_view_keeps_the_session(app: FlaskExpress, client: FlaskClient) -> None:
    session_app(app)
    client.get("/login")
    rv = client.get("/plain")
    assert rv.data == b"user=ada"
    assert session_cookie(rv).startswith("session=")


def test_session_with_samesite_lax(app: FlaskExpress, client: FlaskClient) -> None:
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    session_app(app)
    rv = client.get("/login")
    assert session_cookie(rv).endswith("; HttpOnly; Path=/; SameSite=Lax")
    assert client.get("/me").json == {"user": "ada"}


def test_session_with_every_cookie_option(app: FlaskExpress, client: FlaskClient) -> None:
    app.config.update(
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_PATH="/",
        SESSION_COOKIE_DOMAIN="example.com",
    )
    session_app(app)
    base = "https://www.example.com"
    rv = client.get("/login", base_url=base)
    header = session_cookie(rv)
    assert header.startswith("session=")
    assert header.endswith("; Domain=example.com; Secure; HttpOnly; Path=/; SameSite=Strict")
    assert client.get("/me", base_url=base).json == {"user": "ada"}


@pytest.mark.skipif(
    "partitioned" not in inspect.signature(flask.Response.set_cookie).parameters,
    reason="Werkzeug < 3.1 has no partitioned cookies",
)
def test_session_with_partitioned_cookie(app: FlaskExpress, client: FlaskClient) -> None:
    app.config.update(SESSION_COOKIE_SAMESITE="None", SESSION_COOKIE_PARTITIONED=True)
    session_app(app)
    rv = client.get("/login")
    # Partitioned implies Secure, so SameSite=None does not warn here.
    assert session_cookie(rv).endswith("; Secure; HttpOnly; Path=/; SameSite=None; Partitioned")
    assert client.get("/me").json == {"user": "ada"}


def test_session_config_goes_through_this_set_cookie(
    app: FlaskExpress, client: FlaskClient
) -> None:
    # Werkzeug alone would write "Secure=1"; CookiesMixin writes the flag.
    app.config.update(SESSION_COOKIE_SECURE=1, SESSION_COOKIE_SAMESITE="lax")
    session_app(app)
    rv = client.get("/login")
    assert session_cookie(rv).endswith("; Secure; HttpOnly; Path=/; SameSite=Lax")
    assert client.get("/me").json == {"user": "ada"}


def test_session_samesite_none_without_secure_warns_but_works(
    app: FlaskExpress, client: FlaskClient
) -> None:
    app.config["SESSION_COOKIE_SAMESITE"] = "None"
    session_app(app)
    with pytest.warns(UserWarning, match=r"res\.set_cookie\('session'\): SameSite=None"):
        rv = client.get("/login")
    assert rv.status_code == 200
    assert session_cookie(rv).endswith("; HttpOnly; Path=/; SameSite=None")
    # Reading the session sets no cookie, so it warns no more.
    rv = client.get("/me")
    assert rv.json == {"user": "ada"}
    assert rv.headers.getlist("Set-Cookie") == []


def test_clearing_the_session_deletes_its_cookie(app: FlaskExpress, client: FlaskClient) -> None:
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    session_app(app)
    client.get("/login")
    rv = client.get("/logout")
    assert rv.data == b"bye"
    assert session_cookie(rv) == (
        "session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/; SameSite=Lax"
    )
    assert client.get_cookie("session") is None
    assert client.get("/me").json == {"user": None}


def test_session_and_own_cookies_together(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        req.set_session("n", 1)
        return res.cookie("theme", "dark").json({"ok": True})

    rv = client.get("/")
    assert rv.json == {"ok": True}
    headers = rv.headers.getlist("Set-Cookie")
    assert headers[0] == "theme=dark; Path=/"
    assert headers[1].startswith("session=")
    assert len(headers) == 2
