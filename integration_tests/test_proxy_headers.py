"""Proxy headers are not trusted by default (docs/security.md).

gunicorn takes ``X-Forwarded-Proto`` from any client on its
``forwarded_allow_ips`` (127.0.0.1 by default) and sets ``wsgi.url_scheme``
from it. ``req.secure`` and ``req.protocol`` come from the connection unless
the app uses ``ProxyFix`` or sets ``FX_TRUST_PROXY``, as Express's
``trust proxy`` is off by default; ``req.ip`` and ``req.hostname`` never
read a forwarded header without ``ProxyFix``.
"""

from __future__ import annotations

import socket
import textwrap
import typing as t
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.server

APP = textwrap.dedent(
    """
    from werkzeug.middleware.proxy_fix import ProxyFix

    from fx_core import FlaskExpress


    def make(mode):
        app = FlaskExpress(__name__)
        if mode == "trust":
            app.config["FX_TRUST_PROXY"] = True

        @app.get("/")
        def view(req, res):
            return res.json(
                secure=req.secure,
                protocol=req.protocol,
                ip=req.ip,
                hostname=req.hostname,
                werkzeug_scheme=req.scheme,
            )

        if mode == "proxyfix":
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
        return app


    plain = make("plain")
    proxyfix = make("proxyfix")
    trust = make("trust")
    """
)

FORGED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Ssl": "on",
    "X-Forwarded-Protocol": "ssl",
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Host": "evil.example",
}


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory,
    serve: t.Callable[..., t.Any],
    gunicorn: t.Callable[..., list[str]],
) -> dict[str, str]:
    folder: Path = tmp_path_factory.mktemp("proxyapp")
    (folder / "proxyapp.py").write_text(APP, encoding="utf-8")
    urls = {}
    for mode in ("plain", "proxyfix", "trust"):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        url = f"http://127.0.0.1:{port}/"
        serve(gunicorn(port, f"proxyapp:{mode}", workers=1), url, cwd=folder)
        urls[mode] = url
    return urls


def get(url: str, headers: dict[str, str] | None = None) -> dict[str, t.Any]:
    rv = requests.get(url, headers=headers, timeout=10)
    assert rv.status_code == 200
    return t.cast(dict[str, t.Any], rv.json())


def test_a_client_cannot_forge_the_scheme_behind_gunicorn(servers: dict[str, str]) -> None:
    seen = get(servers["plain"], FORGED)
    # gunicorn believed the header (the server's word, kept by Werkzeug)...
    assert seen["werkzeug_scheme"] == "https"
    # ...the Express names do not.
    assert (seen["secure"], seen["protocol"]) == (False, "http")
    assert seen["ip"] == "127.0.0.1"
    assert seen["hostname"] == "127.0.0.1"


def test_without_forwarded_headers_nothing_changes(servers: dict[str, str]) -> None:
    seen = get(servers["plain"])
    assert (seen["secure"], seen["protocol"], seen["ip"]) == (False, "http", "127.0.0.1")


def test_proxyfix_makes_the_proxys_headers_count(servers: dict[str, str]) -> None:
    seen = get(servers["proxyfix"], FORGED)
    assert (seen["secure"], seen["protocol"]) == (True, "https")
    assert seen["ip"] == "203.0.113.7"
    assert seen["hostname"] == "evil.example"


def test_fx_trust_proxy_takes_the_servers_word(servers: dict[str, str]) -> None:
    seen = get(servers["trust"], {"X-Forwarded-Proto": "https"})
    assert (seen["secure"], seen["protocol"]) == (True, "https")
    # FX_TRUST_PROXY is about the scheme only: the address stays the peer's.
    assert get(servers["trust"], FORGED)["ip"] == "127.0.0.1"
