"""Express's read-only request names (``req.ip``, ``req.hostname``, ``req.protocol``,
``req.secure``, ``req.xhr``, ``req.subdomains``, ``req.fresh``/``req.stale``,
``req.is_()``) and Werkzeug's ``req.path``, through real requests to real views."""

from __future__ import annotations

import typing as t

import pytest
from flask.testing import FlaskClient
from werkzeug.middleware.proxy_fix import ProxyFix

from fx_core import FlaskExpress, Request, Response

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from werkzeug.test import TestResponse


def served_as(app: FlaskExpress, **environ: str | None) -> None:
    """Change the WSGI environ as a server would, after the test client built
    it (the client always sets REMOTE_ADDR and CONTENT_LENGTH); ``None``
    removes a key."""
    inner = app.wsgi_app

    def server(env: WSGIEnvironment, start_response: StartResponse) -> t.Iterable[bytes]:
        for key, value in environ.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return inner(env, start_response)

    app.wsgi_app = server  # type: ignore[method-assign,assignment]


READ_ONLY = ("ip", "hostname", "subdomains", "protocol", "secure", "xhr", "fresh", "stale")


@pytest.fixture
def info(app: FlaskExpress, client: FlaskClient) -> t.Callable[..., dict[str, t.Any]]:
    """GET /info/<rest> with the given client arguments; the view's answer as a dict."""

    @app.get("/info/", defaults={"rest": ""})
    @app.get("/info/<path:rest>")
    def show(req: Request, res: Response) -> Response:
        return res.json(
            {
                "ip": req.ip,
                "hostname": req.hostname,
                "subdomains": req.subdomains,
                "protocol": req.protocol,
                "secure": req.secure,
                "is_secure": req.is_secure,
                "xhr": req.xhr,
                "path": req.path,
                "script_root": req.script_root,
            }
        )

    def get(path: str = "/info/", **kwargs: t.Any) -> dict[str, t.Any]:
        rv = client.get(path, **kwargs)
        assert rv.status_code == 200, rv.data
        assert rv.content_type == "application/json"
        return t.cast("dict[str, t.Any]", rv.json)

    return get


# -- plain HTTP, HTTPS ------------------------------------------------------------


def test_plain_http(info: t.Callable[..., dict[str, t.Any]]) -> None:
    assert info("/info/a/b?x=1") == {
        "ip": "127.0.0.1",
        "hostname": "localhost",
        "subdomains": [],
        "protocol": "http",
        "secure": False,
        "is_secure": False,
        "xhr": False,
        "path": "/info/a/b",
        "script_root": "",
    }


def test_https_from_base_url(info: t.Callable[..., dict[str, t.Any]]) -> None:
    got = info(base_url="https://example.com")
    assert got["protocol"] == "https"
    assert got["secure"] is True
    assert got["is_secure"] is True
    assert got["hostname"] == "example.com"


def test_https_from_wsgi_url_scheme(info: t.Callable[..., dict[str, t.Any]]) -> None:
    got = info(environ_overrides={"wsgi.url_scheme": "https"})
    assert (got["protocol"], got["secure"]) == ("https", True)


def test_socket_address_is_the_ip(info: t.Callable[..., dict[str, t.Any]]) -> None:
    assert info(environ_base={"REMOTE_ADDR": "198.51.100.2"})["ip"] == "198.51.100.2"


def test_ip_is_none_when_the_server_gives_no_address(
    app: FlaskExpress, info: t.Callable[..., dict[str, t.Any]]
) -> None:
    # A Unix socket has no peer address; Werkzeug's remote_addr is None then.
    served_as(app, REMOTE_ADDR=None)
    assert info()["ip"] is None


# -- hostname ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "hostname"),
    [
        ("example.com", "example.com"),
        ("example.com:8080", "example.com"),
        ("Example.COM:8080", "Example.COM"),
        ("127.0.0.1:5000", "127.0.0.1"),
        ("[::1]:8080", "[::1]"),
        ("[::1]", "[::1]"),
        ("[2001:db8::1]:443", "[2001:db8::1]"),
    ],
)
def test_hostname_drops_the_port(
    info: t.Callable[..., dict[str, t.Any]], host: str, hostname: str
) -> None:
    assert info(headers={"Host": host})["hostname"] == hostname


def test_hostname_of_ipv6_over_https(info: t.Callable[..., dict[str, t.Any]]) -> None:
    got = info(base_url="https://[2001:db8::1]:8443")
    assert (got["hostname"], got["protocol"], got["subdomains"]) == ("[2001:db8::1]", "https", [])


def test_hostname_of_an_invalid_host_is_empty(info: t.Callable[..., dict[str, t.Any]]) -> None:
    # Werkzeug's host is "" for characters a host name cannot hold.
    got = info(headers={"Host": "bad_host!:80"})
    assert (got["hostname"], got["subdomains"]) == ("", [])


def test_hostname_honours_trusted_hosts(app: FlaskExpress, client: FlaskClient) -> None:
    app.config["TRUSTED_HOSTS"] = ["example.com"]

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.send(req.hostname)

    rv = client.get("/", headers={"Host": "example.com:8080"})
    assert (rv.status_code, rv.data) == (200, b"example.com")
    rv = client.get("/", headers={"Host": "evil.example:8080"})
    assert rv.status_code == 400
    assert b"is not trusted" in rv.data


# -- subdomains -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "subdomains"),
    [
        ("tobi.ferrets.example.com", ["ferrets", "tobi"]),
        ("tobi.ferrets.example.com:8080", ["ferrets", "tobi"]),
        ("www.example.com", ["www"]),
        ("example.com", []),
        ("localhost", []),
        ("127.0.0.1", []),
        ("[::1]:8080", []),
    ],
)
def test_subdomains(
    info: t.Callable[..., dict[str, t.Any]], host: str, subdomains: list[str]
) -> None:
    assert info(headers={"Host": host})["subdomains"] == subdomains


def test_subdomain_offset_is_read_on_each_request(
    app: FlaskExpress, info: t.Callable[..., dict[str, t.Any]]
) -> None:
    host = {"Host": "tobi.ferrets.example.co.uk"}
    assert info(headers=host)["subdomains"] == ["example", "ferrets", "tobi"]
    app.config["FX_SUBDOMAIN_OFFSET"] = 3
    assert info(headers=host)["subdomains"] == ["ferrets", "tobi"]
    app.config["FX_SUBDOMAIN_OFFSET"] = 0
    assert info(headers=host)["subdomains"] == ["uk", "co", "example", "ferrets", "tobi"]
    # As in Express, an IP address is one label, never split on its dots.
    assert info(headers={"Host": "10.0.0.1"})["subdomains"] == ["10.0.0.1"]
    assert info(headers={"Host": "[::1]:8080"})["subdomains"] == ["[::1]"]


@pytest.mark.parametrize(
    ("offset", "error", "message"),
    [
        ("2", TypeError, "FX_SUBDOMAIN_OFFSET must be an int, got '2'"),
        (True, TypeError, "FX_SUBDOMAIN_OFFSET must be an int, got True"),
        (-1, ValueError, "FX_SUBDOMAIN_OFFSET must be 0 or more, got -1"),
    ],
)
def test_subdomain_offset_misconfigured(
    app: FlaskExpress, client: FlaskClient, offset: object, error: type[Exception], message: str
) -> None:
    app.config["FX_SUBDOMAIN_OFFSET"] = offset

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        with pytest.raises(error) as info:
            req.subdomains  # noqa: B018
        return res.send(str(info.value))

    rv = client.get("/", headers={"Host": "a.example.com"})
    assert (rv.status_code, rv.data) == (200, message.encode())


# -- behind a proxy ---------------------------------------------------------------


def test_behind_proxy_fix(app: FlaskExpress, info: t.Callable[..., dict[str, t.Any]]) -> None:
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    got = info(
        headers={
            "X-Forwarded-For": "203.0.113.7",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "shop.example.com:8443",
        },
    )
    assert got["ip"] == "203.0.113.7"
    assert (got["protocol"], got["secure"]) == ("https", True)
    assert got["hostname"] == "shop.example.com"
    assert got["subdomains"] == ["shop"]


def test_behind_proxy_fix_ipv6(app: FlaskExpress, info: t.Callable[..., dict[str, t.Any]]) -> None:
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    got = info(
        headers={
            "X-Forwarded-For": "2001:db8::7",
            "X-Forwarded-Proto": "http",
            "X-Forwarded-Host": "[2001:db8::1]:8080",
        },
    )
    assert (got["ip"], got["hostname"], got["protocol"]) == ("2001:db8::7", "[2001:db8::1]", "http")


def test_proxy_fix_trusts_only_its_hops(
    app: FlaskExpress, info: t.Callable[..., dict[str, t.Any]]
) -> None:
    # One trusted proxy: it appended the address it saw; the entry before it
    # is whatever the client wrote.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=0)  # type: ignore[method-assign]
    got = info(headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.7"})
    assert got["ip"] == "203.0.113.7"
    # x_proto and x_host were not trusted: those headers change nothing.
    got = info(headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
    assert (got["protocol"], got["hostname"]) == ("http", "localhost")


def test_forged_forwarded_headers_without_proxy_fix(
    info: t.Callable[..., dict[str, t.Any]],
) -> None:
    got = info(
        headers={
            "X-Forwarded-For": "6.6.6.6",
            "X-Real-IP": "6.6.6.6",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "evil.example",
        },
        environ_base={"REMOTE_ADDR": "198.51.100.2"},
    )
    assert got["ip"] == "198.51.100.2"
    assert (got["protocol"], got["secure"]) == ("http", False)
    assert (got["hostname"], got["subdomains"]) == ("localhost", [])


# -- xhr --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "xhr"),
    [
        ("XMLHttpRequest", True),
        ("xmlhttprequest", True),
        ("XMLHTTPREQUEST", True),
        ("", False),
        ("fetch", False),
        ("XMLHttpRequest2", False),
        ("XMLHttpRequest, XMLHttpRequest", False),
    ],
)
def test_xhr_header(info: t.Callable[..., dict[str, t.Any]], value: str, xhr: bool) -> None:
    assert info(headers={"X-Requested-With": value})["xhr"] is xhr


def test_xhr_without_header(info: t.Callable[..., dict[str, t.Any]]) -> None:
    assert info(headers={"Accept": "application/json"})["xhr"] is False


# -- path (Werkzeug's) --------------------------------------------------------------


def test_path_is_werkzeugs_without_query_string(
    info: t.Callable[..., dict[str, t.Any]],
) -> None:
    # Express's req.path: the URL path without the query string.
    assert info("/info/users/7?tab=posts&x=%3F")["path"] == "/info/users/7"
    assert info("/info/?")["path"] == "/info/"


def test_path_is_relative_to_the_mount_point(info: t.Callable[..., dict[str, t.Any]]) -> None:
    # Mounted under /shop (SCRIPT_NAME), as an Express app mounted with
    # app.use("/shop", sub): path leaves the mount point out.
    got = info("/info/cart?x=1", base_url="http://localhost/shop")
    assert (got["path"], got["script_root"]) == ("/info/cart", "/shop")


def test_path_is_percent_decoded(info: t.Callable[..., dict[str, t.Any]]) -> None:
    # Unlike Express, whose req.path keeps "%20": WSGI hands the path over
    # decoded, and Werkzeug's path is what routing matched.
    assert info("/info/a%20b/%C3%A9")["path"] == "/info/a b/é"


# -- read-only ----------------------------------------------------------------------


def test_express_names_are_read_only(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        refused = []
        for name in READ_ONLY:
            before = getattr(req, name)
            try:
                setattr(req, name, "forged")
            except AttributeError:
                refused.append(name)
            assert getattr(req, name) == before
        return res.json(refused)

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.json == list(READ_ONLY)


# -- fresh / stale ------------------------------------------------------------------

LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"
EARLIER = "Tue, 20 Oct 2015 07:28:00 GMT"
LATER = "Thu, 22 Oct 2015 07:28:00 GMT"


@pytest.fixture
def freshness(app: FlaskExpress, client: FlaskClient) -> t.Callable[..., TestResponse]:
    """A request to a view that sets ?etag=, ?modified= and ?status= on res and
    answers with req.fresh and req.stale in headers (a 304 has no body)."""

    @app.route("/doc", methods=["GET", "POST", "PUT"])
    def doc(req: Request, res: Response) -> Response:
        if "status" in req.query:
            res.send_status(int(req.query.status))
        if "etag" in req.query:
            res.set("ETag", req.query.etag)
        if "modified" in req.query:
            res.set("Last-Modified", req.query.modified)
        return res.set("X-Fresh", str(req.fresh)).set("X-Stale", str(req.stale)).send("body")

    def request(method: str = "GET", **query_and_headers: str) -> TestResponse:
        query = {k: v for k, v in query_and_headers.items() if k in ("etag", "modified", "status")}
        headers = {k.replace("_", "-"): v for k, v in query_and_headers.items() if k not in query}
        return client.open("/doc", method=method, query_string=query, headers=headers)

    return request


def assert_fresh(rv: TestResponse, fresh: bool) -> None:
    assert (rv.headers["X-Fresh"], rv.headers["X-Stale"]) == (str(fresh), str(not fresh))


@pytest.mark.parametrize(
    ("if_none_match", "etag", "fresh"),
    [
        ('"v1"', '"v1"', True),
        ('"v0", "v1"', '"v1"', True),
        ('"v0","v1" , "v2"', '"v1"', True),
        ('"v2"', '"v1"', False),
        ('"v1"', 'W/"v1"', True),  # weak comparison, as RFC 9110 asks for GET
        ('W/"v1"', '"v1"', True),
        ('W/"v1"', 'W/"v1"', True),
        ("*", '"v1"', True),
        ('"V1"', '"v1"', False),  # entity tags are case-sensitive
    ],
)
def test_fresh_if_none_match(
    freshness: t.Callable[..., TestResponse], if_none_match: str, etag: str, fresh: bool
) -> None:
    rv = freshness(etag=etag, If_None_Match=if_none_match)
    assert rv.status_code == 200
    assert rv.headers["ETag"] == etag
    assert_fresh(rv, fresh)


def test_if_none_match_star_is_fresh_without_an_etag(
    freshness: t.Callable[..., TestResponse],
) -> None:
    assert_fresh(freshness(If_None_Match="*"), True)


def test_if_none_match_without_a_response_etag_is_stale(
    freshness: t.Callable[..., TestResponse],
) -> None:
    assert_fresh(freshness(If_None_Match='"v1"'), False)


@pytest.mark.parametrize(
    ("if_modified_since", "fresh"),
    [(LAST_MODIFIED, True), (LATER, True), (EARLIER, False), ("not a date", False)],
)
def test_fresh_if_modified_since(
    freshness: t.Callable[..., TestResponse], if_modified_since: str, fresh: bool
) -> None:
    assert_fresh(freshness(modified=LAST_MODIFIED, If_Modified_Since=if_modified_since), fresh)


def test_if_modified_since_without_last_modified_is_stale(
    freshness: t.Callable[..., TestResponse],
) -> None:
    assert_fresh(freshness(If_Modified_Since=LATER), False)


def test_if_none_match_decides_over_if_modified_since(
    freshness: t.Callable[..., TestResponse],
) -> None:
    both = {"etag": '"v1"', "modified": LAST_MODIFIED}
    assert_fresh(freshness(**both, If_None_Match='"v2"', If_Modified_Since=LATER), False)
    assert_fresh(freshness(**both, If_None_Match='"v1"', If_Modified_Since=EARLIER), True)


def test_unconditional_request_is_stale(freshness: t.Callable[..., TestResponse]) -> None:
    assert_fresh(freshness(etag='"v1"', modified=LAST_MODIFIED), False)


@pytest.mark.parametrize("cache_control", ["no-cache", "max-age=0, no-cache", "no-cache,no-store"])
def test_cache_control_no_cache_is_stale(
    freshness: t.Callable[..., TestResponse], cache_control: str
) -> None:
    rv = freshness(etag='"v1"', If_None_Match='"v1"', Cache_Control=cache_control)
    assert_fresh(rv, False)


def test_cache_control_max_age_zero_can_be_fresh(
    freshness: t.Callable[..., TestResponse],
) -> None:
    rv = freshness(etag='"v1"', If_None_Match='"v1"', Cache_Control="max-age=0")
    assert_fresh(rv, True)


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_only_get_and_head_are_fresh(freshness: t.Callable[..., TestResponse], method: str) -> None:
    assert_fresh(freshness(method, etag='"v1"', If_None_Match='"v1"'), False)


@pytest.mark.parametrize(
    ("status", "fresh"),
    [("200", True), ("201", True), ("304", True), ("404", False), ("500", False)],
)
def test_fresh_needs_a_2xx_or_304_status(
    freshness: t.Callable[..., TestResponse], status: str, fresh: bool
) -> None:
    rv = freshness(status=status, etag='"v1"', If_None_Match='"v1"')
    assert rv.status_code == int(status)
    assert_fresh(rv, fresh)


def test_fresh_answers_304_with_no_body(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/report")
    def report(req: Request, res: Response) -> Response:
        res.set("ETag", '"r7"').set("Cache-Control", "no-cache")
        if req.fresh:
            return res.send_status(304).end()
        return res.send("the full report")

    rv = client.get("/report")
    assert (rv.status_code, rv.data, rv.headers["ETag"]) == (200, b"the full report", '"r7"')
    rv = client.get("/report", headers={"If-None-Match": '"r7"'})
    assert (rv.status_code, rv.data, rv.headers["ETag"]) == (304, b"", '"r7"')
    rv = client.head("/report", headers={"If-None-Match": '"r7"'})
    assert (rv.status_code, rv.data) == (304, b"")
    rv = client.get("/report", headers={"If-None-Match": '"r6"'})
    assert (rv.status_code, rv.data) == (200, b"the full report")


# -- is_ --------------------------------------------------------------------------


@pytest.fixture
def is_(app: FlaskExpress, client: FlaskClient) -> t.Callable[..., t.Any]:
    """POST a one-byte body with ``content_type``; the view answers
    ``req.is_(*types)``."""

    @app.post("/is")
    def check(req: Request, res: Response) -> Response:
        types = req.args.getlist("type")
        return res.json({"answer": req.is_(*types)})

    def ask(content_type: str, types: list[str]) -> t.Any:
        rv = client.post(
            "/is", data=b"x", query_string={"type": types}, headers={"Content-Type": content_type}
        )
        assert rv.status_code == 200, rv.data
        assert rv.request.headers["Content-Type"] == content_type
        return t.cast("dict[str, t.Any]", rv.json)["answer"]

    return ask


@pytest.mark.parametrize(
    ("types", "answer"),
    [
        (["json"], "json"),
        (["application/json"], "application/json"),
        (["html"], False),
        (["html", "json"], "json"),
        (["text/*", "json"], "json"),
        (["application/*"], "application/json"),
        (["*/json"], "application/json"),
        (["*/*"], "application/json"),
        (["+json"], False),
        (["urlencoded", "multipart"], False),
        (["APPLICATION/JSON"], "APPLICATION/JSON"),
        ([".json"], ".json"),
        (["no-such-extension"], False),
        (["application"], False),
    ],
)
def test_is_json_body(is_: t.Callable[..., t.Any], types: list[str], answer: object) -> None:
    assert is_("application/json; charset=utf-8", types) == answer


@pytest.mark.parametrize(
    ("content_type", "types", "answer"),
    [
        ("application/vnd.api+json", ["+json"], "application/vnd.api+json"),
        ("application/vnd.api+json", ["*/*+json"], "application/vnd.api+json"),
        ("application/vnd.api+json", ["application/*+json"], "application/vnd.api+json"),
        ("application/vnd.api+json", ["text/*+json"], False),
        ("application/vnd.api+json", ["json"], False),
        ("image/svg+xml", ["+xml", "svg"], "image/svg+xml"),
        ("image/svg+xml", ["svg"], "svg"),
        ("text/html; charset=utf-8", ["html"], "html"),
        ("text/html; charset=utf-8", ["text/*"], "text/html"),
        ("Text/HTML", ["html"], "html"),
        ("application/x-www-form-urlencoded", ["urlencoded"], "urlencoded"),
        ("application/x-www-form-urlencoded", ["Urlencoded"], "Urlencoded"),
        ("application/vnd.api+json", ["+JSON"], "application/vnd.api+json"),
        ("multipart/form-data; boundary=x", ["multipart"], "multipart"),
        ("multipart/form-data; boundary=x", ["multipart/*"], "multipart/form-data"),
        ("text/plain", [], "text/plain"),
        ("application/json", [], "application/json"),
        ("nonsense", ["json"], False),
        ("nonsense", [], False),
        ("text/", [], False),
    ],
)
def test_is_content_types(
    is_: t.Callable[..., t.Any], content_type: str, types: list[str], answer: object
) -> None:
    assert is_(content_type, types) == answer


def test_is_without_arguments_returns_the_mime_type(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/")
    def index(req: Request, res: Response) -> Response:
        return res.json({"bare": req.is_(), "empty_list": req.is_([]), "list": req.is_(["json"])})

    rv = client.post("/", json={"a": 1})
    assert rv.json == {"bare": "application/json", "empty_list": "application/json", "list": "json"}
    rv = client.post("/", data=b"x", content_type="text/csv; charset=utf-8")
    assert rv.json == {"bare": "text/csv", "empty_list": "text/csv", "list": False}


def test_is_without_a_body_is_none(app: FlaskExpress, client: FlaskClient) -> None:
    @app.route("/", methods=["GET", "POST"])
    def index(req: Request, res: Response) -> Response:
        return res.json({"json": req.is_("json"), "bare": req.is_()})

    # No Content-Length and no Transfer-Encoding: no body, whatever the type.
    rv = client.get("/", headers={"Content-Type": "application/json"})
    assert rv.json == {"json": None, "bare": None}
    rv = client.get("/")
    assert rv.json == {"json": None, "bare": None}
    # A body without a Content-Type matches nothing.
    rv = client.post("/", data=b"x")
    assert "Content-Type" not in rv.request.headers
    assert rv.json == {"json": False, "bare": False}


@pytest.mark.parametrize(
    ("content_length", "transfer_encoding", "answer"),
    [
        ("0", None, "json"),  # an empty body still is a body, as in Express
        ("12", None, "json"),
        (None, "chunked", "json"),
        ("", None, None),  # CGI-style empty CONTENT_LENGTH: no header
        (None, None, None),
        ("twelve", None, None),
    ],
)
def test_is_has_body_by_length_or_transfer_encoding(
    app: FlaskExpress,
    client: FlaskClient,
    content_length: str | None,
    transfer_encoding: str | None,
    answer: str | None,
) -> None:
    @app.post("/")
    def index(req: Request, res: Response) -> Response:
        return res.json({"json": req.is_("json")})

    served_as(app, CONTENT_LENGTH=content_length, HTTP_TRANSFER_ENCODING=transfer_encoding)
    rv = client.post("/", content_type="application/json")
    assert rv.status_code == 200
    assert rv.json == {"json": answer}


def test_is_rejects_a_type_that_is_not_a_string(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/")
    def index(req: Request, res: Response) -> Response:
        with pytest.raises(TypeError) as info:
            req.is_("json", 7)  # type: ignore[arg-type]
        return res.send(str(info.value))

    rv = client.post("/", json={})
    assert (rv.status_code, rv.data) == (200, b"req.is_() takes type names, got 7")
