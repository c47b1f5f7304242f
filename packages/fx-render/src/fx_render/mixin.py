"""The RenderMixin: ``res.render`` of a template file or a template string."""

from __future__ import annotations

import re
import sys
import typing as t
from collections.abc import Mapping

from flask import render_template
from jinja2 import TemplateNotFound

import fx_core

if t.TYPE_CHECKING:
    from jinja2 import Environment, Template

    if sys.version_info >= (3, 11):
        from typing import Self
    else:
        from typing_extensions import Self

__all__ = ["DEFAULT_EXTENSION", "TEMPLATE_EXTENSIONS", "RenderMixin"]

#: The extension a bare template name gets (``res.render("index")`` renders
#: ``index.html``) when the app's ``FX_RENDER_EXTENSION`` config is not set.
DEFAULT_EXTENSION = ".html"

#: File extensions that make a name look like a template file: such a name
#: that the loader cannot find raises :exc:`~jinja2.TemplateNotFound` instead
#: of being rendered as text.
TEMPLATE_EXTENSIONS: frozenset[str] = frozenset(
    {".html", ".htm", ".xhtml", ".xml", ".svg", ".txt", ".j2", ".jinja", ".jinja2", ".tpl", ".tmpl"}
)

# Text that holds one of these is template source, never a template name:
# a newline, "{{", "{%", "{#" or "<".
_SOURCE_MARKER = re.compile(r"[\n\r<]|\{[{%#]")

# A bare name, the Express habit: word characters and dashes in one or more
# "/" segments, no dot, so no extension ("index", "users/show").
_BARE_NAME = re.compile(r"[\w-]+(?:/[\w-]+)*")
# FX_RENDER_EXTENSION: ".html", "html", ".jinja.html".
_EXTENSION = re.compile(r"\.?[\w-]+(?:\.[\w-]+)*")


def _is_source(text: str) -> bool:
    return not text or _SOURCE_MARKER.search(text) is not None


def _looks_like_file(name: str) -> bool:
    if any(char.isspace() for char in name):
        return False
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in TEMPLATE_EXTENSIONS


def _extension(config: Mapping[str, t.Any]) -> str:
    extension = config.get("FX_RENDER_EXTENSION", DEFAULT_EXTENSION)
    if not isinstance(extension, str) or not _EXTENSION.fullmatch(extension):
        raise ValueError(
            f"FX_RENDER_EXTENSION must be a file extension such as '.html', got {extension!r}"
        )
    return extension if extension.startswith(".") else f".{extension}"


def _template(env: Environment, template_or_raw: str, config: Mapping[str, t.Any]) -> Template:
    """Find the template ``template_or_raw`` names in ``env``, or compile it
    as source; a bare name gets the extension ``config`` sets."""
    if _BARE_NAME.fullmatch(template_or_raw):
        extension = _extension(config)
        # Express appends the view engine's extension to a bare name; a
        # template stored under the bare name itself is still found. Neither
        # found is a mistake, never text to send: TemplatesNotFound (a
        # TemplateNotFound) names both.
        return env.select_template([template_or_raw + extension, template_or_raw])
    if not _is_source(template_or_raw):
        try:
            return env.get_template(template_or_raw)
        except TemplateNotFound:
            # A sentence is text, but a missing "page.html" is a mistake
            # that sending its name as the page would hide.
            if _looks_like_file(template_or_raw):
                raise
    return env.from_string(template_or_raw)


class RenderMixin(fx_core.Response):
    """Adds :meth:`render` to :class:`fx_core.Response`: Express's
    ``res.render``, on Flask's templates.

    ::

        from fx_core import FlaskExpress, compose
        from fx_render import RenderMixin

        app = FlaskExpress(__name__, response_class=compose(RenderMixin))

        @app.get("/hello/<name>")
        def hello(req, res):
            return res.render("hello.html", name=req.params.name)

    .. versionadded:: 1.0
    """

    def render(
        self,
        template_or_raw: str,
        context: Mapping[str, t.Any] | None = None,
        /,
        **variables: t.Any,
    ) -> Self:
        """Render a template file or a template string and send it; terminal.

        If the app's Jinja loader finds a template named ``template_or_raw``
        (the app's ``templates`` folder, blueprints' template folders), that
        file is rendered; otherwise ``template_or_raw`` is rendered as
        template source. Text holding a newline, ``{{``, ``{%``, ``{#`` or
        ``<`` is always source.

        A bare name, as in Express (word characters, ``-`` and ``/``, no
        dot: ``"index"``, ``"users/show"``), renders that name plus the
        default extension, ``index.html``; the app's ``FX_RENDER_EXTENSION``
        config, read on each call, changes it (``".j2"``). A template stored
        under the bare name itself is found too. A bare name that matches no
        template raises :exc:`~jinja2.TemplateNotFound`.

        A name that looks like a file (no spaces,
        ending in ``.html``, ``.htm``, ``.xml``, ``.txt``, ``.j2``,
        ``.jinja``, ``.jinja2``, ...) that the loader cannot find raises
        :exc:`~jinja2.TemplateNotFound` instead of being sent as text.

        Rendering goes through :func:`flask.render_template`, so the app's
        ``jinja_env``, context processors and the ``before_render_template``
        and ``template_rendered`` signals apply, and autoescaping follows
        Flask's rule: on for template strings and for ``.html``, ``.htm``,
        ``.xml`` (and ``.xhtml``, ``.svg``) files.

        The template sees, from lowest to highest precedence: Flask's
        globals and context processors (``g``, ``request``, ``session``,
        ``config``, ``url_for``, ...), then :attr:`locals`, then
        ``context``, then ``variables``.

        The body is sent as ``text/html; charset=utf-8`` unless a
        ``Content-Type`` was set before (``res.type("xml")``); status,
        headers and cookies set before are kept. A render that raises
        leaves the response unchanged and unfinished. With the app's
        ``FX_ETAG`` config on, a weak ETag is added and a matching
        ``If-None-Match`` is answered with 304, as for
        :meth:`~fx_core.Response.send`.

        :param template_or_raw: a template name, or template source.
        :param context: a mapping of template variables. Anything else
            raises :exc:`TypeError`.
        :param variables: more template variables; they win over
            ``context``.

        ::

            res.locals.user = current_user
            return res.render("profile.html", {"tab": "posts"}, page=2)
            return res.render("profile", {"tab": "posts"})  # profile.html
            return res.render("<h1>Hello {{ name }}</h1>", name="<Ada>")

        .. versionadded:: 1.0
        .. versionchanged:: 1.1
            A bare name gets the default extension (``FX_RENDER_EXTENSION``).
        """
        self.check_open("render")
        if not isinstance(template_or_raw, str):
            raise TypeError(
                "res.render() takes a template name or template source as a str, "
                f"got {type(template_or_raw).__name__}"
            )
        if context is not None and not isinstance(context, Mapping):
            raise TypeError(
                "res.render() takes a dict of template variables as its second "
                f"argument, got {type(context).__name__}"
            )
        merged = self.locals_copy()
        if context is not None:
            merged.update(context)
        merged.update(variables)
        # One call for files and strings alike: render_template accepts a
        # compiled Template and does what render_template_string does for
        # source, and it leaves ``source`` free as a template variable.
        app = self.app
        template = _template(app.jinja_env, template_or_raw, app.config)
        html = render_template(template, **merged)
        self.set_body(html, "text/html; charset=utf-8")
        self.apply_etag()
        return self.finish("render")
