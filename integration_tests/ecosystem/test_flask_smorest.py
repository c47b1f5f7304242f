"""flask-smorest's ``@blp.arguments``, ``@blp.response``, ``@blp.paginate`` on (req, res) views.

``@blp.response`` serializes what the view returns: data goes through the
schema; a returned response (``res`` included) is sent as it is, without the
schema; ``None`` (a view that only finished ``res``) is dumped as ``{}`` and
the finished ``res`` is dropped, as flask-smorest does for any view
returning ``None``.
"""

from __future__ import annotations

import asyncio
import functools
import typing as t

import flask
import marshmallow as ma
import pytest
from flask.views import MethodView
from flask_smorest import Api, Blueprint, abort
from flask_smorest.pagination import PaginationParameters

from flask_express import FlaskExpress

NOTES = [{"id": i, "title": f"note {i}", "secret": "hidden"} for i in range(1, 26)]


class NoteSchema(ma.Schema):
    id = ma.fields.Int(dump_only=True)
    title = ma.fields.Str(required=True, validate=ma.validate.Length(min=1))


class NoteQuerySchema(ma.Schema):
    title = ma.fields.Str()


def as_async(func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    """The same view as ``async def``, with the same signature."""

    @functools.wraps(func)
    async def view(*args: t.Any, **kwargs: t.Any) -> t.Any:
        await asyncio.sleep(0)
        return func(*args, **kwargs)

    return view


def same(func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    return func


def make_app(is_async: bool) -> FlaskExpress:
    app = FlaskExpress(__name__)
    app.config.update(
        API_TITLE="Notes",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        TESTING=True,
    )
    api = Api(app)
    blp = Blueprint("notes", __name__, url_prefix="/notes", description="Notes")
    maybe_async = as_async if is_async else same

    @blp.route("/")
    class Notes(MethodView):
        @blp.arguments(NoteQuerySchema, location="query")
        @blp.response(200, NoteSchema(many=True))
        @blp.paginate()
        @maybe_async
        def get(
            self,
            req: t.Any,
            res: t.Any,
            args: dict[str, t.Any],
            pagination_parameters: PaginationParameters,
        ) -> t.Any:
            found = [n for n in NOTES if args.get("title", "") in n["title"]]
            pagination_parameters.item_count = len(found)
            first = pagination_parameters.first_item
            return found[first : first + pagination_parameters.page_size]

        @blp.arguments(NoteSchema)
        @blp.response(201, NoteSchema)
        @maybe_async
        def post(self, req: t.Any, res: t.Any, new: dict[str, t.Any]) -> t.Any:
            # Headers go in the returned tuple: smorest builds the response.
            return {"id": 26, **new, "secret": "x"}, 201, {"Location": "/notes/26"}

    @blp.route("/<int:note_id>")
    @blp.response(200, NoteSchema)
    @blp.alt_response(404, description="No such note")
    @maybe_async
    def get_note(req: t.Any, res: t.Any, note_id: int) -> t.Any:
        if not 1 <= note_id <= len(NOTES):
            abort(404, message=f"no note {note_id}")
        return NOTES[note_id - 1]

    @blp.route("/<int:note_id>/raw")
    @blp.response(200, NoteSchema)
    @maybe_async
    def raw_note(req: t.Any, res: t.Any, note_id: int) -> t.Any:
        return res.set("X-Raw", "yes").json(NOTES[note_id - 1])

    @blp.route("/<int:note_id>/finished")
    @blp.response(200, NoteSchema)
    @maybe_async
    def finished_note(req: t.Any, res: t.Any, note_id: int) -> None:
        res.set("X-Raw", "yes").json(NOTES[note_id - 1])

    @blp.route("/search")
    @blp.arguments(NoteQuerySchema, location="query", as_kwargs=True)
    @maybe_async
    def search(req: t.Any, res: t.Any, **query: t.Any) -> None:
        # No @blp.response: res is the answer, as in any (req, res) view.
        res.json(titles=[n["title"] for n in NOTES if query.get("title", "") in n["title"]])

    api.register_blueprint(blp)
    return app


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def client(request: pytest.FixtureRequest) -> t.Any:
    return make_app(request.param).test_client()


def test_query_arguments_response_schema_and_pagination(client: t.Any) -> None:
    rv = client.get("/notes/?page=2&page_size=10")
    assert rv.status_code == 200
    assert [n["id"] for n in rv.json] == list(range(11, 21))
    assert all(set(n) == {"id", "title"} for n in rv.json)  # the schema dropped "secret"
    assert rv.json_module.loads(rv.headers["X-Pagination"]) == {
        "total": 25,
        "total_pages": 3,
        "first_page": 1,
        "last_page": 3,
        "page": 2,
        "previous_page": 1,
        "next_page": 3,
    }

    rv = client.get("/notes/?title=note 2")
    assert [n["id"] for n in rv.json] == [2, *range(20, 26)]
    assert client.get("/notes/?page_size=1000").status_code == 422


def test_json_arguments(client: t.Any) -> None:
    rv = client.post("/notes/", json={"title": "new"})
    assert (rv.status_code, rv.json, rv.headers["Location"]) == (
        201,
        {"id": 26, "title": "new"},
        "/notes/26",
    )
    rv = client.post("/notes/", json={"title": ""})
    assert rv.status_code == 422
    assert rv.json["errors"]["json"] == {"title": ["Shorter than minimum length 1."]}
    assert client.post("/notes/", json={"id": 3, "title": "x"}).status_code == 422


def test_returned_data_goes_through_the_schema(client: t.Any) -> None:
    assert client.get("/notes/7").json == {"id": 7, "title": "note 7"}
    rv = client.get("/notes/99")
    assert rv.status_code == 404
    assert rv.json["message"] == "no note 99"


def test_a_returned_res_is_sent_as_it_is(client: t.Any) -> None:
    rv = client.get("/notes/7/raw")
    assert rv.status_code == 200
    assert rv.headers["X-Raw"] == "yes"
    # Not dumped by NoteSchema: a returned response bypasses it, as on plain Flask.
    assert rv.json == {"id": 7, "title": "note 7", "secret": "hidden"}


def test_a_view_that_only_finishes_res_is_sent_as_return_res_is(client: t.Any) -> None:
    # smorest calls the view through current_app.ensure_sync, which gives the
    # finished res for the None the view returned: the answer is the view's,
    # as with `return res`, not dumped by the schema.
    rv = client.get("/notes/7/finished")
    assert rv.status_code == 200
    assert rv.headers["X-Raw"] == "yes"
    assert rv.json == {"id": 7, "title": "note 7", "secret": "hidden"}


def test_arguments_as_kwargs_without_response(client: t.Any) -> None:
    assert client.get("/notes/search?title=note 1").json == {
        "titles": ["note 1", *(f"note {i}" for i in range(10, 20))]
    }
    # webargs leaves unknown query parameters out (marshmallow's EXCLUDE).
    assert len(client.get("/notes/search?nope=1").json["titles"]) == 25


def test_the_openapi_document_lists_routes_and_schemas(client: t.Any) -> None:
    spec = client.get("/openapi.json").json
    assert spec["info"] == {"title": "Notes", "version": "v1"}
    assert set(spec["paths"]) == {
        "/notes/",
        "/notes/{note_id}",
        "/notes/{note_id}/raw",
        "/notes/{note_id}/finished",
        "/notes/search",
    }
    assert set(spec["paths"]["/notes/"]) == {"get", "post"}
    listing = spec["paths"]["/notes/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"title", "page", "page_size"}
    assert listing["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Note"},
    }
    creating = spec["paths"]["/notes/"]["post"]
    assert creating["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Note"
    }
    assert set(creating["responses"]) >= {"201", "422"}
    one = spec["paths"]["/notes/{note_id}"]
    assert one["parameters"][0]["name"] == "note_id"
    assert set(one["get"]["responses"]) >= {"200", "404"}
    assert spec["components"]["schemas"]["Note"]["properties"] == {
        "id": {"type": "integer", "readOnly": True},
        "title": {"type": "string", "minLength": 1},
    }


def test_same_answers_as_plain_flask_views() -> None:
    plain = flask.Flask(__name__)
    plain.config.update(make_app(False).config)
    api = Api(plain)
    blp = Blueprint("notes", __name__, url_prefix="/notes")

    @blp.route("/")
    class Notes(MethodView):
        @blp.arguments(NoteQuerySchema, location="query")
        @blp.response(200, NoteSchema(many=True))
        @blp.paginate()
        def get(self, args: t.Any, pagination_parameters: PaginationParameters) -> t.Any:
            found = [n for n in NOTES if args.get("title", "") in n["title"]]
            pagination_parameters.item_count = len(found)
            first = pagination_parameters.first_item
            return found[first : first + pagination_parameters.page_size]

    api.register_blueprint(blp)

    def answers(client: t.Any) -> list[t.Any]:
        seen = []
        for url in ("/notes/?page=3&page_size=4", "/notes/?title=note 1", "/notes/?page=0"):
            rv = client.get(url)
            seen.append((rv.status_code, rv.json, rv.headers.get("X-Pagination")))
        return seen

    assert answers(plain.test_client()) == answers(make_app(False).test_client())
    plain_spec = plain.test_client().get("/openapi.json").json
    express_spec = make_app(False).test_client().get("/openapi.json").json
    assert plain_spec["paths"]["/notes/"]["get"] == express_spec["paths"]["/notes/"]["get"]
