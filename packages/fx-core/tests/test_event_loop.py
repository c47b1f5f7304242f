"""Async views and middleware on one event loop per worker thread (fx_core.event_loop)."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import typing as t

import flask
import pytest
from flask.testing import FlaskClient

from fx_core import FlaskExpress, Request, Response

VAR: contextvars.ContextVar[str] = contextvars.ContextVar("VAR", default="unset")


def loop_id() -> int:
    return id(asyncio.get_running_loop())


def test_the_loop_is_kept_from_request_to_request(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/fx")
    async def fx(req: Request, res: Response) -> Response:
        await asyncio.sleep(0)
        return res.json([loop_id(), threading.get_ident()])

    @app.get("/plain")
    async def plain() -> list[int]:
        return [loop_id(), threading.get_ident()]

    seen = {tuple(client.get(path).json) for path in ["/fx", "/plain", "/fx", "/plain"]}
    assert len(seen) == 1
    (_loop, thread) = seen.pop()
    assert thread == threading.get_ident()  # no thread per call


def test_flasks_way_when_turned_off(app: FlaskExpress, client: FlaskClient) -> None:
    app.config["FX_ASYNC_LOOP"] = False

    @app.get("/")
    async def view(req: Request, res: Response) -> Response:
        return res.json([loop_id(), threading.get_ident()])

    first, second = client.get("/").json, client.get("/").json
    assert first[1] != threading.get_ident()  # asgiref's thread
    assert first[0] != second[0] or first[1] != second[1]


def test_request_session_g_current_app_and_contextvars_inside(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.before_request
    def mark() -> None:
        flask.g.mark = "from before_request"
        VAR.set("set before")

    @app.get("/")
    async def view(req: Request, res: Response) -> Response:
        flask.session["n"] = flask.session.get("n", 0) + 1
        await asyncio.sleep(0)
        return res.json(
            {
                "path": flask.request.path,
                "same_req": flask.request._get_current_object() is req,  # type: ignore[attr-defined]
                "app": flask.current_app.name,
                "g": flask.g.mark,
                "var": VAR.get(),
                "n": flask.session["n"],
            }
        )

    assert client.get("/").json == {
        "path": "/",
        "same_req": True,
        "app": app.name,
        "g": "from before_request",
        "var": "set before",
        "n": 1,
    }
    assert client.get("/").json["n"] == 2


def test_context_variables_set_inside_come_back(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    async def view(req: Request, res: Response) -> Response:
        VAR.set("set in the view")
        return res.send("ok")

    @app.after_request
    def after(response: flask.Response) -> flask.Response:
        response.headers["X-Var"] = VAR.get()
        return response

    assert client.get("/").headers["X-Var"] == "set in the view"


def test_exceptions_reach_the_error_handlers(app: FlaskExpress, client: FlaskClient) -> None:
    class Boom(Exception):
        pass

    @app.errorhandler(Boom)
    def handle(e: Boom) -> tuple[str, int]:
        return f"handled {e}", 418

    @app.get("/")
    async def view(req: Request, res: Response) -> Response:
        await asyncio.sleep(0)
        raise Boom("boom")

    rv = client.get("/")
    assert (rv.status_code, rv.data) == (418, b"handled boom")
    # The loop survives an exception.
    rv = client.get("/")
    assert rv.status_code == 418


def test_pending_tasks_are_cancelled_and_async_generators_closed(
    app: FlaskExpress, client: FlaskClient
) -> None:
    events: list[str] = []

    async def forever() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            events.append("task cancelled")
            raise

    async def numbers() -> t.AsyncIterator[int]:
        try:
            for n in range(10):
                yield n
        finally:
            events.append("generator closed")

    tasks: list[asyncio.Task[None]] = []

    @app.get("/")
    async def view(req: Request, res: Response) -> Response:
        tasks.append(asyncio.get_running_loop().create_task(forever()))
        await asyncio.sleep(0)
        agen = numbers()
        first = await agen.__anext__()  # left open, as a view might
        return res.json(first)

    assert client.get("/").json == 0
    assert sorted(events) == ["generator closed", "task cancelled"]
    assert tasks[0].cancelled()
    assert not asyncio.all_tasks(tasks[0].get_loop())


@pytest.mark.parametrize(("loop_per_thread", "same_loop"), [(True, True), (False, False)])
def test_an_async_resource_made_in_one_request_serves_the_next(
    app: FlaskExpress, client: FlaskClient, loop_per_thread: bool, same_loop: bool
) -> None:
    # A client session or a pool binds to the loop it was made on; with one
    # loop per thread it can be kept, as long as it stays in that thread.
    # Flask's way makes a new loop for every call, where it could not.
    app.config["FX_ASYNC_LOOP"] = loop_per_thread
    made: dict[str, t.Any] = {}

    @app.get("/")
    async def view(req: Request, res: Response) -> Response:
        if "loop" not in made:
            made["loop"], made["lock"] = asyncio.get_running_loop(), asyncio.Lock()
        async with made["lock"]:
            await asyncio.sleep(0)
        return res.json(asyncio.get_running_loop() is made["loop"])

    assert [client.get("/").json for _ in range(3)] == [True, same_loop, same_loop]


def test_async_middleware_and_view_share_the_loop(app: FlaskExpress, client: FlaskClient) -> None:
    seen: list[tuple[str, int]] = []

    @app.use
    async def first(req: Request, res: Response, next: t.Callable[[], t.Awaitable[None]]) -> None:
        seen.append(("first", loop_id()))
        await next()
        res.set("X-After", "first")

    @app.use
    async def second(req: Request, res: Response, next: t.Callable[[], t.Awaitable[None]]) -> None:
        seen.append(("second", loop_id()))
        await next()

    @app.get("/")
    async def view(req: Request, res: Response) -> Response:
        seen.append(("view", loop_id()))
        return res.send("ok")

    rv = client.get("/")
    rv = client.get("/")
    assert (rv.data, rv.headers["X-After"]) == (b"ok", "first")
    assert [name for name, _ in seen] == ["first", "second", "view"] * 2
    assert len({loop for _, loop in seen}) == 1


def test_a_thread_that_runs_a_loop_falls_back_to_flasks_way(app: FlaskExpress) -> None:
    async def coroutine() -> str:
        return "done"

    run = app.async_to_sync(coroutine)
    flask_run = flask.Flask.async_to_sync(app, coroutine)

    async def inside_a_loop() -> tuple[str, str]:
        # Both refuse the same way: asgiref cannot block a running loop.
        errors = []
        for function in (run, flask_run):
            try:
                function()
            except RuntimeError as e:
                errors.append(str(e))
        return errors[0], errors[1]

    ours, flasks = asyncio.run(inside_a_loop())
    assert ours == flasks
    assert run() == "done"  # outside a running loop, the thread loop


def test_each_thread_has_its_own_loop(app: FlaskExpress) -> None:
    @app.get("/")
    async def view(req: Request, res: Response) -> Response:
        return res.json(loop_id())

    seen: dict[str, list[int]] = {}
    # Both threads alive at once, so neither loop can be freed and its id reused.
    together = threading.Barrier(2, timeout=10)

    def worker(name: str) -> None:
        client = app.test_client()
        seen[name] = [client.get("/").json for _ in range(3)]
        together.wait()

    threads = [threading.Thread(target=worker, args=(f"t{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert all(len(set(loops)) == 1 for loops in seen.values())
    assert seen["t0"][0] != seen["t1"][0]
