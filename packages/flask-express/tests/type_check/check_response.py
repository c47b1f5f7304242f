"""Checked by ``mypy --strict``, never run: every method of the composed
:class:`flask_express.Response`, chained, and a response composed from two
mixins. A typo such as ``res.rendr()`` must be reported: each such line
carries a ``type: ignore`` that mypy's ``warn_unused_ignores`` (on under
``--strict``) would flag if the error were not reported.
"""

from __future__ import annotations

import datetime as dt
import io
import typing as t

from werkzeug.datastructures import Headers

import fx_core
from flask_express import Blueprint, FlaskExpress, MissingFeature, Request, Response, compose
from flask_express.typing import Request as TypingRequest
from flask_express.typing import Response as TypingResponse
from fx_cookies import CookiesMixin
from fx_files import FilesMixin

app = FlaskExpress(__name__)
bp = Blueprint("typed", __name__)


@app.get("/core")
def core(req: Request, res: Response) -> Response:
    res.send_status(201).set_status(202).sendStatus(200)
    res.set("X-A", "1").set({"X-B": ["2", "3"]}).set(Headers({"X-C": "4"}))
    res.append("X-A", 5).append("X-A", ["6", 7.0])
    value: str | None = res.get("X-A")
    res.type("json").type(".html").type("text/plain; charset=latin-1")
    res.links({"next": "/page/2", "alternate": ["/a", "/b"]})
    res.locals.user = "ada"
    res.make_response("body", 201, {"X-D": "1"}, mimetype="text/plain")
    finished: str | None = res.finished_by
    del value, finished
    return res.send("hello")


@app.get("/terminal")
def terminal(req: Request, res: Response) -> None:
    # Finishing res without returning it is a valid (req, res) view.
    res.json({"a": 1})


@app.get("/more")
async def more(req: TypingRequest, res: TypingResponse) -> TypingResponse:
    res.json(id=1)
    res.jsonp({"a": 1})
    res.format({"text/html": lambda: res.send("<p>hi</p>"), "default": lambda: res.end(406)})
    res.end()
    res.end(204)
    return res.redirect("/", 302)


@bp.get("/pieces")
def pieces(req: Request, res: Response) -> Response:
    res.set_cookie("a", "1", max_age=60, httponly=True, samesite="Lax", partitioned=False)
    res.cookie("b", "2", expires=dt.datetime(2030, 1, 1), signed=True)
    res.setCookie("c", "3", secure=True, samesite="None")
    res.clear_cookie("a").clearCookie("b", path="/", domain=None)
    res.flash("saved").flash("careful", "warning")
    res.attachment("report.pdf", "Report.pdf", max_age=60)
    res.send_file("static/a.txt", mimetype="text/plain", root="static")
    res.sendFile(io.BytesIO(b"x"), download_name="x.bin")
    res.download("exports/data.csv", "data.csv")
    return res.render("page.html", {"title": "Typed"}, user="ada")


@app.get("/request")
def request_views(req: Request, res: Response) -> Response:
    page: t.Any = req.query.get("page")
    body = req.body.get("name")
    data = req.json
    agent = req.header.user_agent
    same = req.headers_munch
    ident = req.params.get("id")
    cookie = req.cookies.get("a")
    signed = req.signed_cookies.get("b")
    req.session.user = "ada"
    req.set_session("k", 1)
    req.set_sessions(("a", 1), ("b", 2))
    kept = req.get_session("k", 0)
    header: str | None = req.get("User-Agent")
    best: str | None = req.accepts("html", "json")
    everything: list[str] = req.accepts()
    flashes: list[t.Any] = req.flashes(with_categories=True, category_filter=("info",))
    express = (req.ip, req.hostname, req.protocol, req.secure, req.xhr, req.fresh, req.stale)
    kind = req.is_("json")
    same_res: fx_core.Response = req.res
    del page, body, data, agent, same, ident, cookie, signed, kept, header, best
    del everything, flashes, express, kind, same_res
    return res.json({})


@app.use
def middleware(req: Request, res: Response, next: t.Callable[[], None]) -> None:
    next()
    res.set("X-Response-Time", "1ms")


@app.get("/typos")
def typos(req: Request, res: Response) -> Response:
    res.rendr("page.html")  # type: ignore[attr-defined]
    res.sendfile("a.txt")  # type: ignore[attr-defined]
    return res.send(1)


class CookiesAndFiles(CookiesMixin, FilesMixin, fx_core.Response):
    """A response composed from two mixins, as a literal class statement."""


def two_mixins(res: CookiesAndFiles) -> CookiesAndFiles:
    res.cookie("a", "1").attachment("a.txt")
    res.render("page.html")  # type: ignore[attr-defined]
    return res.send("ok")


dynamic: type[fx_core.Response] = compose(CookiesMixin, FilesMixin)
missing: type[AttributeError] = MissingFeature
app.register_blueprint(bp)
