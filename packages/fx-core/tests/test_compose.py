"""``compose()``, ``compose_request()`` and the app's response and request classes.

The mixins here stand in for the optional pieces: each subclasses
``fx_core.Response`` and adds methods only, as docs/pieces.md asks of a mixin.
"""

from __future__ import annotations

import re
import typing as t

import flask
import pytest
from munch import Munch
from werkzeug.wrappers import Response as WerkzeugResponse

from fx_core import FlaskExpress, MissingFeature, Request, Response, compose, compose_request


class GreetMixin(Response):
    def greet(self, name: str) -> Response:
        return self.send(f"hello {name}")


class ShoutMixin(Response):
    def shout(self, text: str) -> Response:
        return self.send(text.upper())

    def greet(self, name: str) -> Response:
        return self.send(f"HELLO {name.upper()}")


class TemplateMixin(Response):
    """Provides ``render``, the name fx-render owns, to shadow the stub."""

    def render(self, text: str) -> Response:
        return self.send(f"<p>{text}</p>")


flash_calls: list[tuple[t.Any, ...]] = []


class FlashReaderRequest(Request):
    """A request mixin with the name fx-flash owns, to shadow the stub."""

    def flashes(
        self, with_categories: bool = False, category_filter: t.Iterable[str] = ()
    ) -> list[t.Any]:
        flash_calls.append((self, with_categories, category_filter))
        return [["error", "boom"]] if with_categories else ["boom"]


class SignedReaderRequest(Request):
    @property
    def signed_cookies(self) -> Munch:
        return Munch(verified=self.cookies.get("token"))


class FlashReaderMixin(Response):
    request_mixin = FlashReaderRequest


class SignedReaderMixin(Response):
    request_mixin = SignedReaderRequest


def make_app(response_class: type[Response]) -> FlaskExpress:
    app = FlaskExpress(__name__, response_class=response_class)
    app.config.update(TESTING=True, SECRET_KEY="test-secret")
    return app


# -- compose() -------------------------------------------------------------------------


def test_compose_with_no_mixins_is_a_plain_subclass() -> None:
    composed = compose()
    assert composed is not Response
    assert composed.__bases__ == (Response,)
    assert composed.__mro__[1] is Response
    assert composed.__name__ == "Response"

    app = make_app(composed)

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        assert type(res) is composed
        return res.json({"hello": "world"})

    rv = app.test_client().get("/")
    assert rv.json == {"hello": "world"}


def test_compose_puts_mixins_before_the_base_in_order() -> None:
    composed = compose(GreetMixin, ShoutMixin)
    assert composed.__mro__[:4] == (composed, GreetMixin, ShoutMixin, Response)
    assert issubclass(composed, flask.Response)

    reverse = compose(ShoutMixin, GreetMixin)
    assert reverse.__mro__[:4] == (reverse, ShoutMixin, GreetMixin, Response)

    app = make_app(composed)

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.greet("ada")  # type: ignore[attr-defined,no-any-return]

    assert app.test_client().get("/").data == b"hello ada"

    app = make_app(reverse)

    @app.get("/")
    def view_reverse(req: Request, res: Response) -> Response:
        return res.greet("ada")  # type: ignore[attr-defined,no-any-return]

    assert app.test_client().get("/").data == b"HELLO ADA"


def test_compose_takes_a_class_name() -> None:
    composed = compose(GreetMixin, name="AppResponse")
    assert composed.__name__ == "AppResponse"
    assert composed.__qualname__ == "AppResponse"


@pytest.mark.parametrize(
    ("mixins", "named"),
    [
        ((GreetMixin, GreetMixin), "GreetMixin"),
        ((GreetMixin, ShoutMixin, GreetMixin), "GreetMixin"),
        ((ShoutMixin, GreetMixin, ShoutMixin), "ShoutMixin"),
    ],
    ids=["twice", "apart", "other"],
)
def test_compose_refuses_a_repeated_mixin(mixins: tuple[type[Response], ...], named: str) -> None:
    with pytest.raises(TypeError, match=rf"\b{named} more than once"):
        compose(*mixins)


@pytest.mark.parametrize(
    "argument",
    [flask.Response, WerkzeugResponse, int, object, GreetMixin(), 42, "GreetMixin", None],
    ids=repr,
)
def test_compose_refuses_a_non_mixin_and_names_it(argument: object) -> None:
    with pytest.raises(TypeError, match=re.escape(repr(argument))):
        compose(GreetMixin, argument)  # type: ignore[arg-type]


def test_compose_refuses_the_base_itself() -> None:
    with pytest.raises(TypeError, match=r"fx_core\.Response"):
        compose(Response)


# -- the composed class in an app ---------------------------------------------------------


def test_composed_class_is_the_class_of_res() -> None:
    composed = compose(GreetMixin, TemplateMixin)
    app = make_app(composed)
    seen: list[type] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        seen.append(type(res))
        return res.send("ok")

    rv = app.test_client().get("/")
    assert rv.data == b"ok"
    assert seen == [composed]
    assert isinstance(rv, composed)
    assert rv.json is None  # Werkzeug's parsed-body property on test responses


def test_composed_class_as_a_class_attribute() -> None:
    composed = compose(GreetMixin)

    class App(FlaskExpress):
        response_class = composed

    app = App(__name__)
    app.config.update(TESTING=True)

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.greet(type(res).__name__)  # type: ignore[attr-defined,no-any-return]

    assert app.test_client().get("/").data == b"hello Response"


def test_a_mixin_method_shadows_the_missing_feature_stub() -> None:
    composed = make_app(compose(TemplateMixin))
    core_only = make_app(compose())

    for app in (composed, core_only):

        @app.get("/")
        def view(req: Request, res: Response) -> Response:
            return res.render("hi")  # type: ignore[attr-defined,no-any-return]

    rv = composed.test_client().get("/")
    assert rv.data == b"<p>hi</p>"
    assert rv.headers["Content-Type"] == "text/html; charset=utf-8"

    with pytest.raises(MissingFeature, match=r"^res\.render\(\) comes from fx-render"):
        core_only.test_client().get("/")


def test_other_stubs_stay_on_a_composed_class() -> None:
    app = make_app(compose(TemplateMixin))

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json({"render": hasattr(res, "render"), "flash": hasattr(res, "flash")})

    assert app.test_client().get("/").json == {"render": True, "flash": False}


# -- request readers brought by a mixin -------------------------------------------------------


def test_a_mixin_request_reader_backs_req_flashes_when_composed() -> None:
    flash_calls.clear()
    app = make_app(compose(GreetMixin, FlashReaderMixin))
    requests: list[Request] = []

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        requests.append(req)
        return res.json(
            {
                "plain": req.flashes(),
                "categories": req.flashes(with_categories=True, category_filter=["error"]),
            }
        )

    rv = app.test_client().get("/")
    assert rv.json == {"plain": ["boom"], "categories": [["error", "boom"]]}
    assert flash_calls == [
        (requests[0], False, ()),
        (requests[0], True, ["error"]),
    ]


def test_req_flashes_raises_missing_feature_without_the_mixin() -> None:
    app = make_app(compose(GreetMixin, SignedReaderMixin))

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json(req.flashes())

    with pytest.raises(MissingFeature) as excinfo:
        app.test_client().get("/")
    assert str(excinfo.value) == (
        "req.flashes() comes from fx-flash, which is installed: compose(FlashMixin)"
    )


def test_readers_of_several_mixins_merge() -> None:
    app = make_app(compose(FlashReaderMixin, SignedReaderMixin))

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json({"signed": req.signed_cookies, "flashes": req.flashes()})

    client = app.test_client()
    client.set_cookie("token", "abc")
    rv = client.get("/")
    assert rv.json == {"signed": {"verified": "abc"}, "flashes": ["boom"]}
    request_class = app.request_class
    assert request_class.__mro__[1:4] == (FlashReaderRequest, SignedReaderRequest, Request)
    assert request_class.__name__ == "Request"


def test_compose_request_is_the_base_when_no_piece_brings_a_reader() -> None:
    assert compose_request(compose(GreetMixin)) is Request
    assert compose_request(Response) is Request
    assert make_app(compose(GreetMixin)).request_class is Request


def test_compose_request_gives_the_same_class_for_the_same_pieces() -> None:
    response_class = compose(FlashReaderMixin)
    first = compose_request(response_class)
    assert compose_request(response_class) is first
    assert compose_request(compose(FlashReaderMixin, SignedReaderMixin)) is not first


def test_compose_request_adds_nothing_the_base_already_has() -> None:
    class Mine(FlashReaderRequest, SignedReaderRequest):
        pass

    assert compose_request(compose(FlashReaderMixin, SignedReaderMixin), Mine) is Mine


def test_compose_request_leaves_a_plain_flask_request_as_it_is() -> None:
    assert compose_request(compose(FlashReaderMixin), flask.Request) is flask.Request


def test_a_request_mixin_that_is_not_an_fx_core_request_is_a_type_error() -> None:
    class Broken(Response):
        request_mixin = flask.Request

    with pytest.raises(TypeError, match=r"Broken\.request_mixin must be a subclass"):
        compose_request(compose(Broken))


def test_the_request_class_follows_a_response_class_set_after_creation() -> None:
    app = make_app(compose(GreetMixin))

    @app.get("/")
    def view(req: Request, res: Response) -> Response:
        return res.json(req.flashes())

    app.response_class = compose(FlashReaderMixin)
    assert app.test_client().get("/").json == ["boom"]


def test_a_request_class_chosen_by_the_app_keeps_the_readers() -> None:
    class MyRequest(Request):
        @property
        def tenant(self) -> str:
            return self.headers.get("X-Tenant", "none")

    class App(FlaskExpress):
        request_class = MyRequest

    app = App(__name__, response_class=compose(FlashReaderMixin))
    assert App.request_class is MyRequest

    @app.get("/")
    def view(req: t.Any, res: Response) -> Response:
        return res.json({"tenant": req.tenant, "flashes": req.flashes()})

    rv = app.test_client().get("/", headers={"X-Tenant": "acme"})
    assert rv.json == {"tenant": "acme", "flashes": ["boom"]}
    assert issubclass(app.request_class, MyRequest)

    other = make_app(compose(FlashReaderMixin))
    other.request_class = MyRequest
    assert issubclass(other.request_class, MyRequest)
    assert issubclass(other.request_class, FlashReaderRequest)


# -- the app refuses other response classes -----------------------------------------------------


@pytest.mark.parametrize("response_class", [flask.Response, WerkzeugResponse, int, "Response"])
def test_flask_express_refuses_a_response_class_not_built_on_fx_core(
    response_class: object,
) -> None:
    with pytest.raises(TypeError, match=r"fx_core\.Response"):
        FlaskExpress(__name__, response_class=response_class)  # type: ignore[arg-type]


def test_flask_express_subclass_refuses_a_flask_response_class_attribute() -> None:
    class App(FlaskExpress):
        response_class = flask.Response

    with pytest.raises(TypeError, match=r"fx_core\.Response"):
        App(__name__)
