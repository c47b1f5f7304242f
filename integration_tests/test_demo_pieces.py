"""The four pieces through a real server: the demo under gunicorn with two
workers on 127.0.0.1, driven by a real HTTP client (requests).

Sessions and signed cookies live in the client's cookies, so whichever worker
answers a request, it must see what the other one set.
"""

from __future__ import annotations

import hashlib
import os
import typing as t
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.server

HOST = "127.0.0.1"
#: How many fresh clients go through the login flow: enough that both workers
#: answer some of the requests.
LOGINS = 12
BIG_SIZE = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def attachments(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("attachments")
    (folder / "big.bin").write_bytes(os.urandom(BIG_SIZE))
    (folder / "hello.txt").write_text("hello from the test's attachments folder\n")
    (tmp_path_factory.getbasetemp() / "canary.txt").write_text("CANARY: never served\n")
    return folder


@pytest.fixture(scope="module")
def base_url(
    attachments: Path,
    serve: t.Callable[..., t.Any],
    free_port_number: int,
    gunicorn: t.Callable[..., list[str]],
) -> str:
    """The demo under gunicorn (two workers), its attachments in a temp folder."""
    url = f"http://{HOST}:{free_port_number}"
    serve(
        gunicorn(free_port_number),
        f"{url}/",
        env={"FLASK_ATTACHMENTS_FOLDER": str(attachments)},
    )
    return url


def test_a_flash_set_before_a_redirect_is_shown_once_after_it(base_url: str) -> None:
    for n in range(LOGINS):
        with requests.Session() as browser:
            name = f"user{n}"
            rv = browser.post(
                f"{base_url}/login", data={"name": name}, allow_redirects=False, timeout=10
            )
            assert rv.status_code == 302
            assert rv.headers["Location"] == "/account"

            page = browser.get(f"{base_url}/account", timeout=10)
            assert page.status_code == 200
            assert f"Welcome, {name}!" in page.text
            assert f"Logged in as <strong>{name}</strong>" in page.text

            again = browser.get(f"{base_url}/account", timeout=10)
            assert "Welcome" not in again.text
            assert f"Logged in as <strong>{name}</strong>" in again.text


def test_a_5_mb_download_with_a_range_returns_the_right_bytes(
    base_url: str, attachments: Path
) -> None:
    data = (attachments / "big.bin").read_bytes()
    url = f"{base_url}/res/attachment/big.bin"

    whole = requests.get(url, timeout=30)
    assert whole.status_code == 200
    assert whole.headers["Content-Disposition"] == "attachment; filename=big.bin"
    assert hashlib.sha256(whole.content).digest() == hashlib.sha256(data).digest()

    ranges: list[tuple[str, int, int]] = [
        ("bytes=1000000-1999999", 1_000_000, 2_000_000),
        ("bytes=0-0", 0, 1),
        (f"bytes={BIG_SIZE - 100}-", BIG_SIZE - 100, BIG_SIZE),
        ("bytes=-4096", BIG_SIZE - 4096, BIG_SIZE),
    ]
    for header, start, end in ranges:
        rv = requests.get(url, headers={"Range": header}, timeout=30)
        assert rv.status_code == 206, header
        assert rv.headers["Content-Range"] == f"bytes {start}-{end - 1}/{BIG_SIZE}"
        assert rv.content == data[start:end]

    rv = requests.get(url, headers={"Range": f"bytes={BIG_SIZE}-"}, timeout=30)
    assert rv.status_code == 416

    etag = whole.headers["ETag"]
    rv = requests.get(url, headers={"If-None-Match": etag}, timeout=30)
    assert rv.status_code == 304
    assert rv.content == b""


def test_a_name_outside_the_attachments_folder_is_404(base_url: str) -> None:
    for name in ("../canary.txt", "..%2fcanary.txt", "%2e%2e/canary.txt", "missing.txt"):
        rv = requests.get(f"{base_url}/res/attachment/{name}", timeout=10)
        assert rv.status_code == 404, name
        assert b"CANARY" not in rv.content


def test_a_cookie_is_set_then_cleared(base_url: str) -> None:
    with requests.Session() as browser:
        rv = browser.get(f"{base_url}/res/cookie?theme=light", timeout=10)
        assert rv.status_code == 200
        assert "theme=light" in rv.headers["Set-Cookie"]
        assert browser.cookies.get("theme") == "light"
        assert browser.get(f"{base_url}/req/cookies", timeout=10).json()["cookies"] == {
            "theme": "light"
        }

        rv = browser.get(f"{base_url}/res/clear_cookie", timeout=10)
        assert rv.headers["Set-Cookie"].startswith("theme=;")
        assert "theme" not in browser.cookies
        assert browser.get(f"{base_url}/req/cookies", timeout=10).json()["cookies"] == {}


def test_a_signed_cookie_round_trips_and_a_tampered_one_is_rejected(base_url: str) -> None:
    with requests.Session() as browser:
        browser.get(f"{base_url}/res/cookie/signed?name=grace", timeout=10)
        signed = browser.cookies["member"]
        assert signed != "grace"  # the value travels with its signature
        assert browser.get(f"{base_url}/req/signed_cookies", timeout=10).json() == {
            "signed": {"member": "grace"},
            "raw": signed,
        }

    tampered = [
        signed.replace("grace", "admin"),  # the value changed, the signature kept
        signed[:-1] + ("A" if signed[-1] != "A" else "B"),  # the signature changed
        "admin",  # no signature at all
    ]
    for value in tampered:
        with requests.Session() as attacker:
            attacker.cookies.set("member", value, domain=HOST, path="/")
            rv = attacker.get(f"{base_url}/req/signed_cookies", timeout=10)
            assert rv.status_code == 200, value
            assert rv.json()["signed"] == {}, value


def test_every_piece_answers_on_its_demo_route(base_url: str) -> None:
    checks: dict[str, t.Callable[[requests.Response], bool]] = {
        "/res/render?user=Ada": lambda rv: "Hello, Ada!" in rv.text and "&lt;b&gt;" in rv.text,
        "/res/render/string": lambda rv: rv.text == "<p>Hello, &lt;Ada&gt;!</p>",
        "/res/send_file": lambda rv: rv.text.startswith("quarter,revenue"),
        "/res/download": lambda rv: (
            "filename*=UTF-8''Bericht%20%C3%9Cbersicht.csv" in rv.headers["Content-Disposition"]
        ),
        "/res/attachment/hello.txt": lambda rv: (
            rv.text == "hello from the test's attachments folder\n"
        ),
    }
    for path, ok in checks.items():
        rv = requests.get(f"{base_url}{path}", timeout=10)
        assert rv.status_code == 200, path
        assert ok(rv), (path, rv.headers, rv.text[:200])
