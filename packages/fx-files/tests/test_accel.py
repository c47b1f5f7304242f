"""``FX_ACCEL_REDIRECT``: files answered with ``X-Accel-Redirect`` for nginx
to send (docs: packages/fx-files.md, "Offloading to nginx"). nginx itself is
in integration_tests/test_deploy.py; here the app's side: which files are
offloaded, with which headers, and that confinement still answers first.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from fx_core import FlaskExpress, Request
from fx_files import FilesMixin

from .conftest import NESTED, REPORT

FILE_HEADERS = ("Content-Length", "ETag", "Last-Modified", "Accept-Ranges", "Content-Range")


@pytest.fixture
def offloading(app: FlaskExpress) -> FlaskExpress:
    app.config["FX_ACCEL_REDIRECT"] = {"attachments": "/_protected/"}

    @app.get("/a/<path:name>")
    def attached(req: Request, res: FilesMixin, name: str) -> FilesMixin:
        res.set("Cache-Control", "private").append("Set-Cookie", "seen=1; Path=/")
        return res.attachment(name)

    @app.get("/inline/<path:name>")
    def inline(req: Request, res: FilesMixin, name: str) -> FilesMixin:
        return res.send_file(name, root="attachments", max_age=60)

    @app.get("/other/<path:name>")
    def other(req: Request, res: FilesMixin, name: str) -> FilesMixin:
        return res.send_file(name, root="files")

    @app.get("/trusted")
    def trusted(req: Request, res: FilesMixin) -> FilesMixin:
        return res.download("attachments/sub/nested.txt", "n.txt")

    @app.get("/object")
    def object_(req: Request, res: FilesMixin) -> FilesMixin:
        return res.send_file(io.BytesIO(NESTED), download_name="n.txt")

    return app


def test_a_mapped_file_is_an_empty_answer_with_the_apps_headers(
    offloading: FlaskExpress, client: FlaskClient
) -> None:
    rv = client.get("/a/report.txt")
    assert rv.status_code == 200
    assert rv.data == b""
    assert rv.headers["X-Accel-Redirect"] == "/_protected/report.txt"
    assert rv.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert rv.headers["Content-Disposition"] == "attachment; filename=report.txt"
    assert rv.headers["Cache-Control"] == "private"
    assert rv.headers["X-Content-Type-Options"] == "nosniff"
    assert "seen=1" in rv.headers["Set-Cookie"]
    for name in FILE_HEADERS:
        assert rv.headers.get(name) in (None, "0"), name

    rv = client.get("/inline/sub/nested.txt")
    assert rv.headers["X-Accel-Redirect"] == "/_protected/sub/nested.txt"
    assert rv.headers["Content-Disposition"] == "inline; filename=nested.txt"
    assert "max-age=60" in rv.headers["Cache-Control"]


def test_range_and_conditions_are_left_to_nginx(
    offloading: FlaskExpress, client: FlaskClient
) -> None:
    plain = client.get("/a/report.txt")
    for headers in (
        {"Range": "bytes=0-3"},
        {"If-None-Match": '"anything"', "If-Modified-Since": "Sun, 01 Jan 2090 00:00:00 GMT"},
    ):
        rv = client.get("/a/report.txt", headers=headers)
        assert (rv.status_code, rv.data) == (200, b"")
        assert rv.headers["X-Accel-Redirect"] == plain.headers["X-Accel-Redirect"]
        assert "Content-Range" not in rv.headers


def test_confinement_answers_before_any_header(
    offloading: FlaskExpress, client: FlaskClient
) -> None:
    for name in ("link-out", "..%2Fcanary.txt", "dir-out/canary.txt", "prefix-out/canary.txt"):
        rv = client.get(f"/a/{name}")
        assert rv.status_code == 404, name
        assert "X-Accel-Redirect" not in rv.headers
        assert "seen=1" not in rv.headers.get("Set-Cookie", "")


def test_the_location_names_the_resolved_file_percent_encoded(
    offloading: FlaskExpress, client: FlaskClient
) -> None:
    # A symlink that stays inside: nginx is sent the file, never the link.
    assert client.get("/a/link-in").headers["X-Accel-Redirect"] == "/_protected/report.txt"
    assert client.get("/a/café.txt").headers["X-Accel-Redirect"] == "/_protected/caf%C3%A9.txt"


def test_trusted_paths_are_offloaded_and_the_rest_goes_through_python(
    offloading: FlaskExpress, client: FlaskClient
) -> None:
    rv = client.get("/trusted")
    assert rv.headers["X-Accel-Redirect"] == "/_protected/sub/nested.txt"
    assert rv.headers["Content-Disposition"] == "attachment; filename=n.txt"
    for url, body in (("/other/report.txt", REPORT), ("/object", NESTED)):
        rv = client.get(url)
        assert "X-Accel-Redirect" not in rv.headers
        assert rv.data == body


def test_absolute_folders_and_several_mappings(
    offloading: FlaskExpress, client: FlaskClient, root: Path
) -> None:
    offloading.config["FX_ACCEL_REDIRECT"] = {
        str(root / "files"): "/_files/",
        "attachments": "/_att/",
    }
    assert client.get("/other/sub/nested.txt").headers["X-Accel-Redirect"] == (
        "/_files/sub/nested.txt"
    )
    assert client.get("/a/report.txt").headers["X-Accel-Redirect"] == "/_att/report.txt"


@pytest.mark.parametrize(
    ("setting", "error"),
    [
        (["attachments"], TypeError),
        ({"attachments": "_protected/"}, ValueError),
        ({"attachments": "/_protected"}, ValueError),
        ({"attachments": "/a b/"}, ValueError),
        ({"attachments": 1}, ValueError),
        ({1: "/_protected/"}, TypeError),
    ],
)
def test_a_bad_setting_is_refused(
    offloading: FlaskExpress, client: FlaskClient, setting: object, error: type[Exception]
) -> None:
    offloading.config["FX_ACCEL_REDIRECT"] = setting
    with pytest.raises(error, match="FX_ACCEL_REDIRECT"):
        client.get("/a/report.txt")


def test_unset_or_empty_sends_through_python(offloading: FlaskExpress, client: FlaskClient) -> None:
    for setting in (None, {}):
        offloading.config["FX_ACCEL_REDIRECT"] = setting
        rv = client.get("/a/report.txt")
        assert "X-Accel-Redirect" not in rv.headers
        assert rv.data == REPORT
