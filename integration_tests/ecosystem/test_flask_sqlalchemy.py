"""Flask-SQLAlchemy (SQLite in a temporary file) in (req, res) views."""

from __future__ import annotations

import typing as t
from pathlib import Path

import flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from flask_express import FlaskExpress


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Note(db.Model):  # type: ignore[name-defined,misc]
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(unique=True)
    text: Mapped[str] = mapped_column(default="")

    def to_dict(self) -> dict[str, t.Any]:
        return {"id": self.id, "title": self.title, "text": self.text}


def make_app(app_class: type[flask.Flask], tmp_path: Path) -> flask.Flask:
    tmp_path.mkdir(exist_ok=True)
    app = app_class(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'notes.db'}", TESTING=True)
    db.init_app(app)
    with app.app_context():
        db.create_all()
    return app


def create(req: t.Any, res: t.Any) -> t.Any:
    note = Note(title=req.json.title, text=req.json.get("text", ""))
    db.session.add(note)
    db.session.commit()
    return res.send_status(201).set("Location", f"/notes/{note.id}").json(note.to_dict())


def read(req: t.Any, res: t.Any, id: int) -> None:
    res.json(db.get_or_404(Note, id, description=f"no note {id}").to_dict())


def by_title(req: t.Any, res: t.Any, title: str) -> t.Any:
    note = db.first_or_404(db.select(Note).filter_by(title=title))
    return res.json(note.to_dict())


def legacy_query(req: t.Any, res: t.Any) -> t.Any:
    # The Model.query API that many older apps use.
    note = Note.query.filter(Note.text.contains(req.query.text)).first_or_404()
    return res.json(note.to_dict())


def listing(req: t.Any, res: t.Any) -> t.Any:
    page = db.paginate(db.select(Note).order_by(Note.id), per_page=2)
    return res.json(items=[n.to_dict() for n in page.items], total=page.total, pages=page.pages)


def serve_all(app: flask.Flask, serve: t.Any, shape: str) -> None:
    serve(app, "/notes", create, shape, methods=["POST"], endpoint="create")
    serve(app, "/notes", listing, shape, endpoint="listing")
    serve(app, "/notes/<int:id>", read, shape, endpoint="read")
    serve(app, "/by-title/<title>", by_title, shape, endpoint="by_title")
    serve(app, "/search", legacy_query, shape, endpoint="search")


def test_post_commits_and_get_reads_back(shape: str, serve: t.Any, tmp_path: Path) -> None:
    app = make_app(FlaskExpress, tmp_path)
    serve_all(app, serve, shape)
    client = app.test_client()

    rv = client.post("/notes", json={"title": "Milk", "text": "2 litres"})
    assert rv.status_code == 201
    assert rv.headers["Location"] == "/notes/1"
    assert rv.json == {"id": 1, "title": "Milk", "text": "2 litres"}
    client.post("/notes", json={"title": "Eggs"})
    client.post("/notes", json={"title": "Tea", "text": "green"})

    assert client.get("/notes/1").json == {"id": 1, "title": "Milk", "text": "2 litres"}
    assert client.get("/by-title/Eggs").json["id"] == 2
    assert client.get("/search?text=gree").json["title"] == "Tea"
    rv = client.get("/notes")
    assert rv.json == {
        "items": [
            {"id": 1, "title": "Milk", "text": "2 litres"},
            {"id": 2, "title": "Eggs", "text": ""},
        ],
        "total": 3,
        "pages": 2,
    }
    assert [n["title"] for n in client.get("/notes?page=2").json["items"]] == ["Tea"]

    # Committed, not only in the request's session.
    with app.app_context():
        assert db.session.scalars(db.select(Note.title).order_by(Note.id)).all() == [
            "Milk",
            "Eggs",
            "Tea",
        ]


def test_404s(shape: str, serve: t.Any, tmp_path: Path) -> None:
    app = make_app(FlaskExpress, tmp_path)
    serve_all(app, serve, shape)
    client = app.test_client()

    rv = client.get("/notes/42")
    assert rv.status_code == 404
    assert "no note 42" in rv.text
    assert client.get("/by-title/nothing").status_code == 404
    assert client.get("/search?text=nothing").status_code == 404
    assert client.get("/notes?page=9").status_code == 404  # paginate's error_out


def test_a_failed_commit_rolls_back_and_the_session_is_clean_after(
    shape: str, serve: t.Any, tmp_path: Path
) -> None:
    app = make_app(FlaskExpress, tmp_path)
    app.config["TESTING"] = False  # the unique constraint error becomes a 500
    serve_all(app, serve, shape)
    client = app.test_client()

    assert client.post("/notes", json={"title": "Milk"}).status_code == 201
    assert client.post("/notes", json={"title": "Milk"}).status_code == 500
    # Flask-SQLAlchemy removes the session at the end of each request.
    assert client.post("/notes", json={"title": "Tea"}).json["id"] == 2


def test_same_answers_as_plain_flask_views(tmp_path: Path) -> None:
    plain = make_app(flask.Flask, tmp_path / "plain")

    @plain.post("/notes")
    def plain_create() -> t.Any:
        data = flask.request.get_json()
        note = Note(title=data["title"], text=data.get("text", ""))
        db.session.add(note)
        db.session.commit()
        return note.to_dict(), 201, {"Location": f"/notes/{note.id}"}

    @plain.get("/notes/<int:id>")
    def plain_read(id: int) -> t.Any:
        return db.get_or_404(Note, id, description=f"no note {id}").to_dict()

    express = make_app(FlaskExpress, tmp_path / "express")
    express.add_url_rule("/notes", "create", create, methods=["POST"])
    express.add_url_rule("/notes/<int:id>", "read", read)

    seen = []
    for app in (plain, express):
        client = app.test_client()
        posted = client.post("/notes", json={"title": "Milk"})
        read_back, missing = client.get("/notes/1"), client.get("/notes/2")
        seen.append(
            (
                posted.status_code,
                posted.json,
                posted.headers["Location"],
                read_back.json,
                missing.status_code,
                "no note 2" in missing.text,
            )
        )
    assert (
        seen[0]
        == seen[1]
        == (
            201,
            {"id": 1, "title": "Milk", "text": ""},
            "/notes/1",
            {"id": 1, "title": "Milk", "text": ""},
            404,
            True,
        )
    )
