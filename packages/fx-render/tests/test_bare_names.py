"""``res.render("index")``: a bare name, the Express habit, renders
``index.html`` (docs/packages/fx-render.md)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from jinja2 import ChoiceLoader, DictLoader, TemplateNotFound

from fx_core import FlaskExpress, Request
from fx_render import RenderMixin


def _serve(app: FlaskExpress, template: str, **variables: object) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render(template, **variables)


def test_a_bare_name_renders_the_html_file(app: FlaskExpress, client: FlaskClient) -> None:
    _serve(app, "hello", name="<Ada>")
    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == "text/html; charset=utf-8"
    # Rendered as hello.html: autoescaped as an .html file is.
    assert rv.data == b"<h1>Hello &lt;Ada&gt;</h1>"


def test_a_bare_name_with_folders(app: FlaskExpress, client: FlaskClient) -> None:
    _serve(app, "users/show", name="ada")
    assert client.get("/").data == b"user ada"


def test_the_extension_comes_from_the_config_on_each_call(
    app: FlaskExpress, client: FlaskClient
) -> None:
    _serve(app, "hello", name="Ada")
    app.config["FX_RENDER_EXTENSION"] = ".j2"
    assert client.get("/").data == b"j2 says Ada"
    app.config["FX_RENDER_EXTENSION"] = "html"
    assert client.get("/").data == b"<h1>Hello Ada</h1>"
    del app.config["FX_RENDER_EXTENSION"]
    assert client.get("/").data == b"<h1>Hello Ada</h1>"


@pytest.mark.parametrize("name", ["Thanks", "no-such-page", "users/nobody", "index"])
def test_a_bare_name_that_matches_no_template_raises(
    app: FlaskExpress, client: FlaskClient, name: str
) -> None:
    _serve(app, name)
    with pytest.raises(TemplateNotFound) as excinfo:
        client.get("/")
    assert f"{name}.html" in str(excinfo.value)


def test_a_template_stored_under_the_bare_name_is_still_found(
    app: FlaskExpress, client: FlaskClient
) -> None:
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"plain": "extensionless {{ n }}"}), app.jinja_env.loader]  # type: ignore[list-item]
    )
    _serve(app, "plain", n=1)
    assert client.get("/").data == b"extensionless 1"


def test_the_extension_wins_over_the_bare_name(app: FlaskExpress, client: FlaskClient) -> None:
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"page": "bare", "page.html": "with extension"}), app.jinja_env.loader]  # type: ignore[list-item]
    )
    _serve(app, "page")
    assert client.get("/").data == b"with extension"


@pytest.mark.parametrize(
    "text",
    ["Hello world", "Thanks!", "v1.2", "{{ 1 + 1 }}", "<p>hi</p>", "hello\nthere"],
)
def test_raw_template_strings_keep_working(
    app: FlaskExpress, client: FlaskClient, text: str
) -> None:
    _serve(app, text)
    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == (b"2" if text.startswith("{{") else text.encode())


def test_a_name_with_an_extension_is_looked_up_as_it_is(
    app: FlaskExpress, client: FlaskClient
) -> None:
    _serve(app, "hello.html", name="Ada")
    app.config["FX_RENDER_EXTENSION"] = ".j2"
    assert client.get("/").data == b"<h1>Hello Ada</h1>"


@pytest.mark.parametrize("bad", [3, "", ".", "../x", ".ht ml"])
def test_a_bad_extension_setting_is_a_clear_error(
    app: FlaskExpress, client: FlaskClient, bad: object
) -> None:
    _serve(app, "hello", name="Ada")
    app.config["FX_RENDER_EXTENSION"] = bad
    with pytest.raises(ValueError, match="FX_RENDER_EXTENSION"):
        client.get("/")
