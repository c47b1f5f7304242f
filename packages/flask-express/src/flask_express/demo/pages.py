"""The demo's own pages: the index, one page per demo, and the 404 page."""

from __future__ import annotations

from flask import render_template
from werkzeug.exceptions import NotFound

from flask_express import Blueprint
from flask_express.typing import Request, Response

from .views import DEMOS, DEMOS_BY_NAME

__all__ = ["pages"]

pages = Blueprint("pages", __name__)


@pages.get("/")
def index(req: Request, res: Response) -> Response:
    """List every demo."""
    return res.render("index.html", demos=DEMOS)


@pages.get("/show/<name>")
def show(req: Request, res: Response, name: str) -> Response:
    """Show one demo: what it does, its code, and its answer in a frame."""
    demo = DEMOS_BY_NAME.get(name)
    if demo is None:
        return res.end(404)
    return res.render("show.html", demo=demo, curl=demo.curl(req.host_url))


@pages.app_errorhandler(404)
def not_found(error: NotFound) -> tuple[str, int]:
    """The app's 404 page, which ``res.end(404)`` hands over to."""
    return render_template("error.html", error=error), 404
