"""markdown-it-pyrs, markdown-it's Rust port, as an accelerator behind markdown-it-py: it parses
a body ~20x faster, and for a body it can take, what it gives is made into the HTML our
markdown-it-py renderer gives, byte for byte (tests/test_fastmd.py compares the two).

It takes no Python plugins, so a body goes to it only when nothing in it needs one that cannot
be redone on its HTML: heading ids, highlighted code and external links' `rel` are redone; a
footnote, a task or definition list, a heading's `{#id}`, an in-page `#link`, a punycode host
or deep nesting (markdown-it-py stops at 20 levels; the Rust port has no limit and overflows its
stack on very deep input) send the body to markdown-it-py, as do shapes the Rust port is
quadratic on (thousands of emphasis marks, footnote marks or link reference definitions). So
does raw HTML mode, and a missing or broken markdown-it-pyrs: it is an optional package
(`pip install sitegen[fast]`)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import Any

MAX_SOURCE = 512 * 1024  # longer bodies (none real) go to markdown-it-py
MAX_DELIMITERS = 4000  # emphasis nested thousands deep is quadratic in the Rust port
MAX_DEPTH = 10  # blockquotes and lists: markdown-it-py's limit of 20 levels is never near
MAX_NOTE_MARKS = 256  # each `[^` is scanned to the next space or `]`: quadratic past thousands
# A link reference definition (`[a]: /url`) that opens a paragraph: the Rust port reads on to
# the paragraph's end for each, ~40 ns a line (20,000 definitions in a row took 33 s). Its
# definitions (each holds a `]:`) times its lines bound that; markdown-it-py is linear in them.
MAX_REFERENCE_WORK = 10_000_000  # ~0.4 s at most: 100 definitions in 100,000 lines

# Source that needs a plugin, or that the two read differently. Each rule that can start a
# line is tried where a line starts (the source is given a "\n" at each end): a definition (`: `
# or `~ ` opening a line, in any container); an empty list item; a
# run of container markers and indent so long the Rust port might nest past its stack; a link
# reference's line with a backslash (the Rust port reads it as escaping the line break); a tab
# after a container's marker (the two expand it to different columns); a row with a `|` above
# a line of dashes alone (a one-column table to markdown-it-py, a heading to the Rust port), and
# a row of dashes and `|` below a line with no `|` (a table to the Rust port only).
LINE_RULES = re.compile(r"\n(?:[ \t>]*(?:[:~][ \t]|(?:[-+*]|\d{1,9}[.)])[ \t]*(?=\n))"
                        r"|[ \t>*+\-.)0-9]{100}"
                        r"|[ \t>]*\[[^\]\n]*\]:[^\n]*\\"
                        r"|[ \t]*[>*+\-.)0-9][ >*+\-.)0-9]*\t)")
DASHES = re.compile(r"\n[ \t:|-]*-[ \t:|-]*(?=\n)")  # a row of dashes (see _piped_dashes)
QUOTE_START = re.compile(r"[ \t]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)*>")  # a quote opens (in a list)
QUOTE = re.compile("\n" + QUOTE_START.pattern)
ITEM = re.compile(r"[ \t]*(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
# An inline footnote or a task-list box (plugins the Rust port lacks).
NEEDS_PLUGIN = ("^[", "[ ]", "[x]", "[X]")
PUNYCODE = re.compile(r"(?i:xn--)")  # markdown-it-py shows such a host decoded
AUTOLINK = re.compile(r"<[^<>\s@:]*+[@:][^<>\s]*+>")  # in an image's alt, the port drops it
AUTOLINK_ESCAPE = re.compile(r"<[^<>\s%]*+%[^<>\s]*+>")  # markdown-it-py shows it decoded
# A footnote's definition right below a line of text that is not one: markdown-it-py ends the
# paragraph there, the Rust port reads the definition as more of it. A reference on a
# definition's line (a note inside a note, or itself): the two nest them differently. (A label
# is read up to the next `[^`, where a label that holds one also matches: linear on a line of
# thousands of `[^`.)
LAZY_DEFINITION = re.compile(  # searched in "\n" + source: it starts with a literal, fast to find
    r"\n(?![ \t>]*\[\^[^\]\n]*\]:)[ \t]*+\S[^\n]*+\n[ \t>]*\[\^[^\]\n]*\]:")
NOTE_IN_NOTE = re.compile(r"\[\^(?:[^\]\n\[]|\[(?!\^))*+\]:[^\n]*\[\^")
# An emphasis mark beside a character outside ASCII: is it punctuation? CommonMark 0.31 counts
# symbols (emoji, currency) as punctuation, as markdown-it-py does; the Rust port does not.
MARK_BESIDE = re.compile(r"[*_~](?=([^\x00-\x7f]))|([^\x00-\x7f])(?=[*_~])")  # overlapping
# Whitespace past ASCII's space and tab: markdown-it-py trims it off a paragraph, a heading or
# a cell (Python's str.strip), the Rust port keeps it. Taken only between letters or digits.
ODD_SPACE = re.compile("[\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
                       "\u205f\u3000]")
ASCII_SPACE = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")  # str.strip's, not Rust's
# A footnote's definition: its label, and what its first line opens with (a quote, a list, a
# heading, code or a table in a note are read differently by the two).
DEFINITION = re.compile(r"\n([ \t>]*)\[\^([^\]\n]*)\]:([ \t]*)(.?)")  # in "\n" + source
BLOCK_OPENERS = frozenset(">#|`~*+-0123456789")
# HTML that only markdown-it-py makes right: an in-page link (ours resolves other generators'
# ids), a percent-encoded non-ASCII byte in a link (markdown-it-py punycodes a host), a code
# span of spaces only (the Rust port strips two of them, where CommonMark keeps them all).
IN_PAGE = re.compile(r'href="#[^"]*"(?:>| title=)')
NON_ASCII_LINK = re.compile(r'(?:href|src)="[^"]*%[89A-Fa-f]')
BLANK_CODE = re.compile(r"<code> *</code>")
CONTAINER = re.compile(r"<(/?)(?:blockquote|ul|ol|li)[ >]")
HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
TAG = re.compile(r"<[^>]*>")
LINK = re.compile(r'<a href="((?i:(?:https?:)?//)[^"]*)"((?: title="[^"]*")?)>')
FOOTNOTE_REF = re.compile(
    r'<sup class="footnote-ref"><a href="#fn(\d+)" id="fnref(\d+)">\[(\d+)\]</a></sup>')
FOOTNOTE_MARK = re.compile(r'<sup class="footnote-ref">.*?</sup>')
BACKREF = re.compile(r'<a href="#fnref(\d+)" class="footnote-backref">')
EMPTY = re.compile(r"<(blockquote|li)>\n</\1>")  # markdown-it-py puts nothing between them
FENCE = re.compile(r'<pre><code class="language-([^"&]*)">(.*?)</code></pre>\n', re.DOTALL)


@functools.cache
def _parser() -> Any:
    """The Rust parser with what our markdown-it-py renderer enables, or None without it."""
    try:
        from markdown_it_pyrs import MarkdownIt
    except ImportError:  # not installed, or a wheel that does not load here
        return None
    # "zero" and the commonmark rules but raw HTML, which markdown-it-py's html=False escapes
    return MarkdownIt("zero").enable_many([
        "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph",
        "reference", "autolink", "backticks", "emphasis", "entity", "escape", "image", "link",
        "newline", "table", "strikethrough", "footnote"])


def available() -> bool:
    return _parser() is not None


def render(source: str, highlight: Callable[[str, str, str], str],
           slug: Callable[[str], str]) -> str | None:
    """The body's HTML as markdown-it-py with our plugins renders it (raw HTML escaped), or
    None where only markdown-it-py can tell."""
    parser = _parser()
    if (parser is None or len(source) > MAX_SOURCE or any(p in source for p in NEEDS_PLUGIN)
            or LINE_RULES.search(f"\n{source}\n") or any(c in source for c in ASCII_SPACE)
            or (("n--" in source or "N--" in source) and PUNYCODE.search(source))
            or ("|" in source and _piped_dashes(source))
            or ("%" in source and AUTOLINK_ESCAPE.search(source))
            or ("![" in source and "<" in source and AUTOLINK.search(source))
            or source.count("*") + source.count("_") + source.count("~") > MAX_DELIMITERS
            or source.count("]:") * source.count("\n") > MAX_REFERENCE_WORK):
        return None
    if QUOTE.search(f"\n{source}") and _quote_trouble(source):
        return None
    if "~~~" in source and _inline_tildes(source):
        return None
    if "[^" in source and (source.count("[^") > MAX_NOTE_MARKS
                           or not _plain_footnotes(source)):
        return None
    if not (source.isascii() or _plain_beyond_ascii(source)):
        return None
    if not source.endswith("\n") and ("```" in source or "~~~" in source):
        return None  # a fence left open at the very end: the Rust port adds a line break
    try:
        out = str(parser.render(source))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a Rust panic is pyo3's PanicException, a BaseException
        return None
    if (('href="#' in out and IN_PAGE.search(out)) or ("%" in out and NON_ASCII_LINK.search(out))
            or (("<code> " in out or "<code></code>" in out) and BLANK_CODE.search(out))
            or _too_deep(out)):
        return None
    if ">\n</" in out:
        out = EMPTY.sub(r"<\1></\1>", out)
    if "<h" in out:
        with_ids = _heading_ids(out, slug)
        if with_ids is None:
            return None
        out = with_ids
    if "<a " in out:
        out = LINK.sub(r'<a href="\1"\2 rel="noopener noreferrer">', out)
    if '<section class="footnotes">' in out:
        if "footnote-ref" in out[out.index('<section class="footnotes">'):]:
            return None  # a note that refers to a note
        marked = _footnotes(out)
        if marked is None:
            return None
        out = marked
    if "\n<pre" in out:
        out = _tight_code(out)
    if "<pre><code class=" in out:
        out = FENCE.sub(lambda m: _fence(m, highlight), out)
    return out


def _piped_dashes(source: str) -> bool:
    """A row of dashes (and colons) that one parser makes a table's and the other not: dashes
    alone right below a line with a `|` (markdown-it-py: a one-column table; the Rust port:
    a heading), or dashes with a `|` right below a line without one (the Rust port: a table;
    markdown-it-py: text)."""
    text = "\n" + source + "\n"
    for m in DASHES.finditer(text):
        above = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
        if ("|" in m.group(0)) != ("|" in above):
            return True
    return False


TILDES = re.compile(r"~{3,}")
CONTAINER_MARKS = " \t>*+-.)0123456789"


def _inline_tildes(source: str) -> bool:
    """Three or more `~` anywhere but opening a line (a fence): the two pair such runs into
    strikethrough differently."""
    for m in TILDES.finditer(source):
        start = source.rfind("\n", 0, m.start()) + 1
        if source[start:m.start()].strip(CONTAINER_MARKS):
            return True
    return False


def _quote_trouble(source: str) -> bool:
    """In the lines of text that follow a quote's line, with no blank line between: a list
    item, even one that opens a quote itself (markdown-it-py ends the quote and starts a
    list, the Rust port may read it as more of the quote), or, with a code span anywhere, a
    line that starts indented (markdown-it-py keeps a lazy line's indent inside a code span,
    the Rust port drops it)."""
    ticks = "`" in source
    quoted = False
    for line in source.split("\n"):
        if not line.strip():
            quoted = False
        elif quoted and (ITEM.match(line) or (ticks and line[0] in " \t")):
            return True  # an item that opens a quote of its own too ("2) > x")
        elif QUOTE_START.match(line):
            quoted = True
    return False


def _plain_beyond_ascii(source: str) -> bool:
    """No character past ASCII that the two parsers tell apart: whitespace other than between
    letters or digits, or punctuation or a symbol beside an emphasis mark."""
    for m in ODD_SPACE.finditer(source):
        at = m.start()
        if not (0 < at < len(source) - 1 and source[at - 1].isalnum()
                and source[at + 1].isalnum()):
            return False
    for m in MARK_BESIDE.finditer(source):
        if unicodedata.category(m.group(1) or m.group(2))[0] not in "LN":
            return False
    return True


def _plain_footnotes(source: str) -> bool:
    """Footnotes both parsers read alike: each defined once (markdown-it-py keeps the last of
    two, the Rust port the first), each at the start of its line (not indented or quoted),
    opening with text after at most one space, below a blank line or another."""
    source = "\n" + source  # each rule starts where a line does (a literal: fast to find)
    if LAZY_DEFINITION.search(source) or NOTE_IN_NOTE.search(source):
        return False
    labels = []
    for m in DEFINITION.finditer(source):
        if (m.group(1) or m.group(3) not in ("", " ") or m.group(4) in BLOCK_OPENERS
                or not m.group(2).isascii()):
            return False
        labels.append(" ".join(m.group(2).lower().split()))
    return len(set(labels)) == len(labels)


BLOCK_ENDS = ("</p>", "</ul>", "</ol>", "<li>", "</blockquote>", "<blockquote>", "</pre>",
              "</h1>", "</h2>", "</h3>", "</h4>", "</h5>", "</h6>", "<hr />", "</table>")


def _tight_code(out: str) -> str:
    """Code right after the text of an item in a tight list: markdown-it-py renders the fence
    (or indented code) with no line break before it, the Rust port with one."""
    parts = out.split("\n<pre")
    joined = [parts[0]]
    for part in parts[1:]:
        joined.append("\n<pre" if joined[-1].endswith(BLOCK_ENDS) else "<pre")
        joined.append(part)
    return "".join(joined)


def _too_deep(out: str) -> bool:
    if out.count("<blockquote>") + out.count("<li") <= MAX_DEPTH // 2:
        return False  # ul/ol never outnumber their items: depth <= 2 * items
    depth = deepest = 0
    for m in CONTAINER.finditer(out):
        depth += -1 if m.group(1) else 1
        deepest = max(deepest, depth)
    return deepest > MAX_DEPTH


def _text(html: str) -> str:
    """A heading's text and code, as the anchors plugin joins them: its tags (and so image
    alts), footnote marks and line breaks left out, markdown-it's escapes undone."""
    if "footnote-" in html:  # a footnote's mark is not the heading's text
        html = FOOTNOTE_MARK.sub("", html)
    return _unescape(TAG.sub("", html).replace("\n", ""))


def _unescape(text: str) -> str:
    """markdown-it's escapeHtml undone: the only entities its output holds in text."""
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&amp;", "&"))


def unique_id(base: str, taken: set[str], tried: dict[str, int]) -> str:
    """`base`, or `base-1`, `base-2`... the first not `taken` (then taken), as mdit-py-plugins'
    unique_slug gives it, without its rescan from -1 for every repeat: `tried` keeps each
    base's next suffix (those below it are all taken already)."""
    made = base
    if made in taken:
        n = tried.get(base, 1)
        made = f"{base}-{n}"
        while made in taken:
            n += 1
            made = f"{base}-{n}"
        tried[base] = n + 1
    taken.add(made)
    return made


def _heading_ids(out: str, slug: Callable[[str], str]) -> str | None:
    """Each heading's id, made unique in page order as mdit-py-plugins' anchors does; None for
    a heading that ends in `}` (it may be a `{#id .class}` our markdown-it-py rule takes)."""
    seen: set[str] = set()
    tried: dict[str, int] = {}
    parts: list[str] = []
    at = 0
    for m in HEADING.finditer(out):
        inner = m.group(2)
        if inner.rstrip().endswith("}"):
            return None
        base = slug(_text(inner))
        made = unique_id(base, seen, tried)
        made = made.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        parts += (out[at:m.start()], f'<h{m.group(1)} id="{made.replace(chr(34), "&quot;")}">',
                  inner, f"</h{m.group(1)}>")
        at = m.end()
    parts.append(out[at:])
    return "".join(parts)


def _fence(m: re.Match[str], highlight: Callable[[str, str, str], str]) -> str:
    made = highlight(_unescape(m.group(2)), m.group(1), "")
    return made + "\n" if made.startswith("<pre") else m.group(0)


def _footnotes(out: str) -> str | None:
    """mdit-py-plugins' footnote marks: a note's second reference is `fnref1:1`, shown as
    `[1:1]` (the Rust port counts every reference: `fnref3`, `[1]`), and its item holds its
    first block on the same line. None if the references are not numbered as expected."""
    seen: dict[str, int] = {}
    ids: dict[str, str] = {}

    def ref(m: re.Match[str]) -> str:
        note, made = m.group(1), m.group(2)
        if note != m.group(3) or made != str(len(ids) + 1):
            raise ValueError(made)
        if note not in seen and note != str(len(seen) + 1):
            raise ValueError(note)  # notes numbered other than by their first reference
        sub = seen.get(note, 0)
        seen[note] = sub + 1
        name = ids[made] = f"{note}:{sub}" if sub else note
        return f'<sup class="footnote-ref"><a href="#fn{note}" id="fnref{name}">[{name}]</a></sup>'

    def backref(m: re.Match[str]) -> str:
        return f'<a href="#fnref{ids[m.group(1)]}" class="footnote-backref">'

    try:
        out = BACKREF.sub(backref, FOOTNOTE_REF.sub(ref, out))
    except (ValueError, KeyError):
        return None
    return out.replace('" class="footnote-item">\n', '" class="footnote-item">')
