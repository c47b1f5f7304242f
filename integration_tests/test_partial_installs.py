"""Each piece installs on its own: fresh virtual environments with only some
distributions, installed (not editable) from the package folders.

In each environment, a check script builds an app from whatever is installed
and reports, through Flask's test client, that every installed piece works
and that every missing one raises ``MissingFeature`` naming its distribution.
"""

from __future__ import annotations

import json
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

PACKAGES = Path(__file__).resolve().parents[1] / "packages"

#: distribution -> (import name, mixin, a response method it provides)
PIECES: dict[str, tuple[str, str, str]] = {
    "fx-cookies": ("fx_cookies", "CookiesMixin", "cookie"),
    "fx-files": ("fx_files", "FilesMixin", "send_file"),
    "fx-render": ("fx_render", "RenderMixin", "render"),
    "fx-flash": ("fx_flash", "FlashMixin", "flash"),
}

# Run inside each environment. It prints one JSON object: what was importable,
# what each installed piece did through the test client, and the message of
# each missing one.
CHECK_SCRIPT = r"""
import importlib, json, sys, tempfile
from pathlib import Path

from fx_core import FlaskExpress, MissingFeature, compose

PIECES = json.loads(sys.argv[1])
use_meta = sys.argv[2] == "meta"
report = {"imports": {}, "works": {}, "missing": {}}
mixins = []
for dist, (module, mixin, method) in PIECES.items():
    try:
        mixins.append(getattr(importlib.import_module(module), mixin))
        report["imports"][dist] = True
    except ImportError:
        report["imports"][dist] = False

if use_meta:
    import flask_express
    app = flask_express.FlaskExpress(__name__)
    report["meta_mro_matches_compose"] = (
        flask_express.Response.__mro__[1:] == compose(*mixins).__mro__[1:]
    )
else:
    app = FlaskExpress(__name__, response_class=compose(*mixins))
app.config.update(SECRET_KEY="partial-installs", TESTING=True)
folder = Path(tempfile.mkdtemp())
(folder / "hello.txt").write_bytes(b"hello from a file")

@app.get("/core")
def core(req, res):
    return res.set("X-Core", "yes").json({"q": req.query.get("q")})

@app.get("/cookies")
def cookies(req, res):
    return res.cookie("flavour", "oat", httponly=True).send("cookie set")

@app.get("/files")
def files(req, res):
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
for dist, (module, mixin, method) in PIECES.items():
    if report["imports"][dist]:
        if dist == "fx-cookies":
            rv = client.get("/cookies")
            report["works"][dist] = rv.headers.get("Set-Cookie")
        elif dist == "fx-files":
            report["works"][dist] = client.get("/files").data.decode()
        elif dist == "fx-render":
            report["works"][dist] = client.get("/render").data.decode()
        elif dist == "fx-flash":
            client.get("/flash")
            report["works"][dist] = client.get("/flashes").json
    else:
        with app.test_request_context():
            res = app.response_class.for_request()
            try:
                getattr(res, method)
            except MissingFeature as exc:
                report["missing"][dist] = str(exc)
print(json.dumps(report))
"""


def make_env(root: Path, name: str, dists: t.Sequence[str]) -> Path:
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
            *(str(PACKAGES / dist) for dist in dists),
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
    out = subprocess.run(
        [str(python), "-c", CHECK_SCRIPT, json.dumps(PIECES), "meta" if meta else "core"],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    return t.cast(dict[str, t.Any], json.loads(out))


def missing_message(dist: str) -> str:
    _module, mixin, method = PIECES[dist]
    return f"res.{method}() comes from {dist}: pip install {dist}, then compose({mixin})"


def assert_piece_works(dist: str, seen: t.Any) -> None:
    if dist == "fx-cookies":
        assert seen == "flavour=oat; HttpOnly; Path=/"
    elif dist == "fx-files":
        assert seen == "hello from a file"
    elif dist == "fx-render":
        assert seen == "<p>&lt;Ada&gt;</p>"
    elif dist == "fx-flash":
        assert seen == ["saved"]


@pytest.fixture(scope="module")
def envs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("partial-installs")
    return {
        "core": make_env(root, "core", ["fx-core"]),
        "core+files": make_env(root, "core-files", ["fx-core", "fx-files"]),
        "meta": make_env(root, "meta", ["flask-express", "fx-core", *PIECES]),
    }


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
    for dist in PIECES:
        if dist in expected:
            assert_piece_works(dist, report["works"][dist])
        else:
            assert report["missing"][dist] == missing_message(dist)
    if env == "meta":
        assert report["meta_mro_matches_compose"] is True
