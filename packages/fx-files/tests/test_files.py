"""``res.attachment``, ``res.send_file`` and ``res.download`` (docs/packages/fx-files.md).

Every test makes a real request through Flask's test client to a real view
and compares the body with the file's bytes. The ``client`` fixture reads and
closes each body, as a server does; a file left open would raise a
``ResourceWarning``, which the root config turns into an error.
"""

from __future__ import annotations

import io
import os
import typing as t
from pathlib import Path
from urllib.parse import unquote

import flask
import pytest
from flask.testing import FlaskClient
from werkzeug.exceptions import NotFound, RequestedRangeNotSatisfiable

from fx_core import FlaskExpress, Request, ResponseAlreadySent, compose
from fx_core import Response as CoreResponse
from fx_files import FilesMixin
from fx_files import files as files_module

from .conftest import DATA, NESTED, REPORT

Sender = t.Callable[[t.Any, str], t.Any]

#: Each way of sending ``name`` from the served folders. The trusted forms
#: name the file by a path from ``app.root_path``; the others by its name
#: inside ``attachments/`` (ATTACHMENTS_FOLDER) or ``files/`` (``root=``).
SENDERS: dict[str, Sender] = {
    "send_file": lambda res, name: res.send_file(f"attachments/{name}"),
    "sendFile": lambda res, name: res.sendFile(f"attachments/{name}"),
    "send_file_root": lambda res, name: res.send_file(name, root="files"),
    "attachment": lambda res, name: res.attachment(name),
    "download": lambda res, name: res.download(f"attachments/{name}"),
    "download_root": lambda res, name: res.download(name, root="files"),
}

#: The terminal method's name each sender uses, as errors report it.
METHOD = {
    "send_file": "send_file",
    "sendFile": "send_file",
    "send_file_root": "send_file",
    "attachment": "attachment",
    "download": "download",
    "download_root": "download",
}

DISPOSITION = {
    "send_file": "inline",
    "sendFile": "inline",
    "send_file_root": "inline",
    "attachment": "attachment",
    "download": "attachment",
    "download_root": "attachment",
}

ALL = pytest.mark.parametrize("sender", list(SENDERS))


def serve(app: FlaskExpress, sender: str, name: str = "report.txt") -> None:
    """Route ``/`` to a view that sends ``name`` with ``sender``."""

    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        return SENDERS[sender](res, name)


# -- composition ------------------------------------------------------------


def test_files_mixin_is_a_response_mixin_that_adds_methods_only() -> None:
    assert issubclass(FilesMixin, CoreResponse)
    assert "__init__" not in FilesMixin.__dict__
    assert FilesMixin.sendFile is FilesMixin.send_file
    composed = compose(FilesMixin)
    assert composed.__mro__.index(FilesMixin) < composed.__mro__.index(CoreResponse)


# -- happy paths --------------------------------------------------------------


@ALL
def test_each_method_sends_the_file_bytes(
    app: FlaskExpress, client: FlaskClient, sender: str
) -> None:
    serve(app, sender)

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == REPORT
    assert rv.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert rv.headers["Content-Length"] == str(len(REPORT))
    assert rv.headers["Content-Disposition"] == f"{DISPOSITION[sender]}; filename=report.txt"
    assert rv.headers["Accept-Ranges"] == "bytes"


@ALL
def test_binary_file_is_sent_byte_for_byte(
    app: FlaskExpress, client: FlaskClient, sender: str
) -> None:
    serve(app, sender, "data.bin")

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == DATA
    assert rv.headers["Content-Type"] == "application/octet-stream"


def test_send_file_takes_an_absolute_path(
    app: FlaskExpress, client: FlaskClient, root: Path
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        return res.send_file(str(root / "attachments" / "sub" / "nested.txt"))

    rv = client.get("/")
    assert rv.data == NESTED
    assert rv.headers["Content-Disposition"] == "inline; filename=nested.txt"


def test_relative_paths_resolve_from_root_path_not_the_working_directory(
    app: FlaskExpress,
    client: FlaskClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decoy = tmp_path / "cwd"
    (decoy / "attachments").mkdir(parents=True)
    (decoy / "attachments" / "report.txt").write_bytes(b"decoy in the working directory")
    (decoy / "files").mkdir()
    (decoy / "files" / "report.txt").write_bytes(b"decoy in the working directory")
    monkeypatch.chdir(decoy)

    @app.get("/<how>")
    def view(req: Request, res: t.Any, how: str) -> t.Any:
        if how == "send_file":
            return res.send_file("attachments/report.txt")
        if how == "download":
            return res.download("attachments/report.txt")
        if how == "send_file_root":
            return res.send_file("report.txt", root="files")
        return res.download("report.txt", root="files")

    for how in ("send_file", "download", "send_file_root", "download_root"):
        assert client.get(f"/{how}").data == REPORT, how


def test_send_file_sends_a_file_object(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        return res.send_file(io.BytesIO(b"made in memory"), mimetype="text/csv")

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b"made in memory"
    assert rv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "Content-Disposition" not in rv.headers


def test_send_file_as_attachment_with_a_download_name(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        return res.send_file("attachments/report.txt", as_attachment=True, download_name="q3.txt")

    rv = client.get("/")
    assert rv.data == REPORT
    assert rv.headers["Content-Disposition"] == "attachment; filename=q3.txt"


@pytest.mark.parametrize("sender", ["attachment", "download", "download_root"])
def test_download_name_sets_the_saved_name(
    app: FlaskExpress, client: FlaskClient, sender: str
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        if sender == "attachment":
            return res.attachment("report.txt", "saved.txt")
        if sender == "download":
            return res.download("attachments/report.txt", "saved.txt")
        return res.download("report.txt", "saved.txt", root="files")

    rv = client.get("/")
    assert rv.data == REPORT
    assert rv.headers["Content-Disposition"] == "attachment; filename=saved.txt"


def test_attachment_sends_a_nested_name_from_a_route_variable(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/att/<path:name>")
    def view(req: Request, res: t.Any, name: str) -> t.Any:
        return res.attachment(name)

    rv = client.get("/att/sub/nested.txt")
    assert rv.status_code == 200
    assert rv.data == NESTED
    assert rv.headers["Content-Disposition"] == "attachment; filename=nested.txt"


def test_attachment_of_a_non_ascii_file_name(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/att/<path:name>")
    def view(req: Request, res: t.Any, name: str) -> t.Any:
        return res.attachment(name)

    rv = client.get("/att/caf%C3%A9.txt")
    assert rv.data == REPORT
    assert (
        rv.headers["Content-Disposition"]
        == "attachment; filename=cafe.txt; filename*=UTF-8''caf%C3%A9.txt"
    )


def test_a_symlink_that_stays_inside_the_folder_is_served(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/<how>")
    def view(req: Request, res: t.Any, how: str) -> t.Any:
        if how == "attachment":
            return res.attachment("link-in")
        return res.send_file("link-in", root="files", mimetype="text/plain")

    for how in ("attachment", "send_file"):
        rv = client.get(f"/{how}")
        assert rv.status_code == 200, how
        assert rv.data == REPORT, how
        # The name the client asked for, not the link target's.
        assert "filename=link-in" in rv.headers["Content-Disposition"], how


def test_head_sends_the_headers_without_the_body(app: FlaskExpress, client: FlaskClient) -> None:
    serve(app, "attachment")

    rv = client.head("/")
    assert rv.status_code == 200
    assert rv.data == b""
    assert rv.headers["Content-Length"] == str(len(REPORT))


# -- what the view set before survives ----------------------------------------


@ALL
def test_headers_cookies_and_status_set_before_survive(
    app: FlaskExpress, client: FlaskClient, sender: str
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        res.set("X-Trace", "abc").append("Vary", "Cookie").send_status(203)
        res.set_cookie("sid", "s3cr3t", httponly=True)
        return SENDERS[sender](res, "report.txt")

    rv = client.get("/")
    assert rv.status_code == 203
    assert rv.data == REPORT
    assert rv.headers["X-Trace"] == "abc"
    assert rv.headers["Vary"] == "Cookie"
    assert rv.headers.getlist("Set-Cookie") == ["sid=s3cr3t; HttpOnly; Path=/"]
    assert rv.headers["Content-Disposition"] == f"{DISPOSITION[sender]}; filename=report.txt"


@ALL
def test_content_type_and_cache_control_set_before_win(
    app: FlaskExpress, client: FlaskClient, sender: str
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        res.type("md").set("Cache-Control", "private, max-age=5")
        res.set("Expires", "0")
        return SENDERS[sender](res, "report.txt")

    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600
    rv = client.get("/")
    assert rv.data == REPORT
    assert rv.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert rv.headers.getlist("Cache-Control") == ["private, max-age=5"]
    assert rv.headers.getlist("Expires") == ["0"]


def test_explicit_mimetype_and_max_age_win_over_headers_set_before(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        res.type("md").set("Cache-Control", "no-store")
        return res.send_file("attachments/report.txt", mimetype="text/csv", max_age=60)

    rv = client.get("/")
    assert rv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert rv.headers.getlist("Cache-Control") == ["public, max-age=60"]
    assert "Expires" in rv.headers


def test_send_file_max_age_default_applies_when_the_view_set_no_cache_control(
    app: FlaskExpress, client: FlaskClient
) -> None:
    serve(app, "attachment")
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 120

    rv = client.get("/")
    assert rv.headers["Cache-Control"] == "public, max-age=120"


def test_without_max_age_the_file_is_revalidated(app: FlaskExpress, client: FlaskClient) -> None:
    serve(app, "send_file")

    assert client.get("/").headers["Cache-Control"] == "no-cache"


@ALL
def test_headers_describing_the_bytes_come_from_the_file(
    app: FlaskExpress, client: FlaskClient, sender: str
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        res.set(
            {
                "Content-Length": "999",
                "Content-Disposition": "inline; filename=wrong.txt",
                "ETag": '"stale"',
                "Last-Modified": "Thu, 01 Jan 1970 00:00:00 GMT",
                "Content-Range": "bytes 0-1/2",
                "Accept-Ranges": "none",
            }
        )
        return SENDERS[sender](res, "report.txt")

    rv = client.get("/")
    assert rv.data == REPORT
    assert rv.headers.getlist("Content-Length") == [str(len(REPORT))]
    assert rv.headers.getlist("Content-Disposition") == [
        f"{DISPOSITION[sender]}; filename=report.txt"
    ]
    assert rv.headers.getlist("ETag") != ['"stale"']
    assert len(rv.headers.getlist("ETag")) == 1
    assert rv.headers.getlist("Last-Modified") != ["Thu, 01 Jan 1970 00:00:00 GMT"]
    assert "Content-Range" not in rv.headers
    assert rv.headers.getlist("Accept-Ranges") == ["bytes"]


def test_an_etag_set_before_is_dropped_when_the_file_has_none(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        res.set("ETag", '"stale"')
        return res.send_file("attachments/report.txt", etag=False)

    rv = client.get("/")
    assert rv.data == REPORT
    assert "ETag" not in rv.headers


# -- streaming ----------------------------------------------------------------


@ALL
def test_the_body_streams_from_the_file(
    app: FlaskExpress, client: FlaskClient, sender: str
) -> None:
    seen: list[tuple[bool, bool]] = []

    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        SENDERS[sender](res, "data.bin")
        # Nothing was read yet: the body is the file, not a list of bytes.
        seen.append((res.is_streamed, res.direct_passthrough))
        return res

    with client.get("/", buffered=False) as rv:
        chunks = list(rv.response)
    assert seen == [(True, True)]
    assert len(chunks) > 1
    assert max(len(chunk) for chunk in chunks) <= 64 * 1024
    assert b"".join(chunks) == DATA


def test_a_file_object_is_closed_with_the_response(app: FlaskExpress, client: FlaskClient) -> None:
    files: list[io.BytesIO] = []

    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        files.append(io.BytesIO(DATA))
        return res.send_file(files[-1], mimetype="application/octet-stream")

    with client.get("/", buffered=False) as rv:
        assert not files[0].closed
        assert rv.get_data() == DATA
    assert files[0].closed

    with client.get("/", headers={"Range": "bytes=0-9"}, buffered=False) as rv:
        assert rv.status_code == 206
        assert rv.get_data() == DATA[:10]
    assert files[1].closed


# -- Range, conditional requests, ETag ------------------------------------------


@ALL
@pytest.mark.parametrize(
    ("range_", "start", "stop"),
    [
        ("bytes=10-19", 10, 20),
        ("bytes=-100", len(DATA) - 100, len(DATA)),
        ("bytes=1000-", 1000, len(DATA)),
    ],
)
def test_range_request_answers_206_with_the_right_bytes(
    app: FlaskExpress, client: FlaskClient, sender: str, range_: str, start: int, stop: int
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        res.send_status(201).set("X-Keep", "1")
        return SENDERS[sender](res, "data.bin")

    rv = client.get("/", headers={"Range": range_})
    assert rv.status_code == 206
    assert rv.data == DATA[start:stop]
    assert rv.headers["Content-Range"] == f"bytes {start}-{stop - 1}/{len(DATA)}"
    assert rv.headers["Content-Length"] == str(stop - start)
    assert rv.headers["X-Keep"] == "1"


@pytest.mark.parametrize("range_", ["bytes=999999-", "bytes=abc", "bytes=5-1"])
def test_unsatisfiable_range_answers_416(
    app: FlaskExpress, client: FlaskClient, range_: str
) -> None:
    serve(app, "attachment", "data.bin")

    rv = client.get("/", headers={"Range": range_})
    assert rv.status_code == 416
    assert rv.headers["Content-Range"] == f"bytes */{len(DATA)}"
    assert DATA[:64] not in rv.data


@ALL
def test_etag_is_sent_and_if_none_match_answers_304(
    app: FlaskExpress, client: FlaskClient, sender: str
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        res.send_status(201).set("X-Keep", "1")
        return SENDERS[sender](res, "report.txt")

    first = client.get("/")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert client.get("/").headers["ETag"] == etag

    rv = client.get("/", headers={"If-None-Match": etag})
    assert rv.status_code == 304
    assert rv.data == b""
    assert rv.headers["ETag"] == etag
    assert rv.headers["X-Keep"] == "1"

    assert client.get("/", headers={"If-None-Match": '"other"'}).status_code == 201


def test_if_modified_since_answers_304(app: FlaskExpress, client: FlaskClient) -> None:
    serve(app, "download")

    last_modified = client.get("/").headers["Last-Modified"]
    rv = client.get("/", headers={"If-Modified-Since": last_modified})
    assert rv.status_code == 304
    assert rv.data == b""


def test_etag_may_be_given_or_turned_off(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/<how>")
    def view(req: Request, res: t.Any, how: str) -> t.Any:
        if how == "off":
            return res.send_file("attachments/report.txt", etag=False)
        return res.attachment("report.txt", etag="v42")

    assert "ETag" not in client.get("/off").headers
    assert client.get("/given").headers["ETag"] == '"v42"'
    assert client.get("/given", headers={"If-None-Match": '"v42"'}).status_code == 304


def test_conditional_false_ignores_range(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        return res.download("attachments/data.bin", conditional=False)

    rv = client.get("/", headers={"Range": "bytes=0-9"})
    assert rv.status_code == 200
    assert rv.data == DATA


# -- download names -------------------------------------------------------------


def named_view(app: FlaskExpress) -> None:
    """``/<sender>?dn=...`` sends report.txt under the client-chosen name ``dn``."""

    @app.get("/<sender>")
    def view(req: Request, res: t.Any, sender: str) -> t.Any:
        name = req.query.get("dn")
        if sender == "attachment":
            return res.attachment("report.txt", name)
        if sender == "download":
            return res.download("attachments/report.txt", name)
        return res.send_file("report.txt", download_name=name, root="files")


@pytest.mark.parametrize("sender", ["attachment", "download", "send_file"])
def test_non_ascii_download_name_uses_rfc_6266_filename_star(
    app: FlaskExpress, client: FlaskClient, sender: str
) -> None:
    named_view(app)

    rv = client.get(f"/{sender}", query_string={"dn": "résumé €.txt"})
    assert rv.data == REPORT
    kind = "inline" if sender == "send_file" else "attachment"
    assert rv.headers["Content-Disposition"] == (
        f"{kind}; filename=\"resume .txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E2%82%AC.txt"
    )


@pytest.mark.parametrize("sender", ["attachment", "download", "send_file"])
@pytest.mark.parametrize(
    ("name", "plain"),
    [
        ("evil\r\nSet-Cookie: pwned=1.txt", '"evilSet-Cookie: pwned=1.txt"'),
        ("line\nbreak.txt", "linebreak.txt"),
        ("cr\ronly.txt", "cronly.txt"),
        ("\r\n", '""'),
        ("nul\x00byte.txt", "nulbyte.txt"),
        ("tab\tand\x7fdel.txt", "tabanddel.txt"),
        ("\x85next-line.txt", "next-line.txt"),
        ("é\r\n€.txt", "e.txt"),
    ],
)
def test_control_characters_in_a_download_name_are_encoded_not_split(
    app: FlaskExpress, client: FlaskClient, sender: str, name: str, plain: str
) -> None:
    named_view(app)

    rv = client.get(f"/{sender}", query_string={"dn": name})
    assert rv.status_code == 200
    assert rv.data == REPORT
    assert "Set-Cookie" not in rv.headers
    for key, value in rv.headers.items():
        assert not any(c in key + value for c in "\r\n\x00"), (key, value)
    (disposition,) = rv.headers.getlist("Content-Disposition")
    kind, plain_part, star_part = disposition.split("; ")
    assert kind == ("inline" if sender == "send_file" else "attachment")
    assert plain_part == f"filename={plain}"
    assert star_part.startswith("filename*=UTF-8''")
    assert unquote(star_part.removeprefix("filename*=UTF-8''")) == name


def test_a_download_name_that_is_not_a_str_is_a_type_error(
    app: FlaskExpress, client: FlaskClient
) -> None:
    errors: list[str] = []

    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        res.set("X-Before", "1")
        try:
            res.attachment("report.txt", b"bytes.txt")
        except TypeError as e:
            errors.append(str(e))
        assert res.finished_by is None
        return res.send("fallback")

    rv = client.get("/")
    assert errors == ["download_name must be a str, got bytes"]
    assert rv.data == b"fallback"
    assert rv.headers["X-Before"] == "1"
    assert "Content-Disposition" not in rv.headers


# -- deprecated names -----------------------------------------------------------

DEPRECATED: list[tuple[str, t.Callable[[t.Any], t.Any], t.Callable[[t.Any], bool]]] = [
    (
        "attachment_filename",
        lambda res: res.send_file(
            "attachments/report.txt", as_attachment=True, attachment_filename="old.txt"
        ),
        lambda rv: rv.headers["Content-Disposition"] == "attachment; filename=old.txt",
    ),
    (
        "add_etags",
        lambda res: res.send_file("attachments/report.txt", add_etags=False),
        lambda rv: "ETag" not in rv.headers,
    ),
    (
        "cache_timeout",
        lambda res: res.send_file("attachments/report.txt", cache_timeout=60),
        lambda rv: rv.headers["Cache-Control"] == "public, max-age=60",
    ),
    (
        "attachment_filename",
        lambda res: res.attachment("report.txt", attachment_filename="old.txt"),
        lambda rv: rv.headers["Content-Disposition"] == "attachment; filename=old.txt",
    ),
    (
        "add_etags",
        lambda res: res.attachment("report.txt", add_etags=False),
        lambda rv: "ETag" not in rv.headers,
    ),
    (
        "cache_timeout",
        lambda res: res.download("attachments/report.txt", cache_timeout=60),
        lambda rv: rv.headers["Cache-Control"] == "public, max-age=60",
    ),
    (
        "attachment_filename",
        lambda res: res.download("report.txt", root="files", attachment_filename="old.txt"),
        lambda rv: rv.headers["Content-Disposition"] == "attachment; filename=old.txt",
    ),
]


@pytest.mark.parametrize(("old", "call", "check"), DEPRECATED)
def test_old_names_warn_and_still_work(
    app: FlaskExpress,
    client: FlaskClient,
    old: str,
    call: t.Callable[[t.Any], t.Any],
    check: t.Callable[[t.Any], bool],
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        return call(res)

    with pytest.warns(DeprecationWarning, match=f"'{old}' is deprecated") as record:
        rv = client.get("/")
    assert len(record) == 1
    # The warning points at the view's line, not inside fx-files.
    assert record[0].filename == __file__
    assert rv.status_code == 200
    assert rv.data == REPORT
    assert check(rv)


@pytest.mark.parametrize(
    ("call", "old", "new"),
    [
        (
            lambda res: res.send_file(
                "attachments/report.txt", download_name="a.txt", attachment_filename="b.txt"
            ),
            "attachment_filename",
            "download_name",
        ),
        (
            lambda res: res.send_file("attachments/report.txt", etag=True, add_etags=False),
            "add_etags",
            "etag",
        ),
        (
            lambda res: res.send_file("attachments/report.txt", etag="x", add_etags=True),
            "add_etags",
            "etag",
        ),
        (
            lambda res: res.send_file("attachments/report.txt", max_age=1, cache_timeout=2),
            "cache_timeout",
            "max_age",
        ),
        (
            lambda res: res.attachment("report.txt", "a.txt", attachment_filename="b.txt"),
            "attachment_filename",
            "download_name",
        ),
        (
            lambda res: res.download("attachments/report.txt", etag=False, add_etags=True),
            "add_etags",
            "etag",
        ),
    ],
)
def test_an_old_name_with_its_new_name_is_a_type_error(
    app: FlaskExpress,
    client: FlaskClient,
    call: t.Callable[[t.Any], t.Any],
    old: str,
    new: str,
) -> None:
    errors: list[str] = []

    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        try:
            call(res)
        except TypeError as e:
            errors.append(str(e))
        return res.send("fallback")

    rv = client.get("/")
    assert rv.data == b"fallback"
    assert len(errors) == 1
    assert f"got both '{old}' and '{new}'" in errors[0]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda res: res.attachment("report.txt", root="files"),
            "unexpected keyword argument 'root'",
        ),
        (
            lambda res: res.attachment("report.txt", as_attachment=False),
            "always sends an attachment",
        ),
        (lambda res: res.download("attachments/report.txt", as_attachment=True), "always sends"),
        (lambda res: res.download("attachments/report.txt", colour="red"), "argument 'colour'"),
        (lambda res: res.send_file(io.BytesIO(b"x"), root="files"), "takes a file name"),
    ],
)
def test_misuse_is_a_type_error_that_leaves_res_unchanged(
    app: FlaskExpress, client: FlaskClient, call: t.Callable[[t.Any], t.Any], message: str
) -> None:
    errors: list[str] = []

    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        try:
            call(res)
        except TypeError as e:
            errors.append(str(e))
        assert res.finished_by is None
        return res.send("fallback")

    rv = client.get("/")
    assert rv.data == b"fallback"
    assert len(errors) == 1
    assert message in errors[0]


# -- ATTACHMENTS_FOLDER ---------------------------------------------------------


def attachment_view(app: FlaskExpress) -> None:
    @app.get("/att/<path:name>")
    def view(req: Request, res: t.Any, name: str) -> t.Any:
        return res.attachment(name)


def test_attachments_folder_changed_after_the_app_was_created_applies(
    app: FlaskExpress, client: FlaskClient, tmp_path: Path
) -> None:
    attachment_view(app)
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "report.txt").write_bytes(b"the other folder's report")

    assert client.get("/att/report.txt").data == REPORT
    app.config["ATTACHMENTS_FOLDER"] = str(other)
    assert client.get("/att/report.txt").data == b"the other folder's report"
    app.config["ATTACHMENTS_FOLDER"] = other / "missing"
    assert client.get("/att/report.txt").status_code == 404


def test_a_relative_attachments_folder_resolves_from_root_path(
    app: FlaskExpress,
    client: FlaskClient,
    root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attachment_view(app)
    (root / "exports").mkdir()
    (root / "exports" / "report.txt").write_bytes(b"exported")
    decoy = tmp_path / "cwd"
    (decoy / "exports").mkdir(parents=True)
    (decoy / "exports" / "report.txt").write_bytes(b"decoy in the working directory")
    monkeypatch.chdir(decoy)

    app.config["ATTACHMENTS_FOLDER"] = "exports"
    assert client.get("/att/report.txt").data == b"exported"
    app.config["ATTACHMENTS_FOLDER"] = "files/sub"
    assert client.get("/att/nested.txt").data == NESTED


def test_the_default_attachments_folder_follows_root_path(
    app: FlaskExpress, client: FlaskClient, root: Path
) -> None:
    attachment_view(app)
    assert "ATTACHMENTS_FOLDER" not in app.config

    assert client.get("/att/report.txt").data == REPORT
    app.root_path = str(root / "files")
    (root / "files" / "attachments").mkdir()
    (root / "files" / "attachments" / "report.txt").write_bytes(b"moved")
    assert client.get("/att/report.txt").data == b"moved"


# -- missing files and errors -----------------------------------------------------


@ALL
def test_a_missing_file_is_a_404(app: FlaskExpress, client: FlaskClient, sender: str) -> None:
    serve(app, sender, "missing.txt")

    rv = client.get("/")
    assert rv.status_code == 404
    assert b"Not Found" in rv.data


@pytest.mark.parametrize(
    "path", ["attachments", "attachments/report.txt/inside", "attachments/" + "n" * 300]
)
@pytest.mark.parametrize("method", ["send_file", "download"])
def test_a_trusted_path_that_names_no_file_is_a_404(
    app: FlaskExpress, client: FlaskClient, method: str, path: str
) -> None:
    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        return getattr(res, method)(path)

    assert client.get("/").status_code == 404


def test_a_404_goes_to_the_apps_error_handler(app: FlaskExpress, client: FlaskClient) -> None:
    @app.errorhandler(404)
    def not_found(e: NotFound) -> tuple[str, int]:
        return "custom not found page", 404

    attachment_view(app)

    rv = client.get("/att/missing.txt")
    assert rv.status_code == 404
    assert rv.data == b"custom not found page"
    rv = client.get("/att/../canary.txt")
    assert rv.status_code == 404
    assert rv.data == b"custom not found page"


#: A name that fails for each sender: a missing file and a directory fail for
#: all; a name leaving the folder fails only where a name is confined.
FAILING = [
    (sender, name)
    for sender in SENDERS
    for name in ("missing.txt", "sub", "../canary.txt")
    if name != "../canary.txt" or sender in ("attachment", "send_file_root", "download_root")
]


@pytest.mark.parametrize(("sender", "name"), FAILING)
def test_a_failed_call_leaves_res_unchanged_and_usable(
    app: FlaskExpress, client: FlaskClient, sender: str, name: str
) -> None:
    failures: list[int] = []

    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        res.set("X-Before", "1").send_status(202)
        res.set_cookie("kept", "yes")
        try:
            SENDERS[sender](res, name)
        except NotFound as e:
            failures.append(e.code)
        assert res.finished_by is None
        assert res.get("Content-Disposition") is None
        return res.send("fallback")

    rv = client.get("/")
    assert failures == [404]
    assert rv.status_code == 202
    assert rv.data == b"fallback"
    assert rv.headers["X-Before"] == "1"
    assert rv.headers["Set-Cookie"] == "kept=yes; Path=/"
    assert "Content-Disposition" not in rv.headers


# -- sent twice ---------------------------------------------------------------------


@ALL
def test_a_file_after_another_terminal_call_raises(
    app: FlaskExpress, client: FlaskClient, sender: str
) -> None:
    errors: list[str] = []

    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        res.send("first")
        try:
            SENDERS[sender](res, "report.txt")
        except ResponseAlreadySent as e:
            errors.append(str(e))
        return res

    rv = client.get("/")
    assert rv.data == b"first"
    assert errors == [
        f"res.{METHOD[sender]}() was called, but res.send() already sent this response"
    ]


@ALL
def test_a_terminal_call_after_a_file_raises(
    app: FlaskExpress, client: FlaskClient, sender: str
) -> None:
    errors: list[str] = []

    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        SENDERS[sender](res, "report.txt")
        for again in (lambda: res.send("second"), lambda: SENDERS[sender](res, "data.bin")):
            try:
                again()
            except ResponseAlreadySent as e:
                errors.append(str(e))
        return res

    rv = client.get("/")
    assert rv.data == REPORT
    method = METHOD[sender]
    assert errors == [
        f"res.send() was called, but res.{method}() already sent this response",
        f"res.{method}() was called, but res.{method}() already sent this response",
    ]


def test_a_file_response_returned_from_a_plain_flask_view_still_works(
    app: FlaskExpress, client: FlaskClient, root: Path
) -> None:
    # flask.send_file builds the app's response class with its usual
    # constructor; the mixin must not get in its way.
    @app.get("/")
    def view() -> flask.Response:
        return flask.send_file(os.path.join(root, "attachments", "report.txt"))

    rv = client.get("/")
    assert rv.data == REPORT


@pytest.mark.parametrize("touched", [False, True])
def test_close_callbacks_of_the_file_response_stay_with_res(
    app: FlaskExpress, monkeypatch: pytest.MonkeyPatch, touched: bool
) -> None:
    # Werkzeug's send_file registers none today; if a later one does,
    # closing res must run them with the file's own close, whether the file
    # response was built into res (untouched) or merged into it.
    calls: list[str] = []
    real_send_file = files_module.werkzeug_send_file

    def send_file_with_callback(*args: t.Any, **kwargs: t.Any) -> flask.Response:
        rv = real_send_file(*args, **kwargs)
        rv.call_on_close(lambda: calls.append("closed"))
        return rv

    monkeypatch.setattr(files_module, "werkzeug_send_file", send_file_with_callback)
    with app.test_request_context("/"):
        res: t.Any = t.cast(t.Any, app.response_class).for_request()
        if touched:
            res.set("X-Before", "1")
        res.send_file("attachments/report.txt")
        assert calls == []
        assert b"".join(res.response) == REPORT
        res.close()
    assert calls == ["closed"]


#: Requests whose answers res must give exactly as plain Flask does.
PARITY_REQUESTS: list[dict[str, str]] = [
    {},
    {"Range": "bytes=10-99"},
    {"Range": "bytes=-5"},
    {"If-Range": "not-the-etag", "Range": "bytes=0-9"},
    {"If-Modified-Since": "Sun, 06 Nov 2094 08:49:37 GMT"},
]


@pytest.mark.parametrize("headers", PARITY_REQUESTS)
@pytest.mark.parametrize(
    "config", [{}, {"SEND_FILE_MAX_AGE_DEFAULT": 60}, {"USE_X_SENDFILE": True}]
)
def test_file_responses_match_plain_flask_header_for_header(
    app: FlaskExpress, client: FlaskClient, headers: dict[str, str], config: dict[str, t.Any]
) -> None:
    app.config.update(config)
    folder = os.path.join(app.root_path, "attachments")
    pairs = {
        "/flask/file": lambda: flask.send_file("attachments/data.bin"),
        "/fx/file": lambda res: res.send_file("attachments/data.bin"),
        "/flask/attachment": lambda: flask.send_from_directory(
            folder, "data.bin", as_attachment=True
        ),
        "/fx/attachment": lambda res: res.attachment("data.bin"),
        "/flask/download": lambda: flask.send_file("attachments/data.bin", as_attachment=True),
        "/fx/download": lambda res: res.download("attachments/data.bin"),
    }
    for path, make in pairs.items():
        if path.startswith("/flask/"):
            app.add_url_rule(path, path, make)
        else:

            def view(req: Request, res: t.Any, make: t.Any = make) -> t.Any:
                return make(res)

            app.add_url_rule(path, path, view)
    etag = client.get("/flask/file").headers["ETag"]
    for kind in ("file", "attachment", "download"):
        for sent in (headers, {**headers, "If-None-Match": etag}):
            expected = client.get(f"/flask/{kind}", headers=sent)
            got = client.get(f"/fx/{kind}", headers=sent)
            assert got.status_code == expected.status_code, (kind, sent)
            assert got.data == expected.data, (kind, sent)
            # Expires and Date follow the clock; everything else is equal,
            # and fx-files adds nosniff (docs/choices.md, Files), last.
            drop = {"Expires", "Date"}
            assert [h for h in got.headers if h[0] not in drop] == [
                *(h for h in expected.headers if h[0] not in drop),
                ("X-Content-Type-Options", "nosniff"),
            ], (kind, sent)
            assert ("Expires" in got.headers) == ("Expires" in expected.headers)


@pytest.mark.parametrize("touched", [False, True])
@pytest.mark.parametrize("sender", ["attachment", "send_file", "download_root"])
def test_an_unsatisfiable_range_leaves_res_unchanged_and_usable(
    app: FlaskExpress, client: FlaskClient, touched: bool, sender: str
) -> None:
    # Werkzeug raises 416 after it opened the file and, for a response the
    # view has not touched, after it began building into res.
    raised: list[int] = []

    @app.get("/")
    def view(req: Request, res: t.Any) -> t.Any:
        if touched:
            res.set("X-Before", "1").send_status(202)
        before = list(res.headers.items())
        try:
            SENDERS[sender](res, "data.bin")
        except RequestedRangeNotSatisfiable as e:
            raised.append(t.cast(int, e.code))
        assert res.finished_by is None
        assert list(res.headers.items()) == before
        assert res.status_code == (202 if touched else 200)
        assert not res.direct_passthrough
        return res.send("fallback")

    rv = client.get("/", headers={"Range": "bytes=999999-"})
    assert raised == [416]
    assert rv.status_code == (202 if touched else 200)
    assert rv.data == b"fallback"
    assert "Content-Range" not in rv.headers
    assert rv.headers.get("X-Before") == ("1" if touched else None)
