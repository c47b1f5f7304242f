"""``res.flash`` and ``req.flashes()`` (docs/packages/fx-flash.md).

Every test makes real requests through Flask's test client, which keeps the
session cookie between them, to real views. An exception raised in a view
propagates out of ``client.get`` because the ``app`` fixture sets
``TESTING``; views that must keep going after a failed call catch the
error, record it and then answer.
"""

from __future__ import annotations

import json
import typing as t

import flask
import pytest
from flask.testing import FlaskClient
from markupsafe import Markup

from fx_core import FlaskExpress, MissingFeature, Request, Response, compose
from fx_flash import FlashMixin

NO_SESSION = (
    "res.flash() needs a session, and this app has none because no secret key was set: "
    "set app.secret_key (or app.config['SECRET_KEY']) to a long random value, "
    "e.g. from secrets.token_hex()"
)


def add_reader(app: FlaskExpress) -> None:
    """``GET /read`` answers with ``req.flashes(...)``, its arguments taken
    from the query: ``?categories=1`` and ``?only=error&only=info``."""

    @app.get("/read")
    def read(req: Request, res: Response) -> Response:
        with_categories = req.args.get("categories") == "1"
        only = req.args.getlist("only")
        return res.json(req.flashes(with_categories, only))


# -- flash, redirect, read ------------------------------------------------------------


def test_flash_then_redirect_then_read_once(app: FlaskExpress, client: FlaskClient) -> None:
    add_reader(app)

    @app.post("/items")
    def create(req: Request, res: FlashMixin) -> FlashMixin:
        return res.flash("Item saved").redirect("/read")

    rv = client.post("/items")
    assert rv.status_code == 302
    assert rv.headers["Location"] == "/read"
    assert "session=" in rv.headers["Set-Cookie"]

    rv = client.get("/read")
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == "application/json"
    assert rv.json == ["Item saved"]

    # Read once: the next request has none left.
    assert client.get("/read").json == []


def test_flashes_survive_requests_that_do_not_read_them(
    app: FlaskExpress, client: FlaskClient
) -> None:
    add_reader(app)

    @app.get("/flash")
    def flash(req: Request, res: FlashMixin) -> FlashMixin:
        return res.flash("hello").send("flashed")

    @app.get("/other")
    def other(req: Request, res: Response) -> Response:
        return res.send("no reading here")

    client.get("/flash")
    assert client.get("/other").data == b"no reading here"
    assert client.get("/read").json == ["hello"]


def test_several_flashes_keep_their_order(app: FlaskExpress, client: FlaskClient) -> None:
    add_reader(app)

    @app.get("/one")
    def one(req: Request, res: FlashMixin) -> FlashMixin:
        return res.flash("first").flash("second").send("ok")

    @app.get("/two")
    def two(req: Request, res: FlashMixin) -> FlashMixin:
        return res.flash("third").send("ok")

    client.get("/one")
    client.get("/two")
    assert client.get("/read").json == ["first", "second", "third"]


def test_with_categories_gives_pairs(app: FlaskExpress, client: FlaskClient) -> None:
    add_reader(app)

    @app.get("/flash")
    def flash(req: Request, res: FlashMixin) -> FlashMixin:
        return res.flash("hi").flash("careful", "warning").flash("broken", category="error").end()

    client.get("/flash")
    rv = client.get("/read?categories=1")
    assert rv.json == [["info", "hi"], ["warning", "careful"], ["error", "broken"]]


def test_with_categories_gives_tuples(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/flash")
    def flash(req: Request, res: FlashMixin) -> FlashMixin:
        return res.flash("hi").flash("careful", "warning").end()

    @app.get("/read")
    def read(req: Request, res: Response) -> Response:
        pairs = req.flashes(with_categories=True)
        return res.send(repr(pairs))

    client.get("/flash")
    assert client.get("/read").data == b"[('info', 'hi'), ('warning', 'careful')]"


def test_the_default_category_is_info(app: FlaskExpress, client: FlaskClient) -> None:
    add_reader(app)

    @app.get("/flash")
    def flash(req: Request, res: FlashMixin) -> FlashMixin:
        return res.flash("hi").end()

    client.get("/flash")
    assert client.get("/read?categories=1").json == [["info", "hi"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("only=error", ["broken", "lost"]),
        ("only=error&only=info", ["hi", "broken", "lost"]),
        ("only=warning&categories=1", [["warning", "careful"]]),
        ("only=nothing", []),
        ("", ["hi", "careful", "broken", "lost"]),
    ],
)
def test_category_filter(
    app: FlaskExpress, client: FlaskClient, query: str, expected: list[t.Any]
) -> None:
    add_reader(app)

    @app.get("/flash")
    def flash(req: Request, res: FlashMixin) -> FlashMixin:
        res.flash("hi").flash("careful", "warning")
        return res.flash("broken", "error").flash("lost", "error").end()

    client.get("/flash")
    assert client.get(f"/read?{query}").json == expected


def test_a_category_filter_str_is_one_category(app: FlaskExpress, client: FlaskClient) -> None:
    # Flask would test "error" as a substring: "err" and "o" would match.
    @app.get("/flash")
    def flash(req: Request, res: FlashMixin) -> FlashMixin:
        return res.flash("a", "err").flash("b", "o").flash("c", "error").end()

    @app.get("/read")
    def read(req: Request, res: Response) -> Response:
        return res.json(req.flashes(category_filter="error"))

    client.get("/flash")
    assert client.get("/read").json == ["c"]


def test_a_filter_in_the_same_request_reads_the_same_messages(
    app: FlaskExpress, client: FlaskClient
) -> None:
    # As flask.get_flashed_messages: the first call takes the messages out
    # of the session; later calls in that request see the same ones.
    @app.get("/flash")
    def flash(req: Request, res: FlashMixin) -> FlashMixin:
        return res.flash("hi").flash("broken", "error").end()

    @app.get("/read")
    def read(req: Request, res: Response) -> Response:
        return res.json(
            {
                "errors": req.flashes(category_filter=["error"]),
                "all": req.flashes(),
                "pairs": req.flashes(True),
            }
        )

    client.get("/flash")
    assert client.get("/read").json == {
        "errors": ["broken"],
        "all": ["hi", "broken"],
        "pairs": [["info", "hi"], ["error", "broken"]],
    }
    assert client.get("/read").json == {"errors": [], "all": [], "pairs": []}


def test_markup_messages_stay_markup(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/flash")
    def flash(req: Request, res: FlashMixin) -> FlashMixin:
        return res.flash(Markup("<b>Saved</b>")).flash("<i>raw</i>").end()

    @app.get("/read")
    def read(req: Request, res: Response) -> Response:
        return res.send(
            flask.render_template_string(
                "{% for m in messages %}[{{ m }}]{% endfor %}", messages=req.flashes()
            )
        )

    client.get("/flash")
    assert client.get("/read").data == b"[<b>Saved</b>][&lt;i&gt;raw&lt;/i&gt;]"


def test_flashes_are_visible_to_get_flashed_messages_in_a_template(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/flash")
    def flash(req: Request, res: FlashMixin) -> FlashMixin:
        return res.flash("Welcome").flash("Check your mail", "warning").redirect("/page")

    @app.get("/page")
    def page(req: Request, res: Response) -> Response:
        return res.send(
            flask.render_template_string(
                "{% for category, message in get_flashed_messages(with_categories=true) %}"
                "<p class={{ category }}>{{ message }}</p>"
                "{% endfor %}"
            )
        )

    client.get("/flash")
    rv = client.get("/page")
    assert rv.data == b"<p class=info>Welcome</p><p class=warning>Check your mail</p>"
    assert client.get("/page").data == b""


def test_flashes_set_by_flask_flash_are_read_by_req_flashes(
    app: FlaskExpress, client: FlaskClient
) -> None:
    add_reader(app)

    @app.get("/flash")
    def flash() -> str:
        flask.flash("from a plain view", "error")
        return "ok"

    client.get("/flash")
    assert client.get("/read?categories=1").json == [["error", "from a plain view"]]


def test_flash_in_an_async_view(app: FlaskExpress, client: FlaskClient) -> None:
    add_reader(app)

    @app.get("/flash")
    async def flash(req: Request, res: FlashMixin) -> FlashMixin:
        return res.flash("async").end()

    client.get("/flash")
    assert client.get("/read").json == ["async"]


# -- chainable, not terminal ----------------------------------------------------------


def test_flash_is_chainable_and_does_not_finish(app: FlaskExpress, client: FlaskClient) -> None:
    add_reader(app)
    seen: dict[str, t.Any] = {}

    @app.get("/")
    def view(req: Request, res: FlashMixin) -> FlashMixin:
        chained = res.flash("a")
        seen["same"] = chained is res
        seen["finished_by"] = res.finished_by
        return res.flash("a").flash("b").redirect("/read")

    rv = client.get("/")
    assert seen == {"same": True, "finished_by": None}
    assert rv.status_code == 302
    assert rv.headers["Location"] == "/read"
    assert client.get("/read").json == ["a", "a", "b"]


def test_flash_keeps_what_was_set_before(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: FlashMixin) -> FlashMixin:
        res.send_status(201).set("X-Trace", "abc")
        return res.flash("kept").send("body")

    rv = client.get("/")
    assert rv.status_code == 201
    assert rv.headers["X-Trace"] == "abc"
    assert rv.data == b"body"


def test_flash_after_a_terminal_call_still_works(app: FlaskExpress, client: FlaskClient) -> None:
    # Like a header, a flash may still be added until the view returns.
    add_reader(app)

    @app.get("/")
    def view(req: Request, res: FlashMixin) -> FlashMixin:
        return res.redirect("/read").flash("late")

    assert client.get("/").status_code == 302
    assert client.get("/read").json == ["late"]


# -- the message_flashed signal ------------------------------------------------------


def test_message_flashed_signal_fires(app: FlaskExpress, client: FlaskClient) -> None:
    recorded: list[tuple[t.Any, str, str]] = []

    def record(sender: flask.Flask, message: str, category: str) -> None:
        recorded.append((sender, message, category))

    @app.get("/")
    def view(req: Request, res: FlashMixin) -> FlashMixin:
        return res.flash("one").flash("two", "error").end()

    with flask.message_flashed.connected_to(record, app):
        client.get("/")

    assert recorded == [(app, "one", "info"), (app, "two", "error")]


# -- no session -----------------------------------------------------------------------


@pytest.fixture
def no_secret_app() -> FlaskExpress:
    app = FlaskExpress(__name__, response_class=compose(FlashMixin))
    app.config.update(TESTING=True)
    return app


def test_flash_without_a_secret_key_raises_runtime_error(no_secret_app: FlaskExpress) -> None:
    @no_secret_app.get("/")
    def view(req: Request, res: FlashMixin) -> FlashMixin:
        return res.flash("lost").send("never")

    with pytest.raises(RuntimeError) as excinfo:
        no_secret_app.test_client().get("/")
    assert str(excinfo.value) == NO_SESSION


def test_flash_without_a_secret_key_changes_nothing(no_secret_app: FlaskExpress) -> None:
    recorded: list[str] = []
    seen: dict[str, t.Any] = {}

    def record(sender: flask.Flask, message: str, category: str) -> None:
        recorded.append(message)

    @no_secret_app.get("/")
    def view(req: Request, res: FlashMixin) -> FlashMixin:
        res.send_status(202).set("X-Before", "1")
        with pytest.raises(RuntimeError, match="secret key"):
            res.flash("lost")
        seen["finished_by"] = res.finished_by
        seen["flashes"] = req.flashes()
        seen["session"] = dict(flask.session)
        return res.send("fallback")

    with flask.message_flashed.connected_to(record, no_secret_app):
        rv = no_secret_app.test_client().get("/")

    assert seen == {"finished_by": None, "flashes": [], "session": {}}
    assert recorded == []
    assert rv.status_code == 202
    assert rv.headers["X-Before"] == "1"
    assert "Set-Cookie" not in rv.headers
    assert rv.data == b"fallback"


def test_req_flashes_without_a_secret_key_reads_nothing(no_secret_app: FlaskExpress) -> None:
    @no_secret_app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json(req.flashes())

    assert no_secret_app.test_client().get("/").json == []


# -- not composed ---------------------------------------------------------------------


@pytest.mark.parametrize("response_class", [None, compose()], ids=["default", "compose()"])
def test_req_flashes_without_flash_mixin_raises_missing_feature(
    response_class: type[Response] | None,
) -> None:
    app = FlaskExpress(__name__, response_class=response_class)
    app.config.update(TESTING=True, SECRET_KEY="test-secret")

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json(req.flashes())

    with pytest.raises(MissingFeature) as excinfo:
        app.test_client().get("/")
    assert str(excinfo.value) == (
        "req.flashes() comes from fx-flash, which is installed: compose(FlashMixin)"
    )


def test_res_flash_without_flash_mixin_raises_missing_feature() -> None:
    app = FlaskExpress(__name__)
    app.config.update(TESTING=True, SECRET_KEY="test-secret")

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.flash("x")  # type: ignore[attr-defined, no-any-return]

    with pytest.raises(MissingFeature) as excinfo:
        app.test_client().get("/")
    assert str(excinfo.value) == (
        "res.flash() comes from fx-flash, which is installed: compose(FlashMixin)"
    )


def test_flash_composes_with_other_mixins() -> None:
    class ShoutMixin(Response):
        def shout(self, text: str) -> Response:
            return self.send(text.upper())

    app = FlaskExpress(__name__, response_class=compose(ShoutMixin, FlashMixin))
    app.config.update(TESTING=True, SECRET_KEY="test-secret")

    @app.get("/flash")
    def flash(req: Request, res: t.Any) -> t.Any:
        return res.flash("mixed").shout("ok")

    @app.get("/read")
    def read(req: Request, res: Response) -> Response:
        return res.send(json.dumps(req.flashes()))

    other = app.test_client()
    assert other.get("/flash").data == b"OK"
    assert other.get("/read").data == b'["mixed"]'
