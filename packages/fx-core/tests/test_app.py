"""``FlaskExpress``, blueprints and the ``(req, res)`` view adapter (docs/api/app.md)."""

from __future__ import annotations

import asyncio
import functools
import inspect
import typing as t

import flask
import pytest
from flask import current_app, g, url_for
from flask.testing import FlaskClient
from werkzeug.exceptions import NotFound
from werkzeug.test import TestResponse
from werkzeug.wrappers import Response as WerkzeugResponse

from fx_core import Blueprint, FlaskExpress, Request, Response, compose

# -- the app class --------------------------------------------------------------


def test_flask_express_is_a_flask_app(app: FlaskExpress) -> None:
    assert issubclass(FlaskExpress, flask.Flask)
    assert isinstance(app, flask.Flask)
    assert app.request_class is Request
    assert app.response_class is Response
    assert issubclass(Blueprint, flask.Blueprint)


# -- (req, res) injection ---------------------------------------------------------


def test_req_res_injected_by_parameter_name(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/a")
    def a(req: Request, res: Response) -> Response:
        return res.send(f"{type(req).__name__} {type(res).__name__} {req.path}")

    @app.get("/b")
    def b(request: Request, response: Response) -> Response:
        return response.send(f"{type(request).__name__} {type(response).__name__} {request.path}")

    @app.get("/c")
    def c(req: Request, response: Response) -> Response:
        return response.send(f"{type(req).__name__} {type(response).__name__} {req.path}")

    @app.get("/d")
    def d(request: Request, res: Response) -> Response:
        return res.send(f"{type(request).__name__} {type(res).__name__} {request.path}")

    for path in ("/a", "/b", "/c", "/d"):
        rv = client.get(path)
        assert rv.status_code == 200
        assert rv.data == f"Request Response {path}".encode()
        assert rv.headers["Content-Type"] == "text/html; charset=utf-8"


def test_req_is_flask_request_and_res_is_fresh(app: FlaskExpress, client: FlaskClient) -> None:
    seen: list[Response] = []

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        assert req is flask.request._get_current_object()  # type: ignore[attr-defined]
        assert res.finished_by is None
        assert res.status_code == 200
        assert res.get("Content-Type") is None
        assert res.get_data() == b""
        seen.append(res)
        return res.send("ok")

    client.get("/")
    client.get("/")
    assert len(seen) == 2
    assert seen[0] is not seen[1]


@pytest.mark.parametrize(
    "order",
    ["swapped", "other-names"],
)
def test_other_parameter_names_are_not_injected(
    app: FlaskExpress, client: FlaskClient, order: str
) -> None:
    if order == "swapped":

        def view(res: t.Any, req: t.Any) -> str:
            return "called"

    else:

        def view(rq: t.Any, rs: t.Any) -> str:  # type: ignore[misc]
            return "called"

    app.add_url_rule("/", view_func=view)
    # A Flask view: called with the route's keyword arguments only (none here).
    with pytest.raises(TypeError, match="missing 2 required positional arguments"):
        client.get("/")


# -- views without req/res behave exactly as in Flask ---------------------------


def _plain_views(app: flask.Flask) -> None:
    @app.route("/string")
    def string() -> str:
        return "<p>hello</p>"

    @app.route("/tuple")
    def tuple_() -> tuple[str, int, dict[str, str]]:
        return "created", 201, {"X-Id": "7"}

    @app.route("/tuple-headers")
    def tuple_headers() -> tuple[str, dict[str, str]]:
        return "body", {"X-A": "a"}

    @app.route("/dict")
    def dict_() -> dict[str, object]:
        return {"b": 1, "a": [1, 2]}

    @app.route("/list")
    def list_() -> list[int]:
        return [1, 2, 3]

    @app.route("/request", methods=["GET", "POST"])
    def uses_request() -> str:
        return f"{flask.request.method} {flask.request.args.get('x')} {flask.request.form.get('f')}"

    @app.route("/hello/<name>")
    def hello(name: str) -> str:
        return f"hello {name}"

    @app.route("/int/<int:n>")
    def double(n: int) -> str:
        return str(n * 2)

    @app.route("/make")
    def make() -> flask.Response:
        rv = flask.make_response("made", 202)
        rv.headers["X-Made"] = "1"
        return rv

    @app.route("/redirect")
    def redirect() -> WerkzeugResponse:
        return flask.redirect("/string")

    @app.route("/abort")
    def abort() -> str:
        flask.abort(418)

    @app.route("/stream")
    def stream() -> flask.Response:
        def gen() -> t.Iterator[str]:
            yield "a"
            yield "b"

        return flask.Response(gen(), mimetype="text/plain")

    @app.route("/async")
    async def async_() -> str:
        await asyncio.sleep(0)
        return "async"

    @app.route("/jsonify")
    def jsonify() -> flask.Response:
        return flask.jsonify(ok=True)


_PLAIN_REQUESTS = [
    ("GET", "/string"),
    ("GET", "/tuple"),
    ("GET", "/tuple-headers"),
    ("GET", "/dict"),
    ("GET", "/list"),
    ("GET", "/request?x=1"),
    ("POST", "/request?x=2"),
    ("GET", "/hello/ada"),
    ("GET", "/int/21"),
    ("GET", "/make"),
    ("GET", "/redirect"),
    ("GET", "/abort"),
    ("GET", "/stream"),
    ("GET", "/async"),
    ("GET", "/jsonify"),
    ("GET", "/missing"),
    ("HEAD", "/string"),
    ("OPTIONS", "/string"),
    ("PUT", "/string"),
]


@pytest.mark.parametrize(("method", "path"), _PLAIN_REQUESTS)
def test_plain_views_behave_as_in_flask(method: str, path: str) -> None:
    flask_app = flask.Flask(__name__)
    fx_app = FlaskExpress(__name__)
    for a in (flask_app, fx_app):
        a.config["TESTING"] = True
        _plain_views(a)

    kwargs: dict[str, t.Any] = {"method": method}
    if method == "POST":
        kwargs["data"] = {"f": "field"}
    expected = flask_app.test_client().open(path, **kwargs)
    got = fx_app.test_client().open(path, **kwargs)
    assert got.status == expected.status
    assert got.headers.to_wsgi_list() == expected.headers.to_wsgi_list()
    assert got.data == expected.data
    assert isinstance(got, Response)  # built on the app's response class


def test_plain_view_returning_none_gets_flasks_error(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.route("/")
    def index() -> None:
        pass

    with pytest.raises(TypeError, match="did not return a valid response"):
        client.get("/")


# -- sync and async views ---------------------------------------------------------


def test_sync_view_returning_res(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.send_status(201).set("X-Kind", "sync").send("made")

    rv = client.get("/")
    assert rv.status_code == 201
    assert rv.headers["X-Kind"] == "sync"
    assert rv.data == b"made"


def test_async_view_returning_res(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/users/<int:id>")
    async def user(req: Request, res: Response, id: int) -> Response:
        await asyncio.sleep(0)
        return res.json({"id": id, "param": req.params.id, "q": req.query.get("q")})

    rv = client.get("/users/5?q=x")
    assert rv.status_code == 200
    assert rv.json == {"id": 5, "param": 5, "q": "x"}


def test_async_view_finishing_res(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/")
    async def index(req: Request, res: Response) -> None:
        await asyncio.sleep(0)
        res.send_status(202).json({"got": req.json.n})

    rv = client.post("/", json={"n": 3})
    assert rv.status_code == 202
    assert rv.json == {"got": 3}


@pytest.mark.parametrize(
    ("finish", "status", "body", "content_type"),
    [
        ("send", 200, b"done", "text/html; charset=utf-8"),
        ("json", 200, b'{"ok":true}\n', "application/json"),
        ("end", 204, b"", None),
        ("redirect", 302, None, "text/html; charset=utf-8"),
    ],
)
def test_sync_view_finishing_res_without_return(
    app: FlaskExpress,
    client: FlaskClient,
    finish: str,
    status: int,
    body: bytes | None,
    content_type: str | None,
) -> None:
    @app.get("/")
    def index(req: Request, res: Response) -> None:
        res.set("X-Before", "kept")
        if finish == "send":
            res.send("done")
        elif finish == "json":
            res.json({"ok": True})
        elif finish == "end":
            res.send_status(204).end()
        else:
            res.redirect("/elsewhere")

    rv = client.get("/")
    assert rv.status_code == status
    assert rv.headers["X-Before"] == "kept"
    assert rv.headers.get("Content-Type") == content_type
    if body is not None:
        assert rv.data == body
    else:
        assert rv.headers["Location"] == "/elsewhere"


def test_view_returning_anything_flask_accepts(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/string")
    def string(req: Request, res: Response) -> str:
        return f"hi {req.query.name}"

    @app.get("/tuple")
    def tuple_(req: Request, res: Response) -> tuple[dict[str, int], int]:
        return {"n": 1}, 201

    @app.get("/flask-response")
    def flask_response(req: Request, res: Response) -> flask.Response:
        return flask.make_response("made", 203)

    assert client.get("/string?name=ada").data == b"hi ada"
    rv = client.get("/tuple")
    assert rv.status_code == 201
    assert rv.json == {"n": 1}
    rv = client.get("/flask-response")
    assert rv.status_code == 203
    assert rv.data == b"made"


# -- a view that returns nothing and never finished res -------------------------


def test_unfinished_res_is_type_error_naming_the_view(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def forgot_to_send(req: Request, res: Response) -> None:
        res.send_status(201).set("X-A", "1")  # chainable only: nothing finished

    with pytest.raises(TypeError) as excinfo:
        client.get("/")
    message = str(excinfo.value)
    assert f"{forgot_to_send.__module__}.{forgot_to_send.__qualname__}" in message
    assert "did not finish res" in message


def test_unfinished_res_in_async_view_is_type_error(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    async def async_forgot(req: Request, res: Response) -> None:
        await asyncio.sleep(0)

    with pytest.raises(TypeError, match="async_forgot"):
        client.get("/")


def test_unfinished_res_is_500_without_testing() -> None:
    app = FlaskExpress(__name__)

    @app.get("/")
    def forgot(req: Request, res: Response) -> None:
        pass

    rv = app.test_client().get("/")
    assert rv.status_code == 500
    assert b"Traceback" not in rv.data


# -- identity of res ---------------------------------------------------------------


@pytest.mark.parametrize("how", ["return", "finish", "async-return", "async-finish"])
def test_response_object_is_the_views_res(app: FlaskExpress, client: FlaskClient, how: str) -> None:
    captured: list[Response] = []
    identical: list[bool] = []

    @app.after_request
    def check(response: flask.Response) -> flask.Response:
        identical.append(response is captured[0])
        response.headers["X-After"] = "1"
        return response

    if how == "return":

        def view(req: Request, res: Response) -> Response | None:
            captured.append(res)
            return res.send("body")

    elif how == "finish":

        def view(req: Request, res: Response) -> Response | None:
            captured.append(res)
            res.send("body")
            return None

    elif how == "async-return":

        async def view(req: Request, res: Response) -> Response | None:  # type: ignore[misc]
            captured.append(res)
            return res.send("body")

    else:

        async def view(req: Request, res: Response) -> Response | None:  # type: ignore[misc]
            captured.append(res)
            res.send("body")
            return None

    app.add_url_rule("/", view_func=view)
    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b"body"
    assert rv.headers["X-After"] == "1"
    assert identical == [True]


# -- registration APIs -----------------------------------------------------------


def test_route_with_methods(app: FlaskExpress, client: FlaskClient) -> None:
    @app.route("/items", methods=["POST", "PUT"])
    def items(req: Request, res: Response) -> Response:
        return res.send(req.method)

    assert client.post("/items").data == b"POST"
    assert client.put("/items").data == b"PUT"
    rv = client.get("/items")
    assert rv.status_code == 405
    assert set(rv.headers["Allow"].split(", ")) == {"POST", "PUT", "OPTIONS"}


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_method_shortcuts(app: FlaskExpress, client: FlaskClient, method: str) -> None:
    def view(req: Request, res: Response, id: int) -> Response:
        return res.json({"method": req.method, "id": id})

    getattr(app, method)("/things/<int:id>")(view)

    rv = client.open("/things/3", method=method.upper())
    assert rv.status_code == 200
    assert rv.json == {"method": method.upper(), "id": 3}
    other = "POST" if method == "get" else "GET"
    assert client.open("/things/3", method=other).status_code == 405


def test_get_route_answers_head(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.set("X-Method", req.method).send("body")

    rv = client.head("/")
    assert rv.status_code == 200
    assert rv.headers["X-Method"] == "HEAD"
    assert rv.data == b""


def test_add_url_rule_with_view_func(app: FlaskExpress, client: FlaskClient) -> None:
    def show(req: Request, res: Response, slug: str) -> Response:
        return res.send(f"{slug} {req.params.slug} {req.endpoint}")

    app.add_url_rule("/posts/<slug>", view_func=show)
    app.add_url_rule("/p/<slug>", endpoint="short", view_func=show, methods=["GET", "POST"])

    assert client.get("/posts/intro").data == b"intro intro show"
    assert client.post("/p/intro").data == b"intro intro short"
    # Flask's own bookkeeping keeps the function as written.
    assert app.view_functions["show"] is show
    assert app.view_functions["short"] is show
    with app.test_request_context():
        assert url_for("show", slug="x") == "/posts/x"


def test_endpoint_decorator(app: FlaskExpress, client: FlaskClient) -> None:
    app.add_url_rule("/ep/<int:n>", endpoint="ep")

    @app.endpoint("ep")
    def ep(req: Request, res: Response, n: int) -> Response:
        return res.json({"n": n, "endpoint": req.endpoint})

    rv = client.get("/ep/4")
    assert rv.status_code == 200
    assert rv.json == {"n": 4, "endpoint": "ep"}
    assert app.view_functions["ep"] is ep


def test_same_view_on_two_routes(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/one", endpoint="one")
    @app.get("/two/<int:id>", endpoint="two")
    def both(req: Request, res: Response) -> Response:
        return res.json(req.params)

    assert client.get("/one").json == {}
    assert client.get("/two/2").json == {"id": 2}


def test_decorated_view_with_functools_wraps(app: FlaskExpress, client: FlaskClient) -> None:
    def tagged(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        @functools.wraps(f)
        def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
            g.tagged = True
            return f(*args, **kwargs)

        return wrapper

    @app.get("/users/<int:id>")
    @tagged
    def user(req: Request, res: Response, id: int) -> Response:
        return res.json({"id": id, "tagged": g.tagged})

    assert client.get("/users/8").json == {"id": 8, "tagged": True}


# -- route variables -----------------------------------------------------------------


def test_declared_route_variables_are_keyword_arguments(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/users/<int:id>/posts/<slug>")
    def post(req: Request, res: Response, id: int, slug: str) -> Response:
        assert type(id) is int
        return res.json({"id": id, "slug": slug, "params": req.params})

    rv = client.get("/users/42/posts/hello")
    assert rv.json == {"id": 42, "slug": "hello", "params": {"id": 42, "slug": "hello"}}


def test_undeclared_route_variables_only_in_params(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/users/<int:id>")
    def user(req: Request, res: Response) -> Response:
        return res.json({"id": req.params.id})

    @app.get("/orgs/<int:org>/users/<int:id>")
    def member(req: Request, res: Response, id: int, extra: str = "dflt") -> Response:
        return res.json({"id": id, "extra": extra, "org": req.params.org})

    assert client.get("/users/3").json == {"id": 3}
    assert client.get("/orgs/1/users/2").json == {"id": 2, "extra": "dflt", "org": 1}


def test_var_keyword_view_gets_all_route_variables(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/a/<int:x>/b/<y>")
    def view(req: Request, res: Response, **kwargs: t.Any) -> Response:
        return res.json(kwargs)

    @app.get("/c/<int:x>/d/<y>")
    def mixed(req: Request, res: Response, x: int, **rest: t.Any) -> Response:
        return res.json({"x": x, "rest": rest})

    assert client.get("/a/1/b/two").json == {"x": 1, "y": "two"}
    assert client.get("/c/1/d/two").json == {"x": 1, "rest": {"y": "two"}}


def test_route_defaults_reach_the_view(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/page", defaults={"n": 1})
    @app.get("/page/<int:n>")
    def page(req: Request, res: Response, n: int) -> Response:
        return res.json({"n": n, "param": req.params.n})

    assert client.get("/page").json == {"n": 1, "param": 1}
    assert client.get("/page/5").json == {"n": 5, "param": 5}


# -- blueprints ----------------------------------------------------------------------


def test_fx_blueprint_with_url_prefix(app: FlaskExpress, client: FlaskClient) -> None:
    bp = Blueprint("api", __name__, url_prefix="/api")

    @bp.get("/users/<int:id>")
    def user(req: Request, res: Response, id: int) -> Response:
        return res.json({"id": id, "endpoint": req.endpoint, "bp": req.blueprint})

    @bp.post("/users")
    async def create(req: Request, res: Response) -> Response:
        return res.send_status(201).json(req.json)

    @bp.route("/plain")
    def plain() -> str:
        return "plain flask view"

    app.register_blueprint(bp)
    assert client.get("/api/users/3").json == {"id": 3, "endpoint": "api.user", "bp": "api"}
    rv = client.post("/api/users", json={"name": "ada"})
    assert rv.status_code == 201
    assert rv.json == {"name": "ada"}
    assert client.get("/api/plain").data == b"plain flask view"
    assert client.get("/users/3").status_code == 404


def test_plain_flask_blueprint_on_flask_express(app: FlaskExpress, client: FlaskClient) -> None:
    bp = flask.Blueprint("plain", __name__, url_prefix="/plain")

    @bp.get("/<int:id>")
    def item(req: Request, res: Response, id: int) -> Response:
        return res.json({"id": id})

    @bp.route("/flask")
    def flask_view() -> str:
        return "flask"

    app.register_blueprint(bp)
    assert client.get("/plain/9").json == {"id": 9}
    assert client.get("/plain/flask").data == b"flask"


def test_nested_blueprints(app: FlaskExpress, client: FlaskClient) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child/<int:cid>")
    plain_child = flask.Blueprint("plain_child", __name__)

    @parent.before_request
    def mark() -> None:
        g.parent_hook = True

    @child.get("/leaf/<int:lid>")
    def leaf(req: Request, res: Response, lid: int) -> Response:
        return res.json({"lid": lid, "params": req.params, "hook": g.get("parent_hook", False)})

    @plain_child.get("/plain-leaf")
    def plain_leaf(req: Request, res: Response) -> Response:
        return res.send(req.endpoint or "")

    parent.register_blueprint(child)
    parent.register_blueprint(plain_child, url_prefix="/pc")
    app.register_blueprint(parent)

    rv = client.get("/parent/child/4/leaf/5")
    assert rv.json == {"lid": 5, "params": {"cid": 4, "lid": 5}, "hook": True}
    assert client.get("/parent/pc/plain-leaf").data == b"parent.plain_child.plain_leaf"
    with app.test_request_context():
        assert url_for("parent.child.leaf", cid=1, lid=2) == "/parent/child/1/leaf/2"


def test_fx_blueprint_on_plain_flask_is_type_error() -> None:
    flask_app = flask.Flask(__name__)
    bp = Blueprint("api", __name__)

    @bp.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.send("x")

    with pytest.raises(TypeError, match=r"'api'.*FlaskExpress.*Flask"):
        flask_app.register_blueprint(bp)


def test_nested_fx_blueprint_on_plain_flask_is_type_error() -> None:
    flask_app = flask.Flask(__name__)
    parent = flask.Blueprint("parent", __name__)
    parent.register_blueprint(Blueprint("inner", __name__))
    with pytest.raises(TypeError, match=r"'inner'.*FlaskExpress"):
        flask_app.register_blueprint(parent)


# -- Flask features keep working -------------------------------------------------------


class Conflict(Exception):
    pass


def test_errorhandler(app: FlaskExpress, client: FlaskClient) -> None:
    @app.errorhandler(Conflict)
    def conflict(e: Conflict) -> tuple[dict[str, str], int]:
        return {"error": str(e)}, 409

    @app.errorhandler(404)
    def not_found(e: NotFound) -> tuple[str, int]:
        return f"custom 404 for {flask.request.path}", 404

    @app.errorhandler(403)
    def forbidden(e: Exception) -> tuple[str, int]:
        return "custom 403", 403

    @app.get("/conflict")
    def raises(req: Request, res: Response) -> Response:
        raise Conflict("taken")

    @app.get("/abort")
    def aborts(req: Request, res: Response) -> Response:
        flask.abort(404)

    @app.get("/end")
    def ends(req: Request, res: Response) -> Response:
        return res.end(403)

    rv = client.get("/conflict")
    assert rv.status_code == 409
    assert rv.json == {"error": "taken"}
    rv = client.get("/abort")
    assert rv.status_code == 404
    assert rv.data == b"custom 404 for /abort"
    assert client.get("/nowhere").data == b"custom 404 for /nowhere"
    rv = client.get("/end")
    assert rv.status_code == 403
    assert rv.data == b"custom 403"


def test_before_and_after_request(app: FlaskExpress, client: FlaskClient) -> None:
    calls: list[str] = []

    @app.before_request
    def gate() -> str | None:
        calls.append(f"before {flask.request.path}")
        if flask.request.path == "/blocked":
            return "blocked by before_request"
        g.user = "ada"
        return None

    @app.after_request
    def stamp(response: flask.Response) -> flask.Response:
        calls.append("after")
        response.headers["X-Stamp"] = "yes"
        return response

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        calls.append("view")
        return res.send(f"hi {g.user}")

    @app.get("/blocked")
    def blocked(req: Request, res: Response) -> Response:
        calls.append("blocked view")
        return res.send("should not run")

    rv = client.get("/")
    assert rv.data == b"hi ada"
    assert rv.headers["X-Stamp"] == "yes"
    rv = client.get("/blocked")
    assert rv.data == b"blocked by before_request"
    assert rv.headers["X-Stamp"] == "yes"
    assert calls == ["before /", "view", "after", "before /blocked", "after"]


def create_app(test_config: dict[str, t.Any] | None = None) -> FlaskExpress:
    app = FlaskExpress(__name__)
    app.config.from_mapping(GREETING="hello", SECRET_KEY="dev")
    if test_config is not None:
        app.config.from_mapping(test_config)

    bp = Blueprint("greet", __name__, url_prefix="/greet")

    @bp.get("/<name>")
    def greet(req: Request, res: Response, name: str) -> Response:
        return res.send(f"{current_app.config['GREETING']}, {name}")

    app.register_blueprint(bp)
    return app


def test_app_factory() -> None:
    one = create_app({"TESTING": True})
    two = create_app({"TESTING": True, "GREETING": "bonjour"})

    @one.get("/only-one")
    def only_one(req: Request, res: Response) -> Response:
        return res.send("one")

    assert one.test_client().get("/greet/ada").data == b"hello, ada"
    assert two.test_client().get("/greet/ada").data == b"bonjour, ada"
    assert one.test_client().get("/only-one").data == b"one"
    assert two.test_client().get("/only-one").status_code == 404


def test_config_read_per_request(app: FlaskExpress, client: FlaskClient) -> None:
    app.config["MOTTO"] = "first"

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.send(current_app.config["MOTTO"])

    assert client.get("/").data == b"first"
    app.config["MOTTO"] = "second"
    assert client.get("/").data == b"second"


# -- the test client -------------------------------------------------------------------


def test_test_client_json_and_get(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/json")
    def json_view(req: Request, res: Response) -> Response:
        return res.set("X-Thing", "value").json({"a": [1, {"b": None}]})

    @app.get("/text")
    def text(req: Request, res: Response) -> Response:
        return res.send("not json")

    rv = client.get("/json")
    assert isinstance(rv, TestResponse)
    assert isinstance(rv, Response)
    assert rv.json == {"a": [1, {"b": None}]}
    assert rv.get_json() == {"a": [1, {"b": None}]}
    assert rv.get("X-Thing") == "value"
    assert rv.get("x-thing") == "value"
    assert rv.get("X-Absent") is None
    assert client.get("/text").json is None


def test_test_client_class_is_used(app: FlaskExpress) -> None:
    class MyClient(FlaskClient):
        pass

    app.test_client_class = MyClient

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.json({"ok": True})

    client = app.test_client()
    assert type(client) is MyClient
    assert client.get("/").json == {"ok": True}


def test_routes_added_after_test_client(app: FlaskExpress) -> None:
    client = app.test_client()

    @app.get("/late/<int:n>")
    def late(req: Request, res: Response, n: int) -> Response:
        return res.json({"n": n})

    @app.route("/late-plain")
    def late_plain() -> str:
        return "plain"

    assert client.get("/late/2").json == {"n": 2}
    assert client.get("/late-plain").data == b"plain"


# -- response_class ------------------------------------------------------------------


class ShoutResponse(Response):
    def shout(self, text: str) -> ShoutResponse:
        return self.send(text.upper())


def _shout_routes(app: FlaskExpress) -> None:
    @app.get("/")
    def index(req: Request, res: ShoutResponse) -> ShoutResponse:
        assert type(res) is ShoutResponse
        return res.shout("hello")

    @app.get("/plain")
    def plain() -> str:
        return "plain"

    @app.after_request
    def record(response: flask.Response) -> flask.Response:
        response.headers["X-Class"] = type(response).__name__
        return response


def test_response_class_argument() -> None:
    app = FlaskExpress(__name__, response_class=ShoutResponse)
    app.config["TESTING"] = True
    _shout_routes(app)
    assert app.response_class is ShoutResponse
    client = app.test_client()
    rv = client.get("/")
    assert rv.data == b"HELLO"
    assert rv.headers["X-Class"] == "ShoutResponse"
    assert isinstance(rv, ShoutResponse)
    assert client.get("/plain").headers["X-Class"] == "ShoutResponse"
    # The default app keeps fx_core.Response.
    assert FlaskExpress(__name__).response_class is Response


def test_response_class_class_attribute() -> None:
    class App(FlaskExpress):
        response_class = ShoutResponse

    app = App(__name__)
    app.config["TESTING"] = True
    _shout_routes(app)
    rv = app.test_client().get("/")
    assert rv.data == b"HELLO"
    assert rv.headers["X-Class"] == "ShoutResponse"


def test_response_class_from_compose() -> None:
    composed = compose(name="Composed")
    app = FlaskExpress(__name__, response_class=composed)

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.send(type(res).__name__)

    rv = app.test_client().get("/")
    assert rv.data == b"Composed"
    assert isinstance(rv, composed)


def test_response_class_must_be_fx_response() -> None:
    with pytest.raises(TypeError, match=r"fx_core\.Response"):
        FlaskExpress(__name__, response_class=flask.Response)  # type: ignore[arg-type]

    class Bad(FlaskExpress):
        response_class = flask.Response

    with pytest.raises(TypeError, match=r"fx_core\.Response"):
        Bad(__name__)


# -- the signature is inspected once, at registration ----------------------------------


def test_signature_inspected_once(
    app: FlaskExpress, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_signature = inspect.signature
    inspected: list[object] = []

    def counting_signature(obj: t.Any, *args: t.Any, **kwargs: t.Any) -> inspect.Signature:
        inspected.append(inspect.unwrap(obj))
        return real_signature(obj, *args, **kwargs)

    monkeypatch.setattr(inspect, "signature", counting_signature)

    def sync_view(req: Request, res: Response, id: int) -> Response:
        return res.json({"id": id})

    async def async_view(req: Request, res: Response) -> Response:
        return res.send("async")

    def plain_view() -> str:
        return "plain"

    bp = Blueprint("bp", __name__)

    @bp.get("/bp/<x>")
    def bp_view(req: Request, res: Response, **kwargs: t.Any) -> Response:
        return res.json(kwargs)

    app.add_url_rule("/sync/<int:id>", view_func=sync_view)
    app.add_url_rule("/async", view_func=async_view)
    app.add_url_rule("/plain", view_func=plain_view)
    app.register_blueprint(bp)

    ours = (sync_view, async_view, plain_view, bp_view)
    at_registration = sum(1 for obj in inspected if obj in ours)
    assert at_registration >= 3  # the patch is seen: each view was inspected

    for n in range(5):
        assert client.get(f"/sync/{n}").json == {"id": n}
        assert client.get("/async").data == b"async"
        assert client.get("/plain").data == b"plain"
        assert client.get(f"/bp/{n}").json == {"x": str(n)}

    assert sum(1 for obj in inspected if obj in ours) == at_registration
