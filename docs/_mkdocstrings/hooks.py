"""MkDocs hooks (mkdocs.yml ``hooks:``).

- ``on_config``: what depends on the list of distributions comes from
  .github/scripts/workspace.py (every ``packages/*/pyproject.toml``), so that a
  new piece needs no edit here or in mkdocs.yml: mkdocstrings preloads every
  import package, and the Packages section of the nav gets one page a
  distribution, ``packages/<name>.md``, right after ``packages/index.md``. A
  distribution without its page is a warning, which fails
  ``mkdocs build --strict``. Pages written apart from the rest of the docs
  (the benchmark report, which ``hatch run bench:run`` writes) join the nav
  when they exist, and stay out of it, so that ``--strict`` passes, while
  they do not.
- ``on_page_content`` and ``on_env``: docs/api/response.md and
  docs/api/request.md list the members of ``flask_express.Response`` and
  ``fx_core.Request`` by name, one section per providing package. A public
  member added to a class of ours and not to the page (nor, for the piece
  API, to the page of the class that defines it) would silently be left out;
  this makes it a warning, which fails ``mkdocs build --strict``.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import sys
import typing as t
from pathlib import Path

from mkdocs.plugins import event_priority

if t.TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.hooks.api_reference")

# .github/scripts is no package: put it on sys.path, as the tests and the
# scripts themselves do, and import the module that lists the distributions.
_SCRIPTS = str(Path(__file__).resolve().parents[2] / ".github" / "scripts")


def distributions() -> tuple[t.Any, ...]:
    """``workspace.distributions()``: core first, meta-package last."""
    if _SCRIPTS not in sys.path:
        sys.path.insert(0, _SCRIPTS)
    import workspace

    return tuple(workspace.distributions())


# (title, page, the nav entry it goes before) for pages that may not exist yet.
_OPTIONAL_PAGES = (("Benchmarks", "benchmarks.md", "security.md"),)

_OWN = tuple(dist.import_name for dist in distributions())
_PACKAGES_INDEX = "packages/index.md"

# Page -> (module, class name, the heading ids' prefix on that page).
_PAGES = {
    "api/response.md": ("flask_express", "Response", "flask_express.Response"),
    "api/request.md": ("fx_core", "Request", "fx_core.Request"),
}


def _in_nav(nav: list[t.Any], page: str) -> bool:
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if value == page or (isinstance(value, list) and _in_nav(value, page)):
            return True
    return False


def _preload_every_package(config: MkDocsConfig) -> None:
    plugin = config.plugins.get("mkdocstrings")
    if plugin is None:
        return
    options = plugin.config.handlers.setdefault("python", {}).setdefault("options", {})
    listed = list(options.get("preload_modules", []))
    options["preload_modules"] = listed + [name for name in _OWN if name not in listed]


def _package_pages(config: MkDocsConfig, nav: list[t.Any], root: list[t.Any]) -> bool:
    """One nav entry a distribution after ``packages/index.md``, wherever it
    is; whether that page was found."""
    for item in nav:
        if not isinstance(item, dict):
            continue
        section = next(iter(item.values()))
        if not isinstance(section, list):
            continue
        if _PACKAGES_INDEX not in section:
            if _package_pages(config, section, root):
                return True
            continue
        at = section.index(_PACKAGES_INDEX) + 1
        for dist in distributions():
            page = f"packages/{dist.name}.md"
            if _in_nav(root, page):
                continue
            if not os.path.isfile(os.path.join(config.docs_dir, page)):
                log.warning(
                    "docs/%s is missing: every distribution under packages/ (here %s) "
                    "has a page there",
                    page,
                    dist.folder.name,
                )
                continue
            section.insert(at, {dist.name: page})
            at += 1
        return True
    return False


# Before mkdocstrings reads its handler's options.
@event_priority(100)
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _preload_every_package(config)
    nav = config.nav
    if nav is None:
        return config
    if not _package_pages(config, nav, nav):
        log.warning("the nav has no section with %s to list the packages after", _PACKAGES_INDEX)
    for title, page, before in _OPTIONAL_PAGES:
        if not os.path.isfile(os.path.join(config.docs_dir, page)) or _in_nav(nav, page):
            continue
        positions = [i for i, item in enumerate(nav) if _in_nav([item], before)]
        nav.insert(positions[0] if positions else len(nav), {title: page})
    return config


def public_members(cls: type) -> dict[str, set[str]]:
    """The public names that the classes of our packages in ``cls``'s MRO
    define, each with the public paths of the classes that define it
    (``fx_core.Response`` for ``fx_core.response.Response``).

    The stubs that stand for a piece that is not composed (they raise
    ``MissingFeature``) are not members.
    """
    from fx_core.pieces import MissingName

    names: dict[str, set[str]] = {}
    for klass in cls.__mro__:
        package = klass.__module__.split(".", 1)[0]
        if package not in _OWN:
            continue
        for name, value in vars(klass).items():
            if not name.startswith("_") and not isinstance(value, MissingName):
                names.setdefault(name, set()).add(f"{package}.{klass.__qualname__}")
    return names


# Page -> the heading ids on it, for the check in on_env.
_IDS: dict[str, set[str]] = {}
_ID = re.compile(r'\bid="([^"]+)"')


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    _IDS[page.file.src_uri] = set(_ID.findall(html))
    return html


def on_env(env: t.Any, config: MkDocsConfig, files: Files) -> t.Any:
    """Once every page is rendered: a member is documented on its class's page
    (``flask_express.Response.json`` on api/response.md), or on any page under
    a class that defines it (``fx_core.Response.check_open``, the piece API
    on api/pieces.md)."""
    everywhere = set().union(*_IDS.values())
    for src_uri, (module, name, prefix) in _PAGES.items():
        ids = _IDS.get(src_uri)
        if ids is None:
            continue
        cls = getattr(importlib.import_module(module), name)
        missing = sorted(
            member
            for member, owners in public_members(cls).items()
            if f"{prefix}.{member}" not in ids
            and not any(f"{owner}.{member}" in everywhere for owner in owners)
        )
        if missing:
            log.warning(
                "%s does not document %s: add %s to a `members` list there",
                src_uri,
                ", ".join(f"{prefix}.{m}" for m in missing),
                "it" if len(missing) == 1 else "them",
            )
    return env
