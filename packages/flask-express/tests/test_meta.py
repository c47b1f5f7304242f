"""The meta-package: re-exports, the composed Response, version and metadata."""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import re
import typing as t

import flask
import pytest
import werkzeug.wrappers
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import flask_express
import flask_express.request
import flask_express.response
import flask_express.typing
import fx_core
import fx_core.pieces
from flask_express import MissingFeature

#: The optional pieces, in the order flask_express.Response composes them, and
#: the response methods each provides: fx-core's MissingFeature table, the one
#: place a piece is named in fx-core. test_depends_on_exactly_the_pieces_of_the_table
#: ties it to this package's dependencies, and integration_tests/test_release.py
#: to the folders under packages/.
PIECES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = tuple(
    (row.distribution, row.module, row.mixin, row.response_methods) for row in fx_core.pieces.PIECES
)

PIECE_METHODS = [
    pytest.param(method, dist, module, mixin, id=method)
    for dist, module, mixin, methods in PIECES
    for method in methods
]


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def installed_mixins() -> tuple[type[fx_core.Response], ...]:
    """The mixins of the pieces installed here, in the table's order."""
    return tuple(
        getattr(importlib.import_module(module), mixin)
        for _dist, module, mixin, _methods in PIECES
        if installed(module)
    )


def expected_message(owner: str, call: str, dist: str, mixin: str) -> str:
    return f"{owner}.{call} comes from {dist}: pip install {dist}, then compose({mixin})"


# -- re-exports (docs/packages/flask-express.md) ------------------------------


def test_root_reexports_the_core_names() -> None:
    assert issubclass(flask_express.Request, fx_core.Request)
    assert flask_express.Blueprint is fx_core.Blueprint
    assert flask_express.compose is fx_core.compose
    assert flask_express.MissingFeature is fx_core.MissingFeature
    assert flask_express.ResponseAlreadySent is fx_core.ResponseAlreadySent
    assert issubclass(flask_express.FlaskExpress, fx_core.FlaskExpress)
    assert issubclass(flask_express.FlaskExpress, flask.Flask)
    assert issubclass(flask_express.Response, fx_core.Response)
    for name in flask_express.__all__:
        assert hasattr(flask_express, name), name


def test_seed_module_paths_still_work() -> None:
    assert flask_express.response.Response is flask_express.Response
    assert flask_express.request.Request is flask_express.Request
    assert flask_express.typing.Request is flask_express.Request
    assert flask_express.typing.Response is flask_express.Response


def test_response_is_a_literal_class_of_the_meta_package() -> None:
    response = flask_express.Response
    assert response.__module__ == "flask_express.response"
    assert response.__qualname__ == "Response"
    assert response.__bases__[-1] is fx_core.Response


def test_request_is_a_literal_class_with_every_reader() -> None:
    request = flask_express.Request
    assert request.__module__ == "flask_express.request"
    assert request.__bases__[-1] is fx_core.Request
    # What compose_request builds for the meta Response adds nothing to it.
    assert fx_core.compose_request(flask_express.Response, request) is request
    composed = fx_core.compose_request(flask_express.Response)
    assert set(composed.__mro__) == set(request.__mro__) - {request} | {composed}


# -- the app and its response class -------------------------------------------


def test_app_uses_the_meta_response() -> None:
    app = flask_express.FlaskExpress(__name__)
    assert app.response_class is flask_express.Response
    assert app.request_class is flask_express.Request


def test_views_get_the_meta_response_and_request() -> None:
    app = flask_express.FlaskExpress(__name__)
    seen: dict[str, type] = {}

    @app.get("/users/<int:id>")
    def user(req: flask_express.Request, res: flask_express.Response) -> flask_express.Response:
        seen.update(req=type(req), res=type(res))
        return res.json(id=req.params.id, name=req.query.get("name"))

    rv = app.test_client().get("/users/7?name=Ada")
    assert rv.status_code == 200
    assert rv.json == {"id": 7, "name": "Ada"}
    assert seen == {"req": flask_express.Request, "res": flask_express.Response}
    assert isinstance(rv, flask_express.Response)


def test_response_mro_matches_compose() -> None:
    response = flask_express.Response
    mixins = installed_mixins()
    composed = flask_express.compose(*mixins)
    # The same mixins in the same order, then fx_core.Response and Flask's bases.
    assert response.__bases__ == (*mixins, fx_core.Response)
    assert response.__mro__[1:] == composed.__mro__[1:]
    assert response.__mro__[1 + len(mixins) :] == fx_core.Response.__mro__
    assert fx_core.Response.__mro__[1] is flask.Response


# -- version and metadata (docs/packages/flask-express.md) ---------------------


def test_version_is_at_least_1_0() -> None:
    version = Version(flask_express.__version__)
    # PyPI's old single-package flask-express is 0.1.x; this is its successor.
    assert version >= Version("1.0.0.dev0")
    assert version > Version("0.1.4")
    assert Version(importlib.metadata.version("flask-express")) == version


def test_depends_on_the_installed_parts_by_bounded_ranges() -> None:
    requirements: dict[str, Requirement] = {
        canonicalize_name(req.name): req
        for req in map(Requirement, importlib.metadata.requires("flask-express") or [])
    }
    needed = ["fx-core"] + [dist for dist, module, _m, _ms in PIECES if installed(module)]
    for dist in needed:
        assert dist in requirements, f"flask-express does not depend on {dist}"
        spec = requirements[dist].specifier
        local = importlib.metadata.version(dist)
        assert spec.contains(local, prereleases=True), f"{dist} {spec} refuses {local}"
        assert not spec.contains("2.0.0", prereleases=True), f"{dist} {spec} has no upper bound"


def test_depends_on_exactly_the_pieces_of_the_table() -> None:
    """Adding a piece is one dependency here and one row in fx-core's table;
    one without the other fails."""
    requires = [Requirement(text) for text in importlib.metadata.requires("flask-express") or []]
    ours = {canonicalize_name(r.name) for r in requires if r.name.startswith(("fx-", "fx_"))}
    assert ours == {"fx-core"} | {canonicalize_name(dist) for dist, *_ in PIECES}


# -- pieces not composed yet (docs/api/errors.md, MissingFeature) -------------


@pytest.mark.parametrize(("method", "dist", "module", "mixin"), PIECE_METHODS)
def test_methods_of_missing_pieces_raise_missing_feature(
    method: str, dist: str, module: str, mixin: str
) -> None:
    app = flask_express.FlaskExpress(__name__)
    with app.test_request_context():
        res = flask_express.Response.for_request()
        if installed(module):
            # The piece is installed, so the meta Response composes its mixin.
            assert callable(getattr(res, method))
            return
        message = expected_message("res", f"{method}()", dist, mixin)
        with pytest.raises(MissingFeature, match=f"^{re.escape(message)}$"):
            getattr(res, method)()
        with pytest.raises(AttributeError, match=re.escape(message)):
            getattr(flask_express.Response, method)
        assert not hasattr(res, method)


def test_request_readers_of_missing_pieces_raise_missing_feature() -> None:
    app = flask_express.FlaskExpress(__name__)
    with app.test_request_context():
        req = t.cast(fx_core.Request, flask.request)
        for row in fx_core.pieces.PIECES:
            calls = [f"{name}()" for name in row.request_methods]
            calls += list(row.request_properties)
            for call in calls:
                name = call.removesuffix("()")
                if installed(row.module):
                    # Composed by the meta Request: the class has no stub left.
                    getattr(app.request_class, name)
                    continue
                message = expected_message("req", call, row.distribution, row.mixin)
                with pytest.raises(MissingFeature, match=f"^{re.escape(message)}$"):
                    getattr(req, name)


def test_set_cookie_is_never_a_stub() -> None:
    if not installed("fx_cookies"):
        assert flask_express.Response.set_cookie is werkzeug.wrappers.Response.set_cookie
    # Flask's session goes through set_cookie on every app.
    app = flask_express.FlaskExpress(__name__)
    app.secret_key = "test-secret"

    @app.get("/count")
    def count(req: flask_express.Request, res: flask_express.Response) -> flask_express.Response:
        req.session.n = req.session.get("n", 0) + 1
        return res.json(n=req.session.n)

    client = app.test_client()
    assert client.get("/count").json == {"n": 1}
    assert client.get("/count").json == {"n": 2}
    assert client.get_cookie("session") is not None
