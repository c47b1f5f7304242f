"""Flask-Login's ``@login_required``, ``login_user`` and ``current_user`` on (req, res) views."""

from __future__ import annotations

import typing as t

import flask
import pytest
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_required,
    login_user,
    logout_user,
)

from flask_express import FlaskExpress

USERS = {"ada", "grace"}


class User(UserMixin):
    def __init__(self, name: str) -> None:
        self.id = name


def add_login(app: flask.Flask, login_view: str | None = None) -> LoginManager:
    app.config.update(SECRET_KEY="test-secret", TESTING=True)
    manager = LoginManager(app)
    manager.login_view = login_view  # type: ignore[assignment]

    @manager.user_loader
    def load_user(name: str) -> User | None:
        return User(name) if name in USERS else None

    return manager


def make_app(login_view: str | None = None) -> FlaskExpress:
    app = FlaskExpress(__name__)
    add_login(app, login_view)

    @app.route("/login", methods=["GET", "POST"])
    def login(req: t.Any, res: t.Any) -> t.Any:
        if req.method == "GET":
            return res.send("the login form")
        name = req.body.get("name")
        if name not in USERS:
            return res.send_status(403).send("unknown user")
        login_user(User(name), remember=req.body.get("remember") == "yes")
        return res.redirect(req.query.get("next", "/"))

    @app.post("/logout")
    @login_required
    def logout(req: t.Any, res: t.Any) -> None:
        logout_user()
        res.send("bye")  # finishing res is enough under login_required

    return app


def whoami(req: t.Any, res: t.Any) -> t.Any:
    return res.json(user=current_user.id, authenticated=current_user.is_authenticated)


def whoami_finishing(req: t.Any, res: t.Any) -> None:
    res.set("X-User", current_user.id).json(user=current_user.id)


def test_logged_out_is_401_then_login_logout(shape: str, serve: t.Any) -> None:
    app = make_app()
    serve(app, "/me", whoami, shape, decorators=[login_required])
    client = app.test_client()

    rv = client.get("/me")
    assert rv.status_code == 401

    rv = client.post("/login", data={"name": "ada"})
    assert (rv.status_code, rv.headers["Location"]) == (302, "/")
    rv = client.get("/me")
    assert rv.status_code == 200
    assert rv.json == {"user": "ada", "authenticated": True}

    assert client.post("/logout").data == b"bye"
    assert client.get("/me").status_code == 401


def test_a_view_that_only_finishes_res(shape: str, serve: t.Any) -> None:
    app = make_app()
    serve(app, "/me", whoami_finishing, shape, decorators=[login_required])
    client = app.test_client()

    assert client.get("/me").status_code == 401
    client.post("/login", data={"name": "grace"})
    rv = client.get("/me")
    assert (rv.status_code, rv.json, rv.headers["X-User"]) == (200, {"user": "grace"}, "grace")


def test_logged_out_redirects_to_the_login_view(shape: str, serve: t.Any) -> None:
    app = make_app(login_view="login")
    serve(app, "/me", whoami, shape, decorators=[login_required])
    client = app.test_client()

    rv = client.get("/me")
    assert rv.status_code == 302
    assert rv.headers["Location"] == "/login?next=%2Fme"
    rv = client.post("/login?next=/me", data={"name": "ada"}, follow_redirects=True)
    assert rv.request.path == "/me"
    assert rv.json["user"] == "ada"


def test_remember_me_cookie_logs_in_without_the_session() -> None:
    # Flask-Login sets its cookie with keyword arguments (samesite, secure,
    # httponly, ...) that fx-cookies checks.
    app = make_app()

    @app.get("/me")
    @login_required
    def me(req: t.Any, res: t.Any) -> t.Any:
        return whoami(req, res)

    client = app.test_client()
    client.post("/login", data={"name": "ada", "remember": "yes"})
    remember = client.get_cookie("remember_token")
    assert remember is not None and remember.value.startswith("ada|")
    assert remember.http_only

    client.delete_cookie("session")
    assert client.get("/me").json == {"user": "ada", "authenticated": True}


def test_unknown_user_is_refused() -> None:
    app = make_app()
    client = app.test_client()
    assert client.post("/login", data={"name": "eve"}).status_code == 403
    assert client.get_cookie("session") is None


@pytest.mark.parametrize("login_view", [None, "login"])
def test_same_answers_as_on_a_plain_flask_view(login_view: str | None) -> None:
    plain = flask.Flask(__name__)
    add_login(plain, login_view)

    @plain.route("/login", methods=["GET", "POST"])
    def login() -> t.Any:
        login_user(User(flask.request.form["name"]))
        return flask.redirect("/")

    @plain.get("/me")
    @login_required
    def me() -> t.Any:
        return {"user": current_user.id, "authenticated": True}

    express = make_app(login_view)
    serve_me = login_required(whoami)
    express.add_url_rule("/me", "me", serve_me)

    for app in (plain, express):
        client = app.test_client()
        logged_out = client.get("/me")
        client.post("/login", data={"name": "ada"})
        logged_in = client.get("/me")
        assert logged_out.status_code == (401 if login_view is None else 302)
        assert logged_out.headers.get("Location") == (
            None if login_view is None else "/login?next=%2Fme"
        )
        assert (logged_in.status_code, logged_in.json) == (
            200,
            {"user": "ada", "authenticated": True},
        )
