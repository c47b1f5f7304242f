"""Serve the demo with the development server: ``python -m flask_express.demo``."""

from __future__ import annotations

import argparse
import typing as t

from flask_express.demo import app


def main(argv: t.Sequence[str] | None = None) -> None:
    """Parse ``--host`` and ``--port`` and serve the demo until stopped.

    :param argv: the arguments; default ``sys.argv[1:]``.
    """
    parser = argparse.ArgumentParser(
        prog="python -m flask_express.demo",
        description="Serve the Flask-Express demo with the development server "
        "(Ctrl-C or SIGTERM stops it).",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="the interface to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=5000, help="the port to listen on (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    app.listen(args.port, args.host)


if __name__ == "__main__":
    main()
