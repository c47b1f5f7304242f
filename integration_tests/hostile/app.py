"""The hostile-input app: client input reaches every method of
:class:`flask_express.Response` and every view of ``req``.

It is written as a careful app would be: it validates what it must (a status
code the client picks is checked, values stored in the session or a cookie are
cut to a sane length, a JSON body's shape is checked before attribute access),
and catches the ``ValueError`` a header method raises for a value a header
cannot hold, answering 400 ``rejected``. Everything else (parsing, encoding,
confinement, negotiation) is left to Flask-Express, so any 5xx, traceback,
file path, unsendable header or canary byte in an answer is a bug there.

``create_app(root)`` serves the tree :func:`make_tree` builds; gunicorn calls
``create_app()``, which reads the root from ``$HOSTILE_ROOT``.
"""

from __future__ import annotations

import os
import time
import typing as t
from collections.abc import Callable, Iterator
from pathlib import Path

from flask import g
from flask.typing import ResponseReturnValue
from munch import Munch

from flask_express import FlaskExpress
from flask_express.typing import Request, Response

__all__ = [
    "CANARY",
    "FILE_FORMS",
    "INSIDE_BODIES",
    "NESTED",
    "REACHED_HEADER",
    "REJECTED",
    "REPORT",
    "SECRET_KEY",
    "create_app",
    "make_tree",
]

#: The secret that lies outside every served folder: no answer may hold it.
CANARY = b"CANARY-5d1e0b7c: this file lies outside every served folder"
#: Bodies of files inside the served folders.
REPORT = b"quarterly report\nline two\n"
NESTED = b"nested file body"
INSIDE_BODIES = frozenset({REPORT, NESTED})
#: Signs the session and signed cookies.
SECRET_KEY = "hostile-input-test-secret"
#: The body of the 400 the app answers when a header method refuses a value.
REJECTED = b"rejected"
#: Added by ``after_request`` (to error pages too) when a file view ran.
REACHED_HEADER = "X-Fx-Reached"
#: The file-sending forms, as they appear in ``/files/<form>/...``.
FILE_FORMS = ("attachment", "send_file", "sendFile", "download")

#: How much of a client value goes into a cookie or the session: Werkzeug
#: warns about cookies over 4 KiB, and the test suite turns warnings into errors.
_STORED = 512

#: Status codes a client may ask ``/res/send`` for; never a 5xx on purpose.
_STATUSES = range(200, 500)

_PAGE = "<p>{{ who }}|{{ v }}|{{ extra }}</p>\n"


def _fill(folder: Path, base: Path) -> None:
    folder.mkdir()
    (folder / "report.txt").write_bytes(REPORT)
    (folder / "sub").mkdir()
    (folder / "sub" / "nested.txt").write_bytes(NESTED)
    (folder / "café.txt").write_bytes(REPORT)
    os.symlink(folder / "report.txt", folder / "link-in")
    os.symlink(base / "canary.txt", folder / "link-out")
    os.symlink(base, folder / "dir-out", target_is_directory=True)
    sibling = folder.with_name(folder.name + "2")
    sibling.mkdir()
    (sibling / "canary.txt").write_bytes(CANARY)
    os.symlink(sibling, folder / "prefix-out", target_is_directory=True)
    # A link to a link inside that leaves the folder.
    os.symlink(folder / "link-out", folder / "chained")


def make_tree(base: Path) -> Path:
    """Build the files the app serves under ``base`` and return its root path.

    ::

        base/canary.txt                  CANARY
        base/app/                        app.root_path (returned)
            canary.txt                   CANARY
            templates/page.html
            attachments/, files/         report.txt, sub/nested.txt, café.txt,
                                         link-in -> report.txt (served),
                                         link-out -> base/canary.txt,
                                         dir-out -> base, chained -> link-out,
                                         prefix-out -> ../attachments2
            attachments2/, files2/       canary.txt (siblings sharing a prefix)
    """
    (base / "canary.txt").write_bytes(CANARY)
    root = base / "app"
    root.mkdir()
    (root / "canary.txt").write_bytes(CANARY)
    (root / "templates").mkdir()
    (root / "templates" / "page.html").write_text(_PAGE)
    _fill(root / "attachments", base)
    _fill(root / "files", base)
    return root


def _status(text: str, default: int) -> int:
    """A status code the client asked for, if the app allows it."""
    if text.isascii() and text.isdigit() and len(text) < 4:
        code = int(text)
        if code in _STATUSES:
            return code
    return default


def _one(req: Request, key: str) -> str:
    """The query parameter ``key`` as one str: its first value, or ``""``."""
    values = req.args.getlist(key)
    return values[0] if values else ""


def _rejected(res: Response) -> Response:
    """The answer to a value a header method refused: a 400 the app chose."""
    return res.send_status(400).type("txt").send(REJECTED.decode())


def create_app(root: str | os.PathLike[str] | None = None) -> FlaskExpress:
    """The hostile-input app serving the tree at ``root`` (see :func:`make_tree`).

    :param root: the app's root path; ``$HOSTILE_ROOT`` when not given.
    """
    app = FlaskExpress(__name__)
    app.root_path = os.fspath(root if root is not None else os.environ["HOSTILE_ROOT"])
    app.config.update(SECRET_KEY=SECRET_KEY, FX_ETAG=True)

    # -- middleware: app-wide, and on a prefix --------------------------------

    @app.use
    def timing(req: Request, res: Response, next: Callable[[], t.Any]) -> None:
        started = time.perf_counter()
        next()
        res.set("X-Response-Time", f"{time.perf_counter() - started:.6f}")

    def guard(req: Request, res: Response, next: Callable[[], t.Any]) -> t.Any:
        if req.header.get("x-token") != "let-me-in":
            return res.send_status(401).send("no")
        next()
        return None

    app.use("/guarded", guard)

    @app.after_request
    def mark(response: t.Any) -> t.Any:
        reached = g.get("reached")
        if reached is not None:
            response.headers[REACHED_HEADER] = reached
        return response

    @app.get("/")
    def index(req: Request, res: Response) -> Response:
        return res.send("ok")

    @app.get("/guarded/area")
    def guarded(req: Request, res: Response) -> Response:
        return res.send("inside")

    # -- every view of req ----------------------------------------------------

    @app.route("/req", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    @app.route("/req/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def request_views(req: Request, res: Response, rest: str = "") -> Response:
        wanted = req.query.get("h")
        return res.json(
            {
                "query": req.query,
                "body": req.body,
                "files": sorted(key for key in req.files if isinstance(key, str)),
                "header": req.header,
                "headers_munch": len(req.headers_munch),
                "params": req.params,
                "cookies": req.cookies,
                "signed_cookies": req.signed_cookies,
                "session": dict(req.session),
                "get_session": req.get_session("visits"),
                "get": req.get(wanted if isinstance(wanted, str) else "User-Agent"),
                "referrer": req.get("Referrer"),
                "accepts": req.accepts(),
                "accepts_one": req.accepts("html", "json", "text/plain", "image/*"),
                "accepts_charsets": [req.accepts_charsets(), req.accepts_charsets("utf-8")],
                "accepts_encodings": [req.accepts_encodings(), req.accepts_encodings("gzip")],
                "accepts_languages": [req.accepts_languages(), req.accepts_languages("en", "fr")],
                "header_call": req.header(wanted if isinstance(wanted, str) else "Accept"),
                "host": req.host,
                "host_url": req.host_url,
                "root_url": req.root_url,
                "base_url": req.base_url,
                "ip": req.ip,
                "hostname": req.hostname,
                "subdomains": req.subdomains,
                "protocol": req.protocol,
                "secure": req.secure,
                "xhr": req.xhr,
                "fresh": req.fresh,
                "stale": req.stale,
                "is": req.is_(),
                "is_one": req.is_("json", "urlencoded", "multipart", "text/*", "+json"),
                "flashes": req.flashes(with_categories=True),
                "if_modified_since": str(req.if_modified_since),
                "if_unmodified_since": str(req.if_unmodified_since),
                "if_range": req.if_range.to_header(),
                "last_event_id": req.last_event_id,
                "same_res": req.res is res,
                "finished_by": res.finished_by,
                "path": req.path,
                "full_path": req.full_path,
                "url": req.url,
            }
        )

    @app.route("/json", methods=["POST", "PUT", "PATCH"])
    def json_body(req: Request, res: Response) -> Response:
        data = req.json
        # Attribute access on a JSON object (a JSONMunch); an array or a
        # scalar has no keys, so the app checks the shape first.
        name = data.name if isinstance(data, Munch) and "name" in data else None
        return res.json({"type": type(data).__name__, "echo": data, "name": name})

    @app.route("/required", methods=["GET", "POST"])
    def required(req: Request, res: Response) -> Response:
        # Attribute access to keys the client may leave out: MissingKey, a 400.
        found = {"page": req.query.page, "token": req.cookies.token}
        found["x_token"] = req.header.x_token
        found["user"] = req.signed_cookies.user
        if req.method == "POST":
            found["name"] = req.body.name
        return res.json(found)

    @app.get("/session")
    def session_views(req: Request, res: Response) -> Response:
        value = _one(req, "v")[:_STORED]
        visits = req.get_session("visits")
        req.set_session("visits", visits + 1 if isinstance(visits, int) else 1)
        req.set_sessions(("last", value), ("key", _one(req, "k")[:_STORED]))
        req.session.note = value
        req.session.permanent = bool(req.query.get("permanent"))
        return res.json(dict(req.session))

    # -- every method of Response ---------------------------------------------

    @app.route("/send/<kind>", methods=["GET", "POST"])
    def send(req: Request, res: Response, kind: str) -> Response:
        value = _one(req, "v")
        code = _status(_one(req, "code"), 200)
        if kind == "status":
            res.send_status(code)
        elif kind == "set_status":
            res.set_status(code)
        elif kind == "sendStatus":
            res.sendStatus(code)
        elif kind == "status_call":
            res.status(code)
        if kind == "bytes":
            return res.send(value.encode("utf-8", "replace"))
        if kind == "dict":
            return res.send(req.query)
        if kind == "list":
            return res.send(list(req.query.values()))
        if kind == "int":
            return res.send(len(value))
        if kind == "iter":
            return res.send(iter([value.encode("utf-8", "replace")]))
        if kind == "gen":

            def chunks() -> Iterator[str]:
                yield _one(req, "v")

            return res.send(chunks())
        if kind == "none":
            return res.send(None)
        if kind == "make":
            return res.make_response(value, code, {"X-Made": "1"}, mimetype="text/plain")
        if kind == "locals":
            res.locals.v = value
            return res.send(str(len(res.locals)))
        return res.send(value)

    @app.route("/json-out", methods=["GET", "POST"])
    def json_out(req: Request, res: Response) -> Response:
        return res.json(req.query)

    @app.get("/json-kwargs")
    def json_kwargs(req: Request, res: Response) -> Response:
        return res.json(**req.query)

    @app.get("/jsonp")
    def jsonp(req: Request, res: Response) -> Response:
        return res.jsonp({"query": req.query})

    @app.get("/format")
    def format_(req: Request, res: Response) -> Response:
        return res.format(
            {
                "text/html": lambda: res.send("<p>html</p>"),
                "json": lambda: res.json({"format": "json"}),
                "text/plain": lambda: "plain",
            }
        )

    @app.get("/format-default")
    def format_default(req: Request, res: Response) -> Response:
        return res.format(
            {
                "application/xml": lambda: res.send("<x/>"),
                "image/*": lambda: res.send(b"\x89PNG"),
                "default": lambda: res.send_status(406).send("pick another"),
            }
        )

    @app.get("/end")
    def end(req: Request, res: Response) -> Response:
        codes = {"204": 204, "304": 304, "400": 400, "404": 404, "418": 418, "499": 499}
        return res.end(codes.get(_one(req, "code")))

    @app.get("/redirect")
    def redirect(req: Request, res: Response) -> Response:
        codes = {"301": 301, "302": 302, "303": 303, "307": 307, "308": 308}
        code = codes.get(_one(req, "code"))
        try:
            if req.query.get("before"):
                return res.send_status(301).redirect(_one(req, "to") or "/", code)
            return res.redirect(_one(req, "to") or "/", code)
        except ValueError:
            return _rejected(res)

    @app.get("/safe-redirect")
    def safe_redirect(req: Request, res: Response) -> Response:
        # Never raises for any client input: no try, so a ValueError is a 500.
        return res.safe_redirect(_one(req, "to"), "/req")

    @app.get("/header/<method>")
    def header(req: Request, res: Response, method: str) -> Response:
        name = _one(req, "name") or "X-Echo"
        value = _one(req, "v")
        try:
            if method == "set":
                res.set(name, value)
            elif method == "set-many":
                res.set({name: [value, value], "X-Other": value})
            elif method == "append":
                res.set("X-Echo", "first").append(name, value)
            elif method == "type":
                res.type(value or "txt")
            elif method == "links":
                res.links({"next": value, "prev": [value, "/p/1"]})
            elif method == "links-rel":
                res.links({value or "next": "/p/2"})
            else:
                return res.end(404)
        except ValueError:
            return _rejected(res)
        return res.send(f"{name}={res.get(name)!r}")

    @app.get("/cookie")
    def cookie(req: Request, res: Response) -> Response:
        value = _one(req, "v")[:_STORED]
        res.cookie("plain", value, httponly=True, samesite="Lax")
        res.setCookie("signed", value, signed=True)
        res.set_cookie("user", value[:64], signed=True, max_age=60)
        res.clear_cookie("old").clearCookie("older", path="/x")
        if "name" in req.args:
            name = _one(req, "name")[:64]  # Werkzeug warns about cookies over 4 KiB
            try:
                res.cookie(name, "by-name")
            except ValueError:
                return _rejected(res)
        return res.send("ok")

    @app.get("/render")
    def render(req: Request, res: Response) -> Response:
        value = _one(req, "v")
        res.locals.who = value
        if req.query.get("raw"):
            return res.render("<p>{{ who }}|{{ v }}</p>", {"v": value})
        return res.render("page.html", {"v": value}, extra=value)

    @app.get("/flash")
    def flash(req: Request, res: Response) -> Response:
        message = _one(req, "m")[:_STORED]
        category = (_one(req, "c") or "info")[:64]
        return res.flash(message, category).redirect("/req")

    @app.get("/sse")
    def sse(req: Request, res: Response) -> Response:
        # A finite stream built from client input: each ?v= is one event,
        # with the client's event name, id and retry, resuming after the
        # client's Last-Event-ID. Bad input is a 400 the app chose.
        last = req.last_event_id or ""
        start = int(last) + 1 if last.isascii() and last.isdigit() and len(last) < 10 else 0
        event = _one(req, "event")[:64] or None
        id_ = _one(req, "id")[:64] or None
        retry = _one(req, "retry")
        heartbeat = _one(req, "hb")
        as_json = bool(req.query.get("json"))
        events: list[t.Any] = []
        for n, value in enumerate(req.args.getlist("v")[:20], start):
            data: t.Any = {"n": n, "v": value[:_STORED]} if as_json else value[:_STORED]
            events.append(
                {
                    "data": data,
                    "event": event,
                    "id": id_ if id_ is not None else n,
                    "retry": int(retry) if retry.isascii() and retry.isdigit() else None,
                }
            )
        if "raw" in req.args:
            events.append(_one(req, "raw")[:_STORED])
        try:
            return res.sse(events, heartbeat=float(heartbeat) if heartbeat else 15.0)
        except ValueError:
            return _rejected(res)

    # -- files: a client-chosen name, confined to its folder -------------------

    def send_named(req: Request, res: Response, form: str, name: str) -> Response:
        g.reached = form
        download_name = _one(req, "dn") if "dn" in req.args else None
        if form == "attachment":
            return res.attachment(name, download_name)
        if form == "send_file":
            return res.send_file(
                name,
                root="files",
                download_name=download_name,
                as_attachment=bool(req.query.get("save")),
            )
        if form == "sendFile":
            return res.sendFile(name, root="files", download_name=download_name)
        if form == "download":
            return res.download(name, download_name, root="files")
        return res.end(404)

    # merge_slashes=False: a decoded ``//etc/passwd`` is not redirected to a
    # cleaned-up URL, it reaches the view.
    @app.get("/files/<form>/<path:name>", merge_slashes=False)
    def file_by_route(req: Request, res: Response, form: str, name: str) -> Response:
        return send_named(req, res, form, name)

    @app.get("/files/<form>", merge_slashes=False)
    def file_by_query(req: Request, res: Response, form: str) -> Response:
        return send_named(req, res, form, _one(req, "name"))

    @app.errorhandler(418)
    def teapot(error: Exception) -> ResponseReturnValue:
        return "short and stout", 418

    return app
