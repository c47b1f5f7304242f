"""Names for annotations, as in flask-express 0.1.x::

from flask_express.typing import Request, Response

def show(req: Request, res: Response) -> Response:
    return res.json(req.query)
"""

from .request import Request
from .response import Response

__all__ = ["Request", "Response"]
