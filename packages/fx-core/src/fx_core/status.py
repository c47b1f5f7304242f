"""``res.status``: Werkzeug's status string, callable as Express's ``res.status(code)``."""

from __future__ import annotations

import typing as t

from .http import check_status

if t.TYPE_CHECKING:
    from .response import Response

__all__ = ["Status"]

_R = t.TypeVar("_R", bound="Response")


class Status(str, t.Generic[_R]):
    """What ``res.status`` reads: Werkzeug's status string (``"200 OK"``),
    which can also be called as Express's ``res.status(code)``.

    As a string it is the status line Werkzeug keeps, so comparing,
    formatting, hashing and ``isinstance(res.status, str)`` behave as on
    any Flask response. Called, it sets the status code as
    :meth:`Response.send_status` does and returns the response, to chain::

        return res.status(404).json({"error": "no such user"})

    Assigning ``res.status`` is Werkzeug's setter, unchanged
    (``res.status = 404`` or ``res.status = "404 NOT FOUND"``).

    .. versionadded:: 1.1
    """

    _res: _R

    def __call__(self, code: int) -> _R:
        """Set the status code of the response this was read from; chainable.

        :param code: an ``int`` from 100 to 999. Other types raise
            :exc:`TypeError`, other numbers :exc:`ValueError`.
        """
        res = self._res
        res.status_code = check_status(code, "status")
        return res

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        # A copy or a pickle is the plain string: the response it was read
        # from is no part of its value.
        return str, (str.__str__(self),)
