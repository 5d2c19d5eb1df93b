"""Docstrings as Markdown: the griffe extension :class:`DocstringMarkdown` (named in mkdocs.yml)
and :func:`docstring_markdown`, which turns doctest blocks and reST roles into Markdown before
mkdocstrings renders them.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:mod|func|class|meth|attr|data|obj|exc|const):`(~?)!?([^`]+)`")
_SECTION = re.compile(r"^\s*Examples?:\s*$", re.M)


def docstring_markdown(text: str) -> str:
    """A docstring made ready for Markdown: reST roles (``:mod:`x```) become code spans and doctest
    blocks (``>>>`` lines and their output, up to a blank line) become ``pycon`` code blocks,
    which Markdown would otherwise read as nested quotes. Fenced blocks and docstrings with a
    Google "Examples:" section (which mkdocstrings renders itself) keep their doctests."""
    text = _ROLE.sub(lambda m: f"`{m.group(2).rpartition('.')[2] if m.group(1) else m.group(2)}`", text)
    if ">>>" not in text or _SECTION.search(text):
        return text
    out: list[str] = []
    fence: str | None = None
    block: list[str] = []
    indent = ""

    def close() -> None:
        if block:
            out.extend([f"{indent}```pycon", *block, f"{indent}```"])
            block.clear()

    for line in text.splitlines():
        stripped = line.lstrip()
        if block:
            if stripped:
                block.append(line)
                continue
            close()
        if fence is None and stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif fence is not None and stripped.startswith(fence):
            fence = None
        elif fence is None and (stripped.startswith(">>> ") or stripped == ">>>"):
            indent = line[: len(line) - len(stripped)]
            if out and out[-1].strip():
                out.append("")
            block.append(line)
            continue
        out.append(line)
    close()
    return "\n".join(out)


try:
    import griffe
except ImportError:  # mkdocstrings[python] not installed: the reference is off anyway
    griffe = None  # type: ignore[assignment]

if griffe is not None:

    class DocstringMarkdown(griffe.Extension):
        """Griffe extension (mkdocs.yml: mkdocstrings' ``extensions``) applying
        :func:`docstring_markdown` to every docstring it loads."""

        def on_object(self, *, obj: Any, **kwargs: Any) -> None:
            if obj.docstring is not None:
                obj.docstring.value = docstring_markdown(obj.docstring.value)
