"""``res.clear_cookie`` and its alias ``clearCookie`` (docs/packages/fx-cookies.md)."""

from __future__ import annotations

import typing as t

import pytest
from flask.testing import FlaskClient

from fx_cookies import CookiesMixin
from fx_core import FlaskExpress, Request

CLEARERS = ["clear_cookie", "clearCookie"]
EXPIRED = "Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0"


def set_cookies(rv: t.Any) -> list[str]:
    return list(rv.headers.getlist("Set-Cookie"))


def test_alias_is_the_same_method() -> None:
    methods = vars(CookiesMixin)
    assert methods["clearCookie"] is methods["clear_cookie"]


@pytest.mark.parametrize("method", CLEARERS)
def test_clearing_a_present_cookie_deletes_it(
    app: FlaskExpress, client: FlaskClient, method: str
) -> None:
    @app.get("/set")
    def set_view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.cookie("theme", "dark").send("set")

    @app.get("/clear")
    def clear_view(req: Request, res: CookiesMixin) -> CookiesMixin:
        chained = getattr(res, method)("theme")
        assert chained is res
        return chained.send("cleared")

    @app.get("/read")
    def read_view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.json(dict(req.cookies))

    client.get("/set")
    assert client.get("/read").json == {"theme": "dark"}

    rv = client.get("/clear")
    assert rv.status_code == 200
    assert rv.data == b"cleared"
    assert set_cookies(rv) == [f"theme=; {EXPIRED}; Path=/"]
    assert client.get_cookie("theme") is None
    assert client.get("/read").json == {}


@pytest.mark.parametrize("method", CLEARERS)
def test_clearing_an_absent_cookie_is_silent(
    app: FlaskExpress, client: FlaskClient, method: str
) -> None:
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return t.cast(CookiesMixin, getattr(res, method)("never_set").send("ok"))

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b"ok"
    assert set_cookies(rv) == [f"never_set=; {EXPIRED}; Path=/"]
    assert client.get_cookie("never_set") is None


def test_clearing_needs_the_path_and_domain_it_was_set_with(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/set")
    def set_view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.cookie("prefs", "1", path="/app", domain="example.com").send("set")

    @app.get("/clear-default")
    def clear_default(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.clear_cookie("prefs").send("cleared")

    @app.get("/clear-matching")
    def clear_matching(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.clear_cookie("prefs", path="/app", domain="example.com").send("cleared")

    base = "http://www.example.com"
    client.get("/set", base_url=base)
    assert client.get_cookie("prefs", domain="example.com", path="/app") is not None

    # Another path and domain: the browser keeps the cookie.
    rv = client.get("/clear-default", base_url=base)
    assert set_cookies(rv) == [f"prefs=; {EXPIRED}; Path=/"]
    assert client.get_cookie("prefs", domain="example.com", path="/app") is not None

    rv = client.get("/clear-matching", base_url=base)
    assert set_cookies(rv) == [f"prefs=; Domain=example.com; {EXPIRED}; Path=/app"]
    assert client.get_cookie("prefs", domain="example.com", path="/app") is None


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"path": "/admin"}, f"c=; {EXPIRED}; Path=/admin"),
        ({"path": None}, f"c=; {EXPIRED}"),
        ({"domain": "example.com"}, f"c=; Domain=example.com; {EXPIRED}; Path=/"),
        ({"secure": True}, f"c=; {EXPIRED}; Secure; Path=/"),
        ({"httponly": True}, f"c=; {EXPIRED}; HttpOnly; Path=/"),
        ({"samesite": "strict"}, f"c=; {EXPIRED}; Path=/; SameSite=Strict"),
        ({"samesite": "LAX"}, f"c=; {EXPIRED}; Path=/; SameSite=Lax"),
        ({"samesite": "none", "secure": True}, f"c=; {EXPIRED}; Secure; Path=/; SameSite=None"),
        ({"partitioned": True}, f"c=; {EXPIRED}; Secure; Path=/; Partitioned"),
    ],
)
def test_each_parameter_of_clear_cookie(
    app: FlaskExpress, client: FlaskClient, options: dict[str, t.Any], expected: str
) -> None:
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.clear_cookie("c", **options).send("ok")

    assert set_cookies(client.get("/")) == [expected]


def test_set_then_clear_in_one_response_keeps_both_in_order(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.cookie("a", "1").clearCookie("a").json({"ok": True})

    rv = client.get("/")
    assert rv.json == {"ok": True}
    assert set_cookies(rv) == ["a=1; Path=/", f"a=; {EXPIRED}; Path=/"]
    assert client.get_cookie("a") is None


def failing_clear(app: FlaskExpress, **options: t.Any) -> None:
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        try:
            res.clear_cookie(**options)
        except (TypeError, ValueError) as e:
            return res.send(f"{type(e).__name__}: {e}")
        return res.send("no error")


@pytest.mark.parametrize("name", ["", "a b", "a;b", "a=b", "a,b", "caf\u00e9", "a\r\nb"])
def test_a_bad_name_raises_value_error(app: FlaskExpress, client: FlaskClient, name: str) -> None:
    failing_clear(app, key=name)
    rv = client.get("/")
    message = (
        f"ValueError: res.clear_cookie(): {name!r} is not a valid cookie name (an RFC 6265 "
        "token: ASCII letters, digits and !#$%&'*+-.^_`|~)"
    )
    assert rv.data == message.encode()
    assert set_cookies(rv) == []


@pytest.mark.parametrize("samesite", ["", "strictly", True])
def test_a_bad_samesite_raises_value_error(
    app: FlaskExpress, client: FlaskClient, samesite: t.Any
) -> None:
    failing_clear(app, key="c", samesite=samesite)
    rv = client.get("/")
    message = (
        "ValueError: res.clear_cookie(): samesite must be 'Strict', 'Lax' or 'None', "
        f"got {samesite!r}"
    )
    assert rv.data == message.encode()
    assert set_cookies(rv) == []


def test_a_bad_domain_raises_value_error(app: FlaskExpress, client: FlaskClient) -> None:
    failing_clear(app, key="c", domain="x.com; Path=/")
    rv = client.get("/")
    message = "ValueError: res.clear_cookie(): 'x.com; Path=/' is not a valid cookie domain"
    assert rv.data == message.encode()
    assert set_cookies(rv) == []


@pytest.mark.parametrize("method", CLEARERS)
def test_samesite_none_without_secure_warns(
    app: FlaskExpress, client: FlaskClient, method: str
) -> None:
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return t.cast(CookiesMixin, getattr(res, method)("c", samesite="None").send("ok"))

    with pytest.warns(UserWarning, match=r"res\.clear_cookie\('c'\): SameSite=None") as record:
        rv = client.get("/")
    assert rv.status_code == 200
    assert set_cookies(rv) == [f"c=; {EXPIRED}; Path=/; SameSite=None"]
    assert record[0].filename == __file__
