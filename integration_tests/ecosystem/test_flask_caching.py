"""Flask-Caching's ``@cache.cached()`` and ``@cache.memoize()`` with (req, res) views."""

from __future__ import annotations

import typing as t
from pathlib import Path

import flask
import pytest
from flask_caching import Cache

from flask_express import FlaskExpress


@pytest.fixture(params=["SimpleCache", "FileSystemCache"])
def cache_config(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, t.Any]:
    # Both pickle what they store: a cached (req, res) view stores its res.
    config: dict[str, t.Any] = {"CACHE_TYPE": request.param, "CACHE_DEFAULT_TIMEOUT": 300}
    if request.param == "FileSystemCache":
        config["CACHE_DIR"] = str(tmp_path / "cache")
    return config


class Item:
    """A view body that counts its calls and returns ``res``."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, req: t.Any, res: t.Any, n: int) -> t.Any:
        self.calls += 1
        return (
            res.send_status(203)
            .set("X-Calls", str(self.calls))
            .append("X-Many", ["a", "b"])
            .json(n=n, calls=self.calls, big="x" * 2000)
        )


class FinishingItem(Item):
    """The same, finishing ``res`` and returning nothing."""

    def __call__(self, req: t.Any, res: t.Any, n: int) -> None:
        super().__call__(req, res, n)


def answer(rv: t.Any) -> tuple[int, list[tuple[str, str]], bytes]:
    return rv.status_code, [(k, v) for k, v in rv.headers if k != "hit_cache"], rv.data


def test_cached_view_returning_res(
    shape: str, serve: t.Any, cache_config: dict[str, t.Any]
) -> None:
    app = FlaskExpress(__name__)
    cache = Cache(app, config=cache_config)
    view = Item()
    serve(
        app,
        "/items/<int:n>",
        view,
        shape,
        decorators=[cache.cached(response_hit_indication=True)],
    )
    client = app.test_client()

    first, second = client.get("/items/1"), client.get("/items/1")
    assert view.calls == 1
    assert answer(first) == answer(second)
    assert (first.status_code, first.json["calls"], first.headers["X-Calls"]) == (203, 1, "1")
    assert first.headers.getlist("X-Many") == ["a", "b"]
    assert "hit_cache" not in first.headers
    assert second.headers["hit_cache"] == "True"

    assert client.get("/items/2").json["n"] == 2  # another path, another key
    assert view.calls == 2
    cache.clear()
    assert client.get("/items/1").json["calls"] == 3


def test_cached_view_that_only_finishes_res(cache_config: dict[str, t.Any]) -> None:
    # Flask-Caching calls the view it wraps through current_app.ensure_sync,
    # which gives the finished res for the None the view returned: that res
    # is what it stores and serves.
    app = FlaskExpress(__name__)
    cache = Cache(app, config=cache_config)
    view = FinishingItem()
    app.add_url_rule("/items/<int:n>", "items", cache.cached()(view.__call__))
    client = app.test_client()

    answers = [client.get("/items/1") for _ in range(3)]
    assert view.calls == 1
    assert [rv.json["calls"] for rv in answers] == [1, 1, 1]
    assert [rv.status_code for rv in answers] == [203] * 3
    assert client.get("/items/2").json["calls"] == 2


def test_cache_none_has_no_none_to_store(cache_config: dict[str, t.Any]) -> None:
    # With cache_none=True a stored None would be a hit that finishes no res;
    # the view's finished res is stored instead, so that never happens.
    app = FlaskExpress(__name__)
    app.config["TESTING"] = True
    cache = Cache(app, config=cache_config)
    view = FinishingItem()
    app.add_url_rule("/items/<int:n>", "items", cache.cached(cache_none=True)(view.__call__))
    client = app.test_client()

    assert [client.get("/items/1").status_code for _ in range(2)] == [203, 203]
    assert view.calls == 1


def test_memoize_a_helper_of_req_res_views(
    shape: str, serve: t.Any, cache_config: dict[str, t.Any]
) -> None:
    app = FlaskExpress(__name__)
    cache = Cache(app, config=cache_config)
    computed: list[int] = []

    @cache.memoize()
    def square(n: int) -> int:
        computed.append(n)
        return n * n

    def body(req: t.Any, res: t.Any, n: int) -> None:
        res.json(square=square(n))

    serve(app, "/square/<int:n>", body, shape)
    client = app.test_client()

    assert [client.get(f"/square/{n}").json["square"] for n in (3, 3, 4, 3)] == [9, 9, 16, 9]
    assert computed == [3, 4]
    with app.app_context():
        cache.delete_memoized(square, 3)
    assert client.get("/square/3").json == {"square": 9}
    assert computed == [3, 4, 3]


def test_same_cached_answer_as_a_plain_flask_view(cache_config: dict[str, t.Any]) -> None:
    plain = flask.Flask(__name__)
    plain_cache = Cache(plain, config=cache_config)
    plain_calls: list[int] = []

    @plain.get("/items/<int:n>")
    @plain_cache.cached()
    def plain_item(n: int) -> t.Any:
        plain_calls.append(n)
        rv = flask.jsonify(n=n, calls=len(plain_calls), big="x" * 2000)
        rv.status_code = 203
        rv.headers["X-Calls"] = str(len(plain_calls))
        rv.headers.add("X-Many", "a")
        rv.headers.add("X-Many", "b")
        return rv

    express = FlaskExpress(__name__)
    # A folder of its own: the same path makes the same key.
    express_config = {**cache_config, "CACHE_DIR": f"{cache_config.get('CACHE_DIR')}-express"}
    express_cache = Cache(express, config=express_config)
    view = Item()
    express.add_url_rule("/items/<int:n>", "item", express_cache.cached()(view.__call__))

    plain_client, express_client = plain.test_client(), express.test_client()
    plain_answers = [answer(plain_client.get("/items/5")) for _ in range(2)]
    express_answers = [answer(express_client.get("/items/5")) for _ in range(2)]
    assert (len(plain_calls), view.calls) == (1, 1)

    def normalized(answers: list[t.Any]) -> list[t.Any]:
        # The two JSON providers lay the object out alike; only the header
        # order may differ.
        return [(status, sorted(headers), data) for status, headers, data in answers]

    assert normalized(plain_answers) == normalized(express_answers)
