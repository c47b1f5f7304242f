"""``res.status``: Werkzeug's status string, also callable as Express's
``res.status(code)`` (docs/api/response.md)."""

from __future__ import annotations

import copy
import gc
import json
import pickle
import weakref
import wsgiref.validate
from http import HTTPStatus

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import Client

from fx_core import FlaskExpress, Response
from fx_core.response import Status


def test_calling_it_sets_the_status_and_chains(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/missing")
    def missing(req, res):
        return res.status(404).json({"error": "no such user"})

    rv = client.get("/missing")
    assert rv.status_code == 404
    assert rv.status == "404 NOT FOUND"
    assert rv.json == {"error": "no such user"}


def test_calling_it_returns_the_response_itself() -> None:
    res = Response()
    assert res.status(201) is res
    assert res.status_code == 201
    assert res.status == "201 CREATED"


def test_a_finished_view_may_just_call_it(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/notes")
    def create(req, res):
        res.status(201).send("made")

    rv = client.post("/notes")
    assert (rv.status_code, rv.data) == (201, b"made")


def test_an_http_status_member_is_an_int_code() -> None:
    res = Response()
    res.status(HTTPStatus.ACCEPTED)
    assert res.status_code == 202


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("404", TypeError),
        (404.0, TypeError),
        (True, TypeError),
        (None, TypeError),
        (99, ValueError),
        (1000, ValueError),
    ],
)
def test_it_is_checked_as_send_status_is(code: object, error: type[Exception]) -> None:
    res = Response()
    with pytest.raises(error, match=r"res\.status\(\)"):
        res.status(code)  # type: ignore[arg-type]
    # A refused code leaves the status as it was.
    assert res.status_code == 200


@pytest.mark.parametrize("code", ["404", 1000])
def test_send_status_refuses_the_same_codes(code: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        Response().send_status(code)  # type: ignore[arg-type]


def test_reading_is_werkzeug_string() -> None:
    res = Response()
    status = res.status
    assert isinstance(status, str)
    assert status == "200 OK"
    assert status != "404 NOT FOUND"
    assert status.startswith("200")
    assert status.split() == ["200", "OK"]
    assert str(status) == "200 OK" and type(str(status)) is str
    assert f"{status}" == "200 OK" and f"[{status:>8}]" == "[  200 OK]"
    assert repr(status) == "'200 OK'"
    assert hash(status) == hash("200 OK")
    assert {status: 1}["200 OK"] == 1 and {"200 OK": 1}[status] == 1
    assert json.dumps({status: status}) == '{"200 OK": "200 OK"}'
    assert status + "!" == "200 OK!"
    assert "OK" in status


def test_assigning_is_werkzeug_setter() -> None:
    res = Response()
    res.status = 404
    assert (res.status, res.status_code) == ("404 NOT FOUND", 404)
    res.status = "418 Short And Stout"
    assert (res.status, res.status_code) == ("418 Short And Stout", 418)
    res.status = HTTPStatus.CREATED
    assert (res.status, res.status_code) == ("201 CREATED", 201)
    res.status = " 299 "
    assert (res.status, res.status_code) == ("299 UNKNOWN", 299)
    res.status = "teapot"
    assert (res.status, res.status_code) == ("0 teapot", 0)
    res.status_code = 302
    assert res.status == "302 FOUND"
    with pytest.raises(ValueError, match="Empty status"):
        res.status = ""
    # What was read can be assigned back, and what is kept is a plain str.
    res.status = res.status
    assert type(res.__dict__["_status"]) is str


@pytest.mark.parametrize("status", [201, "201 Made", HTTPStatus.CREATED, "201"])
def test_it_matches_a_plain_flask_response(status: int | str | HTTPStatus) -> None:
    ours, theirs = Response(status=status), Flask.response_class(status=status)
    assert (ours.status, ours.status_code) == (theirs.status, theirs.status_code)
    ours.status, theirs.status = status, status
    assert (ours.status, ours.status_code) == (theirs.status, theirs.status_code)
    assert repr(ours).replace("Response", "") == repr(theirs).replace("Response", "")


def test_flask_view_return_values_still_set_it(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/tuple")
    def plain_tuple():
        return "made", "201 Made Here"

    @app.get("/int")
    def plain_int():
        return "gone", 410

    assert client.get("/tuple").status == "201 Made Here"
    assert client.get("/int").status == "410 GONE"


def test_the_wsgi_server_gets_a_plain_str(app: FlaskExpress) -> None:
    # wsgiref's validator asserts ``type(status) is str``, as wsgiref's server does.
    @app.get("/v")
    def view(req, res):
        return res.status(202).send("ok")

    seen: list[object] = []

    def start_response(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
        seen.append(status)
        return lambda data: None

    body = app.wsgi_app({**_environ("/v")}, start_response)
    b"".join(body)
    getattr(body, "close", lambda: None)()
    assert seen == ["202 ACCEPTED"] and type(seen[0]) is str

    rv = Client(wsgiref.validate.validator(app)).get("/v")
    assert rv.status == "202 ACCEPTED"
    rv.close()


def test_copies_and_pickles_are_plain_strings() -> None:
    status = Response(status=204).status
    for other in (copy.copy(status), copy.deepcopy(status), pickle.loads(pickle.dumps(status))):
        assert other == "204 NO CONTENT" and type(other) is str
    assert pickle.loads(pickle.dumps(Response(status=204))).status == "204 NO CONTENT"


def test_reading_it_keeps_no_cycle() -> None:
    # The response must be freed by reference counting alone, as Flask's is.
    gc.disable()
    try:
        res = Response()
        _ = res.status
        res.status(201)
        ref = weakref.ref(res)
        del res, _
        assert ref() is None
    finally:
        gc.enable()


def test_it_is_a_status_subclass_of_str() -> None:
    assert isinstance(Response().status, Status)
    assert issubclass(Status, str)


def _environ(path: str) -> dict[str, object]:
    from werkzeug.test import EnvironBuilder

    return EnvironBuilder(path=path).get_environ()
