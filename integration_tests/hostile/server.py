"""How the integration tests serve :mod:`hostile.app` with gunicorn."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

__all__ = ["APP", "command", "environment"]

#: The folder that holds the ``hostile`` package.
IMPORT_ROOT = Path(__file__).resolve().parent.parent
#: What gunicorn serves: the factory, called once per worker.
APP = "hostile.app:create_app()"


def command(gunicorn: Callable[..., list[str]], port: int) -> list[str]:
    """The gunicorn command line for :data:`APP` on 127.0.0.1:``port``.

    :param gunicorn: the ``gunicorn`` fixture of integration_tests/conftest.py.

    One worker is enough and starts fastest. The request line is not
    limited, so very long names reach the app instead of gunicorn's 400.
    """
    args = gunicorn(port, app=APP, workers=1)
    return [*args[:-1], "--limit-request-line", "0", args[-1]]


def environment(root: Path) -> dict[str, str]:
    """The environment that lets gunicorn import :mod:`hostile.app` and
    serve the tree at ``root`` (see :func:`hostile.app.make_tree`)."""
    paths = [str(IMPORT_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {"HOSTILE_ROOT": str(root), "PYTHONPATH": os.pathsep.join(paths)}
