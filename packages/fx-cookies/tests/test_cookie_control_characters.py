"""Cookie values with control characters are escaped, never written raw
(docs/packages/fx-cookies.md: cookie values are encoded). Found by
integration_tests/test_fuzz.py: Werkzeug escapes ``\\x00``-``\\x19`` but
wrote ``\\x1a``-``\\x1f`` raw, which gunicorn refuses with a 500.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from fx_cookies import CookiesMixin
from fx_core import FlaskExpress, Request

#: Every control character, each in a value of its own.
CONTROLS = [chr(code) for code in [*range(0x20), 0x7F]]

# What a header value may hold (RFC 9110 field-value); gunicorn checks this.
FIELD_VALUE = re.compile(r"[ \t\x21-\x7e\x80-\xff]*")


@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("char", CONTROLS, ids=ascii)
def test_every_control_character_is_escaped_and_reads_back(
    app: FlaskExpress, client: FlaskClient, char: str, signed: bool
) -> None:
    value = f"a{char}b"

    @app.get("/set")
    def set_view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.cookie("c", value, signed=signed).clear_cookie("old").send("ok")

    @app.get("/read")
    def read_view(req: Request, res: CookiesMixin) -> CookiesMixin:
        cookies = req.signed_cookies if signed else req.cookies
        return res.json({"c": cookies.get("c")})

    rv = client.get("/set")
    headers = rv.headers.getlist("Set-Cookie")
    assert [header.split("=")[0] for header in headers] == ["c", "old"]
    for header in headers:
        assert FIELD_VALUE.fullmatch(header), header
    assert headers[0].startswith(f'c="a\\{ord(char):03o}b')
    # Sent back as it was set, the value reads as given.
    assert client.get("/read", headers={"Cookie": headers[0].split("; ")[0]}).json == {"c": value}


def test_escaping_keeps_the_order_of_set_cookie_headers(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        res.cookie("first", "1").cookie("second", "\x1b[31m").cookie("third", "3")
        return res.send("ok")

    headers = client.get("/").headers.getlist("Set-Cookie")
    assert headers == [
        "first=1; Path=/",
        'second="\\033[31m"; Path=/',
        "third=3; Path=/",
    ]
