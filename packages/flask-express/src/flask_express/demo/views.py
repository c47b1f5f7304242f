"""The demo views: one ``(req, res)`` view for each method shown.

Each view's docstring is the one-line explanation its page shows, and its
source is shown below it, so keep them short.
"""

from __future__ import annotations

import inspect
import json
import shlex
import time
import typing as t
from collections.abc import Iterator
from dataclasses import dataclass

from flask import url_for
from flask.views import MethodView

from flask_express import Blueprint
from flask_express.typing import Request, Response

from .middleware import admins_only, response_time

__all__ = ["DEMOS", "DEMOS_BY_NAME", "Demo", "demos"]

demos = Blueprint("demos", __name__)


# -- res: the response builder ------------------------------------------------


@demos.get("/res/send_status")
def res_send_status(req: Request, res: Response) -> Response:
    """res.send_status(code) sets the status code; set_status and sendStatus are aliases."""
    return res.send_status(201).type("txt").send(f"This answer has the status {res.status}.")


@demos.get("/res/set")
def res_set(req: Request, res: Response) -> Response:
    """res.set(name, value) or res.set(mapping) sets response headers, replacing old values."""
    res.set("X-Powered-By", "Flask-Express")
    res.set({"Cache-Control": "no-store", "X-Frame-Options": "SAMEORIGIN"})
    return res.type("txt").send(f"The headers of this answer:\n\n{res.headers}")


@demos.get("/res/append")
def res_append(req: Request, res: Response) -> Response:
    """res.append(name, value) adds a header value and keeps the ones already there."""
    res.append("X-Step", "first").append("X-Step", "second")
    return res.type("txt").send(f"The headers of this answer:\n\n{res.headers}")


@demos.get("/res/get")
def res_get(req: Request, res: Response) -> Response:
    """res.get(name) reads a response header back, in any case, or None."""
    res.set("X-Request-Id", "demo-42")
    lines = [f"res.get({name!r}) = {res.get(name)!r}" for name in ("x-request-id", "X-Missing")]
    return res.type("txt").send("\n".join(lines))


@demos.get("/res/type")
def res_type(req: Request, res: Response) -> Response:
    """res.type(kind) sets Content-Type from an extension or a MIME type; text gets a charset."""
    return res.type("txt").send("<b>Not bold:</b> res.type('txt') made this text/plain.")


@demos.get("/res/send")
def res_send(req: Request, res: Response) -> Response:
    """res.send(body) sends a str as HTML, bytes as binary and a dict or list as JSON."""
    return res.send("<h1>Hello from res.send()</h1><p>A <code>str</code> is sent as text/html.</p>")


@demos.get("/res/json")
def res_json(req: Request, res: Response) -> Response:
    """res.json(value) serializes with the app's JSON provider and sends application/json."""
    return res.json({"framework": "Flask-Express", "views": "(req, res)", "answer": 42})


@demos.get("/res/end")
def res_end(req: Request, res: Response) -> Response:
    """res.end() finishes with an empty body; res.end(404) hands over to the app's 404 page."""
    return res.end(404)


@demos.get("/res/redirect")
def res_redirect(req: Request, res: Response) -> Response:
    """res.redirect(location) answers 302 Found with a Location header."""
    return res.redirect(url_for(".redirected"))


@demos.get("/res/redirect/landed")
def redirected(req: Request, res: Response) -> Response:
    """Where res.redirect() sends the visitor."""
    return res.type("txt").send("You were redirected here by res.redirect().")


@demos.get("/res/make_response")
def res_make_response(req: Request, res: Response) -> Response:
    """res.make_response(body, status, headers, ...) sets body and metadata in one call."""
    return res.make_response(
        "Built by make_response.", 202, {"X-Built-By": "make_response"}, mimetype="text/plain"
    )


@demos.get("/res/locals")
def res_locals(req: Request, res: Response) -> Response:
    """res.locals is a per-request Munch for template values; here it is sent as JSON."""
    res.locals.user = "Ada"
    res.locals.theme = "dark"
    return res.json(res.locals)


@demos.get("/res/set_cookie")
def res_set_cookie(req: Request, res: Response) -> Response:
    """res.set_cookie(key, value, ...) sets a cookie with Werkzeug's keyword names; chainable."""
    res.set_cookie("flavour", "chocolate-chip", max_age=600, httponly=True, samesite="Lax")
    return res.type("txt").send(f"Set-Cookie: {res.get('Set-Cookie')}\n\nreq.cookies shows it.")


@demos.get("/res/jsonp")
def res_jsonp(req: Request, res: Response) -> Response:
    """res.jsonp(value) wraps JSON in ?callback=name (sanitized), else sends plain JSON."""
    return res.jsonp({"framework": "Flask-Express", "style": "JSONP"})


@demos.get("/res/format")
def res_format(req: Request, res: Response) -> Response:
    """res.format({type: handler}) answers in the type the Accept header prefers, else 406."""
    book = {"title": "Flask Web Development", "year": 2018}
    return res.format(
        {
            "text/html": lambda: res.send(f"<p><cite>{book['title']}</cite> ({book['year']})</p>"),
            "application/json": lambda: res.json(book),
            "text/plain": lambda: res.send(f"{book['title']} ({book['year']})"),
        }
    )


@demos.get("/res/links")
def res_links(req: Request, res: Response) -> Response:
    """res.links({rel: url}) sets the Link header, e.g. for pagination; chainable."""
    page = req.args.get("page", 1, type=int)  # not a number, or repeated: the first, or 1
    res.links({"next": f"/res/links?page={page + 1}", "last": "/res/links?page=9"})
    return res.type("txt").send(f"Page {page}. Link: {res.get('Link')}")


# -- fx-cookies ----------------------------------------------------------------


@demos.get("/res/cookie")
def res_cookie(req: Request, res: Response) -> Response:
    """res.cookie(name, value, ...) sets a cookie (aliases set_cookie, setCookie); chainable."""
    theme = req.args.get("theme", "dark")  # args.get: one str even if ?theme= is repeated
    res.cookie("theme", theme, max_age=3600, httponly=True, samesite="Lax")
    return res.type("txt").send(f"Set-Cookie: {res.get('Set-Cookie')}")


@demos.get("/res/clear_cookie")
def res_clear_cookie(req: Request, res: Response) -> Response:
    """res.clear_cookie(name) (alias clearCookie) tells the browser to delete a cookie."""
    res.clear_cookie("theme")
    return res.type("txt").send(f"Set-Cookie: {res.get('Set-Cookie')}")


@demos.get("/res/cookie/signed")
def res_signed_cookie(req: Request, res: Response) -> Response:
    """res.cookie(signed=True) signs the value with SECRET_KEY; req.signed_cookies reads it."""
    res.cookie("member", req.args.get("name", "ada"), signed=True, httponly=True)
    return res.type("txt").send(f"Set-Cookie: {res.get('Set-Cookie')}")


# -- fx-files ------------------------------------------------------------------


@demos.get("/res/attachment")
def res_attachment(req: Request, res: Response) -> Response:
    """res.attachment(name) sends a file from ATTACHMENTS_FOLDER for the browser to save."""
    return res.attachment("hello.txt")


@demos.get("/res/attachment/<path:name>")
def res_attachment_named(req: Request, res: Response, name: str) -> Response:
    """res.attachment(name) with a name from the URL: a name outside the folder is a 404."""
    return res.attachment(name)


@demos.get("/res/send_file")
def res_send_file(req: Request, res: Response) -> Response:
    """res.send_file(path) (alias sendFile) sends a file; Range and ETag requests work."""
    return res.send_file("attachments/report.csv", mimetype="text/csv")


@demos.get("/res/download")
def res_download(req: Request, res: Response) -> Response:
    """res.download(path, name) sends a file as an attachment saved under another name."""
    return res.download("attachments/report.csv", "Bericht Übersicht.csv")


# -- fx-render -----------------------------------------------------------------


@demos.get("/res/render")
def res_render(req: Request, res: Response) -> Response:
    """res.render(template, context, **values) renders a template file with res.locals."""
    res.locals.user = req.query.get("user", "Ada")
    items = ["(req, res) views", "Munch requests", "Jinja templates"]
    return res.render("greeting.html", {"items": items}, title="res.render()", unsafe="<b>x</b>")


@demos.get("/res/render/string")
def res_render_string(req: Request, res: Response) -> Response:
    """res.render(source) renders a template string when no template has that name."""
    return res.render("<p>{{ greeting }}, {{ name }}!</p>", greeting="Hello", name="<Ada>")


# -- fx-flash ------------------------------------------------------------------


@demos.get("/res/flash")
def res_flash(req: Request, res: Response) -> Response:
    """res.flash(message, category) stores a message for the next request; chainable."""
    return res.flash("Saved!", "success").flash("Two items updated.").redirect(url_for(".flashes"))


@demos.get("/req/flashes")
def flashes(req: Request, res: Response) -> Response:
    """req.flashes(with_categories) returns the flashed messages once, then they are gone."""
    return res.json(flashes=req.flashes(with_categories=True))


# -- fx-sse --------------------------------------------------------------------


@demos.get("/res/sse")
def res_sse(req: Request, res: Response) -> Response:
    """res.sse(events) streams Server-Sent Events: here five ticks, then the stream ends."""

    def ticks() -> Iterator[dict[str, t.Any]]:
        for n in range(1, 6):
            yield {"id": n, "event": "tick", "data": {"n": n, "time": time.strftime("%H:%M:%S")}}
            time.sleep(0.2)

    return res.sse(ticks())


@demos.get("/live")
def live(req: Request, res: Response) -> Response:
    """A page whose clock and counter an EventSource on /live/events keeps up to date."""
    return res.render("live.html")


@demos.get("/live/events")
def live_events(req: Request, res: Response) -> Response:
    """The clock and the counter, once a second; a reconnect resumes after req.last_event_id."""
    last = req.last_event_id or ""
    start = int(last) + 1 if last.isascii() and last.isdigit() and len(last) < 10 else 1

    def ticks() -> Iterator[dict[str, t.Any]]:
        # An hour at most, then the browser reconnects with Last-Event-ID.
        for count in range(start, start + 3600):
            yield {"id": count, "data": {"count": count, "time": time.strftime("%H:%M:%S")}}
            time.sleep(1)

    return res.sse(ticks(), heartbeat=15)


@demos.route("/login", methods=["GET", "POST"])
def login(req: Request, res: Response) -> Response:
    """A login form: POST flashes a welcome and redirects to the account page."""
    if req.method == "POST":
        name = req.form.get("name", "").strip() or "stranger"  # the first, if repeated
        req.set_session("name", name)
        return res.flash(f"Welcome, {name}!", "success").redirect(url_for(".account"))
    return res.render("login.html", flashes=req.flashes(with_categories=True))


@demos.get("/account")
def account(req: Request, res: Response) -> Response:
    """The page after logging in: it shows the flashed welcome once."""
    return res.render(
        "account.html", name=req.get_session("name"), flashes=req.flashes(with_categories=True)
    )


@demos.get("/logout")
def logout(req: Request, res: Response) -> Response:
    """Forget the name and say goodbye on the login page."""
    req.session.pop("name", None)
    return res.flash("You are logged out.").redirect(url_for(".login"))


# -- app: middleware and class-based views -------------------------------------


@demos.get("/admin")
def admin(req: Request, res: Response) -> Response:
    """The admin area, behind the admins_only middleware."""
    return res.json(area="admin", user=req.get_session("name"))


class Items(MethodView):
    """MethodView methods take (req, res) too: get lists, post adds (JSON body)."""

    items: t.ClassVar[list[str]] = ["flask", "express"]

    def get(self, req: Request, res: Response) -> Response:
        return res.json(items=self.items)

    def post(self, req: Request, res: Response) -> Response:
        return res.send_status(201).json(added=req.json.item, items=[*self.items, req.json.item])


demos.add_url_rule("/items", view_func=Items.as_view("items"))


# -- req: the request ---------------------------------------------------------


@demos.get("/req/query")
def req_query(req: Request, res: Response) -> Response:
    """req.query is the query string as a Munch; a repeated key gives a list."""
    return res.json(query=req.query, name=req.query.get("name"))


@demos.post("/req/body")
def req_body(req: Request, res: Response) -> Response:
    """req.body is the posted form fields as a Munch; a repeated field gives a list."""
    return res.json(body=req.body)


@demos.post("/req/json")
def req_json(req: Request, res: Response) -> Response:
    """req.json is the parsed JSON body (objects become Munch); a malformed body is a 400."""
    return res.json(received=req.json)


@demos.get("/req/header")
def req_header(req: Request, res: Response) -> Response:
    """req.header (alias req.headers_munch) is the request headers as a Munch, any case."""
    return res.json(user_agent=req.header.get("user_agent"), accept=req.headers_munch.get("Accept"))


@demos.get("/req/params/<int:id>")
def req_params(req: Request, res: Response) -> Response:
    """req.params holds the route variables, already converted: <int:id> gives an int."""
    return res.json(id=req.params.id, type=type(req.params.id).__name__)


@demos.get("/req/cookies")
def req_cookies(req: Request, res: Response) -> Response:
    """req.cookies is the request's cookies as a Munch (visit res.set_cookie first)."""
    return res.json(cookies=req.cookies, flavour=req.cookies.get("flavour"))


@demos.get("/req/session")
def req_session(req: Request, res: Response) -> Response:
    """req.session is Flask's session with attribute access; this one counts your visits."""
    req.session.visits = req.session.get("visits", 0) + 1
    return res.json(visits=req.session.visits)


@demos.get("/req/set_session")
def req_set_session(req: Request, res: Response) -> Response:
    """req.set_session(key, value) stores one value in the session."""
    req.set_session("colour", req.query.get("colour", "teal"))
    return res.json(session=dict(req.session))


@demos.get("/req/set_sessions")
def req_set_sessions(req: Request, res: Response) -> Response:
    """req.set_sessions((key, value), ...) stores several values in the session at once."""
    req.set_sessions(("user", "ada"), ("theme", "dark"))
    return res.json(session=dict(req.session))


@demos.get("/req/get_session")
def req_get_session(req: Request, res: Response) -> Response:
    """req.get_session(key, default) reads a session value (set by req.set_sessions)."""
    return res.json(user=req.get_session("user"), theme=req.get_session("theme", "light"))


@demos.get("/req/get")
def req_get(req: Request, res: Response) -> Response:
    """req.get(name) returns a request header in any case, or None; Referrer = Referer."""
    return res.json(
        user_agent=req.get("user-agent"), referrer=req.get("Referrer"), missing=req.get("X-Missing")
    )


@demos.get("/req/ip")
def req_ip(req: Request, res: Response) -> Response:
    """req.ip, req.hostname, req.protocol, req.secure, req.xhr: Express's request names."""
    return res.json(
        ip=req.ip,
        hostname=req.hostname,
        protocol=req.protocol,
        secure=req.secure,
        xhr=req.xhr,
        path=req.path,
    )


@demos.get("/req/signed_cookies")
def req_signed_cookies(req: Request, res: Response) -> Response:
    """req.signed_cookies holds the cookies whose signature verifies, unsigned (fx-cookies)."""
    return res.json(signed=req.signed_cookies, raw=req.cookies.get("member"))


@demos.get("/req/accepts")
def req_accepts(req: Request, res: Response) -> Response:
    """req.accepts(*types) picks the best of the types for the Accept header, or None."""
    return res.json(best=req.accepts("html", "json"), accept=req.get("Accept"))


# -- the list the pages are built from ----------------------------------------


@dataclass(frozen=True)
class Demo:
    """One method shown by one view."""

    #: The method as a view calls it, e.g. ``"res.json"``.
    name: str
    #: The view that shows it.
    view: t.Callable[..., t.Any]
    #: The URL that runs the view (with example route variables or query).
    url: str
    #: For a view that reads posted form fields: example ``(name, value)`` pairs.
    form: tuple[tuple[str, str], ...] = ()
    #: For a view that reads a posted JSON body: an example body.
    json_body: str | None = None
    #: For a view that answers with a file the browser saves: linked, not framed.
    saves: bool = False

    @property
    def group(self) -> str:
        """Where the index lists it: ``"res"``, ``"req"`` or ``"app"``."""
        side = self.name.partition(".")[0]
        return side if side in ("res", "req") else "app"

    @property
    def post(self) -> t.Literal["form", "json"] | None:
        """How the view's example is sent: ``"form"``, ``"json"``, or ``None`` for a GET."""
        if self.form:
            return "form"
        return None if self.json_body is None else "json"

    @property
    def summary(self) -> str:
        """The one-line explanation: the first line of the view's docstring."""
        return (inspect.getdoc(self.view) or "").partition("\n")[0]

    @property
    def source(self) -> str:
        """The view's source code."""
        return inspect.getsource(self.view)

    def curl(self, host_url: str) -> str:
        """The ``curl`` command that runs the view on the server at ``host_url``."""
        url = shlex.quote(host_url.rstrip("/") + self.url)
        if self.json_body is not None:
            body = shlex.quote(self.json_body)
            return f"curl -i -H 'Content-Type: application/json' -d {body} {url}"
        fields = "".join(f"-d {shlex.quote(f'{name}={value}')} " for name, value in self.form)
        return f"curl -i {fields}{url}"


_FORM_EXAMPLE = (("name", "Ada"), ("language", "Python"), ("language", "JavaScript"))
_JSON_EXAMPLE = json.dumps({"user": {"name": "Ada", "languages": ["Python", "JavaScript"]}})

#: Every demo, in the order the index lists them.
DEMOS: tuple[Demo, ...] = (
    Demo("res.send_status", res_send_status, "/res/send_status"),
    Demo("res.set", res_set, "/res/set"),
    Demo("res.append", res_append, "/res/append"),
    Demo("res.get", res_get, "/res/get"),
    Demo("res.type", res_type, "/res/type"),
    Demo("res.send", res_send, "/res/send"),
    Demo("res.json", res_json, "/res/json"),
    Demo("res.end", res_end, "/res/end"),
    Demo("res.redirect", res_redirect, "/res/redirect"),
    Demo("res.make_response", res_make_response, "/res/make_response"),
    Demo("res.locals", res_locals, "/res/locals"),
    Demo("res.jsonp", res_jsonp, "/res/jsonp?callback=show"),
    Demo("res.format", res_format, "/res/format"),
    Demo("res.links", res_links, "/res/links?page=2"),
    Demo("res.set_cookie", res_set_cookie, "/res/set_cookie"),
    Demo("res.cookie", res_cookie, "/res/cookie?theme=dark"),
    Demo("res.clear_cookie", res_clear_cookie, "/res/clear_cookie"),
    Demo("res.cookie(signed=True)", res_signed_cookie, "/res/cookie/signed?name=ada"),
    Demo("res.attachment", res_attachment, "/res/attachment", saves=True),
    Demo("res.send_file", res_send_file, "/res/send_file", saves=True),
    Demo("res.download", res_download, "/res/download", saves=True),
    Demo("res.render", res_render, "/res/render?user=Ada"),
    Demo("res.render(source)", res_render_string, "/res/render/string"),
    Demo("res.flash", res_flash, "/res/flash"),
    Demo("res.sse", res_sse, "/res/sse"),
    Demo("app.use", response_time, "/res/json"),
    Demo("app.use(path)", admins_only, "/admin"),
    Demo("MethodView", Items, "/items", json_body=json.dumps({"item": "werkzeug"})),
    Demo("req.query", req_query, "/req/query?name=Ada&tag=flask&tag=express"),
    Demo("req.body", req_body, "/req/body", form=_FORM_EXAMPLE),
    Demo("req.json", req_json, "/req/json", json_body=_JSON_EXAMPLE),
    Demo("req.header", req_header, "/req/header"),
    Demo("req.params", req_params, "/req/params/42"),
    Demo("req.cookies", req_cookies, "/req/cookies"),
    Demo("req.session", req_session, "/req/session"),
    Demo("req.set_session", req_set_session, "/req/set_session?colour=teal"),
    Demo("req.set_sessions", req_set_sessions, "/req/set_sessions"),
    Demo("req.get_session", req_get_session, "/req/get_session"),
    Demo("req.get", req_get, "/req/get"),
    Demo("req.ip", req_ip, "/req/ip"),
    Demo("req.signed_cookies", req_signed_cookies, "/req/signed_cookies"),
    Demo("req.flashes", flashes, "/req/flashes"),
    Demo("req.accepts", req_accepts, "/req/accepts"),
)

#: The demos by name, for the ``/show/<name>`` pages.
DEMOS_BY_NAME: dict[str, Demo] = {demo.name: demo for demo in DEMOS}
