"""``res.render`` (docs/packages/fx-render.md).

Every test makes a real request through Flask's test client to a real view
that renders from ``tests/templates/`` (the app's ``template_folder``) or a
template string. An exception raised in a view propagates out of
``client.get`` because the ``app`` fixture sets ``TESTING``; views that must
keep going after a failed call catch the error, record it and then answer.
"""

from __future__ import annotations

import types
import typing as t
from pathlib import Path

import flask
import pytest
from flask.testing import FlaskClient
from jinja2 import ChoiceLoader, DictLoader, StrictUndefined, Template, TemplateNotFound
from jinja2.exceptions import UndefinedError
from markupsafe import Markup

from fx_core import Blueprint, FlaskExpress, Request, Response, ResponseAlreadySent
from fx_render import RenderMixin

HTML = "text/html; charset=utf-8"
BLUEPRINT_TEMPLATES = Path(__file__).parent / "blueprint_templates"


# -- files and strings -------------------------------------------------------------------


def test_render_a_template_file(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("hello.html", name="Ada")

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == HTML
    assert rv.data == b"<h1>Hello Ada</h1>"


def test_render_a_template_string(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("<p>{{ a }} + {{ b }} = {{ a + b }}</p>", a=1, b=2)

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == HTML
    assert rv.data == b"<p>1 + 2 = 3</p>"


def test_render_returns_res_and_finishes_it(app: FlaskExpress, client: FlaskClient) -> None:
    seen: dict[str, t.Any] = {}

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> None:
        seen["returned"] = res.render("hello.html", name="Ada")
        seen["res"] = res
        seen["finished_by"] = res.finished_by

    rv = client.get("/")
    assert seen["returned"] is seen["res"]
    assert seen["finished_by"] == "render"
    assert rv.data == b"<h1>Hello Ada</h1>"


def test_render_a_template_with_a_loop(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("list.html", items=["tea", "milk", "<jam>"])

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b"<ul><li>1:tea</li><li>2:milk</li><li>3:&lt;jam&gt;</li></ul>"


def test_render_a_string_with_a_loop(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("{% for n in numbers %}[{{ n }}]{% endfor %}", numbers=range(3))

    assert client.get("/").data == b"[0][1][2]"


def test_a_missing_file_name_raises_template_not_found(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("no-such-page.html")

    with pytest.raises(TemplateNotFound) as excinfo:
        client.get("/")
    assert excinfo.value.name == "no-such-page.html"


@pytest.mark.parametrize(
    "name",
    [
        "missing.htm",
        "missing.xml",
        "missing.txt",
        "missing.j2",
        "missing.jinja",
        "missing.jinja2",
        "emails/missing.html",
        "MISSING.HTML",
    ],
)
def test_every_template_extension_counts_as_a_file_name(
    app: FlaskExpress, client: FlaskClient, name: str
) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render(name)

    with pytest.raises(TemplateNotFound):
        client.get("/")


def test_a_missing_file_name_is_a_server_error_outside_testing(
    app: FlaskExpress, client: FlaskClient
) -> None:
    app.config["TESTING"] = False

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("no-such-page.html")

    rv = client.get("/")
    assert rv.status_code == 500
    assert b"no-such-page.html" not in rv.data


@pytest.mark.parametrize(
    "text",
    [
        "Hello world, have a nice day.",
        "See index.html for details",
        # A single word is a bare template name (test_bare_names.py).
        "Thanks!",
        "v1.2",
        "",
    ],
)
def test_text_that_names_no_template_is_rendered_as_text(
    app: FlaskExpress, client: FlaskClient, text: str
) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render(text)

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == HTML
    assert rv.data == text.encode()


def test_a_name_without_extension_the_loader_finds_is_rendered_as_a_file(
    app: FlaskExpress, client: FlaskClient
) -> None:
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"greeting": "from the loader: {{ name }}"}), app.jinja_env.loader]  # type: ignore[list-item]
    )

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("greeting", name="Ada")

    assert client.get("/").data == b"from the loader: Ada"


@pytest.mark.parametrize("source", ["{{ x }}", "{% if 1 %}x{% endif %}", "{# c #}x", "<b>x</b>"])
def test_template_source_is_never_looked_up_as_a_name(
    app: FlaskExpress, client: FlaskClient, source: str
) -> None:
    # Even a loader that holds a template under that exact name is not asked.
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({source: "FROM THE LOADER"}), app.jinja_env.loader]  # type: ignore[list-item]
    )

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render(source, x="x")

    rv = client.get("/")
    assert b"FROM THE LOADER" not in rv.data
    assert rv.data in {b"x", b"<b>x</b>"}


def test_text_with_a_newline_is_source(app: FlaskExpress, client: FlaskClient) -> None:
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"two\nlines": "FROM THE LOADER"}), app.jinja_env.loader]  # type: ignore[list-item]
    )

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("two\nlines")

    assert client.get("/").data == b"two\nlines"


def test_an_include_of_a_missing_template_is_not_hidden(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("includes_missing.html")

    with pytest.raises(TemplateNotFound) as excinfo:
        client.get("/")
    assert excinfo.value.name == "missing-part.html"


def test_templates_from_a_blueprint_folder_are_found(
    app: FlaskExpress, client: FlaskClient
) -> None:
    bp = Blueprint("shop", __name__, template_folder=str(BLUEPRINT_TEMPLATES))

    @bp.get("/item/<name>")
    def item(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("shop/page.html", item=req.params.name)

    app.register_blueprint(bp, url_prefix="/shop")

    rv = client.get("/shop/item/teapot")
    assert rv.status_code == 200
    assert rv.data == b"shop page for teapot"


def test_a_plain_flask_blueprint_folder_is_found_too(
    app: FlaskExpress, client: FlaskClient
) -> None:
    bp = flask.Blueprint("shop", __name__, template_folder=str(BLUEPRINT_TEMPLATES))

    @bp.get("/item")
    def item(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("shop/page.html", item="cup")

    app.register_blueprint(bp)

    assert client.get("/item").data == b"shop page for cup"


def test_render_in_an_async_view(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    async def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("hello.html", name="async")

    assert client.get("/").data == b"<h1>Hello async</h1>"


# -- autoescape ---------------------------------------------------------------------------

SCRIPT = "<script>alert('x')</script>"
ESCAPED = b"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"


def test_a_file_render_escapes_html(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("hello.html", name=SCRIPT)

    assert client.get("/").data == b"<h1>Hello " + ESCAPED + b"</h1>"


def test_a_string_render_escapes_html(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("<p>{{ name }}</p>", name=SCRIPT)

    assert client.get("/").data == b"<p>" + ESCAPED + b"</p>"


def test_a_string_without_markup_escapes_html_too(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("Hi {{ name }}", name=SCRIPT)

    assert client.get("/").data == b"Hi " + ESCAPED


def test_an_xml_file_render_escapes(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("data.xml", value="a < b & c")

    assert client.get("/").data == b"<item>a &lt; b &amp; c</item>"


def test_a_txt_file_render_does_not_escape(app: FlaskExpress, client: FlaskClient) -> None:
    # Flask's rule: autoescape for .html, .htm, .xml (and .xhtml, .svg) only.
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("note.txt", value="a < b & c")

    assert client.get("/").data == b"note: a < b & c"


def test_markup_is_not_escaped_twice(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("<p>{{ name }}</p>", name=Markup("<b>Ada</b>"))

    assert client.get("/").data == b"<p><b>Ada</b></p>"


# -- the context --------------------------------------------------------------------------

LAYERS = ["global", "processor", "locals", "dict", "keyword"]


@pytest.mark.parametrize("top", LAYERS)
def test_context_precedence(app: FlaskExpress, client: FlaskClient, top: str) -> None:
    # `who` is defined at every layer up to `top`; the highest one wins.
    layers = LAYERS[: LAYERS.index(top) + 1]
    app.jinja_env.globals["who"] = "global"
    if "processor" in layers:
        app.context_processor(lambda: {"who": "processor"})

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        if "locals" in layers:
            res.locals.who = "locals"
        context = {"who": "dict"} if "dict" in layers else {}
        keywords = {"who": "keyword"} if "keyword" in layers else {}
        return res.render("who.html", context, **keywords)

    assert client.get("/").data == f"who={top}".encode()


def test_context_precedence_in_a_string_render(app: FlaskExpress, client: FlaskClient) -> None:
    app.context_processor(lambda: {"a": "processor", "b": "processor", "c": "processor"})

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        res.locals.update(b="locals", c="locals", d="locals")
        return res.render(
            "{{ a }} {{ b }} {{ c }} {{ d }} {{ e }}", {"c": "dict", "d": "dict"}, e="keyword"
        )

    assert client.get("/").data == b"processor locals dict dict keyword"


def test_flask_globals_are_available(app: FlaskExpress, client: FlaskClient) -> None:
    app.config["SITE_NAME"] = "Teashop"

    @app.get("/set")
    def set_name(req: Request, res: Response) -> Response:
        req.set_session("name", "Ada")
        return res.send("ok")

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        flask.g.user = "ada@example.com"
        return res.render("flask_globals.html")

    client.get("/set")
    rv = client.get("/?q=green")
    assert rv.data == b"ada@example.com|/|green|Ada|Teashop|/"


def test_flask_globals_are_available_in_a_string(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/page")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        flask.g.user = "ada"
        return res.render("{{ g.user }} {{ request.method }} {{ url_for('view', x=1) }}")

    assert client.get("/page").data == b"ada GET /page?x=1"


def test_res_locals_reach_the_template(app: FlaskExpress, client: FlaskClient) -> None:
    @app.before_request
    def load_user() -> None:
        t.cast(Request, flask.request).res.locals.user = "Ada"

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        res.locals.title = "Home"
        return res.render("<title>{{ title }}</title>{{ user }}")

    assert client.get("/").data == b"<title>Home</title>Ada"


def test_a_context_dict_and_keywords_merge(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("{{ a }}-{{ b }}-{{ c }}", {"a": 1, "b": 2}, b=20, c=30)

    assert client.get("/").data == b"1-20-30"


def test_a_context_dict_is_not_changed(app: FlaskExpress, client: FlaskClient) -> None:
    context = {"a": 1}

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        res.locals.z = 26
        return res.render("{{ a }}{{ b }}{{ z }}", context, b=2)

    assert client.get("/").data == b"1226"
    assert context == {"a": 1}


def test_any_mapping_is_a_context(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("{{ a }}", types.MappingProxyType({"a": "proxy"}))

    assert client.get("/").data == b"proxy"


def test_variables_named_like_the_parameters(app: FlaskExpress, client: FlaskClient) -> None:
    # The positional parameters are positional-only, so their names (and
    # Flask's ``source``) stay free as template variables.
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render(
            "{{ template_or_raw }} {{ context }} {{ source }}",
            template_or_raw="t",
            context="c",
            source="s",
        )

    assert client.get("/").data == b"t c s"


@pytest.mark.parametrize(
    ("context", "type_name"),
    [(["a", 1], "list"), ("name=Ada", "str"), (42, "int"), ((("a", 1),), "tuple")],
)
def test_a_context_that_is_not_a_mapping_raises_type_error(
    app: FlaskExpress, client: FlaskClient, context: object, type_name: str
) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("{{ a }}", context)  # type: ignore[arg-type]

    with pytest.raises(TypeError, match=rf"got {type_name}$"):
        client.get("/")


def test_a_template_that_is_not_a_str_raises_type_error(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render(b"hello.html")  # type: ignore[arg-type]

    with pytest.raises(TypeError, match=r"got bytes$"):
        client.get("/")


# -- what was set before ---------------------------------------------------------------


def test_status_headers_and_cookies_set_before_are_kept(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        res.send_status(201).set("X-Trace", "abc").append("Vary", "Cookie")
        res.set_cookie("theme", "dark")
        return res.render("hello.html", name="Ada")

    rv = client.get("/")
    assert rv.status_code == 201
    assert rv.headers["X-Trace"] == "abc"
    assert rv.headers["Vary"] == "Cookie"
    assert rv.headers["Set-Cookie"] == "theme=dark; Path=/"
    assert rv.headers["Content-Type"] == HTML
    assert rv.data == b"<h1>Hello Ada</h1>"


def test_a_content_type_set_before_is_kept(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/feed")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.type("xml").render("data.xml", value="tea")

    rv = client.get("/feed")
    assert rv.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert rv.data == b"<item>tea</item>"


def test_a_verbatim_content_type_set_before_is_kept(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.set("Content-Type", "text/plain").render("note.txt", value="tea")

    rv = client.get("/")
    assert rv.headers["Content-Type"] == "text/plain"
    assert rv.data == b"note: tea"


# -- errors leave res unchanged ----------------------------------------------------------


def _strict(app: FlaskExpress) -> None:
    app.jinja_env.undefined = StrictUndefined


FAILURES: list[tuple[str, t.Callable[[RenderMixin], t.Any], type[Exception]]] = [
    ("missing file", lambda res: res.render("no-such-page.html"), TemplateNotFound),
    ("missing include", lambda res: res.render("includes_missing.html"), TemplateNotFound),
    ("undefined in a string", lambda res: res.render("{{ nobody.name }}"), UndefinedError),
    ("undefined in a file", lambda res: res.render("hello.html"), UndefinedError),
    (
        "non-dict context",
        lambda res: res.render("x", ["a"]),  # type: ignore[arg-type]
        TypeError,
    ),
    (
        "non-str template",
        lambda res: res.render(None),  # type: ignore[arg-type]
        TypeError,
    ),
    (
        "non-str variable name",
        lambda res: res.render("{{ x }}", {1: "one"}),  # type: ignore[dict-item]
        TypeError,
    ),
]


@pytest.mark.parametrize(
    ("call", "error"), [(call, error) for _, call, error in FAILURES], ids=[i for i, *_ in FAILURES]
)
def test_a_render_that_raises_leaves_res_unchanged_and_unfinished(
    app: FlaskExpress,
    client: FlaskClient,
    call: t.Callable[[RenderMixin], t.Any],
    error: type[Exception],
) -> None:
    _strict(app)
    seen: dict[str, t.Any] = {}

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        res.send_status(202).set("X-Before", "1")
        with pytest.raises(error):
            call(res)
        seen["finished_by"] = res.finished_by
        seen["content_type"] = res.get("Content-Type")
        seen["body"] = res.get_data()
        return res.send("fallback")

    rv = client.get("/")
    assert seen == {"finished_by": None, "content_type": None, "body": b""}
    assert rv.status_code == 202
    assert rv.headers["X-Before"] == "1"
    assert rv.headers["Content-Type"] == HTML
    assert rv.data == b"fallback"


def test_strict_undefined_in_the_apps_jinja_env_applies(
    app: FlaskExpress, client: FlaskClient
) -> None:
    _strict(app)

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("Hi {{ name }}")

    with pytest.raises(UndefinedError, match="'name' is undefined"):
        client.get("/")


# -- terminal ---------------------------------------------------------------------------


def test_render_after_send_raises_response_already_sent(
    app: FlaskExpress, client: FlaskClient
) -> None:
    errors: list[str] = []

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        res.send("first")
        with pytest.raises(ResponseAlreadySent) as excinfo:
            res.render("hello.html", name="Ada")
        errors.append(str(excinfo.value))
        return res

    rv = client.get("/")
    assert rv.data == b"first"
    assert errors == ["res.render() was called, but res.send() already sent this response"]


def test_a_second_render_raises_response_already_sent(
    app: FlaskExpress, client: FlaskClient
) -> None:
    errors: list[str] = []

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        res.render("hello.html", name="one")
        with pytest.raises(ResponseAlreadySent) as excinfo:
            res.render("hello.html", name="two")
        errors.append(str(excinfo.value))
        with pytest.raises(ResponseAlreadySent) as excinfo:
            res.json({"no": True})
        errors.append(str(excinfo.value))
        return res

    rv = client.get("/")
    assert rv.data == b"<h1>Hello one</h1>"
    assert rv.headers["Content-Type"] == HTML
    assert errors == [
        "res.render() was called, but res.render() already sent this response",
        "res.json() was called, but res.render() already sent this response",
    ]


def test_already_sent_is_raised_before_the_arguments_are_checked(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        res.end()
        return res.render("x", ["not a dict"])  # type: ignore[arg-type]

    with pytest.raises(ResponseAlreadySent):
        client.get("/")


# -- signals ----------------------------------------------------------------------------


def test_template_rendered_signal_fires_for_a_file(app: FlaskExpress, client: FlaskClient) -> None:
    recorded: list[tuple[t.Any, str | None, dict[str, t.Any]]] = []

    def record(sender: flask.Flask, template: Template, context: dict[str, t.Any]) -> None:
        recorded.append((sender, template.name, context))

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        res.locals.from_locals = 1
        return res.render("hello.html", name="Ada")

    with flask.template_rendered.connected_to(record, app):
        client.get("/")

    [(sender, name, context)] = recorded
    assert sender is app
    assert name == "hello.html"
    assert context["name"] == "Ada"
    assert context["from_locals"] == 1
    assert context["request"].path == "/"


def test_both_render_signals_fire_for_a_string(app: FlaskExpress, client: FlaskClient) -> None:
    recorded: list[tuple[str, str | None, t.Any]] = []

    def before(sender: flask.Flask, template: Template, context: dict[str, t.Any]) -> None:
        recorded.append(("before", template.name, context["name"]))

    def after(sender: flask.Flask, template: Template, context: dict[str, t.Any]) -> None:
        recorded.append(("after", template.name, context["name"]))

    @app.get("/")
    def view(req: Request, res: RenderMixin) -> RenderMixin:
        return res.render("<p>{{ name }}</p>", name="Ada")

    with (
        flask.before_render_template.connected_to(before, app),
        flask.template_rendered.connected_to(after, app),
    ):
        rv = client.get("/")

    assert rv.data == b"<p>Ada</p>"
    assert recorded == [("before", None, "Ada"), ("after", None, "Ada")]
