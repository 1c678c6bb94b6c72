"""The one configured Markdown renderer: CommonMark, tables, strikethrough, footnotes, task and
definition lists, heading ids, highlighted code; raw HTML escaped or sanitized."""

from __future__ import annotations

import contextvars
import functools
import logging
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from sitegen import fastmd

if TYPE_CHECKING:  # imported where first used: a body markdown-it-pyrs takes never needs them
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

log = logging.getLogger(__name__)
HTML_MODES = ("escape", "sanitize")
# `## Heading {#id}` (Hugo, Pandoc) and `## Heading {: #id .class}` (kramdown, Jekyll)
HEADING_ATTRS = re.compile(r"\s*\{:?\s*((?:[#.][\w:-]+\s*)+)\}\s*$")


@functools.cache
def _renderer(html: str = "escape") -> MarkdownIt:
    # html=False escapes raw HTML; markdown-it's validateLink refuses javascript:, vbscript:,
    # file: and non-image data: URLs, so a link in content cannot run script. Built once per
    # mode: plugins are enabled once, not per entry.
    from markdown_it import MarkdownIt
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": html == "sanitize", "typographer": False,
                                   "highlight": _highlight})
    md.enable(["table", "strikethrough"])
    if html != "sanitize":  # both rules return False at once without the html option: off,
        md.disable(["html_block", "html_inline"])  # they are not tried on every line
    md.use(footnote_plugin).use(deflist_plugin)
    md.core.ruler.after("inline", "task_lists", _task_lists)  # where the plugin's rule goes
    md.core.ruler.push("heading_attrs", _heading_attrs)
    md.core.ruler.push("anchor", _heading_ids)
    md.core.ruler.push("resolve_anchors", _resolve_anchors)
    md.core.ruler.push("external_links", _external_links)
    md.normalizeLink = normalize_link  # type: ignore[method-assign]
    return md


# A link markdown-it's normalizeLink gives back as it is: a plain http(s) host (no
# punycode) and a path of unreserved characters, or such a path alone. Most links are.
PLAIN_LINK = re.compile(r"(?:https?://(?!.*xn--)[a-z0-9.-]+)?(?:/[A-Za-z0-9/._~-]*)?")


def normalize_link(url: str) -> str:
    """markdown-it's normalizeLink (percent-encoding, punycode), whose URL parse is a third of
    a link's cost, skipped for a link it would give back unchanged."""
    if url and PLAIN_LINK.fullmatch(url):
        return url
    from markdown_it.common import normalize_url

    return normalize_url.normalizeLink(url)


EXTERNAL = re.compile(r"^(?:https?:)?//", re.IGNORECASE)


def _external_links(state: StateCore) -> None:
    """A link to another site opens no window handle back to ours and sends no referrer."""
    for token in state.tokens:
        for child in token.children or ():
            if child.type == "link_open" and EXTERNAL.match(str(child.attrGet("href") or "")):
                child.attrSet("rel", "noopener noreferrer")


def render_body(source: str, html: str = "escape") -> str:
    """Render an entry body to HTML; `html` is "escape" (raw HTML shown as text) or
    "sanitize" (a safe allowlist of raw HTML passes). markdown-it-pyrs renders the bodies it
    can take to the same bytes, faster (sitegen.fastmd). Its code is highlighted within the
    entry's budget (`_CodeBudget`)."""
    entry = _ENTRY_CODE.set(_CodeBudget())
    try:
        out = _render_body(source, html)
    finally:
        _ENTRY_CODE.reset(entry)
    return ALIGNED.sub(_align_class, out) if ' style="text-align:' in out else out


# A table column's alignment as a class the theme's stylesheet aligns: the pages' policy
# (`style-src 'self'`) blocks the `style=""` markdown-it writes, so every column was left-aligned.
ALIGNED = re.compile(r'<(td|th) style="text-align:(left|center|right)"')


def _align_class(match: re.Match[str]) -> str:
    return f'<{match.group(1)} class="align-{match.group(2)}"'


def _render_body(source: str, html: str) -> str:
    if html == "escape" and (fast := fastmd.render(source, _highlight, heading_slug)) is not None:
        return fast
    out = str(_renderer(html).render(source))
    if html != "sanitize":
        return out
    from sitegen.sanitize import sanitize

    return sanitize(out)


def render_inline(source: str) -> str:
    """Render one line of Markdown (a summary) to inline HTML, without a wrapping paragraph."""
    return str(_renderer().renderInline(source))


def heading_slug(title: str) -> str:
    """A heading's id, as GitHub, Hugo and kramdown make it: lowercase, spaces to hyphens,
    punctuation dropped, letters of any script kept. A heading with none of them (an empty
    `##`, `## 🎉`, `## ***`) is a `section`: an id may not be empty."""
    kept = (c for c in title.strip().lower().replace(" ", "-")
            if c in "-_" or unicodedata.category(c)[0] in "LMN")
    return "".join(kept) or "section"


def _heading_ids(state: StateCore) -> None:
    """Every heading's id, as mdit-py-plugins' anchors plugin gives them (an explicit `{#id}`
    kept and reserved first; else the slug of its text and code, made unique in page order
    with -1, -2...), without its rescan from -1 for every repeat of a title, which made a
    body of 100,000 empty headings take forever."""
    tokens = state.tokens
    taken = {str(t.attrGet("id")) for t in tokens if t.type == "heading_open" and t.attrGet("id")}
    tried: dict[str, int] = {}
    for i, token in enumerate(tokens):
        if token.type != "heading_open" or token.attrGet("id"):
            continue
        children = tokens[i + 1].children or []
        base = heading_slug("".join(c.content for c in children
                                    if c.type in ("text", "code_inline")))
        made = fastmd.unique_id(base, taken, tried)
        token.attrSet("id", made)


TASK = re.compile(r"\[[ xX]][ \t\n\v\f\r]+")  # an item's text opening with a box: `[ ] `, `[x] `
BOX = '<input class="task-list-item-checkbox" {}disabled="disabled" type="checkbox">'


def _task_lists(state: StateCore) -> None:
    """mdit-py-plugins' tasklists (boxes disabled, no labels), byte for byte: an item whose
    first paragraph opens with `[ ]`, `[x]` or `[X]` and a space shows a checkbox, and the list
    holding it is a `contains-task-list`. The plugin found that list by scanning back from each
    item, which made 20,000 tasks take half a minute; here the last token of each level is kept
    as the tokens go by."""
    from markdown_it.token import Token

    tokens = state.tokens
    last_at: dict[int, int] = {}  # a level -> the index of the last token at it so far
    for i, token in enumerate(tokens[:-1]):
        if (i >= 2 and token.type == "inline" and tokens[i - 1].type == "paragraph_open"
                and tokens[i - 2].type == "list_item_open" and TASK.match(token.content)
                and token.children is not None):
            box = Token("html_inline", "", 0)
            if token.content.startswith("[ ] "):
                box.content = BOX.format("")
            elif token.content.startswith(("[x] ", "[X] ")):
                box.content = BOX.format('checked="checked" ')
            token.children.insert(0, box)
            token.children[1].content = token.children[1].content[3:]
            token.content = token.content[3:]
            tokens[i - 2].attrSet("class", "task-list-item")
            tokens[last_at.get(tokens[i - 2].level - 1, -1)].attrSet("class", "contains-task-list")
        last_at[token.level] = i


def _heading_attrs(state: StateCore) -> None:
    """Take a trailing `{#id .class}` off a heading and make it the heading's id and class."""
    for i, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        children = state.tokens[i + 1].children or []
        last = children[-1] if children else None
        if last is None or last.type != "text" or not (m := HEADING_ATTRS.search(last.content)):
            continue
        last.content = last.content[:m.start()]
        state.tokens[i + 1].content = HEADING_ATTRS.sub("", state.tokens[i + 1].content)
        for part in m.group(1).split():
            if part.startswith("#"):
                token.attrSet("id", part[1:])
            else:
                token.attrJoin("class", part[1:])


def anchor_key(fragment: str) -> str:
    """What two generators' ids for the same heading share: its letters and digits."""
    text = unicodedata.normalize("NFC", unquote(fragment)).lower()
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def _resolve_anchors(state: StateCore) -> None:
    """Point an in-page `#link` written for another generator's heading ids (kramdown's,
    Zola's) at the heading it means, when no id matches it exactly; a link to a definition
    term (Hugo gives terms ids) gives that term its id."""
    tokens = state.tokens
    if not any(child.type == "link_open" and str(child.attrGet("href") or "").startswith("#")
               for token in tokens for child in token.children or ()):
        return  # no in-page link (most entries): nothing to resolve
    ids = {str(t.attrGet("id")) for t in tokens if t.attrGet("id")}
    by_key: dict[str, str] = {}
    for t in tokens:
        if t.type == "heading_open":
            by_key.setdefault(anchor_key(str(t.attrGet("id"))), str(t.attrGet("id")))
    terms = {anchor_key(tokens[i + 1].content): t for i, t in enumerate(tokens[:-1])
             if t.type == "dt_open" and not t.attrGet("id")}
    lengths = sorted({len(k) for k in by_key if len(k) >= 4}, reverse=True)
    for token in tokens:
        for child in token.children or ():
            href = child.attrGet("href") if child.type == "link_open" else None
            if not isinstance(href, str) or not href.startswith("#") or href[1:] in ids:
                continue
            key = anchor_key(href[1:])
            target = by_key.get(key) or _by_prefix(key, by_key, lengths)
            if target:
                child.attrSet("href", f"#{target}")
            elif key in terms and not terms[key].attrGet("id"):
                terms[key].attrSet("id", unquote(href[1:]))
                ids.add(unquote(href[1:]))


def _by_prefix(key: str, by_key: dict[str, str], lengths: list[int]) -> str | None:
    """The heading whose key starts the link's: Zola spells emoji out (`issues-crab` for
    "issues (🦀)") where others drop them. The longest such heading, of 4 or more letters:
    the link's start at each length a key has (`lengths`, longest first), looked up, not
    every heading compared with every link (10,000 of each took 6 s)."""
    for n in lengths:
        if n <= len(key) and (found := by_key.get(key[:n])) is not None:
            return found
    return None


# Highlighting runs to a budget of CPU time (fastlex.Budget): Pygments' lexers are quadratic or
# worse on some text, and nothing but the time they take tells it from real code. A block may
# take CODE_SECONDS and CODE_SECONDS_PER_CHAR a character, an entry's blocks ENTRY_CODE_SECONDS
# in all. Real code takes 0.2-2.3 us a character (Python, C, JavaScript, CSS, SQL, YAML, HTML,
# Markdown: files of 20-1,100 KiB), an eighth of that rate at most, and a language's first block up
# to 0.2 s more to compile its rules (a post in 50 languages: 1 s in all). An entry's code is
# highlighted up to MAX_CODE characters (as fastmd.MAX_SOURCE, none real has more), so a real
# entry never nears the budget and its HTML does not depend on the machine. Past it, plain.
MAX_CODE = 512 * 1024
CODE_SECONDS = 1.0
CODE_SECONDS_PER_CHAR = 20e-6
ENTRY_CODE_SECONDS = 5.0


class _CodeBudget:
    """What is left of an entry's budget for highlighting: characters, CPU seconds."""

    def __init__(self) -> None:
        self.chars, self.seconds = MAX_CODE, ENTRY_CODE_SECONDS

    def grant(self, code: str) -> float:
        """The CPU seconds the block may take; none past what is left (and so for the rest
        of the entry's code)."""
        seconds = min(CODE_SECONDS + CODE_SECONDS_PER_CHAR * len(code), self.seconds)
        if len(code) > self.chars or seconds <= 0:
            self.chars = 0
            return 0.0
        self.chars -= len(code)
        return seconds


_ENTRY_CODE: contextvars.ContextVar[_CodeBudget | None] = contextvars.ContextVar(
    "entry_code", default=None)


def _highlight(code: str, lang: str, attrs: str) -> str:
    """Fenced code with a language Pygments knows, as CSS-classed spans; else "" (plain)."""
    lexer = _lexer(lang.strip().lower()) if lang else None
    if lexer is None:
        return ""
    left = _ENTRY_CODE.get() or _CodeBudget()
    if not (seconds := left.grant(code)):
        log.debug("code in %s left plain: past the entry's budget for highlighting", lang)
        return ""
    from sitegen import fastlex  # imported with the lexer

    spent = fastlex.Budget(seconds)
    try:
        with spent:
            spans = format_spans(fastlex.checked(lexer.get_tokens(code), len(code)))
    except Exception:  # a lexer that fails, would never end (fastlex.Stalled) or takes too
        # long (fastlex.OverBudget) on this code
        log.debug("code in %s left plain: its lexer fails on it", lang, exc_info=True)
        return ""
    finally:
        left.seconds -= spent.seconds
    return f'<pre class="highlight"><code class="language-{_attr(lang)}">{spans}</code></pre>\n'


@functools.cache
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})
_OPENERS: dict[Any, str] = {}  # token type -> its span's opening tag ("" for plain text)


def format_spans(tokens: Iterable[tuple[Any, str]]) -> str:
    """What `pygments.format(tokens, HtmlFormatter(nowrap=True))` returns, byte for byte, in
    a third of its time (it is a third of a long post's parse): one pass, no generator per
    line. Like it, runs of one type share a span and every line closes its spans."""
    out: list[str] = []
    push = out.append
    lspan = ""  # the span open on the current line, which holds text when `open_line`
    open_line = False
    for ttype, value in tokens:
        cspan = _OPENERS.get(ttype)
        if cspan is None:
            cspan = _OPENERS[ttype] = _opener(ttype)
        value = value.translate(_ESCAPE)
        if "\n" in value:
            *lines, value = value.split("\n")
            for part in lines:
                if open_line:
                    if lspan != cspan and part:
                        if lspan:
                            push("</span>")
                        push(cspan)
                        push(part)
                        push("</span>\n" if cspan else "\n")
                    else:
                        push(part)
                        push("</span>\n" if lspan else "\n")
                    open_line = False
                elif part:
                    push(cspan)
                    push(part)
                    push("</span>\n" if cspan else "\n")
                else:
                    push("\n")
        if not value:
            continue
        if open_line and lspan == cspan:
            push(value)
            continue
        if open_line and lspan:
            push("</span>")
        push(cspan)
        push(value)
        lspan, open_line = cspan, True
    if open_line:
        push("</span>\n" if lspan else "\n")
    return "".join(out)


def _opener(ttype: Any) -> str:
    css = _formatter()._get_css_classes(ttype)
    return f'<span class="{css}">' if css else ""


@functools.lru_cache(maxsize=256)
def _lexer(lang: str) -> Any:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    from sitegen import fastlex

    try:
        return fastlex.faster(get_lexer_by_name(lang))
    except ClassNotFound:
        return None


LIGHT_STYLE, DARK_STYLE = "default", "github-dark"


def highlight_css() -> str:
    """The theme's `static/highlight.css`: Pygments' token colours for light and dark
    schemes (`python -m sitegen.markdown > sitegen/themes/default/static/highlight.css`)."""
    from pygments.formatters import HtmlFormatter

    def rules(style: str) -> str:
        formatter: Any = HtmlFormatter(style=style)
        lines = str(formatter.get_style_defs(".highlight")).splitlines()
        return "\n".join(f"  {line}" for line in lines if line.startswith(".highlight ."))

    return (f"/* Generated by `python -m sitegen.markdown` from Pygments' {LIGHT_STYLE!r} and "
            f"{DARK_STYLE!r} styles. */\n@media not (prefers-color-scheme: dark) {{\n"
            f"{rules(LIGHT_STYLE)}\n}}\n"
            f"@media (prefers-color-scheme: dark) {{\n{rules(DARK_STYLE)}\n}}\n")


def _attr(text: str) -> str:
    return re.sub(r"[^\w+#.-]", "", text)


if __name__ == "__main__":
    print(highlight_css(), end="")
