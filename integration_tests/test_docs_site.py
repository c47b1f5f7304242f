"""The documentation site as a reader gets it: built with the docs
environment (``hatch run docs:mkdocs build``, into a temporary folder) and
loaded in Debian's Chromium at 1280 px.

- nothing is fetched from outside the site (no web fonts, no CDN scripts);
- ``site_url`` and ``repo_url`` are set;
- a table wider than the page scrolls inside its wrapper, no column hidden;
- no code identifier in a table is split across two lines;
- no private (``_``) name in the API reference.

The strict build (every warning an error) is .ci/run's ``hatch run
docs:build``; this one is not strict, so that it checks what a reader sees.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 1280
TIMEOUT_MS = 30_000
# Pages with wide tables and many identifiers in them.
PAGES = [
    "index.html",
    "parity/index.html",
    "choices/index.html",
    "api/response/index.html",
    "api/request/index.html",
    "packages/fx-core/index.html",
    "migration/from-express/index.html",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    hatch = shutil.which("hatch")
    if hatch is None:
        if os.environ.get("CI"):
            pytest.fail("hatch is not on PATH (the hatch-test environment installs it)")
        pytest.skip("hatch is not on PATH")
    out = tmp_path_factory.mktemp("site")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HATCH_ENV", "VIRTUAL_ENV"))}
    env["NO_MKDOCS_2_WARNING"] = "1"
    result = subprocess.run(
        [hatch, "run", "docs:mkdocs", "build", "--quiet", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / "index.html").exists()
    return out


def test_site_url_and_repo_url_are_set() -> None:
    # mkdocs.yml has !!python tags in places; only these keys are read here.
    text = (ROOT / "mkdocs.yml").read_text()
    assert re.search(r"^site_url: https://\S+/$", text, re.MULTILINE)
    assert re.search(r"^repo_url: https://\S+$", text, re.MULTILINE)
    assert re.search(r"^  font: false$", text, re.MULTILINE)
    urls = tomllib.loads((ROOT / "packages/fx-core/pyproject.toml").read_text())["project"]["urls"]
    assert urls["Repository"] in text


EXTERNAL = re.compile(
    r"<(?:script|img|iframe)\b[^>]*\bsrc=\"(https?:)?//|"
    r"<link\b(?![^>]*\brel=\"(?:canonical|alternate)\")[^>]*\bhref=\"(https?:)?//",
    re.IGNORECASE,
)


def test_no_page_loads_anything_from_outside(site: Path) -> None:
    offenders = []
    for page in site.rglob("*.html"):
        for match in EXTERNAL.finditer(page.read_text(encoding="utf-8")):
            offenders.append(f"{page.relative_to(site)}: {match.group(0)[:120]}")
    assert offenders == []
    css = "\n".join(p.read_text() for p in site.rglob("*.css"))
    assert not re.search(r"@import\s+url\(\s*[\"']?https?:|fonts\.googleapis", css)


PRIVATE = re.compile(r'\bid="((?:fx_\w+|flask_express)(?:\.\w+)*\._(?!_)\w*)"')


def test_no_private_name_in_the_api_reference(site: Path) -> None:
    pages = sorted((site / "api").rglob("*.html"))
    assert pages
    found = {m for page in pages for m in PRIVATE.findall(page.read_text(encoding="utf-8"))}
    assert found == set()
    # The check sees public ids: it would see a private one.
    assert re.search(r'id="flask_express\.Response\.send_status"', (site / PAGES[3]).read_text())


# Run in the page: each table wider than its wrapper must scroll there, and
# each code element in a table must sit on one line.
LAYOUT = r"""
() => {
  const problems = [];
  for (const table of document.querySelectorAll(".md-typeset table")) {
    const wrap = table.closest(".md-typeset__scrollwrap");
    const box = (wrap || table.parentElement).getBoundingClientRect();
    const wide = table.getBoundingClientRect().width > box.width + 1;
    const scrolls = wrap && ["auto", "scroll"].includes(getComputedStyle(wrap).overflowX);
    if (wide && !scrolls) problems.push("table wider than its container with no scroll");
    for (const cell of table.querySelectorAll("th, td")) {
      if (getComputedStyle(cell).display === "none") problems.push("a hidden column");
    }
    for (const code of table.querySelectorAll("code")) {
      const lines = new Set([...code.getClientRects()].map(r => Math.round(r.top)));
      if (lines.size > 1) problems.push("code split across lines: " + code.textContent);
    }
  }
  return problems;
}
"""


@pytest.mark.parametrize("page", PAGES)
def test_a_page_at_1280_px(site: Path, browser: t.Any, page: str) -> None:
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    outside: list[str] = []

    def route(request_route: t.Any) -> None:
        url = request_route.request.url
        if url.startswith(("file://", "data:", "blob:", "about:")) or re.match(
            r"https?://127\.0\.0\.1[:/]", url
        ):
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    try:
        context.route("**/*", route)
        tab = context.new_page()
        tab.goto((site / page).as_uri(), wait_until="load", timeout=TIMEOUT_MS)
        problems = tab.evaluate(LAYOUT)
        assert tab.evaluate("document.documentElement.scrollWidth") <= WIDTH
    finally:
        context.close()
    assert outside == []
    assert problems == []
