"""Express 5's own tests of ``req`` and ``app.use``, as docs/parity.md maps them.

Each section names the Express test file it follows (``test/app.use.js``,
``test/req.acceptsCharsets.js``, ...); the cases are written again here in
Python against the names parity.md gives, not copied.
"""

from __future__ import annotations

import re
import typing as t

import pytest
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder, run_wsgi_app

from fx_core import FlaskExpress, Request, Response

Next = t.Callable[..., t.Any]


def mark(name: str) -> t.Callable[[Request, Response, Next], None]:
    def middleware(req: Request, res: Response, next: Next) -> None:
        res.append("X-Ran", name)
        next()

    middleware.__name__ = name
    return middleware


def ending(name: str) -> t.Callable[[Request, Response, Next], t.Any]:
    def middleware(req: Request, res: Response, next: Next) -> t.Any:
        return res.append("X-Ran", name).send(f"ended by {name}")

    middleware.__name__ = name
    return middleware


def ran(rv: t.Any) -> list[str]:
    return list(rv.headers.getlist("X-Ran"))


@pytest.fixture
def view(app: FlaskExpress) -> FlaskExpress:
    @app.get("/<path:path>")
    @app.get("/")
    def everything(req: Request, res: Response, path: str = "") -> Response:
        return res.send(f"view {req.path}")

    return app


# -- test/app.use.js ---------------------------------------------------------------------


def test_use_takes_several_middleware(view: FlaskExpress, client: FlaskClient) -> None:
    view.use(mark("a"), mark("b"), mark("c"))
    rv = client.get("/")
    assert (ran(rv), rv.data) == (["a", "b", "c"], b"view /")


def test_use_takes_arrays_of_middleware(view: FlaskExpress, client: FlaskClient) -> None:
    view.use([mark("a"), mark("b")], mark("c"))
    view.use([[mark("d"), [mark("e")]], mark("f")])
    rv = client.get("/")
    assert ran(rv) == ["a", "b", "c", "d", "e", "f"]


def test_use_with_a_path_and_arrays(view: FlaskExpress, client: FlaskClient) -> None:
    view.use("/blog", [mark("a"), [mark("b")]], mark("c"))
    assert ran(client.get("/blog/post")) == ["a", "b", "c"]
    assert ran(client.get("/forum")) == []


def test_use_with_an_array_of_paths(view: FlaskExpress, client: FlaskClient) -> None:
    view.use(["/foo", "/bar"], mark("a"))
    assert ran(client.get("/foo")) == ["a"]
    assert ran(client.get("/bar/baz")) == ["a"]
    assert ran(client.get("/baz")) == []
    assert ran(client.get("/foobar")) == []


def test_use_with_nested_arrays_of_paths_and_patterns(
    view: FlaskExpress, client: FlaskClient
) -> None:
    view.use([["/foo"], [re.compile(r"^/ba[rz]")]], mark("a"))
    assert [ran(client.get(p)) for p in ["/foo", "/bar", "/baz/1", "/qux"]] == [
        ["a"],
        ["a"],
        ["a"],
        [],
    ]


def test_use_with_a_regular_expression(view: FlaskExpress, client: FlaskClient) -> None:
    view.use(re.compile(r"^/[a-z]oo"), mark("a"))
    assert ran(client.get("/foo")) == ["a"]
    assert ran(client.get("/zoo/bear")) == ["a"]
    assert ran(client.get("/get/zoo")) == []


def test_a_regular_expression_is_searched_in_the_path(
    view: FlaskExpress, client: FlaskClient
) -> None:
    # Express's router runs the pattern with exec(): anywhere in the path.
    view.use(re.compile(r"\d{3}"), mark("digits"))
    assert ran(client.get("/orders/123")) == ["digits"]
    assert ran(client.get("/orders/12")) == []


@pytest.mark.parametrize(
    "where",
    ["/admin", ["/admin"], re.compile(r"^/admin"), [re.compile(r"^/admin"), "/root"]],
    ids=["path", "array", "regexp", "mixed"],
)
def test_each_form_ends_the_request_or_goes_on(
    view: FlaskExpress, client: FlaskClient, where: t.Any
) -> None:
    view.use(where, [mark("first"), ending("stop")])
    view.use(mark("never"))
    rv = client.get("/admin/users")
    assert (ran(rv), rv.data) == (["first", "stop"], b"ended by stop")
    rv = client.get("/public")
    assert (ran(rv), rv.data) == (["never"], b"view /public")


def test_the_decorator_form_with_paths(view: FlaskExpress, client: FlaskClient) -> None:
    @view.use(["/a", re.compile(r"^/b")])
    def only_a_and_b(req: Request, res: Response, next: Next) -> None:
        res.set("X-Scoped", "yes")
        next()

    assert client.get("/a").headers.get("X-Scoped") == "yes"
    assert client.get("/b/c").headers.get("X-Scoped") == "yes"
    assert client.get("/c").headers.get("X-Scoped") is None


def test_async_middleware_in_arrays(view: FlaskExpress, client: FlaskClient) -> None:
    async def later(req: Request, res: Response, next: Next) -> None:
        res.append("X-Ran", "async")
        await next()

    view.use([mark("sync"), [later]])
    assert ran(client.get("/")) == ["sync", "async"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "needs at least one middleware"),
        (([],), "empty array"),
        (([[]],), "empty array"),
        (("/x", []), "empty array"),
        (("/x", "not callable"), "takes middleware functions"),
        (([mark("a"), 5],), "takes middleware functions"),
        (("no-slash", mark("a")), "must start with '/'"),
        (([5, mark("a")],), "takes a path, a compiled regular expression"),
    ],
)
def test_use_refuses_what_is_not_middleware(
    app: FlaskExpress, args: tuple[t.Any, ...], message: str
) -> None:
    error = ValueError if "start with" in message else TypeError
    with pytest.raises(error, match=re.escape(message)):
        app.use(*args)


def test_blueprint_use_takes_the_same_forms(app: FlaskExpress, client: FlaskClient) -> None:
    from fx_core import Blueprint

    bp = Blueprint("shop", __name__, url_prefix="/shop")
    bp.use([mark("a"), [mark("b")]])
    bp.use(["/cart", re.compile(r"^/pay")], mark("checkout"))

    @bp.get("/<path:rest>")
    def shop(req: Request, res: Response, rest: str) -> Response:
        return res.send(rest)

    app.register_blueprint(bp)
    assert ran(client.get("/shop/cart")) == ["a", "b", "checkout"]
    assert ran(client.get("/shop/payment")) == ["a", "b", "checkout"]
    assert ran(client.get("/shop/items")) == ["a", "b"]


# -- test/req.acceptsCharsets.js, req.acceptsEncodings.js, req.acceptsLanguages.js -----


@pytest.fixture
def negotiate(app: FlaskExpress, client: FlaskClient) -> t.Callable[..., t.Any]:
    @app.post("/<kind>")
    def view(req: Request, res: Response, kind: str) -> Response:
        method = getattr(req, f"accepts_{kind}")
        return res.json({"best": method(*req.json["offer"]), "all": method()})

    def ask(kind: str, header: str | None, *offer: str) -> t.Any:
        name = {"charsets": "Accept-Charset", "encodings": "Accept-Encoding"}.get(
            kind, "Accept-Language"
        )
        headers = {} if header is None else {name: header}
        return client.post(f"/{kind}", json={"offer": list(offer)}, headers=headers).json

    return ask


def test_charsets_without_the_header_take_the_first(negotiate: t.Callable[..., t.Any]) -> None:
    assert negotiate("charsets", None, "utf-8", "iso-8859-1")["best"] == "utf-8"


def test_charsets_with_the_header(negotiate: t.Callable[..., t.Any]) -> None:
    assert negotiate("charsets", "foo, bar, utf-8", "utf-8")["best"] == "utf-8"
    assert negotiate("charsets", "foo, bar", "utf-8")["best"] is None
    assert negotiate("charsets", "foo, utf-8;q=0", "utf-8")["best"] is None
    assert negotiate("charsets", "*;q=0.1, utf-8", "latin-1", "UTF-8")["best"] == "UTF-8"


def test_charsets_of_equal_quality_follow_the_client(negotiate: t.Callable[..., t.Any]) -> None:
    assert negotiate("charsets", "iso-8859-1, utf-8", "utf-8", "iso-8859-1")["best"] == "iso-8859-1"
    answer = negotiate("charsets", "utf-8;q=0.5, iso-8859-1, ascii;q=0.5", "x")
    assert answer["all"] == ["iso-8859-1", "utf-8", "ascii"]


def test_encodings(negotiate: t.Callable[..., t.Any]) -> None:
    assert negotiate("encodings", " gzip, deflate", "gzip")["best"] == "gzip"
    assert negotiate("encodings", " gzip, deflate", "deflate")["best"] == "deflate"
    assert negotiate("encodings", " gzip, deflate", "bogus")["best"] is None
    # Equal qualities: the client's order.
    assert negotiate("encodings", "deflate, gzip", "gzip", "deflate")["best"] == "deflate"
    assert negotiate("encodings", "gzip;q=0.5, br", "gzip", "br")["best"] == "br"


def test_encodings_identity_unless_refused(negotiate: t.Callable[..., t.Any]) -> None:
    # As Express: without the header only identity; identity is acceptable
    # unless the header refuses it.
    assert negotiate("encodings", None, "gzip")["best"] is None
    assert negotiate("encodings", None, "gzip", "identity")["best"] == "identity"
    assert negotiate("encodings", "gzip", "identity")["best"] == "identity"
    assert negotiate("encodings", "gzip, identity;q=0", "identity")["best"] is None
    assert negotiate("encodings", "gzip, *;q=0", "identity")["best"] is None
    assert negotiate("encodings", "gzip;q=0.8, deflate", "x")["all"] == [
        "deflate",
        "gzip",
        "identity",
    ]


def test_languages(negotiate: t.Callable[..., t.Any]) -> None:
    assert negotiate("languages", "en;q=.5, en-us", "en-us")["best"] == "en-us"
    assert negotiate("languages", "en;q=.5, en-us", "en")["best"] == "en"
    assert negotiate("languages", "en;q=.5, en-us", "es")["best"] is None


def test_languages_without_the_header_accept_any(negotiate: t.Callable[..., t.Any]) -> None:
    for language in ("en", "es", "jp"):
        assert negotiate("languages", None, language)["best"] == language
    assert negotiate("languages", None, "es", "en")["best"] == "es"


def test_languages_prefer_quality_then_specificity_then_client_order(
    negotiate: t.Callable[..., t.Any],
) -> None:
    assert negotiate("languages", "en-GB, fr;q=0.8", "fr", "en")["best"] == "en"
    assert negotiate("languages", "fr, en", "en", "fr")["best"] == "fr"
    # Both exact, equal quality: the client's order, not the more specific tag.
    assert negotiate("languages", "en, en-GB", "en-GB", "en")["best"] == "en"
    assert negotiate("languages", "en-US;q=0.9, fr", "x")["all"] == ["fr", "en-US"]


def test_accepts_star_slash_subtype(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json({"html": req.accepts("html"), "pair": req.accepts("json", "html")})

    assert client.get("/", headers={"Accept": "*/html"}).json == {"html": "html", "pair": "html"}


def test_accepting_non_strings_is_a_type_error(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json(req.accepts_languages(5))  # type: ignore[arg-type]

    with pytest.raises(TypeError, match="must be str"):
        client.get("/")


# -- test/req.get.js, test/req.header.js ---------------------------------------------------


@pytest.mark.parametrize("name", [42, None, b"Host", ["Host"]])
def test_get_and_header_need_a_string(app: FlaskExpress, client: FlaskClient, name: object) -> None:
    @app.get("/get")
    def get(req: Request, res: Response) -> Response:
        return res.json(req.get(name))  # type: ignore[arg-type]

    @app.get("/header")
    def header(req: Request, res: Response) -> Response:
        return res.json(req.header(name))

    for path, method in (("/get", "req.get"), ("/header", "req.header")):
        with pytest.raises(TypeError, match=re.escape(f"{method}() takes a header name as a str")):
            client.get(path)


def test_header_is_callable_as_in_express(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json(
            [req.header("Content-Type"), req.header("X-Missing"), req.header("Referrer")]
        )

    rv = client.get("/", headers={"Content-Type": "text/plain", "Referer": "/from"})
    assert rv.json == ["text/plain", None, "/from"]


# -- test/req.hostname.js, test/req.host.js -------------------------------------------------


def without_host(app: FlaskExpress, path: str = "/") -> tuple[int, bytes]:
    environ = EnvironBuilder(path=path).get_environ()
    del environ["HTTP_HOST"]
    environ["SERVER_PROTOCOL"] = "HTTP/1.0"
    body, status, _headers = run_wsgi_app(app, environ, buffered=True)
    return int(status.split()[0]), b"".join(body)


def test_no_host_header_gives_none(app: FlaskExpress) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json(
            {"hostname": req.hostname, "host": req.host, "sub": req.subdomains, "url": req.url}
        )

    status, body = without_host(app)
    assert status == 200
    assert body.startswith(b'{"host":null,"hostname":null,"sub":[],"url":"http://localhost/"')


def test_server_name_stands_in_for_a_missing_host(app: FlaskExpress) -> None:
    app.config["SERVER_NAME"] = "example.com:8080"

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json({"hostname": req.hostname, "host": req.host})

    status, body = without_host(app)
    assert (status, body) == (200, b'{"host":"example.com:8080","hostname":"example.com"}\n')


def test_a_host_header_is_used_as_before(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json({"hostname": req.hostname, "host": req.host})

    rv = client.get("/", headers={"Host": "example.com:3000"})
    assert rv.json == {"hostname": "example.com", "host": "example.com:3000"}
    rv = client.get("/", headers={"Host": "[::1]:3000"})
    assert rv.json == {"hostname": "[::1]", "host": "[::1]:3000"}
