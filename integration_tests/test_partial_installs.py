"""Each piece installs on its own: fresh virtual environments with only some
distributions, installed (not editable) from the package folders.

The pieces are those of .github/scripts/workspace.py (every folder under
packages/), and what each one provides is its row in fx-core's MissingFeature
table (``fx_core.pieces.PIECES``), so a new piece is checked here with no
edit to this file.

In each environment, a check script builds two apps from whatever is
installed: one whose response class composes every installed piece (or the
meta-package's app), and one on fx-core's bare response class. Through
Flask's test client it reports, for every name of every piece, whether it
works or the message of the ``MissingFeature`` it raises:

- composed and installed: it works;
- installed but not composed: ``res.X() comes from fx-Y, which is installed: compose(ZMixin)``;
- not installed: ``res.X() comes from fx-Y: pip install fx-Y, then compose(ZMixin)``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
import workspace

from fx_core.pieces import PIECES as TABLE
from fx_core.pieces import Piece

DISTS = workspace.by_name()
PIECES = [dist.name for dist in DISTS.values() if dist.is_piece]
META = workspace.meta()
ROWS = {row.distribution: row for row in TABLE}

# Run inside each environment with the derived pieces as JSON
# ([distribution, import name] pairs). It prints one JSON object: what was
# importable, what every name of every piece does on the composed app and on
# a bare one, and what the behaviour probes saw.
CHECK_SCRIPT = r"""
import importlib, json, sys, tempfile
from pathlib import Path

import flask
from fx_core import FlaskExpress, MissingFeature, compose
from fx_core.pieces import PIECES as TABLE

PIECES = dict(json.loads(sys.argv[1]))
use_meta = sys.argv[2] == "meta"
report = {"imports": {}, "composed": {}, "bare": {}, "probes": {}}
for dist, module in PIECES.items():
    try:
        importlib.import_module(module)
        report["imports"][dist] = True
    except ImportError:
        report["imports"][dist] = False
# The table's order is the order the meta-package composes the mixins in.
rows = [row for row in TABLE if row.distribution in PIECES]
mixins = [
    getattr(importlib.import_module(PIECES[row.distribution]), row.mixin)
    for row in rows
    if report["imports"][row.distribution]
]

if use_meta:
    import flask_express
    app = flask_express.FlaskExpress(__name__)
    report["meta_mro_matches_compose"] = (
        flask_express.Response.__mro__[1:] == compose(*mixins).__mro__[1:]
    )
else:
    app = FlaskExpress(__name__, response_class=compose(*mixins))
bare = FlaskExpress("bare")
for each in (app, bare):
    each.config.update(SECRET_KEY="partial-installs", TESTING=True)


def outcome(obj, name):
    try:
        getattr(obj, name)
    except MissingFeature as exc:
        return str(exc)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return "works"


for key, each in (("composed", app), ("bare", bare)):
    with each.test_request_context():
        res = each.response_class.for_request()
        for row in rows:
            seen = report[key][row.distribution] = {}
            for name in row.response_methods:
                seen["res." + name] = outcome(res, name)
            for name in (*row.request_methods, *row.request_properties):
                seen["req." + name] = outcome(flask.request, name)

folder = Path(tempfile.mkdtemp())
(folder / "hello.txt").write_bytes(b"hello from a file")

@app.get("/core")
def core(req, res):
    return res.set("X-Core", "yes").json({"q": req.query.get("q")})

@app.get("/cookie")
def cookie(req, res):
    return res.cookie("flavour", "oat", httponly=True).send("cookie set")

@app.get("/send_file")
def send_file(req, res):
    return res.send_file("hello.txt", root=str(folder))

@app.get("/render")
def render(req, res):
    return res.render("<p>{{ name }}</p>", name="<Ada>")

@app.get("/flash")
def flash(req, res):
    return res.flash("saved").redirect("/flashes")

@app.get("/flashes")
def flashes(req, res):
    return res.json(req.flashes())

client = app.test_client()
rv = client.get("/core?q=1")
report["core"] = [rv.status_code, rv.headers.get("X-Core"), rv.json]
composed = {name for seen in report["composed"].values() for name, how in seen.items()
            if how == "works"}
if "res.cookie" in composed:
    report["probes"]["cookie"] = client.get("/cookie").headers.get("Set-Cookie")
if "res.send_file" in composed:
    report["probes"]["send_file"] = client.get("/send_file").data.decode()
if "res.render" in composed:
    report["probes"]["render"] = client.get("/render").data.decode()
if "res.flash" in composed:
    client.get("/flash")
    report["probes"]["flash"] = client.get("/flashes").json
print(json.dumps(report))
"""

#: What the check script's behaviour probes must see, by response method. A
#: piece whose methods have no probe here is still checked name by name; its
#: behaviour is its own tests' job.
PROBES: dict[str, t.Any] = {
    "cookie": "flavour=oat; HttpOnly; Path=/",
    "send_file": "hello from a file",
    "render": "<p>&lt;Ada&gt;</p>",
    "flash": ["saved"],
}


def make_env(root: Path, name: str, dists: t.Iterable[str]) -> Path:
    """A fresh virtual environment with ``dists`` installed from their folders
    (built as wheels, not editable); returns its Python."""
    venv = root / name
    subprocess.run(
        [sys.executable, "-m", "uv", "venv", "--quiet", "--python", sys.executable, str(venv)],
        check=True,
        timeout=120,
    )
    python = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "uv",
            "pip",
            "install",
            "--quiet",
            "--python",
            str(python),
            *(str(DISTS[dist].folder) for dist in dists),
        ],
        check=True,
        timeout=600,
    )
    return python


def installed(python: Path) -> set[str]:
    """The distributions installed in the environment of ``python``."""
    out = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m, json; "
            "print(json.dumps([d.metadata['Name'] for d in m.distributions()]))",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return {name.lower() for name in json.loads(out)}


def check(python: Path, meta: bool = False) -> dict[str, t.Any]:
    pieces = [[name, DISTS[name].import_name] for name in PIECES]
    out = subprocess.run(
        [str(python), "-c", CHECK_SCRIPT, json.dumps(pieces), "meta" if meta else "core"],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    return t.cast(dict[str, t.Any], json.loads(out))


def names(row: Piece) -> dict[str, str]:
    """Each name of a piece, as the check script reports it (``res.render``),
    with how it is written in a message (``res.render()``, ``req.signed_cookies``)."""
    calls = {f"res.{name}": f"res.{name}()" for name in row.response_methods}
    calls.update({f"req.{name}": f"req.{name}()" for name in row.request_methods})
    calls.update({f"req.{name}": f"req.{name}" for name in row.request_properties})
    return calls


def not_installed_message(call: str, row: Piece) -> str:
    dist = row.distribution
    return f"{call} comes from {dist}: pip install {dist}, then compose({row.mixin})"


def not_composed_message(call: str, row: Piece) -> str:
    return f"{call} comes from {row.distribution}, which is installed: compose({row.mixin})"


@pytest.fixture(scope="module")
def envs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("partial-installs")
    return {
        "core": make_env(root, "core", ["fx-core"]),
        "core+files": make_env(root, "core-files", ["fx-core", "fx-files"]),
        "meta": make_env(root, "meta", DISTS),
    }


def test_every_piece_has_a_row_and_every_probe_a_piece() -> None:
    assert META is not None and META.name == "flask-express"
    assert "fx-files" in PIECES  # the core+files scenario below installs it
    assert [dist for dist in PIECES if dist not in ROWS] == []
    methods = {name for dist in PIECES for name in ROWS[dist].response_methods}
    assert set(PROBES) <= methods


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ("core", set()),
        ("core+files", {"fx-files"}),
        ("meta", set(PIECES)),
    ],
)
def test_installed_pieces_work_and_missing_ones_name_their_distribution(
    envs: dict[str, Path], env: str, expected: set[str]
) -> None:
    python = envs[env]
    dists = installed(python)
    assert "fx-core" in dists
    # Nothing beyond what was asked for came in as a dependency.
    assert {dist for dist in PIECES if dist in dists} == expected
    assert ("flask-express" in dists) == (env == "meta")

    report = check(python, meta=env == "meta")
    assert report["core"] == [200, "yes", {"q": "1"}]
    assert {dist for dist, ok in report["imports"].items() if ok} == expected
    assert set(report["composed"]) == set(report["bare"]) == set(PIECES)
    for dist in PIECES:
        row = ROWS[dist]
        calls = names(row)
        if dist in expected:
            assert report["composed"][dist] == dict.fromkeys(calls, "works"), dist
            assert report["bare"][dist] == {
                seen: not_composed_message(call, row) for seen, call in calls.items()
            }, dist
        else:
            for key in ("composed", "bare"):
                assert report[key][dist] == {
                    seen: not_installed_message(call, row) for seen, call in calls.items()
                }, (key, dist)
    probed = {name for dist in expected for name in ROWS[dist].response_methods} & set(PROBES)
    assert report["probes"] == {name: PROBES[name] for name in probed}
    if env == "meta":
        assert report["meta_mro_matches_compose"] is True
