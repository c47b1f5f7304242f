"""``res.render`` with the optional Express-style ETags (``FX_ETAG``).

The rules live in fx-core (``Response._conditional_etag``); these tests check
that ``render`` applies them, through real requests to real views.
"""

from __future__ import annotations

import hashlib
import typing as t

import pytest
from flask.testing import FlaskClient

from fx_core import FlaskExpress, Request, ResponseAlreadySent
from fx_render import RenderMixin

HTML = "text/html; charset=utf-8"

Render = t.Callable[[RenderMixin], RenderMixin]

RENDERS: dict[str, tuple[Render, bytes]] = {
    "file": (lambda res: res.render("hello.html", name="Ada"), b"<h1>Hello Ada</h1>"),
    "string": (lambda res: res.render("<b>{{ n }}</b>", n=7), b"<b>7</b>"),
}


def weak_etag(body: bytes) -> str:
    return f'W/"{hashlib.sha1(body).hexdigest()}"'


@pytest.fixture
def etag_app(app: FlaskExpress) -> FlaskExpress:
    app.config["FX_ETAG"] = True
    return app


@pytest.mark.parametrize("kind", list(RENDERS))
def test_render_adds_no_etag_by_default(app: FlaskExpress, client: FlaskClient, kind: str) -> None:
    render, body = RENDERS[kind]

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return render(res)

    rv = client.get("/", headers={"If-None-Match": "*"})
    assert rv.status_code == 200
    assert rv.data == body
    assert "ETag" not in rv.headers


@pytest.mark.parametrize("kind", list(RENDERS))
def test_render_adds_a_weak_etag_of_the_page(
    etag_app: FlaskExpress, client: FlaskClient, kind: str
) -> None:
    render, body = RENDERS[kind]

    @etag_app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return render(res)

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == body
    assert rv.headers["Content-Type"] == HTML
    assert rv.headers.getlist("ETag") == [weak_etag(body)]


@pytest.mark.parametrize("kind", list(RENDERS))
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_render_answers_a_matching_if_none_match_with_304(
    etag_app: FlaskExpress, client: FlaskClient, kind: str, method: str
) -> None:
    render, body = RENDERS[kind]

    @etag_app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        res.set("X-Kept", "1")
        return render(res)

    etag = weak_etag(body)
    rv = client.open("/", method=method, headers={"If-None-Match": etag})
    assert rv.status_code == 304
    assert rv.data == b""
    assert rv.headers["ETag"] == etag
    assert rv.headers["X-Kept"] == "1"
    assert "Content-Type" not in rv.headers


def test_render_mismatch_gets_the_page(etag_app: FlaskExpress, client: FlaskClient) -> None:
    @etag_app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("hello.html", name=req.query.get("name", "Ada"))

    old = weak_etag(b"<h1>Hello Ada</h1>")
    rv = client.get("/?name=Bob", headers={"If-None-Match": old})
    assert rv.status_code == 200
    assert rv.data == b"<h1>Hello Bob</h1>"
    assert rv.headers["ETag"] == weak_etag(b"<h1>Hello Bob</h1>")


def test_render_on_post_never_gets_304(etag_app: FlaskExpress, client: FlaskClient) -> None:
    @etag_app.post("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("hello.html", name="Ada")

    etag = weak_etag(b"<h1>Hello Ada</h1>")
    rv = client.post("/", headers={"If-None-Match": etag})
    assert rv.status_code == 200
    assert rv.data == b"<h1>Hello Ada</h1>"
    assert rv.headers["ETag"] == etag


def test_render_on_an_error_status_never_gets_304(
    etag_app: FlaskExpress, client: FlaskClient
) -> None:
    @etag_app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.send_status(404).render("<p>gone</p>")

    rv = client.get("/", headers={"If-None-Match": "*"})
    assert rv.status_code == 404
    assert rv.data == b"<p>gone</p>"


def test_render_keeps_an_etag_the_view_set(etag_app: FlaskExpress, client: FlaskClient) -> None:
    @etag_app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.set("ETag", '"page-v3"').render("hello.html", name="Ada")

    rv = client.get("/")
    assert rv.headers.getlist("ETag") == ['"page-v3"']
    rv = client.get("/", headers={"If-None-Match": 'W/"page-v3"'})
    assert rv.status_code == 304
    assert rv.data == b""


def test_render_304_finishes_res(etag_app: FlaskExpress, client: FlaskClient) -> None:
    @etag_app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        res.render("<p>x</p>")
        return res.render("<p>again</p>")

    with pytest.raises(ResponseAlreadySent, match=r"res\.render\(\) already"):
        client.get("/", headers={"If-None-Match": weak_etag(b"<p>x</p>")})
