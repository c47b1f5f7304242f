"""Flask-Session's server-side sessions: ``req.session``, ``res.flash``, ``req.flashes()``."""

from __future__ import annotations

import re
import typing as t
from pathlib import Path

import flask
from cachelib import FileSystemCache
from flask_session import Session

from flask_express import FlaskExpress


def make_app(app_class: type[flask.Flask], folder: Path) -> tuple[flask.Flask, FileSystemCache]:
    store = FileSystemCache(cache_dir=str(folder), threshold=500)
    app = app_class(__name__)
    app.config.update(SECRET_KEY="test-secret", SESSION_TYPE="cachelib", SESSION_CACHELIB=store)
    Session(app)
    return app, store


def login(req: t.Any, res: t.Any) -> t.Any:
    req.session.user = req.body.name
    req.session.setdefault("visits", 0)
    return res.flash(f"Welcome, {req.body.name}", "success").flash("2 new notes").redirect("/me")


def me(req: t.Any, res: t.Any) -> None:
    req.session.visits = req.session.get("visits", 0) + 1
    res.json(
        user=req.session.get("user"),
        visits=req.session.visits,
        flashes=req.flashes(with_categories=True),
    )


def logout(req: t.Any, res: t.Any) -> t.Any:
    req.session.clear()
    return res.send_status(204).end()


def session_id(client: t.Any) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return t.cast(str, cookie.value)


def test_session_writes_and_reads_across_requests(shape: str, serve: t.Any, tmp_path: Path) -> None:
    app, store = make_app(FlaskExpress, tmp_path)
    serve(app, "/login", login, shape, methods=["POST"], endpoint="login")
    serve(app, "/me", me, shape, endpoint="me")
    serve(app, "/logout", logout, shape, methods=["POST"], endpoint="logout")
    client = app.test_client()

    rv = client.post("/login", data={"name": "ada"})
    assert (rv.status_code, rv.headers["Location"]) == (302, "/me")
    sid = session_id(client)
    # Only an opaque id travels: the data is in the store.
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", sid)
    assert "ada" not in rv.headers["Set-Cookie"]
    assert store.has(f"session:{sid}")

    first = client.get("/me").json
    # msgspec, Flask-Session's serializer, gives back the (category,
    # message) pairs Flask stored as lists.
    assert first == {
        "user": "ada",
        "visits": 1,
        "flashes": [["success", "Welcome, ada"], ["info", "2 new notes"]],
    }
    assert client.get("/me").json == {"user": "ada", "visits": 2, "flashes": []}
    assert session_id(client) == sid

    assert client.post("/logout").status_code == 204
    assert client.get("/me").json == {"user": None, "visits": 1, "flashes": []}


def test_the_session_lives_on_the_server(tmp_path: Path) -> None:
    app, store = make_app(FlaskExpress, tmp_path)
    app.add_url_rule("/login", "login", login, methods=["POST"])
    app.add_url_rule("/me", "me", me)
    client = app.test_client()
    client.post("/login", data={"name": "grace"})
    sid = session_id(client)

    other = app.test_client()
    other.set_cookie("session", sid)
    assert other.get("/me").json["user"] == "grace"  # the id is the session

    store.clear()
    assert client.get("/me").json["user"] is None

    forged = app.test_client()
    forged.set_cookie("session", "not-a-session-id")
    assert forged.get("/me").json == {"user": None, "visits": 1, "flashes": []}


def test_same_session_and_flashes_as_plain_flask(tmp_path: Path) -> None:
    plain, _ = make_app(flask.Flask, tmp_path / "plain")

    @plain.post("/login")
    def plain_login() -> t.Any:
        name = flask.request.form["name"]
        flask.session["user"] = name
        flask.session.setdefault("visits", 0)
        flask.flash(f"Welcome, {name}", "success")
        flask.flash("2 new notes", "info")
        return flask.redirect("/me")

    @plain.get("/me")
    def plain_me() -> t.Any:
        flask.session["visits"] = flask.session.get("visits", 0) + 1
        return {
            "user": flask.session.get("user"),
            "visits": flask.session["visits"],
            "flashes": flask.get_flashed_messages(with_categories=True),
        }

    express, _ = make_app(FlaskExpress, tmp_path / "express")
    express.add_url_rule("/login", "login", login, methods=["POST"])
    express.add_url_rule("/me", "me", me)

    seen = []
    for app in (plain, express):
        client = app.test_client()
        posted = client.post("/login", data={"name": "ada"})
        cookie = posted.headers["Set-Cookie"]
        seen.append(
            (
                posted.status_code,
                # The id is random and the expiry a date: compare the rest.
                re.sub(r"Expires=[^;]+", "Expires=<date>", re.sub(r"^session=[^;]+", "", cookie)),
                client.get("/me").json,
                client.get("/me").json,
            )
        )
    assert seen[0] == seen[1]
