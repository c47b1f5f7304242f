"""A conditional date too large for ``datetime`` is ignored, as any invalid
date is (RFC 9110 13.1.3), instead of a 500. Found by
integration_tests/test_fuzz.py: Werkzeug's ``parse_date`` lets Python's
``OverflowError`` through, after the file was opened.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from fx_core import FlaskExpress, Request

OVERFLOWING = [
    "Sun, 06 Nov 1994 08:49:37 +9999999999999999999",
    "Sun, 06 Nov 99999999999999999999 08:49:37 GMT",
]

FORMS = ["attachment", "send_file", "download", "trusted"]


@pytest.fixture
def report(root: Path) -> bytes:
    return (root / "files" / "report.txt").read_bytes()


@pytest.fixture
def seen(app: FlaskExpress) -> list[str | None]:
    """Route ``/<form>`` sends report.txt; the list records the
    If-Modified-Since header the view still sees after sending."""
    headers: list[str | None] = []

    @app.get("/<form>")
    def view(req: Request, res: t.Any, form: str) -> t.Any:
        if form == "attachment":
            res.attachment("report.txt")
        elif form == "send_file":
            res.send_file("report.txt", root="files")
        elif form == "download":
            res.download("report.txt", root="files")
        else:
            res.send_file("files/report.txt")
        headers.append(req.get("If-Modified-Since"))
        return res

    return headers


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("date", OVERFLOWING)
def test_an_overflowing_if_modified_since_is_ignored(
    client: FlaskClient, seen: list[str | None], report: bytes, form: str, date: str
) -> None:
    rv = client.get(f"/{form}", headers={"If-Modified-Since": date})
    assert rv.status_code == 200
    assert rv.data == report
    # The header is hidden from Werkzeug only while the file response is built.
    assert seen == [date]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("date", OVERFLOWING)
def test_an_overflowing_if_range_sends_the_whole_file(
    client: FlaskClient, seen: list[str | None], report: bytes, form: str, date: str
) -> None:
    # An If-Range that is not a valid date or ETag never matches: the whole
    # file, as RFC 9110 13.1.5 has it.
    rv = client.get(f"/{form}", headers={"If-Range": date, "Range": "bytes=0-3"})
    assert rv.status_code == 200
    assert rv.data == report


@pytest.mark.parametrize("form", FORMS)
def test_a_valid_if_modified_since_still_answers_304(
    client: FlaskClient, seen: list[str | None], form: str
) -> None:
    last_modified = client.get(f"/{form}").headers["Last-Modified"]
    rv = client.get(f"/{form}", headers={"If-Modified-Since": last_modified})
    assert rv.status_code == 304
