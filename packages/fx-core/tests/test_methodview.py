"""``flask.views.MethodView`` handlers that take ``(req, res)`` (docs/packages/fx-core.md)."""

from __future__ import annotations

import functools
import typing as t

import flask
import pytest
from flask.testing import FlaskClient
from flask.views import MethodView

from fx_core import Blueprint, FlaskExpress, Request, Response

Next = t.Callable[..., None]


def test_methods_take_req_res(app: FlaskExpress, client: FlaskClient) -> None:
    class Items(MethodView):
        def get(self, req: Request, res: Response) -> Response:
            return res.json({"method": req.method, "q": req.query.get("q")})

        def post(self, req: Request, res: Response) -> Response:
            return res.send_status(201).json(req.json)

        def put(self, req: Request, res: Response) -> Response:
            return res.send(f"put {req.body.name}")

        def delete(self, request: Request, response: Response) -> Response:
            return response.send_status(204).end()

    app.add_url_rule("/items", view_func=Items.as_view("items"))

    rv = client.get("/items?q=x")
    assert rv.status_code == 200
    assert rv.json == {"method": "GET", "q": "x"}
    assert rv.headers["Content-Type"] == "application/json"
    rv = client.post("/items", json={"name": "ada"})
    assert rv.status_code == 201
    assert rv.json == {"name": "ada"}
    rv = client.put("/items", data={"name": "bob"})
    assert rv.status_code == 200
    assert rv.data == b"put bob"
    assert rv.headers["Content-Type"] == "text/html; charset=utf-8"
    rv = client.delete("/items")
    assert rv.status_code == 204
    assert rv.data == b""
    rv = client.head("/items")
    assert rv.status_code == 200
    assert rv.data == b""
    assert rv.headers["Content-Type"] == "application/json"
    rv = client.options("/items")
    allowed = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"}
    assert set(rv.headers["Allow"].split(", ")) == allowed


def test_res_is_fresh_and_req_is_the_request(app: FlaskExpress, client: FlaskClient) -> None:
    seen: list[tuple[object, object]] = []

    class Page(MethodView):
        def get(self, req: Request, res: Response) -> Response:
            assert req is flask.request._get_current_object()  # type: ignore[attr-defined]
            assert isinstance(req, Request)
            assert isinstance(res, Response)
            assert res.finished_by is None
            seen.append((res, req.res))
            return res.send("page")

    app.add_url_rule("/", view_func=Page.as_view("page"))
    assert client.get("/").data == b"page"
    assert client.get("/").data == b"page"
    assert seen[0][0] is seen[0][1]
    assert seen[1][0] is seen[1][1]
    assert seen[0][0] is not seen[1][0]


def test_async_methods(app: FlaskExpress, client: FlaskClient) -> None:
    class Jobs(MethodView):
        async def get(self, req: Request, res: Response) -> Response:
            return res.json({"jobs": [], "async": True})

        async def post(self, req: Request, res: Response) -> None:
            res.send_status(202).send(f"queued {req.json.task}")

        def delete(self, req: Request, res: Response) -> Response:
            return res.send("sync delete")

    app.add_url_rule("/jobs", view_func=Jobs.as_view("jobs"))
    assert client.get("/jobs").json == {"jobs": [], "async": True}
    rv = client.post("/jobs", json={"task": "build"})
    assert rv.status_code == 202
    assert rv.data == b"queued build"
    assert client.delete("/jobs").data == b"sync delete"


def test_finishing_res_without_returning(app: FlaskExpress, client: FlaskClient) -> None:
    class Thing(MethodView):
        def get(self, req: Request, res: Response) -> None:
            res.set("X-Thing", "yes").send("finished")

        def post(self, req: Request, res: Response) -> tuple[str, int, dict[str, str]]:
            return "returned tuple", 201, {"X-Returned": "yes"}

    app.add_url_rule("/thing", view_func=Thing.as_view("thing"))
    rv = client.get("/thing")
    assert (rv.status_code, rv.data, rv.headers["X-Thing"]) == (200, b"finished", "yes")
    rv = client.post("/thing")
    assert (rv.status_code, rv.data, rv.headers["X-Returned"]) == (201, b"returned tuple", "yes")


def test_route_variables(app: FlaskExpress, client: FlaskClient) -> None:
    class User(MethodView):
        def get(self, req: Request, res: Response, id: int) -> Response:
            return res.json({"id": id, "type": type(id).__name__, "params": req.params})

        def put(self, req: Request, res: Response) -> Response:
            return res.json({"params": req.params})

        async def patch(self, req: Request, res: Response, **kwargs: t.Any) -> Response:
            return res.json({"kwargs": kwargs})

        def delete(
            self, req: Request, res: Response, id: int, missing: str = "default"
        ) -> Response:
            return res.json({"id": id, "missing": missing})

    class Named(MethodView):
        # A route variable named like an injected parameter is only in req.params.
        def get(self, req: Request, res: Response) -> Response:
            return res.json({"params": req.params})

    app.add_url_rule("/users/<int:id>", view_func=User.as_view("user"))
    app.add_url_rule("/named/<res>/<req>", view_func=Named.as_view("named"))
    assert client.get("/named/a/b").json == {"params": {"res": "a", "req": "b"}}
    assert client.get("/users/7").json == {"id": 7, "type": "int", "params": {"id": 7}}
    assert client.put("/users/8").json == {"params": {"id": 8}}
    assert client.patch("/users/9").json == {"kwargs": {"id": 9}}
    assert client.delete("/users/10").json == {"id": 10, "missing": "default"}
    assert client.get("/users/abc").status_code == 404


def test_plain_flask_methods_behave_as_in_flask(app: FlaskExpress, client: FlaskClient) -> None:
    class Plain(MethodView):
        def get(self) -> str:
            return f"plain get {flask.request.args.get('q')}"

        async def post(self) -> tuple[str, int]:
            return "plain async post", 201

    class PlainWithVariable(MethodView):
        def get(self, name: str) -> str:
            return f"hello {name}"

    class Mixed(MethodView):
        def get(self) -> str:
            return "flask style"

        def post(self, req: Request, res: Response) -> Response:
            return res.send("express style")

    app.add_url_rule("/plain", view_func=Plain.as_view("plain"))
    app.add_url_rule("/hello/<name>", view_func=PlainWithVariable.as_view("hello"))
    app.add_url_rule("/mixed", view_func=Mixed.as_view("mixed"))

    assert client.get("/plain?q=1").data == b"plain get 1"
    rv = client.post("/plain")
    assert (rv.status_code, rv.data) == (201, b"plain async post")
    assert client.get("/hello/ada").data == b"hello ada"
    assert client.get("/mixed").data == b"flask style"
    assert client.post("/mixed").data == b"express style"


def test_plain_method_returning_none_gets_flasks_error(
    app: FlaskExpress, client: FlaskClient
) -> None:
    class Plain(MethodView):
        def get(self) -> None:
            return None

    app.add_url_rule("/", view_func=Plain.as_view("plain"))
    with pytest.raises(TypeError, match="did not return a valid response"):
        client.get("/")


def test_inheritance(app: FlaskExpress, client: FlaskClient) -> None:
    class Base(MethodView):
        def get(self, req: Request, res: Response) -> Response:
            return res.send(f"base get from {type(self).__name__}")

    class Child(Base):
        def post(self, req: Request, res: Response) -> Response:
            return res.send_status(201).send("child post")

    class Override(Base):
        def get(self) -> str:  # type: ignore[override]
            return "plain override"

    assert Child.methods == {"GET", "POST"}
    app.add_url_rule("/child", view_func=Child.as_view("child"))
    app.add_url_rule("/base", view_func=Base.as_view("base"))
    app.add_url_rule("/override", view_func=Override.as_view("override"))

    assert client.get("/child").data == b"base get from Child"
    rv = client.post("/child")
    assert (rv.status_code, rv.data) == (201, b"child post")
    assert client.get("/base").data == b"base get from Base"
    assert client.post("/base").status_code == 405
    assert client.get("/override").data == b"plain override"


def test_inherited_method_registered_only_through_the_subclass(
    app: FlaskExpress, client: FlaskClient
) -> None:
    class Base(MethodView):
        def get(self, req: Request, res: Response, id: int) -> Response:
            return res.json({"id": id, "cls": type(self).__name__})

    class Child(Base):
        async def put(self, req: Request, res: Response) -> Response:
            return res.json({"put": req.params.id})

    app.add_url_rule("/child/<int:id>", view_func=Child.as_view("child"))
    assert client.get("/child/3").json == {"id": 3, "cls": "Child"}
    assert client.put("/child/4").json == {"put": 4}


def test_as_view_class_arguments_and_init_every_request(
    app: FlaskExpress, client: FlaskClient
) -> None:
    created: list[object] = []

    class Greeter(MethodView):
        def __init__(self, greeting: str, punctuation: str = ".") -> None:
            created.append(self)
            self.greeting = greeting
            self.punctuation = punctuation
            self.calls = 0

        def get(self, req: Request, res: Response, name: str) -> Response:
            self.calls += 1
            return res.send(f"{self.greeting}, {name}{self.punctuation} ({self.calls})")

    class SharedGreeter(Greeter):
        init_every_request = False

    app.add_url_rule("/hi/<name>", view_func=Greeter.as_view("hi", "Hi", punctuation="!"))
    app.add_url_rule("/hello/<name>", view_func=SharedGreeter.as_view("hello", "Hello"))
    assert len(created) == 1  # the shared instance is built by as_view

    assert client.get("/hi/ada").data == b"Hi, ada! (1)"
    assert client.get("/hi/bob").data == b"Hi, bob! (1)"
    assert len(created) == 3  # one instance per request

    assert client.get("/hello/ada").data == b"Hello, ada. (1)"
    assert client.get("/hello/bob").data == b"Hello, bob. (2)"
    assert len(created) == 3


def test_missing_method_is_405(app: FlaskExpress, client: FlaskClient) -> None:
    class ReadOnly(MethodView):
        def get(self, req: Request, res: Response) -> Response:
            return res.send("read")

    app.add_url_rule("/ro", view_func=ReadOnly.as_view("ro"))
    for method in ("post", "put", "delete", "patch"):
        rv = getattr(client, method)("/ro")
        assert rv.status_code == 405
        assert set(rv.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_method_returning_none_is_type_error_naming_it(
    app: FlaskExpress, client: FlaskClient, kind: str
) -> None:
    if kind == "sync":

        class Forgetful(MethodView):
            def get(self, req: Request, res: Response) -> None:
                res.set("X-Not-Finished", "yes")

    else:

        class Forgetful(MethodView):  # type: ignore[no-redef]
            async def get(self, req: Request, res: Response) -> None:
                res.set("X-Not-Finished", "yes")

    app.add_url_rule("/", view_func=Forgetful.as_view("forgetful"))
    with pytest.raises(
        TypeError, match=r"view function '[^']*\.<locals>\.Forgetful\.get' returned None"
    ):
        client.get("/")


def test_method_returning_none_is_500_without_testing() -> None:
    app = FlaskExpress(__name__)

    class Forgetful(MethodView):
        def get(self, req: Request, res: Response) -> None:
            pass

    app.add_url_rule("/", view_func=Forgetful.as_view("forgetful"))
    rv = app.test_client().get("/")
    assert rv.status_code == 500
    assert b"Traceback" not in rv.data


@pytest.mark.parametrize("blueprint_class", [Blueprint, flask.Blueprint])
def test_on_a_blueprint(
    app: FlaskExpress, client: FlaskClient, blueprint_class: type[flask.Blueprint]
) -> None:
    bp = blueprint_class("api", __name__, url_prefix="/api")

    class Item(MethodView):
        def get(self, req: Request, res: Response, id: int) -> Response:
            return res.json({"id": id, "endpoint": req.endpoint, "bp": req.blueprint})

        async def post(self, req: Request, res: Response) -> Response:
            return res.send_status(201).json({"created": req.params.id})

    bp.add_url_rule("/items/<int:id>", view_func=Item.as_view("item"))
    app.register_blueprint(bp)

    assert client.get("/api/items/5").json == {"id": 5, "endpoint": "api.item", "bp": "api"}
    rv = client.post("/api/items/6")
    assert (rv.status_code, rv.json) == (201, {"created": 6})
    assert client.get("/items/5").status_code == 404


def test_with_decorators(app: FlaskExpress, client: FlaskClient) -> None:
    def stamp(view: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        @functools.wraps(view)
        def wrapper(**kwargs: t.Any) -> t.Any:
            rv = flask.make_response(view(**kwargs))
            rv.headers["X-Decorated"] = "yes"
            return rv

        return wrapper

    class Decorated(MethodView):
        decorators: t.ClassVar[list[t.Callable[..., t.Any]]] = [stamp]

        def get(self, req: Request, res: Response) -> Response:
            return res.send("decorated")

    app.add_url_rule("/", view_func=Decorated.as_view("decorated"))
    rv = client.get("/")
    assert rv.data == b"decorated"
    assert rv.headers["X-Decorated"] == "yes"


def test_same_class_on_two_routes_and_two_apps(app: FlaskExpress, client: FlaskClient) -> None:
    class Echo(MethodView):
        def get(self, req: Request, res: Response) -> Response:
            return res.send(f"{flask.current_app.name} {req.path}")

    other = FlaskExpress("other")
    other.config["TESTING"] = True
    app.add_url_rule("/one", view_func=Echo.as_view("one"))
    app.add_url_rule("/two", view_func=Echo.as_view("two"))
    other.add_url_rule("/three", view_func=Echo.as_view("three"))

    assert client.get("/one").data == f"{app.name} /one".encode()
    assert client.get("/two").data == f"{app.name} /two".encode()
    assert other.test_client().get("/three").data == b"other /three"


def test_with_middleware(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []

    @app.use
    def timing(req: Request, res: Response, next: Next) -> None:
        log.append("timing")
        next()
        log.append(f"timing-after {res.finished_by}")
        res.set("X-Response-Time", "0.003")

    @app.use
    def auth(req: Request, res: Response, next: Next) -> Response | None:
        log.append("auth")
        if req.method == "DELETE" and req.headers.get("X-Role") != "admin":
            return res.send_status(403).send("admins only")
        next()
        return None

    class Items(MethodView):
        def get(self, req: Request, res: Response) -> Response:
            log.append("get")
            return res.json({"items": [], "seen": res.get("X-Seen")})

        async def delete(self, req: Request, res: Response) -> None:
            log.append("delete")
            res.send_status(204).end()

    @app.use
    def seen(req: Request, res: Response, next: Next) -> None:
        res.set("X-Seen", "yes")
        next()

    app.add_url_rule("/items", view_func=Items.as_view("items"))

    rv = client.get("/items")
    assert rv.json == {"items": [], "seen": "yes"}
    assert rv.headers["X-Response-Time"] == "0.003"
    assert log == ["timing", "auth", "get", "timing-after json"]

    log.clear()
    rv = client.delete("/items")
    assert (rv.status_code, rv.data) == (403, b"admins only")
    assert rv.headers["X-Response-Time"] == "0.003"
    assert log == ["timing", "auth", "timing-after send"]

    log.clear()
    rv = client.delete("/items", headers={"X-Role": "admin"})
    assert (rv.status_code, rv.data) == (204, b"")
    assert rv.headers["X-Response-Time"] == "0.003"
    assert log == ["timing", "auth", "delete", "timing-after end"]

    log.clear()
    assert client.post("/items").status_code == 405
    assert log == ["timing", "auth"]


def test_with_blueprint_middleware(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []
    bp = Blueprint("admin", __name__, url_prefix="/admin")

    @bp.use
    async def admin_only(req: Request, res: Response, next: t.Any) -> Response | None:
        log.append("admin_only")
        if req.headers.get("X-Role") != "admin":
            return res.send_status(401).send("no")
        await next()
        return None

    class Report(MethodView):
        def get(self, req: Request, res: Response, year: int) -> Response:
            log.append("report")
            return res.send(f"report {year}")

    bp.add_url_rule("/reports/<int:year>", view_func=Report.as_view("report"))
    app.register_blueprint(bp)

    assert client.get("/admin/reports/2024").status_code == 401
    assert log == ["admin_only"]
    rv = client.get("/admin/reports/2024", headers={"X-Role": "admin"})
    assert rv.data == b"report 2024"
    assert log == ["admin_only", "admin_only", "report"]
