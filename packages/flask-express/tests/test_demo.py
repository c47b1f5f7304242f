"""The demo app (flask_express.demo) through Flask's test client."""

from __future__ import annotations

import html
import json
import re
import shlex
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from markupsafe import escape
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

import flask_express
import flask_express.demo
from flask_express.demo import DEMO_SECRET_KEY, create_app
from flask_express.demo.__main__ import main
from flask_express.demo.views import DEMOS, Demo

#: What the demo must show: every res and req method implemented so far.
SHOWN = {
    "res.send_status", "res.set", "res.append", "res.get", "res.type", "res.send", "res.json",
    "res.end", "res.redirect", "res.make_response", "res.locals", "res.set_cookie",
    "res.cookie", "res.clear_cookie", "res.cookie(signed=True)", "res.attachment",
    "res.send_file", "res.download", "res.render", "res.render(source)", "res.flash", "res.sse",
    "req.query", "req.body", "req.json", "req.header", "req.params", "req.cookies",
    "req.session", "req.set_session", "req.set_sessions", "req.get_session", "req.get",
    "req.accepts", "req.signed_cookies", "req.flashes",
    "app.use", "app.use(path)", "MethodView", "res.jsonp", "res.format", "res.links", "req.ip",
}  # fmt: skip


class Links(HTMLParser):
    """Collects the URLs a page links to: ``a href``, ``iframe src``, form actions."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.frames: list[str] = []
        self.forms: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.hrefs.append(found["href"] or "")
        elif tag == "iframe" and found.get("src"):
            self.frames.append(found["src"] or "")
        elif tag == "form" and found.get("action"):
            self.forms.append(((found.get("method") or "get").upper(), found["action"] or ""))


def links(rv: TestResponse) -> Links:
    parser = Links()
    parser.feed(rv.get_data(as_text=True))
    return parser


@pytest.fixture
def app() -> flask_express.FlaskExpress:
    return create_app({"TESTING": True})


@pytest.fixture
def client(app: flask_express.FlaskExpress) -> Iterator[FlaskClient]:
    with app.test_client() as client:
        yield client


def assert_clean_error(rv: TestResponse, code: int, text: str) -> None:
    body = rv.get_data(as_text=True)
    assert rv.status_code == code
    assert text in body
    assert "Traceback" not in body


# -- the app ------------------------------------------------------------------


def test_module_app_is_a_meta_package_app() -> None:
    app = flask_express.demo.app
    assert isinstance(app, flask_express.FlaskExpress)
    assert app.response_class is flask_express.Response
    assert app.import_name == "flask_express.demo"


def test_secret_key_defaults_to_the_demo_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    assert create_app().config["SECRET_KEY"] == DEMO_SECRET_KEY


def test_secret_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    assert create_app().config["SECRET_KEY"] == "from-the-environment"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], (5000, "127.0.0.1")),
        (["--port", "8123"], (8123, "127.0.0.1")),
        (["--host", "localhost", "--port", "8124"], (8124, "localhost")),
    ],
)
def test_main_serves_with_listen(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], expected: tuple[int, str]
) -> None:
    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(flask_express.demo.app, "listen", lambda *args: calls.append(args))
    main(argv)
    assert calls == [expected]


def test_main_rejects_a_port_that_is_not_a_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--port", "http"])
    assert exc.value.code == 2
    assert "--port" in capsys.readouterr().err


# -- the index and the demo pages ---------------------------------------------


def test_demos_cover_every_implemented_method() -> None:
    names = [demo.name for demo in DEMOS]
    assert len(names) == len(set(names))
    assert set(names) == SHOWN


def test_index_links_every_demo(client: FlaskClient) -> None:
    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.content_type == "text/html; charset=utf-8"
    assert "<h1>Flask-Express demo</h1>" in rv.get_data(as_text=True)
    hrefs = links(rv).hrefs
    for demo in DEMOS:
        assert f"/show/{demo.name}" in hrefs
        if demo.post is None:
            assert demo.url in hrefs


def test_every_linked_route_answers(client: FlaskClient) -> None:
    # The index links the demo pages and the GET routes; each page links
    # (or frames, or posts a form to) its route.
    page_links = links(client.get("/"))
    targets: set[tuple[str, str]] = {("GET", href) for href in page_links.hrefs}
    for href in page_links.hrefs:
        if href.startswith("/show/"):
            found = links(client.get(href))
            targets.update(("GET", url) for url in found.hrefs + found.frames)
            targets.update(found.forms)
    assert len(targets) > len(DEMOS)
    for method, url in sorted(targets):
        assert url.startswith("/"), url  # no external links
        with client.open(url, method=method) as rv:  # closes file bodies
            assert rv.status_code < 500, (method, url)
            if url == "/admin":
                assert rv.status_code == 401  # behind the admins_only middleware
            elif url != "/res/end":
                assert rv.status_code < 400, (method, url)


@pytest.mark.parametrize("demo", [pytest.param(demo, id=demo.name) for demo in DEMOS])
def test_demo_page_shows_explanation_code_and_answer(client: FlaskClient, demo: Demo) -> None:
    rv = client.get(f"/show/{demo.name}")
    assert rv.status_code == 200
    assert rv.content_type == "text/html; charset=utf-8"
    body = rv.get_data(as_text=True)
    assert f"<h1><code>{demo.name}</code></h1>" in body
    # The one-line explanation, from the view's docstring.
    assert demo.summary.startswith(demo.name)
    assert f'<p class="summary">{escape(demo.summary)}</p>' in body
    # The view's code, escaped in a <pre>.
    code = re.search(r"<pre><code>(.*?)</code></pre>", body, re.DOTALL)
    assert code is not None
    assert "<" not in code.group(1)
    assert html.unescape(code.group(1)) == demo.source
    signature = (
        "(self, req: Request, res: Response)"
        if demo.name == "MethodView"
        else (f"def {demo.view.__name__}(req: Request, res: Response")
    )
    assert signature in demo.source
    # The live answer: framed for a GET, a form or a fetch for a POST.
    found = links(rv)
    if demo.saves:
        assert found.frames == []
        assert demo.url in found.hrefs
    elif demo.post is None:
        assert found.frames == [demo.url]
        assert demo.url in found.hrefs
    elif demo.post == "form":
        assert found.forms == [("POST", demo.url)]
    else:
        assert f'data-url="{demo.url}"' in body
        assert "fetch(form.dataset.url" in body
    # A curl command that runs the same request.
    curl = re.search(r"<pre><code>(curl .*?)</code></pre>", body)
    assert curl is not None
    expected = ["curl", "-i"]
    if demo.post == "json":
        expected += ["-H", "Content-Type: application/json", "-d", demo.json_body or ""]
    for name, value in demo.form:
        expected += ["-d", f"{name}={value}"]
    assert shlex.split(html.unescape(curl.group(1))) == [*expected, f"http://localhost{demo.url}"]


def test_unknown_demo_page_is_the_404_page(client: FlaskClient) -> None:
    assert_clean_error(client.get("/show/res.nope"), 404, "404 Not Found")


# -- each demo route does what its page says ----------------------------------


def test_res_send_status(client: FlaskClient) -> None:
    rv = client.get("/res/send_status")
    assert rv.status_code == 201
    assert rv.get_data(as_text=True) == "This answer has the status 201 CREATED."


def test_res_set(client: FlaskClient) -> None:
    rv = client.get("/res/set")
    assert rv.status_code == 200
    assert rv.headers.getlist("X-Powered-By") == ["Flask-Express"]
    assert rv.headers["Cache-Control"] == "no-store"
    assert rv.headers["X-Frame-Options"] == "SAMEORIGIN"
    body = rv.get_data(as_text=True)
    assert "X-Powered-By: Flask-Express\r\n" in body
    assert "Cache-Control: no-store\r\n" in body


def test_res_append(client: FlaskClient) -> None:
    rv = client.get("/res/append")
    assert rv.headers.getlist("X-Step") == ["first", "second"]
    assert "X-Step: first\r\nX-Step: second\r\n" in rv.get_data(as_text=True)


def test_res_get(client: FlaskClient) -> None:
    rv = client.get("/res/get")
    assert rv.headers["X-Request-Id"] == "demo-42"
    assert rv.get_data(as_text=True) == (
        "res.get('x-request-id') = 'demo-42'\nres.get('X-Missing') = None"
    )


def test_res_type(client: FlaskClient) -> None:
    rv = client.get("/res/type")
    assert rv.content_type == "text/plain; charset=utf-8"
    assert rv.get_data(as_text=True).startswith("<b>Not bold:</b>")


def test_res_send(client: FlaskClient) -> None:
    rv = client.get("/res/send")
    assert rv.status_code == 200
    assert rv.content_type == "text/html; charset=utf-8"
    assert rv.get_data(as_text=True).startswith("<h1>Hello from res.send()</h1>")


def test_res_json(client: FlaskClient) -> None:
    rv = client.get("/res/json")
    assert rv.content_type == "application/json"
    assert rv.json == {"framework": "Flask-Express", "views": "(req, res)", "answer": 42}


def test_res_end_hands_over_to_the_404_handler(client: FlaskClient) -> None:
    rv = client.get("/res/end")
    assert_clean_error(rv, 404, "404 Not Found")
    assert rv.content_type == "text/html; charset=utf-8"
    assert "res.end(404)</code>\nhands over to it" in rv.get_data(as_text=True)


def test_res_redirect(client: FlaskClient) -> None:
    rv = client.get("/res/redirect")
    assert rv.status_code == 302
    assert rv.headers["Location"] == "/res/redirect/landed"
    followed = client.get("/res/redirect", follow_redirects=True)
    assert followed.status_code == 200
    assert [r.status_code for r in followed.history] == [302]
    assert followed.get_data(as_text=True) == "You were redirected here by res.redirect()."


def test_res_make_response(client: FlaskClient) -> None:
    rv = client.get("/res/make_response")
    assert rv.status_code == 202
    assert rv.headers["X-Built-By"] == "make_response"
    assert rv.content_type == "text/plain; charset=utf-8"
    assert rv.get_data(as_text=True) == "Built by make_response."


def test_res_locals(client: FlaskClient) -> None:
    assert client.get("/res/locals").json == {"user": "Ada", "theme": "dark"}


def test_res_set_cookie_then_req_cookies(client: FlaskClient) -> None:
    assert client.get("/req/cookies").json == {"cookies": {}, "flavour": None}
    rv = client.get("/res/set_cookie")
    set_cookie = rv.headers["Set-Cookie"]
    assert set_cookie.startswith("flavour=chocolate-chip;")
    for attribute in ("Max-Age=600", "HttpOnly", "Path=/", "SameSite=Lax"):
        assert attribute in set_cookie
    assert f"Set-Cookie: {set_cookie}" in rv.get_data(as_text=True)
    assert client.get("/req/cookies").json == {
        "cookies": {"flavour": "chocolate-chip"},
        "flavour": "chocolate-chip",
    }


def test_req_query(client: FlaskClient) -> None:
    assert client.get("/req/query?name=Ada&tag=flask&tag=express").json == {
        "query": {"name": "Ada", "tag": ["flask", "express"]},
        "name": "Ada",
    }
    assert client.get("/req/query").json == {"query": {}, "name": None}


def test_req_body(client: FlaskClient) -> None:
    form = MultiDict([("name", "Ada"), ("language", "Python"), ("language", "JavaScript")])
    assert client.post("/req/body", data=form).json == {
        "body": {"name": "Ada", "language": ["Python", "JavaScript"]}
    }
    assert client.get("/req/body").status_code == 405


def test_req_json(client: FlaskClient) -> None:
    payload = {"user": {"name": "Ada", "languages": ["Python", "JavaScript"]}}
    assert client.post("/req/json", json=payload).json == {"received": payload}
    assert client.post("/req/json", json=[1, {"a": 2}]).json == {"received": [1, {"a": 2}]}


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ('{"user": ', "application/json"),
        ("", "application/json"),
        ('{"user": "Ada"}', "text/plain"),
        ("[" * 100_000 + "]" * 100_000, "application/json"),
    ],
    ids=["malformed", "empty", "not-json-type", "too-deep"],
)
def test_req_json_bad_bodies_are_400(client: FlaskClient, data: str, content_type: str) -> None:
    rv = client.post("/req/json", data=data, content_type=content_type)
    assert_clean_error(rv, 400, "Bad Request")


def test_req_header(client: FlaskClient) -> None:
    rv = client.get("/req/header", headers={"User-Agent": "demo-test/1", "Accept": "text/plain"})
    assert rv.json == {"user_agent": "demo-test/1", "accept": "text/plain"}


def test_req_params(client: FlaskClient) -> None:
    assert client.get("/req/params/42").json == {"id": 42, "type": "int"}
    assert_clean_error(client.get("/req/params/forty-two"), 404, "404 Not Found")


def test_req_session_counts_visits(client: FlaskClient, app: flask_express.FlaskExpress) -> None:
    assert [client.get("/req/session").json for _ in range(3)] == [
        {"visits": 1},
        {"visits": 2},
        {"visits": 3},
    ]
    assert client.get_cookie("session") is not None
    # A new visitor starts again.
    with app.test_client() as other:
        assert other.get("/req/session").json == {"visits": 1}


def test_req_set_session(client: FlaskClient) -> None:
    assert client.get("/req/set_session?colour=teal").json == {"session": {"colour": "teal"}}
    assert client.get("/req/session").json == {"visits": 1}
    assert client.get("/req/set_session?colour=plum").json == {
        "session": {"colour": "plum", "visits": 1}
    }


def test_req_set_sessions_then_get_session(client: FlaskClient) -> None:
    assert client.get("/req/get_session").json == {"user": None, "theme": "light"}
    assert client.get("/req/set_sessions").json == {"session": {"user": "ada", "theme": "dark"}}
    assert client.get("/req/get_session").json == {"user": "ada", "theme": "dark"}


def test_req_get(client: FlaskClient) -> None:
    rv = client.get(
        "/req/get", headers={"User-Agent": "demo-test/1", "Referer": "http://localhost/"}
    )
    assert rv.json == {
        "user_agent": "demo-test/1",
        "referrer": "http://localhost/",
        "missing": None,
    }


@pytest.mark.parametrize(
    ("accept", "best"),
    [
        ("application/json", "json"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "html"),
        ("text/html;q=0.5, application/json", "json"),
        ("image/png", None),
        (None, "html"),
    ],
)
def test_req_accepts(client: FlaskClient, accept: str | None, best: str | None) -> None:
    headers = {} if accept is None else {"Accept": accept}
    assert client.get("/req/accepts", headers=headers).json == {"best": best, "accept": accept}


# -- the pieces: cookies, files, render, flash ----------------------------------


def test_res_cookie_then_clear_cookie(client: FlaskClient) -> None:
    rv = client.get("/res/cookie?theme=light")
    set_cookie = rv.headers["Set-Cookie"]
    assert set_cookie.startswith("theme=light;")
    for attribute in ("Max-Age=3600", "HttpOnly", "Path=/", "SameSite=Lax"):
        assert attribute in set_cookie
    assert client.get("/req/cookies").json["cookies"] == {"theme": "light"}

    rv = client.get("/res/clear_cookie")
    assert rv.headers["Set-Cookie"].startswith("theme=;")
    assert "Max-Age=0" in rv.headers["Set-Cookie"]
    assert client.get("/req/cookies").json["cookies"] == {}


def test_signed_cookie_round_trip_and_tampering(client: FlaskClient) -> None:
    assert client.get("/req/signed_cookies").json == {"signed": {}, "raw": None}
    client.get("/res/cookie/signed?name=grace")
    cookie = client.get_cookie("member")
    assert cookie is not None and cookie.value.startswith("grace.")
    assert client.get("/req/signed_cookies").json == {
        "signed": {"member": "grace"},
        "raw": cookie.value,
    }
    client.set_cookie("member", cookie.value.replace("grace", "admin"))
    assert client.get("/req/signed_cookies").json["signed"] == {}


def test_res_attachment(client: FlaskClient) -> None:
    with client.get("/res/attachment") as rv:
        assert rv.status_code == 200
        assert rv.headers["Content-Disposition"] == "attachment; filename=hello.txt"
        assert rv.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert rv.data.startswith(b"Hello from res.attachment()!")


@pytest.mark.parametrize("name", ["../__init__.py", "..%2f__init__.py", "%2e%2e/views.py", "nope"])
def test_res_attachment_with_a_name_outside_the_folder_is_404(
    client: FlaskClient, name: str
) -> None:
    with client.get(f"/res/attachment/{name}") as rv:
        assert_clean_error(rv, 404, "404 Not Found")
        assert b"import" not in rv.data


def test_res_send_file_with_range(client: FlaskClient) -> None:
    with client.get("/res/send_file") as rv:
        whole = rv.data
        assert rv.status_code == 200
        assert rv.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert whole.startswith(b"quarter,revenue,growth\n")
        etag = rv.headers["ETag"]
    with client.get("/res/send_file", headers={"Range": "bytes=0-6"}) as rv:
        assert rv.status_code == 206
        assert rv.data == whole[:7] == b"quarter"
    with client.get("/res/send_file", headers={"If-None-Match": etag}) as rv:
        assert rv.status_code == 304


def test_res_download_has_a_non_ascii_name(client: FlaskClient) -> None:
    with client.get("/res/download") as rv:
        assert rv.status_code == 200
        disposition = rv.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=UTF-8''Bericht%20%C3%9Cbersicht.csv" in disposition
        assert rv.data.startswith(b"quarter,revenue,growth\n")


def test_res_render_file_with_locals_and_autoescape(client: FlaskClient) -> None:
    rv = client.get("/res/render?user=%3Ci%3EAda")
    body = rv.get_data(as_text=True)
    assert rv.status_code == 200
    assert rv.content_type == "text/html; charset=utf-8"
    assert "<title>res.render()</title>" in body
    assert "Hello, &lt;i&gt;Ada!" in body
    assert body.count("<li>") == 3
    assert "Autoescaped: &lt;b&gt;x&lt;/b&gt;" in body


def test_res_render_source(client: FlaskClient) -> None:
    rv = client.get("/res/render/string")
    assert rv.data == b"<p>Hello, &lt;Ada&gt;!</p>"


def test_res_flash_then_req_flashes_once(client: FlaskClient) -> None:
    rv = client.get("/res/flash")
    assert rv.status_code == 302
    assert rv.headers["Location"] == "/req/flashes"
    assert client.get("/req/flashes").json == {
        "flashes": [["success", "Saved!"], ["info", "Two items updated."]]
    }
    assert client.get("/req/flashes").json == {"flashes": []}


def sse_events(rv: TestResponse, limit: int) -> Iterator[dict[str, str]]:
    """The events of a streamed answer, as ``{field: value}``, read chunk by
    chunk: at most ``limit`` events and 10 seconds."""
    deadline = time.monotonic() + 10
    found = 0
    for chunk in rv.response:
        assert time.monotonic() < deadline, "the stream took too long"
        text = chunk.decode("utf-8")
        if text.startswith(":"):
            continue  # the opening comment or a heartbeat
        yield dict(line.split(": ", 1) for line in text.strip("\n").split("\n"))
        found += 1
        if found >= limit:
            return


def test_res_sse_streams_five_ticks(client: FlaskClient) -> None:
    rv = client.get("/res/sse", buffered=False)
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == "text/event-stream; charset=utf-8"
    assert rv.headers["Cache-Control"] == "no-cache"
    ticks = list(sse_events(rv, limit=10))
    assert [tick["id"] for tick in ticks] == ["1", "2", "3", "4", "5"]
    assert {tick["event"] for tick in ticks} == {"tick"}
    assert [json.loads(tick["data"])["n"] for tick in ticks] == [1, 2, 3, 4, 5]
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d", json.loads(t["data"])["time"]) for t in ticks)


def test_live_page_listens_to_its_event_stream(client: FlaskClient) -> None:
    page = client.get("/live").get_data(as_text=True)
    assert 'new EventSource("/live/events")' in page
    assert '<strong id="counter">0</strong>' in page
    assert 'href="/live"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(("last_event_id", "first"), [(None, 1), ("41", 42), ("x", 1)])
def test_live_events_resume_after_the_last_event_id(
    client: FlaskClient, last_event_id: str | None, first: int
) -> None:
    headers = {} if last_event_id is None else {"Last-Event-ID": last_event_id}
    rv = client.get("/live/events", headers=headers, buffered=False)
    assert rv.status_code == 200
    (tick,) = sse_events(rv, limit=1)
    assert tick["id"] == str(first)
    assert json.loads(tick["data"])["count"] == first
    # Leaving closes the endless generator: its helper thread ends.
    rv.close()
    deadline = time.monotonic() + 5
    for _ in range(500):
        helpers = [th for th in threading.enumerate() if th.name.startswith("fx-sse-events-")]
        if not helpers or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert helpers == []


def test_login_flow_flashes_once_after_the_redirect(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert '<form method="post" action="/login">' in page
    rv = client.post("/login", data={"name": "Ada"})
    assert rv.status_code == 302
    assert rv.headers["Location"] == "/account"
    first = client.get("/account").get_data(as_text=True)
    assert '<p class="flash success">Welcome, Ada!</p>' in first
    assert "Logged in as <strong>Ada</strong>" in first
    second = client.get("/account").get_data(as_text=True)
    assert "Welcome" not in second
    assert "Logged in as <strong>Ada</strong>" in second

    rv = client.get("/logout")
    assert rv.headers["Location"] == "/login"
    assert "You are logged out." in client.get("/login").get_data(as_text=True)
    assert "Nobody is logged in." in client.get("/account").get_data(as_text=True)


# -- app: middleware and MethodView ---------------------------------------------


def test_every_answer_has_a_response_time(client: FlaskClient) -> None:
    for url in ("/", "/res/json", "/res/send", "/req/query?x=1"):
        value = client.get(url).headers["X-Response-Time"]
        assert re.fullmatch(r"\d+\.\d{3}ms", value), (url, value)


def test_admin_area_needs_the_admin_login(client: FlaskClient) -> None:
    rv = client.get("/admin")
    assert rv.status_code == 401
    assert rv.json == {"error": "Log in as 'admin' to see /admin."}
    # The middleware answers before routing: a missing page below /admin is 401 too,
    # while /administrator is outside the prefix and is a plain 404.
    assert client.get("/admin/nope").status_code == 401
    assert client.get("/administrator").status_code == 404

    client.post("/login", data={"name": "ada"})
    assert client.get("/admin").status_code == 401
    client.post("/login", data={"name": "admin"})
    rv = client.get("/admin")
    assert rv.status_code == 200
    assert rv.json == {"area": "admin", "user": "admin"}


def test_methodview_items(client: FlaskClient) -> None:
    assert client.get("/items").json == {"items": ["flask", "express"]}
    rv = client.post("/items", json={"item": "werkzeug"})
    assert rv.status_code == 201
    assert rv.json == {"added": "werkzeug", "items": ["flask", "express", "werkzeug"]}
    assert client.post("/items", data="{").status_code == 400
    assert client.delete("/items").status_code == 405


def test_res_jsonp(client: FlaskClient) -> None:
    rv = client.get("/res/jsonp?callback=show")
    assert rv.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert rv.headers["X-Content-Type-Options"] == "nosniff"
    assert rv.data.startswith(b"/**/ typeof show === 'function' && show(")
    assert client.get("/res/jsonp").json == {"framework": "Flask-Express", "style": "JSONP"}
    evil = client.get("/res/jsonp?callback=alert(1)//").data
    assert evil.startswith(b"/**/ typeof alert1 === 'function' && alert1(")


@pytest.mark.parametrize(
    ("accept", "status", "content_type", "body"),
    [
        ("application/json", 200, "application/json", b'{"title":"Flask Web Development"'),
        ("text/plain", 200, "text/plain; charset=utf-8", b"Flask Web Development (2018)"),
        (None, 200, "text/html; charset=utf-8", b"<p><cite>Flask Web Development"),
        ("image/png", 406, None, b"Not Acceptable"),
    ],
)
def test_res_format(
    client: FlaskClient, accept: str | None, status: int, content_type: str | None, body: bytes
) -> None:
    rv = client.get("/res/format", headers={} if accept is None else {"Accept": accept})
    assert rv.status_code == status
    assert body in rv.data
    assert "Accept" in rv.headers["Vary"]
    if content_type is not None:
        assert rv.headers["Content-Type"] == content_type


def test_res_links(client: FlaskClient) -> None:
    rv = client.get("/res/links?page=2")
    assert rv.headers["Link"] == '</res/links?page=3>; rel="next", </res/links?page=9>; rel="last"'


def test_req_ip_and_friends(client: FlaskClient) -> None:
    assert client.get("/req/ip", headers={"X-Requested-With": "XMLHttpRequest"}).json == {
        "ip": "127.0.0.1",
        "hostname": "localhost",
        "protocol": "http",
        "secure": False,
        "xhr": True,
        "path": "/req/ip",
    }


def test_a_fallback_key_from_the_environment_is_one_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # FLASK_SECRET_KEY_FALLBACKS=old-key reaches the config as one str: a
    # session signed with one of its letters must not verify.
    from itsdangerous import URLSafeTimedSerializer

    monkeypatch.setenv("FLASK_SECRET_KEY", "new-demo-key")
    monkeypatch.setenv("FLASK_SECRET_KEY_FALLBACKS", "old-key")
    app = create_app()
    assert app.config["SECRET_KEY_FALLBACKS"] == "old-key"
    client = app.test_client()

    def signed(key: str) -> str:
        serializer = URLSafeTimedSerializer(
            key,
            salt="cookie-session",
            signer_kwargs={"key_derivation": "hmac", "digest_method": __import__("hashlib").sha1},
        )
        return serializer.dumps({"name": "admin", "_flashes": []})

    client.set_cookie("session", signed("o"))
    assert "admin" not in client.get("/account").get_data(as_text=True)
    client.set_cookie("session", signed("old-key"))
    assert "admin" in client.get("/account").get_data(as_text=True)
