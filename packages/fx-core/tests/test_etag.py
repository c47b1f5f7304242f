"""Optional Express-style ETags (``FX_ETAG``) for ``send``, ``json`` and ``jsonp``.

Every test makes a real request through Flask's test client to a real view.
"""

from __future__ import annotations

import hashlib
import typing as t

import pytest
from flask.testing import FlaskClient

from fx_core import FlaskExpress, Request, Response, ResponseAlreadySent

if t.TYPE_CHECKING:
    from werkzeug.test import TestResponse

Call = t.Callable[[Response], t.Any]

LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"


def weak_etag(body: bytes) -> str:
    return f'W/"{hashlib.sha1(body).hexdigest()}"'


def assert_not_modified(rv: TestResponse, etag: str) -> None:
    assert rv.status_code == 304
    assert rv.data == b""
    assert rv.headers["ETag"] == etag
    assert "Content-Type" not in rv.headers
    assert "Content-Length" not in rv.headers


# Each body-sending terminal, with the body and Content-Type it sends.
SENDERS: dict[str, tuple[Call, bytes, str]] = {
    "send(str)": (
        lambda res: res.send("<p>hello</p>"),
        b"<p>hello</p>",
        "text/html; charset=utf-8",
    ),
    "send(bytes)": (lambda res: res.send(b"\x00\x01"), b"\x00\x01", "application/octet-stream"),
    "send(dict)": (lambda res: res.send({"a": 1}), b'{"a":1}\n', "application/json"),
    "json": (lambda res: res.json([1, 2]), b"[1,2]\n", "application/json"),
    "jsonp(plain)": (lambda res: res.jsonp({"b": 2}), b'{"b":2}\n', "application/json"),
    "jsonp(callback)": (
        lambda res: res.jsonp({"b": 2}),
        b"/**/ typeof cb === 'function' && cb({\"b\":2});",
        "text/javascript; charset=utf-8",
    ),
}


def path_for(name: str) -> str:
    return "/?callback=cb" if name == "jsonp(callback)" else "/"


@pytest.fixture
def etag_app(app: FlaskExpress) -> FlaskExpress:
    app.config["FX_ETAG"] = True
    return app


@pytest.mark.parametrize("name", list(SENDERS))
def test_no_etag_by_default(app: FlaskExpress, client: FlaskClient, name: str) -> None:
    call, body, _ = SENDERS[name]

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return call(res)  # type: ignore[no-any-return]

    assert "FX_ETAG" not in app.config
    rv = client.get(path_for(name), headers={"If-None-Match": "*"})
    assert rv.status_code == 200
    assert rv.data == body
    assert "ETag" not in rv.headers


def test_fx_etag_false_adds_nothing(app: FlaskExpress, client: FlaskClient) -> None:
    app.config["FX_ETAG"] = False

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send("x")

    rv = client.get("/", headers={"If-None-Match": weak_etag(b"x")})
    assert rv.status_code == 200
    assert "ETag" not in rv.headers


@pytest.mark.parametrize("name", list(SENDERS))
def test_fx_etag_adds_a_weak_etag_of_the_body(
    etag_app: FlaskExpress, client: FlaskClient, name: str
) -> None:
    call, body, content_type = SENDERS[name]

    @etag_app.get("/")
    def view(req: Request, res: Response) -> Response:
        return call(res)  # type: ignore[no-any-return]

    rv = client.get(path_for(name))
    assert rv.status_code == 200
    assert rv.data == body
    assert rv.headers["Content-Type"] == content_type
    assert rv.headers.getlist("ETag") == [weak_etag(body)]


@pytest.mark.parametrize("name", list(SENDERS))
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_matching_if_none_match_gets_304_without_a_body(
    etag_app: FlaskExpress, client: FlaskClient, name: str, method: str
) -> None:
    call, body, _ = SENDERS[name]

    @etag_app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.set("X-Kept", "1").set("Cache-Control", "max-age=60")
        return call(res)  # type: ignore[no-any-return]

    etag = weak_etag(body)
    rv = client.open(path_for(name), method=method, headers={"If-None-Match": etag})
    assert_not_modified(rv, etag)
    assert rv.headers["X-Kept"] == "1"
    assert rv.headers["Cache-Control"] == "max-age=60"


@pytest.mark.parametrize(
    "if_none_match",
    [
        "{etag}",
        "{strong}",
        '"other", {etag}',
        'W/"other",{strong}',
        "*",
    ],
)
def test_if_none_match_uses_the_weak_comparison_and_lists(
    etag_app: FlaskExpress, client: FlaskClient, if_none_match: str
) -> None:
    @etag_app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json({"v": 1})

    etag = weak_etag(b'{"v":1}\n')
    header = if_none_match.format(etag=etag, strong=etag.removeprefix("W/"))
    assert_not_modified(client.get("/", headers={"If-None-Match": header}), etag)


@pytest.mark.parametrize(
    "if_none_match", ['"other"', 'W/"other"', 'W/"other", "more"', "garbage", '""']
)
def test_if_none_match_mismatch_gets_the_full_answer(
    etag_app: FlaskExpress, client: FlaskClient, if_none_match: str
) -> None:
    @etag_app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json({"v": 1})

    rv = client.get("/", headers={"If-None-Match": if_none_match})
    assert rv.status_code == 200
    assert rv.data == b'{"v":1}\n'
    assert rv.headers["ETag"] == weak_etag(b'{"v":1}\n')
    assert rv.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_only_get_and_head_get_304(
    etag_app: FlaskExpress, client: FlaskClient, method: str
) -> None:
    @etag_app.route("/", methods=[method])
    def view(req: Request, res: Response) -> Response:
        return res.send("changed")

    etag = weak_etag(b"changed")
    rv = client.open("/", method=method, headers={"If-None-Match": etag})
    assert rv.status_code == 200
    assert rv.data == b"changed"
    # Express adds the ETag whatever the method; only freshness is GET/HEAD.
    assert rv.headers["ETag"] == etag


@pytest.mark.parametrize("status", [201, 203, 299])
def test_other_2xx_statuses_get_304(
    etag_app: FlaskExpress, client: FlaskClient, status: int
) -> None:
    @etag_app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send_status(status).send("made")

    assert_not_modified(client.get("/", headers={"If-None-Match": "*"}), weak_etag(b"made"))


@pytest.mark.parametrize("status", [300, 301, 404, 410, 500])
def test_non_2xx_statuses_never_get_304(
    etag_app: FlaskExpress, client: FlaskClient, status: int
) -> None:
    @etag_app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send_status(status).send("not here")

    rv = client.get("/", headers={"If-None-Match": weak_etag(b"not here")})
    assert rv.status_code == status
    assert rv.data == b"not here"
    assert rv.headers["ETag"] == weak_etag(b"not here")


def test_an_etag_the_view_set_is_kept_and_compared(
    etag_app: FlaskExpress, client: FlaskClient
) -> None:
    @etag_app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.set("ETag", '"v1"').json({"v": 1})

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.headers.getlist("ETag") == ['"v1"']

    assert_not_modified(client.get("/", headers={"If-None-Match": '"v1"'}), '"v1"')
    assert_not_modified(client.get("/", headers={"If-None-Match": 'W/"v1"'}), '"v1"')
    rv = client.get("/", headers={"If-None-Match": weak_etag(b'{"v":1}\n')})
    assert rv.status_code == 200
    assert rv.headers.getlist("ETag") == ['"v1"']


def test_request_cache_control_no_cache_gets_the_full_answer(
    etag_app: FlaskExpress, client: FlaskClient
) -> None:
    @etag_app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send("fresh")

    etag = weak_etag(b"fresh")
    for cache_control in ("no-cache", "max-age=0, no-cache", "No-Cache"):
        rv = client.get("/", headers={"If-None-Match": etag, "Cache-Control": cache_control})
        assert rv.status_code == 200
        assert rv.data == b"fresh"
    rv = client.get("/", headers={"If-None-Match": etag, "Cache-Control": "max-age=0"})
    assert rv.status_code == 304


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"If-Modified-Since": LAST_MODIFIED}, 304),
        ({"If-Modified-Since": "Thu, 22 Oct 2015 07:28:00 GMT"}, 304),
        ({"If-Modified-Since": "Tue, 20 Oct 2015 07:28:00 GMT"}, 200),
        ({"If-Modified-Since": "not a date"}, 200),
        # If-None-Match wins over If-Modified-Since, as in Express.
        ({"If-Modified-Since": LAST_MODIFIED, "If-None-Match": '"other"'}, 200),
    ],
)
def test_if_modified_since_against_a_last_modified_the_view_set(
    etag_app: FlaskExpress, client: FlaskClient, headers: dict[str, str], status: int
) -> None:
    @etag_app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.set("Last-Modified", LAST_MODIFIED).send("page")

    rv = client.get("/", headers=headers)
    assert rv.status_code == status
    assert rv.data == (b"" if status == 304 else b"page")


def test_if_modified_since_without_last_modified_gets_the_full_answer(
    etag_app: FlaskExpress, client: FlaskClient
) -> None:
    @etag_app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send("page")

    rv = client.get("/", headers={"If-Modified-Since": LAST_MODIFIED})
    assert rv.status_code == 200
    assert rv.data == b"page"


NO_ETAG: dict[str, Call] = {
    "send(None)": lambda res: res.send(None),
    "send(iterator)": lambda res: res.send(iter([b"a", b"b"])),
    "send(generator)": lambda res: res.send(x for x in ["a", "b"]),
    "end": lambda res: res.end(),
    "redirect": lambda res: res.redirect("/elsewhere"),
}


@pytest.mark.parametrize("name", list(NO_ETAG))
def test_streamed_and_bodiless_answers_get_no_etag(
    etag_app: FlaskExpress, client: FlaskClient, name: str
) -> None:
    @etag_app.get("/")
    def view(req: Request, res: Response) -> Response:
        return NO_ETAG[name](res)  # type: ignore[no-any-return]

    rv = client.get("/", headers={"If-None-Match": "*"})
    assert rv.status_code in (200, 302)
    assert "ETag" not in rv.headers
    # A streamed body holds the request context until it is closed; leaving
    # it open would leak that context into the tests that follow.
    rv.close()


def test_fx_etag_is_read_on_each_call(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send("x")

    assert "ETag" not in client.get("/").headers
    app.config["FX_ETAG"] = True
    assert client.get("/").headers["ETag"] == weak_etag(b"x")
    app.config["FX_ETAG"] = False
    assert "ETag" not in client.get("/").headers


def test_format_handlers_get_the_etag_of_their_terminal(
    etag_app: FlaskExpress, client: FlaskClient
) -> None:
    @etag_app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.format(
            {"json": lambda: res.json({"as": "json"}), "text/plain": lambda: "as text"}
        )

    json_etag = weak_etag(b'{"as":"json"}\n')
    rv = client.get("/", headers={"Accept": "application/json"})
    assert rv.headers["ETag"] == json_etag
    rv = client.get("/", headers={"Accept": "application/json", "If-None-Match": json_etag})
    assert_not_modified(rv, json_etag)
    assert rv.headers["Vary"] == "Accept"

    text_etag = weak_etag(b"as text")
    rv = client.get("/", headers={"Accept": "text/plain", "If-None-Match": text_etag})
    assert_not_modified(rv, text_etag)


def test_a_304_finishes_res(etag_app: FlaskExpress, client: FlaskClient) -> None:
    seen: list[tuple[int, str | None]] = []

    @etag_app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.send("x")
        seen.append((res.status_code, res.finished_by))
        return res.json({"again": True})

    with pytest.raises(ResponseAlreadySent, match=r"res\.send\(\) already"):
        client.get("/", headers={"If-None-Match": weak_etag(b"x")})
    assert seen == [(304, "send")]


def test_the_304_is_on_res_itself_for_after_request_hooks(
    etag_app: FlaskExpress, client: FlaskClient
) -> None:
    seen: list[tuple[int, bytes, str | None, str | None]] = []

    @etag_app.after_request
    def record(response: Response) -> Response:
        seen.append(
            (
                response.status_code,
                response.get_data(),
                response.headers.get("Content-Type"),
                response.headers.get("Content-Length"),
            )
        )
        return response

    @etag_app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json({"v": 1})

    client.get("/")
    client.get("/", headers={"If-None-Match": weak_etag(b'{"v":1}\n')})
    assert seen == [
        (200, b'{"v":1}\n', "application/json", "8"),
        (304, b"", None, None),
    ]
