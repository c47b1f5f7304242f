"""Run the benchmarks: ``python integration_tests/benchmarks/run.py MODE [options]``.

The hatch scripts call this file (``hatch run bench:run``, ``bench:a``, ...);
``--help`` lists the modes and options.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    # Run as a script, Python puts this folder first on sys.path; import the
    # suite as the package ``benchmarks`` from integration_tests/ instead, so
    # its modules never shadow others (cProfile imports ``profile``, ...).
    sys.path[0] = str(Path(__file__).resolve().parent.parent)
    from benchmarks.cli import main

    sys.exit(main())
