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


async def wait_forever(events: list[str]) -> None:
    """A task a view leaves pending; says when it is cancelled."""
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        events.append("task cancelled")
        raise


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

    async def numbers() -> t.AsyncIterator[int]:
        try:
            for n in range(10):
                yield n
        finally:
            events.append("generator closed")

    tasks: list[asyncio.Task[None]] = []

    @app.get("/")
    async def view(req: Request, res: Response) -> Response:
        tasks.append(asyncio.get_running_loop().create_task(wait_forever(events)))
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


# -- the first step, run at once (ThreadLoop.run_task) ---------------------------


def test_a_view_that_never_suspends_runs_in_a_task_on_a_running_loop(
    app: FlaskExpress, client: FlaskClient
) -> None:
    polled: list[float | None] = []

    @app.get("/")
    async def view(req: Request, res: Response) -> Response:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        selector = loop._selector  # type: ignore[attr-defined]
        if not hasattr(selector, "fx_spy"):
            original = selector.select

            def select(timeout: float | None = None) -> t.Any:
                polled.append(timeout)
                return original(timeout)

            selector.select, selector.fx_spy = select, True
        # asyncio.timeout needs the current task (3.11); anyio's cancel
        # scopes do too.
        async with asyncio.timeout(5) if hasattr(asyncio, "timeout") else _null():
            pass
        return res.json(
            {
                "task": isinstance(task, asyncio.Task) and not task.done(),
                "running": loop.is_running(),
                "same_loop": loop is asyncio.get_event_loop(),
            }
        )

    assert client.get("/").json == {"task": True, "running": True, "same_loop": True}
    assert client.get("/").json == {"task": True, "running": True, "same_loop": True}
    # The second call, with the spy in place: no turn of the loop at all.
    assert polled == []


class _null:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


def test_a_view_that_suspends_goes_on_in_the_loop(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    async def view(req: Request, res: Response) -> Response:
        first = asyncio.current_task()
        await asyncio.sleep(0.01)
        fut = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_later(0.01, fut.set_result, "timer")
        return res.json([await fut, asyncio.current_task() is first])

    assert client.get("/").json == ["timer", True]


def test_callbacks_scheduled_in_the_first_step_run_in_order_unless_cancelled(
    app: FlaskExpress, client: FlaskClient
) -> None:
    ran: list[str] = []

    @app.get("/")
    async def view(req: Request, res: Response) -> Response:
        loop = asyncio.get_running_loop()
        loop.call_soon(ran.append, "one")
        loop.call_soon(ran.append, "cancelled").cancel()
        loop.call_soon(ran.append, "two")
        return res.send("ok")

    assert client.get("/").data == b"ok"
    assert ran == ["one", "two"]


def test_what_the_first_step_leaves_is_cleaned_up(app: FlaskExpress, client: FlaskClient) -> None:
    events: list[str] = []

    async def numbers() -> t.AsyncIterator[int]:
        try:
            yield 1
            yield 2
        finally:
            events.append("generator closed")

    @app.get("/task")
    async def task_view(req: Request, res: Response) -> Response:
        asyncio.get_running_loop().create_task(wait_forever(events))  # never awaited
        return res.send("ok")

    @app.get("/agen")
    async def agen_view(req: Request, res: Response) -> Response:
        agen = numbers()
        first = await agen.__anext__()  # no suspension: still the first step
        return res.json([first, asyncio.current_task() is not None])

    assert client.get("/task").data == b"ok"
    assert events == ["task cancelled"]
    assert client.get("/agen").json == [1, True]
    assert events == ["task cancelled", "generator closed"]


def test_exceptions_from_the_first_step_and_later_steps_propagate(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.errorhandler(LookupError)
    def handle(e: LookupError) -> tuple[str, int]:
        return f"handled {e.args[0]}", 409

    @app.get("/now")
    async def now(req: Request, res: Response) -> Response:
        raise LookupError("now")

    @app.get("/later")
    async def later(req: Request, res: Response) -> Response:
        await asyncio.sleep(0)
        raise LookupError("later")

    assert (client.get("/now").status_code, client.get("/now").data) == (409, b"handled now")
    assert client.get("/later").data == b"handled later"
    # Nothing of either is left on the loop.
    assert client.get("/now").status_code == 409


def test_a_task_factory_set_on_the_loop_is_used(app: FlaskExpress, client: FlaskClient) -> None:
    made: list[str] = []

    @app.get("/")
    async def view(req: Request, res: Response) -> Response:
        loop = asyncio.get_running_loop()
        if loop.get_task_factory() is None:

            def factory(loop: asyncio.AbstractEventLoop, coro: t.Any, **kwargs: t.Any) -> t.Any:
                made.append(coro.__qualname__)
                return asyncio.Task(coro, loop=loop, **kwargs)

            loop.set_task_factory(factory)
        return res.send("ok")

    client.get("/")
    client.get("/")
    try:
        assert made and made[-1].endswith("view")
    finally:
        from fx_core.event_loop import thread_loop

        thread_loop().set_task_factory(None)


def test_run_task_refuses_a_running_loop() -> None:
    from fx_core.event_loop import ThreadLoop

    loop = ThreadLoop()

    async def nothing() -> None:
        return None

    async def inside() -> str:
        coro = nothing()
        try:
            loop.run_task(coro, contextvars.copy_context())
        except RuntimeError as e:
            return str(e)
        return "ran"

    try:
        assert "running event loop" in asyncio.run(inside())
    finally:
        loop.close()


def test_another_loop_policy_is_kept(app: FlaskExpress) -> None:
    # An app that chose its loop (uvloop's policy, say) gets that loop, with
    # the same clean-up and context rules.
    class Loop(asyncio.SelectorEventLoop):
        pass

    class Policy(asyncio.DefaultEventLoopPolicy):
        def new_event_loop(self) -> asyncio.AbstractEventLoop:
            return Loop()

    events: list[str] = []

    @app.get("/")
    async def view(req: Request, res: Response) -> Response:
        VAR.set("from the view")
        asyncio.get_running_loop().create_task(wait_forever(events))
        await asyncio.sleep(0)
        return res.json(type(asyncio.get_running_loop()).__name__)

    @app.after_request
    def after(response: flask.Response) -> flask.Response:
        response.headers["X-Var"] = VAR.get()
        return response

    seen: dict[str, t.Any] = {}

    def worker() -> None:  # a new thread: a new thread loop, from the policy
        rv = app.test_client().get("/")
        seen.update(body=rv.json, var=rv.headers["X-Var"])

    previous = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(Policy())
    try:
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join(10)
    finally:
        asyncio.set_event_loop_policy(previous)
    assert seen == {"body": "Loop", "var": "from the view"}
    assert events == ["task cancelled"]


@pytest.mark.parametrize("loop_per_thread", [True, False])
def test_async_middleware_follows_the_setting(app: FlaskExpress, loop_per_thread: bool) -> None:
    app.config["FX_ASYNC_LOOP"] = loop_per_thread

    @app.use
    async def where(req: Request, res: Response, next: t.Callable[[], t.Awaitable[None]]) -> None:
        res.set("X-Thread", str(threading.get_ident()))
        await next()

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send("ok")

    rv = app.test_client().get("/")
    assert rv.data == b"ok"
    assert (rv.headers["X-Thread"] == str(threading.get_ident())) is loop_per_thread


def test_a_subclass_async_to_sync_runs_async_middleware() -> None:
    calls: list[str] = []

    class App(FlaskExpress):
        def async_to_sync(self, func: t.Any) -> t.Any:
            calls.append(getattr(func, "__name__", "?"))
            return super().async_to_sync(func)

    app = App(__name__)

    @app.use
    async def mw(req: Request, res: Response, next: t.Callable[[], t.Awaitable[None]]) -> None:
        await next()

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send("ok")

    assert app.test_client().get("/").data == b"ok"
    assert calls == ["step_async"]


def test_threads_timeouts_and_gathered_tasks_work_on_the_thread_loop(
    app: FlaskExpress, client: FlaskClient
) -> None:
    def blocking(n: int) -> int:
        return n * 2

    async def slow() -> str:
        await asyncio.sleep(5)
        return "late"

    async def quick(n: int) -> int:
        await asyncio.sleep(0)
        return n

    @app.get("/")
    async def view(req: Request, res: Response) -> Response:
        loop = asyncio.get_running_loop()
        doubled = await loop.run_in_executor(None, blocking, 21)
        to_thread = await asyncio.to_thread(blocking, 2)
        try:
            await asyncio.wait_for(slow(), timeout=0.01)
            timed_out = False
        except asyncio.TimeoutError:
            timed_out = True
        gathered = await asyncio.gather(*(quick(n) for n in range(3)))
        return res.json([doubled, to_thread, timed_out, gathered])

    for _ in range(2):  # the second on the loop the first left behind
        assert client.get("/").json == [42, 4, True, [0, 1, 2]]
