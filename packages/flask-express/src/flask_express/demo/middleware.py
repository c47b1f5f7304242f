"""The demo's middleware, registered with ``app.use`` in :func:`create_app`."""

from __future__ import annotations

import time
import typing as t

from flask_express.typing import Request, Response

__all__ = ["admins_only", "response_time"]


def response_time(req: Request, res: Response, next: t.Callable[[], None]) -> None:
    """app.use(middleware) runs it before every view; after next() it adds X-Response-Time."""
    started = time.perf_counter()
    next()
    res.set("X-Response-Time", f"{(time.perf_counter() - started) * 1000:.3f}ms")


def admins_only(req: Request, res: Response, next: t.Callable[[], None]) -> Response | None:
    """app.use(path) with "/admin" guards /admin and below; log in as "admin" to pass."""
    if req.get_session("name") != "admin":
        return res.send_status(401).json(error="Log in as 'admin' to see /admin.")
    next()
    return None
