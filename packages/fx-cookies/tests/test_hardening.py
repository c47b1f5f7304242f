"""What an adversarial review broke in fx-cookies (docs/security.md)."""

from __future__ import annotations

import hashlib

import pytest
from itsdangerous import Signer

from fx_cookies import SALT, CookiesMixin
from fx_core import FlaskExpress, Request, compose


def make_app(monkeypatch: pytest.MonkeyPatch) -> FlaskExpress:
    # What FLASK_SECRET_KEY_FALLBACKS=old-key with from_prefixed_env gives.
    monkeypatch.setenv("FLASK_SECRET_KEY", "new-key")
    monkeypatch.setenv("FLASK_SECRET_KEY_FALLBACKS", "old-key")
    app = FlaskExpress(__name__, response_class=compose(CookiesMixin))
    app.config.from_prefixed_env()

    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.json({"user": req.signed_cookies.get("user")})

    return app


def signed(key: str, value: str) -> str:
    signer = Signer(key, salt=f"{SALT}:user", key_derivation="hmac", digest_method=hashlib.sha256)
    return signer.sign(value).decode()


def test_one_letter_of_a_string_fallback_does_not_verify(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = make_app(monkeypatch).test_client()
    for letter in "old-key":
        client.set_cookie("user", signed(letter, "admin"))
        assert client.get("/").json == {"user": None}


def test_the_whole_string_fallback_verifies(monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_app(monkeypatch).test_client()
    client.set_cookie("user", signed("old-key", "ada"))
    assert client.get("/").json == {"user": "ada"}


@pytest.mark.parametrize("expires", ["Wed, 21 Oct 2099 07:28:00 €", "jeudi 1 janvier 2099 ✓"])
def test_an_expires_string_a_header_cannot_hold_fails_at_the_call(expires: str) -> None:
    app = FlaskExpress(__name__, response_class=compose(CookiesMixin))

    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        try:
            res.cookie("a", "b", expires=expires)
        except ValueError as e:
            assert "expires" in str(e)
            return res.send_status(400).send("refused")
        return res.send("accepted")

    rv = app.test_client().get("/")
    assert (rv.status_code, rv.data) == (400, b"refused")
    assert "Set-Cookie" not in rv.headers
