"""The demo app behind gunicorn (two workers), through a real HTTP client."""

from __future__ import annotations

import re
import typing as t

import pytest
import requests

pytestmark = pytest.mark.server

TIMEOUT = 5  # seconds for one request


def get(url: str, **kwargs: object) -> requests.Response:
    return requests.get(url, timeout=TIMEOUT, **kwargs)  # type: ignore[arg-type]


def test_index(demo_server: str) -> None:
    rv = get(f"{demo_server}/")
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Flask-Express demo</h1>" in rv.text
    for name in ("res.json", "res.redirect", "req.json", "req.session"):
        assert f'href="/show/{name}"' in rv.text


def test_demo_page(demo_server: str) -> None:
    rv = get(f"{demo_server}/show/res.json")
    assert rv.status_code == 200
    assert "<h1><code>res.json</code></h1>" in rv.text
    assert "def res_json(req: Request, res: Response) -&gt; Response:" in rv.text
    assert '<iframe src="/res/json"' in rv.text


def test_json_route(demo_server: str) -> None:
    rv = get(f"{demo_server}/res/json")
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == "application/json"
    assert rv.json() == {"framework": "Flask-Express", "views": "(req, res)", "answer": 42}


def test_query_and_params(demo_server: str) -> None:
    rv = get(f"{demo_server}/req/query", params=[("name", "Ada"), ("tag", "a"), ("tag", "b")])
    assert rv.json() == {"query": {"name": "Ada", "tag": ["a", "b"]}, "name": "Ada"}
    assert get(f"{demo_server}/req/params/7").json() == {"id": 7, "type": "int"}


def test_redirect(demo_server: str) -> None:
    rv = get(f"{demo_server}/res/redirect", allow_redirects=False)
    assert rv.status_code == 302
    assert rv.headers["Location"] == "/res/redirect/landed"
    followed = get(f"{demo_server}/res/redirect")
    assert followed.status_code == 200
    assert [r.status_code for r in followed.history] == [302]
    assert followed.url == f"{demo_server}/res/redirect/landed"
    assert followed.text == "You were redirected here by res.redirect()."


def test_session_round_trip(demo_server: str) -> None:
    # Two workers answer in turn: the session cookie must work with both.
    with requests.Session() as browser:
        visits = [
            browser.get(f"{demo_server}/req/session", timeout=TIMEOUT).json() for _ in range(4)
        ]
        assert visits == [{"visits": n} for n in (1, 2, 3, 4)]
        before = browser.get(f"{demo_server}/req/get_session", timeout=TIMEOUT).json()
        assert before == {"user": None, "theme": "light"}
        browser.get(f"{demo_server}/req/set_sessions", timeout=TIMEOUT).raise_for_status()
        after = browser.get(f"{demo_server}/req/get_session", timeout=TIMEOUT).json()
        assert after == {"user": "ada", "theme": "dark"}
    # A client without the cookie starts a new session.
    assert get(f"{demo_server}/req/session").json() == {"visits": 1}


def test_cookie_round_trip(demo_server: str) -> None:
    with requests.Session() as browser:
        rv = browser.get(f"{demo_server}/res/set_cookie", timeout=TIMEOUT)
        assert "HttpOnly" in rv.headers["Set-Cookie"]
        assert browser.cookies.get("flavour") == "chocolate-chip"
        rv = browser.get(f"{demo_server}/req/cookies", timeout=TIMEOUT)
        assert rv.json()["flavour"] == "chocolate-chip"


def test_response_headers(demo_server: str) -> None:
    rv = get(f"{demo_server}/res/set")
    assert rv.headers["X-Powered-By"] == "Flask-Express"
    assert rv.headers["Cache-Control"] == "no-store"
    # requests joins a repeated header with ", ".
    assert get(f"{demo_server}/res/append").headers["X-Step"] == "first, second"


def test_request_headers(demo_server: str) -> None:
    headers = {"User-Agent": "integration/1", "Referer": f"{demo_server}/", "Accept": "text/plain"}
    assert get(f"{demo_server}/req/get", headers=headers).json() == {
        "user_agent": "integration/1",
        "referrer": f"{demo_server}/",
        "missing": None,
    }
    assert get(f"{demo_server}/req/header", headers=headers).json() == {
        "user_agent": "integration/1",
        "accept": "text/plain",
    }
    rv = get(f"{demo_server}/req/accepts", headers={"Accept": "application/json"})
    assert rv.json() == {"best": "json", "accept": "application/json"}


def test_status_and_make_response(demo_server: str) -> None:
    rv = get(f"{demo_server}/res/send_status")
    assert rv.status_code == 201
    assert rv.text == "This answer has the status 201 CREATED."
    rv = get(f"{demo_server}/res/make_response")
    assert rv.status_code == 202
    assert rv.headers["X-Built-By"] == "make_response"
    assert rv.text == "Built by make_response."


@pytest.mark.parametrize("path", ["/res/end", "/show/res.nope", "/nowhere"])
def test_not_found(demo_server: str, path: str) -> None:
    rv = get(f"{demo_server}{path}")
    assert rv.status_code == 404
    assert rv.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>404 Not Found</h1>" in rv.text
    assert "Traceback" not in rv.text


def test_post_json(demo_server: str) -> None:
    payload = {"user": {"name": "Ada", "languages": ["Python", "JavaScript"]}}
    rv = requests.post(f"{demo_server}/req/json", json=payload, timeout=TIMEOUT)
    assert rv.status_code == 200
    assert rv.json() == {"received": payload}


def test_post_form(demo_server: str) -> None:
    form = [("name", "Ada"), ("language", "Python"), ("language", "JavaScript")]
    rv = requests.post(f"{demo_server}/req/body", data=form, timeout=TIMEOUT)
    assert rv.json() == {"body": {"name": "Ada", "language": ["Python", "JavaScript"]}}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [('{"user": ', "application/json"), ('{"user": 1}', "text/plain"), ("", "application/json")],
    ids=["malformed", "not-json-type", "empty"],
)
def test_bad_json_body_is_400(demo_server: str, body: str, content_type: str) -> None:
    rv = requests.post(
        f"{demo_server}/req/json",
        data=body.encode(),
        headers={"Content-Type": content_type},
        timeout=TIMEOUT,
    )
    assert rv.status_code == 400
    assert "Bad Request" in rv.text
    assert "Traceback" not in rv.text


def test_gunicorn_stops_cleanly_on_sigterm(
    launch: t.Callable[..., t.Any], gunicorn: t.Callable[[int], list[str]], port: int
) -> None:
    # Its own server, so the shared one keeps serving the other tests.
    url = f"http://127.0.0.1:{port}/"
    server = launch(gunicorn(port), url)
    assert requests.get(f"{url}res/json", timeout=TIMEOUT).status_code == 200
    assert server.terminate() == 0, server.output()
    assert not server.answers()
    assert "Shutting down: Master" in server.output()
    assert "Traceback" not in server.output()


def test_app_middleware_times_every_answer(demo_server: str) -> None:
    # app.use(response_time): a header set by middleware after next() reaches the client.
    for path in ("/", "/res/json", "/req/query?q=1", "/items"):
        rv = get(f"{demo_server}{path}")
        assert rv.status_code == 200, path
        assert re.fullmatch(r"\d+\.\d{3}ms", rv.headers["X-Response-Time"]), path


def test_path_middleware_guards_its_prefix(demo_server: str) -> None:
    # app.use("/admin", admins_only) answers 401 before routing, by whole segments.
    assert get(f"{demo_server}/admin").status_code == 401
    assert get(f"{demo_server}/admin/no-such-page").status_code == 401
    assert get(f"{demo_server}/administrator").status_code == 404
    with requests.Session() as browser:
        browser.post(f"{demo_server}/login", data={"name": "admin"}, timeout=TIMEOUT)
        rv = browser.get(f"{demo_server}/admin", timeout=TIMEOUT)
        assert rv.status_code == 200
        assert rv.json() == {"area": "admin", "user": "admin"}
        assert browser.get(f"{demo_server}/admin/no-such-page", timeout=TIMEOUT).status_code == 404


def test_methodview_with_json_body(demo_server: str) -> None:
    rv = requests.post(f"{demo_server}/items", json={"item": "gunicorn"}, timeout=TIMEOUT)
    assert rv.status_code == 201
    assert rv.json()["added"] == "gunicorn"
