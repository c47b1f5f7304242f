"""The development server behind :meth:`FlaskExpress.listen`: SIGTERM stops it as Ctrl-C does."""

from __future__ import annotations

import os
import signal
import threading
import typing as t

if t.TYPE_CHECKING:
    from types import FrameType

__all__ = ["stop_on_sigterm"]


def stop_on_sigterm() -> t.Callable[[], None]:
    """Make SIGTERM stop the server as Ctrl-C does; return the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    if os.environ.get("WERKZEUG_RUN_MAIN") == "true":
        # Under the reloader this is the serving child: SIGTERM reaches only
        # the parent, so stop when the parent is gone.
        _watch_parent(os.getppid())

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def _watch_parent(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="fx-parent-watch", daemon=True).start()
