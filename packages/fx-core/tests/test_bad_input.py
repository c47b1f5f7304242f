"""Regression tests for client input that once made a 500 (docs/security.md),
found by integration_tests/test_fuzz.py, and for header values a server
cannot send (docs/choices.md).
"""

from __future__ import annotations

import typing as t

import pytest
from flask.testing import FlaskClient
from munch import Munch
from werkzeug.datastructures import Headers

from fx_core import FlaskExpress, Request, Response

# -- raw bytes in the query string -------------------------------------------


def test_query_bytes_that_are_not_utf8_stay_percent_encoded(
    app: FlaskExpress, client: FlaskClient
) -> None:
    # PEP 3333 lets a server pass the bytes the client sent; Werkzeug
    # decoded them as strict UTF-8 and raised, a 500.
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json(
            {"query": req.query, "args": req.args.to_dict(flat=False), "full": req.full_path}
        )

    rv = client.get("/", environ_overrides={"QUERY_STRING": "q=caf\xe9&r=\xff\xfe&ok=%C3%A9"})
    assert rv.status_code == 200
    assert rv.json == {
        "query": {"q": "caf%E9", "r": "%FF%FE", "ok": "\u00e9"},
        "args": {"q": ["caf%E9"], "r": ["%FF%FE"], "ok": ["\u00e9"]},
        "full": "/?q=caf%E9&r=%FF%FE&ok=%C3%A9",
    }


def test_jsonp_reads_a_callback_next_to_bytes_that_are_not_utf8(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.jsonp(1)

    rv = client.get("/", environ_overrides={"QUERY_STRING": "x=\x80&callback=cb"})
    assert rv.status_code == 200
    assert rv.data == b"/**/ typeof cb === 'function' && cb(1);"


# -- header values a server cannot send ---------------------------------------

#: Characters no header value may hold besides CR, LF and NUL: other
#: controls, and anything past U+00FF, which a WSGI server cannot write as
#: Latin-1 (gunicorn answers 500; U+560D U+560A end in the bytes of CR LF).
UNSENDABLE = ["\x01", "\x0b", "\x1b", "\x1f", "\x7f", "\u2028", "\u20ac", "\u560d\u560a"]


@pytest.mark.parametrize("char", UNSENDABLE, ids=ascii)
@pytest.mark.parametrize(
    "call",
    [
        lambda res, v: res.set("X-Echo", f"a{v}b"),
        lambda res, v: res.set({"X-Ok": "1", "X-Echo": ["fine", f"a{v}b"]}),
        lambda res, v: res.set(Headers([("X-Ok", "1"), ("X-Echo", f"a{v}b")])),
        lambda res, v: res.append("X-Echo", f"a{v}b"),
        lambda res, v: res.type(f"text/plain{v}"),
        lambda res, v: res.links({"next": f"/p/2{v}"}),
        lambda res, v: res.links({f"next{v}": "/p/2"}),
        lambda res, v: res.make_response("x", content_type=f"text/plain{v}"),
    ],
    ids=["set", "set-mapping", "set-headers", "append", "type", "links-url", "links-rel", "make"],
)
def test_a_value_no_header_can_hold_is_refused_and_changes_nothing(
    app: FlaskExpress, client: FlaskClient, char: str, call: t.Callable[[Response, str], t.Any]
) -> None:
    errors: list[ValueError] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.set("X-Keep", "kept")
        before = list(res.headers.items())
        try:
            call(res, char)
        except ValueError as e:
            errors.append(e)
        assert list(res.headers.items()) == before
        return res.send("ok")

    rv = client.get("/")
    assert rv.status_code == 200
    assert len(errors) == 1
    assert repr(char[0]) in str(errors[0])  # the message names the first one
    assert "X-Ok" not in rv.headers and "X-Echo" not in rv.headers
    assert "Link" not in rv.headers


@pytest.mark.parametrize("value", ["a\tb", "caf\u00e9", "\u00a0nbsp\u00ff", " padded "], ids=ascii)
def test_tabs_and_latin1_are_stored_verbatim(
    app: FlaskExpress, client: FlaskClient, value: str
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.set("X-Echo", value).append("X-Echo", value).links({"n": f"/{value}"}).end()

    rv = client.get("/")
    assert rv.headers.getlist("X-Echo") == [value, value]
    assert rv.headers["Link"] == f'</{value}>; rel="n"'


# -- a multipart part without a name -----------------------------------------


def test_a_nameless_multipart_part_is_left_out_of_req_body(
    app: FlaskExpress, client: FlaskClient
) -> None:
    # Werkzeug files it under None; next to str keys, res.json(req.body)
    # failed to sort the keys, a 500.
    @app.post("/")
    def view(req: Request, res: Response) -> Response:
        return res.json(req.body)

    body = (
        b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nnameless\r\n"
        b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--XyZ--\r\n'
    )
    rv = client.post("/", data=body, content_type="multipart/form-data; boundary=XyZ")
    assert rv.status_code == 200
    assert rv.json == {"a": "1"}


# -- dates too large for datetime ----------------------------------------------

#: Not valid HTTP dates, and out of datetime's range: Python's email parser
#: raises OverflowError for them, which Werkzeug let through.
OVERFLOWING = [
    "Sun, 06 Nov 1994 08:49:37 +9999999999999999999",
    "Sun, 06 Nov 99999999999999999999 08:49:37 GMT",
]


@pytest.mark.parametrize("date", OVERFLOWING)
def test_an_overflowing_date_reads_as_no_date(
    app: FlaskExpress, client: FlaskClient, date: str
) -> None:
    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        res.set("Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT")
        return res.json(
            {
                "if_modified_since": req.if_modified_since,
                "if_unmodified_since": req.if_unmodified_since,
                "if_range": req.if_range.to_header(),
                "fresh": req.fresh,
                "header": req.get("If-Modified-Since"),
            }
        )

    headers = {"If-Modified-Since": date, "If-Unmodified-Since": date, "If-Range": date}
    rv = client.get("/", headers=headers)
    assert rv.status_code == 200
    assert rv.json == Munch(
        if_modified_since=None, if_unmodified_since=None, if_range="", fresh=False, header=date
    )


@pytest.mark.parametrize("date", OVERFLOWING)
def test_an_overflowing_date_does_not_break_fx_etag(
    app: FlaskExpress, client: FlaskClient, date: str
) -> None:
    app.config["FX_ETAG"] = True

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.send("body")

    rv = client.get("/", headers={"If-Modified-Since": date})
    assert rv.status_code == 200
    assert rv.data == b"body"
