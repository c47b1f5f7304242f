"""The demo answers no 5xx, whatever a client sends to any of its routes.

Hypothesis draws query strings (repeated keys included), form and JSON
bodies, headers and cookies for every rule of the demo's URL map, with every
method the rule allows. A streamed route (Server-Sent Events) is opened, its
status and first bytes read, and closed.
"""

from __future__ import annotations

import json
import logging
import typing as t
from urllib.parse import quote

import pytest

# A test dependency of the monorepo, not of the package: an sdist's tests
# collect without it (integration_tests/test_packaging.py).
pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from flask_express.demo import create_app

APP = create_app()
APP.config["TESTING"] = False  # answers, as in production, instead of raising
# The routes, with a value for each route variable.
ROUTES: list[tuple[str, str]] = []
for rule in APP.url_map.iter_rules():
    if rule.endpoint == "static":
        continue
    url = rule.rule.replace("<int:id>", "7").replace("<path:name>", "hello.txt")
    for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
        ROUTES.append((method, url))

STREAMED = {"/live/events", "/res/sse"}

text = st.text(max_size=20)
keys = st.sampled_from(["name", "page", "theme", "next", "v", "q", "user", "colour", "id", "x"])
pairs = st.lists(st.tuples(keys | text, text), max_size=6)


@st.composite
def query_strings(draw: st.DrawFn) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in draw(pairs))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=8,
)


@pytest.fixture(autouse=True, scope="module")
def quiet() -> t.Iterator[None]:
    # A 5xx would be logged with its traceback; the assertion reports it.
    logging.disable(logging.ERROR)
    yield
    logging.disable(logging.NOTSET)


def send(
    method: str,
    url: str,
    query: str,
    body: t.Any,
    kind: str,
    headers: dict[str, str],
    cookie: str,
) -> int:
    client = APP.test_client()
    if cookie:
        headers = {**headers, "Cookie": cookie}
    options: dict[str, t.Any] = {"method": method, "headers": headers}
    if kind == "form" and isinstance(body, list):
        fields = [item for item in body if isinstance(item, tuple) and len(item) == 2]
        options["data"] = MultiDict([(str(k), str(v)) for k, v in fields])
    elif kind == "json":
        options["data"] = json.dumps(body)
        options["content_type"] = "application/json"
    elif kind == "raw":
        options["data"] = str(body).encode("utf-8", "surrogatepass")
    target = f"{url}?{query}" if query else url
    if url in STREAMED:
        with client.open(target, buffered=False, **options) as rv:
            if rv.status_code == 200:
                first = next(rv.response)
                assert first.startswith(b":") or first.startswith(b"retry") or first
            return rv.status_code
    with client.open(target, buffered=True, **options) as rv:
        return rv.status_code


FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


@FUZZ
@given(
    route=st.sampled_from(ROUTES),
    query=query_strings(),
    body=pairs | json_values,
    kind=st.sampled_from(["none", "form", "json", "raw"]),
    headers=st.dictionaries(
        st.sampled_from(
            ["Accept", "Referer", "Last-Event-ID", "If-None-Match", "Range", "X-Admin"]
        ),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
        max_size=3,
    ),
    cookie=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
)
@example(("POST", "/login"), "", [("name", "a"), ("name", "b")], "form", {}, "")
@example(("GET", "/res/links"), "page=x", [], "none", {}, "")
@example(("GET", "/res/cookie"), "theme=a&theme=b", [], "none", {}, "")
@example(("GET", "/res/cookie/signed"), "name=a&name=b", [], "none", {}, "")
@example(("GET", "/live/events"), "", [], "none", {"Last-Event-ID": "²"}, "")
def test_no_demo_route_answers_5xx(
    route: tuple[str, str],
    query: str,
    body: t.Any,
    kind: str,
    headers: dict[str, str],
    cookie: str,
) -> None:
    method, url = route
    status = send(method, url, query, body, kind, headers, cookie)
    assert status < 500, (method, url, query, body, kind, headers, cookie)


def test_every_route_is_drawn_from() -> None:
    urls = {url for _, url in ROUTES}
    assert {"/login", "/res/links", "/res/cookie", "/res/cookie/signed", "/live/events"} <= urls
    assert len(ROUTES) >= 40
