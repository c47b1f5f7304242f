"""Header injection: CR, LF and their look-alikes never split a header (docs/security.md).

``set``, ``append``, ``links`` and ``redirect`` refuse a value a header
cannot hold with ``ValueError`` at the call, and leave ``res`` unchanged;
cookie values and ``download_name`` are encoded instead. Each payload is
tried at the call, on a :class:`flask_express.Response`, and through
gunicorn on 127.0.0.1, where the raw bytes of the response head are read
back: every line must be one well-formed header, and no header the payload
tried to add (``X-Injected``, ``Set-Cookie: pwned``) may appear.
"""

from __future__ import annotations

import re
import sys
import typing as t
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from werkzeug.http import parse_options_header

from flask_express import FlaskExpress, Response

_IMPORT_ROOT = str(Path(__file__).resolve().parent)
if _IMPORT_ROOT not in sys.path:
    sys.path.insert(0, _IMPORT_ROOT)

from hostile import rawhttp, server  # noqa: E402
from hostile.app import FILE_FORMS, REJECTED, REPORT, create_app, make_tree  # noqa: E402
from hostile.checks import check_headers, header_problem  # noqa: E402

HOST = "127.0.0.1"

#: Values that try to end a header early, fold it, or smuggle a line break
#: past a check: CR and LF in every combination, obs-fold, NUL and other
#: controls, Unicode line separators, characters whose low byte is CR or LF
#: (a server that truncates to 8 bits would write a real CRLF), and look-
#: alikes that must stay plain text (encoded or escaped CRLF, a tab, Latin-1).
PAYLOADS: list[str] = [
    "\r\nX-Injected: 1",
    "\nX-Injected: 1",
    "\rX-Injected: 1",
    "ok\r\nSet-Cookie: pwned=1",
    "\r\n\r\n<html>injected body</html>",
    "\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    ";\r\nX-Injected: 1",
    "\r\n X-Folded: 1",
    "\n\tX-Folded: 1",
    "\r",
    "\n",
    "\x00X-Injected: 1",
    "\x0bX-Injected: 1",
    "\x0cX-Injected: 1",
    "\x1bX-Injected: 1",
    "\x1fX-Injected: 1",
    "\x7fX-Injected: 1",
    "\u2028X-Injected: 1",
    "\u2029X-Injected: 1",
    "\u560d\u560aX-Injected: 1",
    "\u010d\u010aX-Injected: 1",
    "\u20ac",
    "\ufeffX-Injected: 1",
    # plain text that only looks like a line break: kept or encoded as is
    "%0d%0aX-Injected: 1",
    "%0D%0ASet-Cookie: pwned=1",
    "\\r\\nX-Injected: 1",
    "&#13;&#10;X-Injected: 1",
    "a\tb",
    "\x85X-Injected: 1",
    "caf\u00e9",
    " padded ",
]

#: The header names a payload tries to add.
SMUGGLED = {b"x-injected", b"x-folded", b"pwned"}


def holds_in_a_header(value: str) -> bool:
    return header_problem("X-Test", value) is None


def holds_in_a_location(value: str) -> bool:
    """A Location may hold no control character at all, tab included: a
    browser drops tab, CR and LF from a URL. Anything else is percent-encoded
    by Werkzeug when the header is written (docs/choices.md)."""
    return re.search(r"[\x00-\x1f\x7f]", value) is None


# -- at the call ---------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FlaskExpress:
    return create_app(make_tree(tmp_path_factory.mktemp("injection")))


@pytest.fixture
def res(app: FlaskExpress) -> Iterator[Response]:
    """A fresh builder inside a request context, closed afterwards."""
    with app.test_request_context("/"):
        res = t.cast(Response, app.response_class).for_request()
        yield res
        res.close()


def test_the_corpus_is_large_and_has_no_duplicates() -> None:
    assert len(PAYLOADS) >= 30
    assert len(set(PAYLOADS)) == len(PAYLOADS)


#: The header methods, each given one payload.
HEADER_CALLS: dict[str, Callable[[Response, str], object]] = {
    "set": lambda res, v: res.set("X-Test", v),
    "set-list": lambda res, v: res.set("X-Test", ["ok", v]),
    "set-mapping": lambda res, v: res.set({"X-Ok": "1", "X-Test": v}),
    "set-name": lambda res, v: res.set(f"X-Test{v}", "1"),
    "append": lambda res, v: res.append("X-Test", v),
    "append-name": lambda res, v: res.append(f"X-Test{v}", "1"),
    "links-url": lambda res, v: res.links({"next": f"/p/2{v}"}),
    "links-rel": lambda res, v: res.links({f"next{v}": "/p/2"}),
    "type": lambda res, v: res.type(f"text/plain{v}"),
}


def header_call_refuses(call: str, value: str) -> bool:
    if call.endswith("-name"):
        return header_problem(f"X-Test{value}", "1") is not None
    if call == "links-url":
        return not holds_in_a_header(value) or any(c in value for c in "<>")
    if call == "links-rel":
        return not holds_in_a_header(value) or any(c in value for c in '"\\')
    return not holds_in_a_header(value)


@pytest.mark.parametrize("call", list(HEADER_CALLS))
@pytest.mark.parametrize("payload", PAYLOADS, ids=ascii)
def test_header_methods_refuse_at_the_call_or_keep_the_value(
    res: Response, call: str, payload: str
) -> None:
    res.set("X-Before", "kept")
    before = list(res.headers.items())
    if header_call_refuses(call, payload):
        with pytest.raises(ValueError):
            HEADER_CALLS[call](res, payload)
        assert list(res.headers.items()) == before
    else:
        HEADER_CALLS[call](res, payload)
        check_headers(res.get_wsgi_headers(res_environ()).items())
        if call in ("set", "append"):
            assert res.headers.getlist("X-Test")[-1] == payload


def res_environ() -> dict[str, t.Any]:
    from flask import request

    return request.environ


@pytest.mark.parametrize("payload", PAYLOADS, ids=ascii)
def test_redirect_refuses_controls_and_encodes_the_rest(res: Response, payload: str) -> None:
    location = f"/next{payload}"
    if not holds_in_a_location(payload):
        with pytest.raises(ValueError):
            res.redirect(location)
        assert res.finished_by is None
        assert "Location" not in res.headers
        return
    res.redirect(location)
    headers = res.get_wsgi_headers(res_environ())
    check_headers(headers.items())
    assert len(headers.getlist("Location")) == 1


@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("payload", PAYLOADS, ids=ascii)
def test_cookie_values_are_encoded_into_one_header(
    app: FlaskExpress, res: Response, payload: str, signed: bool
) -> None:
    res.cookie("c", payload, signed=signed)
    (header,) = res.headers.getlist("Set-Cookie")
    check_headers([("Set-Cookie", header)])
    attributes = [part.split("=")[0] for part in header.split("; ")[1:]]
    assert attributes == ["Path"], header
    # Sent back as a browser would, the value reads as it was set.
    with app.test_request_context("/", headers={"Cookie": header.split("; ")[0]}):
        from flask import request

        read = t.cast(t.Any, request)
        got = read.signed_cookies.get("c") if signed else read.cookies.get("c")
    assert got == payload


@pytest.mark.parametrize("form", FILE_FORMS)
@pytest.mark.parametrize("payload", PAYLOADS, ids=ascii)
def test_download_names_are_encoded_into_one_header(res: Response, form: str, payload: str) -> None:
    name = f"report{payload}.txt"
    if form == "attachment":
        res.attachment("report.txt", name)
    elif form == "download":
        res.download("report.txt", name, root="files")
    else:
        getattr(res, form)("report.txt", root="files", download_name=name)
    headers = res.get_wsgi_headers(res_environ())
    check_headers(headers.items())
    (disposition,) = headers.getlist("Content-Disposition")
    assert headers.getlist("Set-Cookie") == []
    _, params = parse_options_header(disposition)
    assert params == {"filename": name}, disposition


# -- through gunicorn: the raw response head -----------------------------------


@pytest.fixture(scope="module")
def port(
    tmp_path_factory: pytest.TempPathFactory,
    serve: t.Callable[..., t.Any],
    free_port_number: int,
    gunicorn: t.Callable[..., list[str]],
) -> int:
    """gunicorn serving the hostile app on 127.0.0.1, for this module."""
    root = make_tree(tmp_path_factory.mktemp("injection-server"))
    serve(
        server.command(gunicorn, free_port_number),
        f"http://{HOST}:{free_port_number}/",
        env=server.environment(root),
    )
    return free_port_number


#: Routes of the hostile app that put the ``v`` (or ``name``) parameter into
#: a header, and whether the app must answer ``rejected`` for a value.
SERVER_ROUTES: dict[str, tuple[str, Callable[[str], bool]]] = {
    "set": ("/header/set?v={}", lambda v: not holds_in_a_header(v)),
    "set-name": (
        "/header/set?name={}&v=1",
        lambda v: header_problem(v or "X-Echo", "1") is not None,
    ),
    "append": ("/header/append?v={}", lambda v: not holds_in_a_header(v)),
    "links": (
        "/header/links?v={}",
        lambda v: not holds_in_a_header(v) or any(c in v for c in "<>"),
    ),
    "links-rel": (
        "/header/links-rel?v={}",
        lambda v: not holds_in_a_header(v) or any(c in v for c in '"\\'),
    ),
    "redirect": ("/redirect?to=/next{}", lambda v: not holds_in_a_location(v)),
    "cookie": ("/cookie?v={}", lambda v: False),
    **{
        f"download_name-{form}": (f"/files/{form}?name=report.txt&dn={{}}", lambda v: False)
        for form in FILE_FORMS
    },
}


@pytest.mark.server
@pytest.mark.parametrize("route", list(SERVER_ROUTES))
def test_no_payload_splits_a_header_from_gunicorn(port: int, route: str) -> None:
    template, rejects = SERVER_ROUTES[route]
    wrong = {}
    for payload in PAYLOADS:
        raw_target = template.format(quote(payload, safe=""))
        raw = rawhttp.request(port, raw_target.encode("ascii"))
        problems = rawhttp.head_problems(raw.head)
        smuggled = SMUGGLED & {name for name, _ in raw.headers}
        smuggled |= {b"pwned"} & {value.split(b"=")[0] for value in raw.header_list(b"set-cookie")}
        expected = 400 if rejects(payload) else None
        if problems or smuggled:
            wrong[ascii(payload)] = f"{problems} {smuggled}"
        elif expected == 400 and (raw.status, raw.body) != (400, REJECTED):
            wrong[ascii(payload)] = f"not rejected: {raw.status} {raw.body[:80]!r}"
        elif expected is None and not (200 <= raw.status < 400):
            wrong[ascii(payload)] = f"status {raw.status}: {raw.body[:200]!r}"
        elif route.startswith("download_name") and raw.body != REPORT:
            wrong[ascii(payload)] = "the file was not sent"
    assert wrong == {}
