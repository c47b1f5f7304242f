"""``res.jsonp``, ``res.format`` and ``res.links`` (docs/api/response.md).

Every test makes a real request through Flask's test client to a real view.
An exception raised in a view propagates out of ``client.get`` because the
``app`` fixture sets ``TESTING``; views that must keep going after a failed
call catch the error, record it and then answer.
"""

from __future__ import annotations

import json as jsonlib
import typing as t

import pytest
from flask.json.provider import DefaultJSONProvider, JSONProvider
from flask.testing import FlaskClient
from werkzeug.exceptions import NotAcceptable

from fx_core import FlaskExpress, Request, Response, ResponseAlreadySent

Call = t.Callable[[Response], t.Any]

JS = "text/javascript; charset=utf-8"
JSON = "application/json"
HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


class Widget:
    """A value no JSON provider knows how to serialize."""


def snapshot(res: Response) -> tuple[str, list[tuple[str, str]], bytes, str | None]:
    return res.status, list(res.headers.items()), res.get_data(), res.finished_by


# -- jsonp ----------------------------------------------------------------------------------------


def test_jsonp_wraps_the_json_in_the_callback(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        rv = res.jsonp({"name": "Ada", "tags": [1, 2]})
        assert rv is res
        return rv

    rv = client.get("/?callback=show")
    assert rv.status_code == 200
    assert rv.data == (b'/**/ typeof show === \'function\' && show({"name":"Ada","tags":[1,2]});')
    assert rv.headers.getlist("Content-Type") == [JS]
    assert rv.headers.getlist("X-Content-Type-Options") == ["nosniff"]


@pytest.mark.parametrize(
    ("callback", "cleaned"),
    [
        ("alert(1)//", "alert1"),
        ("<script>", "script"),
        ("</script><script>alert(1)</script>", "scriptscriptalert1script"),
        ("my callback", "mycallback"),
        ("cb\nalert(1)", "cbalert1"),
        ("cb\r\nX-Evil: 1", "cbXEvil1"),
        ("a;b'c\"d`e", "abcde"),
        ("café", "caf"),  # \w as in JavaScript: ASCII only
        ("jQuery_1.2$[0].cb", "jQuery_1.2$[0].cb"),
    ],
    ids=repr,
)
def test_jsonp_removes_characters_outside_express_set(
    app: FlaskExpress, client: FlaskClient, callback: str, cleaned: str
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.jsonp([1])

    rv = client.get("/", query_string={"callback": callback})
    assert rv.status_code == 200
    assert rv.data == f"/**/ typeof {cleaned} === 'function' && {cleaned}([1]);".encode()
    assert rv.headers["Content-Type"] == JS
    assert rv.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "query",
    ["", "?callback=", "?callback=()%3C%3E", "?other=cb", "?callback=&callback=second"],
    ids=["missing", "empty", "nothing-left-once-cleaned", "other-parameter", "first-empty"],
)
def test_jsonp_without_a_callback_is_plain_json(
    app: FlaskExpress, client: FlaskClient, query: str
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.jsonp({"a": 1})

    rv = client.get(f"/{query}")
    assert rv.status_code == 200
    assert rv.data == b'{"a":1}\n'
    assert rv.headers.getlist("Content-Type") == [JSON]
    assert "X-Content-Type-Options" not in rv.headers


def test_jsonp_repeated_parameter_uses_the_first_value(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.jsonp(1)

    rv = client.get("/?callback=first&callback=second")
    assert rv.data == b"/**/ typeof first === 'function' && first(1);"
    assert rv.headers["Content-Type"] == JS


def test_jsonp_callback_parameter_comes_from_config_on_each_call(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.jsonp(True)

    assert client.get("/?callback=a").data == b"/**/ typeof a === 'function' && a(true);"
    assert client.get("/?cb=a").data == b"true\n"

    app.config["FX_JSONP_CALLBACK"] = "cb"
    assert client.get("/?cb=b").data == b"/**/ typeof b === 'function' && b(true);"
    rv = client.get("/?callback=b")
    assert rv.data == b"true\n"
    assert rv.headers["Content-Type"] == JSON


@pytest.mark.parametrize("name", [None, ""])
def test_jsonp_with_an_empty_callback_config_is_plain_json(
    app: FlaskExpress, client: FlaskClient, name: str | None
) -> None:
    app.config["FX_JSONP_CALLBACK"] = name

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.jsonp([])

    rv = client.get("/?callback=cb&=cb")
    assert rv.data == b"[]\n"
    assert rv.headers["Content-Type"] == JSON


def test_jsonp_with_a_callback_replaces_a_content_type_set_before(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.set("Content-Type", "application/vnd.api+json").set("X-Content-Type-Options", "x")
        return res.jsonp({"data": []})

    rv = client.get("/?callback=cb")
    assert rv.headers.getlist("Content-Type") == [JS]
    assert rv.headers.getlist("X-Content-Type-Options") == ["nosniff"]
    assert rv.data == b"/**/ typeof cb === 'function' && cb({\"data\":[]});"

    rv = client.get("/")
    assert rv.headers.getlist("Content-Type") == ["application/vnd.api+json"]
    assert rv.headers.getlist("X-Content-Type-Options") == ["x"]
    assert rv.data == b'{"data":[]}\n'


def test_jsonp_escapes_line_separators_with_ascii_output(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.jsonp({"s": "a\u2028b\u2029c"})

    rv = client.get("/?callback=cb")
    assert rv.data == b'/**/ typeof cb === \'function\' && cb({"s":"a\\u2028b\\u2029c"});'


def test_jsonp_escapes_line_separators_even_without_ensure_ascii(
    app: FlaskExpress, client: FlaskClient
) -> None:
    t.cast(DefaultJSONProvider, app.json).ensure_ascii = False

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.jsonp({"s": "é\u2028b\u2029c"})

    rv = client.get("/?callback=cb")
    assert rv.data == ('/**/ typeof cb === \'function\' && cb({"s":"é\\u2028b\\u2029c"});'.encode())
    assert "\u2028".encode() not in rv.data
    assert "\u2029".encode() not in rv.data

    # Without a callback it is JSON, where the raw characters are valid.
    rv = client.get("/")
    assert rv.data == '{"s":"é\u2028b\u2029c"}\n'.encode()


def test_jsonp_escapes_line_separators_from_a_custom_provider(
    app: FlaskExpress, client: FlaskClient
) -> None:
    class RawProvider(JSONProvider):
        def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
            return jsonlib.dumps(obj, ensure_ascii=False, sort_keys=True)

        def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
            return jsonlib.loads(s)

    app.json = RawProvider(app)

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.jsonp({"z": "\u2029", "a": "\u2028"})

    rv = client.get("/?callback=cb")
    assert rv.data == (b'/**/ typeof cb === \'function\' && cb({"a": "\\u2028", "z": "\\u2029"});')
    assert client.get("/").data == '{"a": "\u2028", "z": "\u2029"}'.encode()


def test_jsonp_serializes_through_the_app_provider(app: FlaskExpress, client: FlaskClient) -> None:
    class SetProvider(DefaultJSONProvider):
        @staticmethod
        def default(o: t.Any) -> t.Any:
            if isinstance(o, (set, frozenset)):
                return sorted(o)
            return DefaultJSONProvider.default(o)

    app.json = SetProvider(app)

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.jsonp({"tags": {"b", "a"}, "b": 1})

    rv = client.get("/?callback=cb")
    assert rv.data == b'/**/ typeof cb === \'function\' && cb({"b":1,"tags":["a","b"]});'

    t.cast(DefaultJSONProvider, app.json).sort_keys = False
    t.cast(DefaultJSONProvider, app.json).compact = False
    rv = client.get("/?callback=cb")
    assert rv.data == (
        b"/**/ typeof cb === 'function' && cb({\n"
        b'  "tags": [\n    "a",\n    "b"\n  ],\n  "b": 1\n});'
    )


def test_jsonp_takes_keywords_or_nothing_as_json_does(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/kw")
    def kw(req: Request, res: Response) -> Response:
        return res.jsonp(id=1)

    @app.get("/none")
    def none(req: Request, res: Response) -> Response:
        return res.jsonp()

    @app.get("/null")
    def null(req: Request, res: Response) -> Response:
        return res.jsonp(None)

    assert client.get("/kw?callback=f").data == b"/**/ typeof f === 'function' && f({\"id\":1});"
    assert client.get("/none?callback=f").data == b"/**/ typeof f === 'function' && f({});"
    assert client.get("/null?callback=f").data == b"/**/ typeof f === 'function' && f(null);"
    assert client.get("/kw").data == b'{"id":1}\n'


@pytest.mark.parametrize("query", ["?callback=cb", ""], ids=["callback", "plain"])
def test_jsonp_keeps_status_headers_and_cookies_set_before(
    app: FlaskExpress, client: FlaskClient, query: str
) -> None:
    @app.get("/")  # type: ignore[type-var]  # a (req, res) view may return None
    def view(req: Request, res: Response) -> None:
        res.send_status(201).set("X-Before", "1").set_cookie("flavor", "oat")
        res.jsonp({"ok": True})

    rv = client.get(f"/{query}")
    assert rv.status_code == 201
    assert rv.headers["X-Before"] == "1"
    assert rv.headers.getlist("Set-Cookie") == ["flavor=oat; Path=/"]


FAILING_JSONP: list[tuple[str, Call]] = [
    ("not-serializable", lambda res: res.jsonp({"w": Widget()})),
    ("value-and-keywords", lambda res: res.jsonp({"a": 1}, b=2)),
    ("two-values", lambda res: res.jsonp(1, 2)),
]


@pytest.mark.parametrize("query", ["?callback=cb", ""], ids=["callback", "plain"])
@pytest.mark.parametrize(
    "call", [call for _, call in FAILING_JSONP], ids=[name for name, _ in FAILING_JSONP]
)
def test_jsonp_misuse_raises_type_error_and_leaves_res_unchanged(
    app: FlaskExpress, client: FlaskClient, call: Call, query: str
) -> None:
    errors: list[Exception] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.send_status(202).set("X-Before", "1")
        before = snapshot(res)
        try:
            call(res)
        except TypeError as e:
            errors.append(e)
        assert snapshot(res) == before
        return res.send("second chance")

    rv = client.get(f"/{query}")
    assert len(errors) == 1
    assert str(errors[0]).startswith("res.jsonp()")
    assert rv.status_code == 202
    assert rv.data == b"second chance"
    assert rv.headers["Content-Type"] == HTML
    assert "X-Content-Type-Options" not in rv.headers


def test_jsonp_not_serializable_names_the_type(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.jsonp({"w": Widget()})

    with pytest.raises(TypeError, match=r"res\.jsonp\(\).*Widget"):
        client.get("/?callback=cb")


# -- format ---------------------------------------------------------------------------------------


def html_or_json(res: Response) -> dict[str, t.Callable[[], t.Any]]:
    return {
        "text/html": lambda: res.send("<p>hi</p>"),
        "application/json": lambda: res.json({"hi": True}),
    }


@pytest.mark.parametrize(
    ("accept", "body", "content_type"),
    [
        ("text/html", b"<p>hi</p>", HTML),
        ("application/json", b'{"hi":true}\n', JSON),
        ("application/json;q=0.5, text/html;q=0.9", b"<p>hi</p>", HTML),
        ("text/html;q=0.1, application/json", b'{"hi":true}\n', JSON),
        ("*/*", b"<p>hi</p>", HTML),
        ("application/*", b'{"hi":true}\n', JSON),
        ("text/*, application/json;q=0.2", b"<p>hi</p>", HTML),
        ("application/json;q=0, */*", b"<p>hi</p>", HTML),
        ("image/png, application/json;q=0.1", b'{"hi":true}\n', JSON),
    ],
)
def test_format_calls_the_handler_the_client_prefers(
    app: FlaskExpress, client: FlaskClient, accept: str, body: bytes, content_type: str
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        rv = res.format(html_or_json(res))
        assert rv is res
        return rv

    rv = client.get("/", headers={"Accept": accept})
    assert rv.status_code == 200
    assert rv.data == body
    assert rv.headers.getlist("Content-Type") == [content_type]
    assert rv.headers.getlist("Vary") == ["Accept"]


@pytest.mark.parametrize(
    ("accept", "body", "content_type"),
    [
        ("application/json", b'{"as":"json"}\n', JSON),
        ("text/plain", b"as text", TEXT),
        ("text/html", b"<i>as html</i>", HTML),
        ("text/csv, text/plain;q=0.5", b"as text", TEXT),
    ],
)
def test_format_keys_may_be_extensions(
    app: FlaskExpress, client: FlaskClient, accept: str, body: bytes, content_type: str
) -> None:
    @app.get("/")  # type: ignore[type-var]  # a (req, res) view may return None
    def view(req: Request, res: Response) -> None:
        res.format(
            {
                "json": lambda: res.json({"as": "json"}),
                "text": lambda: res.send("as text"),
                ".html": lambda: res.send("<i>as html</i>"),
            }
        )

    rv = client.get("/", headers={"Accept": accept})
    assert rv.status_code == 200
    assert rv.data == body
    assert rv.headers.getlist("Content-Type") == [content_type]


@pytest.mark.parametrize("headers", [{}, {"Accept": ""}, {"Accept": "  "}], ids=repr)
def test_format_without_accept_takes_the_first_handler(
    app: FlaskExpress, client: FlaskClient, headers: dict[str, str]
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        # "default" is not a type: the first type wins even if default comes first.
        return res.format(
            {
                "default": lambda: res.send("default"),
                "text/plain": lambda: res.send("first"),
                "application/json": lambda: res.json("second"),
            }
        )

    rv = client.get("/", headers=headers)
    assert rv.status_code == 200
    assert rv.data == b"first"
    assert rv.headers["Content-Type"] == TEXT
    assert rv.headers["Vary"] == "Accept"


def test_format_default_answers_when_nothing_matches(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.format(
            {
                "application/json": lambda: res.json([]),
                "default": lambda: res.send_status(300).send("pick one"),
            }
        )

    rv = client.get("/", headers={"Accept": "image/webp"})
    assert rv.status_code == 300
    assert rv.data == b"pick one"
    # The default handler is not a negotiated type: send() picks its own.
    assert rv.headers.getlist("Content-Type") == [HTML]
    assert rv.headers.getlist("Vary") == ["Accept"]


def test_format_with_only_a_default_always_calls_it(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.format({"default": lambda: res.send("anything")})

    for headers in ({}, {"Accept": "application/json"}, {"Accept": "x/y"}):
        rv = client.get("/", headers=headers)
        assert rv.status_code == 200
        assert rv.data == b"anything"
        assert rv.headers["Vary"] == "Accept"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (None, ["Accept"]),
        ("Accept-Encoding", ["Accept-Encoding, Accept"]),
        ("Origin, accept", ["Origin, accept"]),
        ("*", ["*"]),
    ],
)
def test_format_adds_accept_to_vary_without_clobbering_it(
    app: FlaskExpress, client: FlaskClient, before: str | None, after: list[str]
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        if before is not None:
            res.set("Vary", before)
        return res.format({"json": lambda: res.json(1)})

    rv = client.get("/", headers={"Accept": "application/json"})
    assert rv.headers.getlist("Vary") == after


def test_format_merges_several_vary_headers_into_one(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.append("Vary", "Origin").append("Vary", "Cookie")
        return res.format({"json": lambda: res.json(1)})

    rv = client.get("/")
    assert rv.headers.getlist("Vary") == ["Origin, Cookie, Accept"]


def test_format_406_without_a_match_or_default(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.format(html_or_json(res))

    rv = client.get("/", headers={"Accept": "image/png"})
    assert rv.status_code == 406
    assert b"Not Acceptable" in rv.data
    assert b"text/html, application/json" in rv.data
    assert rv.headers.getlist("Vary") == ["Accept"]
    assert b"<p>hi</p>" not in rv.data


@pytest.mark.parametrize(
    "accept", ["application/json;q=0", "%%%", ";;;,,,", "text", "*/html"], ids=repr
)
def test_format_406_for_refused_or_garbage_accept_headers(
    app: FlaskExpress, client: FlaskClient, accept: str
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.format({"json": lambda: res.json(1)})

    rv = client.get("/", headers={"Accept": accept})
    assert rv.status_code == 406
    assert b"Traceback" not in rv.data


def test_format_with_no_handlers_at_all_is_406(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.format({})

    assert client.get("/").status_code == 406


def test_format_406_goes_to_the_app_error_handlers(app: FlaskExpress, client: FlaskClient) -> None:
    @app.errorhandler(406)
    def not_acceptable(e: NotAcceptable) -> tuple[str, int]:
        assert isinstance(e, NotAcceptable)
        return f"custom 406: {e.description}", 406

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.set("X-Before", "1")
        return res.format(html_or_json(res))

    rv = client.get("/", headers={"Accept": "text/csv"})
    assert rv.status_code == 406
    assert rv.data == b"custom 406: This resource is available as: text/html, application/json."
    # Flask's handler made the answer: nothing set on res reaches it.
    assert "X-Before" not in rv.headers


def test_format_406_is_caught_by_a_not_acceptable_class_handler(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.errorhandler(NotAcceptable)
    def not_acceptable(e: NotAcceptable) -> tuple[str, int]:
        return "by class", 406

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.format({"json": lambda: res.json(1)})

    rv = client.get("/", headers={"Accept": "text/html"})
    assert rv.status_code == 406
    assert rv.data == b"by class"


def test_format_406_leaves_res_unchanged_and_open(app: FlaskExpress, client: FlaskClient) -> None:
    errors: list[NotAcceptable] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.send_status(201).set("X-Before", "1")
        before = snapshot(res)
        try:
            res.format(html_or_json(res))
        except NotAcceptable as e:
            errors.append(e)
        assert snapshot(res) == before
        return res.type("txt").send("fallback")

    rv = client.get("/", headers={"Accept": "image/png"})
    assert len(errors) == 1
    assert errors[0].code == 406
    assert rv.status_code == 201
    assert rv.data == b"fallback"
    assert rv.headers["Content-Type"] == TEXT
    assert "Vary" not in rv.headers


def test_format_sets_the_matched_type_unless_the_handler_sets_one(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/plain")
    def plain(req: Request, res: Response) -> Response:
        return res.format({"text/plain": lambda: res.send("x")})

    @app.get("/bytes")
    def as_bytes(req: Request, res: Response) -> Response:
        return res.format({"application/json": lambda: res.send(b"[1]")})

    @app.get("/own")
    def own(req: Request, res: Response) -> Response:
        return res.format({"text/plain": lambda: res.type("csv").send("a,b")})

    @app.get("/params")
    def params(req: Request, res: Response) -> Response:
        return res.format({"text/plain; charset=latin-1": lambda: res.send("x")})

    @app.get("/wildcard")
    def wildcard(req: Request, res: Response) -> Response:
        return res.format({"text/*": lambda: res.send("x")})

    assert client.get("/plain").headers.getlist("Content-Type") == [TEXT]
    rv = client.get("/bytes")
    assert rv.headers.getlist("Content-Type") == [JSON]
    assert rv.data == b"[1]"
    assert client.get("/own").headers.getlist("Content-Type") == ["text/csv; charset=utf-8"]
    rv = client.get("/params", headers={"Accept": "text/plain"})
    assert rv.headers.getlist("Content-Type") == ["text/plain; charset=latin-1"]
    rv = client.get("/wildcard", headers={"Accept": "text/markdown"})
    assert rv.status_code == 200
    assert rv.headers.getlist("Content-Type") == [HTML]


def test_format_keeps_a_content_type_set_before(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.type("application/vnd.api+json")
        return res.format({"json": lambda: res.json({"data": []})})

    rv = client.get("/", headers={"Accept": "application/json"})
    assert rv.headers.getlist("Content-Type") == ["application/vnd.api+json"]
    assert rv.data == b'{"data":[]}\n'


def test_format_calls_the_handler_with_no_arguments(app: FlaskExpress, client: FlaskClient) -> None:
    calls: list[tuple[tuple[t.Any, ...], dict[str, t.Any]]] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        def handler(*args: t.Any, **kwargs: t.Any) -> Response:
            calls.append((args, kwargs))
            return res.json({"path": req.path})

        return res.format({"json": handler, "html": lambda: pytest.fail("not chosen")})

    rv = client.get("/", headers={"Accept": "application/json"})
    assert calls == [((), {})]
    assert rv.data == b'{"path":"/"}\n'


@pytest.mark.parametrize(
    ("returned", "body", "content_type"),
    [
        ({"a": 1}, b'{"a":1}\n', JSON),
        ([1, 2], b"[1,2]\n", JSON),
        ("<b>x</b>", b"<b>x</b>", HTML),
        (b"raw", b"raw", "application/octet-stream"),
    ],
    ids=["dict", "list", "str", "bytes"],
)
def test_format_sends_a_value_the_handler_returns(
    app: FlaskExpress,
    client: FlaskClient,
    returned: t.Any,
    body: bytes,
    content_type: str,
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.format({"default": lambda: returned})

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == body
    assert rv.headers.getlist("Content-Type") == [content_type]


def test_format_sends_a_returned_value_with_the_matched_type(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.format({"text/plain": lambda: "plain words"})

    rv = client.get("/")
    assert rv.data == b"plain words"
    assert rv.headers.getlist("Content-Type") == [TEXT]


def test_format_handler_returning_res_unfinished_sends_it_as_is(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.format({"default": lambda: res.send_status(204).set("X-Done", "yes")})
        assert res.finished_by == "format"
        return res

    rv = client.get("/")
    assert rv.status_code == 204
    assert rv.data == b""
    assert rv.headers["X-Done"] == "yes"


def test_format_handler_finishing_res_is_the_one_terminal_call(
    app: FlaskExpress, client: FlaskClient
) -> None:
    names: list[str | None] = []

    @app.get("/")  # type: ignore[type-var]  # a (req, res) view may return None
    def view(req: Request, res: Response) -> None:
        res.format({"json": lambda: res.json({"once": True})})
        names.append(res.finished_by)

    rv = client.get("/")
    assert rv.data == b'{"once":true}\n'
    assert names == ["json"]


@pytest.mark.parametrize(
    ("handlers", "named"),
    [
        (lambda res: {"json": lambda: res.json(1)}, "json"),
        (lambda res: {"html": lambda: res.send("x")}, "send"),
        (lambda res: {"default": lambda: "returned"}, "format"),
        (lambda res: {"default": lambda: res}, "format"),
    ],
    ids=["handler-json", "handler-send", "returned-value", "returned-res"],
)
@pytest.mark.parametrize(
    "second",
    [
        lambda res: res.send("again"),
        lambda res: res.jsonp(2),
        lambda res: res.format({"default": lambda: res.send("again")}),
        lambda res: res.end(),
    ],
    ids=["send", "jsonp", "format", "end"],
)
def test_second_terminal_call_after_format_raises(
    app: FlaskExpress,
    client: FlaskClient,
    handlers: t.Callable[[Response], dict[str, t.Callable[[], t.Any]]],
    named: str,
    second: Call,
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.format(handlers(res))
        return second(res)  # type: ignore[no-any-return]

    with pytest.raises(ResponseAlreadySent, match=rf"but res\.{named}\(\) already sent"):
        client.get("/")


@pytest.mark.parametrize(
    "first",
    [
        lambda res: res.send("first"),
        lambda res: res.jsonp(1),
        lambda res: res.format({"default": lambda: res.send("first")}),
    ],
    ids=["send", "jsonp", "format"],
)
@pytest.mark.parametrize("second", ["jsonp", "format"])
def test_jsonp_and_format_on_a_finished_response_raise(
    app: FlaskExpress, client: FlaskClient, first: Call, second: str
) -> None:
    errors: list[Exception] = []
    handler_ran: list[bool] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        first(res)
        before = snapshot(res)
        try:
            if second == "jsonp":
                res.jsonp({"second": True})
            else:
                res.format({"default": lambda: handler_ran.append(True)})
        except ResponseAlreadySent as e:
            errors.append(e)
        assert snapshot(res) == before
        return res

    rv = client.get("/?callback=cb")
    assert len(errors) == 1
    assert str(errors[0]).startswith(f"res.{second}() was called")
    assert handler_ran == []
    assert b"second" not in rv.data


def test_format_handler_returning_none_unfinished_raises_and_restores(
    app: FlaskExpress, client: FlaskClient
) -> None:
    errors: list[Exception] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.set("Vary", "Origin")
        before = snapshot(res)
        try:
            res.format({"text/plain": lambda: res.set("X-Handler", "ran") and None})
        except TypeError as e:
            errors.append(e)
        after = snapshot(res)
        assert after[3] is None
        # What format itself changed (Vary, Content-Type) is undone.
        assert res.headers.getlist("Vary") == ["Origin"]
        assert "Content-Type" not in res.headers
        assert after[:3] != before[:3]  # the handler's own header stays
        return res.send("recovered")

    rv = client.get("/")
    assert len(errors) == 1
    assert "'text/plain'" in str(errors[0])
    assert "returned None and did not finish res" in str(errors[0])
    assert rv.data == b"recovered"
    assert rv.headers["Content-Type"] == HTML
    assert rv.headers.getlist("Vary") == ["Origin"]


def test_format_handler_that_raises_leaves_res_as_it_was(
    app: FlaskExpress, client: FlaskClient
) -> None:
    errors: list[Exception] = []

    def boom() -> t.NoReturn:
        raise LookupError("no such user")

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        before = snapshot(res)
        try:
            res.format({"json": boom})
        except LookupError as e:
            errors.append(e)
        assert snapshot(res) == before
        return res.send("recovered")

    rv = client.get("/", headers={"Accept": "application/json"})
    assert [str(e) for e in errors] == ["no such user"]
    assert rv.data == b"recovered"
    assert rv.headers["Content-Type"] == HTML
    assert "Vary" not in rv.headers


def test_format_handler_returning_an_unsendable_value_restores(
    app: FlaskExpress, client: FlaskClient
) -> None:
    errors: list[Exception] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        before = snapshot(res)
        try:
            res.format({"html": lambda: object()})
        except TypeError as e:
            errors.append(e)
        assert snapshot(res) == before
        return res.send("recovered")

    rv = client.get("/")
    assert len(errors) == 1
    assert "res.send() cannot send a object" in str(errors[0])
    assert rv.data == b"recovered"


def test_format_rejects_an_async_handler(app: FlaskExpress, client: FlaskClient) -> None:
    errors: list[Exception] = []

    async def handler() -> None:
        raise AssertionError("never awaited")

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        before = snapshot(res)
        try:
            res.format({"json": handler})
        except TypeError as e:
            errors.append(e)
        assert snapshot(res) == before
        return res.send("recovered")

    rv = client.get("/")
    assert len(errors) == 1
    assert "is async" in str(errors[0])
    assert rv.data == b"recovered"


def test_format_works_in_an_async_view(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    async def view(req: Request, res: Response) -> Response:
        return res.format({"json": lambda: res.json({"async": True})})

    rv = client.get("/", headers={"Accept": "application/json"})
    assert rv.data == b'{"async":true}\n'


FORMAT_MISUSE: list[tuple[str, Call, type[Exception], str]] = [
    ("list", lambda res: res.format([("json", lambda: 1)]), TypeError, "mapping"),  # type: ignore[arg-type]
    ("not-callable", lambda res: res.format({"json": "ok"}), TypeError, "not callable"),  # type: ignore[dict-item]
    ("int-key", lambda res: res.format({1: lambda: 1}), TypeError, "key must be a str"),  # type: ignore[dict-item]
    ("unknown-ext", lambda res: res.format({"nope-ext": lambda: 1}), ValueError, "nope-ext"),
    ("empty-key", lambda res: res.format({"": lambda: 1}), ValueError, "MIME type"),
]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [(call, error, message) for _, call, error, message in FORMAT_MISUSE],
    ids=[name for name, _, _, _ in FORMAT_MISUSE],
)
def test_format_misuse_raises_and_leaves_res_unchanged(
    app: FlaskExpress, client: FlaskClient, call: Call, error: type[Exception], message: str
) -> None:
    caught: list[Exception] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        before = snapshot(res)
        try:
            call(res)
        except (TypeError, ValueError) as e:
            caught.append(e)
        assert snapshot(res) == before
        return res.send("ok")

    rv = client.get("/")
    assert [type(e) for e in caught] == [error]
    assert message in str(caught[0])
    assert rv.data == b"ok"
    assert "Vary" not in rv.headers


def test_format_keeps_status_headers_and_cookies_set_before(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.send_status(201).set("X-Before", "1").set_cookie("flavor", "oat")
        return res.format({"json": lambda: res.json({"made": True})})

    rv = client.get("/")
    assert rv.status_code == 201
    assert rv.headers["X-Before"] == "1"
    assert rv.headers.getlist("Set-Cookie") == ["flavor=oat; Path=/"]
    assert rv.data == b'{"made":true}\n'


# -- links ----------------------------------------------------------------------------------------


def test_links_sets_one_link_header_and_chains(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        chained = res.links(
            {
                "next": "http://api.example.com/users?page=2",
                "last": "http://api.example.com/users?page=5",
            }
        )
        assert chained is res
        return chained.json([])

    rv = client.get("/")
    assert rv.headers.getlist("Link") == [
        '<http://api.example.com/users?page=2>; rel="next", '
        '<http://api.example.com/users?page=5>; rel="last"'
    ]
    assert rv.data == b"[]\n"


def test_links_appends_to_an_earlier_link_header(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.links({"prev": "/p/1"}).links({"next": "/p/3"})
        return res.send("ok")

    @app.get("/set-before")
    def set_before(req: Request, res: Response) -> Response:
        res.append("Link", "</a.css>; rel=preload").append("Link", "</b.js>; rel=preload")
        return res.links({"next": "/p/2"}).send("ok")

    assert client.get("/").headers.getlist("Link") == ['</p/1>; rel="prev", </p/3>; rel="next"']
    assert client.get("/set-before").headers.getlist("Link") == [
        '</a.css>; rel=preload, </b.js>; rel=preload, </p/2>; rel="next"'
    ]


def test_links_list_value_gives_one_entry_per_url(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.links({"alternate": ["/en", "/fr"], "self": ("/me",), "up": "/"})
        return res.send("ok")

    assert client.get("/").headers.getlist("Link") == [
        '</en>; rel="alternate", </fr>; rel="alternate", </me>; rel="self", </>; rel="up"'
    ]


@pytest.mark.parametrize("links", [{}, {"next": []}], ids=["empty", "empty-list"])
def test_links_with_no_entries_changes_nothing(
    app: FlaskExpress, client: FlaskClient, links: dict[str, t.Any]
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        assert res.links(links) is res
        assert "Link" not in res.headers
        return res.links({"a": "/a"}).links(links).send("ok")

    assert client.get("/").headers.getlist("Link") == ['</a>; rel="a"']


def test_links_survive_every_core_terminal(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/redirect")
    def redirect(req: Request, res: Response) -> Response:
        return res.links({"next": "/n"}).redirect("/elsewhere")

    @app.get("/jsonp")
    def jsonp(req: Request, res: Response) -> Response:
        return res.links({"next": "/n"}).jsonp(1)

    assert client.get("/redirect").headers["Link"] == '</n>; rel="next"'
    assert client.get("/jsonp?callback=cb").headers["Link"] == '</n>; rel="next"'


LINKS_MISUSE: list[tuple[str, t.Any, type[Exception], str]] = [
    ("lf-in-url", {"next": "/p/2\nX-Evil: 1"}, ValueError, "CR, LF"),
    ("cr-in-url", {"next": "/p/2\rX-Evil: 1"}, ValueError, "CR, LF"),
    ("crlf-in-listed-url", {"a": ["/ok", "/bad\r\n"]}, ValueError, "CR, LF"),
    ("lf-in-name", {"next\nX-Evil: 1": "/p/2"}, ValueError, "CR, LF"),
    ("cr-in-name", {"next\r": "/p/2"}, ValueError, "CR, LF"),
    ("nul-in-url", {"next": "/p\x002"}, ValueError, "NUL"),
    ("angle-in-url", {"next": '/p>; rel="preload'}, ValueError, "'<' or '>'"),
    ("quote-in-name", {'next"; x="1': "/p"}, ValueError, "quote"),
    ("backslash-in-name", {"next\\": "/p"}, ValueError, "backslash"),
    ("empty-name", {"": "/p"}, ValueError, "empty"),
    ("int-url", {"next": 2}, TypeError, "must be a str"),
    ("int-name", {2: "/p"}, TypeError, "must be a str"),
    ("not-a-mapping", [("next", "/p")], TypeError, "mapping"),
]


@pytest.mark.parametrize(
    ("links", "error", "message"),
    [(links, error, message) for _, links, error, message in LINKS_MISUSE],
    ids=[name for name, _, _, _ in LINKS_MISUSE],
)
def test_links_rejects_bad_names_and_urls_and_changes_nothing(
    app: FlaskExpress, client: FlaskClient, links: t.Any, error: type[Exception], message: str
) -> None:
    caught: list[Exception] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        # Valid entries before the bad one are not added either.
        res.links({"first": "/1"})
        before = snapshot(res)
        try:
            res.links({"good": "/good", **links} if isinstance(links, dict) else links)
        except (TypeError, ValueError) as e:
            caught.append(e)
        assert snapshot(res) == before
        return res.send("ok")

    rv = client.get("/")
    assert [type(e) for e in caught] == [error]
    assert message in str(caught[0])
    assert rv.headers.getlist("Link") == ['</1>; rel="first"']
    assert "X-Evil" not in rv.headers
