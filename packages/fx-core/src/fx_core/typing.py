"""Names for annotations.

::

    from fx_core.typing import Request, Response

    def show(req: Request, res: Response) -> Response:
        return res.json(req.query)
"""

from __future__ import annotations

import typing as t

from flask.typing import ResponseReturnValue

from .request import Request
from .response import Response

__all__ = ["Request", "Response", "View"]

#: A ``(req, res)`` view: returns what Flask accepts, or ``None`` after
#: finishing ``res``.
View = t.Callable[..., ResponseReturnValue | t.Awaitable[t.Any] | None]
