"""The app integration_tests/test_deploy.py serves with two gunicorn instances
behind nginx: ``gunicorn 'deploy.app:create_app()'`` from integration_tests/.

Everything it needs comes from the environment, the same for both instances
except ``DEPLOY_INSTANCE``, which every answer carries as ``X-Instance``:

- ``DEPLOY_SECRET``: the shared ``SECRET_KEY``;
- ``DEPLOY_SESSIONS``: ``cookie`` (Flask's signed cookie) or ``redis``
  (Flask-Session, with ``DEPLOY_REDIS``);
- ``DEPLOY_REDIS``: the Redis URL, also ``FX_SSE_CHANNEL`` when set;
- ``DEPLOY_DB``: a sqlite file both instances write notes to;
- ``DEPLOY_FILES``: the folder offloaded to nginx (``FX_ACCEL_REDIRECT``);
  ``DEPLOY_PY_FILES``: a folder sent through Python;
- ``DEPLOY_RECORD``: a file the event streams append to when they end.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import typing as t
from collections.abc import Iterator

from werkzeug.middleware.proxy_fix import ProxyFix

import fx_sse
from flask_express import FlaskExpress, Request, Response

TOPIC = "notes"


def _db() -> sqlite3.Connection:
    conn = sqlite3.connect(os.environ["DEPLOY_DB"], timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS notes "
        "(id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL, instance TEXT NOT NULL)"
    )
    return conn


def _record(line: str) -> None:
    path = os.environ.get("DEPLOY_RECORD")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def _note_event(row: tuple[int, str, str]) -> dict[str, t.Any]:
    return {"id": row[0], "event": "note", "data": {"text": row[1], "by": row[2]}}


def create_app() -> FlaskExpress:
    instance = os.environ["DEPLOY_INSTANCE"]
    redis_url = os.environ.get("DEPLOY_REDIS")
    app = FlaskExpress(__name__)
    app.config.update(
        SECRET_KEY=os.environ["DEPLOY_SECRET"],
        FX_SSE_CHANNEL=redis_url or "memory",
        ATTACHMENTS_FOLDER=os.environ["DEPLOY_FILES"],
        FX_ACCEL_REDIRECT={os.environ["DEPLOY_FILES"]: "/_protected/"},
    )
    if os.environ.get("DEPLOY_SESSIONS") == "redis":
        import redis
        from flask_session import Session

        app.config.update(SESSION_TYPE="redis", SESSION_REDIS=redis.Redis.from_url(redis_url))
        Session(app)
    with _db():
        pass
    files, py_files = os.environ["DEPLOY_FILES"], os.environ["DEPLOY_PY_FILES"]

    @app.after_request
    def which(response: t.Any) -> t.Any:
        response.headers["X-Instance"] = instance
        return response

    @app.get("/whoami")
    def whoami(req: Request, res: Response) -> Response:
        return res.json(
            instance=instance,
            ip=req.ip,
            protocol=req.protocol,
            secure=req.secure,
            hostname=req.hostname,
        )

    @app.post("/flash")
    def flash(req: Request, res: Response) -> Response:
        return res.flash(req.json["message"]).json(ok=True)

    @app.get("/flashes")
    def flashes(req: Request, res: Response) -> Response:
        return res.json(req.flashes())

    @app.post("/cookie")
    def set_cookie(req: Request, res: Response) -> Response:
        return res.cookie("who", instance, signed=True, httponly=True).json(ok=True)

    @app.get("/cookie")
    def read_cookie(req: Request, res: Response) -> Response:
        return res.json(who=req.signed_cookies.get("who"))

    @app.post("/session")
    def visit(req: Request, res: Response) -> Response:
        seen = [*req.session.get("seen", []), instance]
        req.session["seen"] = seen
        req.session["secret"] = "kept on the server"
        return res.json(seen=seen)

    @app.post("/notes")
    def add_note(req: Request, res: Response) -> Response:
        with _db() as conn:
            cursor = conn.execute(
                "INSERT INTO notes (text, instance) VALUES (?, ?)", (req.json["text"], instance)
            )
            row = (t.cast(int, cursor.lastrowid), req.json["text"], instance)
        # Committed first: a client that missed the live event (Redis down,
        # reconnecting) reads it back by Last-Event-ID.
        try:
            fx_sse.channel().publish(TOPIC, _note_event(row))
            published = True
        except fx_sse.ChannelError:
            app.logger.warning("note %s stored, not published", row[0])
            published = False
        return res.status(201).json(id=row[0], published=published)

    @app.get("/notes")
    def notes(req: Request, res: Response) -> Response:
        with _db() as conn:
            rows = conn.execute("SELECT id, text, instance FROM notes ORDER BY id").fetchall()
        return res.json([list(row) for row in rows])

    @app.get("/events/notes")
    def note_events(req: Request, res: Response) -> Response:
        last = req.last_event_id or "0"
        after = int(last) if last.isascii() and last.isdigit() and len(last) < 18 else 0
        try:
            # Subscribed before reading the store: nothing falls in between.
            sub = fx_sse.channel().subscribe(TOPIC)
        except fx_sse.ChannelError:
            # A 200 that ends at once: EventSource reconnects after `retry`
            # (it gives up for good on a 5xx).
            return res.sse([{"retry": 500}])
        with _db() as conn:
            rows = conn.execute(
                "SELECT id, text, instance FROM notes WHERE id > ? ORDER BY id", (after,)
            ).fetchall()
        _record(f"open {instance} after={after}")

        def events() -> Iterator[t.Any]:
            try:
                for row in rows:
                    yield _note_event(row)
                seen = rows[-1][0] if rows else after
                for event in sub:
                    if event["id"] > seen:  # replayed already
                        yield event
            finally:
                sub.close()
                _record(f"closed {instance} {threading.current_thread().name}")

        return res.sse(events(), heartbeat=1.0)

    @app.get("/files/<path:name>")
    def inline(req: Request, res: Response, name: str) -> Response:
        res.set("Cache-Control", "private, max-age=60").cookie("fetched", name)
        return res.send_file(name, root=files)

    @app.get("/download/<path:name>")
    def download(req: Request, res: Response, name: str) -> Response:
        return res.cookie("fetched", name).download(name, "report.bin", root=files)

    @app.get("/attachment/<path:name>")
    def attachment(req: Request, res: Response, name: str) -> Response:
        return res.attachment(name)

    @app.get("/python/<path:name>")
    def through_python(req: Request, res: Response, name: str) -> Response:
        return res.send_file(name, root=py_files)

    # nginx on 127.0.0.1 is the one proxy in front: trust one hop of each.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    return app
