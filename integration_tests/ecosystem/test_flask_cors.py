"""Flask-CORS: ``CORS(app)`` and ``@cross_origin()`` on (req, res) views."""

from __future__ import annotations

import gc
import typing as t

import flask
import pytest
from flask_cors import CORS, cross_origin

from flask_express import FlaskExpress

ORIGIN = "https://app.example"
#: Two origins: Flask-CORS then answers with the one asked for, and Vary: Origin.
ORIGINS = [ORIGIN, "https://admin.example"]
PREFLIGHT = {
    "Origin": ORIGIN,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "Content-Type, X-Token",
}


def finishes_res(req: t.Any, res: t.Any) -> None:
    # Returns nothing: @cross_origin passes None to make_response, which
    # answered 500 before FlaskExpress.make_response knew a finished res.
    res.set("X-View", "ran").json(method=req.method)


def returns_res(req: t.Any, res: t.Any) -> t.Any:
    return res.send_status(201).json(method=req.method)


def test_cors_app_wide(shape: str, serve: t.Any) -> None:
    app = FlaskExpress(__name__)
    CORS(app, origins=ORIGINS, expose_headers=["X-View"])
    serve(app, "/api", finishes_res, shape, methods=["GET", "POST"])
    client = app.test_client()

    rv = client.post("/api", headers={"Origin": ORIGIN})
    assert (rv.status_code, rv.json) == (200, {"method": "POST"})
    assert rv.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert rv.headers["Access-Control-Expose-Headers"] == "X-View"
    assert rv.headers["X-View"] == "ran"
    assert "Origin" in rv.headers["Vary"]

    rv = client.options("/api", headers=PREFLIGHT)
    assert rv.status_code == 200
    assert rv.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert set(rv.headers["Access-Control-Allow-Methods"].split(", ")) >= {"GET", "POST"}
    assert rv.headers["Access-Control-Allow-Headers"].lower() == "content-type, x-token"
    assert "X-View" not in rv.headers  # the view does not run for a preflight

    rv = client.get("/api", headers={"Origin": "https://evil.example"})
    assert rv.status_code == 200
    assert "Access-Control-Allow-Origin" not in rv.headers


@pytest.mark.parametrize("shape", ["function", "blueprint"])
@pytest.mark.parametrize("body", [finishes_res, returns_res])
def test_cross_origin_decorator_on_functions(shape: str, body: t.Any, serve: t.Any) -> None:
    app = FlaskExpress(__name__)
    serve(
        app,
        "/api",
        body,
        shape,
        methods=["GET", "POST"],
        decorators=[cross_origin(origins=[ORIGIN], methods=["GET", "POST"])],
    )
    client = app.test_client()

    rv = client.post("/api", headers={"Origin": ORIGIN})
    assert rv.status_code == (200 if body is finishes_res else 201)
    assert rv.json == {"method": "POST"}
    assert rv.headers["Access-Control-Allow-Origin"] == ORIGIN

    rv = client.options("/api", headers=PREFLIGHT)
    assert rv.status_code == 200
    assert rv.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert rv.headers["Access-Control-Allow-Methods"] == "GET, POST"

    rv = client.get("/api", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in rv.headers


@pytest.mark.parametrize("body", [finishes_res, returns_res])
def test_cross_origin_on_a_method_view_handler(body: t.Any, serve: t.Any) -> None:
    app = FlaskExpress(__name__)
    serve(app, "/api", body, "method_view", methods=["GET", "POST"], decorators=[cross_origin()])
    client = app.test_client()

    rv = client.post("/api", headers={"Origin": ORIGIN})
    assert rv.json == {"method": "POST"}
    assert rv.headers["Access-Control-Allow-Origin"] == ORIGIN
    # MethodView answers OPTIONS itself (as_view() sets provide_automatic_options
    # after the decorators), so a preflight has no CORS headers, as on plain
    # Flask: use CORS(app) for preflights of class-based views.
    rv = client.options("/api", headers=PREFLIGHT)
    assert rv.status_code == 200
    assert "Access-Control-Allow-Origin" not in rv.headers


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("app_class", [flask.Flask, FlaskExpress])
def test_cross_origin_cannot_wrap_an_async_view(app_class: type[flask.Flask]) -> None:
    # @cross_origin calls the view directly, not through app.ensure_sync: an
    # async view gives it a coroutine, on plain Flask as on FlaskExpress.
    # CORS(app) has no such limit (test_cors_app_wide).
    app = app_class(__name__)
    app.config["TESTING"] = True

    @app.get("/api")
    @cross_origin()
    async def api(*args: t.Any) -> t.Any:
        return "never sent"

    with pytest.raises(TypeError, match="but it was a coroutine") as excinfo:
        app.test_client().get("/api", headers={"Origin": ORIGIN})
    # The never-awaited coroutine warns when collected: here, under this
    # test's filters, not in whichever test runs next.
    del excinfo
    gc.collect()


def test_same_headers_as_a_plain_flask_view() -> None:
    plain = flask.Flask(__name__)

    @plain.route("/api", methods=["GET", "POST"])
    @cross_origin(origins=[ORIGIN], supports_credentials=True)
    def plain_api() -> t.Any:
        return {"method": flask.request.method}

    express = FlaskExpress(__name__)
    express.add_url_rule(
        "/api",
        "api",
        cross_origin(origins=[ORIGIN], supports_credentials=True)(finishes_res),
        methods=["GET", "POST"],
    )

    def cors_headers(rv: t.Any) -> dict[str, str]:
        return {k: v for k, v in rv.headers.items() if k.startswith("Access-Control-")}

    answers = []
    for app in (plain, express):
        client = app.test_client()
        post = client.post("/api", headers={"Origin": ORIGIN})
        preflight = client.options("/api", headers=PREFLIGHT)
        # Flask lists a rule's methods from a set: compare them as a set.
        methods = set(preflight.headers["Access-Control-Allow-Methods"].split(", "))
        answers.append((post.status_code, post.json, cors_headers(post), methods))
    assert answers[0] == answers[1]
    assert answers[0][2]["Access-Control-Allow-Credentials"] == "true"
    assert answers[0][3] >= {"GET", "POST"}
