"""The response builder, ``res`` in a ``(req, res)`` view (docs/api/response.md).

Every test makes a real request through Flask's test client to a real view.
An exception raised in a view propagates out of ``client.get`` because the
``app`` fixture sets ``TESTING``; views that must keep going after a failed
call catch the error, record it and then answer.
"""

from __future__ import annotations

import json as jsonlib
import typing as t

import flask
import pytest
from flask.json.provider import DefaultJSONProvider, JSONProvider
from flask.testing import FlaskClient
from munch import Munch
from werkzeug.datastructures import Headers, HeaderSet
from werkzeug.exceptions import HTTPException
from werkzeug.sansio.response import Response as SansioResponse
from werkzeug.wrappers import Response as WerkzeugResponse

from fx_core import FlaskExpress, MissingFeature, Request, Response, ResponseAlreadySent

Call = t.Callable[[Response], t.Any]


class Widget:
    """A value no JSON provider knows how to serialize."""


# -- status ---------------------------------------------------------------------

STATUS_METHODS = ["send_status", "set_status", "sendStatus"]


@pytest.mark.parametrize("method", STATUS_METHODS)
def test_status_setter_sets_the_status_and_chains(
    app: FlaskExpress, client: FlaskClient, method: str
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        chained = getattr(res, method)(201)
        assert chained is res
        return chained.send("made")

    rv = client.get("/")
    assert rv.status_code == 201
    assert rv.status == "201 CREATED"
    assert rv.data == b"made"


@pytest.mark.parametrize("method", STATUS_METHODS)
@pytest.mark.parametrize("code", [100, 299, 418, 599, 999])
def test_status_setter_accepts_100_to_999(
    app: FlaskExpress, client: FlaskClient, method: str, code: int
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return getattr(res, method)(code).end()  # type: ignore[no-any-return]

    assert client.get("/").status_code == code


@pytest.mark.parametrize("method", STATUS_METHODS)
@pytest.mark.parametrize("code", [True, False, "200", 200.0, None, b"200"])
def test_status_setter_rejects_a_non_int(
    app: FlaskExpress, client: FlaskClient, method: str, code: object
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return getattr(res, method)(code).send("unreachable")  # type: ignore[no-any-return]

    with pytest.raises(TypeError, match="int status code"):
        client.get("/")


@pytest.mark.parametrize("method", STATUS_METHODS)
@pytest.mark.parametrize("code", [99, 1000, 0, -200])
def test_status_setter_rejects_a_code_outside_100_to_999(
    app: FlaskExpress, client: FlaskClient, method: str, code: int
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return getattr(res, method)(code).send("unreachable")  # type: ignore[no-any-return]

    with pytest.raises(ValueError, match=f"{code} is not a status code"):
        client.get("/")


def test_status_is_unchanged_after_a_rejected_code(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.send_status(202)
        with pytest.raises(ValueError):
            res.send_status(1000)
        with pytest.raises(TypeError):
            res.send_status("404")  # type: ignore[arg-type]
        return res.send("still 202")

    rv = client.get("/")
    assert rv.status_code == 202
    assert rv.data == b"still 202"


# -- set / append / get -----------------------------------------------------------


def test_set_sets_a_header_and_chains(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        assert res.set("X-Powered-By", "fx") is res
        return res.send("ok")

    assert client.get("/").headers["X-Powered-By"] == "fx"


def test_set_replaces_every_earlier_value(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.set("X-One", "first").set("x-one", "second")
        res.append("X-Two", "a").append("X-Two", "b").set("X-Two", "c")
        return res.send("ok")

    rv = client.get("/")
    assert rv.headers.getlist("X-One") == ["second"]
    assert rv.headers.getlist("X-Two") == ["c"]


def test_set_with_a_list_sets_the_header_once_per_item(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.set("X-Old", "gone").set("X-Old", ["a", "b", "c"])
        return res.send("ok")

    assert client.get("/").headers.getlist("X-Old") == ["a", "b", "c"]


def test_set_with_a_mapping_sets_each_header(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.set("X-A", "old")
        assert res.set({"X-A": "new", "X-B": ["2", "3"], "X-C": 4}) is res
        return res.send("ok")

    rv = client.get("/")
    assert rv.headers.getlist("X-A") == ["new"]
    assert rv.headers.getlist("X-B") == ["2", "3"]
    assert rv.headers["X-C"] == "4"


def test_set_with_headers_keeps_repeated_names_and_replaces(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.set("X-Tag", "old").set("X-Other", "kept")
        res.set(Headers([("X-Tag", "one"), ("x-tag", "two"), ("X-Single", "s")]))
        return res.send("ok")

    rv = client.get("/")
    assert rv.headers.getlist("X-Tag") == ["one", "two"]
    assert rv.headers["X-Single"] == "s"
    assert rv.headers["X-Other"] == "kept"


def test_set_stores_values_verbatim(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.set("Content-Type", "text/plain").set("X-Count", 3).set("X-Ratio", 0.5)
        return res.send("plain")

    rv = client.get("/")
    assert rv.headers["Content-Type"] == "text/plain"
    assert rv.headers["X-Count"] == "3"
    assert rv.headers["X-Ratio"] == "0.5"
    assert rv.data == b"plain"


@pytest.mark.parametrize(
    "args",
    [
        ("X-Bad\r\nName", "v"),
        ("X-Bad\nName", "v"),
        ("X-Bad\rName", "v"),
        ("X-Ok", "a\r\nSet-Cookie: evil=1"),
        ("X-Ok", "a\nb"),
        ("X-Ok", "a\rb"),
        ("X-Keep", "replaced\r\n"),
        ("X-Ok", ["fine", "bad\n"]),
        ({"X-Good": "1", "X-Bad": "a\nb"},),
        ({"X-Good": "1", "X-Bad\r\n": "v"},),
        (Headers([("X-Good", "1"), ("X-Bad\r\nName", "v")]),),
    ],
    ids=repr,
)
def test_set_rejects_cr_or_lf_and_changes_nothing(
    app: FlaskExpress, client: FlaskClient, args: tuple[t.Any, ...]
) -> None:
    errors: list[Exception] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.set("X-Keep", "kept")
        before = list(res.headers.items())
        try:
            res.set(*args)
        except ValueError as e:
            errors.append(e)
        assert list(res.headers.items()) == before
        return res.send("ok")

    rv = client.get("/")
    assert len(errors) == 1
    assert "CR" in str(errors[0])
    assert rv.status_code == 200
    assert rv.headers.getlist("X-Keep") == ["kept"]
    assert "X-Good" not in rv.headers
    assert "X-Ok" not in rv.headers
    assert "Set-Cookie" not in rv.headers


def test_append_adds_without_replacing_and_chains(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        assert res.set("X-Trace", "1").append("x-trace", "2") is res
        res.append("X-New", "only")
        res.append("Warning", ["199 - one", "299 - two"])
        return res.send("ok")

    rv = client.get("/")
    assert rv.headers.getlist("X-Trace") == ["1", "2"]
    assert rv.headers.getlist("X-New") == ["only"]
    assert rv.headers.getlist("Warning") == ["199 - one", "299 - two"]


@pytest.mark.parametrize(
    "args", [("X-Bad\r\n", "v"), ("X-Trace", "a\r\nb"), ("X-Trace", ["ok", "b\n"])], ids=repr
)
def test_append_rejects_cr_or_lf_and_changes_nothing(
    app: FlaskExpress, client: FlaskClient, args: tuple[t.Any, ...]
) -> None:
    errors: list[Exception] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.set("X-Trace", "1")
        try:
            res.append(*args)
        except ValueError as e:
            errors.append(e)
        return res.send("ok")

    rv = client.get("/")
    assert len(errors) == 1
    assert rv.headers.getlist("X-Trace") == ["1"]


def test_get_reads_a_header_in_any_case_or_none(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.set("X-Custom", "v").type("json")
        return res.json(
            {
                "lower": res.get("x-custom"),
                "upper": res.get("X-CUSTOM"),
                "type": res.get("content-type"),
                "missing": res.get("X-Missing"),
            }
        )

    assert client.get("/").json == {
        "lower": "v",
        "upper": "v",
        "type": "application/json",
        "missing": None,
    }


# -- type ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "content_type"),
    [
        ("application/json", "application/json"),
        ("application/pdf", "application/pdf"),
        ("text/plain", "text/plain; charset=utf-8"),
        ("text/plain; charset=latin-1", "text/plain; charset=latin-1"),
        ("multipart/form-data; boundary=xyz", "multipart/form-data; boundary=xyz"),
        ("html", "text/html; charset=utf-8"),
        (".html", "text/html; charset=utf-8"),
        ("HTML", "text/html; charset=utf-8"),
        ("json", "application/json"),
        (".json", "application/json"),
        ("js", "text/javascript; charset=utf-8"),
        (".js", "text/javascript; charset=utf-8"),
        ("png", "image/png"),
        (".png", "image/png"),
        ("txt", "text/plain; charset=utf-8"),
        ("css", "text/css; charset=utf-8"),
        ("fxunknownext", "application/octet-stream"),
        (".fxunknownext", "application/octet-stream"),
    ],
)
def test_type_sets_content_type(
    app: FlaskExpress, client: FlaskClient, given: str, content_type: str
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        assert res.type(req.query.t) is res
        return res.send(b"body")

    rv = client.get("/", query_string={"t": given})
    assert rv.headers["Content-Type"] == content_type
    assert rv.data == b"body"


def test_type_replaces_an_earlier_content_type(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.set("Content-Type", "text/plain").type("png").send(b"\x89PNG")

    rv = client.get("/")
    assert rv.headers.getlist("Content-Type") == ["image/png"]


# -- send -----------------------------------------------------------------------------

JSON = "application/json"
OCTET = "application/octet-stream"
HTML = "text/html; charset=utf-8"


@pytest.mark.parametrize(
    ("body", "content_type", "data"),
    [
        ("héllo <b>", HTML, "héllo <b>".encode()),
        ("", HTML, b""),
        (b"\x00\xffraw", OCTET, b"\x00\xffraw"),
        (bytearray(b"array"), OCTET, b"array"),
        (memoryview(b"view"), OCTET, b"view"),
        ({"b": 1, "a": [1, 2]}, JSON, b'{"a":[1,2],"b":1}\n'),
        ([1, "two", None], JSON, b'[1,"two",null]\n'),
        ((1, 2), JSON, b"[1,2]\n"),
        (Munch(name="Ada", tags=Munch(x=1)), JSON, b'{"name":"Ada","tags":{"x":1}}\n'),
        (42, JSON, b"42\n"),
        (0, JSON, b"0\n"),
        (1.5, JSON, b"1.5\n"),
        (True, JSON, b"true\n"),
        (False, JSON, b"false\n"),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, bytes) else None,
)
def test_send_picks_body_and_content_type(
    app: FlaskExpress, client: FlaskClient, body: object, content_type: str, data: bytes
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send(body)

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == content_type
    assert rv.data == data


def test_send_none_sends_an_empty_body_with_the_current_status(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send_status(202).send(None)

    rv = client.get("/")
    assert rv.status_code == 202
    assert rv.data == b""


def test_send_without_an_argument_sends_an_empty_body(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send()

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b""


def test_send_str_keeps_a_content_type_set_before_exactly(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.set("Content-Type", "text/plain").send("no charset added")

    rv = client.get("/")
    assert rv.headers.getlist("Content-Type") == ["text/plain"]
    assert rv.data == b"no charset added"


@pytest.mark.parametrize(
    ("preset", "body"),
    [
        ("text/plain", "text"),
        ("text/csv", b"a,b\n1,2\n"),
        ("application/xml", bytearray(b"<a/>")),
        ("application/problem+json", {"title": "oops"}),
        ("text/plain", [1, 2]),
        ("text/plain", 5),
    ],
    ids=repr,
)
def test_send_never_alters_a_content_type_set_before(
    app: FlaskExpress, client: FlaskClient, preset: str, body: object
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.set("Content-Type", preset).send(body)

    assert client.get("/").headers.getlist("Content-Type") == [preset]


def test_send_keeps_a_type_chosen_with_type(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.type("json").send('{"raw": true}')

    rv = client.get("/")
    assert rv.headers["Content-Type"] == "application/json"
    assert rv.json == {"raw": True}


@pytest.mark.parametrize("body", [object(), {1, 2}, 3j, Widget()], ids=lambda v: type(v).__name__)
def test_send_rejects_an_unsupported_object_and_leaves_res_open(
    app: FlaskExpress, client: FlaskClient, body: object
) -> None:
    errors: list[Exception] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        try:
            res.send(body)
        except TypeError as e:
            errors.append(e)
        return res.send("fallback")

    rv = client.get("/")
    assert len(errors) == 1
    assert f"cannot send a {type(body).__name__}" in str(errors[0])
    assert rv.data == b"fallback"
    assert rv.headers["Content-Type"] == HTML


def test_send_streams_an_iterator_or_generator(app: FlaskExpress, client: FlaskClient) -> None:
    started: list[str] = []

    def chunks() -> t.Iterator[str | bytes]:
        started.append("generator")
        yield "héllo "
        yield b"world"

    @app.get("/generator")
    def generator(req: Request, res: Response) -> Response:
        res.send(chunks())
        assert started == []  # not read inside the view: streamed
        return res

    @app.get("/iterator")
    def iterator(req: Request, res: Response) -> Response:
        return res.type("txt").send(iter([b"a", b"b", b"c"]))

    rv = client.get("/generator")
    assert rv.status_code == 200
    assert rv.data == "héllo world".encode()
    assert "Content-Length" not in rv.headers
    assert rv.headers["Content-Type"] == HTML
    assert started == ["generator"]

    rv = client.get("/iterator")
    assert rv.data == b"abc"
    assert "Content-Length" not in rv.headers
    assert rv.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_send_generator_keeps_the_request_context(app: FlaskExpress, client: FlaskClient) -> None:
    def rows() -> t.Iterator[str]:
        # Runs after the view returned, while the server sends the body.
        yield f"name={flask.request.args['name']};"
        yield f"user={flask.session.get('user')}"

    @app.get("/login")
    def login(req: Request, res: Response) -> Response:
        req.session.user = "ada"
        return res.send("ok")

    @app.get("/stream")
    def stream(req: Request, res: Response) -> Response:
        return res.type("txt").send(rows())

    client.get("/login")
    rv = client.get("/stream?name=lovelace")
    assert rv.status_code == 200
    assert rv.data == b"name=lovelace;user=ada"


# -- json -----------------------------------------------------------------------------


def test_json_serializes_one_value(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json({"id": 1, "name": "Ada", "tags": ["a", "b"]})

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == "application/json"
    assert rv.data == b'{"id":1,"name":"Ada","tags":["a","b"]}\n'
    assert rv.json == {"id": 1, "name": "Ada", "tags": ["a", "b"]}


@pytest.mark.parametrize(
    ("value", "data"),
    [(None, b"null\n"), ("text", b'"text"\n'), ([], b"[]\n"), (Munch(a=1), b'{"a":1}\n')],
    ids=repr,
)
def test_json_serializes_any_json_value(
    app: FlaskExpress, client: FlaskClient, value: object, data: bytes
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json(value)

    assert client.get("/").data == data


def test_json_serializes_keyword_arguments(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/kwargs")
    def kwargs(req: Request, res: Response) -> Response:
        return res.json(id=1, name="Ada")

    @app.get("/nothing")
    def nothing(req: Request, res: Response) -> Response:
        return res.json()

    assert client.get("/kwargs").json == {"id": 1, "name": "Ada"}
    assert client.get("/nothing").data == b"{}\n"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda res: res.json({"a": 1}, b=2), "not both"),
        (lambda res: res.json(1, 2), "one value"),
        (lambda res: res.json({"when": Widget()}), "Widget"),
        (lambda res: res.json([{1, 2}]), "set"),
    ],
    ids=["positional-and-keyword", "two-positional", "custom-class", "set"],
)
def test_json_misuse_raises_type_error_and_leaves_res_open(
    app: FlaskExpress, client: FlaskClient, call: Call, message: str
) -> None:
    errors: list[Exception] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        try:
            call(res)
        except TypeError as e:
            errors.append(e)
        assert res.get("Content-Type") is None
        return res.json({"second": "chance"})

    rv = client.get("/")
    assert len(errors) == 1
    assert message in str(errors[0])
    assert rv.json == {"second": "chance"}


def test_json_not_serializable_names_the_type_when_it_propagates(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json({"widget": Widget()})

    with pytest.raises(TypeError, match="Widget"):
        client.get("/")


def test_json_keeps_a_content_type_set_before(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.set("Content-Type", "application/vnd.api+json").json({"data": []})

    rv = client.get("/")
    assert rv.headers.getlist("Content-Type") == ["application/vnd.api+json"]
    assert jsonlib.loads(rv.data) == {"data": []}


def test_json_uses_the_app_provider_settings_on_each_request(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json({"b": 1, "a": "é"})

    assert client.get("/").data == b'{"a":"\\u00e9","b":1}\n'

    provider = t.cast(DefaultJSONProvider, app.json)
    provider.sort_keys = False
    assert client.get("/").data == b'{"b":1,"a":"\\u00e9"}\n'

    provider.ensure_ascii = False
    assert client.get("/").data == '{"b":1,"a":"é"}\n'.encode()

    provider.compact = False
    assert client.get("/").data == '{\n  "b": 1,\n  "a": "é"\n}\n'.encode()


def test_json_goes_through_a_custom_default_provider(
    app: FlaskExpress, client: FlaskClient
) -> None:
    class SetProvider(DefaultJSONProvider):
        @staticmethod
        def default(o: t.Any) -> t.Any:
            if isinstance(o, (set, frozenset)):
                return sorted(o)
            return DefaultJSONProvider.default(o)

    app.json = SetProvider(app)

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json({"tags": {"b", "c", "a"}})

    rv = client.get("/")
    assert rv.data == b'{"tags":["a","b","c"]}\n'
    assert rv.headers["Content-Type"] == "application/json"


def test_json_goes_through_a_custom_provider_class(app: FlaskExpress, client: FlaskClient) -> None:
    class TaggedProvider(JSONProvider):
        def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
            return "tagged:" + jsonlib.dumps(obj, sort_keys=True)

        def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
            return jsonlib.loads(s)

    app.json = TaggedProvider(app)

    @app.get("/json")
    def as_json(req: Request, res: Response) -> Response:
        return res.json({"b": 2, "a": 1})

    @app.get("/send")
    def as_send(req: Request, res: Response) -> Response:
        return res.send([1])

    rv = client.get("/json")
    assert rv.data == b'tagged:{"a": 1, "b": 2}'
    assert rv.headers["Content-Type"] == "application/json"
    assert client.get("/send").data == b"tagged:[1]"


# -- end --------------------------------------------------------------------------------


def test_end_finishes_with_an_empty_body_and_the_current_status(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/plain")
    def plain(req: Request, res: Response) -> Response:
        return res.end()

    @app.get("/accepted")
    def accepted(req: Request, res: Response) -> Response:
        return res.send_status(202).set("X-Job", "7").end()

    rv = client.get("/plain")
    assert rv.status_code == 200
    assert rv.data == b""

    rv = client.get("/accepted")
    assert rv.status_code == 202
    assert rv.data == b""
    assert rv.headers["X-Job"] == "7"


@pytest.mark.parametrize("code", [200, 201, 204, 301])
def test_end_with_a_non_error_code_sets_that_status(
    app: FlaskExpress, client: FlaskClient, code: int
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send_status(500).end(code)

    rv = client.get("/")
    assert rv.status_code == code
    assert rv.data == b""


@pytest.mark.parametrize(
    ("code", "name"),
    [
        (400, "Bad Request"),
        (401, "Unauthorized"),
        (404, "Not Found"),
        (500, "Internal Server Error"),
        (503, "Service Unavailable"),
    ],
)
def test_end_with_an_error_code_uses_the_default_error_page(
    app: FlaskExpress, client: FlaskClient, code: int, name: str
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.end(code)

    rv = client.get("/")
    assert rv.status_code == code
    assert rv.status == f"{code} {name.upper()}"
    assert f"<title>{code} {name}</title>".encode() in rv.data


def test_end_400_is_rendered_by_the_app_error_handler(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.errorhandler(400)
    def bad_request(e: HTTPException) -> tuple[str, int]:
        return f"handled {type(e).__name__} {e.code}", 400

    @app.errorhandler(401)
    def unauthorized(e: HTTPException) -> tuple[str, int]:
        return "wrong handler", 401

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.end(400)

    rv = client.get("/")
    assert rv.status_code == 400
    assert rv.data == b"handled BadRequest 400"


def test_end_404_is_rendered_by_the_app_error_handler(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.errorhandler(404)
    def not_found(e: HTTPException) -> tuple[dict[str, str], int]:
        return {"error": type(e).__name__}, 404

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.end(404)

    rv = client.get("/")
    assert rv.status_code == 404
    assert rv.json == {"error": "NotFound"}


def test_end_with_an_error_code_werkzeug_has_no_class_for(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.errorhandler(HTTPException)
    def any_http_error(e: HTTPException) -> tuple[str, int]:
        return f"handled {e.code}", t.cast(int, e.code)

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.end(499)

    rv = client.get("/")
    assert rv.status_code == 499
    assert rv.data == b"handled 499"


@pytest.mark.parametrize("code", [99, 1000, 0, "404", 404.0, True])
def test_end_with_an_invalid_code_raises_value_error(
    app: FlaskExpress, client: FlaskClient, code: object
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.end(code)  # type: ignore[arg-type]

    with pytest.raises(ValueError, match="is not a status code"):
        client.get("/")


# -- redirect -----------------------------------------------------------------------------


def test_redirect_is_302_by_default(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.redirect("/login?next=%2F")

    rv = client.get("/")
    assert rv.status_code == 302
    assert rv.headers["Location"] == "/login?next=%2F"
    assert b"/login?next=%2F" in rv.data


@pytest.mark.parametrize("code", [301, 303, 307, 308])
def test_redirect_uses_a_3xx_set_before(app: FlaskExpress, client: FlaskClient, code: int) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send_status(code).redirect("/new-home")

    rv = client.get("/")
    assert rv.status_code == code
    assert rv.headers["Location"] == "/new-home"


def test_redirect_ignores_a_non_3xx_status_set_before(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send_status(404).redirect("/found")

    assert client.get("/").status_code == 302


def test_redirect_code_argument_wins(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send_status(301).redirect("https://example.com/x", 308)

    rv = client.get("/")
    assert rv.status_code == 308
    assert rv.headers["Location"] == "https://example.com/x"


@pytest.mark.parametrize("code", [200, 299, 400, 404, 500, "301", True])
def test_redirect_rejects_a_non_3xx_code(
    app: FlaskExpress, client: FlaskClient, code: object
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.redirect("/x", code)  # type: ignore[arg-type]

    with pytest.raises(ValueError, match="is not a redirect status"):
        client.get("/")


@pytest.mark.parametrize("location", ["/a\r\nSet-Cookie: evil=1", "/a\nb", "/a\rb", "\n"], ids=repr)
def test_redirect_rejects_cr_or_lf_in_the_location(
    app: FlaskExpress, client: FlaskClient, location: str
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.redirect(location)

    with pytest.raises(ValueError, match="CR or LF"):
        client.get("/")


# -- make_response ---------------------------------------------------------------------------


def test_make_response_sets_body_status_and_headers_and_returns_self(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        made = res.make_response("created", 201, {"X-Id": "7", "X-Tags": ["a", "b"]})
        assert made is res
        return made

    rv = client.get("/")
    assert rv.status_code == 201
    assert rv.data == b"created"
    assert rv.headers["Content-Type"] == HTML
    assert rv.headers["X-Id"] == "7"
    assert rv.headers.getlist("X-Tags") == ["a", "b"]


def test_make_response_takes_a_status_string_and_headers_object(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.make_response(b"bytes", "299 Custom Reason", Headers([("X-A", "1")]))

    rv = client.get("/")
    assert rv.status == "299 Custom Reason"
    assert rv.status_code == 299
    assert rv.data == b"bytes"
    assert rv.headers["X-A"] == "1"


@pytest.mark.parametrize(
    ("kwargs", "content_type"),
    [
        ({"mimetype": "text/plain"}, "text/plain; charset=utf-8"),
        ({"mimetype": "application/json"}, "application/json"),
        ({"content_type": "text/plain; charset=latin-1"}, "text/plain; charset=latin-1"),
        ({"content_type": "application/x-thing", "mimetype": "text/html"}, "application/x-thing"),
    ],
    ids=repr,
)
def test_make_response_mimetype_and_content_type(
    app: FlaskExpress, client: FlaskClient, kwargs: dict[str, t.Any], content_type: str
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.make_response("body", **kwargs)

    rv = client.get("/")
    assert rv.headers.getlist("Content-Type") == [content_type]
    assert rv.data == b"body"


def test_make_response_takes_an_iterable_of_bytes(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.make_response([b"one ", b"two"], 200, mimetype="text/plain")

    rv = client.get("/")
    assert rv.data == b"one two"
    assert rv.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_make_response_does_not_finish(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/then-send")
    def then_send(req: Request, res: Response) -> Response:
        res.make_response("draft", 201, {"X-Draft": "1"})
        return res.send("final")

    # Flask's route typing has no None return; a (req, res) view may return None.
    @app.get("/forgotten")  # type: ignore[type-var]
    def forgotten(req: Request, res: Response) -> None:
        res.make_response("draft")

    rv = client.get("/then-send")
    assert rv.status_code == 201
    assert rv.data == b"final"
    assert rv.headers["X-Draft"] == "1"

    with pytest.raises(TypeError, match="did not finish res"):
        client.get("/forgotten")


@pytest.mark.parametrize(
    ("status", "error"), [(1000, ValueError), (True, TypeError), (2.5, TypeError)], ids=repr
)
def test_make_response_rejects_a_bad_status(
    app: FlaskExpress, client: FlaskClient, status: object, error: type[Exception]
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.make_response("x", status)  # type: ignore[arg-type]

    with pytest.raises(error):
        client.get("/")


# -- locals --------------------------------------------------------------------------------------


def test_locals_is_a_fresh_munch_per_request(app: FlaskExpress, client: FlaskClient) -> None:
    @app.before_request
    def load_user() -> None:
        flask.request.res.locals.user = "ada"  # type: ignore[attr-defined]

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        assert isinstance(res.locals, Munch)
        assert res.locals is res.locals
        before = dict(res.locals)
        res.locals.visits = res.locals.get("visits", 0) + 1
        return res.json({"before": before, "after": res.locals})

    expected = {"before": {"user": "ada"}, "after": {"user": "ada", "visits": 1}}
    assert client.get("/").json == expected
    assert client.get("/").json == expected


# -- terminal semantics -------------------------------------------------------------------------

TERMINALS: dict[str, Call] = {
    "send": lambda res: res.send("sent"),
    "json": lambda res: res.json({"sent": True}),
    "end": lambda res: res.end(),
    "redirect": lambda res: res.redirect("/elsewhere"),
}


@pytest.mark.parametrize("name", list(TERMINALS))
@pytest.mark.parametrize("returns", [True, False], ids=["return-res", "finish-only"])
def test_terminal_method_returns_self(
    app: FlaskExpress, client: FlaskClient, name: str, returns: bool
) -> None:
    @app.get("/")  # type: ignore[type-var]  # a (req, res) view may return None
    def view(req: Request, res: Response) -> Response | None:
        rv = TERMINALS[name](res)
        assert rv is res
        return rv if returns else None

    rv = client.get("/")
    expected = {
        "send": (200, b"sent"),
        "json": (200, b'{"sent":true}\n'),
        "end": (200, b""),
        "redirect": (302, None),
    }[name]
    assert rv.status_code == expected[0]
    if expected[1] is not None:
        assert rv.data == expected[1]
    else:
        assert rv.headers["Location"] == "/elsewhere"


SECOND_CALLS: dict[str, Call] = {
    **TERMINALS,
    "end(400)": lambda res: res.end(400),
    "send(None)": lambda res: res.send(None),
}


@pytest.mark.parametrize("first", list(TERMINALS))
@pytest.mark.parametrize("second", list(SECOND_CALLS))
def test_second_terminal_call_raises_response_already_sent(
    app: FlaskExpress, client: FlaskClient, first: str, second: str
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        TERMINALS[first](res)
        return SECOND_CALLS[second](res)  # type: ignore[no-any-return]

    method = second.split("(")[0]
    with pytest.raises(ResponseAlreadySent, match=rf"res\.{method}\(\).*res\.{first}\(\)"):
        client.get("/")


def test_response_already_sent_is_a_runtime_error_and_the_first_answer_stays(
    app: FlaskExpress, client: FlaskClient
) -> None:
    errors: list[Exception] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.send_status(201).send("first")
        try:
            res.json({"second": True})
        except RuntimeError as e:
            errors.append(e)
        return res

    rv = client.get("/")
    assert issubclass(ResponseAlreadySent, RuntimeError)
    assert len(errors) == 1
    assert isinstance(errors[0], ResponseAlreadySent)
    assert rv.status_code == 201
    assert rv.data == b"first"
    assert rv.headers["Content-Type"] == HTML


@pytest.mark.parametrize(
    ("name", "status"), [("send", 201), ("json", 201), ("end", 202), ("redirect", 303)]
)
def test_headers_cookies_and_status_set_before_survive_a_terminal(
    app: FlaskExpress, client: FlaskClient, name: str, status: int
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.send_status(status).set("X-Before", "1").append("X-Before", "2")
        res.set_cookie("flavor", "oat", httponly=True)
        return TERMINALS[name](res)  # type: ignore[no-any-return]

    rv = client.get("/")
    assert rv.status_code == status
    assert rv.headers.getlist("X-Before") == ["1", "2"]
    assert rv.headers.getlist("Set-Cookie") == ["flavor=oat; HttpOnly; Path=/"]
    cookie = client.get_cookie("flavor")
    assert cookie is not None
    assert cookie.value == "oat"


FAILING_TERMINALS: list[tuple[str, Call, type[Exception]]] = [
    ("send(object())", lambda res: res.send(object()), TypeError),
    ("json(Widget)", lambda res: res.json({"w": Widget()}), TypeError),
    ("json(obj, **kw)", lambda res: res.json({"a": 1}, b=2), TypeError),
    ("end(1000)", lambda res: res.end(1000), ValueError),
    ("end('404')", lambda res: res.end("404"), ValueError),  # type: ignore[arg-type]
    ("redirect(CRLF)", lambda res: res.redirect("/a\r\nX-Evil: 1"), ValueError),
    ("redirect(code=200)", lambda res: res.redirect("/a", 200), ValueError),
]


@pytest.mark.parametrize(
    ("call", "error"),
    [(call, error) for _, call, error in FAILING_TERMINALS],
    ids=[name for name, _, _ in FAILING_TERMINALS],
)
def test_failed_terminal_leaves_res_unfinished_and_unchanged(
    app: FlaskExpress, client: FlaskClient, call: Call, error: type[Exception]
) -> None:
    caught: list[type[Exception]] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.send_status(201).set("X-Before", "1")
        res.set_cookie("flavor", "oat")
        before = (res.status, list(res.headers.items()), res.get_data())
        try:
            call(res)
        except (TypeError, ValueError) as e:
            caught.append(type(e))
        assert (res.status, list(res.headers.items()), res.get_data()) == before
        return res.send("second chance")

    rv = client.get("/")
    assert caught == [error]
    assert rv.status_code == 201
    assert rv.data == b"second chance"
    assert rv.headers["Content-Type"] == HTML
    assert rv.headers["X-Before"] == "1"
    assert rv.headers.getlist("Set-Cookie") == ["flavor=oat; Path=/"]
    assert "Location" not in rv.headers
    assert "X-Evil" not in rv.headers


# -- names Werkzeug owns ---------------------------------------------------------------------------


def test_status_is_werkzeugs_status_string(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.send_status(201)
        first = res.status
        res.status = "299 Custom Reason"
        return res.json({"first": first, "second": res.status, "code": res.status_code})

    rv = client.get("/")
    assert rv.json == {"first": "201 CREATED", "second": "299 Custom Reason", "code": 299}
    assert rv.status == "299 Custom Reason"


def test_vary_is_werkzeugs_header_set(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        assert isinstance(res.vary, HeaderSet)
        res.vary.add("Accept")
        res.vary.add("Accept-Language")
        return res.send("varied")

    assert client.get("/").headers["Vary"] == "Accept, Accept-Language"


def test_location_is_werkzeugs_location_header(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/set")
    def set_location(req: Request, res: Response) -> Response:
        res.location = "/elsewhere"
        assert res.get("Location") == "/elsewhere"
        return res.send_status(303).end()

    @app.get("/read")
    def read_location(req: Request, res: Response) -> Response:
        assert res.location is None
        return res.send_status(307).redirect("/moved")

    rv = client.get("/set")
    assert rv.status_code == 303
    assert rv.headers["Location"] == "/elsewhere"
    assert client.get("/read").location == "/moved"


def test_set_cookie_is_werkzeugs_method_with_its_keywords(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        assert type(res).set_cookie is SansioResponse.set_cookie
        res.set_cookie(
            key="sid",
            value="abc",
            max_age=60,
            expires=None,
            path="/app",
            domain=None,
            secure=True,
            httponly=True,
            samesite="Strict",
            partitioned=True,
        )
        return res.send("cookie")

    header = client.get("/").headers["Set-Cookie"]
    parts = header.split("; ")
    assert parts[0] == "sid=abc"
    expected = {"Secure", "HttpOnly", "Max-Age=60", "Path=/app", "SameSite=Strict", "Partitioned"}
    assert expected <= set(parts)
    assert any(part.startswith("Expires=") for part in parts)


def test_flask_cookie_session_works_across_requests(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/login")
    def login(req: Request, res: Response) -> Response:
        flask.session["user"] = "ada"
        return res.send("logged in")

    @app.get("/me")
    def me(req: Request, res: Response) -> Response:
        return res.json({"user": flask.session.get("user")})

    assert client.get("/me").json == {"user": None}

    rv = client.post("/login")
    assert rv.data == b"logged in"
    assert "session=" in rv.headers["Set-Cookie"]
    assert "HttpOnly" in rv.headers["Set-Cookie"]
    assert "Cookie" in rv.headers["Vary"]

    assert client.get("/me").json == {"user": "ada"}


def test_test_client_response_has_parsed_json_and_builder_readers(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.set("X-Header", "hello").json({"n": [1, 2]})

    rv = client.get("/")
    assert isinstance(rv, app.response_class)
    assert rv.json == {"n": [1, 2]}
    assert type(rv).json is WerkzeugResponse.json
    assert rv.get("X-Header") == "hello"
    assert rv.get("x-header") == "hello"
    assert rv.get("X-Absent") is None


# -- MissingFeature --------------------------------------------------------------------------------

MISSING_RESPONSE_METHODS = [
    ("cookie", "fx-cookies", "CookiesMixin"),
    ("setCookie", "fx-cookies", "CookiesMixin"),
    ("clear_cookie", "fx-cookies", "CookiesMixin"),
    ("clearCookie", "fx-cookies", "CookiesMixin"),
    ("attachment", "fx-files", "FilesMixin"),
    ("send_file", "fx-files", "FilesMixin"),
    ("sendFile", "fx-files", "FilesMixin"),
    ("download", "fx-files", "FilesMixin"),
    ("render", "fx-render", "RenderMixin"),
    ("flash", "fx-flash", "FlashMixin"),
    ("sse", "fx-sse", "SSEMixin"),
]


@pytest.mark.parametrize(("name", "distribution", "mixin"), MISSING_RESPONSE_METHODS)
def test_method_of_a_missing_piece_raises_missing_feature(
    app: FlaskExpress,
    client: FlaskClient,
    name: str,
    distribution: str,
    mixin: str,
    pieces_not_installed: None,
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return getattr(res, name)("argument")  # type: ignore[no-any-return]

    with pytest.raises(MissingFeature) as excinfo:
        client.get("/")
    assert isinstance(excinfo.value, AttributeError)
    assert str(excinfo.value) == (
        f"res.{name}() comes from {distribution}: pip install {distribution}, then compose({mixin})"
    )


def test_render_message_is_exactly_the_documented_example(
    app: FlaskExpress, client: FlaskClient, pieces_not_installed: None
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.render("index.html")  # type: ignore[attr-defined,no-any-return]

    with pytest.raises(MissingFeature) as excinfo:
        client.get("/")
    assert str(excinfo.value) == (
        "res.render() comes from fx-render: pip install fx-render, then compose(RenderMixin)"
    )


@pytest.mark.parametrize(("name", "distribution", "mixin"), MISSING_RESPONSE_METHODS)
def test_a_piece_installed_but_not_composed_says_so(
    app: FlaskExpress, client: FlaskClient, name: str, distribution: str, mixin: str
) -> None:
    # Every piece is installed in the test environment; this app's response
    # class composes none of them.
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return getattr(res, name)("argument")  # type: ignore[no-any-return]

    with pytest.raises(MissingFeature) as excinfo:
        client.get("/")
    assert str(excinfo.value) == (
        f"res.{name}() comes from {distribution}, which is installed: compose({mixin})"
    )


def test_request_readers_of_pieces_installed_but_not_composed_say_so(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/<name>")
    def view(req: Request, res: Response, name: str) -> Response:
        return res.json(getattr(req, name))

    for name, call, piece, mixin in [
        ("signed_cookies", "signed_cookies", "fx-cookies", "CookiesMixin"),
        ("last_event_id", "last_event_id", "fx-sse", "SSEMixin"),
    ]:
        with pytest.raises(MissingFeature) as excinfo:
            client.get(f"/{name}")
        assert str(excinfo.value) == (
            f"req.{call} comes from {piece}, which is installed: compose({mixin})"
        )


def test_missing_methods_are_absent_to_hasattr_but_set_cookie_stays(
    app: FlaskExpress, client: FlaskClient
) -> None:
    names = [name for name, _, _ in MISSING_RESPONSE_METHODS]

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.set_cookie("kept", "yes")
        return res.json(
            {
                "missing": {name: hasattr(res, name) for name in names},
                "set_cookie": hasattr(res, "set_cookie"),
            }
        )

    rv = client.get("/")
    assert rv.json == {"missing": dict.fromkeys(names, False), "set_cookie": True}
    assert rv.headers["Set-Cookie"] == "kept=yes; Path=/"


def test_request_readers_of_missing_pieces_raise_missing_feature(
    app: FlaskExpress, client: FlaskClient, pieces_not_installed: None
) -> None:
    @app.get("/flashes")
    def flashes(req: Request, res: Response) -> Response:
        return res.json(req.flashes())

    @app.get("/signed")
    def signed(req: Request, res: Response) -> Response:
        return res.json(req.signed_cookies)

    @app.get("/hasattr")
    def has(req: Request, res: Response) -> Response:
        return res.json({"signed_cookies": hasattr(req, "signed_cookies")})

    with pytest.raises(MissingFeature) as excinfo:
        client.get("/flashes")
    assert str(excinfo.value) == (
        "req.flashes() comes from fx-flash: pip install fx-flash, then compose(FlashMixin)"
    )

    client.set_cookie("token", "abc.sig")
    with pytest.raises(MissingFeature) as excinfo:
        client.get("/signed")
    assert str(excinfo.value) == (
        "req.signed_cookies comes from fx-cookies: "
        "pip install fx-cookies, then compose(CookiesMixin)"
    )

    assert client.get("/hasattr").json == {"signed_cookies": False}


# -- MAX_COOKIE_SIZE ------------------------------------------------------------


def test_max_cookie_size_comes_from_the_apps_config_on_each_request(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        WerkzeugResponse.set_cookie(res, "big", "x" * 200)
        return res.send(str(res.max_cookie_size))

    assert client.get("/").data == b"4093"
    app.config["MAX_COOKIE_SIZE"] = 150
    with pytest.warns(UserWarning, match="cookie is too large"):
        assert client.get("/").data == b"150"


def test_max_cookie_size_without_an_app_is_werkzeugs_default() -> None:
    assert Response().max_cookie_size == 4093
