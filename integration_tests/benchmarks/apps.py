"""The benchmark's endpoints, each written the natural way in each style, and
what every response must be.

Two styles serve the same paths:

- ``flask``: plain Flask 3 (``jsonify``, ``make_response``, ``set_cookie``,
  ``render_template_string``, ``render_template``, ``send_file``,
  ``send_from_directory``, ``redirect``, ``before_request``, ``async def``);
- ``fx``: Flask-Express (:class:`flask_express.FlaskExpress`): ``res.json``,
  ``res.send``, ``res.set().end()``, ``res.cookie``, ``res.render``,
  ``res.send_file``, ``res.attachment``, ``res.redirect``,
  ``res.send_status(404).send``, ``app.use``, ``async def``.

The middleware endpoints live in apps of their own in each style (groups
``middleware`` and ``async_middleware``): ``app.use`` and ``before_request``
run for every request of their app, and the other endpoints must not pay for
them.

An async endpoint names its *sync twin* (:attr:`Endpoint.sync_twin`): the
endpoint whose view does the same work without ``async def``, so Mode A can
report what ``async def`` costs in each style (plain Flask runs every
coroutine on a new event loop in a new thread; Flask-Express on one loop per
worker thread).

The app factories take no arguments, so gunicorn can serve them as
``benchmarks.apps:make_flask_app()``. Mode C's 1 GiB file is named by the
environment variable :data:`BIG_FILE_ENV`, read when the app is built.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import typing as t
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import flask
from flask import (
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    render_template_string,
    send_file,
    send_from_directory,
)
from werkzeug.wrappers import Response as WerkzeugResponse

from flask_express import FlaskExpress, Request, Response

__all__ = [
    "ASYNC_TARGET",
    "BIG_FILE_ENV",
    "ENDPOINTS",
    "GROUPS",
    "STYLES",
    "Endpoint",
    "Expect",
    "check",
    "endpoint",
    "factory",
    "factory_spec",
    "make_flask_app",
    "make_flask_async_middleware_app",
    "make_flask_middleware_app",
    "make_fx_app",
    "make_fx_async_middleware_app",
    "make_fx_middleware_app",
]

HERE = Path(__file__).resolve().parent
#: The apps' root_path: templates/ and files/ live here.
DATA = HERE / "data"
#: The folder of the 4 kB file; also both apps' ``ATTACHMENTS_FOLDER``.
FILES = DATA / "files"
SMALL_FILE_NAME = "report.txt"
SMALL_FILE = FILES / SMALL_FILE_NAME
#: The environment variable that names Mode C's big file (``/big``).
BIG_FILE_ENV = "FX_BENCH_BIG_FILE"

#: The two styles, in the order every report shows them.
STYLES = ("flask", "fx")
#: App groups: each style has one app per group.
GROUPS = ("main", "middleware", "async_middleware")

# -- payloads ----------------------------------------------------------------

#: json_small: a 5-key dict.
SMALL: dict[str, t.Any] = {
    "id": 42,
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "active": True,
    "roles": ["admin", "editor"],
}


def _big_payload() -> dict[str, t.Any]:
    """About 100 kB of nested JSON: orders with customers, lines and tags."""
    orders = []
    for i in range(180):
        orders.append(
            {
                "id": 10_000 + i,
                "status": ("paid", "shipped", "open")[i % 3],
                "customer": {
                    "id": 500 + i % 37,
                    "name": f"Customer {i % 37}",
                    "address": {"city": ("Paris", "Lyon", "Nantes")[i % 3], "zip": f"{75000 + i}"},
                },
                "lines": [
                    {"sku": f"SKU-{i:03d}-{j}", "qty": 1 + (i + j) % 4, "price": round(9.99 + j, 2)}
                    for j in range(3)
                ],
                "tags": ["priority"] if i % 5 == 0 else [],
                "total": round(29.97 + 3 * (i % 4), 2),
            }
        )
    return {"page": 1, "per_page": len(orders), "orders": orders}


#: json_big: about 100 kB once serialized.
BIG = _big_payload()
#: render_file: the 20 items the template loops over.
ITEMS = [{"id": i, "name": f"Item {i}", "price": i * 1.25} for i in range(1, 21)]
#: render_raw: a template string.
RAW_TEMPLATE = "<p>Hello {{ name }}!</p>"


# -- plain Flask -------------------------------------------------------------


def make_flask_app() -> Flask:
    """Plain Flask 3: every endpoint but the middleware chain."""
    app = Flask(__name__, root_path=str(DATA), template_folder="templates")
    app.config["ATTACHMENTS_FOLDER"] = str(FILES)
    app.config["BENCH_BIG_FILE"] = os.environ.get(BIG_FILE_ENV)

    @app.get("/json/small")
    def json_small() -> flask.Response:
        return jsonify(SMALL)

    @app.get("/json/big")
    def json_big() -> flask.Response:
        return jsonify(BIG)

    @app.get("/text")
    def text() -> str:
        return "Hello, World!"

    @app.get("/headers")
    def headers() -> flask.Response:
        resp = make_response("")
        resp.headers["X-Request-Id"] = "bench-42"
        resp.headers["Cache-Control"] = "no-store"
        resp.headers["X-Frame-Options"] = "DENY"
        return resp

    @app.get("/cookie")
    def cookie() -> flask.Response:
        resp = make_response("ok")
        resp.set_cookie("theme", "dark")
        resp.set_cookie("sid", "s3cr3t", max_age=3600, httponly=True, samesite="Lax")
        return resp

    @app.get("/render/raw")
    def render_raw() -> str:
        return render_template_string(RAW_TEMPLATE, name="Ada")

    @app.get("/render/file")
    def render_file() -> str:
        return render_template("items.html", title="Inventory", items=ITEMS)

    @app.get("/file/small")
    def send_file_small() -> flask.Response:
        return send_file(SMALL_FILE)

    @app.get("/attachment/<path:name>")
    def attachment(name: str) -> flask.Response:
        return send_from_directory(
            current_app.config["ATTACHMENTS_FOLDER"], name, as_attachment=True
        )

    @app.get("/redirect")
    def to_target() -> WerkzeugResponse:
        return redirect("/target")

    @app.get("/missing")
    def status_404_body() -> tuple[str, int]:
        return "Not here", 404

    @app.get("/async")
    async def async_view() -> flask.Response:
        await asyncio.sleep(0)
        return jsonify(SMALL)

    @app.get("/async/bare")
    async def async_bare() -> flask.Response:
        return jsonify(SMALL)

    @app.get("/big")
    def big() -> flask.Response:
        path = current_app.config["BENCH_BIG_FILE"]
        if not path:
            abort(404)
        return send_file(path)

    return app


def make_flask_middleware_app() -> Flask:
    """Plain Flask 3: three ``before_request`` functions, then ``jsonify``."""
    app = Flask(__name__, root_path=str(DATA))

    @app.before_request
    def request_id() -> None:
        g.request_id = flask.request.headers.get("X-Request-Id", "none")

    @app.before_request
    def user() -> None:
        g.user = "ada"

    @app.before_request
    def locale() -> None:
        g.locale = "en"

    @app.get("/middleware")
    def middleware_chain() -> flask.Response:
        return jsonify({"request_id": g.request_id, "user": g.user, "locale": g.locale})

    return app


def make_flask_async_middleware_app() -> Flask:
    """Plain Flask 3: three ``async def`` ``before_request`` functions, then
    the sync view of :func:`make_flask_middleware_app`."""
    app = Flask(__name__, root_path=str(DATA))

    @app.before_request
    async def request_id() -> None:
        g.request_id = flask.request.headers.get("X-Request-Id", "none")

    @app.before_request
    async def user() -> None:
        g.user = "ada"

    @app.before_request
    async def locale() -> None:
        g.locale = "en"

    @app.get("/middleware/async")
    def middleware_async() -> flask.Response:
        return jsonify({"request_id": g.request_id, "user": g.user, "locale": g.locale})

    return app


# -- Flask-Express -----------------------------------------------------------


def make_fx_app() -> FlaskExpress:
    """Flask-Express: every endpoint but the middleware chain."""
    app = FlaskExpress(__name__, root_path=str(DATA), template_folder="templates")
    app.config["ATTACHMENTS_FOLDER"] = str(FILES)
    app.config["BENCH_BIG_FILE"] = os.environ.get(BIG_FILE_ENV)

    @app.get("/json/small")
    def json_small(req: Request, res: Response) -> Response:
        return res.json(SMALL)

    @app.get("/json/big")
    def json_big(req: Request, res: Response) -> Response:
        return res.json(BIG)

    @app.get("/text")
    def text(req: Request, res: Response) -> Response:
        return res.send("Hello, World!")

    @app.get("/headers")
    def headers(req: Request, res: Response) -> Response:
        res.set("X-Request-Id", "bench-42")
        res.set("Cache-Control", "no-store")
        res.set("X-Frame-Options", "DENY")
        return res.end()

    @app.get("/cookie")
    def cookie(req: Request, res: Response) -> Response:
        res.cookie("theme", "dark")
        res.cookie("sid", "s3cr3t", max_age=3600, httponly=True, samesite="Lax")
        return res.send("ok")

    @app.get("/render/raw")
    def render_raw(req: Request, res: Response) -> Response:
        return res.render(RAW_TEMPLATE, name="Ada")

    @app.get("/render/file")
    def render_file(req: Request, res: Response) -> Response:
        return res.render("items.html", title="Inventory", items=ITEMS)

    @app.get("/file/small")
    def send_file_small(req: Request, res: Response) -> Response:
        return res.send_file(SMALL_FILE)

    @app.get("/attachment/<path:name>")
    def attachment(req: Request, res: Response, name: str) -> Response:
        return res.attachment(name)

    @app.get("/redirect")
    def to_target(req: Request, res: Response) -> Response:
        return res.redirect("/target")

    @app.get("/missing")
    def status_404_body(req: Request, res: Response) -> Response:
        return res.send_status(404).send("Not here")

    @app.get("/async")
    async def async_view(req: Request, res: Response) -> Response:
        await asyncio.sleep(0)
        return res.json(SMALL)

    @app.get("/async/bare")
    async def async_bare(req: Request, res: Response) -> Response:
        return res.json(SMALL)

    @app.get("/big")
    def big(req: Request, res: Response) -> Response:
        path = current_app.config["BENCH_BIG_FILE"]
        if not path:
            return res.end(404)
        return res.send_file(path)

    return app


def make_fx_middleware_app() -> FlaskExpress:
    """Flask-Express: three ``app.use`` middleware, then ``res.json``."""
    app = FlaskExpress(__name__, root_path=str(DATA))

    def request_id(req: Request, res: Response, next: Callable[[], None]) -> None:
        req.request_id = req.headers.get("X-Request-Id", "none")  # type: ignore[attr-defined]
        next()

    def user(req: Request, res: Response, next: Callable[[], None]) -> None:
        req.user = "ada"  # type: ignore[attr-defined]
        next()

    def locale(req: Request, res: Response, next: Callable[[], None]) -> None:
        req.locale = "en"  # type: ignore[attr-defined]
        next()

    app.use(request_id, user, locale)

    @app.get("/middleware")
    def middleware_chain(req: t.Any, res: Response) -> Response:
        return res.json({"request_id": req.request_id, "user": req.user, "locale": req.locale})

    return app


def make_fx_async_middleware_app() -> FlaskExpress:
    """Flask-Express: three ``async def`` ``app.use`` middleware that await
    ``next()``, then the sync view of :func:`make_fx_middleware_app`."""
    app = FlaskExpress(__name__, root_path=str(DATA))

    async def request_id(req: Request, res: Response, next: Callable[[], Awaitable[None]]) -> None:
        req.request_id = req.headers.get("X-Request-Id", "none")  # type: ignore[attr-defined]
        await next()

    async def user(req: Request, res: Response, next: Callable[[], Awaitable[None]]) -> None:
        req.user = "ada"  # type: ignore[attr-defined]
        await next()

    async def locale(req: Request, res: Response, next: Callable[[], Awaitable[None]]) -> None:
        req.locale = "en"  # type: ignore[attr-defined]
        await next()

    app.use(request_id, user, locale)

    @app.get("/middleware/async")
    def middleware_async(req: t.Any, res: Response) -> Response:
        return res.json({"request_id": req.request_id, "user": req.user, "locale": req.locale})

    return app


_FACTORIES: dict[tuple[str, str], Callable[[], Flask]] = {
    ("flask", "main"): make_flask_app,
    ("flask", "middleware"): make_flask_middleware_app,
    ("fx", "main"): make_fx_app,
    ("fx", "middleware"): make_fx_middleware_app,
    ("flask", "async_middleware"): make_flask_async_middleware_app,
    ("fx", "async_middleware"): make_fx_async_middleware_app,
}


def factory(style: str, group: str) -> Callable[[], Flask]:
    """The app factory of ``style`` (``flask`` or ``fx``) for ``group``."""
    return _FACTORIES[style, group]


def factory_spec(style: str, group: str) -> str:
    """The app for gunicorn's command line, e.g. ``benchmarks.apps:make_fx_app()``."""
    return f"{__name__}:{_FACTORIES[style, group].__name__}()"


# -- what each response must be ----------------------------------------------

Body = bytes | re.Pattern[bytes]


@dataclass(frozen=True)
class Expect:
    """What a response must be: checked on every app before anything is timed.

    :param status: the status code.
    :param headers: ``(name, regex)`` pairs: one value of that header must
        match the regex in full.
    :param body: the exact body, or a regex the whole body must match.
    :param fx_body: the body for the Flask-Express style where the two
        styles legitimately send different bytes (``None``: same as ``body``).
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    body: Body
    fx_body: Body | None = None


@dataclass(frozen=True)
class Endpoint:
    """One benchmarked endpoint, served at the same path by both styles."""

    name: str
    path: str
    expect: Expect
    #: Which app of each style serves it (see :data:`GROUPS`).
    group: str = "main"
    #: Request headers the client sends.
    request_headers: tuple[tuple[str, str], ...] = ()
    #: How the two styles write it, for the report.
    styles: tuple[str, str] = ("", "")
    #: What legitimately differs between the two styles' responses.
    differences: tuple[str, ...] = field(default=())
    #: For an async endpoint, the sync endpoint whose view does the same
    #: work: Mode A times both in the same run to report what ``async def``
    #: costs in each style.
    sync_twin: str | None = None
    #: The most ``async def`` may cost against :attr:`sync_twin` in
    #: Flask-Express (``None``: reported, no target).
    async_target: float | None = None

    @property
    def is_async(self) -> bool:
        return self.sync_twin is not None


def _json(obj: object) -> bytes:
    """What Flask's default JSON provider writes: sorted keys, compact, a newline."""
    return (json.dumps(obj, sort_keys=True, separators=(",", ":")) + "\n").encode()


def _exact(value: str) -> str:
    return re.escape(value)


def _json_headers(body: bytes) -> tuple[tuple[str, str], ...]:
    return (
        ("Content-Type", _exact("application/json")),
        ("Content-Length", _exact(str(len(body)))),
    )


def _rendered_items() -> bytes:
    lines = "".join(
        f'\n  <li id="item-{i["id"]}">{i["name"]}: {i["price"]:.2f}</li>' for i in ITEMS
    )
    return f"<!doctype html>\n<title>Inventory</title>\n<ul>{lines}\n</ul>".encode()


_HTML = ("Content-Type", _exact("text/html; charset=utf-8"))
_SMALL_JSON = _json(SMALL)
_BIG_JSON = _json(BIG)
_MIDDLEWARE_JSON = _json({"request_id": "bench-7", "user": "ada", "locale": "en"})
_FILE_BYTES = SMALL_FILE.read_bytes()
_FILE_HEADERS = (
    ("Content-Type", _exact("text/plain; charset=utf-8")),
    ("Content-Length", _exact(str(len(_FILE_BYTES)))),
    ("ETag", r'"[^"]+"'),
)
_REDIRECT_BODY = re.compile(
    rb"<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n"
    rb'<h1>Redirecting...</h1>\n<p>[^<]*<a href="/target">/target</a>[^\n]*\n',
)

#: The most an ``async def`` view that awaits nothing, or a chain of async
#: middleware, may cost in Flask-Express against the same sync code.
ASYNC_TARGET = 1.25

#: Every endpoint, in report order; an async endpoint comes after its sync
#: twin, so Mode A times the two close together in each round.
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "json_small",
        "/json/small",
        Expect(200, _json_headers(_SMALL_JSON), _SMALL_JSON),
        styles=("jsonify(SMALL)", "res.json(SMALL)"),
    ),
    Endpoint(
        "json_big",
        "/json/big",
        Expect(200, _json_headers(_BIG_JSON), _BIG_JSON),
        styles=("jsonify(BIG)", "res.json(BIG)"),
    ),
    Endpoint(
        "text",
        "/text",
        Expect(200, (_HTML, ("Content-Length", "13")), b"Hello, World!"),
        styles=('return "Hello, World!"', 'res.send("Hello, World!")'),
    ),
    Endpoint(
        "headers",
        "/headers",
        Expect(
            200,
            (
                ("X-Request-Id", _exact("bench-42")),
                ("Cache-Control", _exact("no-store")),
                ("X-Frame-Options", _exact("DENY")),
                ("Content-Length", "0"),
            ),
            b"",
        ),
        styles=(
            'make_response(""), three resp.headers[...] = ...',
            "three res.set(...), res.end()",
        ),
        differences=(
            "Flask's make_response adds its default `Content-Type: text/html; charset=utf-8`;"
            " `res.end()` sends no Content-Type for the empty body.",
        ),
    ),
    Endpoint(
        "cookie",
        "/cookie",
        Expect(
            200,
            (
                _HTML,
                ("Set-Cookie", _exact("theme=dark; Path=/")),
                (
                    "Set-Cookie",
                    r"sid=s3cr3t; Expires=[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} "
                    r"\d\d:\d\d:\d\d GMT; Max-Age=3600; HttpOnly; Path=/; SameSite=Lax",
                ),
            ),
            b"ok",
        ),
        styles=(
            'make_response("ok"), two resp.set_cookie(...)',
            'two res.cookie(...), res.send("ok")',
        ),
    ),
    Endpoint(
        "render_raw",
        "/render/raw",
        Expect(200, (_HTML,), b"<p>Hello Ada!</p>"),
        styles=("render_template_string(RAW, name=...)", "res.render(RAW, name=...)"),
    ),
    Endpoint(
        "render_file",
        "/render/file",
        Expect(200, (_HTML,), _rendered_items()),
        styles=(
            'render_template("items.html", ...)',
            'res.render("items.html", ...)',
        ),
    ),
    Endpoint(
        "send_file_small",
        "/file/small",
        Expect(200, _FILE_HEADERS, _FILE_BYTES),
        styles=("send_file(PATH)", "res.send_file(PATH)"),
    ),
    Endpoint(
        "attachment",
        f"/attachment/{SMALL_FILE_NAME}",
        Expect(
            200,
            (*_FILE_HEADERS, ("Content-Disposition", _exact("attachment; filename=report.txt"))),
            _FILE_BYTES,
        ),
        styles=(
            'send_from_directory(config["ATTACHMENTS_FOLDER"], name, as_attachment=True)',
            "res.attachment(name)",
        ),
    ),
    Endpoint(
        "redirect",
        "/redirect",
        Expect(302, (("Location", _exact("/target")), _HTML), _REDIRECT_BODY),
        styles=('redirect("/target")', 'res.redirect("/target")'),
        differences=(
            "The HTML body's sentence differs (Werkzeug: 'You should be redirected"
            " automatically to the target URL: ...'; Flask-Express: 'Redirecting to ...').",
        ),
    ),
    Endpoint(
        "status_404_body",
        "/missing",
        Expect(404, (_HTML,), b"Not here"),
        styles=('return "Not here", 404', 'res.send_status(404).send("Not here")'),
    ),
    Endpoint(
        "middleware_chain",
        "/middleware",
        Expect(200, _json_headers(_MIDDLEWARE_JSON), _MIDDLEWARE_JSON),
        group="middleware",
        request_headers=(("X-Request-Id", "bench-7"),),
        styles=(
            "three @app.before_request (setting g), jsonify",
            "three app.use middleware (setting req attributes), res.json",
        ),
    ),
    Endpoint(
        "async_bare",
        "/async/bare",
        Expect(200, _json_headers(_SMALL_JSON), _SMALL_JSON),
        styles=("async def, jsonify(SMALL)", "async def, res.json(SMALL)"),
        sync_twin="json_small",
        async_target=ASYNC_TARGET,
    ),
    Endpoint(
        "async",
        "/async",
        Expect(200, _json_headers(_SMALL_JSON), _SMALL_JSON),
        styles=(
            "async def, await asyncio.sleep(0), jsonify(SMALL)",
            "async def, await asyncio.sleep(0), res.json(SMALL)",
        ),
        sync_twin="json_small",
    ),
    Endpoint(
        "middleware_async",
        "/middleware/async",
        Expect(200, _json_headers(_MIDDLEWARE_JSON), _MIDDLEWARE_JSON),
        group="async_middleware",
        request_headers=(("X-Request-Id", "bench-7"),),
        styles=(
            "three async def @app.before_request (setting g), jsonify",
            "three async def app.use middleware (await next()), res.json",
        ),
        sync_twin="middleware_chain",
        async_target=ASYNC_TARGET,
    ),
)

_BY_NAME = {ep.name: ep for ep in ENDPOINTS}


def endpoint(name: str) -> Endpoint:
    """The endpoint called ``name``; :exc:`KeyError` listing the names otherwise."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no endpoint {name!r}; choose from {', '.join(_BY_NAME)}") from None


def check(
    ep: Endpoint,
    style: str,
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes,
) -> list[str]:
    """Return what is wrong with a response of ``ep`` from the ``style`` app
    (an empty list when it is what :attr:`Endpoint.expect` says)."""
    expect = ep.expect
    problems = []
    if status != expect.status:
        problems.append(f"status {status}, expected {expect.status}")
    values: dict[str, list[str]] = {}
    for name, value in headers:
        values.setdefault(name.lower(), []).append(value)
    for name, pattern in expect.headers:
        got = values.get(name.lower(), [])
        if not any(re.fullmatch(pattern, value) for value in got):
            problems.append(f"header {name}: {got!r} does not match {pattern!r}")
    wanted = expect.fx_body if style == "fx" and expect.fx_body is not None else expect.body
    if isinstance(wanted, bytes):
        if body != wanted:
            problems.append(f"body {body[:80]!r}... ({len(body)} bytes), expected {wanted[:80]!r}")
    elif wanted.fullmatch(body) is None:
        problems.append(f"body {body[:120]!r} does not match {wanted.pattern[:80]!r}")
    return [f"{ep.name} ({style}): {problem}" for problem in problems]
