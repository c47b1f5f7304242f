"""Flask-Limiter's default limits and ``@limiter.limit`` on (req, res) views."""

from __future__ import annotations

import typing as t

import flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from flask_express import FlaskExpress


def make_app(**options: t.Any) -> tuple[FlaskExpress, Limiter]:
    app = FlaskExpress(__name__)
    # memory:// named explicitly: the in-memory default warns otherwise. Hours,
    # not seconds, so that no window ends while a test runs.
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", **options)
    return app, limiter


class Counter:
    """A view body that counts its calls: a 429 must not run the view."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, req: t.Any, res: t.Any) -> None:
        self.calls += 1
        res.json(calls=self.calls)


def statuses(client: t.Any, path: str, n: int) -> list[int]:
    return [client.get(path).status_code for _ in range(n)]


def test_decorator_limit_with_headers(shape: str, serve: t.Any) -> None:
    app, limiter = make_app(headers_enabled=True)
    view = Counter()
    serve(app, "/limited", view, shape, decorators=[limiter.limit("2 per hour")])
    client = app.test_client()

    first, second, third = (client.get("/limited") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert (first.json, second.json) == ({"calls": 1}, {"calls": 2})
    assert view.calls == 2
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert (first.headers["X-RateLimit-Remaining"], second.headers["X-RateLimit-Remaining"]) == (
        "1",
        "0",
    )
    assert int(third.headers["Retry-After"]) > 3500
    assert third.headers["X-RateLimit-Remaining"] == "0"
    assert "2 per 1 hour" in third.text


def test_default_limits(shape: str, serve: t.Any) -> None:
    app, _ = make_app(default_limits=["3 per hour"])
    view = Counter()
    serve(app, "/default", view, shape)
    client = app.test_client()

    assert statuses(client, "/default", 5) == [200, 200, 200, 429, 429]
    assert view.calls == 3
    assert "X-RateLimit-Limit" not in client.get("/default").headers  # headers not enabled


def test_exempt_view_and_the_decorator_winning_over_defaults(shape: str, serve: t.Any) -> None:
    app, limiter = make_app(default_limits=["1 per hour"])
    if "method_view" in shape:
        # Flask-Limiter exempts by the name of the function Flask routes to:
        # for a MethodView, the one as_view() makes (as on plain Flask).
        serve(app, "/free", Counter(), shape, class_decorators=[limiter.exempt])
    else:
        serve(app, "/free", Counter(), shape, decorators=[limiter.exempt])
    client = app.test_client()
    assert statuses(client, "/free", 4) == [200] * 4

    app, limiter = make_app(default_limits=["1 per hour"])
    serve(app, "/three", Counter(), shape, decorators=[limiter.limit("3 per hour")])
    client = app.test_client()
    assert statuses(client, "/three", 4) == [200, 200, 200, 429]


def test_limits_count_per_view() -> None:
    app, limiter = make_app(headers_enabled=True)

    @app.get("/a")
    @limiter.limit("1 per hour")
    def a(req: t.Any, res: t.Any) -> t.Any:
        return res.send("a")

    @app.get("/b")
    @limiter.limit("1 per hour")
    async def b(req: t.Any, res: t.Any) -> None:
        res.send("b")

    client = app.test_client()
    assert [client.get(p).status_code for p in ("/a", "/b", "/a", "/b")] == [200, 200, 429, 429]


def test_same_answers_as_a_plain_flask_view() -> None:
    plain = flask.Flask(__name__)
    plain_limiter = Limiter(
        get_remote_address, app=plain, storage_uri="memory://", headers_enabled=True
    )

    @plain.get("/limited")
    @plain_limiter.limit("2 per hour")
    def limited() -> t.Any:
        return {"ok": True}

    express, limiter = make_app(headers_enabled=True)

    @express.get("/limited")
    @limiter.limit("2 per hour")
    def express_limited(req: t.Any, res: t.Any) -> None:
        res.json(ok=True)

    seen = []
    for app in (plain, express):
        client = app.test_client()
        answers = [client.get("/limited") for _ in range(3)]
        seen.append(
            [
                (
                    rv.status_code,
                    rv.headers["X-RateLimit-Limit"],
                    rv.headers["X-RateLimit-Remaining"],
                    "Retry-After" in rv.headers,
                    rv.mimetype,
                )
                for rv in answers
            ]
        )
    assert seen[0] == seen[1]
    assert [status for status, *_ in seen[1]] == [200, 200, 429]
