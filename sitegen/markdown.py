"""The one configured Markdown renderer: CommonMark, tables, strikethrough, raw HTML escaped."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt


@cache
def _renderer() -> MarkdownIt:
    # html=False escapes raw HTML; markdown-it's validateLink refuses javascript:, vbscript:,
    # file: and non-image data: URLs, so a link in content cannot run script.
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def render_body(source: str) -> str:
    """Render an entry body to HTML."""
    return str(_renderer().render(source))


def render_inline(source: str) -> str:
    """Render one line of Markdown (a summary) to inline HTML, without a wrapping paragraph."""
    return str(_renderer().renderInline(source))
