"""A path traversal corpus against every confined file method (docs/security.md).

``attachment`` and the ``root=`` forms of ``send_file`` (alias ``sendFile``)
and ``download`` take a name the client chose. Each payload below goes into a
route variable and into a query parameter, through Flask's test client and
through gunicorn on 127.0.0.1, where a raw socket sends the request target
byte for byte (an HTTP client library would resolve ``..`` or re-encode
``%2e``). Every one must answer 404, and no answer may hold a byte of the
canary files outside the served folders (or of ``/etc/passwd``).

packages/fx-files/tests/test_confinement.py checks the same rules through
the test client with one app per test; this corpus is larger, runs against
the full ``flask_express`` app and, above all, through a real server.
"""

from __future__ import annotations

import os
import sys
import typing as t
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

_IMPORT_ROOT = str(Path(__file__).resolve().parent)
if _IMPORT_ROOT not in sys.path:
    sys.path.insert(0, _IMPORT_ROOT)

from hostile import rawhttp, server  # noqa: E402
from hostile.app import (  # noqa: E402
    CANARY,
    FILE_FORMS,
    NESTED,
    REACHED_HEADER,
    REPORT,
    create_app,
    make_tree,
)
from hostile.checks import ClosingClient, check_body, check_headers, client_answer  # noqa: E402

HOST = "127.0.0.1"

#: Payloads as raw URL text, sent byte for byte: the server decodes them
#: once, as for any request, so ``%2e%2e`` arrives as ``..`` and ``%252e`` as
#: the literal ``%2e``. Only printable ASCII: a server refuses raw control
#: or 8-bit bytes in a request target. ``{canary}`` is the percent-encoded
#: absolute path of the canary file, ``{base}`` of the folder that holds it.
PAYLOADS: list[str] = [
    # plain dot-dot segments
    "../canary.txt",
    "../../canary.txt",
    "../../../../../../../../../../../../etc/passwd",
    "./../canary.txt",
    "sub/../../canary.txt",
    "sub/./../../canary.txt",
    "sub/../sub/../../canary.txt",
    "sub/../../../canary.txt",
    "../files2/canary.txt",
    "../attachments2/canary.txt",
    "../app/canary.txt",
    "....//canary.txt",
    ".../canary.txt",
    "..;/canary.txt",
    "~/canary.txt",
    # percent-encoded: the server decodes them into the name
    "..%2fcanary.txt",
    "..%2F..%2Fcanary.txt",
    "%2e%2e/canary.txt",
    "%2E%2E%2Fcanary.txt",
    "%2e%2e%2f%2e%2e%2fcanary.txt",
    ".%2e/canary.txt",
    "%2e./canary.txt",
    "sub%2f..%2f..%2fcanary.txt",
    "..%2ffiles2%2fcanary.txt",
    "%2e%2e%2f" * 12 + "etc%2fpasswd",
    # double and triple encoded: arrive as literal escapes, names that do not exist
    "%252e%252e%252fcanary.txt",
    "..%252fcanary.txt",
    "%252e%252e/canary.txt",
    "..%255c..%255ccanary.txt",
    "%25252e%25252e%25252fcanary.txt",
    "%%32%65%%32%65/canary.txt",
    "%u002e%u002e/canary.txt",
    # overlong UTF-8 and Unicode look-alikes of '.', '/' and '\'
    "%c0%ae%c0%ae/canary.txt",
    "%c0%ae%c0%ae%c0%afcanary.txt",
    "..%c0%afcanary.txt",
    "..%c1%9ccanary.txt",
    "%e0%80%ae%e0%80%ae/canary.txt",
    "..%e0%80%afcanary.txt",
    "%f0%80%80%ae%f0%80%80%ae/canary.txt",
    "%ef%bc%8e%ef%bc%8e/canary.txt",
    "..%ef%bc%8fcanary.txt",
    "..%e2%88%95canary.txt",
    "..%ef%bc%bccanary.txt",
    "%e2%80%a5/canary.txt",
    # backslashes, raw and encoded, and UNC paths
    "..%5ccanary.txt",
    "..%5c..%5ccanary.txt",
    "sub%5c..%5c..%5ccanary.txt",
    "%2e%2e%5ccanary.txt",
    "..\\canary.txt",
    "sub\\..\\..\\canary.txt",
    "%5c%5c127.0.0.1%5cshare%5ccanary.txt",
    # absolute paths
    "%2fetc%2fpasswd",
    "%2f%2fetc%2fpasswd",
    "{canary}",
    "{base}",
    "%2fproc%2fself%2fenviron",
    "%2fproc%2fself%2fcwd%2fcanary.txt",
    "%2f..%2fcanary.txt",
    "file:%2f%2f%2fetc%2fpasswd",
    # drive letters
    "C:%5cWindows%5cwin.ini",
    "C:/Windows/win.ini",
    "c:..%2fcanary.txt",
    "C:canary.txt",
    "%5c%5c%3f%5cC:%5ccanary.txt",
    # NUL and other control bytes
    "report.txt%00.pdf",
    "report.txt%00",
    "%00../canary.txt",
    "..%00/canary.txt",
    "..%0a/canary.txt",
    "..%0d%0a/canary.txt",
    "%09../canary.txt",
    # very long names
    "a" * 5000,
    "n" * 300 + ".txt",
    "sub/" * 2000 + "nested.txt",
    "..%2f" * 1500 + "canary.txt",
    "%2e" * 3000,
    # symlinks inside the folder that lead outside it
    "link-out",
    "chained",
    "dir-out/canary.txt",
    "dir-out/app/canary.txt",
    "dir-out/app/files/../canary.txt",
    "prefix-out/canary.txt",
    # the folder itself, directories, missing names
    ".",
    "./",
    "sub",
    "sub/",
    "%2e",
    "missing.txt",
]

#: The file methods that confine a client-chosen name.
FORMS = list(FILE_FORMS)
#: Where the name goes: ``/files/<form>/<name>`` or ``/files/<form>?name=<name>``.
PLACES = ["route", "query"]


def target(form: str, place: str, payload: str, base: Path) -> str:
    """The request target, as raw URL text, for ``payload``."""
    name = payload.replace("{canary}", quote(str(base / "canary.txt"), safe="")).replace(
        "{base}", quote(str(base), safe="")
    )
    if place == "route":
        return f"/files/{form}/{name}"
    return f"/files/{form}?name={name}"


def reaches_the_view(place: str, payload: str) -> bool:
    """Whether Werkzeug's routing hands ``payload`` to the view. In a route
    variable, a name that decodes to a leading ``/`` or holds a newline
    does not match ``<path:name>``: routing answers that 404 itself."""
    if place == "query":
        return True
    lowered = payload.lower()
    return not (lowered.startswith(("%2f", "{")) or "%0a" in lowered)


def refused(status: int, body: bytes, base: Path) -> str | None:
    """Why an answer to a traversal payload is wrong, or ``None``."""
    if status != 404:
        return f"status {status}"
    if CANARY in body or b"root:" in body:
        return "a file outside the folder was served"
    try:
        check_body(body, private=[os.fsencode(str(base))])
    except AssertionError as e:
        return str(e)
    return None


def test_the_corpus_is_large_and_has_no_duplicates() -> None:
    assert len(PAYLOADS) >= 60
    assert len(set(PAYLOADS)) == len(PAYLOADS)


# -- through the test client ----------------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("traversal")
    make_tree(base)
    return base


@pytest.fixture(scope="module")
def client(base: Path) -> ClosingClient:
    app = create_app(base / "app")
    app.test_client_class = ClosingClient
    return t.cast(ClosingClient, app.test_client())


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("form", FORMS)
def test_every_payload_is_a_404_through_the_test_client(
    client: ClosingClient, base: Path, form: str, place: str
) -> None:
    wrong = {}
    reached = []
    for payload in PAYLOADS:
        rv = client.get(target(form, place, payload, base))
        answer = client_answer(rv)
        check_headers(answer.headers)
        reason = refused(answer.status, answer.body, base)
        if reason is not None:
            wrong[payload[:80]] = reason
        if answer.header(REACHED_HEADER) == form:
            reached.append(payload)
    assert wrong == {}
    # The 404s come from the method itself, not from routing.
    assert reached == [payload for payload in PAYLOADS if reaches_the_view(place, payload)]


@pytest.mark.parametrize("form", FORMS)
def test_the_same_routes_serve_names_inside_the_folder(client: ClosingClient, form: str) -> None:
    assert client.get(f"/files/{form}/report.txt").data == REPORT
    assert client.get(f"/files/{form}?name=sub/nested.txt").data == NESTED
    assert client.get(f"/files/{form}?name=sub/../report.txt").data == REPORT
    assert client.get(f"/files/{form}/link-in").data == REPORT
    assert client.get(f"/files/{form}/caf%C3%A9.txt").data == REPORT


# -- through gunicorn, with raw request targets -----------------------------------


@pytest.fixture(scope="module")
def port(
    base: Path,
    serve: t.Callable[..., t.Any],
    free_port_number: int,
    gunicorn: t.Callable[..., list[str]],
) -> Iterator[int]:
    """gunicorn serving the hostile app on 127.0.0.1, for this module."""
    serve(
        server.command(gunicorn, free_port_number),
        f"http://{HOST}:{free_port_number}/",
        env=server.environment(base / "app"),
    )
    yield free_port_number


@pytest.mark.server
@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("form", FORMS)
def test_every_payload_is_a_404_through_gunicorn(
    port: int, base: Path, form: str, place: str
) -> None:
    wrong = {}
    reached = []
    for payload in PAYLOADS:
        raw = rawhttp.request(port, target(form, place, payload, base).encode("ascii"))
        problems = rawhttp.head_problems(raw.head)
        reason = "; ".join(problems) or refused(raw.status, raw.body, base)
        if reason:
            wrong[payload[:80]] = reason
        if raw.header(REACHED_HEADER.encode()) == form.encode():
            reached.append(payload)
    assert wrong == {}
    assert reached == [payload for payload in PAYLOADS if reaches_the_view(place, payload)]


@pytest.mark.server
@pytest.mark.parametrize("form", FORMS)
def test_gunicorn_serves_names_inside_the_folder(port: int, form: str) -> None:
    for name, body in [("report.txt", REPORT), ("sub/nested.txt", NESTED), ("link-in", REPORT)]:
        for raw_target in (f"/files/{form}/{name}", f"/files/{form}?name={name}"):
            raw = rawhttp.request(port, raw_target.encode())
            assert (raw.status, raw.body) == (200, body), raw_target


@pytest.mark.server
def test_gunicorn_passes_dot_segments_through_unchanged(port: int) -> None:
    """The raw client is what makes the server tests count: ``..`` reaches
    the app as the client sent it (the view ran and refused it), where an
    HTTP client library would have resolved it to another URL first."""
    raw = rawhttp.request(port, b"/files/attachment/sub/../../canary.txt")
    assert raw.status == 404
    assert raw.header(REACHED_HEADER.encode()) == b"attachment"
