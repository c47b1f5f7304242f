"""``app.use`` / ``Blueprint.use`` middleware and ``next()`` (docs/packages/fx-core.md)."""

from __future__ import annotations

import functools
import inspect
import sqlite3
import threading
import typing as t

import flask
import pytest
from flask import g
from flask.testing import FlaskClient
from werkzeug.exceptions import Forbidden, HTTPException, NotFound

from fx_core import Blueprint, FlaskExpress, MissingFeature, Request, Response

Next = t.Callable[..., None]
AsyncNext = t.Callable[..., t.Awaitable[None]]


class Conflict(Exception):
    pass


def logging_middleware(log: list[str], name: str) -> t.Callable[[Request, Response, Next], None]:
    """A middleware that records itself before and after ``next()``."""

    def middleware(req: Request, res: Response, next: Next) -> None:
        log.append(name)
        next()
        log.append(f"{name}-after")

    middleware.__name__ = middleware.__qualname__ = name
    return middleware


def async_logging_middleware(
    log: list[str], name: str
) -> t.Callable[[Request, Response, AsyncNext], t.Awaitable[None]]:
    async def middleware(req: Request, res: Response, next: AsyncNext) -> None:
        log.append(name)
        await next()
        log.append(f"{name}-after")

    middleware.__name__ = middleware.__qualname__ = name
    return middleware


# -- registration and order -----------------------------------------------------------


def test_middleware_runs_in_order_around_the_view(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []
    for name in ("a", "b", "c"):
        app.use(logging_middleware(log, name))

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        log.append("view")
        return res.send("hello")

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b"hello"
    assert log == ["a", "b", "c", "view", "c-after", "b-after", "a-after"]

    log.clear()
    client.get("/")
    assert log == ["a", "b", "c", "view", "c-after", "b-after", "a-after"]


def test_use_as_a_decorator(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []

    @app.use
    def first(req: Request, res: Response, next: Next) -> None:
        log.append("first")
        next()

    @app.use
    def second(req: Request, res: Response, next: Next) -> None:
        log.append("second")
        res.set("X-Second", "yes")
        next()

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        log.append("view")
        return res.send("ok")

    rv = client.get("/")
    assert rv.data == b"ok"
    assert rv.headers["X-Second"] == "yes"
    assert log == ["first", "second", "view"]


def test_use_returns_the_last_function_so_it_decorates(
    app: FlaskExpress, client: FlaskClient
) -> None:
    log: list[str] = []
    a, b, c, d = (logging_middleware(log, name) for name in "abcd")

    assert app.use(a) is a
    assert app.use(b) is b
    assert app.use(c, d) is d  # several at once keep their order

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        log.append("view")
        return res.send("ok")

    assert client.get("/").data == b"ok"
    assert log == ["a", "b", "c", "d", "view", "d-after", "c-after", "b-after", "a-after"]


# -- next(), answering, and misuse ------------------------------------------------------


def test_finishing_res_stops_the_chain(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []
    seen_after: list[str | None] = []

    def outer(req: Request, res: Response, next: Next) -> None:
        log.append("outer")
        next()
        seen_after.append(res.finished_by)

    def gate(req: Request, res: Response, next: Next) -> Response | None:
        log.append("gate")
        if req.headers.get("Authorization") != "secret":
            return res.send_status(401).send("no")
        next()
        return None

    app.use(outer, gate, logging_middleware(log, "inner"))

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        log.append("view")
        return res.send("welcome")

    rv = client.get("/")
    assert rv.status_code == 401
    assert rv.data == b"no"
    assert rv.headers["Content-Type"] == "text/html; charset=utf-8"
    assert log == ["outer", "gate"]
    assert seen_after == ["send"]

    log.clear()
    rv = client.get("/", headers={"Authorization": "secret"})
    assert rv.status_code == 200
    assert rv.data == b"welcome"
    assert log == ["outer", "gate", "inner", "view", "inner-after"]


def test_finishing_res_without_returning_it(app: FlaskExpress, client: FlaskClient) -> None:
    @app.use
    def deny(req: Request, res: Response, next: Next) -> None:
        res.send_status(403).json({"error": "forbidden"})

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        raise AssertionError("the view must not run")

    rv = client.get("/")
    assert rv.status_code == 403
    assert rv.json == {"error": "forbidden"}
    assert rv.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("answer", "status", "body"),
    [
        (lambda: "plain answer", 200, b"plain answer"),
        (lambda: ("denied", 403), 403, b"denied"),
        (lambda: ({"error": "teapot"}, 418), 418, b'{"error":"teapot"}\n'),
        (lambda: flask.Response("flask response", status=202), 202, b"flask response"),
    ],
)
def test_middleware_may_return_a_response_value(
    app: FlaskExpress,
    client: FlaskClient,
    answer: t.Callable[[], t.Any],
    status: int,
    body: bytes,
) -> None:
    log: list[str] = []

    @app.use
    def answers(req: Request, res: Response, next: Next) -> t.Any:
        log.append("middleware")
        return answer()

    app.use(logging_middleware(log, "later"))

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        log.append("view")
        return res.send("view")

    rv = client.get("/")
    assert rv.status_code == status
    assert rv.data == body
    assert log == ["middleware"]


def test_middleware_that_does_nothing_is_type_error_naming_it(
    app: FlaskExpress, client: FlaskClient
) -> None:
    log: list[str] = []

    def forgetful_middleware(req: Request, res: Response, next: Next) -> None:
        log.append("forgetful")

    app.use(forgetful_middleware)

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        log.append("view")
        return res.send("view")

    with pytest.raises(TypeError, match=r"forgetful_middleware.*next\(\)"):
        client.get("/")
    assert log == ["forgetful"]


def test_middleware_that_does_nothing_is_500_without_testing() -> None:
    app = FlaskExpress(__name__)

    @app.use
    def forgetful(req: Request, res: Response, next: Next) -> None:
        pass

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.send("view")

    rv = app.test_client().get("/")
    assert rv.status_code == 500
    assert b"Traceback" not in rv.data
    assert b"view" not in rv.data


def test_next_called_twice_is_runtime_error(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []

    def twice(req: Request, res: Response, next: Next) -> None:
        next()
        next()

    app.use(twice)

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        log.append("view")
        return res.send("view")

    with pytest.raises(RuntimeError, match=r"next\(\) was called twice.*twice"):
        client.get("/")
    assert log == ["view"]


# -- the shared res ----------------------------------------------------------------------


@pytest.mark.parametrize("how", ["return", "finish"])
def test_headers_set_before_and_after_next(
    app: FlaskExpress, client: FlaskClient, how: str
) -> None:
    seen: list[tuple[str | None, bytes, int]] = []

    @app.use
    def timing(req: Request, res: Response, next: Next) -> None:
        res.set("X-Before", "before")
        next()
        seen.append((res.finished_by, res.get_data(), res.status_code))
        res.set("X-Response-Time", "0.001")

    @app.get("/")
    def index(req: Request, res: Response) -> Response | None:
        assert res.get("X-Before") == "before"
        res.send_status(201)
        if how == "return":
            return res.send("made")
        res.send("made")
        return None

    rv = client.get("/")
    assert rv.status_code == 201
    assert rv.data == b"made"
    assert rv.headers["X-Before"] == "before"
    assert rv.headers["X-Response-Time"] == "0.001"
    assert seen == [("send", b"made", 201)]


def test_headers_after_next_with_a_tuple_returning_res(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.use
    def stamp(req: Request, res: Response, next: Next) -> None:
        next()
        res.set("X-After", "after")

    @app.get("/")
    def index(req: Request, res: Response) -> tuple[Response, int]:
        return res.send("created"), 201

    rv = client.get("/")
    assert rv.status_code == 201
    assert rv.data == b"created"
    assert rv.headers["X-After"] == "after"


@pytest.mark.parametrize("style", ["req-res", "flask"])
def test_view_returning_a_string_does_not_use_res(
    app: FlaskExpress, client: FlaskClient, style: str
) -> None:
    """Documents the behaviour: a view that returns a plain value instead of
    answering through ``res`` makes Flask build a new response from it, so
    headers set on ``res`` by middleware (before or after ``next()``) are not
    sent, and ``res`` is still unfinished after ``next()``."""
    seen: list[tuple[str | None, bytes]] = []

    @app.use
    def stamp(req: Request, res: Response, next: Next) -> None:
        res.set("X-Before", "before")
        next()
        seen.append((res.finished_by, res.get_data()))
        res.set("X-After", "after")

    if style == "req-res":

        @app.get("/")
        def index(req: Request, res: Response) -> str:
            return "plain"

    else:

        @app.get("/")
        def index() -> str:
            return "plain"

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b"plain"
    assert "X-Before" not in rv.headers
    assert "X-After" not in rv.headers
    assert seen == [(None, b"")]


def test_req_res_is_the_same_object_everywhere(app: FlaskExpress, client: FlaskClient) -> None:
    seen: list[object] = []

    @app.use
    def first(req: Request, res: Response, next: Next) -> None:
        seen.extend([res, req.res, req])
        next()

    @app.use
    async def second(req: Request, res: Response, next: AsyncNext) -> None:
        seen.extend([res, req.res, req])
        await next()

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        seen.extend([res, req.res, req])
        return res.send("ok")

    @app.after_request
    def after(response: flask.Response) -> flask.Response:
        seen.append(response)
        return response

    assert client.get("/").data == b"ok"
    responses = [seen[0], seen[1], seen[3], seen[4], seen[6], seen[7], seen[9]]
    assert all(obj is seen[0] for obj in responses)
    assert seen[2] is seen[5] is seen[8]
    assert isinstance(seen[2], Request)

    first_res = seen[0]
    seen.clear()
    client.get("/")
    assert seen[0] is not first_res  # a fresh res for every request


def test_missing_features_unchanged_in_middleware(
    app: FlaskExpress, client: FlaskClient, pieces_not_installed: None
) -> None:
    @app.use
    def renders(req: Request, res: Response, next: Next) -> t.Any:
        if req.path == "/render":
            return res.render("index.html")
        if req.path == "/flashes":
            return res.json(req.flashes())
        try:
            res.render("index.html")
        except MissingFeature as exc:
            return res.send_status(501).send(str(exc))
        return None

    with pytest.raises(MissingFeature) as info:
        client.get("/render")
    assert str(info.value) == (
        "res.render() comes from fx-render: pip install fx-render, then compose(RenderMixin)"
    )
    assert isinstance(info.value, AttributeError)
    with pytest.raises(MissingFeature, match=r"^req\.flashes\(\) comes from fx-flash"):
        client.get("/flashes")
    rv = client.get("/caught")
    assert rv.status_code == 501
    assert rv.data == (
        b"res.render() comes from fx-render: pip install fx-render, then compose(RenderMixin)"
    )


# -- exceptions --------------------------------------------------------------------------


def test_view_exception_propagates_out_of_next(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []

    @app.use
    def outer(req: Request, res: Response, next: Next) -> None:
        next()
        log.append(f"outer-after {res.finished_by}")
        res.set("X-Outer", "yes")

    @app.use
    def catcher(req: Request, res: Response, next: Next) -> Response | None:
        try:
            next()
        except ValueError as exc:
            log.append(f"caught {exc}")
            return res.send_status(500).json({"error": str(exc)})
        return None

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        raise ValueError("broken view")

    rv = client.get("/")
    assert rv.status_code == 500
    assert rv.json == {"error": "broken view"}
    assert rv.headers["Content-Type"] == "application/json"
    assert rv.headers["X-Outer"] == "yes"
    assert log == ["caught broken view", "outer-after json"]


def test_uncaught_view_exception_reaches_errorhandler(
    app: FlaskExpress, client: FlaskClient
) -> None:
    log: list[str] = []
    app.use(logging_middleware(log, "mw"))

    @app.errorhandler(Conflict)
    def conflict(e: Conflict) -> tuple[dict[str, str], int]:
        return {"error": str(e)}, 409

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        log.append("view")
        raise Conflict("taken")

    rv = client.get("/")
    assert rv.status_code == 409
    assert rv.json == {"error": "taken"}
    assert log == ["mw", "view"]  # the code after next() did not run


def test_uncaught_exception_propagates_with_testing(app: FlaskExpress, client: FlaskClient) -> None:
    app.use(logging_middleware([], "mw"))

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        raise Conflict("taken")

    with pytest.raises(Conflict, match="taken"):
        client.get("/")


def test_next_with_an_error_goes_to_the_error_handlers(
    app: FlaskExpress, client: FlaskClient
) -> None:
    log: list[str] = []

    @app.use
    def gate(req: Request, res: Response, next: Next) -> None:
        log.append("gate")
        if req.path == "/forbidden":
            next(Forbidden())
        elif req.path == "/conflict":
            next(Conflict("from middleware"))
        else:
            next()

    app.use(logging_middleware(log, "later"))

    @app.errorhandler(403)
    def forbidden(e: HTTPException) -> tuple[str, int]:
        return "custom 403", 403

    @app.errorhandler(Conflict)
    def conflict(e: Conflict) -> tuple[str, int]:
        return f"conflict: {e}", 409

    @app.get("/forbidden")
    def forbidden_view(req: Request, res: Response) -> Response:
        log.append("view")
        return res.send("view")

    @app.get("/conflict")
    def conflict_view(req: Request, res: Response) -> Response:
        log.append("view")
        return res.send("view")

    rv = client.get("/forbidden")
    assert rv.status_code == 403
    assert rv.data == b"custom 403"
    rv = client.get("/conflict")
    assert rv.status_code == 409
    assert rv.data == b"conflict: from middleware"
    assert log == ["gate", "gate"]


def test_next_with_an_http_error_and_no_handler(app: FlaskExpress, client: FlaskClient) -> None:
    @app.use
    def gate(req: Request, res: Response, next: Next) -> None:
        next(Forbidden())

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.send("view")

    rv = client.get("/")
    assert rv.status_code == 403
    assert b"Forbidden" in rv.data
    assert b"view" not in rv.data


def test_end_with_an_error_code_in_middleware(app: FlaskExpress, client: FlaskClient) -> None:
    @app.use
    def gate(req: Request, res: Response, next: Next) -> Response:
        return res.end(401)

    @app.errorhandler(401)
    def unauthorized(e: HTTPException) -> tuple[str, int]:
        return "custom 401", 401

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.send("view")

    rv = client.get("/")
    assert rv.status_code == 401
    assert rv.data == b"custom 401"


def test_middleware_swallowing_an_exception_is_type_error(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.use
    def swallow(req: Request, res: Response, next: Next) -> None:
        try:
            next()
        except ValueError:
            pass

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        raise ValueError("lost")

    with pytest.raises(
        TypeError, match=r"caught an exception from next\(\) and did not finish res"
    ):
        client.get("/")


def test_exception_in_middleware_reaches_errorhandler(
    app: FlaskExpress, client: FlaskClient
) -> None:
    log: list[str] = []
    app.use(logging_middleware(log, "outer"))

    @app.use
    def broken(req: Request, res: Response, next: Next) -> None:
        raise Conflict("broken middleware")

    @app.errorhandler(Conflict)
    def conflict(e: Conflict) -> tuple[str, int]:
        return f"handled: {e}", 409

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        log.append("view")
        return res.send("view")

    rv = client.get("/")
    assert rv.status_code == 409
    assert rv.data == b"handled: broken middleware"
    assert log == ["outer"]


# -- path prefixes -------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["/admin", "/admin/"])
@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("/admin", True),
        ("/admin/", True),
        ("/admin/users", True),
        ("/admin/users/7/edit", True),
        ("/administrator", False),
        ("/adm", False),
        ("/", False),
        ("/users/admin", False),
    ],
)
def test_use_with_a_prefix_matches_whole_segments(
    app: FlaskExpress, client: FlaskClient, prefix: str, path: str, runs: bool
) -> None:
    @app.get("/<path:anything>")
    @app.get("/")
    def anything(req: Request, res: Response) -> Response:
        return res.send(f"view {req.path}")

    def admins_only(req: Request, res: Response, next: Next) -> Response:
        return res.send_status(401).send("admins only")

    assert app.use(prefix, admins_only) is admins_only

    rv = client.get(path)
    if runs:
        assert rv.status_code == 401
        assert rv.data == b"admins only"
    else:
        assert rv.status_code == 200
        assert rv.data == f"view {path}".encode()


def test_prefixed_middleware_reaches_the_view(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []
    app.use(logging_middleware(log, "all"))
    app.use("/admin", logging_middleware(log, "admin"))

    @app.get("/admin/users")
    def users(req: Request, res: Response) -> Response:
        log.append("users")
        return res.send("users")

    @app.get("/home")
    def home(req: Request, res: Response) -> Response:
        log.append("home")
        return res.send("home")

    assert client.get("/admin/users").data == b"users"
    assert log == ["all", "admin", "users", "admin-after", "all-after"]
    log.clear()
    assert client.get("/home").data == b"home"
    assert log == ["all", "home", "all-after"]


def test_root_prefix_matches_every_path(app: FlaskExpress, client: FlaskClient) -> None:
    def answers(req: Request, res: Response, next: Next) -> Response:
        return res.send(f"middleware {req.path}")

    app.use("/", answers)
    for path in ("/", "/x", "/x/y/z"):
        assert client.get(path).data == f"middleware {path}".encode()


@pytest.mark.parametrize("path", ["admin", "", "admin/", "*"])
def test_prefix_must_start_with_a_slash(app: FlaskExpress, path: str) -> None:
    def mw(req: Request, res: Response, next: Next) -> None:
        next()

    with pytest.raises(ValueError, match="must start with '/'"):
        app.use(path, mw)


def test_use_needs_a_function(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []
    ok = logging_middleware(log, "ok")

    with pytest.raises(TypeError, match="at least one middleware"):
        app.use()
    with pytest.raises(TypeError, match="42"):
        app.use(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="'not a function'"):
        app.use("/admin", "not a function")
    with pytest.raises(TypeError, match="None"):
        app.use(ok, None)  # type: ignore[arg-type]

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.send("view")

    # A call that raised registered nothing, not even its valid functions.
    assert client.get("/").data == b"view"
    assert log == []


# -- paths with no route -------------------------------------------------------------------


def test_middleware_runs_for_paths_with_no_route(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []

    @app.use
    def auth(req: Request, res: Response, next: Next) -> Response | None:
        log.append(f"auth {req.path}")
        if req.headers.get("Authorization") != "secret":
            return res.send_status(401).send("log in first")
        next()
        return None

    @app.errorhandler(404)
    def not_found(e: NotFound) -> tuple[str, int]:
        return f"custom 404 for {flask.request.path}", 404

    rv = client.get("/nowhere")
    assert rv.status_code == 401
    assert rv.data == b"log in first"

    rv = client.get("/nowhere", headers={"Authorization": "secret"})
    assert rv.status_code == 404
    assert rv.data == b"custom 404 for /nowhere"
    assert log == ["auth /nowhere", "auth /nowhere"]


def test_wrong_method_is_405_after_middleware(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []

    @app.use
    def auth(req: Request, res: Response, next: Next) -> Response | None:
        log.append(f"auth {req.method}")
        if req.headers.get("Authorization") != "secret":
            return res.send_status(401).send("log in first")
        next()
        return None

    @app.get("/items")
    def items(req: Request, res: Response) -> Response:
        log.append("view")
        return res.send("items")

    rv = client.post("/items")
    assert rv.status_code == 401
    assert rv.data == b"log in first"

    rv = client.post("/items", headers={"Authorization": "secret"})
    assert rv.status_code == 405
    assert set(rv.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert log == ["auth POST", "auth POST"]


# -- async middleware ----------------------------------------------------------------------


@pytest.mark.parametrize("view_kind", ["sync", "async"])
def test_async_middleware(app: FlaskExpress, client: FlaskClient, view_kind: str) -> None:
    log: list[str] = []
    seen: list[tuple[str | None, bytes]] = []

    @app.use
    async def timing(req: Request, res: Response, next: AsyncNext) -> None:
        log.append("timing")
        res.set("X-Before", "before")
        await next()
        seen.append((res.finished_by, res.get_data()))
        res.set("X-Response-Time", "0.002")

    if view_kind == "sync":

        @app.get("/")
        def index(req: Request, res: Response) -> Response:
            log.append("view")
            return res.json({"view": "sync"})

    else:

        @app.get("/")
        async def index(req: Request, res: Response) -> Response:
            log.append("view")
            return res.json({"view": "async"})

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.json == {"view": view_kind}
    assert rv.headers["X-Before"] == "before"
    assert rv.headers["X-Response-Time"] == "0.002"
    assert log == ["timing", "view"]
    assert seen == [("json", f'{{"view":"{view_kind}"}}\n'.encode())]


@pytest.mark.parametrize(
    "kinds",
    [
        ("sync", "async"),
        ("async", "sync"),
        ("async", "async"),
        ("sync", "async", "sync"),
        ("async", "sync", "async"),
    ],
)
@pytest.mark.parametrize("view_kind", ["sync", "async"])
def test_sync_and_async_middleware_mixed(
    app: FlaskExpress, client: FlaskClient, kinds: tuple[str, ...], view_kind: str
) -> None:
    log: list[str] = []
    names = [f"{kind}{i}" for i, kind in enumerate(kinds)]
    for kind, name in zip(kinds, names, strict=True):
        if kind == "sync":
            app.use(logging_middleware(log, name))
        else:
            app.use(async_logging_middleware(log, name))

    if view_kind == "sync":

        @app.get("/")
        def index(req: Request, res: Response) -> Response:
            log.append("view")
            return res.send("ok")

    else:

        @app.get("/")
        async def index(req: Request, res: Response) -> Response:
            log.append("view")
            return res.send("ok")

    for _ in range(2):
        log.clear()
        rv = client.get("/")
        assert rv.status_code == 200
        assert rv.data == b"ok"
        assert log == [*names, "view", *(f"{name}-after" for name in reversed(names))]


def test_async_middleware_sees_flask_context(app: FlaskExpress, client: FlaskClient) -> None:
    @app.use
    async def sets_g(req: Request, res: Response, next: AsyncNext) -> None:
        assert flask.request.path == "/"
        g.user = "ada"
        await next()

    @app.use
    def reads_g(req: Request, res: Response, next: Next) -> None:
        res.set("X-User", g.user)
        next()

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.send(f"hi {g.user}")

    rv = client.get("/")
    assert rv.data == b"hi ada"
    assert rv.headers["X-User"] == "ada"


def test_exception_propagates_out_of_await_next(app: FlaskExpress, client: FlaskClient) -> None:
    @app.use
    async def catcher(req: Request, res: Response, next: AsyncNext) -> Response | None:
        try:
            await next()
        except Conflict as exc:
            return res.send_status(500).json({"error": str(exc)})
        return None

    app.use(logging_middleware([], "sync-between"))

    @app.get("/sync")
    def sync_view(req: Request, res: Response) -> Response:
        raise Conflict("sync view")

    @app.get("/async")
    async def async_view(req: Request, res: Response) -> Response:
        raise Conflict("async view")

    for path in ("/sync", "/async"):
        rv = client.get(path)
        assert rv.status_code == 500
        assert rv.json == {"error": f"{path[1:]} view"}


def test_uncaught_exception_through_async_middleware(
    app: FlaskExpress, client: FlaskClient
) -> None:
    app.use(async_logging_middleware([], "async-mw"))

    @app.errorhandler(Conflict)
    def conflict(e: Conflict) -> tuple[str, int]:
        return f"handled: {e}", 409

    @app.get("/")
    async def index(req: Request, res: Response) -> Response:
        raise Conflict("async view")

    rv = client.get("/")
    assert rv.status_code == 409
    assert rv.data == b"handled: async view"


def test_async_middleware_answers_without_next(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []

    @app.use
    async def gate(req: Request, res: Response, next: AsyncNext) -> Response | None:
        if req.path == "/closed":
            return res.send_status(401).send("closed")
        if req.path == "/finish":
            res.send_status(403).send("finished")
            return None
        await next()
        return None

    @app.get("/<path:anything>")
    def anything(req: Request, res: Response) -> Response:
        log.append("view")
        return res.send("view")

    rv = client.get("/closed")
    assert (rv.status_code, rv.data) == (401, b"closed")
    rv = client.get("/finish")
    assert (rv.status_code, rv.data) == (403, b"finished")
    assert log == []
    assert client.get("/open").data == b"view"
    assert log == ["view"]


def test_async_middleware_that_does_nothing_is_type_error(
    app: FlaskExpress, client: FlaskClient
) -> None:
    async def idle_async_middleware(req: Request, res: Response, next: AsyncNext) -> None:
        pass

    app.use(idle_async_middleware)

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.send("view")

    with pytest.raises(TypeError, match="idle_async_middleware"):
        client.get("/")


def test_async_next_twice_and_next_error(app: FlaskExpress, client: FlaskClient) -> None:
    @app.use
    async def odd(req: Request, res: Response, next: AsyncNext) -> None:
        if req.path == "/twice":
            await next()
            await next()
        else:
            await next(Forbidden())

    @app.errorhandler(403)
    def forbidden(e: HTTPException) -> tuple[str, int]:
        return "custom 403", 403

    @app.get("/<path:anything>")
    def anything(req: Request, res: Response) -> Response:
        return res.send("view")

    with pytest.raises(RuntimeError, match=r"next\(\) was called twice"):
        client.get("/twice")
    rv = client.get("/error")
    assert (rv.status_code, rv.data) == (403, b"custom 403")


def test_view_runs_in_the_request_thread_behind_async_middleware(
    app: FlaskExpress, client: FlaskClient
) -> None:
    """Sync code after an async middleware (later middleware, the view) runs
    in the thread that handles the request, as Flask runs sync views, so
    thread-bound resources opened in before_request still work."""

    @app.before_request
    def connect() -> None:
        g.db = sqlite3.connect(":memory:")  # refuses use from another thread
        g.thread = threading.get_ident()

    @app.teardown_request
    def close(exc: BaseException | None) -> None:
        g.db.close()

    app.use(async_logging_middleware([], "async-mw"))

    @app.use
    def sync_mw(req: Request, res: Response, next: Next) -> None:
        res.set("X-Same-Thread", str(threading.get_ident() == g.thread))
        next()

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        (value,) = g.db.execute("select 6 * 7").fetchone()
        return res.json({"value": value, "same_thread": threading.get_ident() == g.thread})

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.json == {"value": 42, "same_thread": True}
    assert rv.headers["X-Same-Thread"] == "True"


def test_callable_objects_and_partials_as_middleware(
    app: FlaskExpress, client: FlaskClient
) -> None:
    log: list[str] = []

    class Tagger:
        def __init__(self, tag: str) -> None:
            self.tag = tag

        def __call__(self, req: Request, res: Response, next: Next) -> None:
            log.append(self.tag)
            res.append("X-Tags", self.tag)
            next()

    async def tagged(tag: str, req: Request, res: Response, next: AsyncNext) -> None:
        log.append(tag)
        res.append("X-Tags", tag)
        await next()
        log.append(f"{tag}-after")

    app.use(Tagger("object"), functools.partial(tagged, "partial"))

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        log.append("view")
        return res.send("ok")

    rv = client.get("/")
    assert rv.data == b"ok"
    assert rv.headers.getlist("X-Tags") == ["object", "partial"]
    assert log == ["object", "partial", "view", "partial-after"]


# -- before_request and after_request ------------------------------------------------------


def test_before_request_runs_before_middleware(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []
    finals: list[tuple[bytes, str | None]] = []

    @app.before_request
    def before() -> str | None:
        log.append("before_request")
        if flask.request.path == "/blocked":
            return "blocked by before_request"
        return None

    @app.after_request
    def after(response: flask.Response) -> flask.Response:
        log.append("after_request")
        finals.append((response.get_data(), response.headers.get("X-Middleware")))
        response.headers["X-After"] = "yes"
        return response

    @app.use
    def mw(req: Request, res: Response, next: Next) -> None:
        log.append("middleware")
        next()
        res.set("X-Middleware", "after-next")

    @app.get("/<path:anything>")
    def anything(req: Request, res: Response) -> Response:
        log.append("view")
        return res.send("view")

    rv = client.get("/open")
    assert rv.data == b"view"
    assert rv.headers["X-Middleware"] == "after-next"
    assert rv.headers["X-After"] == "yes"
    assert log == ["before_request", "middleware", "view", "after_request"]
    assert finals == [(b"view", "after-next")]

    log.clear()
    finals.clear()
    rv = client.get("/blocked")
    assert rv.data == b"blocked by before_request"
    assert rv.headers["X-After"] == "yes"
    assert "X-Middleware" not in rv.headers
    assert log == ["before_request", "after_request"]
    assert finals == [(b"blocked by before_request", None)]


def test_after_request_sees_a_middleware_answer(app: FlaskExpress, client: FlaskClient) -> None:
    finals: list[tuple[object, int, bytes]] = []
    answered: list[Response] = []

    @app.use
    def gate(req: Request, res: Response, next: Next) -> Response:
        answered.append(res)
        return res.send_status(401).send("no")

    @app.after_request
    def after(response: flask.Response) -> flask.Response:
        finals.append((response, response.status_code, response.get_data()))
        return response

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.send("view")

    rv = client.get("/")
    assert (rv.status_code, rv.data) == (401, b"no")
    assert len(finals) == 1
    assert finals[0][0] is answered[0]
    assert finals[0][1:] == (401, b"no")


# -- blueprints ------------------------------------------------------------------------------


def _bp_with_routes(bp: flask.Blueprint, log: list[str]) -> None:
    @bp.get("/items")
    def items(req: Request, res: Response) -> Response:
        log.append(f"view {req.endpoint}")
        return res.send(f"items {req.path}")

    @bp.get("/reports/<int:year>")
    def reports(req: Request, res: Response, year: int) -> Response:
        log.append(f"view {req.endpoint}")
        return res.send(f"reports {year} {req.path}")


@pytest.mark.parametrize("mount", ["constructor", "register", "none"])
def test_blueprint_use_runs_only_for_its_routes(
    app: FlaskExpress, client: FlaskClient, mount: str
) -> None:
    log: list[str] = []
    if mount == "constructor":
        bp = Blueprint("api", __name__, url_prefix="/api")
    else:
        bp = Blueprint("api", __name__)
    _bp_with_routes(bp, log)
    mw = logging_middleware(log, "bp")
    assert bp.use(mw) is mw
    app.use(logging_middleware(log, "app"))

    @app.get("/home")
    def home(req: Request, res: Response) -> Response:
        log.append("view home")
        return res.send("home")

    if mount == "register":
        app.register_blueprint(bp, url_prefix="/api")
        base = "/api"
    elif mount == "constructor":
        app.register_blueprint(bp)
        base = "/api"
    else:
        app.register_blueprint(bp)
        base = ""

    rv = client.get(f"{base}/items")
    assert rv.data == f"items {base}/items".encode()
    assert log == ["app", "bp", "view api.items", "bp-after", "app-after"]

    log.clear()
    assert client.get("/home").data == b"home"
    assert log == ["app", "view home", "app-after"]


def test_blueprint_middleware_answers(app: FlaskExpress, client: FlaskClient) -> None:
    bp = Blueprint("admin", __name__, url_prefix="/admin")
    _bp_with_routes(bp, [])

    @bp.use
    def admins_only(req: Request, res: Response, next: Next) -> Response | None:
        if req.headers.get("X-Role") != "admin":
            return res.send_status(403).json({"error": "admins only"})
        next()
        return None

    app.register_blueprint(bp)

    @app.get("/items")
    def items(req: Request, res: Response) -> Response:
        return res.send("public items")

    rv = client.get("/admin/items")
    assert rv.status_code == 403
    assert rv.json == {"error": "admins only"}
    rv = client.get("/admin/items", headers={"X-Role": "admin"})
    assert (rv.status_code, rv.data) == (200, b"items /admin/items")
    assert client.get("/items").data == b"public items"


def test_nested_blueprint_middleware(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []
    outer = Blueprint("outer", __name__, url_prefix="/outer")
    inner = Blueprint("inner", __name__, url_prefix="/inner")

    @outer.get("/here")
    def here(req: Request, res: Response) -> Response:
        log.append("view outer")
        return res.send("outer")

    @inner.get("/leaf")
    def leaf(req: Request, res: Response) -> Response:
        log.append("view inner")
        return res.send("inner")

    inner.use(logging_middleware(log, "inner"))
    outer.use(logging_middleware(log, "outer"))
    outer.register_blueprint(inner)
    app.register_blueprint(outer)
    app.use(logging_middleware(log, "app"))

    assert client.get("/outer/inner/leaf").data == b"inner"
    assert log == [
        "app",
        "outer",
        "inner",
        "view inner",
        "inner-after",
        "outer-after",
        "app-after",
    ]
    log.clear()
    assert client.get("/outer/here").data == b"outer"
    assert log == ["app", "outer", "view outer", "outer-after", "app-after"]


def test_nested_blueprint_prefixes_are_relative(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []
    outer = Blueprint("outer", __name__, url_prefix="/outer")
    inner = Blueprint("inner", __name__)
    _bp_with_routes(inner, log)
    outer.use("/inner/reports", logging_middleware(log, "outer-reports"))
    inner.use("/reports", logging_middleware(log, "inner-reports"))
    outer.register_blueprint(inner, url_prefix="/inner")
    app.register_blueprint(outer)

    assert client.get("/outer/inner/reports/2024").data == b"reports 2024 /outer/inner/reports/2024"
    assert log == [
        "outer-reports",
        "inner-reports",
        "view outer.inner.reports",
        "inner-reports-after",
        "outer-reports-after",
    ]
    log.clear()
    assert client.get("/outer/inner/items").data == b"items /outer/inner/items"
    assert log == ["view outer.inner.items"]


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("/admin/reports/2024", True),
        ("/admin/items", False),
    ],
)
def test_blueprint_prefix_is_relative_to_its_mount_point(
    app: FlaskExpress, client: FlaskClient, path: str, runs: bool
) -> None:
    log: list[str] = []
    bp = Blueprint("admin", __name__)
    _bp_with_routes(bp, log)

    @bp.get("/reportsx")
    def reportsx(req: Request, res: Response) -> Response:
        log.append("view reportsx")
        return res.send("reportsx")

    bp.use("/reports", logging_middleware(log, "reports"))
    # The same prefix on the app is absolute: it never matches /admin/reports.
    app.use("/reports", logging_middleware(log, "app-reports"))
    app.register_blueprint(bp, url_prefix="/admin")

    rv = client.get(path)
    assert rv.status_code == 200
    if runs:
        assert log == ["reports", "view admin.reports", "reports-after"]
    else:
        assert log == ["view admin.items"]
    log.clear()
    assert client.get("/admin/reportsx").data == b"reportsx"
    assert log == ["view reportsx"]


def test_blueprint_mounted_with_a_trailing_slash(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []
    bp = Blueprint("admin", __name__)
    _bp_with_routes(bp, log)
    bp.use("/reports", logging_middleware(log, "reports"))
    app.register_blueprint(bp, url_prefix="/admin/")

    assert client.get("/admin/reports/1").data == b"reports 1 /admin/reports/1"
    assert log == ["reports", "view admin.reports", "reports-after"]
    log.clear()
    assert client.get("/admin/items").data == b"items /admin/items"
    assert log == ["view admin.items"]


def test_blueprint_root_prefix_runs_for_every_route(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []
    bp = Blueprint("admin", __name__, url_prefix="/admin/")
    _bp_with_routes(bp, log)
    bp.use("/", logging_middleware(log, "all"))
    app.register_blueprint(bp)

    client.get("/admin/items")
    client.get("/admin/reports/1")
    assert log == [
        "all",
        "view admin.items",
        "all-after",
        "all",
        "view admin.reports",
        "all-after",
    ]


def test_blueprint_middleware_does_not_run_for_unrouted_paths(
    app: FlaskExpress, client: FlaskClient
) -> None:
    """Documents the scope, as for a blueprint's ``before_request``: a path
    under the blueprint's prefix that matches none of its routes has no
    blueprint, so only app middleware runs before the 404 (or 405)."""
    log: list[str] = []
    bp = Blueprint("api", __name__, url_prefix="/api")
    _bp_with_routes(bp, log)
    bp.use(logging_middleware(log, "bp"))
    app.use(logging_middleware(log, "app"))
    app.register_blueprint(bp)

    assert client.get("/api/nothing").status_code == 404
    assert log == ["app"]
    log.clear()
    assert client.post("/api/items").status_code == 405
    assert log == ["app"]


def test_blueprint_registered_twice(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []
    bp = Blueprint("shared", __name__)
    _bp_with_routes(bp, log)

    @bp.use
    def who(req: Request, res: Response, next: Next) -> None:
        log.append(f"mw {req.blueprint}")
        next()

    bp.use("/reports", logging_middleware(log, "reports"))
    app.register_blueprint(bp, name="one", url_prefix="/one")
    app.register_blueprint(bp, name="two", url_prefix="/two")

    assert client.get("/one/items").data == b"items /one/items"
    assert client.get("/two/items").data == b"items /two/items"
    assert log == ["mw one", "view one.items", "mw two", "view two.items"]
    log.clear()
    assert client.get("/two/reports/3").data == b"reports 3 /two/reports/3"
    assert log == ["mw two", "reports", "view two.reports", "reports-after"]
    log.clear()
    assert client.get("/one/reports/3").data == b"reports 3 /one/reports/3"
    assert log == ["mw one", "reports", "view one.reports", "reports-after"]


def test_blueprint_prefix_under_a_variable_mount_point(
    app: FlaskExpress, client: FlaskClient
) -> None:
    log: list[str] = []
    bp = Blueprint("i18n", __name__, url_prefix="/<lang>")
    _bp_with_routes(bp, log)

    @bp.url_value_preprocessor
    def pop_lang(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        if values is not None:
            g.lang = values.pop("lang", None)

    bp.use("/reports", logging_middleware(log, "reports"))
    app.register_blueprint(bp)

    assert client.get("/en/reports/2024").data == b"reports 2024 /en/reports/2024"
    assert log == ["reports", "view i18n.reports", "reports-after"]


def test_blueprint_use_validates_like_app_use() -> None:
    bp = Blueprint("bp", __name__)
    with pytest.raises(ValueError, match="must start with '/'"):
        bp.use("reports", lambda req, res, next: next())
    with pytest.raises(TypeError, match="at least one middleware"):
        bp.use()
    with pytest.raises(TypeError, match="42"):
        bp.use(42)  # type: ignore[arg-type]
    first = bp.use(lambda req, res, next: next())
    assert bp.use("/x")(first) is first  # the decorator form with a path


def test_blueprint_use_after_registration_is_refused(app: FlaskExpress) -> None:
    bp = Blueprint("late", __name__)
    _bp_with_routes(bp, [])
    app.register_blueprint(bp)
    with pytest.raises(AssertionError, match=r"'use'.*'late'"):
        bp.use(lambda req, res, next: next())


def test_app_use_after_the_first_request_is_refused(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.send("view")

    app.use(logging_middleware([], "early"))
    assert client.get("/").data == b"view"
    with pytest.raises(AssertionError, match=r"'use'"):
        app.use(logging_middleware([], "late"))


# -- no per-request inspection ---------------------------------------------------------------


def test_nothing_is_inspected_per_request(
    app: FlaskExpress, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_signature = inspect.signature
    real_iscoroutinefunction = inspect.iscoroutinefunction
    inspected: list[object] = []

    def counting_signature(obj: t.Any, *args: t.Any, **kwargs: t.Any) -> inspect.Signature:
        inspected.append(inspect.unwrap(obj))
        return real_signature(obj, *args, **kwargs)

    def counting_iscoroutinefunction(obj: t.Any) -> bool:
        inspected.append(inspect.unwrap(obj) if callable(obj) else obj)
        return real_iscoroutinefunction(obj)

    monkeypatch.setattr(inspect, "signature", counting_signature)
    monkeypatch.setattr(inspect, "iscoroutinefunction", counting_iscoroutinefunction)

    def sync_mw(req: Request, res: Response, next: Next) -> None:
        next()
        res.set("X-Sync", "1")

    async def async_mw(req: Request, res: Response, next: AsyncNext) -> None:
        await next()
        res.set("X-Async", "1")

    def bp_mw(req: Request, res: Response, next: Next) -> None:
        next()

    def view(req: Request, res: Response, id: int) -> Response:
        return res.json({"id": id})

    async def async_view(req: Request, res: Response) -> Response:
        return res.send("async")

    bp = Blueprint("bp", __name__, url_prefix="/bp")
    bp.use(bp_mw)

    @bp.get("/x")
    def bp_view(req: Request, res: Response) -> Response:
        return res.send("bp")

    app.use(sync_mw, async_mw)
    app.add_url_rule("/sync/<int:id>", view_func=view)
    app.add_url_rule("/async", view_func=async_view)
    app.register_blueprint(bp)

    ours = (sync_mw, async_mw, bp_mw, view, async_view, bp_view)
    at_registration = sum(1 for obj in inspected if any(obj is f for f in ours))
    assert at_registration >= len(ours)  # the patch is seen

    for n in range(5):
        rv = client.get(f"/sync/{n}")
        assert rv.json == {"id": n}
        assert (rv.headers["X-Sync"], rv.headers["X-Async"]) == ("1", "1")
        assert client.get("/async").data == b"async"
        assert client.get("/bp/x").data == b"bp"
        assert client.get("/missing").status_code == 404

    assert sum(1 for obj in inspected if any(obj is f for f in ours)) == at_registration


def test_use_decorator_forms(app: FlaskExpress, client: FlaskClient) -> None:
    log: list[str] = []

    @app.use
    def everywhere(req: Request, res: Response, next: Next) -> None:
        log.append("everywhere")
        next()

    @app.use("/admin")
    def admins_only(req: Request, res: Response, next: Next) -> Response:
        return res.send_status(401).send("admins only")

    # The decorators give the functions back, as Flask's do.
    assert callable(everywhere) and everywhere.__name__ == "everywhere"
    assert admins_only.__name__ == "admins_only"

    @app.get("/<path:anything>")
    def anything(req: Request, res: Response) -> Response:
        return res.send("open")

    assert client.get("/page").data == b"open"
    assert client.get("/admin/page").status_code == 401
    assert log == ["everywhere", "everywhere"]


def test_next_with_something_else_than_an_exception_is_a_type_error(
    app: FlaskExpress, client: FlaskClient
) -> None:
    def routing(req: Request, res: Response, next: t.Callable[..., None]) -> None:
        next("route")  # Express's next('route') has no meaning here

    app.use(routing)

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.send("ok")

    with pytest.raises(TypeError, match="next\\(\\) takes nothing or an exception"):
        client.get("/")


def test_an_async_middleware_that_does_not_await_next_is_told_so() -> None:
    app = FlaskExpress(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = True

    @app.use
    async def forgetful(req: Request, res: Response, next: t.Any) -> None:
        next()  # the rest of the chain is never run

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send("ok")

    with (
        pytest.warns(RuntimeWarning, match="never awaited"),
        pytest.raises(TypeError, match=r"without awaiting it \(write 'await next\(\)'\)"),
    ):
        app.test_client().get("/")
