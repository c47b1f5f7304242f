"""Property-based tests: nothing a client sends breaks the app (docs/security.md).

The app (:mod:`hostile.app`) hands client input to every method of
:class:`flask_express.Response` and reads every view of ``req``. Hypothesis
sends it arbitrary query strings, paths, form, multipart and JSON bodies
(deep nesting, huge numbers, invalid UTF-8), headers, cookies (malformed,
oversized, tampered signed and session cookies), Range and conditional
headers, Accept headers, file and download names. Bytes the test client
would clean up (invalid UTF-8 in the path, query string or headers) go
through a WSGI environ built by hand.

The property, for every answer: no 5xx; every header can be sent as one line
(no CR, LF or other control character, nothing outside Latin-1, which
gunicorn would turn into a 500 and a laxer server into a split header); no
traceback, file path or canary byte in the body. Some tests check more
(confinement, negotiation, Range arithmetic, signatures).

Every test runs ``FX_FUZZ_EXAMPLES`` examples (default 200, plus the
``@example`` cases), derandomized and without an example database, so CI
sees the same inputs on every run; the number of examples each test ran is
printed when the module ends. For a longer hunt outside CI, raise
``FX_FUZZ_EXAMPLES`` and set ``FX_FUZZ_RANDOM=1`` to draw new inputs on
each run.
"""

from __future__ import annotations

import inspect
import io
import json
import os
import re
import sys
import typing as t
from collections import Counter
from collections.abc import Iterator
from html import escape
from pathlib import Path
from urllib.parse import quote, unquote

import markupsafe
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.http import parse_options_header
from werkzeug.urls import iri_to_uri

import flask_express
from flask_express import FlaskExpress

# integration_tests/ has no __init__.py and pytest imports test files by path
# (--import-mode=importlib): put it on sys.path to import the harness.
_IMPORT_ROOT = str(Path(__file__).resolve().parent)
if _IMPORT_ROOT not in sys.path:
    sys.path.insert(0, _IMPORT_ROOT)

import hostile.app  # noqa: E402
from hostile.app import (  # noqa: E402
    FILE_FORMS,
    INSIDE_BODIES,
    NESTED,
    REJECTED,
    REPORT,
    create_app,
    make_tree,
)
from hostile.checks import (  # noqa: E402
    Answer,
    ClosingClient,
    ExceptionLog,
    check_answer,
    client_answer,
    header_problem,
    wsgi_call,
)

#: Examples per property test: enough to find what the corpus below hides,
#: few enough that the whole module runs in well under a minute.
EXAMPLES = int(os.environ.get("FX_FUZZ_EXAMPLES", "200"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("FX_FUZZ_RANDOM"),
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Examples run by each test, printed at the end of the module.
RUN: Counter[str] = Counter()


# -- fixtures ------------------------------------------------------------------


class Harness:
    """The app, a test client, the exceptions the app reported and the
    private text no answer may hold."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.app: FlaskExpress = create_app(make_tree(base))
        self.app.test_client_class = ClosingClient
        self.errors = ExceptionLog(self.app)
        self.private = (os.fsencode(str(base)),)

    def client(self) -> ClosingClient:
        return t.cast(ClosingClient, self.app.test_client())

    def start(self, test: str) -> None:
        """Begin one example of ``test``."""
        RUN[test] += 1
        self.errors.clear()

    def check(self, answer: Answer, sent: bytes = b"") -> Answer:
        check_answer(answer, sent, self.private, self.errors)
        return answer

    def get(self, url: str, **kwargs: t.Any) -> Answer:
        """GET ``url`` (already URL text) with the test client, and check it."""
        rv = self.client().get(url, **kwargs)
        return self.check(client_answer(rv), _sent(url, kwargs))

    def wsgi(
        self,
        method: str = "GET",
        path: bytes = b"/",
        query: bytes = b"",
        headers: t.Sequence[tuple[str, bytes]] = (),
        body: bytes = b"",
    ) -> Answer:
        """Call the app with a raw environ, and check the answer."""
        answer = wsgi_call(self.app, method, path, query, headers, body)
        sent = b"\n".join([path, query, body, *(value for _, value in headers)])
        return self.check(answer, _decoded(sent))


def _decoded(sent: bytes) -> bytes:
    """What the client sent, with its percent-escapes also decoded: an echo
    of ``%2Fusr`` as ``/usr`` is still an echo."""
    return sent + b"\n" + unquote(sent.decode("latin-1")).encode("utf-8", "replace")


def _sent(url: str, kwargs: dict[str, t.Any]) -> bytes:
    parts = [url, repr(kwargs)]
    return _decoded("\n".join(parts).encode("utf-8", "replace"))


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    harness = Harness(tmp_path_factory.mktemp("fuzz"))
    yield harness
    harness.errors.disconnect()


@pytest.fixture(scope="module", autouse=True)
def report_examples(pytestconfig: pytest.Config) -> Iterator[None]:
    """Print how many examples each property test ran."""
    yield
    total = sum(RUN.values())
    lines = [f"hypothesis examples run: {total} in {len(RUN)} tests"]
    lines += [f"  {name}: {count}" for name, count in sorted(RUN.items())]
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:  # pragma: no cover - plugins disabled
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        for line in lines:
            reporter.write_line(line)


# -- strategies ----------------------------------------------------------------

#: Text that has broken parsers, encoders and templates before.
NASTY = [
    "",
    " ",
    "..",
    "../",
    "../../etc/passwd",
    "\r\n",
    "\r\nX-Injected: 1",
    "\nSet-Cookie: pwned=1",
    "\x00",
    "\t",
    "\x0b\x0c",
    "\x7f",
    "\x85",
    "\u2028\u2029",
    "\ufeff",
    "\u560d\u560a",  # low bytes are CR and LF
    "\u20ac",
    "\U0001f4a9",
    "\U0010ffff",
    "%",
    "%%",
    "%zz",
    "%0d%0a",
    "%c0%ae%c0%ae/",
    "%00",
    ";",
    ",",
    "=",
    '"',
    "\\",
    "'",
    "<script>alert(1)</script>",
    "{{ config }}",
    "{% for x in range(9) %}x{% endfor %}",
    "${7*7}",
    "__proto__",
    "__class__",
    "constructor",
    "1e999",
    "-0",
    "NaN",
    "9" * 5000,
    "a" * 70000,
    "[]",
    "{}",
    "*/*",
    "bytes=0-0",
    'W/"x"',
]

nasty = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(st.characters(codec="latin-1"), max_size=40),
)

#: Query parameter names the app reads, and others.
KEYS = ["v", "code", "to", "name", "dn", "callback", "h", "k", "m", "c", "raw", "save"]
keys = st.one_of(st.sampled_from([*KEYS, "before", "permanent", "page"]), nasty)


def _encode_value(how: str, text: str) -> bytes:
    if how == "quote":
        return quote(text, safe="").encode("ascii")
    if how == "plus":
        return quote(text, safe="+").replace("%20", "+").encode("ascii")
    if how == "utf-8":
        return text.encode("utf-8", "replace")
    return text.encode("latin-1", "replace")  # not UTF-8 once above ASCII


@st.composite
def query_strings(draw: st.DrawFn) -> bytes:
    """Raw query strings: parameters encoded in every way a client could,
    invalid UTF-8 and stray escapes included."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=120))
    parts = []
    for key, value in draw(st.lists(st.tuples(keys, nasty), max_size=6)):
        how = draw(st.sampled_from(["quote", "plus", "utf-8", "latin-1"]))
        parts.append(_encode_value(how, key) + b"=" + _encode_value(how, value))
    if draw(st.booleans()):
        parts.append(draw(st.binary(max_size=12)))
    return b"&".join(parts)


#: Every GET route of the app, by its path.
GET_PATHS = [
    "/",
    "/req",
    "/required",
    "/session",
    *(f"/send/{kind}" for kind in ["str", "bytes", "dict", "list", "int", "iter", "gen"]),
    *(f"/send/{kind}" for kind in ["none", "make", "locals", "status", "set_status"]),
    "/send/sendStatus",
    "/json-out",
    "/json-kwargs",
    "/jsonp",
    "/format",
    "/format-default",
    "/end",
    "/redirect",
    *(f"/header/{m}" for m in ["set", "set-many", "append", "type", "links", "links-rel"]),
    "/cookie",
    "/render",
    "/flash",
    *(f"/files/{form}" for form in FILE_FORMS),
    "/files/attachment/report.txt",
    "/files/send_file/sub/nested.txt",
    "/guarded/area",
]

get_paths = st.sampled_from(GET_PATHS)


def _json_values() -> st.SearchStrategy[t.Any]:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=-(10**300), max_value=10**300),
        st.floats(allow_nan=False, allow_infinity=False),
        nasty,
    )
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=5),
            st.dictionaries(st.one_of(st.sampled_from(["name", "a"]), nasty), children, max_size=5),
        ),
        max_leaves=25,
    )


@st.composite
def json_bodies(draw: st.DrawFn) -> bytes:
    """JSON documents, valid or not: deep nesting, huge numbers, non-finite
    numbers, invalid UTF-8, other encodings, truncation."""
    kind = draw(st.integers(0, 7))
    if kind == 0:
        depth = draw(st.integers(1, 5000))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        inner = "1" if opener != "[" else ""
        return (opener * depth + inner + closer * depth).encode()
    if kind == 1:
        digits = draw(st.integers(1, 12000))
        return ('{"name": ' + "9" * digits + "}").encode()
    if kind == 2:
        return draw(
            st.sampled_from(
                [b"1e999", b"-1e999", b"NaN", b"Infinity", b"[-Infinity]", b'{"name": 1e400}']
            )
        )
    if kind == 3:
        return draw(st.binary(max_size=80))
    document = json.dumps(draw(_json_values()))
    if kind == 4:
        return document.encode("utf-16")
    if kind == 5:
        data = document.encode()
        return data[: draw(st.integers(0, len(data)))]
    if kind == 6:
        return b"\xef\xbb\xbf" + document.encode()
    return document.encode()


JSON_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "application/json; charset=bogus",
    "application/vnd.api+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "",
]


#: Quality parameters of an Accept entry, well-formed or not.
QUALITIES = [
    *("", ";q=0", ";q=1", ";q=0.5", ";q=0.001", ";Q=0.9", "; q = 0.2", ";q=0.5;q=0.1"),
    *(";q=nan", ";q=inf", ";q=-1", ";q=1e999", ";q=", ";q=2", ";q=abc"),
]


@st.composite
def accept_headers(draw: st.DrawFn) -> str:
    """Accept headers: media ranges with odd qualities, parameters, junk."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=80))
    ranges = draw(
        st.lists(
            st.one_of(
                st.sampled_from(
                    [
                        "*/*",
                        "text/*",
                        "text/html",
                        "application/json",
                        "application/xml",
                        "text/plain",
                        "image/*",
                        "image/png",
                        "*/json",
                        "application/*+json",
                        "",
                        "/",
                        "*",
                        "text/html;level=1",
                        "application/json;charset=utf-8",
                    ]
                ),
                st.from_regex(r"[a-z*]{1,8}/[a-z*+.-]{1,12}", fullmatch=True),
            ),
            max_size=6,
        )
    )
    out = []
    for media in ranges:
        quality = draw(st.sampled_from(QUALITIES))
        out.append(media + quality)
    return draw(st.sampled_from([",", ", ", " ,", ";"])).join(out)


def _http_dates() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            [
                "Thu, 01 Jan 1970 00:00:00 GMT",
                "Fri, 31 Dec 9999 23:59:59 GMT",
                "Mon, 01 Jan 0000 00:00:00 GMT",
                "Sun, 06 Nov 1994 08:49:37 GMT",
                "Sunday, 06-Nov-94 08:49:37 GMT",
                "Sun Nov  6 08:49:37 1994",
                "Sun, 06 Nov 1994 08:49:37 +9999999999999999999",
                "Sun, 06 Nov 99999999999999999999 08:49:37 GMT",
                "Sun, 06 Nov 1994 99:99:99 GMT",
                "-1",
                "0",
                "",
                "garbage",
            ]
        ),
        st.text(st.characters(codec="ascii", exclude_characters="\r\n"), max_size=40),
    )


@st.composite
def range_headers(draw: st.DrawFn) -> str:
    """Range headers: many ranges, reversed, suffix, huge, negative, junk."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.text(st.characters(codec="ascii", exclude_characters="\r\n"), max_size=60))
    numbers = st.one_of(st.integers(0, 40), st.integers(0, 10**30), st.just(""))
    specs = []
    for _ in range(draw(st.integers(1, 4))):
        first, last = draw(numbers), draw(numbers)
        specs.append(draw(st.sampled_from(["{}-{}", "-{1}", "{0}-", "{}--{}", "{} - {}"])))
        specs[-1] = specs[-1].format(first, last)
    unit = draw(st.sampled_from(["bytes=", "bytes =", "BYTES=", "items=", "bytes", ""]))
    return unit + ",".join(specs)


# -- the app covers the whole API ------------------------------------------------

#: Class machinery of fx_core.Response, Flask's own names it re-implements
#: (``max_cookie_size``, read by every ``set_cookie``), and the piece API
#: (docs/pieces.md), which the pieces' terminal methods call: not methods a
#: view calls.
NOT_VIEW_API = {
    "for_request",
    "max_cookie_size",
    "request_mixin",
    "app",
    "check_open",
    "set_body",
    "apply_etag",
    "finish",
    "locals_copy",
    # WSGI plumbing Werkzeug calls, overridden to hand servers a plain str status.
    "get_wsgi_response",
}


def _own_names(cls: type) -> set[str]:
    """The public names Flask-Express (not Flask or Werkzeug) defines on ``cls``."""
    return {
        name
        for klass in cls.__mro__
        if klass.__module__.startswith(("fx_", "flask_express"))
        for name in vars(klass)
        if not name.startswith("_")
    }


@pytest.mark.parametrize("cls", [flask_express.Response, flask_express.Request])
def test_the_app_uses_every_name_of_response_and_request(cls: type) -> None:
    """A new method or view must reach the fuzzed app too."""
    source = inspect.getsource(hostile.app)
    unused = {
        name
        for name in _own_names(cls) - NOT_VIEW_API
        if not re.search(rf"\.{re.escape(name)}\b", source)
    }
    assert unused == set()
    assert len(_own_names(cls)) >= 20


# -- query strings, paths and headers: raw bytes -------------------------------


@FUZZ
@given(path=get_paths, query=query_strings())
@example(path="/req", query=b"a=%ff%fe&b=\xff\xfe\x80&%=%&=&&")
@example(path="/files/download", query=b"name=..%2f..%2fcanary.txt&dn=%0d%0aX-Injected:%201")
@example(path="/header/set", query=b"v=%e2%82%ac")
@example(path="/header/links", query=b"v=%01")
def test_any_query_string(harness: Harness, path: str, query: bytes) -> None:
    harness.start("query_string")
    answer = harness.wsgi(path=path.encode(), query=query)
    if answer.body == REJECTED:
        assert answer.status == 400


@FUZZ
@given(
    prefix=st.sampled_from(
        ["/req/", "/files/attachment/", "/files/send_file/", "/files/download/"]
    ),
    rest=st.one_of(st.binary(max_size=60), nasty.map(lambda text: text.encode("utf-8"))),
)
@example(prefix="/files/attachment/", rest=b"\xc0\xae\xc0\xae/canary.txt")
@example(prefix="/files/download/", rest=b"../\xff../canary.txt")
def test_any_path(harness: Harness, prefix: str, rest: bytes) -> None:
    harness.start("path")
    answer = harness.wsgi(path=prefix.encode() + rest)
    if prefix.startswith("/files/"):
        assert answer.status == 404 or answer.body in INSIDE_BODIES, answer.status


HEADER_NAMES = [
    "Accept",
    "Accept-Language",
    "Accept-Encoding",
    "Cache-Control",
    "Content-Type",
    "Cookie",
    "Host",
    "If-Match",
    "If-Modified-Since",
    "If-None-Match",
    "If-Range",
    "If-Unmodified-Since",
    "Origin",
    "Range",
    "Referer",
    "Referrer",
    "Transfer-Encoding",
    "User-Agent",
    "X-Forwarded-For",
    "X-Forwarded-Host",
    "X-Forwarded-Proto",
    "X-Requested-With",
    "X-Token",
]

#: Header values a server can pass on: any byte but CR, LF and NUL.
header_values = st.one_of(
    st.binary(max_size=60).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
    nasty.map(lambda text: text.encode("utf-8", "replace")),
).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"").replace(b"\0", b""))


@FUZZ
@given(
    path=get_paths,
    headers=st.lists(
        st.tuples(
            st.one_of(st.sampled_from(HEADER_NAMES), st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,20}")),
            header_values,
        ),
        max_size=8,
    ),
    query=query_strings(),
)
@example(path="/req", headers=[("Host", b"\xff\xfe:99999")], query=b"h=Host")
@example(path="/req", headers=[("Host", b"[::1")], query=b"")
@example(
    path="/req", headers=[("If-Modified-Since", b"Sun, 06 Nov 99999999999 08:49:37 GMT")], query=b""
)
def test_any_headers(
    harness: Harness, path: str, headers: list[tuple[str, bytes]], query: bytes
) -> None:
    harness.start("headers")
    harness.wsgi(path=path.encode(), query=query, headers=headers)


# -- bodies --------------------------------------------------------------------


@FUZZ
@given(
    path=st.sampled_from(["/req", "/required", "/json", "/json-out", "/send/str"]),
    method=st.sampled_from(["POST", "PUT", "PATCH", "DELETE"]),
    content_type=st.one_of(
        st.sampled_from(
            [
                "application/x-www-form-urlencoded",
                "application/x-www-form-urlencoded; charset=latin-1",
                "multipart/form-data; boundary=XyZ",
                "multipart/form-data",
                "multipart/form-data; boundary=",
                'multipart/form-data; boundary="a b"',
                "text/plain",
            ]
        ),
        st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=40),
    ),
    body=st.one_of(
        query_strings(),
        st.binary(max_size=200),
        st.lists(st.tuples(keys, st.binary(max_size=40)), max_size=4).map(
            lambda parts: (
                b"".join(
                    b'--XyZ\r\nContent-Disposition: form-data; name="'
                    + key.encode("utf-8", "replace")
                    + b'"\r\n\r\n'
                    + value
                    + b"\r\n"
                    for key, value in parts
                )
                + b"--XyZ--\r\n"
            )
        ),
    ),
)
@example(
    path="/required",
    method="POST",
    content_type="application/x-www-form-urlencoded",
    body=b"name=\xff\xfe&page=1",
)
def test_any_form_body(
    harness: Harness, path: str, method: str, content_type: str, body: bytes
) -> None:
    harness.start("form_body")
    headers = [("Content-Type", content_type.encode("latin-1"))]
    harness.wsgi(method, path.encode(), b"page=1", headers, body)


@FUZZ
@given(
    fields=st.dictionaries(keys, nasty, max_size=4),
    files=st.lists(
        st.tuples(keys, nasty, st.binary(max_size=100)),
        max_size=3,
    ),
)
def test_any_multipart_upload(
    harness: Harness, fields: dict[str, str], files: list[tuple[str, str, bytes]]
) -> None:
    harness.start("multipart")
    data: dict[str, t.Any] = dict(fields)
    for key, filename, content in files:
        data[key] = (io.BytesIO(content), filename)
    rv = harness.client().post("/req", data=data, content_type="multipart/form-data")
    harness.check(client_answer(rv), _sent(repr(fields) + repr(files), {}))


@FUZZ
@given(
    path=st.sampled_from(["/json", "/req", "/json-out", "/required"]),
    body=json_bodies(),
    content_type=st.sampled_from(JSON_TYPES),
)
@example(path="/json", body=b"[" * 100_000, content_type="application/json")
@example(path="/json", body=b'{"name": ' + b"9" * 5000 + b"}", content_type="application/json")
@example(path="/json", body=b'"\xff\xfe"', content_type="application/json")
def test_any_json_body(harness: Harness, path: str, body: bytes, content_type: str) -> None:
    harness.start("json_body")
    headers = [("Content-Type", content_type.encode())] if content_type else []
    answer = harness.wsgi("POST", path.encode(), b"", headers, body)
    if path == "/json" and answer.status == 200:
        echoed = json.loads(answer.body)
        # req.json takes an object or an array; any other value is a 400.
        assert echoed["type"] in {"JSONMunch", "JSONList"}


# -- cookies -------------------------------------------------------------------


def _signed(harness: Harness, value: str) -> dict[str, str]:
    """The raw Set-Cookie values the app sends for ``/cookie?v=value``."""
    rv = harness.client().get("/cookie", query_string={"v": value})
    cookies = {}
    for header in rv.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        cookies[name] = rest.split(";", 1)[0]
    return cookies


@st.composite
def cookie_headers(draw: st.DrawFn) -> bytes:
    """Cookie headers: junk, odd quoting and escapes, many or huge cookies."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.binary(max_size=200)).replace(b"\r", b"").replace(b"\n", b"")
    if kind == 1:
        size = draw(st.integers(4000, 66000))
        return b"big=" + b"x" * size + b"; session=" + b"y" * (size // 2)
    pairs = []
    for name, value in draw(st.lists(st.tuples(keys, nasty), max_size=8)):
        raw = draw(
            st.sampled_from(
                [
                    value.encode("utf-8", "replace"),
                    b'"' + value.encode("utf-8", "replace") + b'"',
                    b'"\\377\\000\\' + value.encode("latin-1", "replace") + b'"',
                ]
            )
        )
        pairs.append(name.encode("utf-8", "replace") + b"=" + raw)
    return b"; ".join(pairs).replace(b"\r", b"").replace(b"\n", b"")


@FUZZ
@given(path=st.sampled_from(["/req", "/required", "/session", "/flash"]), cookie=cookie_headers())
@example(path="/req", cookie=b'signed="\\377\\376.sig"; user="\\200"')
@example(path="/session", cookie=b"session=" + b"." * 4000)
def test_any_cookie_header(harness: Harness, path: str, cookie: bytes) -> None:
    harness.start("cookie_header")
    harness.wsgi(path=path.encode(), headers=[("Cookie", cookie)])


@st.composite
def tampered(draw: st.DrawFn, raw: str) -> str:
    """``raw`` with one edit: a character changed, inserted or removed, the
    signature cut or swapped, or the payload replaced."""
    edit = draw(st.integers(0, 5))
    if not raw or edit == 0:
        return draw(nasty)
    at = draw(st.integers(0, len(raw) - 1))
    if edit == 1:
        char = draw(st.characters(codec="latin-1", exclude_characters="\r\n\0"))
        return raw[:at] + char + raw[at + 1 :]
    if edit == 2:
        return raw[:at] + draw(st.text(max_size=3)) + raw[at:]
    if edit == 3:
        return raw[:at] + raw[at + 1 :]
    payload, dot, signature = raw.rpartition(".")
    if edit == 4:
        return f"{draw(nasty)}{dot}{signature}"
    return f"{payload}{dot}{signature[::-1]}"


@FUZZ
@given(data=st.data(), value=nasty)
@example(data=None, value="ada")
def test_tampered_signed_and_session_cookies_never_verify(
    harness: Harness, data: st.DataObject | None, value: str
) -> None:
    harness.start("tampered_cookies")
    value = value[:512]
    real = _signed(harness, value)
    client = harness.client()
    if data is None:  # the untampered cookies verify
        for name in ("signed", "user", "session"):
            if name in real:
                client.set_cookie(name, unquote(real[name]))
        answer = client_answer(client.get("/req"))
        assert json.loads(answer.body)["signed_cookies"]["signed"] == value
        return
    # Both signed cookies carry a value the app signed; the tampered copies
    # are sent under either name, before or after a good one.
    genuine = {value, value[:64]}
    forged = {
        name: data.draw(tampered(unquote(real.get(name, ""))), label=name)
        for name in ("signed", "user", "session")
    }
    swap = data.draw(st.booleans(), label="swap names")
    parts = []
    for name, raw in forged.items():
        target = {"signed": "user", "user": "signed"}.get(name, name) if swap else name
        parts.append(f"{target}={raw}")
    cookie = "; ".join(parts).encode("utf-8", "replace")
    answer = harness.wsgi(path=b"/req", headers=[("Cookie", cookie)])
    assert answer.status == 200
    verified = json.loads(answer.body)["signed_cookies"]
    # Only a value this app signed, under the name it was signed for, may
    # verify (a tampered base64 padding bit can still decode to the same
    # signature, but never to another value).
    for name, got in verified.items():
        assert name in ("signed", "user"), verified
        assert got in genuine, verified
    session = json.loads(answer.body)["session"]
    assert session == {} or "visits" not in session, session


# -- Range and conditional requests ---------------------------------------------

FILE_URLS = {
    "/files/send_file/report.txt": REPORT,
    "/files/attachment/sub/nested.txt": NESTED,
    "/files/download/report.txt": REPORT,
    "/files/sendFile/link-in": REPORT,
}


@FUZZ
@given(
    url=st.sampled_from(sorted(FILE_URLS)),
    range_=st.one_of(st.none(), range_headers()),
    if_none_match=st.one_of(
        st.none(),
        st.sampled_from(["{etag}", "W/{etag}", "*", '"x", {etag}', "W/", '"', "{etag}{etag}"]),
        st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=40),
    ),
    if_range=st.one_of(st.none(), st.sampled_from(["{etag}", "W/{etag}"]), _http_dates()),
    dates=st.lists(
        st.tuples(
            st.sampled_from(["If-Modified-Since", "If-Unmodified-Since", "If-Match"]),
            _http_dates(),
        ),
        max_size=2,
    ),
    cache_control=st.sampled_from([None, "no-cache", "max-age=0", "no-cache, no-store", ","]),
)
@example(
    url="/files/send_file/report.txt",
    range_="bytes=0-0,-1,5-2,99999999999999999999999-",
    if_none_match=None,
    if_range=None,
    dates=[],
    cache_control=None,
)
def test_any_range_and_conditional_headers(
    harness: Harness,
    url: str,
    range_: str | None,
    if_none_match: str | None,
    if_range: str | None,
    dates: list[tuple[str, str]],
    cache_control: str | None,
) -> None:
    harness.start("range_conditional")
    content = FILE_URLS[url]
    etag = harness.client().get(url).headers["ETag"]
    headers: dict[str, str] = {}
    for name, value in [
        ("Range", range_),
        ("If-None-Match", if_none_match),
        ("If-Range", if_range),
        ("Cache-Control", cache_control),
        *dates,
    ]:
        if value is not None:
            headers[name] = value.replace("{etag}", etag)
    answer = harness.get(url, headers=headers)
    assert answer.status in (200, 206, 304, 412, 416), answer.status
    if answer.status == 200:
        assert answer.body == content
    elif answer.status == 206:
        found = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", answer.header("Content-Range") or "")
        assert found is not None, answer.headers
        first, last, size = map(int, found.groups())
        assert size == len(content)
        assert answer.body == content[first : last + 1]
    else:
        assert answer.body in (b"", content) or b"<title>" in answer.body


@FUZZ
@given(
    path=st.sampled_from(["/send/str", "/json-out", "/jsonp", "/render", "/send/status"]),
    if_none_match=st.one_of(
        st.sampled_from(["{etag}", "W/{etag}", "*", "{etag}, W/{etag}", 'W/"', '""', "W/W/"]),
        st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=40),
    ),
    since=st.one_of(st.none(), _http_dates()),
    method=st.sampled_from(["GET", "HEAD", "POST"]),
    code=st.sampled_from(["", "200", "204", "302", "404"]),
)
def test_etags_of_generated_answers(
    harness: Harness, path: str, if_none_match: str, since: str | None, method: str, code: str
) -> None:
    harness.start("etag")
    query = {"v": "x", "code": code}
    etag = harness.client().get(path, query_string=query).headers.get("ETag", '"none"')
    headers = {"If-None-Match": if_none_match.replace("{etag}", etag)}
    if since is not None:
        headers["If-Modified-Since"] = since
    rv = harness.client().open(path, method=method, query_string=query, headers=headers)
    answer = harness.check(client_answer(rv), _sent(if_none_match + (since or ""), {}))
    if answer.status == 304:
        assert method in ("GET", "HEAD") and answer.body == b""


# -- content negotiation -------------------------------------------------------


@FUZZ
@given(accept=accept_headers(), path=st.sampled_from(["/format", "/format-default", "/req"]))
@example(accept="text/html;q=nan, application/json;q=inf", path="/format")
@example(accept="*/*;q=1e999, text/plain;q=-1", path="/req")
def test_any_accept_header(harness: Harness, accept: str, path: str) -> None:
    harness.start("accept")
    answer = harness.wsgi(path=path.encode(), headers=[("Accept", accept.encode("latin-1"))])
    if path == "/format":
        assert answer.status in (200, 406), answer.status
        assert "accept" in (answer.header("Vary") or "").lower()
        if answer.status == 200:
            offered = {"text/html", "application/json", "text/plain"}
            mimetype = (answer.header("Content-Type") or "").split(";")[0]
            assert mimetype in offered, answer.headers
    elif path == "/format-default":
        assert answer.status in (200, 406), answer.status
    else:
        accepts = json.loads(answer.body)
        assert accepts["accepts_one"] in (None, "html", "json", "text/plain", "image/*")


# -- file names and download names ---------------------------------------------

file_names = st.one_of(
    st.sampled_from(
        [
            "report.txt",
            "sub/nested.txt",
            "café.txt",
            "link-in",
            "link-out",
            "chained",
            "dir-out/canary.txt",
            "prefix-out/canary.txt",
            "../canary.txt",
            "sub/../../canary.txt",
            "/etc/passwd",
        ]
    ),
    st.lists(
        st.one_of(
            st.sampled_from(["..", ".", "", "sub", "report.txt", "canary.txt", "files2", "\\"]),
            nasty,
        ),
        min_size=1,
        max_size=6,
    ).map("/".join),
)


@FUZZ
@given(form=st.sampled_from(FILE_FORMS), name=file_names, via_query=st.booleans())
@example(form="attachment", name="sub/../report.txt", via_query=True)
@example(form="download", name="../app/canary.txt", via_query=False)
def test_any_file_name(harness: Harness, form: str, name: str, via_query: bool) -> None:
    harness.start("file_name")
    if via_query:
        answer = harness.get(f"/files/{form}?name={quote(name, safe='')}")
    else:
        answer = harness.get(f"/files/{form}/{quote(name, safe='/')}")
    assert answer.status in (200, 404), (answer.status, name)
    if answer.status == 200:
        assert answer.body in INSIDE_BODIES, name


@FUZZ
@given(form=st.sampled_from(FILE_FORMS), download_name=nasty, save=st.booleans())
@example(form="download", download_name="evil\r\nSet-Cookie: pwned=1.txt", save=False)
@example(form="attachment", download_name="a\"; filename*=UTF-8''x.exe", save=False)
def test_any_download_name(harness: Harness, form: str, download_name: str, save: bool) -> None:
    harness.start("download_name")
    query = {"name": "report.txt", "dn": download_name, "save": "1" if save else ""}
    rv = harness.client().get(f"/files/{form}", query_string=query)
    answer = harness.check(client_answer(rv), _sent(download_name, {}))
    assert answer.status == 200 and answer.body == REPORT
    assert answer.header_list("Set-Cookie") == []
    (disposition,) = answer.header_list("Content-Disposition")
    kind, params = parse_options_header(disposition)
    inline = form == "sendFile" or (form == "send_file" and not save)
    assert kind == ("inline" if inline else "attachment")
    # One parameter list that an RFC 6266 parser reads back as the name
    # given (filename* wins over filename): nothing injected a parameter.
    assert set(params) == {"filename"}, disposition
    assert params["filename"] == download_name, disposition


# -- every method of Response, with client values ------------------------------

HEADER_ROUTES = ["set", "set-many", "append", "type", "links", "links-rel"]


def _header_can_hold(value: str) -> bool:
    return header_problem("X", value) is None


def _refused(method: str, name: str, value: str) -> bool:
    """Whether ``/header/<method>`` must refuse the client's name and value."""
    if method in ("set", "set-many", "append"):
        return header_problem(name, value) is not None
    if method == "type":
        return "/" in value and not _header_can_hold(value)
    if method == "links":
        return any(c in value for c in "<>") or not _header_can_hold(value)
    rel = value or "next"
    return any(c in rel for c in '"\\') or not _header_can_hold(rel)


@FUZZ
@given(method=st.sampled_from(HEADER_ROUTES), value=nasty, name=st.one_of(st.none(), nasty))
@example(method="set", value="\u20ac", name=None)
@example(method="links", value="\x01", name=None)
@example(method="append", value="ok", name="X-Bad\r\nName")
def test_header_methods_refuse_or_keep_the_value(
    harness: Harness, method: str, value: str, name: str | None
) -> None:
    harness.start("header_methods")
    query = {"v": value} if name is None else {"v": value, "name": name}
    rv = harness.client().get(f"/header/{method}", query_string=query)
    answer = harness.check(client_answer(rv), _sent(value + (name or ""), {}))
    refused = _refused(method, name or "X-Echo", value)
    assert answer.status == (400 if refused else 200), (answer.status, answer.body)
    if refused:
        assert answer.body == REJECTED
    elif method in ("set", "append", "set-many") and name is None:
        assert value in answer.header_list("X-Echo")


def _sendable_location(location: str) -> bool:
    """What a Location may be (docs/choices.md): no control character, tab
    included, and a URL Werkzeug can convert when it writes the header."""
    if re.search(r"[\x00-\x1f\x7f]", location):
        return False
    try:
        iri_to_uri(location)
    except ValueError:
        return False
    return True


@FUZZ
@given(to=nasty, code=st.sampled_from(["", "301", "302", "303", "307", "308", "999"]))
@example(to="/ok\r\nSet-Cookie: pwned=1", code="")
@example(to="//evil.example/\u560d\u560a", code="301")
def test_redirect_to_any_location(harness: Harness, to: str, code: str) -> None:
    harness.start("redirect")
    query = {"to": to, "code": code, "before": "1" if code == "999" else ""}
    rv = harness.client().get("/redirect", query_string=query)
    answer = harness.check(client_answer(rv), _sent(to, {}))
    if not _sendable_location(to or "/"):
        assert answer.status == 400 and answer.body == REJECTED
    else:
        assert 300 <= answer.status < 400
        assert len(answer.header_list("Location")) == 1
        assert escape(to or "/").encode() in answer.body or not to


@FUZZ
@given(to=nasty)
@example(to="//evil.example/")
@example(to="/\t/evil.example")
@example(to=" /\\evil.example")
@example(to="/ok?x=1")
def test_safe_redirect_never_leaves_the_site(harness: Harness, to: str) -> None:
    harness.start("safe_redirect")
    rv = harness.client().get("/safe-redirect", query_string={"to": to})
    answer = harness.check(client_answer(rv), _sent(to, {}))
    assert answer.status == 302
    (location,) = answer.header_list("Location")
    # One leading slash and a path: never a scheme, a host or "//".
    assert location.startswith("/") and location[1:2] not in ("/", "\\")
    if location != "/req":
        assert location.isascii()


@FUZZ
@given(value=nasty, name=st.one_of(st.none(), nasty))
@example(value="1; Domain=evil.example; HttpOnly", name=None)
@example(value="x", name="a\r\nb")
def test_cookie_values_are_encoded(harness: Harness, value: str, name: str | None) -> None:
    harness.start("cookie_values")
    query = {"v": value} if name is None else {"v": value, "name": name}
    rv = harness.client().get("/cookie", query_string=query)
    answer = harness.check(client_answer(rv), _sent(value + (name or ""), {}))
    token = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
    name = None if name is None else name[:64]  # as the app cuts it
    refused = name is not None and not token.fullmatch(name)
    assert answer.status == (400 if refused else 200), answer.status
    attributes = {"path", "httponly", "samesite", "max-age", "expires", "domain", "secure"}
    for header in answer.header_list("Set-Cookie"):
        for attribute in header.split("; ")[1:]:
            assert attribute.split("=", 1)[0].lower() in attributes, header
    names = [h.split("=", 1)[0] for h in answer.header_list("Set-Cookie")]
    expected = ["plain", "signed", "user", "old", "older"]
    if name is not None and not refused:
        expected.append(name)
    assert names == expected


@FUZZ
@given(value=nasty, raw=st.booleans())
@example(value="<script>alert(1)</script>", raw=False)
@example(value="{{ config }}", raw=True)
def test_render_escapes_any_value(harness: Harness, value: str, raw: bool) -> None:
    harness.start("render")
    rv = harness.client().get("/render", query_string={"v": value, "raw": "1" if raw else ""})
    answer = harness.check(client_answer(rv), _sent(value, {}))
    assert answer.status == 200
    shown = str(markupsafe.escape(value))
    page = f"<p>{shown}|{shown}</p>" if raw else f"<p>{shown}|{shown}|{shown}</p>"
    assert answer.body == page.encode()


@FUZZ
@given(
    kind=st.sampled_from(
        [
            *("str", "bytes", "dict", "list", "int", "iter", "gen", "none", "make"),
            *("locals", "status", "set_status", "sendStatus", "status_call"),
        ]
    ),
    value=nasty,
    code=st.one_of(st.sampled_from(["", "99", "1000", "599", "204", "304", "418"]), nasty),
    method=st.sampled_from(["GET", "HEAD", "POST"]),
)
def test_send_any_value(harness: Harness, kind: str, value: str, code: str, method: str) -> None:
    harness.start("send")
    rv = harness.client().open(
        f"/send/{kind}", method=method, query_string={"v": value, "code": code}
    )
    answer = harness.check(client_answer(rv), _sent(value + code, {}))
    assert answer.status < 500


@FUZZ
@given(callback=nasty, value=nasty)
@example(callback="alert(document.cookie)//", value="\u2028")
@example(callback="<script>", value="")
def test_jsonp_cleans_any_callback(harness: Harness, callback: str, value: str) -> None:
    harness.start("jsonp")
    rv = harness.client().get("/jsonp", query_string={"callback": callback, "v": value})
    answer = harness.check(client_answer(rv), _sent(callback + value, {}))
    assert answer.status == 200
    if answer.body.startswith(b"/**/"):
        found = re.match(rb"/\*\*/ typeof ([\[\]\w$.]+) === 'function' && \1\(", answer.body)
        assert found is not None, answer.body[:200]
        assert answer.header("Content-Type") == "text/javascript; charset=utf-8"
        assert answer.header("X-Content-Type-Options") == "nosniff"
        assert "\u2028".encode() not in answer.body and "\u2029".encode() not in answer.body
    else:
        assert answer.header("Content-Type") == "application/json"


@FUZZ
@given(message=nasty, category=nasty, permanent=st.booleans(), note=nasty)
def test_flash_and_session_round_trip_any_value(
    harness: Harness, message: str, category: str, permanent: bool, note: str
) -> None:
    harness.start("flash_session")
    client = harness.client()
    sent = _sent(message + category + note, {})
    first = client.get("/flash", query_string={"m": message, "c": category})
    assert harness.check(client_answer(first), sent).status == 302
    query = {"v": note, "k": category, "permanent": "1" if permanent else ""}
    stored = harness.check(client_answer(client.get("/session", query_string=query)), sent)
    assert stored.status == 200
    assert json.loads(stored.body)["note"] == note[:512]
    shown = harness.check(client_answer(client.get("/req")), sent)
    body = json.loads(shown.body)
    assert body["flashes"] == [[category[:64] or "info", message[:512]]]
    assert body["session"]["note"] == note[:512]


@FUZZ
@given(
    code=st.one_of(st.sampled_from(["", "204", "304", "400", "404", "418", "499"]), nasty),
    token=st.one_of(st.just(b"let-me-in"), header_values),
)
def test_end_and_middleware(harness: Harness, code: str, token: bytes) -> None:
    harness.start("end_middleware")
    answer = harness.get(f"/end?code={quote(code)}")
    assert answer.status in (200, 204, 304, 400, 404, 418, 499)
    guarded = harness.wsgi(path=b"/guarded/area", headers=[("X-Token", token)])
    assert guarded.status == (200 if token == b"let-me-in" else 401)
