"""Turn template tags in a post's body into Markdown: Liquid (Jekyll, Eleventy), Nunjucks
(Eleventy), Hugo and Zola shortcodes, Pelican's `{filename}` links, kramdown's attribute lists.

What has a Markdown equivalent is converted; every other tag is taken out of the text and
reported with its line, so no template syntax is ever printed into a page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Link = Callable[[str, str], "str | None"]  # (kind, reference) -> a path on the new site


@dataclass
class Context:
    """One post being converted: its generator, front matter, link resolver and warnings."""

    generator: str
    data: dict[str, Any]
    link: Link
    site: dict[str, Any] = field(default_factory=dict)  # the old site's config
    body: str = ""
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (body line, message)

    def warn(self, text: str, at: int, message: str) -> None:
        """Warn about something at offset `at` of `text`, located by its first words in the
        original body."""
        snippet = text[at:at + 40].split("\n")[0]
        where = self.body.find(snippet) if snippet else -1
        line = self.body[:where].count("\n") if where >= 0 else 0
        self.warnings.append((line, message))


def convert_body(body: str, ctx: Context) -> str:
    """The body with its generator's template tags converted or taken out."""
    ctx.body = body
    text = body
    if ctx.generator in ("jekyll", "eleventy"):
        text = convert_liquid(text, ctx)
    if ctx.generator == "jekyll":
        text = strip_kramdown(text)
    if ctx.generator == "hugo":
        text = convert_hugo(text, ctx)
    if ctx.generator == "zola":
        text = convert_zola(text, ctx)
    if ctx.generator == "pelican":
        text = convert_pelican(text, ctx)
        if "{%" in text:  # the liquid_tags plugin, common on blogs that came from Octopress
            text = convert_liquid(text, ctx, outputs=False, only=PELICAN_LIQUID)
    return rewrite_local_links(text, ctx)


# ---- shared: arguments, pairing, Markdown output -------------------------------------------

ARG = re.compile(r"""(?:([\w-]+)\s*[=:]\s*)?("(?:[^"\\]|\\.)*"|'[^']*'|`[^`]*`|[^\s,"'`=]+)""")


def parse_args(text: str) -> tuple[list[str], dict[str, str]]:
    """Positional and named arguments of a tag: `a "b c" key="d"` or `id="x", n=1`."""
    positional: list[str] = []
    named: dict[str, str] = {}
    for m in ARG.finditer(text):
        value = m.group(2)
        if value[:1] in "\"'`" and value[-1:] == value[:1] and len(value) > 1:
            value = value[1:-1].replace('\\"', '"')
        if m.group(1):
            named[m.group(1).lower()] = value
        else:
            positional.append(value)
    return positional, named


@dataclass(frozen=True)
class Tag:
    start: int
    end: int
    name: str
    args: str
    closing: bool


def pairs_of(tags: list[Tag], closes: Callable[[Tag, Tag], bool]) -> dict[int, int]:
    """Index of each opening tag -> index of the tag that closes it (nesting respected)."""
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for i, tag in enumerate(tags):
        if not tag.closing:
            stack.append(i)
            continue
        for depth in range(len(stack) - 1, -1, -1):
            if closes(tags[stack[depth]], tag):
                pairs[stack[depth]] = i
                del stack[depth:]
                break
    return pairs


Single = Callable[[Tag], str]
Pair = Callable[[Tag, str, Callable[[], str]], str]


def walk(text: str, tags: list[Tag], pairs: dict[int, int], single: Single, pair: Pair,
         stray: Single, lo: int = 0, hi: int | None = None, start: int = 0,
         end: int | None = None) -> str:
    """Rebuild `text` with each tag (and each pair with what it encloses) replaced."""
    hi = len(tags) if hi is None else hi
    end = len(text) if end is None else end
    out: list[str] = []
    pos, i = start, lo
    while i < hi:
        tag = tags[i]
        out.append(text[pos:tag.start])
        if i in pairs and pairs[i] < hi:
            j = pairs[i]
            k = i

            def inner(k: int = k, j: int = j) -> str:
                return walk(text, tags, pairs, single, pair, stray, k + 1, j, tags[k].end,
                            tags[j].start)
            out.append(pair(tag, text[tag.end:tags[j].start], inner))
            pos, i = tags[j].end, j + 1
        else:
            out.append(stray(tag) if tag.closing else single(tag))
            pos, i = tag.end, i + 1
    out.append(text[pos:end])
    return "".join(out)


def fence(lang: str, code: str) -> str:
    code = code.strip("\n")
    ticks = "~~~~" if "```" in code else "```"
    return f"\n{ticks}{lang}\n{code}\n{ticks}\n"


def quote(text: str, cite: str = "") -> str:
    lines = [f"> {line}".rstrip() for line in text.strip("\n").split("\n")]
    if cite:
        lines += [">", f"> — {cite}"]
    return "\n" + "\n".join(lines) + "\n"


def figure(src: str, alt: str = "", caption: str = "", link: str = "") -> str:
    img = f'<img src="{html.escape(src, quote=True)}" alt="{html.escape(alt, quote=True)}">'
    if link:
        img = f'<a href="{html.escape(link, quote=True)}">{img}</a>'
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f"\n<figure>{img}{cap}</figure>\n"


def embed_link(kind: str, positional: list[str], named: dict[str, str]) -> str | None:
    """A link to an embedded video, gist or post: Markdown's equivalent of an embed."""
    first = named.get("id") or named.get("url") or named.get("src") or (
        positional[0] if positional else "")
    if not first:
        return None
    if kind == "youtube":
        vid = re.sub(r"^.*(?:v=|youtu\.be/|embed/)", "", first).split("&")[0]
        return f"[Video on YouTube](https://www.youtube.com/watch?v={vid})"
    if kind == "vimeo":
        return f"[Video on Vimeo](https://vimeo.com/{first.rsplit('/', 1)[-1]})"
    if kind == "gist":
        if first.startswith("http"):
            return f"[Gist]({first})"
        user_id = first if "/" in first else "/".join(positional[:2])
        return f"[Gist {user_id}](https://gist.github.com/{user_id})"
    if kind in ("tweet", "twitter", "x"):
        if first.startswith("http"):
            return f"[Post on X (Twitter)]({first})"
        user = named.get("user", "i")
        tid = named.get("id") or positional[-1]
        return f"[Post on X (Twitter)](https://twitter.com/{user}/status/{tid})"
    if kind == "instagram":
        return f"[Post on Instagram](https://www.instagram.com/p/{first}/)"
    if kind == "streamable":
        return f"[Video on Streamable](https://streamable.com/{first})"
    return None


EMBEDS = frozenset({"youtube", "vimeo", "gist", "tweet", "twitter", "x", "instagram",
                    "streamable"})


def embed_kind(name: str) -> str | None:
    """`youtube`, and the many custom names for it (`youtubeembed`, `youtube-lite`)."""
    if name in EMBEDS:
        return name
    return next((kind for kind in ("youtube", "vimeo", "gist", "tweet", "twitter",
                                   "instagram") if kind in name), None)


def guessed_link(positional: list[str], named: dict[str, str]) -> str | None:
    """A custom tag that names a URL (and perhaps its text): a Markdown link to it."""
    values = [*positional, *named.values()]
    url = next((v for v in values if re.match(r"https?://\S+$|/[^\s]*$", v)), None)
    if url is None:
        return None
    text = next((v for v in values if v != url and re.search(r"[^\W\d]", v)), url)
    return f"[{text}]({url})"


# ---- Liquid and Nunjucks (Jekyll, Eleventy) -------------------------------------------------

LIQUID_TAG = re.compile(r"\{%-?\s*(end)?([A-Za-z_]\w*)\b(.*?)-?%\}", re.DOTALL)
LIQUID_OUT = re.compile(r"\{\{-?(.*?)-?\}\}", re.DOTALL)
RAW = re.compile(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", re.DOTALL)
NUNJUCKS_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
LIQUID_BLOCKS = frozenset({"if", "unless", "for", "case", "capture", "comment", "highlight",
                           "codeblock", "blockquote", "pullquote", "tablerow", "raw", "macro",
                           "call", "filter", "block", "set", "markdown", "verbatim", "with"})
PLACEHOLDER = "\x00{}\x00"
# Pelican runs no template language on a post: only the tags of its liquid_tags plugin mean
# something, and any other `{% ... %}` (a post about Django or Jinja) is text it showed.
PELICAN_LIQUID = frozenset({"img", "video", "audio", "youtube", "vimeo", "include_code",
                            "notebook", "gram", "flickr", "giphy", "soundcloud", "b64img",
                            "graphviz", "blockdiag", "diag", "spotify", "speakerdeck", "gist"})


def convert_liquid(text: str, ctx: Context, *, outputs: bool = True,
                   only: frozenset[str] | None = None) -> str:
    """Convert Liquid (or Nunjucks) tags; with `only`, just the tags of those names, the rest
    being text the old site showed as written."""
    kept: list[str] = []

    def protect(m: re.Match[str]) -> str:
        kept.append(m.group(1))
        return PLACEHOLDER.format(len(kept) - 1)

    if only is None:
        text = RAW.sub(protect, text)
    if ctx.generator == "eleventy":
        text = NUNJUCKS_COMMENT.sub("", text)
    tags = [Tag(m.start(), m.end(), m.group(2).lower(), m.group(3).strip(), bool(m.group(1)))
            for m in LIQUID_TAG.finditer(text)]
    if only is not None:
        tags = [t for t in tags if t.name in only]
    tags = [t for t in tags if not (t.closing and t.name not in _opened(tags))]
    pairs = pairs_of(tags, lambda o, c: o.name == c.name)

    def single(tag: Tag) -> str:
        return _liquid_single(tag, text, ctx)

    def pair(tag: Tag, raw: str, inner: Callable[[], str]) -> str:
        return _liquid_pair(tag, raw, inner, text, ctx)

    def stray(tag: Tag) -> str:
        ctx.warn(text, tag.start, f"stray `{{% end{tag.name} %}}` left out")
        return ""

    text = walk(text, tags, pairs, single, pair, stray)
    if outputs:
        text = LIQUID_OUT.sub(lambda m: _liquid_output(m, text, ctx), text)
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], text)


def _opened(tags: list[Tag]) -> set[str]:
    return {t.name for t in tags if not t.closing}


def _liquid_single(tag: Tag, text: str, ctx: Context) -> str:
    positional, named = parse_args(tag.args)
    name = tag.name
    if name in ("link", "post_url"):
        target = ctx.link(name, positional[0] if positional else "")
        if target is None:
            ctx.warn(text, tag.start, f"`{{% {name} {tag.args} %}}` names no imported post or "
                                      "file; left out")
            return ""
        return target
    kind = embed_kind(name)
    if kind and (link := embed_link(kind, positional, named)):
        return link
    if name in ("img", "image"):
        return _liquid_image(tag.args, positional, named, ctx) or _unsupported(tag, text, ctx)
    if name in ("notebook", "include_code", "video", "audio") and positional:
        target = ctx.link("file", positional[0]) or positional[0]
        ctx.warn(text, tag.start, f"`{{% {tag.name} {tag.args} %}}` cannot be embedded in "
                                  "Markdown; it became a link to the file")
        return f"[{positional[0].rsplit('/', 1)[-1]}]({target})"
    if name not in ("include", "include_relative", "render", "assign", "capture", "set",
                    "increment", "decrement", "cycle") and (
                        link := guessed_link(positional, named)):
        ctx.warn(text, tag.start, f"`{{% {tag.name} {tag.args} %}}` became the link {link}; "
                                  "check it")
        return link
    return _unsupported(tag, text, ctx)


def _liquid_image(args: str, positional: list[str], named: dict[str, str],
                  ctx: Context) -> str | None:
    """Octopress `{% img [class] src [w [h]] [title [alt]] %}` and eleventy-img
    `{% image "src", "alt" %}`."""
    src = named.get("src") or next((p for p in positional if re.search(r"[/.]", p)
                                    and not re.fullmatch(r"[\d.]+", p)), "")
    if not src:
        return None
    rest = args.split(src, 1)[1] if src in args else ""
    rest = re.sub(r"^[\"']?[\s,]*(\d+\s+){0,2}", "", rest).strip(" ,")
    quoted = re.findall(r"\"([^\"]*)\"|'([^']*)'", rest)
    words = [a or b for a, b in quoted] if quoted else ([rest] if rest else [])
    alt = named.get("alt") or (words[-1] if words else "")
    src = ctx.link("file", src) or src
    return f"![{alt}]({src})"


def _liquid_pair(tag: Tag, raw: str, inner: Callable[[], str], text: str, ctx: Context) -> str:
    positional, named = parse_args(tag.args)
    if tag.name == "comment":
        return ""
    if tag.name == "highlight":
        return fence(positional[0] if positional else "", raw)
    if tag.name == "codeblock":
        lang = next((p[5:] for p in positional if p.startswith("lang:")), "")
        return fence(lang, raw)
    if tag.name == "blockquote":
        return quote(inner(), " ".join(p for p in positional if not p.startswith("http")))
    if tag.name in ("pullquote", "markdown", "verbatim"):
        return inner()
    kept = inner()
    ctx.warn(text, tag.start, f"`{{% {tag.name} {tag.args} %}}` has no Markdown equivalent; "
                              "its tags were left out and what it encloses kept")
    return kept


def _unsupported(tag: Tag, text: str, ctx: Context) -> str:
    ctx.warn(text, tag.start, f"`{{% {tag.name} {tag.args} %}}` has no Markdown equivalent; "
                              "left out")
    return ""


def _liquid_output(m: re.Match[str], text: str, ctx: Context) -> str:
    """`{{ site.baseurl }}`, `{{ "/x" | relative_url }}`, `{{ page.title }}`; else left out."""
    expr, *filters = [part.strip() for part in m.group(1).split("|")]
    literal = re.fullmatch(r"""(["'])(.*)\1""", expr)
    if literal:
        value = literal.group(2)
        if any(f.split(":")[0].strip() in ("relative_url", "absolute_url", "url") for f in filters):
            value = ctx.link("file", value) or value
        return value
    if expr in ("site.baseurl", "site.url", "site.github.url", "site.base_url", "baseurl",
                "site.url | append: site.baseurl"):
        return ""
    scope, _, key = expr.rpartition(".")
    values = ctx.site if scope == "site" else ctx.data if scope in ("page", "") else {}
    if re.fullmatch(r"\w+", key) and isinstance(values.get(key), str | int | float):
        return str(values[key])
    ctx.warn(text, m.start(), f"`{{{{ {m.group(1).strip()} }}}}` has no Markdown equivalent; "
                              "left out")
    return ""


KRAMDOWN_LINE = re.compile(r"(?m)^[ \t]*\{:(?:[^}\n]*)\}[ \t]*\n?|^[ \t]*\{::[^}\n]*/?\}[ \t]*\n?")
KRAMDOWN_TOC = re.compile(r"(?m)^[ \t]*[*-] (?:TOC|toc|Table of Contents)[ \t]*\n(?=\{:toc\})")
KRAMDOWN_INLINE = re.compile(r"(?<=[)\]*_`])\{:[^}\n]*\}")


def strip_kramdown(text: str) -> str:
    """kramdown's attribute lists (`{: .class}`, `{:toc}`) mean nothing to CommonMark: taken out
    rather than shown."""
    text = KRAMDOWN_TOC.sub("", text)
    text = KRAMDOWN_LINE.sub("", text)
    return KRAMDOWN_INLINE.sub("", text)


# ---- Hugo shortcodes -----------------------------------------------------------------------

HUGO_TAG = re.compile(r"\{\{<\s*(/)?\s*([\w./-]+)(.*?)\s*/?>\}\}|"
                      r"\{\{%\s*(/)?\s*([\w./-]+)(.*?)\s*/?%\}\}", re.DOTALL)
HUGO_COMMENT = re.compile(r"\{\{/\*.*?\*/\}\}", re.DOTALL)


HUGO_ESCAPED = re.compile(r"\{\{([<%])/\*\s*(.*?)\s*\*/([>%])\}\}", re.DOTALL)


def convert_hugo(text: str, ctx: Context) -> str:
    kept: list[str] = []

    def protect(m: re.Match[str]) -> str:
        # `{{</* x */>}}` is Hugo's way to show a shortcode literally
        kept.append(f"{{{{{m.group(1)} {m.group(2)} {m.group(3)}}}}}")
        return PLACEHOLDER.format(len(kept) - 1)

    text = HUGO_ESCAPED.sub(protect, text)
    text = HUGO_COMMENT.sub("", text)
    tags = [Tag(m.start(), m.end(), (m.group(2) or m.group(5)).lower(),
                (m.group(3) if m.group(2) else m.group(6)) or "",
                bool(m.group(1) or m.group(4)))
            for m in HUGO_TAG.finditer(text)]
    pairs = pairs_of(tags, lambda o, c: o.name == c.name)

    def single(tag: Tag) -> str:
        return _hugo_single(tag, text, ctx)

    def pair(tag: Tag, raw: str, inner: Callable[[], str]) -> str:
        return _hugo_pair(tag, raw, inner, text, ctx)

    def stray(tag: Tag) -> str:
        ctx.warn(text, tag.start, f"stray closing shortcode `/{tag.name}` left out")
        return ""

    text = walk(text, tags, pairs, single, pair, stray)
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], text)


def _hugo_single(tag: Tag, text: str, ctx: Context) -> str:
    positional, named = parse_args(tag.args)
    if tag.name in ("ref", "relref"):
        ref = named.get("path") or (positional[0] if positional else "")
        target = ctx.link("ref", ref)
        if target is None:
            ctx.warn(text, tag.start, f"`{{{{< {tag.name} {tag.args.strip()} >}}}}` names no "
                                      "imported post; left out")
            return ""
        return target
    if tag.name == "figure":
        src = named.get("src", positional[0] if positional else "")
        if src:
            return figure(ctx.link("file", src) or src, named.get("alt", ""),
                          named.get("caption") or named.get("title", ""), named.get("link", ""))
    kind = embed_kind(tag.name)
    if kind and (link := embed_link(kind, positional, named)):
        return link
    if tag.name == "param" and positional and isinstance(ctx.data.get(positional[0]), str):
        return str(ctx.data[positional[0]])
    ctx.warn(text, tag.start, f"shortcode `{{{{< {tag.name}{tag.args} >}}}}` has no Markdown "
                              "equivalent; left out")
    return ""


def _hugo_pair(tag: Tag, raw: str, inner: Callable[[], str], text: str, ctx: Context) -> str:
    positional, named = parse_args(tag.args)
    if tag.name == "highlight":
        return fence(positional[0] if positional else named.get("lang", ""), raw)
    if tag.name == "details":
        summary = html.escape(named.get("summary", positional[0] if positional else "Details"))
        return f"\n<details><summary>{summary}</summary>\n\n{inner().strip()}\n\n</details>\n"
    if tag.name in ("notice", "note", "hint", "alert", "callout", "admonition", "warning",
                    "tip", "info", "quote", "blockquote"):
        return quote(inner())
    if tag.name in ("markdown", "center", "raw", "rawhtml", "html"):
        return inner()
    kept = inner()
    ctx.warn(text, tag.start, f"shortcode `{{{{< {tag.name}{tag.args} >}}}}` has no Markdown "
                              "equivalent; its tags were left out and what it encloses kept")
    return kept


# ---- Zola shortcodes and internal links ----------------------------------------------------

ZOLA_INLINE = re.compile(r"\{\{\s*([A-Za-z_]\w*)\((.*?)\)\s*\}\}", re.DOTALL)
ZOLA_BODY = re.compile(r"\{%\s*([A-Za-z_]\w*)\((.*?)\)\s*%\}|\{%\s*(end)\s*%\}", re.DOTALL)
CODE = re.compile(r"(?ms)^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$|`[^`\n]+`")
AT_LINK = re.compile(r"(\]\(|href=\")@/([^)\s\"#]+)(#[^)\s\"]*)?")


def convert_zola(text: str, ctx: Context) -> str:
    kept: list[str] = []

    def protect(m: re.Match[str]) -> str:
        kept.append(m.group(0))
        return PLACEHOLDER.format(len(kept) - 1)

    text = CODE.sub(protect, text)  # Zola leaves shortcodes in code alone
    tags = [Tag(m.start(), m.end(), (m.group(1) or "end").lower(), m.group(2) or "",
                bool(m.group(3))) for m in ZOLA_BODY.finditer(text)]
    pairs = pairs_of(tags, lambda o, c: True)

    def pair(tag: Tag, raw: str, inner: Callable[[], str]) -> str:
        if tag.name in ("quote", "note", "callout", "alert", "admonition", "hint", "tip",
                        "warning", "info"):
            return quote(inner())
        ctx.warn(text, tag.start, f"shortcode `{{% {tag.name}({tag.args}) %}}` has no Markdown "
                                  "equivalent; its tags were left out and what it encloses kept")
        return inner()

    def single(tag: Tag) -> str:
        ctx.warn(text, tag.start, f"shortcode `{{% {tag.name}({tag.args}) %}}` is never closed "
                                  "with `{% end %}`; left out")
        return ""

    text = walk(text, tags, pairs, single, pair, single)
    text = ZOLA_INLINE.sub(lambda m: _zola_inline(m, text, ctx), text)
    text = AT_LINK.sub(lambda m: m.group(1) + (ctx.link("ref", m.group(2)) or
                                               "/" + m.group(2)) + (m.group(3) or ""), text)
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], text)


def _zola_inline(m: re.Match[str], text: str, ctx: Context) -> str:
    name = m.group(1).lower()
    positional, named = parse_args(m.group(2))
    kind = embed_kind(name)
    if kind and (link := embed_link(kind, positional, named)):
        return link
    if name in ("figure", "image", "img", "resize_image") and (named.get("src") or
                                                               named.get("path")):
        src = named.get("src") or named["path"]
        return figure(ctx.link("file", src) or src, named.get("alt", ""),
                      named.get("caption", ""))
    ctx.warn(text, m.start(), f"shortcode `{{{{ {name}(...) }}}}` has no Markdown equivalent; "
                              "left out")
    return ""


# ---- Pelican links -------------------------------------------------------------------------

PELICAN_LINK = re.compile(r"[{|](filename|static|attach|index|tag|category|author)[}|]"
                          r"([^)\s\"'>]*)")


CODEHILITE = re.compile(r"(?m)^(?P<indent>(?:    |\t))(?::::|#!)(?P<lang>[\w+#.-]+)[^\n]*\n"
                        r"(?P<code>(?:(?P=indent)[^\n]*\n|[ \t]*\n)*)")


def _codehilite(m: re.Match[str]) -> str:
    """Python-Markdown's `    :::python` indented code: a fenced block with its language."""
    indent = m.group("indent")
    lines = [line[len(indent):] if line.startswith(indent) else line.strip()
             for line in m.group("code").split("\n")]
    return fence(m.group("lang"), "\n".join(lines)).lstrip("\n") + "\n"


def convert_pelican(text: str, ctx: Context) -> str:
    text = CODEHILITE.sub(_codehilite, text + "\n")
    def fix(m: re.Match[str]) -> str:
        kind, target = m.group(1), m.group(2)
        if kind == "index":
            return "/"
        if kind in ("tag", "category"):
            return ctx.link("topic", target) or "/topics/"
        if kind == "author":
            return "/"
        path, _, anchor = target.partition("#")
        found = ctx.link("ref" if kind == "filename" else "file", path)
        if found is None:
            ctx.warn(text, m.start(), f"link `{m.group(0)}` names no imported post or file")
            found = "/" + path.lstrip("/")
        return found + (f"#{anchor}" if anchor else "")
    return PELICAN_LINK.sub(fix, text)


# ---- relative links to files and posts -----------------------------------------------------

LOCAL = re.compile(r"(\]\(\s*<?|\b(?:src|href)=[\"'])(?![a-zA-Z][\w+.-]*:|/|#|\?|\x00)"
                   r"([^)\s\"'>#?]+)")


def rewrite_local_links(text: str, ctx: Context) -> str:
    """A relative link to a file or post of the old site, pointed at where it now lives."""
    return LOCAL.sub(lambda m: m.group(1) + (ctx.link("relative", m.group(2)) or m.group(2)),
                     text)
