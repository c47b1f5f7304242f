"""A griffe extension: the reST of Flask-Express docstrings, as Markdown.

The packages write their docstrings in reST, Flask style: ``:param x:`` fields,
roles such as ``:class:`~fx_core.Response```, ``::`` literal blocks and
``.. versionadded::``. mkdocstrings' Sphinx parser reads the fields, but renders
the rest as Markdown. Before parsing, this extension rewrites what Markdown
would otherwise show verbatim:

- prose and examples written after the fields move before them, since the
  Sphinx parser would read them as part of the last field;
- ``.. versionadded::``, ``.. versionchanged::`` and ``.. deprecated::``
  become an italic note;
- ``text::`` (or a lone ``::``) and the indented block after it become a
  fenced ``python`` code block;
- a role becomes a link to the object when it is one of ours (an optional
  autoref: plain code, and no warning, when the object is not documented on
  the site), a link to Flask's API page for ``flask.*`` names, else code.

Docs tooling only (mkdocs.yml loads it): nothing under packages/ imports it.
"""

from __future__ import annotations

import re
import sys
import textwrap
import typing as t
from pathlib import Path

import griffe

# :class:`~a.b.C`, :py:meth:`x`, :exc:`Title <target>`
_ROLE = re.compile(
    r":(?:py:)?(?P<role>class|meth|func|attr|exc|data|mod|obj|const):`(?P<body>[^`]+)`"
)
_DIRECTIVE = re.compile(
    r"^(?P<indent>\s*)\.\. (?P<name>versionadded|versionchanged|deprecated)::"
    r"\s*(?P<version>\S*)\s*$"
)
_DIRECTIVE_TEXT = {
    "versionadded": "Added in version {version}.",
    "versionchanged": "Changed in version {version}:",
    "deprecated": "Deprecated since version {version}:",
}
# A field the Sphinx parser reads, at the start of a line.
_FIELD = re.compile(
    r":(?:param|parameter|arg|argument|key|keyword|type|raises?|except|exception"
    r"|returns?|rtype|yields?|var|ivar|cvar|vartype)\b[^:]*:"
)
# .github/scripts is no package: put it on sys.path, as hooks.py does.
_SCRIPTS = str(Path(__file__).resolve().parents[2] / ".github" / "scripts")


def _own_packages() -> tuple[str, ...]:
    """The import names of every distribution under packages/ (.github/scripts/workspace.py)."""
    if _SCRIPTS not in sys.path:
        sys.path.insert(0, _SCRIPTS)
    import workspace

    return tuple(dist.import_name for dist in workspace.distributions())


_OWN = _own_packages()
_FLASK_API = "https://flask.palletsprojects.com/en/stable/api/#"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def fields_last(text: str) -> str:
    """Move the lines after the field list that are not fields before it."""
    head: list[str] = []
    fields: list[str] = []
    tail: list[str] = []
    region = head
    for line in text.split("\n"):
        at_margin = bool(line.strip()) and not line[0].isspace()
        if at_margin and _FIELD.match(line):
            region = fields
        elif at_margin and region is fields:
            region = tail
        region.append(line)
    if not fields or not any(line.strip() for line in tail):
        return text
    while head and not head[-1].strip():
        head.pop()
    while fields and not fields[-1].strip():
        fields.pop()
    return "\n".join([*head, "", *tail, "", *fields])


def directives(text: str) -> str:
    """``.. versionadded:: 1.0`` (and its indented text) to an italic note."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        found = _DIRECTIVE.match(lines[i])
        i += 1
        if not found:
            out.append(lines[i - 1])
            continue
        indent = found.group("indent")
        note = _DIRECTIVE_TEXT[found.group("name")].format(version=found.group("version"))
        body: list[str] = []
        while i < len(lines) and lines[i].strip() and _indent(lines[i]) > len(indent):
            body.append(lines[i].strip())
            i += 1
        out.append(f"{indent}*{note}*" + (f" {' '.join(body)}" if body else ""))
        out.append("")
    return "\n".join(out)


def literal_blocks(text: str) -> str:
    """``para::`` or ``::`` and the indented block after it, to fenced code."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if line.endswith("::") and not _DIRECTIVE.match(line):
            base = _indent(line)
            end = i + 1
            while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > base):
                end += 1
            block = lines[i + 1 : end]
            while block and not block[-1].strip():
                block.pop()
            if any(item.strip() for item in block):
                margin = " " * base
                head = line[:-2].rstrip()
                if head.strip():
                    out += [f"{head}:", ""]
                code = textwrap.dedent("\n".join(block)).strip("\n")
                out.append(f"{margin}```python")
                out += [f"{margin}{item}" if item else "" for item in code.split("\n")]
                out += [f"{margin}```", ""]
                i = end
                continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def _lookup(loader: griffe.GriffeLoader, path: str) -> t.Any:
    try:
        return loader.modules_collection[path]
    except (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _scopes(obj: griffe.Object) -> list[griffe.Object]:
    """Where a relative name in ``obj``'s docstring is looked up, nearest first."""
    scopes: list[griffe.Object] = []
    current = obj if obj.is_class or obj.is_module else obj.parent
    while current is not None:
        scopes.append(current)
        current = current.parent
    return scopes


def _identifier(
    obj: griffe.Object, loader: griffe.GriffeLoader, target: str, role: str
) -> str | None:
    """The canonical path of what ``target`` names in ``obj``'s docstring,
    or ``None`` when it is not one of ours."""
    candidates = [target] if target.split(".", 1)[0] in _OWN else []
    for scope in _scopes(obj):
        candidates.append(f"{scope.path}.{target}")
        if scope.is_class:
            # An inherited member, e.g. :meth:`send` in a mixin of fx_core.Response.
            for base in scope.bases:  # type: ignore[attr-defined]
                base_path = getattr(base, "canonical_path", None)
                if base_path:
                    candidates.append(f"{base_path}.{target}")
    for candidate in candidates:
        found = _lookup(loader, candidate)
        if found is None:
            continue
        try:
            name = candidate.rsplit(".", 1)[-1]
            if role != "mod" and found.is_module and name in found.members:
                # fx_core.compose names the function, not the module it lives in.
                found = found.members[name]
            path: str = found.canonical_path
        except (griffe.AliasResolutionError, griffe.CyclicAliasError):
            return None  # an import from a package not loaded here: not ours
        return path if path.split(".", 1)[0] in _OWN else None
    if candidates and candidates[0] == target:
        return target  # ours, in a package not loaded yet
    return None


def roles(obj: griffe.Object, loader: griffe.GriffeLoader, text: str) -> str:
    """Every role in ``text`` to a link or inline code."""

    def replace(match: re.Match[str]) -> str:
        role, body = match.group("role"), match.group("body").strip()
        explicit = re.fullmatch(r"(?P<title>.+?)\s*<(?P<target>[^>]+)>", body)
        if explicit:
            title, target = explicit.group("title"), explicit.group("target")
        else:
            target = body
            title = body[1:].rsplit(".", 1)[-1] if body.startswith("~") else body
            if role in ("meth", "func"):
                title += "()"
        target = target.lstrip("~")
        code = f"<code>{title}</code>"
        if target.startswith("flask."):
            return f'<a href="{_FLASK_API}{target}">{code}</a>'
        identifier = _identifier(obj, loader, target, role)
        if identifier is None:
            return f"`{title}`"
        return f'<autoref identifier="{identifier}" optional>{code}</autoref>'

    return _ROLE.sub(replace, text)


def convert(obj: griffe.Object, loader: griffe.GriffeLoader, text: str) -> str:
    """Return ``text``, the reST docstring of ``obj``, as Markdown."""
    text = fields_last(text)
    text = directives(text)
    text = literal_blocks(text)
    return roles(obj, loader, text)


class RestDocstrings(griffe.Extension):
    """Rewrite each docstring of the loaded packages once, before it is parsed."""

    def on_object(
        self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: t.Any
    ) -> None:
        docstring = obj.docstring
        if docstring is not None and docstring.value:
            docstring.value = convert(obj, loader, docstring.value)
