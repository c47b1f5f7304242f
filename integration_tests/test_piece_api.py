"""The pieces reach fx-core only through its public names (docs/pieces.md).

Each piece depends on ``fx-core>=1,<2``: any fx-core 1.x must keep working
with it. That promise covers fx-core's public API only, so a piece that used
a private name (``res._finish()``, ``fx_core._something``, an import from a
module whose name starts with ``_``) could break on any fx-core release.
This test reads each piece's source and fails on such a use.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import fx_core

ROOT = Path(__file__).resolve().parents[1]

#: The source of every distribution under packages/ other than fx-core itself:
#: the pieces and the meta-package.
PIECE_SOURCES = sorted(
    path
    for path in (ROOT / "packages").glob("*/src/**/*.py")
    if path.relative_to(ROOT / "packages").parts[0] != "fx-core"
)


def _private(name: str) -> bool:
    """A private name: one leading underscore, not a dunder such as ``__init__``."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _core_private_members() -> set[str]:
    """Private names that fx-core's classes define, which a piece's ``self``
    (a subclass of fx_core.Response or fx_core.Request) would inherit."""
    names: set[str] = set()
    for cls in (fx_core.Response, fx_core.Request, fx_core.FlaskExpress, fx_core.Blueprint):
        for klass in cls.__mro__:
            if klass.__module__.startswith("fx_core"):
                names.update(name for name in vars(klass) if _private(name))
    return names


CORE_PRIVATE = _core_private_members()


class _Uses(ast.NodeVisitor):
    """Collect the fx_core names a module uses that are not public."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        #: Local names bound to fx_core or one of its modules.
        self.core_aliases: set[str] = set()
        #: Names the module itself defines (its own helpers may be private).
        self.own_names: set[str] = set()

    def report(self, node: ast.AST, what: str) -> None:
        self.problems.append(f"line {getattr(node, 'lineno', '?')}: {what}")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "fx_core" or alias.name.startswith("fx_core."):
                parts = alias.name.split(".")
                if any(_private(part) for part in parts):
                    self.report(node, f"import {alias.name} (a private module of fx-core)")
                self.core_aliases.add(alias.asname or parts[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level == 0 and (module == "fx_core" or module.startswith("fx_core.")):
            if any(_private(part) for part in module.split(".")):
                self.report(node, f"from {module} import ... (a private module of fx-core)")
            for alias in node.names:
                if _private(alias.name):
                    self.report(node, f"from {module} import {alias.name} (private)")
                else:
                    self.core_aliases.add(alias.asname or alias.name)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        base = node.value
        if isinstance(base, ast.Name) and base.id in self.core_aliases and _private(node.attr):
            self.report(node, f"{base.id}.{node.attr} (a private name of fx-core)")
        # self._x, res._x: a private member the module does not define itself
        # is inherited, from fx-core's classes (or Flask's under them).
        elif _private(node.attr) and node.attr not in self.own_names:
            where = "fx-core's classes" if node.attr in CORE_PRIVATE else "a base class"
            self.report(node, f".{node.attr} (a private member of {where})")
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        # obj.__dict__["locals"]: reading fx-core's cached attributes behind
        # their back is as private as an underscore name.
        value = node.value
        if isinstance(value, ast.Attribute) and value.attr == "__dict__":
            self.report(node, "reads an object's __dict__ (fx-core's internals)")
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        for side in (node.left, *node.comparators):
            if isinstance(side, ast.Attribute) and side.attr == "__dict__":
                self.report(node, "tests membership in an object's __dict__")
        self.generic_visit(node)


def _own_definitions(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def private_uses(source: str) -> list[str]:
    """The uses of fx-core's private names in ``source``, one line each."""
    tree = ast.parse(source)
    visitor = _Uses()
    visitor.own_names = _own_definitions(tree)
    visitor.visit(tree)
    return visitor.problems


def test_there_are_pieces_to_check() -> None:
    packages = {path.relative_to(ROOT / "packages").parts[0] for path in PIECE_SOURCES}
    assert {"fx-cookies", "fx-files", "fx-render", "fx-flash", "flask-express"} <= packages
    assert "fx-core" not in packages


@pytest.mark.parametrize(
    "path", PIECE_SOURCES, ids=[str(p.relative_to(ROOT / "packages")) for p in PIECE_SOURCES]
)
def test_a_piece_uses_only_public_names_of_fx_core(path: Path) -> None:
    assert private_uses(path.read_text(encoding="utf-8")) == []


# -- the check itself catches each kind of private use ---------------------------------

PRIVATE_USES = {
    "private method on self": (
        "import fx_core\n"
        "class M(fx_core.Response):\n"
        "    def x(self):\n"
        "        self._check_open('x')\n"
    ),
    "private attribute of the package": "import fx_core\nfx_core._private\n",
    "private name imported": "from fx_core.response import _FormatNotAcceptable\n",
    "private module imported": "from fx_core._internal import thing\n",
    "private module as import": "import fx_core._internal\n",
    "aliased module": "import fx_core.response as r\nr._JSONABLE\n",
    "__dict__ read": "def f(res):\n    return res.__dict__['locals']\n",
    "__dict__ membership": "def f(res):\n    return 'locals' in res.__dict__\n",
    "private attribute of res": "def f(res):\n    return res._fx_app\n",
}


@pytest.mark.parametrize("source", PRIVATE_USES.values(), ids=list(PRIVATE_USES))
def test_the_check_catches_a_private_use(source: str) -> None:
    assert private_uses(source) != []


PUBLIC_USES = {
    "piece API": (
        "import fx_core\n"
        "class M(fx_core.Response):\n"
        "    def x(self):\n"
        "        self.check_open('x')\n"
        "        self.set_body('b', 'text/plain')\n"
        "        self.apply_etag()\n"
        "        return self.finish('x')\n"
    ),
    "a piece's own private helper": (
        "import fx_core\n"
        "class M(fx_core.Response):\n"
        "    def _send(self):\n"
        "        return self\n"
        "    def x(self):\n"
        "        return self._send()\n"
    ),
    "public modules": (
        "from fx_core.http import TOKEN\nfrom fx_core.client_data import CookieMunch\n"
    ),
    "dunders": "import fx_core\nclass M(fx_core.Response):\n    __slots__ = ()\n",
}


@pytest.mark.parametrize("source", PUBLIC_USES.values(), ids=list(PUBLIC_USES))
def test_the_check_passes_public_uses(source: str) -> None:
    assert private_uses(source) == []
