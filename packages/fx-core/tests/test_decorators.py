"""(req, res) views under decorators, as Flask's extensions write them (docs/ecosystem.md)."""

from __future__ import annotations

import functools
import pickle
import typing as t

import flask
import pytest
from flask.testing import FlaskClient

from fx_core import FlaskExpress, Request, Response


def through_make_response(view: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    """A decorator as Flask-CORS writes one: it calls make_response on what
    the view returned and adds a header."""

    @functools.wraps(view)
    def wrapper(*args: t.Any, **kwargs: t.Any) -> flask.Response:
        rv = flask.make_response(view(*args, **kwargs))
        rv.headers["X-Decorated"] = "yes"
        return rv

    return wrapper


def test_make_response_of_none_is_the_finished_res(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    @through_make_response
    def view(req: Request, res: Response) -> None:
        res.send_status(201).set("X-View", "1").send("made")

    rv = client.get("/")
    assert (rv.status_code, rv.data) == (201, b"made")
    assert rv.headers["X-View"] == "1"
    assert rv.headers["X-Decorated"] == "yes"


def test_async_view_finishing_res_under_such_a_decorator(
    app: FlaskExpress, client: FlaskClient
) -> None:
    def sync_wrapper(view: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        @functools.wraps(view)
        def wrapper(*args: t.Any, **kwargs: t.Any) -> flask.Response:
            rv = flask.make_response(app.ensure_sync(view)(*args, **kwargs))
            rv.headers["X-Decorated"] = "yes"
            return rv

        return wrapper

    @app.get("/")
    @sync_wrapper
    async def view(req: Request, res: Response) -> None:
        res.send("async")

    rv = client.get("/")
    assert (rv.data, rv.headers["X-Decorated"]) == (b"async", "yes")


def test_make_response_of_none_without_a_finished_res_is_flasks_error(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    @through_make_response
    def view(req: Request, res: Response) -> None:
        res.set("X-Unfinished", "1")

    with pytest.raises(TypeError, match="did not return a valid response"):
        client.get("/")


def test_plain_views_returning_none_keep_flasks_error(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view() -> None:
        return None

    with pytest.raises(TypeError, match="did not return a valid response"):
        client.get("/")


# -- a decorator that drops the signature ---------------------------------------------


def without_wraps(view: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
        return view(*args, **kwargs)

    return wrapper


def test_a_decorator_without_wraps_gets_a_clear_message(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    @without_wraps
    def hidden(req: Request, res: Response) -> Response:
        return res.send("never")

    with pytest.raises(TypeError) as excinfo:
        client.get("/")
    message = str(excinfo.value)
    assert "takes (req, res), but a decorator wrapped it" in message
    assert "hidden" in message and "without_wraps.<locals>.wrapper" in message
    assert "@functools.wraps(view)" in message
    assert "missing 2 required positional arguments" in str(excinfo.value.__cause__)


def test_two_decorators_deep_is_found_too(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    @without_wraps
    @without_wraps
    def hidden(req: Request, res: Response) -> Response:
        return res.send("never")

    with pytest.raises(TypeError, match="takes \\(req, res\\), but a decorator wrapped it"):
        client.get("/")


def test_an_error_inside_the_view_is_its_own(app: FlaskExpress, client: FlaskClient) -> None:
    def needs_two(req: t.Any, res: t.Any) -> None: ...

    def injects(view: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        # A decorator that supplies req and res itself: legitimate.
        def wrapper(**kwargs: t.Any) -> t.Any:
            return view(flask.request, flask.request.res, **kwargs)  # type: ignore[attr-defined]

        return wrapper

    @app.get("/ok", endpoint="ok")
    @injects
    def fine(req: Request, res: Response) -> Response:
        return res.send("injected")

    @app.get("/broken", endpoint="broken")
    @injects
    def broken(req: Request, res: Response) -> Response:
        needs_two()  # type: ignore[call-arg]
        return res

    assert client.get("/ok").data == b"injected"
    with pytest.raises(TypeError) as excinfo:
        client.get("/broken")
    assert "needs_two() missing 2 required positional arguments" in str(excinfo.value)


# -- pickling --------------------------------------------------------------------------


def test_a_finished_res_survives_pickling(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.send_status(203).set("X-A", "1").append("X-B", ["2", "3"]).json({"ok": True})
        copy = pickle.loads(pickle.dumps(res))
        assert copy is not res
        return copy  # type: ignore[no-any-return]

    rv = client.get("/")
    assert rv.status_code == 203
    assert rv.json == {"ok": True}
    assert rv.headers["X-A"] == "1"
    assert rv.headers.getlist("X-B") == ["2", "3"]
    assert rv.headers["Content-Type"] == "application/json"


def test_an_unpickled_res_reads_the_current_app(app: FlaskExpress, client: FlaskClient) -> None:
    app.config["FX_ETAG"] = True

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        copy = pickle.loads(pickle.dumps(res))
        assert copy.app is app
        return copy.send("etagged")  # type: ignore[no-any-return]

    assert client.get("/").headers["ETag"].startswith('W/"')
