"""What an adversarial review broke in fx-core, each with its regression test.

docs/security.md says what is guaranteed; these tests hold it to that.
"""

from __future__ import annotations

import typing as t

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from fx_core import FlaskExpress, Request, Response
from fx_core.sessions import signing_keys

# -- signing keys from a string ------------------------------------------------------


def test_a_string_of_fallbacks_is_one_key() -> None:
    config = {"SECRET_KEY": "new-key", "SECRET_KEY_FALLBACKS": "old-key"}
    assert signing_keys(config) == ["old-key", "new-key"]
    assert signing_keys({**config, "SECRET_KEY_FALLBACKS": b"old"}) == [b"old", "new-key"]
    assert signing_keys({**config, "SECRET_KEY_FALLBACKS": ["a", "b"]}) == ["a", "b", "new-key"]
    assert signing_keys({"SECRET_KEY": None, "SECRET_KEY_FALLBACKS": "x"}) == []


def test_a_fallback_that_is_not_a_key_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="SECRET_KEY_FALLBACKS holds 5"):
        signing_keys({"SECRET_KEY": "k", "SECRET_KEY_FALLBACKS": [5]})


def session_app(monkeypatch: pytest.MonkeyPatch) -> FlaskExpress:
    # What FLASK_SECRET_KEY_FALLBACKS=old-key with from_prefixed_env gives.
    monkeypatch.setenv("FLASK_SECRET_KEY", "new-key")
    monkeypatch.setenv("FLASK_SECRET_KEY_FALLBACKS", "old-key")
    app = FlaskExpress(__name__)
    app.config.from_prefixed_env()
    assert app.config["SECRET_KEY_FALLBACKS"] == "old-key"

    @app.get("/whoami")
    def whoami(req: Request, res: Response) -> Response:
        return res.json({"user": req.session.get("user")})

    return app


def forge(key: str, data: dict[str, t.Any]) -> str:
    serializer = URLSafeTimedSerializer(
        key,
        salt="cookie-session",
        signer_kwargs={"key_derivation": "hmac", "digest_method": __import__("hashlib").sha1},
    )
    return serializer.dumps(data)


def test_a_session_signed_with_one_letter_of_the_fallback_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = session_app(monkeypatch).test_client()
    for letter in "old-key":
        client.set_cookie("session", forge(letter, {"user": "admin"}))
        assert client.get("/whoami").json == {"user": None}


def test_a_session_signed_with_the_fallback_still_verifies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = session_app(monkeypatch).test_client()
    client.set_cookie("session", forge("old-key", {"user": "ada"}))
    assert client.get("/whoami").json == {"user": "ada"}
    client.set_cookie("session", forge("new-key", {"user": "bob"}))
    assert client.get("/whoami").json == {"user": "bob"}


# -- values checked at the call -----------------------------------------------------

BAD_LOCATIONS = [
    "//[",
    "http://[",
    "//x:99999/",
    "/\t/evil.com",
    "/a\x00b",
    "/a\x7fb",
    "/a\rb",
]


@pytest.mark.parametrize("location", BAD_LOCATIONS)
@pytest.mark.parametrize(
    "call",
    [
        lambda res, value: res.redirect(value),
        lambda res, value: res.set("Location", value),
        lambda res, value: res.set("content-location", value),
        lambda res, value: res.append("Location", value),
        lambda res, value: res.set({"Location": value}),
        lambda res, value: res.make_response("x", headers={"Location": value}),
    ],
    ids=["redirect", "set", "set-content-location", "append", "set-mapping", "make_response"],
)
def test_a_location_that_cannot_be_written_fails_at_the_call(
    app: FlaskExpress,
    client: FlaskClient,
    location: str,
    call: t.Callable[[t.Any, str], t.Any],
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        try:
            call(res, location)
        except ValueError as e:
            assert repr(location) in str(e) or "Location" in str(e)
            return res.send_status(400).send("refused")
        return res.send("accepted")

    rv = client.get("/")
    assert (rv.status_code, rv.data) == (400, b"refused")


@pytest.mark.parametrize("status", ["200 OK\r\nX-Injected: y", "200 OK\nX: y", "200 \x00", "200 €"])
def test_a_status_text_that_cannot_be_written_fails_at_the_call(
    app: FlaskExpress, client: FlaskClient, status: str
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        try:
            res.make_response("body", status)
        except ValueError as e:
            assert "status" in str(e)
            return res.send_status(400).send("refused")
        return res

    rv = client.get("/")
    assert (rv.status_code, rv.data) == (400, b"refused")
    assert "X-Injected" not in rv.headers


@pytest.mark.parametrize("location", ["/café", "/€", "https://例え.jp/パス", "//host/ok"])
def test_a_location_beyond_latin_1_is_encoded_as_werkzeug_does(
    app: FlaskExpress, client: FlaskClient, location: str
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.set("Content-Location", location).redirect(location)

    rv = client.get("/")
    assert rv.status_code == 302
    assert rv.headers["Location"].isascii()
    assert rv.headers["Content-Location"] == rv.headers["Location"]


@pytest.mark.parametrize("status", ["201 Created", "299 Fine\tby me", "201"])
def test_a_status_text_a_header_line_can_hold_is_kept(
    app: FlaskExpress, client: FlaskClient, status: str
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.make_response("body", status)

    rv = client.get("/")
    assert rv.status == status if " " in status else rv.status_code == int(status)


@pytest.mark.parametrize("status", ["200 OK\r\nX-Injected: y", "200 \x00"])
def test_a_view_returning_a_bad_status_text_is_refused_before_the_write(
    app: FlaskExpress, client: FlaskClient, status: str
) -> None:
    @app.get("/")
    def view() -> tuple[str, str]:
        return "body", status

    @app.errorhandler(500)
    def failed(e: Exception) -> tuple[str, int]:
        return "handled", 500

    # In testing, Flask lets the exception through to the caller...
    with pytest.raises(ValueError, match="the status text a view returned"):
        client.get("/")

    # ...otherwise the app's 500 handler answers: nothing reaches the wire.
    app.testing = False
    rv = client.get("/")
    assert (rv.status_code, rv.data) == (500, b"handled")
    assert "X-Injected" not in rv.headers


@pytest.mark.parametrize("key", ["text/é€", "text/plain\r\nX: y", "application/x\x00"])
def test_a_format_key_that_cannot_be_a_header_fails_at_the_call(
    app: FlaskExpress, client: FlaskClient, key: str
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        try:
            res.format({key: lambda: res.send("x")})
        except ValueError:
            return res.send_status(400).send("refused")
        return res

    rv = client.get("/", headers={"Accept": "*/*"})
    assert (rv.status_code, rv.data) == (400, b"refused")


# -- a safe way to redirect to a client-supplied target -----------------------------

ON_SITE = {
    "/account": "/account",
    "/account?tab=2#top": "/account?tab=2#top",
    "  /spaced  ": "/spaced",
    "/a\tb": "/ab",
    "/café": "/caf%C3%A9",
    "/€/嘍": "/%E2%82%AC/%E5%98%8D",
    "/%2F%2Fevil.com": "/%2F%2Fevil.com",
}

OFF_SITE = [
    "//evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    " //evil.com",
    "\x00//evil.com",
    "https://evil.com/",
    "HTTPS://evil.com",
    "javascript:alert(1)",
    "evil.com",
    "",
    "//[",
    "/\\/evil.com",
]


@pytest.fixture
def safe(app: FlaskExpress, client: FlaskClient) -> t.Callable[[str], t.Any]:
    @app.get("/go")
    def go(req: Request, res: Response) -> Response:
        return res.safe_redirect(req.query.get("next"), "/home")

    def follow(target: str) -> t.Any:
        return client.get("/go", query_string={"next": target})

    return follow


@pytest.mark.parametrize(("target", "expected"), list(ON_SITE.items()))
def test_safe_redirect_follows_a_path_on_this_site(
    safe: t.Callable[[str], t.Any], target: str, expected: str
) -> None:
    rv = safe(target)
    assert rv.status_code == 302
    assert rv.headers["Location"] == expected


@pytest.mark.parametrize("target", OFF_SITE)
def test_safe_redirect_goes_to_the_fallback_otherwise(
    safe: t.Callable[[str], t.Any], target: str
) -> None:
    rv = safe(target)
    assert rv.status_code == 302
    assert rv.headers["Location"] == "/home"


@pytest.mark.parametrize("target", [None, 5, b"/x", ["/x"]])
def test_safe_redirect_never_raises_for_any_value(
    app: FlaskExpress, client: FlaskClient, target: object
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.safe_redirect(target)

    rv = client.get("/")
    assert (rv.status_code, rv.headers["Location"]) == (302, "/")


def test_safe_redirect_takes_a_code_and_checks_the_fallback(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/ok")
    def ok(req: Request, res: Response) -> Response:
        return res.safe_redirect(req.get("Referer"), "/", 303)

    @app.get("/bad")
    def bad(req: Request, res: Response) -> Response:
        return res.safe_redirect("//evil.com", "//[")

    rv = client.get("/ok", headers={"Referer": "/back"})
    assert (rv.status_code, rv.headers["Location"]) == (303, "/back")
    with pytest.raises(ValueError, match="location"):
        client.get("/bad")


# -- client keys always read as themselves ------------------------------------------


def test_client_keys_named_like_the_projects_own_read_as_themselves(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.post("/<source>")
    def view(req: Request, res: Response, source: str) -> Response:
        return res.json(
            {
                "query": [req.query.source, req.query._key, req.query.attribute],
                "body": req.body.source,
                "cookie": req.cookies.source,
                "header": [req.header.source, req.header._key],
                "params": req.params.source,
            }
        )

    client.set_cookie("source", "c")
    rv = client.post(
        "/p?source=q&_key=k&attribute=a",
        data={"source": "b"},
        headers={"Source": "h", "_key": "hk"},
    )
    assert rv.json == {
        "query": ["q", "k", "a"],
        "body": "b",
        "cookie": "c",
        "header": ["h", "hk"],
        "params": "p",
    }


def test_json_keys_named_like_the_projects_own_read_as_themselves(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.post("/")
    def view(req: Request, res: Response) -> Response:
        return res.json([req.json.source, req.json.inner.source])

    assert client.post("/", json={"source": 1, "inner": {"source": 2}}).json == [1, 2]


def test_dict_method_names_stay_methods(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json({"page": req.query.get("page"), "get": req.query["get"]})

    assert client.get("/?get=evil&page=2").json == {"page": "2", "get": "evil"}


def test_a_missing_key_still_names_its_kind(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send(req.query.page)

    rv = client.get("/")
    assert rv.status_code == 400
    assert b"The request has no query parameter &#39;page&#39;." in rv.data
