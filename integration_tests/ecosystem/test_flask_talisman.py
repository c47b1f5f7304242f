"""Flask-Talisman's security headers, CSP nonce and HTTPS redirect on (req, res) views."""

from __future__ import annotations

import re
import typing as t

import flask
import pytest
from flask_talisman import Talisman

from flask_express import FlaskExpress

HTTPS = "https://localhost"
CSP = {"default-src": "'self'", "script-src": "'self'"}
PAGE = '<!doctype html><script nonce="{{ csp_nonce() }}">start()</script>'


def make_app(
    app_class: type[flask.Flask] = FlaskExpress, **options: t.Any
) -> tuple[t.Any, Talisman]:
    app = app_class(__name__)
    options.setdefault("content_security_policy", CSP)
    options.setdefault("content_security_policy_nonce_in", ["script-src"])
    return app, Talisman(app, **options)


class Page:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, req: t.Any, res: t.Any) -> t.Any:
        self.calls += 1
        return res.set("X-View", "ran").render(PAGE)


def nonces(rv: t.Any) -> tuple[str, str]:
    in_body = re.search(r'nonce="([^"]+)"', rv.text)
    in_header = re.search(r"'nonce-([^']+)'", rv.headers["Content-Security-Policy"])
    assert in_body and in_header, (rv.text, rv.headers)
    return in_body.group(1), in_header.group(1)


def test_csp_nonce_of_res_render_matches_the_header(shape: str, serve: t.Any) -> None:
    app, _ = make_app()
    serve(app, "/page", Page(), shape)
    client = app.test_client()

    first = client.get("/page", base_url=HTTPS)
    assert first.status_code == 200
    body_nonce, header_nonce = nonces(first)
    assert body_nonce == header_nonce and len(body_nonce) >= 16
    assert first.headers["Content-Security-Policy"] == (
        f"default-src 'self'; script-src 'self' 'nonce-{header_nonce}'"
    )
    second = client.get("/page", base_url=HTTPS)
    assert nonces(second)[0] == nonces(second)[1] != body_nonce  # one per request


def test_security_headers_on_req_res_answers(shape: str, serve: t.Any) -> None:
    app, _ = make_app()
    serve(app, "/page", Page(), shape)
    rv = app.test_client().get("/page", base_url=HTTPS)

    assert rv.headers["X-View"] == "ran"
    assert rv.headers["Strict-Transport-Security"] == "max-age=31556926; includeSubDomains"
    assert rv.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert rv.headers["X-Content-Type-Options"] == "nosniff"
    assert rv.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Content-Security-Policy" in rv.headers


@pytest.mark.parametrize("permanent", [False, True])
def test_force_https_redirects_before_the_view(shape: str, serve: t.Any, permanent: bool) -> None:
    app, _ = make_app(force_https_permanent=permanent)
    page = Page()
    serve(app, "/page", page, shape)
    client = app.test_client()

    rv = client.get("/page?x=1")
    assert rv.status_code == (301 if permanent else 302)
    assert rv.headers["Location"] == "https://localhost/page?x=1"
    assert page.calls == 0

    proxied = client.get("/page", headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200
    assert page.calls == 1


def test_force_https_off(shape: str, serve: t.Any) -> None:
    app, _ = make_app(force_https=False)
    serve(app, "/page", Page(), shape)
    rv = app.test_client().get("/page")
    assert rv.status_code == 200
    assert "Strict-Transport-Security" not in rv.headers  # HSTS only over HTTPS


def test_per_view_options(shape: str, serve: t.Any) -> None:
    app, talisman = make_app()
    options = talisman(frame_options="DENY", force_https=False)
    if "method_view" in shape:
        # Talisman reads the options from the function Flask routes to.
        serve(app, "/embed", Page(), shape, class_decorators=[options])
    else:
        serve(app, "/embed", Page(), shape, decorators=[options])
    rv = app.test_client().get("/embed")
    assert rv.status_code == 200
    assert rv.headers["X-Frame-Options"] == "DENY"


def test_same_headers_as_a_plain_flask_view() -> None:
    plain, _ = make_app(flask.Flask)

    @plain.get("/page")
    def page() -> t.Any:
        return flask.render_template_string(PAGE)

    express, _ = make_app()
    express.add_url_rule("/page", "page", Page())

    seen = []
    for app in (plain, express):
        client = app.test_client()
        redirect, rv = client.get("/page"), client.get("/page", base_url=HTTPS)
        nonce = nonces(rv)[1]
        headers = {
            k: v.replace(nonce, "<nonce>")
            for k, v in rv.headers.items()
            if k not in ("X-View", "Content-Length")
        }
        seen.append((redirect.status_code, redirect.headers["Location"], headers))
    assert seen[0] == seen[1]
