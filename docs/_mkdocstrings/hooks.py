"""MkDocs hooks (mkdocs.yml ``hooks:``).

- ``on_config``: pages written apart from the rest of the docs (the benchmark
  report, which ``hatch run bench:run`` writes) join the nav when they exist,
  and stay out of it, so that ``--strict`` passes, while they do not.
- ``on_page_content``: docs/api/response.md and docs/api/request.md list the
  members of ``flask_express.Response`` and ``fx_core.Request`` by name, one
  section per providing package. A public member added to a class of ours and
  not to the page would silently be left out; this makes it a warning, which
  fails ``mkdocs build --strict``.
"""

from __future__ import annotations

import importlib
import logging
import os
import typing as t

if t.TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.hooks.api_reference")

# (title, page, the nav entry it goes before) for pages that may not exist yet.
_OPTIONAL_PAGES = (("Benchmarks", "benchmarks.md", "security.md"),)

_OWN = ("fx_core", "fx_cookies", "fx_files", "fx_render", "fx_flash", "flask_express")

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


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    nav = config.nav
    if nav is None:
        return config
    for title, page, before in _OPTIONAL_PAGES:
        if not os.path.isfile(os.path.join(config.docs_dir, page)) or _in_nav(nav, page):
            continue
        positions = [i for i, item in enumerate(nav) if _in_nav([item], before)]
        nav.insert(positions[0] if positions else len(nav), {title: page})
    return config


def public_members(cls: type) -> set[str]:
    """The public names that the classes of our packages in ``cls``'s MRO define.

    The stubs that stand for a piece that is not composed (they raise
    ``MissingFeature``) are not members.
    """
    from fx_core.features import MissingMethod

    names: set[str] = set()
    for klass in cls.__mro__:
        if klass.__module__.split(".", 1)[0] not in _OWN:
            continue
        for name, value in vars(klass).items():
            if not name.startswith("_") and not isinstance(value, MissingMethod):
                names.add(name)
    return names


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    checked = _PAGES.get(page.file.src_uri)
    if checked is None:
        return html
    module, name, prefix = checked
    cls = getattr(importlib.import_module(module), name)
    missing = sorted(m for m in public_members(cls) if f'id="{prefix}.{m}"' not in html)
    if missing:
        log.warning(
            "%s does not document %s: add %s to a `members` list there",
            page.file.src_uri,
            ", ".join(f"{prefix}.{m}" for m in missing),
            "it" if len(missing) == 1 else "them",
        )
    return html
