"""``fx_core.Request`` (docs/api/request.md), through real requests to real views."""

from __future__ import annotations

import io
import typing as t
import uuid

import flask
import pytest
from flask import g
from flask.testing import FlaskClient
from munch import Munch

from fx_core import Blueprint, FlaskExpress, Request, Response
from fx_core.client_data import HeaderMunch, JSONList, JSONMunch, SessionView

if t.TYPE_CHECKING:
    from werkzeug.test import TestResponse


def assert_bad_request(rv: TestResponse) -> None:
    """A client error: 400, Flask's Bad Request page, and no traceback."""
    assert rv.status_code == 400
    assert b"Bad Request" in rv.data
    assert b"Traceback" not in rv.data
    assert b"view ran on" not in rv.data


# -- the request object ---------------------------------------------------------


def test_req_is_fx_request_and_flask_request(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        assert isinstance(req, Request)
        assert isinstance(req, flask.Request)
        assert flask.request._get_current_object() is req  # type: ignore[attr-defined]
        return res.send("ok")

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b"ok"


# -- req.query ------------------------------------------------------------------


def test_query_single_and_repeated(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/search")
    def search(req: Request, res: Response) -> Response:
        assert isinstance(req.query, Munch)
        return res.json({"q": req.query.q, "tag": req.query.tag, "blank": req.query.blank})

    rv = client.get("/search?q=a%20b&tag=x&tag=y&blank=")
    assert rv.status_code == 200
    assert rv.json == {"q": "a b", "tag": ["x", "y"], "blank": ""}


def test_query_get_missing_is_none(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/search")
    def search(req: Request, res: Response) -> Response:
        return res.json(
            {
                "page": req.query.get("page"),
                "default": req.query.get("page", "1"),
                "has_page": "page" in req.query,
                "keys": sorted(req.query),
            }
        )

    rv = client.get("/search?q=x")
    assert rv.json == {"page": None, "default": "1", "has_page": False, "keys": ["q"]}


def test_query_missing_attribute_raises_in_view(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/caught")
    def caught(req: Request, res: Response) -> Response:
        try:
            req.query.page  # noqa: B018
        except AttributeError as e:
            return res.send(f"AttributeError: {e}")
        return res.send("no error")

    @app.get("/uncaught")
    def uncaught(req: Request, res: Response) -> Response:
        return res.send(req.query.page)

    rv = client.get("/caught?q=x")
    assert rv.data == b"AttributeError: 400 Bad Request: The request has no query parameter 'page'."
    # A parameter the client left out is the client's error: 400, never a 500.
    rv = client.get("/uncaught?q=x")
    assert rv.status_code == 400
    assert b"The request has no query parameter &#39;page&#39;." in rv.data
    assert b"Traceback" not in rv.data


def test_query_empty(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.json({"query": req.query, "len": len(req.query)})

    assert client.get("/").json == {"query": {}, "len": 0}


# -- req.body -------------------------------------------------------------------


def test_body_urlencoded(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/form")
    def form(req: Request, res: Response) -> Response:
        assert isinstance(req.body, Munch)
        return res.json({"name": req.body.name, "tag": req.body.tag, "x": req.body.get("x")})

    rv = client.post("/form", data={"name": "Ada Lovelace", "tag": ["a", "b"]})
    assert rv.status_code == 200
    assert rv.json == {"name": "Ada Lovelace", "tag": ["a", "b"], "x": None}


def test_body_multipart_fields_files_stay_in_files(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/upload")
    def upload(req: Request, res: Response) -> Response:
        return res.json(
            {
                "body": req.body,
                "file_in_body": "upload" in req.body,
                "file": req.files["upload"].read().decode(),
                "filename": req.files["upload"].filename,
            }
        )

    rv = client.post(
        "/upload",
        data={"name": "ada", "tag": ["a", "b"], "upload": (io.BytesIO(b"file data"), "f.txt")},
        content_type="multipart/form-data",
    )
    assert rv.status_code == 200
    assert rv.json == {
        "body": {"name": "ada", "tag": ["a", "b"]},
        "file_in_body": False,
        "file": "file data",
        "filename": "f.txt",
    }


def test_body_empty_for_json_request(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/form")
    def form(req: Request, res: Response) -> Response:
        return res.json({"body": req.body, "name": req.json.name})

    assert client.post("/form", json={"name": "ada"}).json == {"body": {}, "name": "ada"}


# -- req.json -------------------------------------------------------------------


def test_json_object_is_munch_at_depth(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/j")
    def j(req: Request, res: Response) -> Response:
        data = req.json
        assert isinstance(data, JSONMunch)
        assert isinstance(data.user, JSONMunch)
        assert isinstance(data.user.address, JSONMunch)
        assert isinstance(data.user.pets[0], JSONMunch)
        assert req.json is data  # parsed once per request
        return res.json(
            {
                "city": data.user.address.city,
                "pet": data.user.pets[0].name,
                "n": data.n,
                "missing": data.user.get("age"),
            }
        )

    payload = {
        "user": {"address": {"city": "London"}, "pets": [{"name": "Rex"}]},
        "n": 3,
    }
    rv = client.post("/j", json=payload)
    assert rv.status_code == 200
    assert rv.json == {"city": "London", "pet": "Rex", "n": 3, "missing": None}


def test_json_missing_attribute_raises(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/j")
    def j(req: Request, res: Response) -> Response:
        return res.send(req.json.user.age)

    rv = client.post("/j", json={"user": {}})
    assert rv.status_code == 400
    assert b"The request has no JSON key &#39;age&#39;." in rv.data


def test_json_array_is_list_of_munch(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/j")
    def j(req: Request, res: Response) -> Response:
        data = req.json
        assert isinstance(data, list)
        assert type(data) is JSONList
        assert all(isinstance(item, JSONMunch) for item in data)
        return res.json([item.id for item in data])

    rv = client.post("/j", json=[{"id": 1}, {"id": 2}, {"id": 3}])
    assert rv.json == [1, 2, 3]


@pytest.mark.parametrize(
    ("body", "expected", "name"),
    [
        ("42", 42, "a number"),
        ('"hi"', "hi", "a string"),
        ("true", True, "a boolean"),
        ("null", None, "null"),
        ("1.5", 1.5, "a number"),
    ],
)
def test_json_scalar_is_400_through_req_json(
    app: FlaskExpress, client: FlaskClient, body: str, expected: object, name: str
) -> None:
    # Express's strict JSON parser takes only objects and arrays; a view that
    # reads req.json.title must not get a 500 from a body of 42.
    @app.post("/j")
    def j(req: Request, res: Response) -> Response:
        return res.json({"value": req.json.title})

    @app.post("/raw")
    def raw(req: Request, res: Response) -> Response:
        value = req.get_json()
        return res.json({"value": value, "type": type(value).__name__})

    rv = client.post("/j", data=body, content_type="application/json")
    assert rv.status_code == 400
    assert f"The JSON body must be an object or an array, not {name}.".encode() in rv.data
    rv = client.post("/raw", data=body, content_type="application/json")
    assert rv.status_code == 200
    assert rv.json == {"value": expected, "type": type(expected).__name__}


@pytest.mark.parametrize("body", [[1, 2], [], [{"title": "x"}]])
def test_attribute_of_a_json_array_is_400(
    app: FlaskExpress, client: FlaskClient, body: list[t.Any]
) -> None:
    @app.post("/j")
    def j(req: Request, res: Response) -> Response:
        return res.json({"title": req.json.title})

    rv = client.post("/j", json=body)
    assert rv.status_code == 400
    assert b"an array where an object was expected (reading &#39;title&#39;)" in rv.data


def test_attribute_of_a_nested_json_array_is_400(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/j")
    def j(req: Request, res: Response) -> Response:
        return res.json({"name": req.json.things.name})

    rv = client.post("/j", json={"things": [1, 2]})
    assert rv.status_code == 400
    assert b"where an object was expected (reading &#39;name&#39;)" in rv.data


def test_list_methods_of_a_json_array_stay_methods(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/j")
    def j(req: Request, res: Response) -> Response:
        return res.json({"count": req.json.count(1), "index": req.json.index(2)})

    assert client.post("/j", json=[1, 2, 1]).json == {"count": 2, "index": 1}


def test_json_vendor_type_is_json(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/j")
    def j(req: Request, res: Response) -> Response:
        return res.send(req.json.data.type)

    rv = client.post(
        "/j", data='{"data": {"type": "users"}}', content_type="application/vnd.api+json"
    )
    assert rv.data == b"users"


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        pytest.param(b'{"a": ', "application/json", id="malformed"),
        pytest.param(b"{'a': 1}", "application/json", id="single-quotes"),
        pytest.param(b"", "application/json", id="empty-body"),
        pytest.param(b'{"a": 1}', "text/plain", id="text-plain-not-415"),
        pytest.param(b'{"a": 1}', None, id="no-content-type"),
        pytest.param(b'{"a": 1}', "application/x-www-form-urlencoded", id="form-type"),
        pytest.param(b"[" * 100_000, "application/json", id="nested-too-deep-list"),
        pytest.param(b'{"a":' * 100_000, "application/json", id="nested-too-deep-object"),
        pytest.param(b'{"a": "\xff\xfe"}', "application/json", id="invalid-utf8"),
    ],
)
def test_json_bad_body_is_400(
    app: FlaskExpress, client: FlaskClient, data: bytes, content_type: str | None
) -> None:
    @app.post("/j")
    def j(req: Request, res: Response) -> Response:
        body = req.json
        return res.send(f"view ran on {body!r}")

    rv = client.post("/j", data=data, content_type=content_type)
    assert_bad_request(rv)


def test_json_400_goes_through_error_handlers(app: FlaskExpress, client: FlaskClient) -> None:
    @app.errorhandler(400)
    def bad_request(e: Exception) -> tuple[dict[str, str], int]:
        return {"error": "bad json"}, 400

    @app.post("/j")
    def j(req: Request, res: Response) -> Response:
        return res.json(req.json)

    rv = client.post("/j", data=b"{", content_type="application/json")
    assert rv.status_code == 400
    assert rv.json == {"error": "bad json"}


def test_get_json_keeps_flask_behaviour(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/plain")
    def plain(req: Request, res: Response) -> Response:
        data = req.get_json()
        return res.json({"type": type(data).__name__, "inner": type(data["a"]).__name__})

    @app.post("/silent")
    def silent(req: Request, res: Response) -> Response:
        return res.json({"value": req.get_json(silent=True)})

    @app.post("/force")
    def force(req: Request, res: Response) -> Response:
        return res.json(req.get_json(force=True))

    assert client.post("/plain", json={"a": {"b": 1}}).json == {"type": "dict", "inner": "dict"}
    # Flask answers a wrong content type with 415 from get_json() (req.json says 400).
    rv = client.post("/plain", data=b'{"a": {}}', content_type="text/plain")
    assert rv.status_code == 415
    assert client.post("/plain", data=b"{", content_type="application/json").status_code == 400
    assert client.post("/silent", data=b"{", content_type="application/json").json == {
        "value": None
    }
    rv = client.post("/force", data=b'{"x": 1}', content_type="text/plain")
    assert rv.json == {"x": 1}


# -- req.header / req.headers_munch ---------------------------------------------


def test_header_munch(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        h = req.header
        assert isinstance(h, HeaderMunch)
        assert isinstance(h, Munch)
        assert req.headers_munch is h
        assert all(key == key.lower() for key in h)
        return res.json(
            {
                "attr": h.user_agent,
                "item": h["User-Agent"],
                "get": h.get("user-agent"),
                "get_mixed": h.get("USER-AGENT"),
                "lower_item": h["x-request-id"],
                "underscore_item": h["x_request_id"],
                "attr2": h.x_request_id,
                "contains": ["User-Agent" in h, "user_agent" in h, "x-absent" in h],
                "absent": h.get("x-absent"),
                "absent_default": h.get("X-Absent", "dflt"),
                "has_lower_key": "x-request-id" in list(h),
            }
        )

    rv = client.get("/", headers={"User-Agent": "probe/1.0", "X-Request-Id": "r-7"})
    assert rv.status_code == 200
    assert rv.json == {
        "attr": "probe/1.0",
        "item": "probe/1.0",
        "get": "probe/1.0",
        "get_mixed": "probe/1.0",
        "lower_item": "r-7",
        "underscore_item": "r-7",
        "attr2": "r-7",
        "contains": [True, True, False],
        "absent": None,
        "absent_default": "dflt",
        "has_lower_key": True,
    }


def test_header_missing_attribute_and_item(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        errors = []
        try:
            req.header.x_absent  # noqa: B018
        except AttributeError:
            errors.append("AttributeError")
        try:
            req.header["X-Absent"]
        except KeyError:
            errors.append("KeyError")
        return res.json(errors)

    assert client.get("/").json == ["AttributeError", "KeyError"]


# -- req.params -----------------------------------------------------------------


def test_params_converted(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/users/<int:id>/posts/<slug>/<float:score>/<uuid:key>/<path:rest>")
    def post(req: Request, res: Response) -> Response:
        p = req.params
        assert isinstance(p, Munch)
        assert type(p.id) is int
        assert type(p.score) is float
        assert isinstance(p.key, uuid.UUID)
        return res.json(
            {"id": p.id, "slug": p.slug, "score": p.score, "key": str(p.key), "rest": p.rest}
        )

    key = uuid.UUID("12345678-1234-5678-1234-567812345678")
    rv = client.get(f"/users/42/posts/hello-world/1.5/{key}/a/b/c")
    assert rv.status_code == 200
    assert rv.json == {
        "id": 42,
        "slug": "hello-world",
        "score": 1.5,
        "key": str(key),
        "rest": "a/b/c",
    }


def test_params_empty_without_route_variables(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.json({"params": req.params, "type": type(req.params).__name__})

    assert client.get("/").json == {"params": {}, "type": "Munch"}


def test_params_in_blueprint_routes(app: FlaskExpress, client: FlaskClient) -> None:
    bp = Blueprint("orgs", __name__, url_prefix="/orgs/<int:org>")
    plain = flask.Blueprint("plain", __name__, url_prefix="/plain/<int:org>")

    @bp.get("/items/<int:item>")
    def item(req: Request, res: Response) -> Response:
        assert type(req.params.org) is int
        assert type(req.params.item) is int
        return res.json(req.params)

    @plain.get("/items/<int:item>")
    def plain_item(req: Request, res: Response) -> Response:
        return res.json({"sum": req.params.org + req.params.item})

    app.register_blueprint(bp)
    app.register_blueprint(plain)
    assert client.get("/orgs/7/items/9").json == {"org": 7, "item": 9}
    assert client.get("/plain/7/items/9").json == {"sum": 16}


# -- req.cookies ----------------------------------------------------------------


def test_cookies_munch(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        assert isinstance(req.cookies, Munch)
        try:
            req.cookies.absent  # noqa: B018
        except AttributeError:
            absent_attr = "AttributeError"
        return res.json(
            {
                "theme": req.cookies.theme,
                "item": req.cookies["lang"],
                "absent": req.cookies.get("absent"),
                "absent_attr": absent_attr,
            }
        )

    client.set_cookie("theme", "dark")
    client.set_cookie("lang", "en")
    assert client.get("/").json == {
        "theme": "dark",
        "item": "en",
        "absent": None,
        "absent_attr": "AttributeError",
    }


def test_cookies_repeated_name_gives_first_value(app: FlaskExpress) -> None:
    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.json(req.cookies)

    raw = app.test_client(use_cookies=False)
    rv = raw.get("/", headers={"Cookie": "a=first; b=2; a=second"})
    assert rv.json == {"a": "first", "b": "2"}


def test_session_reads_its_cookie_among_others(app: FlaskExpress) -> None:
    @app.get("/login")
    def login(req: Request, res: Response) -> Response:
        req.session.user = "ada"
        return res.send("in")

    @app.get("/me")
    def me(req: Request, res: Response) -> Response:
        return res.json({"user": req.session.get("user"), "other": req.cookies.other})

    raw = app.test_client(use_cookies=False)
    set_cookie = raw.get("/login").headers["Set-Cookie"]
    name, _, rest = set_cookie.partition("=")
    assert name == "session"
    value = rest.split(";", 1)[0]
    rv = raw.get("/me", headers={"Cookie": f"other=1; session={value}"})
    assert rv.json == {"user": "ada", "other": "1"}
    # Without the cookie there is no session.
    assert raw.get("/me", headers={"Cookie": "other=1"}).json == {"user": None, "other": "1"}


# -- req.session and its helpers ------------------------------------------------


def test_session_attribute_write_persists(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/login")
    def login(req: Request, res: Response) -> Response:
        assert isinstance(req.session, SessionView)
        req.session.user = "ada"
        req.session["role"] = "admin"
        return res.send("in")

    @app.get("/me")
    def me(req: Request, res: Response) -> Response:
        return res.json(
            {
                "user": req.session.user,
                "role": req.session["role"],
                "flask": flask.session.get("user"),
                "keys": sorted(req.session),
                "len": len(req.session),
            }
        )

    rv = client.post("/login")
    assert rv.status_code == 200
    assert rv.headers["Set-Cookie"].startswith("session=")
    assert client.get("/me").json == {
        "user": "ada",
        "role": "admin",
        "flask": "ada",
        "keys": ["role", "user"],
        "len": 2,
    }


def test_session_missing_attribute_and_delete(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/set")
    def set_(req: Request, res: Response) -> Response:
        req.session.user = "ada"
        return res.send("set")

    @app.post("/logout")
    def logout(req: Request, res: Response) -> Response:
        del req.session.user
        errors = []
        try:
            del req.session.user
        except AttributeError:
            errors.append("del")
        try:
            req.session.user  # noqa: B018
        except AttributeError:
            errors.append("get")
        return res.json(errors)

    @app.get("/me")
    def me(req: Request, res: Response) -> Response:
        return res.json({"user": req.session.get("user")})

    client.post("/set")
    assert client.get("/me").json == {"user": "ada"}
    assert client.post("/logout").json == ["del", "get"]
    assert client.get("/me").json == {"user": None}


def test_session_permanent(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/remember")
    def remember(req: Request, res: Response) -> Response:
        before = req.session.permanent
        req.session.permanent = True
        req.session.user = "ada"
        return res.json({"before": before, "after": req.session.permanent})

    @app.post("/plain")
    def plain(req: Request, res: Response) -> Response:
        req.session.user = "bob"
        return res.json({"permanent": req.session.permanent})

    @app.get("/check")
    def check(req: Request, res: Response) -> Response:
        return res.json({"permanent": req.session.permanent, "flask": flask.session.permanent})

    other = app.test_client()
    rv = other.post("/plain")
    assert rv.json == {"permanent": False}
    assert "Expires=" not in rv.headers["Set-Cookie"]

    rv = client.post("/remember")
    assert rv.json == {"before": False, "after": True}
    assert "Expires=" in rv.headers["Set-Cookie"]
    assert client.get("/check").json == {"permanent": True, "flask": True}


def test_set_session_and_get_session(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/set")
    def set_(req: Request, res: Response) -> Response:
        req.set_session("user_id", 7)
        req.set_sessions(("theme", "dark"), ("lang", "en"), ("cart", [1, 2]))
        return res.send("ok")

    @app.get("/get")
    def get(req: Request, res: Response) -> Response:
        return res.json(
            {
                "user_id": req.get_session("user_id"),
                "theme": req.get_session("theme"),
                "lang": req.session.lang,
                "cart": req.get_session("cart"),
                "missing": req.get_session("missing"),
                "default": req.get_session("missing", "dflt"),
            }
        )

    assert client.post("/set").status_code == 200
    assert client.get("/get").json == {
        "user_id": 7,
        "theme": "dark",
        "lang": "en",
        "cart": [1, 2],
        "missing": None,
        "default": "dflt",
    }


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("ab", id="str"),
        pytest.param(("a", 1, 2), id="triple"),
        pytest.param(["a", 1], id="list"),
        pytest.param(("a",), id="single"),
    ],
)
def test_set_sessions_non_pair_is_type_error(
    app: FlaskExpress, client: FlaskClient, bad: object
) -> None:
    @app.post("/caught")
    def caught(req: Request, res: Response) -> Response:
        try:
            req.set_sessions(("ok", 1), bad)  # type: ignore[arg-type]
        except TypeError as e:
            return res.json({"error": str(e), "session": dict(req.session)})
        return res.send("no error")

    @app.post("/uncaught")
    def uncaught(req: Request, res: Response) -> Response:
        req.set_sessions(bad)  # type: ignore[arg-type]
        return res.send("no error")

    rv = client.post("/caught")
    assert rv.status_code == 200
    assert rv.json is not None
    assert "(key, value)" in rv.json["error"]
    assert repr(bad) in rv.json["error"]
    assert rv.json["session"] == {}  # nothing stored when one pair is wrong
    with pytest.raises(TypeError, match=r"\(key, value\)"):
        client.post("/uncaught")


def test_session_write_needs_secret_key() -> None:
    app = FlaskExpress(__name__)
    app.config["TESTING"] = True

    @app.get("/read")
    def read(req: Request, res: Response) -> Response:
        return res.json({"user": req.get_session("user"), "len": len(req.session)})

    @app.post("/write")
    def write(req: Request, res: Response) -> Response:
        req.set_session("user", "ada")
        return res.send("written")

    client = app.test_client()
    assert client.get("/read").json == {"user": None, "len": 0}
    with pytest.raises(RuntimeError, match="secret key"):
        client.post("/write")


# -- req.get(header) ------------------------------------------------------------


def test_get_header_case_insensitive(app: FlaskExpress, client: FlaskClient) -> None:
    @app.post("/")
    def index(req: Request, res: Response) -> Response:
        return res.json(
            [
                req.get("x-token"),
                req.get("X-TOKEN"),
                req.get("Content-Type"),
                req.get("content-type"),
                req.get("X-Absent"),
            ]
        )

    rv = client.post("/", headers={"X-Token": "t0k"}, data="x", content_type="text/plain")
    assert rv.json == ["t0k", "t0k", "text/plain", "text/plain", None]


@pytest.mark.parametrize("sent", ["Referer", "Referrer", "referer"])
def test_get_referrer_and_referer_interchangeable(
    app: FlaskExpress, client: FlaskClient, sent: str
) -> None:
    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.json([req.get("Referer"), req.get("Referrer"), req.get("referrer")])

    rv = client.get("/", headers={sent: "https://example.com/from"})
    assert rv.json == ["https://example.com/from"] * 3


def test_get_referrer_absent(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.json([req.get("Referer"), req.get("Referrer")])

    assert client.get("/").json == [None, None]


# -- req.accepts ----------------------------------------------------------------


@pytest.fixture
def accepts_client(app: FlaskExpress, client: FlaskClient) -> FlaskClient:
    """``GET /?t=a&t=b`` answers ``{"best": req.accepts("a", "b")}``, and
    also the list form and the no-argument form."""

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        kinds = req.args.getlist("t")
        return res.json(
            {"best": req.accepts(*kinds), "list": req.accepts(kinds), "all": req.accepts()}
        )

    return client


@pytest.mark.parametrize(
    ("accept", "kinds", "best"),
    [
        ("application/json", ["html", "json"], "json"),
        ("application/json", ["html", ".json"], ".json"),
        ("application/json", ["text/html", "application/json"], "application/json"),
        ("text/html", ["json", "html"], "html"),
        ("text/html", ["json", "HTML"], "HTML"),
        ("text/*", ["json", "txt"], "txt"),
        ("*/*", ["json", "html"], "json"),
        ("image/png", ["html", "json"], None),
        ("image/*", ["json", "png"], "png"),
        # q-values: the client's preference wins over the order given.
        ("text/html;q=0.5, application/json", ["html", "json"], "json"),
        ("application/json;q=0.1, text/html;q=0.9", ["json", "html"], "html"),
        # q=0 refuses a type, even when a wildcard would admit it.
        ("application/json, text/html;q=0", ["html"], None),
        ("application/json, text/html;q=0", ["html", "json"], "json"),
        ("*/*, text/html;q=0", ["html"], None),
        ("*/*, text/html;q=0", ["html", "json"], "json"),
        ("", ["html", "json"], "html"),  # an empty header is no header, as in Express
    ],
)
def test_accepts(
    accepts_client: FlaskClient, accept: str, kinds: list[str], best: str | None
) -> None:
    query = "&".join(f"t={kind}" for kind in kinds)
    rv = accepts_client.get(f"/?{query}", headers={"Accept": accept})
    assert rv.status_code == 200
    assert rv.json is not None
    assert rv.json["best"] == best
    assert rv.json["list"] == best


def test_accepts_without_accept_header_gives_first(accepts_client: FlaskClient) -> None:
    rv = accepts_client.get("/?t=png&t=json&t=html")
    assert rv.json is not None
    assert rv.json["best"] == "png"
    assert rv.json["list"] == "png"


@pytest.mark.parametrize(
    ("accept", "types"),
    [
        ("text/html, application/json;q=0.5", ["text/html", "application/json"]),
        ("text/html;q=0.5, application/json", ["application/json", "text/html"]),
        ("text/html;q=0.5, */*", ["*/*", "text/html"]),
        ("application/json, text/html;q=0, image/png;q=0.2", ["application/json", "image/png"]),
        ("", []),
    ],
)
def test_accepts_no_arguments_lists_accepted_types(
    accepts_client: FlaskClient, accept: str, types: list[str]
) -> None:
    rv = accepts_client.get("/", headers={"Accept": accept})
    assert rv.json is not None
    assert rv.json["all"] == types


def test_accepts_no_arguments_without_accept_header(accepts_client: FlaskClient) -> None:
    rv = accepts_client.get("/")
    assert rv.json is not None
    assert rv.json["all"] == ["*/*"]


# -- req.res --------------------------------------------------------------------


def test_req_res_is_the_views_res(app: FlaskExpress, client: FlaskClient) -> None:
    @app.before_request
    def early() -> None:
        g.early_res = flask.request.res  # type: ignore[attr-defined]

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        assert req.res is res
        assert req.res is req.res
        assert g.early_res is res
        return res.send("same")

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b"same"


def test_req_res_created_once_per_request() -> None:
    made: list[Response] = []

    class CountingResponse(Response):
        @classmethod
        def for_request(cls, app: t.Any = None) -> CountingResponse:
            res = super().for_request(app)
            made.append(res)
            return res

    app = FlaskExpress(__name__, response_class=CountingResponse)
    app.config["TESTING"] = True
    seen: list[Response] = []

    @app.before_request
    def early() -> None:
        flask.request.res.set("X-Early", "1")  # type: ignore[attr-defined]

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        assert req.res is res
        seen.append(res)
        return res.send("ok")

    client = app.test_client()
    for _ in range(3):
        rv = client.get("/")
        assert rv.status_code == 200
        assert rv.headers["X-Early"] == "1"
    assert len(made) == 3
    assert len(seen) == 3
    assert all(a is b for a, b in zip(made, seen, strict=True))
    assert len({id(res) for res in seen}) == 3  # a fresh one per request


# -- a key the client did not send ---------------------------------------------------


@pytest.mark.parametrize(
    ("read", "send", "message"),
    [
        (lambda req: req.query.page, {"query_string": "q=1"}, b"query parameter &#39;page&#39;"),
        (lambda req: req.body.name, {"data": {"other": "1"}}, b"form field &#39;name&#39;"),
        (lambda req: req.json.user, {"json": {"other": 1}}, b"JSON key &#39;user&#39;"),
        (lambda req: req.json.user.id, {"json": {"user": {}}}, b"JSON key &#39;id&#39;"),
        (lambda req: req.header.x_api_key, {}, b"header &#39;x_api_key&#39;"),
        (lambda req: req.cookies.token, {}, b"cookie &#39;token&#39;"),
    ],
    ids=["query", "body", "json", "json-nested", "header", "cookie"],
)
def test_missing_client_key_read_as_attribute_is_400(
    app: FlaskExpress,
    client: FlaskClient,
    read: t.Callable[[Request], object],
    send: dict[str, t.Any],
    message: bytes,
) -> None:
    @app.route("/", methods=["GET", "POST"])
    def index(req: Request, res: Response) -> Response:
        return res.send(str(read(req)))

    rv = client.post("/", **send) if "data" in send or "json" in send else client.get("/", **send)
    assert rv.status_code == 400
    assert b"The request has no " + message in rv.data
    assert b"Traceback" not in rv.data


def test_missing_key_is_still_an_attribute_error(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        page = getattr(req.query, "page", "1")
        return res.json({"page": page, "has_q": hasattr(req.query, "q"), "q": req.query.q})

    assert client.get("/?q=x").json == {"page": "1", "has_q": True, "q": "x"}


def test_missing_route_or_session_key_stays_a_plain_attribute_error(
    app: FlaskExpress, client: FlaskClient
) -> None:
    # Route variables and the session are the app's own data: a wrong name is
    # the programmer's error, not the client's, so it is not turned into a 400.
    @app.get("/<int:id>")
    def index(req: Request, res: Response) -> Response:
        try:
            req.params.name  # noqa: B018
        except AttributeError as e:
            params_error = type(e).__name__
        try:
            req.session.user  # noqa: B018
        except AttributeError as e:
            session_error = type(e).__name__
        return res.json([params_error, session_error])

    assert client.get("/7").json == ["AttributeError", "AttributeError"]


def test_cookie_header_that_is_not_utf8_is_not_a_500(app: FlaskExpress) -> None:
    # Flask's session reads req.cookies on every request, so a client that sends
    # bytes that are not UTF-8 in its Cookie header must not break any route.
    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.json({"n": len(req.cookies), "ok": req.cookies.get("ok")})

    client = app.test_client(use_cookies=False)
    rv = client.get("/", environ_base={"HTTP_COOKIE": "bad=\xff\xfe; ok=yes"})
    assert rv.status_code == 200
    assert rv.json == {"n": 2, "ok": "yes"}


def test_accepts_treats_an_empty_accept_header_as_none(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.json({"best": req.accepts("html", "json"), "all": req.accepts()})

    # As Express's accepts: the first type; and no type listed (Express's
    # negotiator parses the empty header to nothing).
    for empty in ("", "   "):
        assert client.get("/", headers={"Accept": empty}).json == {"best": "html", "all": []}
