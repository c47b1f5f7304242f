"""Client-chosen names stay inside their folder (docs/packages/fx-files.md, docs/security.md).

``attachment`` and the ``root=`` forms of ``send_file`` and ``download`` take
a name a client may have chosen. Every payload below, sent as a route
variable and as a query parameter, must answer 404 (Werkzeug's
``NotFound``) and never a byte of the canary files that lie outside the
served folders, nor of ``/etc/passwd``.
"""

from __future__ import annotations

import os
import typing as t
from pathlib import Path
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from fx_core import FlaskExpress, Request

from .conftest import CANARY, NESTED, REPORT

#: Payloads as raw URL text: the server decodes them once, as it would
#: for a real request, so ``%2e%2e`` arrives as ``..`` and ``%252e`` as the
#: literal ``%2e``. ``{canary}`` becomes the absolute path of a canary file.
PAYLOADS = [
    # plain dot-dot traversal
    "../canary.txt",
    "../../canary.txt",
    "../../../../../../../../../../etc/passwd",
    "./../canary.txt",
    "sub/../../canary.txt",
    "sub/../sub/../../canary.txt",
    "sub/./../../canary.txt",
    "....//....//canary.txt",
    "..;/canary.txt",
    "~/canary.txt",
    # percent-encoded: arrives decoded
    "..%2Fcanary.txt",
    "..%2F..%2Fcanary.txt",
    "%2e%2e/canary.txt",
    "%2E%2E%2Fcanary.txt",
    "%2e%2e%2f%2e%2e%2fcanary.txt",
    "sub%2F..%2F..%2Fcanary.txt",
    # double and triple encoded: arrives as a literal, missing name
    "%252e%252e%252fcanary.txt",
    "..%252f..%252fcanary.txt",
    "%25252e%25252e/canary.txt",
    # overlong UTF-8 dots, a two-dot leader
    "%c0%ae%c0%ae/canary.txt",
    "%e2%80%a5/canary.txt",
    # absolute paths
    "%2Fetc%2Fpasswd",
    "%2F%2Fetc%2Fpasswd",
    "{canary}",
    # backslashes and drive letters
    "..%5Ccanary.txt",
    "..%5C..%5Ccanary.txt",
    "sub%5C..%5C..%5Ccanary.txt",
    "%2e%2e%5c%2e%2e%5ccanary.txt",
    "C:%5CWindows%5Cwin.ini",
    "C:/Windows/win.ini",
    "c:..%2Fcanary.txt",
    # NUL bytes and newlines
    "report.txt%00.pdf",
    "%00../canary.txt",
    "..%00/canary.txt",
    "..%0A/canary.txt",
    # symlinks inside the folder that point outside it
    "link-out",
    "dir-out/canary.txt",
    "dir-out/app/canary.txt",
    "prefix-out/canary.txt",
    # directories, missing files, names too long for the OS
    "sub",
    ".",
    "./",
    "missing.txt",
    "a" * 5000,
    "n" * 300 + ".txt",
    "sub/" * 2000 + "nested.txt",
]

FORMS = ["attachment", "send_file", "download"]


def send(res: t.Any, form: str, name: str) -> t.Any:
    if form == "attachment":
        return res.attachment(name)
    if form == "send_file":
        return res.send_file(name, root="files")
    return res.download(name, root="files")


@pytest.fixture
def reached(app: FlaskExpress) -> list[str]:
    """Route ``/<form>/<path:name>`` and ``/<form>?name=`` to the methods;
    the returned list records each name that reached a view."""
    names: list[str] = []

    # merge_slashes=False: a decoded ``//etc/passwd`` must not be answered
    # with a redirect to a cleaned-up URL.
    @app.get("/<form>/<path:name>", merge_slashes=False)
    def by_route(req: Request, res: t.Any, form: str, name: str) -> t.Any:
        names.append(name)
        return send(res, form, name)

    @app.get("/<form>", merge_slashes=False)
    def by_query(req: Request, res: t.Any, form: str) -> t.Any:
        name = req.query.get("name", "")
        names.append(name)
        return send(res, form, name)

    return names


def raw_payload(payload: str, tmp_path: Path) -> str:
    return payload.replace("{canary}", quote(str(tmp_path / "canary.txt"), safe=""))


def assert_refused(rv: t.Any) -> None:
    assert rv.status_code == 404
    assert b"Not Found" in rv.data
    assert CANARY not in rv.data
    assert b"root:" not in rv.data


def test_the_corpus_is_large_enough() -> None:
    assert len(PAYLOADS) >= 30
    assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_traversal_in_a_route_variable_is_a_404(
    client: FlaskClient, reached: list[str], tmp_path: Path, form: str, payload: str
) -> None:
    rv = client.get(f"/{form}/{raw_payload(payload, tmp_path)}")
    assert_refused(rv)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_traversal_in_a_query_parameter_is_a_404(
    client: FlaskClient, reached: list[str], tmp_path: Path, form: str, payload: str
) -> None:
    rv = client.get(f"/{form}?name={raw_payload(payload, tmp_path)}")
    assert_refused(rv)
    # Every query payload reaches the method: the 404 is its answer.
    assert len(reached) == 1


@pytest.mark.parametrize("form", FORMS)
def test_route_payloads_reach_the_method(
    client: FlaskClient, reached: list[str], tmp_path: Path, form: str
) -> None:
    """Most route payloads get past routing, so the method itself refuses
    them; the rest (a decoded leading ``/``, a newline) never match the route."""
    for payload in PAYLOADS:
        assert_refused(client.get(f"/{form}/{raw_payload(payload, tmp_path)}"))
    assert "../canary.txt" in reached
    assert "../../canary.txt" in reached
    assert "..\\canary.txt" in reached
    assert "report.txt\x00.pdf" in reached
    assert len(reached) >= len(PAYLOADS) - 5


@pytest.mark.parametrize("form", FORMS)
def test_an_empty_name_is_a_404(client: FlaskClient, reached: list[str], form: str) -> None:
    assert_refused(client.get(f"/{form}?name="))
    assert reached == [""]


@pytest.mark.parametrize("form", FORMS)
def test_names_inside_the_folder_are_still_served(
    client: FlaskClient, reached: list[str], form: str
) -> None:
    # The same routes serve real names, so the 404s above come from the
    # names, not from a broken route.
    assert client.get(f"/{form}/report.txt").data == REPORT
    assert client.get(f"/{form}?name=sub/nested.txt").data == NESTED
    assert client.get(f"/{form}?name=sub/../report.txt").data == REPORT
    assert client.get(f"/{form}/sub%2Fnested.txt").data == NESTED


@pytest.mark.parametrize("form", FORMS)
def test_a_symlink_to_a_file_outside_the_folder_is_a_404(
    app: FlaskExpress,
    client: FlaskClient,
    reached: list[str],
    root: Path,
    tmp_path: Path,
    form: str,
) -> None:
    outside = tmp_path / "outside" / "secret.txt"
    outside.parent.mkdir()
    outside.write_bytes(CANARY)
    folder = root / ("attachments" if form == "attachment" else "files")
    os.symlink(outside, folder / "innocent.txt")
    os.symlink(outside.parent, folder / "innocent-dir", target_is_directory=True)
    # A chain: a link inside pointing to another link inside, which leaves.
    os.symlink(folder / "innocent.txt", folder / "chained.txt")

    for name in ("innocent.txt", "innocent-dir/secret.txt", "chained.txt"):
        assert_refused(client.get(f"/{form}/{name}"))
    assert reached == ["innocent.txt", "innocent-dir/secret.txt", "chained.txt"]


@pytest.mark.parametrize("form", FORMS)
def test_a_symlink_loop_is_a_404(
    client: FlaskClient, reached: list[str], root: Path, form: str
) -> None:
    folder = root / ("attachments" if form == "attachment" else "files")
    os.symlink(folder / "loop-b", folder / "loop-a")
    os.symlink(folder / "loop-a", folder / "loop-b")

    assert_refused(client.get(f"/{form}/loop-a"))


@pytest.mark.parametrize("method", ["send_file", "download"])
def test_root_may_be_absolute_or_a_path_object(
    app: FlaskExpress, client: FlaskClient, root: Path, method: str
) -> None:
    @app.get("/<how>/<path:name>")
    def view(req: Request, res: t.Any, how: str, name: str) -> t.Any:
        folder: str | Path = str(root / "files") if how == "str" else root / "files"
        return getattr(res, method)(name, root=folder)

    for how in ("str", "path"):
        assert client.get(f"/{how}/sub/nested.txt").data == NESTED
        assert_refused(client.get(f"/{how}/..%2Fcanary.txt"))


def test_a_relative_root_resolves_from_root_path_not_the_working_directory(
    app: FlaskExpress,
    client: FlaskClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decoy = tmp_path / "cwd" / "files"
    decoy.mkdir(parents=True)
    (decoy / "only-in-cwd.txt").write_bytes(CANARY)
    monkeypatch.chdir(decoy.parent)

    @app.get("/<path:name>")
    def view(req: Request, res: t.Any, name: str) -> t.Any:
        return res.send_file(name, root="files")

    assert client.get("/report.txt").data == REPORT
    assert_refused(client.get("/only-in-cwd.txt"))


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", ["back\\slash.txt", "C:drive.txt", "z:notes.txt"])
def test_windows_separators_and_drives_are_refused_on_every_os(
    client: FlaskClient, reached: list[str], root: Path, form: str, name: str
) -> None:
    # On POSIX these are ordinary file names; refusing them everywhere keeps
    # an app's answers the same on Windows, where they leave the folder.
    folder = root / ("attachments" if form == "attachment" else "files")
    (folder / name).write_bytes(REPORT)

    assert_refused(client.get(f"/{form}?name={quote(name)}"))
    assert reached == [name]
