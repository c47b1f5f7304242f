"""The piece API (docs/pieces.md): what a piece writes its methods with.

Each name is tested here through a small piece written the way the docs
show, served by Flask's test client; fx-core's own terminal methods use the
same names, so the rest of the suite exercises them too.
"""

from __future__ import annotations

import sys
import threading
import typing as t

import flask
import pytest
from flask.testing import FlaskClient

from fx_core import FlaskExpress, Request, Response, ResponseAlreadySent, compose

if t.TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from typing import Self
    else:
        from typing_extensions import Self


class CSVRequest(Request):
    """A request mixin: the reader the piece brings along."""

    @property
    def wants_header_row(self) -> bool:
        return self.args.get("header", "1") != "0"


class CSVMixin(Response):
    """A piece written only with the piece API: ``res.csv(rows)``."""

    request_mixin: t.ClassVar[type[flask.Request] | None] = CSVRequest

    def csv(self, rows: list[list[str]]) -> Self:
        self.check_open("csv")
        if not isinstance(rows, list):
            raise TypeError(f"res.csv() takes a list of rows, got {type(rows).__name__}")
        separator = self.app.config.get("CSV_SEPARATOR", ",")
        body = "".join(separator.join(row) + "\r\n" for row in rows)
        self.set_body(body, "text/csv; charset=utf-8")
        self.apply_etag()
        return self.finish("csv")


@pytest.fixture
def app() -> FlaskExpress:
    app = FlaskExpress(__name__, response_class=compose(CSVMixin))
    app.config.update(TESTING=True)
    return app


@pytest.fixture
def client(app: FlaskExpress) -> FlaskClient:
    return app.test_client()


def test_a_piece_built_on_the_api_answers(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: t.Any, res: t.Any) -> t.Any:
        rows = [["a", "b"], ["1", "2"]]
        return res.csv(rows if req.wants_header_row else rows[1:])

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert rv.data == b"a,b\r\n1,2\r\n"
    assert client.get("/?header=0").data == b"1,2\r\n"


# -- res.app ---------------------------------------------------------------------------


def test_res_app_is_the_app_of_the_request(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: t.Any, res: t.Any) -> t.Any:
        return res.csv(
            [[str(res.app is app), str(res.app is flask.current_app._get_current_object())]]
        )

    assert client.get("/").data == b"True,True\r\n"


def test_res_app_config_is_read_on_each_call(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: t.Any, res: t.Any) -> t.Any:
        return res.csv([["a", "b"]])

    assert client.get("/").data == b"a,b\r\n"
    app.config["CSV_SEPARATOR"] = ";"
    assert client.get("/").data == b"a;b\r\n"


def test_res_app_outside_a_view_is_current_app(app: FlaskExpress) -> None:
    with app.app_context():
        assert app.response_class().app is app


def test_res_app_without_an_app_context_raises(app: FlaskExpress) -> None:
    # A new thread starts with no context, whatever this one has pushed.
    errors: list[BaseException] = []

    def read() -> None:
        try:
            _ = app.response_class().app
        except BaseException as e:
            errors.append(e)

    thread = threading.Thread(target=read)
    thread.start()
    thread.join(5)
    assert len(errors) == 1
    assert isinstance(errors[0], RuntimeError)
    assert "application context" in str(errors[0])


# -- check_open and finish -------------------------------------------------------------


def test_finish_marks_the_response_and_returns_it(app: FlaskExpress, client: FlaskClient) -> None:
    seen: dict[str, t.Any] = {}

    @app.get("/")
    def view(req: t.Any, res: t.Any) -> t.Any:
        seen["before"] = res.finished_by
        returned = res.csv([["x"]])
        seen["after"] = res.finished_by
        seen["same"] = returned is res
        # Finishing res and returning None is enough, as with res.send.

    assert client.get("/").data == b"x\r\n"
    assert seen == {"before": None, "after": "csv", "same": True}


def test_check_open_refuses_a_second_terminal_call(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: t.Any, res: t.Any) -> t.Any:
        res.send("first")
        return res.csv([["second"]])

    with pytest.raises(ResponseAlreadySent) as excinfo:
        client.get("/")
    assert str(excinfo.value) == ("res.csv() was called, but res.send() already sent this response")


def test_a_core_terminal_after_a_piece_terminal_is_refused(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: t.Any, res: t.Any) -> t.Any:
        res.csv([["first"]])
        return res.json({"second": True})

    with pytest.raises(ResponseAlreadySent, match=r"res\.json\(\).*res\.csv\(\) already"):
        client.get("/")


def test_a_piece_call_that_raises_leaves_res_open(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: t.Any, res: t.Any) -> t.Any:
        try:
            res.csv("not rows")
        except TypeError as e:
            return res.send_status(400).send(str(e))
        return res.send("unreachable")

    rv = client.get("/")
    assert rv.status_code == 400
    assert rv.data == b"res.csv() takes a list of rows, got str"


# -- set_body --------------------------------------------------------------------------


def test_set_body_keeps_a_content_type_the_view_set(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: t.Any, res: t.Any) -> t.Any:
        return res.set("Content-Type", "text/plain").csv([["a"]])

    rv = client.get("/")
    assert rv.headers["Content-Type"] == "text/plain"
    assert rv.data == b"a\r\n"


def test_set_body_takes_bytes_and_keeps_status_and_headers(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: t.Any, res: t.Any) -> t.Any:
        res.send_status(202).set("X-Kept", "yes")
        res.set_body(b"\x00\x01", "application/octet-stream")
        return res.finish("raw")

    rv = client.get("/")
    assert (rv.status_code, rv.headers["X-Kept"], rv.data) == (202, "yes", b"\x00\x01")
    assert rv.headers["Content-Type"] == "application/octet-stream"
    assert rv.headers["Content-Length"] == "2"


# -- apply_etag ------------------------------------------------------------------------


def test_apply_etag_is_off_by_default(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: t.Any, res: t.Any) -> t.Any:
        return res.csv([["a"]])

    assert "ETag" not in client.get("/").headers


def test_apply_etag_adds_a_weak_etag_and_answers_304(
    app: FlaskExpress, client: FlaskClient
) -> None:
    app.config["FX_ETAG"] = True

    @app.get("/")
    def view(req: t.Any, res: t.Any) -> t.Any:
        return res.csv([["a"]])

    first = client.get("/")
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert "Content-Type" not in again.headers
    no_cache = client.get("/", headers={"If-None-Match": etag, "Cache-Control": "no-cache"})
    assert (no_cache.status_code, no_cache.data) == (200, b"a\r\n")


# -- locals_copy -----------------------------------------------------------------------


def test_locals_copy_is_empty_and_makes_no_munch_when_unused(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: t.Any, res: t.Any) -> t.Any:
        copy = res.locals_copy()
        return res.json({"copy": copy, "made": "locals" in vars(res)})

    assert client.get("/").json == {"copy": {}, "made": False}


def test_locals_copy_is_a_detached_dict(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: t.Any, res: t.Any) -> t.Any:
        res.locals.user = "ada"
        copy = res.locals_copy()
        copy["user"] = "changed"
        return res.json({"copy": copy, "locals": res.locals, "type": type(copy).__name__})

    assert client.get("/").json == {
        "copy": {"user": "changed"},
        "locals": {"user": "ada"},
        "type": "dict",
    }


# -- request_mixin ---------------------------------------------------------------------


def test_request_mixin_reaches_middleware_and_views(app: FlaskExpress, client: FlaskClient) -> None:
    @app.use
    def mark(req: t.Any, res: t.Any, next: t.Callable[[], None]) -> None:
        res.set("X-Header-Row", str(req.wants_header_row))
        next()

    @app.get("/")
    def view(req: t.Any, res: t.Any) -> t.Any:
        return res.csv([[type(req).__mro__[1].__name__]])

    rv = client.get("/?header=0")
    assert rv.headers["X-Header-Row"] == "False"
    assert rv.data == b"CSVRequest\r\n"
    assert issubclass(app.request_class, CSVRequest)
    assert issubclass(app.request_class, Request)
