"""Flask-WTF's ``CSRFProtect`` and ``FlaskForm`` with (req, res) views."""

from __future__ import annotations

import re
import typing as t

import flask
from flask_wtf import CSRFProtect, FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, NumberRange

from flask_express import FlaskExpress

FORM = """<form method="post" action="/submit">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  <input name="title">
</form>"""


def make_app() -> tuple[FlaskExpress, CSRFProtect]:
    app = FlaskExpress(__name__)
    app.config.update(SECRET_KEY="test-secret", TESTING=True)
    csrf = CSRFProtect(app)

    @app.get("/form")
    def form(req: t.Any, res: t.Any) -> t.Any:
        return res.render(FORM)

    return app, csrf


def token_from_form(client: t.Any) -> str:
    page = client.get("/form")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)


def submit(req: t.Any, res: t.Any) -> None:
    res.send_status(201).json(title=req.body.get("title") or req.json.get("title"))


def test_form_post_needs_the_token_rendered_by_res_render(shape: str, serve: t.Any) -> None:
    app, _ = make_app()
    serve(app, "/submit", submit, shape, methods=["POST"])
    client = app.test_client()

    rv = client.post("/submit", data={"title": "no token"})
    assert rv.status_code == 400
    assert "The CSRF token is missing." in rv.text

    rv = client.post("/submit", data={"title": "forged", "csrf_token": "forged"})
    assert rv.status_code == 400

    token = token_from_form(client)
    rv = client.post("/submit", data={"title": "hello", "csrf_token": token})
    assert (rv.status_code, rv.json) == (201, {"title": "hello"})


def test_json_post_with_the_x_csrftoken_header(shape: str, serve: t.Any) -> None:
    app, _ = make_app()
    serve(app, "/submit", submit, shape, methods=["POST"])
    client = app.test_client()

    assert client.post("/submit", json={"title": "no header"}).status_code == 400
    token = token_from_form(client)
    rv = client.post("/submit", json={"title": "json"}, headers={"X-CSRFToken": token})
    assert (rv.status_code, rv.json) == (201, {"title": "json"})


def test_csrf_exempt(shape: str, serve: t.Any) -> None:
    app, csrf = make_app()
    if "method_view" in shape:
        # Flask-WTF exempts views by "module.name" of the function Flask
        # routes to: for a MethodView that is the function as_view() makes,
        # not the get/post method (as on plain Flask).
        serve(app, "/hook", submit, shape, methods=["POST"], class_decorators=[csrf.exempt])
    else:
        serve(app, "/hook", submit, shape, methods=["POST"], decorators=[csrf.exempt])
    client = app.test_client()

    rv = client.post("/hook", data={"title": "webhook"})
    assert (rv.status_code, rv.json) == (201, {"title": "webhook"})


def test_exempt_decorator_under_the_route_decorator() -> None:
    app, csrf = make_app()

    @app.post("/hook")
    @csrf.exempt
    def hook(req: t.Any, res: t.Any) -> t.Any:
        return res.send("ok")

    @app.post("/guarded")
    def guarded(req: t.Any, res: t.Any) -> t.Any:
        return res.send("ok")

    client = app.test_client()
    assert client.post("/hook").data == b"ok"
    assert client.post("/guarded").status_code == 400


class NoteForm(FlaskForm):
    title = StringField(validators=[DataRequired()])
    stars = IntegerField(validators=[NumberRange(1, 5)])


def test_flask_form_in_a_req_res_view() -> None:
    app, _ = make_app()

    @app.post("/notes")
    def create(req: t.Any, res: t.Any) -> t.Any:
        form = NoteForm()
        if not form.validate_on_submit():
            return res.send_status(422).json(form.errors)
        return res.send_status(201).json(title=form.title.data, stars=form.stars.data)

    client = app.test_client()
    token = token_from_form(client)
    rv = client.post("/notes", data={"title": "x", "stars": "9", "csrf_token": token})
    assert rv.status_code == 422
    assert set(rv.json) == {"stars"}
    rv = client.post("/notes", data={"title": "x", "stars": "3", "csrf_token": token})
    assert (rv.status_code, rv.json) == (201, {"title": "x", "stars": 3})
    rv = client.post("/notes", json={"title": "j", "stars": 2}, headers={"X-CSRFToken": token})
    assert (rv.status_code, rv.json) == (201, {"title": "j", "stars": 2})


def test_same_answers_as_on_a_plain_flask_view() -> None:
    plain = flask.Flask(__name__)
    plain.config.update(SECRET_KEY="test-secret", TESTING=True)
    CSRFProtect(plain)

    @plain.get("/form")
    def form() -> str:
        return flask.render_template_string(FORM)

    @plain.post("/submit")
    def plain_submit() -> t.Any:
        return {"title": flask.request.form["title"]}, 201

    express, _ = make_app()
    express.add_url_rule("/submit", "submit", submit, methods=["POST"])

    for app in (plain, express):
        client = app.test_client()
        assert client.post("/submit", data={"title": "t"}).status_code == 400
        token = token_from_form(client)
        rv = client.post("/submit", data={"title": "t", "csrf_token": token})
        assert (rv.status_code, rv.json) == (201, {"title": "t"})
