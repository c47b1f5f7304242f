"""Checked by ``mypy --strict``, never run: ``res.status`` reads as
Werkzeug's ``str``, is callable as Express's ``res.status(code)`` returning
the response's own type (so a composed class keeps its methods), and its
setter takes what Werkzeug's does. Each ``assert_type`` fails the check
when the revealed type changes; each ``type: ignore`` line must stay an
error (``warn_unused_ignores`` is on under ``--strict``).
"""

from __future__ import annotations

from http import HTTPStatus

from typing_extensions import assert_type

from flask_express import FlaskExpress
from flask_express import Response as ComposedResponse
from fx_core import Request, Response
from fx_core.response import Status

app = FlaskExpress(__name__)


@app.get("/core")
def core(req: Request, res: Response) -> Response:
    assert_type(res.status, Status[Response])
    assert_type(res.status(201), Response)
    text: str = res.status
    starts: bool = res.status.startswith("2")
    same: bool = res.status == "201 CREATED"
    res.status = 404
    res.status = "404 NOT FOUND"
    res.status = HTTPStatus.NOT_FOUND
    res.status = 1.5  # type: ignore[assignment]
    res.status("404")  # type: ignore[arg-type]
    del text, starts, same
    return res.status(201).json({"created": True})


@app.get("/composed")
def composed(req: Request, res: ComposedResponse) -> ComposedResponse:
    assert_type(res.status(200), ComposedResponse)
    # A piece's method after the call: the composed type is kept.
    return res.status(200).render("{{ 1 }}")
