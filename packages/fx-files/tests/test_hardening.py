"""What an adversarial review found in fx-files, one regression test (or
more) per finding: a re-pointed folder, files left open when ``res`` is
discarded, sniffable file responses and bidi characters in download names,
a weak ``If-Range``, and a ``mimetype`` that fails only when written.
"""

from __future__ import annotations

import contextlib
import gc
import os
import typing as t
from pathlib import Path
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient

from fx_core import FlaskExpress, Request

from .conftest import DATA, REPORT

FORMS = ["attachment", "send_file", "download"]


def send(res: t.Any, form: str, name: str = "report.txt") -> t.Any:
    """Send ``name`` with ``form``: the confined forms and the trusted ones."""
    if form == "attachment":
        return res.attachment(name)
    if form == "send_file":
        return res.send_file(name, root="files")
    if form == "send_file_trusted":
        return res.send_file(f"files/{name}")
    if form == "download_trusted":
        return res.download(f"files/{name}")
    return res.download(name, root="files")


# -- a re-pointed folder is followed ----------------------------------------------


@pytest.mark.parametrize("setting", ["config", "root"])
def test_a_folder_symlink_switched_between_two_requests_is_followed(
    app: FlaskExpress, client: FlaskClient, root: Path, setting: str
) -> None:
    # A release layout: current -> releases/v1, switched atomically to v2.
    for version in ("v1", "v2"):
        (root / "releases" / version).mkdir(parents=True)
        (root / "releases" / version / "notes.txt").write_bytes(version.encode())
    only_v1 = root / "releases" / "v1" / "only-in-v1.txt"
    only_v1.write_bytes(b"v1 only")
    os.symlink(root / "releases" / "v1", root / "current", target_is_directory=True)
    app.config["ATTACHMENTS_FOLDER"] = "current"

    @app.get("/<path:name>")
    def view(req: Request, res: t.Any, name: str) -> t.Any:
        if setting == "config":
            return res.attachment(name)
        return res.send_file(name, root="current")

    assert client.get("/notes.txt").data == b"v1"
    assert client.get("/only-in-v1.txt").data == b"v1 only"
    os.symlink(root / "releases" / "v2", root / "next", target_is_directory=True)
    os.replace(root / "next", root / "current")
    assert client.get("/notes.txt").data == b"v2"
    assert client.get("/only-in-v1.txt").status_code == 404
    # And back: nothing about the first resolution was kept.
    os.symlink(root / "releases" / "v1", root / "next", target_is_directory=True)
    os.replace(root / "next", root / "current")
    assert client.get("/notes.txt").data == b"v1"


# -- files are closed on every path -------------------------------------------------


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@contextlib.contextmanager
def no_fd_left_open() -> t.Iterator[None]:
    """Fail if the block leaves descriptors open. The collector is off
    inside: a file still open after its request is one the request left to
    garbage collection."""
    gc.collect()
    before = open_fds()
    gc.disable()
    try:
        yield
        assert open_fds() - before <= 2
    finally:
        gc.enable()
    gc.collect()


SENDS: dict[str, t.Callable[[t.Any], t.Any]] = {
    "attachment": lambda res: res.attachment("data.bin"),
    "send_file": lambda res: res.send_file("attachments/data.bin"),
    "send_file_root": lambda res: res.send_file("data.bin", root="files"),
    "download": lambda res: res.download("attachments/data.bin"),
    "download_root": lambda res: res.download("data.bin", root="files"),
}


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts fds in /proc")
@pytest.mark.filterwarnings("error::ResourceWarning")
@pytest.mark.parametrize("propagate", [True, False])
@pytest.mark.parametrize("where", ["view", "middleware", "after_request"])
@pytest.mark.parametrize("how", list(SENDS))
def test_a_file_is_closed_when_res_is_discarded_by_an_exception(
    app: FlaskExpress, client: FlaskClient, how: str, where: str, propagate: bool
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = propagate

    if where == "middleware":

        @app.use
        def fail_after_next(req: Request, res: t.Any, next: t.Callable[[], None]) -> None:
            next()
            raise ValueError("after next()")

    if where == "after_request":

        @app.after_request
        def fail_after(response: t.Any) -> t.Any:
            raise ValueError("in after_request")

    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        SENDS[how](res)
        if where == "view":
            raise ValueError("after the file was opened")
        return res

    with no_fd_left_open():
        for _ in range(200):
            if propagate:
                with pytest.raises(ValueError):
                    client.get("/")
            else:
                assert client.get("/").status_code == 500


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts fds in /proc")
@pytest.mark.filterwarnings("error::ResourceWarning")
@pytest.mark.parametrize("how", list(SENDS))
def test_a_file_is_closed_when_the_view_answers_something_else(
    app: FlaskExpress, client: FlaskClient, how: str
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        SENDS[how](res)
        return "something else"

    with no_fd_left_open():
        for _ in range(200):
            assert client.get("/").data == b"something else"


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts fds in /proc")
@pytest.mark.filterwarnings("error::ResourceWarning")
@pytest.mark.parametrize("how", list(SENDS))
def test_a_sent_file_streams_whole_and_is_closed_after(
    app: FlaskExpress, client: FlaskClient, how: str
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        return SENDS[how](res)

    with no_fd_left_open():
        for _ in range(200):
            assert client.get("/").data == DATA
        # Streamed: the request context is gone before the body is read,
        # and the file must still be open until the body is done.
        with client.get("/", buffered=False) as rv:
            chunks = iter(rv.response)
            first = next(chunks)
            assert b"".join([first, *chunks]) == DATA
        with client.get("/", headers={"Range": "bytes=100-"}, buffered=False) as rv:
            assert rv.status_code == 206
            assert rv.get_data() == DATA[100:]


# -- file responses are not sniffed, and bidi characters leave download names -------


def test_a_client_chosen_html_download_name_does_not_make_a_text_file_html(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/<form>")
    def view(req: Request, res: t.Any, form: str) -> t.Any:
        name = req.query.get("dn")
        if form == "send_file":
            return res.send_file("report.txt", root="files", download_name=name)
        if form == "trusted":
            return res.send_file("files/report.txt", download_name=name)
        if form == "download":
            return res.download("report.txt", name, root="files")
        return res.attachment("report.txt", name)

    for form in ("send_file", "trusted", "download", "attachment"):
        rv = client.get(f"/{form}?dn=x.html")
        assert rv.data == REPORT
        assert rv.headers["Content-Type"] == "text/plain; charset=utf-8", form
        assert rv.headers["X-Content-Type-Options"] == "nosniff", form
        assert "filename=x.html" in rv.headers["Content-Disposition"], form


@pytest.mark.parametrize("form", [*FORMS, "send_file_trusted", "download_trusted", "file_object"])
def test_every_file_response_says_nosniff(
    app: FlaskExpress, client: FlaskClient, form: str
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        if form == "file_object":
            import io

            return res.send_file(io.BytesIO(DATA), mimetype="application/octet-stream")
        return send(res, form, "data.bin")

    first = client.get("/")
    assert first.status_code == 200
    assert first.headers.getlist("X-Content-Type-Options") == ["nosniff"]
    partial = client.get("/", headers={"Range": "bytes=0-9"})
    assert partial.status_code == 206
    assert partial.headers.getlist("X-Content-Type-Options") == ["nosniff"]
    if form != "file_object":
        again = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        assert again.headers.getlist("X-Content-Type-Options") == ["nosniff"]


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("invoice\u202etxt.exe", "invoicetxt.exe"),
        ("\u2066report\u2069.pdf", "report.pdf"),
        ("é\u202e.txt", "é.txt"),
        ("line\n\u202ebreak.txt", "line\nbreak.txt"),
        (BIDI + "all.txt", "all.txt"),
    ],
)
def test_bidi_controls_are_removed_from_download_names(
    app: FlaskExpress, client: FlaskClient, form: str, name: str, kept: str
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        dn = req.query["dn"]
        if form == "attachment":
            return res.attachment("report.txt", dn)
        if form == "download":
            return res.download("report.txt", dn, root="files")
        return res.send_file("report.txt", root="files", download_name=dn)

    rv = client.get("/", query_string={"dn": name})
    assert rv.status_code == 200
    (disposition,) = rv.headers.getlist("Content-Disposition")
    assert not any(c in disposition for c in BIDI)
    star = [part for part in disposition.split("; ") if part.startswith("filename*=")]
    if star:
        assert unquote(star[0].removeprefix("filename*=UTF-8''")) == kept
    else:
        assert disposition.endswith(f"filename={kept}")
    for c in BIDI:
        assert c not in unquote(disposition)


# -- a weak If-Range never matches ---------------------------------------------------


@pytest.mark.parametrize("form", [*FORMS, "send_file_trusted", "download_trusted"])
def test_a_weak_if_range_sends_the_whole_file(
    app: FlaskExpress, client: FlaskClient, form: str
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        return send(res, form, "data.bin")

    etag = client.get("/").headers["ETag"]
    assert not etag.startswith("W/")
    strong = client.get("/", headers={"Range": "bytes=0-9", "If-Range": etag})
    assert strong.status_code == 206
    assert strong.data == DATA[:10]
    for weak in (f"W/{etag}", f" W/{etag}"):
        rv = client.get("/", headers={"Range": "bytes=0-9", "If-Range": weak})
        assert rv.status_code == 200, weak
        assert rv.data == DATA
        assert "Content-Range" not in rv.headers


# -- a bad mimetype fails at the call -------------------------------------------------


@pytest.mark.parametrize("form", [*FORMS, "send_file_trusted", "download_trusted"])
@pytest.mark.parametrize(
    "mimetype", ["text/plain\r\nX-Injected: 1", "text/\x00plain", "text/plain; x=\u20ac", "a\x7f"]
)
def test_a_mimetype_no_header_can_hold_is_a_value_error_at_the_call(
    app: FlaskExpress, client: FlaskClient, form: str, mimetype: str
) -> None:
    errors: list[str] = []

    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        res.set("X-Before", "1")
        try:
            if form == "attachment":
                res.attachment("report.txt", mimetype=mimetype)
            elif form == "send_file":
                res.send_file("report.txt", root="files", mimetype=mimetype)
            elif form == "send_file_trusted":
                res.send_file("files/report.txt", mimetype=mimetype)
            elif form == "download_trusted":
                res.download("files/report.txt", mimetype=mimetype)
            else:
                res.download("report.txt", root="files", mimetype=mimetype)
        except ValueError as e:
            errors.append(str(e))
        assert res.finished_by is None
        return res.send("fallback")

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b"fallback"
    assert rv.headers["X-Before"] == "1"
    assert "X-Injected" not in rv.headers
    assert len(errors) == 1
    assert "mimetype" in errors[0]
    assert repr(mimetype) in errors[0]


@pytest.mark.filterwarnings("error::ResourceWarning")
@pytest.mark.parametrize("how", list(SENDS))
def test_a_body_wrapped_by_an_after_request_on_the_same_response_still_streams(
    app: FlaskExpress, client: FlaskClient, how: str
) -> None:
    # As Flask-Compress does for streamed responses: the answer is res, its
    # body a generator over the file; the file must not be closed under it.
    @app.after_request
    def wrap(response: t.Any) -> t.Any:
        inner = response.response

        def chunks() -> t.Iterator[bytes]:
            try:
                yield from inner
            finally:
                inner.close()

        response.response = chunks()
        response.direct_passthrough = False
        return response

    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        return SENDS[how](res)

    with client.get("/", buffered=False) as rv:
        assert rv.get_data() == DATA
